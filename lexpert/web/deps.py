"""What the routes depend on: the database session, the caller and their role, the records the
caller may see, and a bounded read of an upload."""
from __future__ import annotations

import asyncio
import secrets
import weakref
from typing import Annotated, Any, Callable, TypeVar

import anyio

from fastapi import Depends, HTTPException, Query, Request, UploadFile
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from ..expertise.db.models import Draft, Finding, Recommendation
from ..expertise.db.session import end_session, new_session, pool_capacity, session_scope
from ..ingest import check_claimed
from ..settings import Limits, get_settings
from .auth import AuthError, Principal, current_caller, decode_token, read_token

COOKIE = "lexpert_session"
T = TypeVar("T")
FILENAME_MAX = 255
oauth2 = OAuth2PasswordBearer(tokenUrl="/api/token", auto_error=False)


SAFE = ("GET", "HEAD", "OPTIONS")
_slots: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Semaphore]]" = \
    weakref.WeakKeyDictionary()


def _db_slots(url: str) -> asyncio.Semaphore:
    per_loop = _slots.setdefault(asyncio.get_running_loop(), {})
    if url not in per_loop:
        per_loop[url] = asyncio.Semaphore(max(1, min(pool_capacity(url), get_settings().db_requests)))
    return per_loop[url]


async def get_db(request: Request):
    """The request's session: a read session for GET/HEAD/OPTIONS, a write session otherwise
    (on SQLite it takes the write lock at its first statement; see ``expertise.db.session``),
    committed (or rolled back) and closed in a worker thread before the answer is sent.

    A request first waits, on the event loop, for one of ``LEXPERT_DB_REQUESTS`` slots (never
    more than the connection pool gives out): so no route ever blocks a worker thread waiting
    for a connection, and sessions waiting for a thread to commit can never hold every
    connection while every thread waits for one (under a few hundred concurrent requests that
    deadlocked the server until the pool's timeout); and a few threads doing Python work at
    once answer more requests per second than forty contending for the interpreter's lock."""
    url = request.app.state.db_url
    async with _db_slots(url):
        s = new_session(url, write=request.method not in SAFE)
        ok = False
        try:
            yield s
            ok = True
        finally:
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(end_session, s, ok)


async def in_session(request: Request, fn: Callable[..., T], *args: Any, write: bool = True) -> T:
    """``fn(session, *args)`` in a worker thread, in a session of its own committed before this
    returns, after waiting on the event loop for a pool slot as :func:`get_db` does. For a route
    that must not hold a connection while it awaits something long (an upload's analysis)."""
    url = request.app.state.db_url
    async with _db_slots(url):
        return await run_in_threadpool(_run_in_session, url, write, fn, args)


def _run_in_session(url: str, write: bool, fn: Callable[..., T], args: tuple) -> T:
    with session_scope(url, write=write) as s:
        return fn(s, *args)


# committed before the response is sent: a client that reads right after a write sees it
DB = Annotated[Session, Depends(get_db, scope="function")]


def principal(request: Request, token: Annotated[str | None, Depends(oauth2)], s: DB) -> Principal:
    """The caller: a bearer token (API), or the session cookie plus the CSRF header (UI) for a write;
    checked against the user as they are now (``auth.read_token``)."""
    return _caller(s, request, token)


async def principal_apart(request: Request, token: Annotated[str | None, Depends(oauth2)]) -> Principal:
    """The caller as :func:`principal` finds them, in a short read session of its own: for a route
    that holds no session while it awaits an analysis (the request's session would keep a pool
    slot, and on SQLite a write session the write lock, for as long as the analysis runs)."""
    return await in_session(request, _caller, request, token, write=False)


def _caller(s: Session, request: Request, token: str | None) -> Principal:
    return _check(s, request, _claims(request, token))


def _claims(request: Request, token: str | None) -> dict:
    """The claims of the request's credentials: the bearer token, else the session cookie (signature
    and expiry checked; nothing read from the database)."""
    if token:
        return decode_token(token, "bearer")
    cookie = request.cookies.get(COOKIE)
    if cookie:
        return decode_token(cookie, "session")
    raise AuthError("not authenticated")


def _check(s: Session, request: Request, claims: dict) -> Principal:
    """The caller of these claims as the user is now; a write through the session cookie needs the CSRF header."""
    p = current_caller(s, claims)
    if claims["kind"] == "session" and request.method not in SAFE:
        sent = request.headers.get("x-csrf-token")
        if not sent or not secrets.compare_digest(sent, p.csrf or ""):
            raise HTTPException(403, "CSRF token missing or wrong")
    return p


