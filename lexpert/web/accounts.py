"""Changing accounts: disable, enable, new password, role and agency, removal. The command line
(``lexpert users``) and the admin API (``PATCH``/``DELETE /api/users/{name}``) both call these;
each change is an ``AuditEvent`` of entity ``user`` (never a password or its hash). Disabling a
user and changing a password move the user's ``tokens_valid_after`` to now, so every token and
session issued before is refused; a role or agency change needs no such step, since every
request reads them from the user. At least one active admin always remains."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import LexpertError
from ..expertise.db.models import User, utcnow
from ..expertise.workflow import audit
from .auth import add_user, check_role, hash_password

__all__ = ["add_user", "get_user", "update_user", "remove_user"]


class NoSuchUser(LexpertError):
    code = "not_found"
    http_status = 404


def get_user(s: Session, name: str) -> User:
    u = s.scalar(select(User).where(User.name == name))
    if u is None:
        raise NoSuchUser(f"no user {name!r}")
    return u


def _other_active_admins(s: Session, u: User) -> int:
    return s.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True), User.id != u.id)) or 0


def _keeps_an_admin(s: Session, u: User, active: bool, role: str) -> None:
    if u.role == "admin" and u.active and not (active and role == "admin") and not _other_active_admins(s, u):
        raise LexpertError(f"{u.name} is the last active admin: add or enable another admin first")


def update_user(s: Session, name: str, *, active: bool | None = None, role: str | None = None,
                agency: str | None = None, set_agency: bool = False, password: str | None = None,
                actor: str | None = None) -> User:
    """Change what is given (``set_agency`` says ``agency`` is given, None included); audited."""
    u = get_user(s, name)
    new_active = u.active if active is None else active
    new_role = role or u.role
    new_agency = (agency or None) if set_agency else u.agency
    check_role(new_role, new_agency)
    _keeps_an_admin(s, u, new_active, new_role)
    now = utcnow()
    if password is not None:
        u.password_hash = hash_password(password, u.name)
        u.tokens_valid_after = now
        audit(s, "user", u.id, "password", None, None, actor, now, note="password changed; earlier tokens refused")
    if new_active != u.active:
        audit(s, "user", u.id, "active", u.active, new_active, actor, now)
        if not new_active:
            u.tokens_valid_after = now
        u.active = new_active
    if new_role != u.role:
        audit(s, "user", u.id, "role", u.role, new_role, actor, now)
        u.role = new_role
    if new_agency != u.agency:
        audit(s, "user", u.id, "agency", u.agency, new_agency, actor, now)
        u.agency = new_agency
    s.flush()
    return u


def remove_user(s: Session, name: str, actor: str | None = None) -> User:
    """Delete the user (the record keeps their name on what they did); their tokens die with them."""
    u = get_user(s, name)
    _keeps_an_admin(s, u, False, u.role)
    audit(s, "user", u.id, "removed", f"{u.role}{', ' + u.agency if u.agency else ''}", None, actor, utcnow(),
          note=u.name)
    s.delete(u)
    s.flush()
    return u
