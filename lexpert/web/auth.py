"""Users, password hashing (Argon2id), bearer tokens and session cookies with CSRF."""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..settings import get_settings, lexpert_home
from ..expertise.db.models import ROLES, User
from ..errors import LexpertError

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


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise LexpertError("a password needs at least 8 characters")
    return _ph.hash(password)


def add_user(s: Session, name: str, password: str, role: str, agency: str | None = None) -> User:
    if role not in ROLES:
        raise LexpertError(f"role must be one of {', '.join(ROLES)}")
    if role == "agency" and not agency:
        raise LexpertError("an agency user needs --agency")
    if s.scalar(select(User).where(User.name == name)):
        raise LexpertError(f"user {name!r} already exists")
    u = User(name=name, role=role, agency=agency, password_hash=hash_password(password))
    s.add(u)
    s.flush()
    return u


def authenticate(s: Session, name: str, password: str) -> User:
    u = s.scalar(select(User).where(User.name == name, User.active.is_(True)))
    try:
        if u is None:
            _ph.hash(password)          # same work whether or not the user exists
            raise AuthError("wrong user name or password")
        _ph.verify(u.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise AuthError("wrong user name or password") from None
    return u


@dataclass
class Principal:
    name: str
    role: str
    agency: str | None
    csrf: str | None = None


def make_token(user: User, kind: str = "bearer", csrf: str | None = None) -> str:
    now = dt.datetime.now(dt.timezone.utc)
    claims = {"sub": user.name, "role": user.role, "agency": user.agency, "kind": kind,
              "iat": now, "exp": now + TOKEN_TTL}
    if csrf:
        claims["csrf"] = csrf
    return jwt.encode(claims, secret_key(), algorithm="HS256")


def read_token(token: str, kind: str) -> Principal:
    try:
        c = jwt.decode(token, secret_key(), algorithms=["HS256"])
    except jwt.PyJWTError as exc:
        raise AuthError("invalid or expired credentials") from exc
    if c.get("kind") != kind:
        raise AuthError("invalid credentials")
    return Principal(c["sub"], c["role"], c.get("agency"), c.get("csrf"))