async def claims(request: Request, token: Annotated[str | None, Depends(oauth2)]) -> dict:
    """The first half of :func:`principal`, on the event loop (a signature check, no database):
    a missing, forged or expired credential is refused before anything else, as ``principal`` does."""
    return _claims(request, token)


async def as_caller(request: Request, claims: dict, fn: Callable[..., T], *args: Any) -> T:
    """``fn(session, caller, *args)`` in one worker thread, in a read session of its own, the
    caller of ``claims`` checked there against the user as they are now (the second half of
    :func:`principal`): a read route's whole work (the user, the query, the JSON of the answer,
    the end of the session) in one trip to a thread instead of one per dependency."""
    return await in_session(request, _with_caller, request, claims, fn, args, write=False)


def _with_caller(s: Session, request: Request, claims: dict, fn: Callable[..., T], args: tuple) -> T:
    return fn(s, _check(s, request, claims), *args)


def _need_expert(p: Principal) -> Principal:
    if p.role not in ("expert", "admin"):
        raise HTTPException(403, "this needs the expert role")
    return p


async def expert(p: Annotated[Principal, Depends(principal)]) -> Principal:
    return _need_expert(p)


async def expert_apart(p: Annotated[Principal, Depends(principal_apart)]) -> Principal:
    return _need_expert(p)


async def admin(p: Annotated[Principal, Depends(principal)]) -> Principal:
    if p.role != "admin":
        raise HTTPException(403, "this needs the admin role")
    return p


# a page of a list: ``limit`` rows from ``offset`` on (the total is in the X-Total-Count header)
MAX_PAGE = 500
PageLimit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"rows per page (at most {MAX_PAGE})")]
PageOffset = Annotated[int, Query(ge=0, description="rows to skip")]

Claims = Annotated[dict, Depends(claims)]
Caller = Annotated[Principal, Depends(principal)]
Expert = Annotated[Principal, Depends(expert)]
Admin = Annotated[Principal, Depends(admin)]
CallerApart = Annotated[Principal, Depends(principal_apart)]
ExpertApart = Annotated[Principal, Depends(expert_apart)]


def ui_principal(request: Request, s: Session) -> Principal:
    """The logged-in user of an HTML page (the session cookie, checked as ``principal`` does);
    otherwise the login page."""
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        raise AuthError("not logged in")
    return read_token(s, cookie, "session")


def too_long(fields: dict[str, tuple[str | None, int]]) -> None:
    """422 naming the first field longer than its limit (for the fields no schema checks)."""
    for name, (value, limit) in fields.items():
        if value is not None and len(value) > limit:
            raise HTTPException(422, f"{name}: at most {limit} characters ({len(value)} given)")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def agency_scope(p: Principal) -> str | None:
    """The one agency an agency user may see; None (all) for experts and admins."""
    return p.agency if p.role == "agency" else None


def check_visible(p: Principal, draft_id: int, found: bool, agency: str | None) -> None:
    """404 unless the draft was ``found`` and the caller may see a draft of ``agency``: another
    agency's draft does not exist for an agency user."""
    if not found or (p.role == "agency" and agency != p.agency):
        raise HTTPException(404, f"draft {draft_id} not found")


def visible_draft(s: Session, draft_id: int, p: Principal) -> Draft:
    d = s.get(Draft, draft_id)
    check_visible(p, draft_id, d is not None, d.agency if d is not None else None)
    return d


def visible_recommendation(s: Session, rec_id: int, p: Principal) -> Recommendation:
    r = s.get(Recommendation, rec_id)
    if r is None:
        raise HTTPException(404, f"recommendation {rec_id} not found")
    visible_draft(s, r.draft_id, p)
    return r


def visible_finding(s: Session, finding_id: int, p: Principal) -> Finding:
    f = s.get(Finding, finding_id)
    if f is None:
        raise HTTPException(404, f"finding {finding_id} not found")
    visible_draft(s, f.version.draft_id, p)
    return f


async def read_upload(file: UploadFile) -> bytes:
    """The uploaded bytes, refused with 413 past ``LEXPERT_MAX_BYTES`` (read no further than that),
    with 415 when they are not what the file's extension or media type claims
    (``ingest.check_claimed``: a .pdf must start with %PDF-, a .docx be a ZIP with word/document.xml)."""
    too_long({"file name": (file.filename, FILENAME_MAX)})
    limit = Limits.from_env().max_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, f"{file.filename}: over the limit of {limit / 1e6:.1f} MB (LEXPERT_MAX_BYTES)")
    if data.strip():              # an empty file is refused by the reader, with its own message
        check_claimed(data, file.filename or "", file.content_type)
    return data
