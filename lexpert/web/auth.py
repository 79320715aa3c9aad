"""Users, password hashing (Argon2id), bearer tokens and session cookies with CSRF.

A token (bearer or session cookie) is a signed JWT naming the user (``sub``, ``uid``), its kind,
a random id (``jti``) and when it was issued (``iat``, to the microsecond). It proves only who
logged in and when: every request reads the user again, so a removed or disabled user is refused
at once, and the role and agency are the user's current ones. A token issued before the user's
``tokens_valid_after`` (set on a password change and when the user is disabled) is refused, and so
is one whose ``jti`` logout put in ``revoked_tokens``."""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ..settings import get_settings, lexpert_home
from ..expertise.db.models import ROLES, RevokedToken, User, utcnow
from ..errors import LexpertError
from . import throttle
from .passwords import check_password

log = logging.getLogger(__name__)
_ph = PasswordHasher()          # Argon2id with the library's current parameters
TOKEN_TTL = dt.timedelta(hours=12)


class AuthError(LexpertError):
    code = "auth"
    http_status = 401


def secret_key() -> str:
    """LEXPERT_SECRET, else a random key kept in LEXPERT_HOME/secret (created once)."""
    env = get_settings().secret
    if env:
        return env
    p = lexpert_home() / "secret"
    if not p.exists():
        log.info("no LEXPERT_SECRET: a new signing key written to %s", p)
        p.write_text(secrets.token_urlsafe(48))
        p.chmod(0o600)
    return p.read_text().strip()


def hash_password(password: str, name: str | None = None) -> str:
    """The Argon2id hash of a password that passes the policy (``passwords.check_password``)."""
    check_password(password, name)
    return _ph.hash(password)


NAME_MAX = 120              # the users.name column
AGENCY_MAX = 300            # the users.agency and drafts.agency columns


def check_role(role: str, agency: str | None) -> None:
    if role not in ROLES:
        raise LexpertError(f"role must be one of {', '.join(ROLES)}")
    if role == "agency" and not agency:
        raise LexpertError("an agency user needs --agency")
    if agency is not None and len(agency) > AGENCY_MAX:
        raise LexpertError(f"an agency name is at most {AGENCY_MAX} characters")


def add_user(s: Session, name: str, password: str, role: str, agency: str | None = None,
             actor: str | None = None) -> User:
    """A new active user (the password checked by the policy); audited as ``user created``."""
    from ..expertise.workflow import audit

    name = (name or "").strip()
    if not name or len(name) > NAME_MAX or any(c.isspace() or not c.isprintable() for c in name):
        raise LexpertError(f"a user name is 1 to {NAME_MAX} printable characters without spaces")
    check_role(role, agency)
    if s.scalar(select(User).where(User.name == name)):
        raise LexpertError(f"user {name!r} already exists")
    now = utcnow()
    u = User(name=name, role=role, agency=agency or None,
             password_hash=hash_password(password, name), active=True, created_at=now, tokens_valid_after=now)
    s.add(u)
    s.flush()
    audit(s, "user", u.id, "created", None, f"{role}{', ' + agency if agency else ''}", actor, now, note=name)
    return u


def verify_password(u: User | None, password: str) -> bool:
    """Whether ``password`` is ``u``'s (the same Argon2 work when there is no such user)."""
    try:
        if u is None:
            _ph.hash(password)
            return False
        _ph.verify(u.password_hash, password)
        return True
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def login(s: Session, name: str, password: str, ip: str) -> User:
    """A login try through the throttle (``throttle.check``): refused with 429 while the name or
    the address has too many recent failures, else the password checked and the try recorded.
    The try is committed before a refusal is raised (several workers share the counts)."""
    try:
        throttle.check(s, name, ip)
        u = s.scalar(select(User).where(User.name == name, User.active.is_(True)))
        ok = verify_password(u, password)
        throttle.record(s, name, ip, ok)
        if not ok:
            raise AuthError("wrong user name or password")
    except (AuthError, throttle.TooManyAttempts):
        s.commit()
        raise
    return u


