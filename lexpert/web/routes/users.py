"""Tokens, logout, users (admin: add, list, change, remove), and the health check."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import func, select, text

from ...expertise.db.models import User
from ...version import __version__
from ..accounts import remove_user, update_user
from ..auth import NAME_MAX, add_user, login, make_token, revoke
from ..deps import DB, Admin, Caller, PageLimit, PageOffset, client_ip, too_long
from ..passwords import MAX_LENGTH
from ..schemas import HealthOut, LogoutOut, TokenOut, UserIn, UserOut, UserPatch, user_out

router = APIRouter()


@router.get("/healthz", response_model=HealthOut, tags=["service"])
def healthz(s: DB):
    s.execute(text("SELECT 1"))
    return HealthOut(status="ok", version=__version__)


@router.post("/api/token", response_model=TokenOut, tags=["users"])
def token(form: Annotated[OAuth2PasswordRequestForm, Depends()], s: DB, request: Request):
    """A bearer token (12 hours). 401 for a wrong name or password; 429 with ``Retry-After`` after
    5 failures for a name (or 30 from an address) within 15 minutes; a name with 10 failures is
    locked for 15 minutes, the right password refused too."""
    too_long({"username": (form.username, NAME_MAX), "password": (form.password, MAX_LENGTH)})
    u = login(s, form.username, form.password, client_ip(request))
    return TokenOut(access_token=make_token(u))


@router.post("/api/logout", response_model=LogoutOut, tags=["users"])
def logout(p: Caller, s: DB):
    """Revoke the credentials of this request (its bearer token, or the session cookie): they are
    refused from now on. The user's other tokens stay valid."""
    revoke(s, p.jti, p.name, p.expires)
    return LogoutOut(revoked=True)


@router.post("/api/users", status_code=201, response_model=UserOut, tags=["users"])
def create_user(body: UserIn, p: Admin, s: DB):
    return user_out(add_user(s, body.name, body.password, body.role, body.agency, actor=p.name))


@router.get("/api/users", response_model=list[UserOut], tags=["users"])
def users(p: Admin, s: DB, response: Response, limit: PageLimit = 50, offset: PageOffset = 0):
    """The users in the order they were added, ``limit`` from ``offset`` on; ``X-Total-Count``: how many in all."""
    response.headers["X-Total-Count"] = str(s.scalar(select(func.count(User.id))) or 0)
    return [user_out(u) for u in s.scalars(select(User).order_by(User.id).limit(limit).offset(offset))]


@router.patch("/api/users/{name}", response_model=UserOut, tags=["users"])
def change_user(name: str, body: UserPatch, p: Admin, s: DB):
    """Change a user: ``active`` (false refuses their tokens at once), ``role``, ``agency``,
    ``password`` (earlier tokens refused). Audited. The last active admin cannot be disabled or demoted."""
    u = update_user(s, name, active=body.active, role=body.role, agency=body.agency,
                    set_agency="agency" in body.model_fields_set, password=body.password, actor=p.name)
    return user_out(u)


@router.delete("/api/users/{name}", response_model=UserOut, tags=["users"])
def delete_user(name: str, p: Admin, s: DB):
    """Remove a user (audited); their tokens are refused at once. Answers the removed user."""
    u = remove_user(s, name, actor=p.name)
    return user_out(u)
