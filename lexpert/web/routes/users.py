"""Tokens, users, and the health check."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import func, select, text

from ...expertise.db.models import User
from ...version import __version__
from ..auth import add_user, authenticate, make_token
from ..deps import DB, Admin, PageLimit, PageOffset
from ..schemas import HealthOut, TokenOut, UserIn, UserOut, user_out

router = APIRouter()


@router.get("/healthz", response_model=HealthOut, tags=["service"])
def healthz(s: DB):
    s.execute(text("SELECT 1"))
    return HealthOut(status="ok", version=__version__)


@router.post("/api/token", response_model=TokenOut, tags=["users"])
def token(form: Annotated[OAuth2PasswordRequestForm, Depends()], s: DB):
    u = authenticate(s, form.username, form.password)
    return TokenOut(access_token=make_token(u))


@router.post("/api/users", status_code=201, response_model=UserOut, tags=["users"])
def create_user(body: UserIn, p: Admin, s: DB):
    return user_out(add_user(s, body.name, body.password, body.role, body.agency))


@router.get("/api/users", response_model=list[UserOut], tags=["users"])
def users(p: Admin, s: DB, response: Response, limit: PageLimit = 50, offset: PageOffset = 0):
    """The users in the order they were added, ``limit`` from ``offset`` on; ``X-Total-Count``: how many in all."""
    response.headers["X-Total-Count"] = str(s.scalar(select(func.count(User.id))) or 0)
    return [user_out(u) for u in s.scalars(select(User).order_by(User.id).limit(limit).offset(offset))]