def authenticate(s: Session, name: str, password: str) -> User:
    u = s.scalar(select(User).where(User.name == name, User.active.is_(True)))
    if not verify_password(u, password):
        raise AuthError("wrong user name or password")
    return u


@dataclass
class Principal:
    name: str
    role: str
    agency: str | None
    csrf: str | None = None
    jti: str | None = None
    expires: dt.datetime | None = None


def make_token(user: User, kind: str = "bearer", csrf: str | None = None) -> str:
    now = dt.datetime.now(dt.timezone.utc)
    claims = {"sub": user.name, "uid": user.id, "kind": kind, "jti": secrets.token_urlsafe(16),
              "iat": now.timestamp(), "exp": now + TOKEN_TTL}
    if csrf:
        claims["csrf"] = csrf
    return jwt.encode(claims, secret_key(), algorithm="HS256")


def decode_token(token: str, kind: str) -> dict:
    """The claims of a token of this kind with a good signature that has not expired."""
    try:
        c = jwt.decode(token, secret_key(), algorithms=["HS256"])
    except jwt.PyJWTError as exc:
        raise AuthError("invalid or expired credentials") from exc
    if c.get("kind") != kind or not c.get("jti") or "uid" not in c:
        raise AuthError("invalid credentials")
    return c


def _as_utc_timestamp(d: dt.datetime) -> float:
    return d.replace(tzinfo=dt.timezone.utc).timestamp()


# the user of a token and whether logout revoked it, in one query on two indexed keys (a request's
# only cost of being checked against the user's current state); built once, bound per request
_CALLER = (select(User.id, User.name, User.role, User.agency, User.active, User.tokens_valid_after,
                  select(RevokedToken.jti).where(RevokedToken.jti == bindparam("jti")).exists())
           .where(User.name == bindparam("name")))


def read_token(s: Session, token: str, kind: str) -> Principal:
    """The caller of a token, as the user is now: refused if the user is gone or disabled, if the
    token predates the user's ``tokens_valid_after``, or if logout revoked it."""
    return current_caller(s, decode_token(token, kind))


def current_caller(s: Session, c: dict) -> Principal:
    """The caller of a token's claims (``decode_token``), checked against the user as they are now."""
    u = s.execute(_CALLER, {"name": c["sub"], "jti": c["jti"]}).first()
    if u is None or u.id != c["uid"]:
        raise AuthError("the user of these credentials no longer exists")
    if not u.active:
        raise AuthError("this account is disabled")
    if u.tokens_valid_after is not None and float(c["iat"]) < _as_utc_timestamp(u.tokens_valid_after):
        raise AuthError("these credentials were issued before the password was changed; log in again")
    if u[-1]:
        raise AuthError("these credentials were revoked by logging out; log in again")
    return Principal(u.name, u.role, u.agency, c.get("csrf"), c["jti"],
                     dt.datetime.fromtimestamp(c["exp"], dt.timezone.utc).replace(tzinfo=None))


def revoke(s: Session, jti: str, user_name: str | None, expires: dt.datetime | None) -> None:
    """Logout: the token with this id is refused from now on (kept until it would have expired;
    rows past their expiry are deleted here)."""
    from sqlalchemy import delete

    now = utcnow()
    s.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
    if s.get(RevokedToken, jti) is None:
        s.add(RevokedToken(jti=jti, user_name=user_name, revoked_at=now, expires_at=expires or now + TOKEN_TTL))
    s.flush()


def revoke_token(s: Session, token: str, kind: str) -> bool:
    """Revoke a token that carries a good signature; False when it is not one (nothing to do)."""
    try:
        c = decode_token(token, kind)
    except AuthError:
        return False
    revoke(s, c["jti"], c.get("sub"), dt.datetime.fromtimestamp(c["exp"], dt.timezone.utc).replace(tzinfo=None))
    return True
