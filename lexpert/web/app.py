"""The service: upload API and the expert review UI, on the one ``analyze()`` and the record.

``create_app(db_url)`` builds the FastAPI application (``lexpert serve`` runs it with
uvicorn) from one router per resource (``lexpert.web.routes``), the dependencies of
``lexpert.web.deps`` and the typed answers of ``lexpert.web.schemas``. Auth: OAuth2 password
flow (``POST /api/token`` -> bearer token) for the API; a signed session cookie plus a CSRF
token (header ``X-CSRF-Token``) for the HTML UI; every request checks the token against the user
as they are now (``auth.read_token``), logins go through the throttle (``throttle``), accounts are
changed by ``accounts``. Roles: ``agency`` (uploads and sees only its agency's drafts and KPI),
``expert`` (reviews, recommends, exports), ``admin`` (users, everything). Every response carries
the security headers of ``security.SecurityHeaders``. Uploads are analysed in worker
processes (``lexpert.web.analysis``), started with the server.
"""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import LexpertError
from ..expertise.db import init_db
from ..expertise.db.session import default_url
from ..version import __version__
from .auth import AuthError
from .routes import drafts, findings, kpi, ui, users
from .security import SecurityHeaders, validation_error
from .throttle import TooManyAttempts
from . import analysis

JSON_ROUTES = ("/openapi.json", "/healthz", "/csrf", "/api")


@asynccontextmanager
async def _lifespan(app: FastAPI):
    analysis.start()          # the workers load the detector while the server takes its first requests
    yield
    analysis.stop()


def _html(request: Request) -> bool:
    """Whether the answer to this request is one of the UI's pages: not /api, not the JSON routes."""
    path = request.url.path
    return not (path.startswith(("/api", "/docs", "/redoc")) or path in JSON_ROUTES)


async def _lexpert_error(request: Request, exc: LexpertError):
    """A lexpert error as JSON with its HTTP status; an unauthenticated page goes to the login, and
    another error of a page is an HTML page in the UI language."""
    if isinstance(exc, AuthError) and not request.url.path.startswith("/api"):
        return RedirectResponse("/login", status_code=303)
    if _html(request) and not isinstance(exc, TooManyAttempts):
        return ui.error_page(request, exc.http_status)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthError) else None
    if isinstance(exc, (TooManyAttempts, analysis.AnalysisBusy)):
        headers = {"Retry-After": str(exc.retry_after)}
    return JSONResponse({"error": exc.code, "detail": str(exc)}, status_code=exc.http_status, headers=headers)


async def _http_error(request: Request, exc: StarletteHTTPException):
    """Starlette's refusal of a form field over 1 MB (a 400) said as what it is: 413."""
    if exc.status_code == 400 and str(exc.detail).startswith("Part exceeded maximum size"):
        return JSONResponse({"error": "too_large", "detail": "a form field is over 1 MB (a title is at most "
                             "1000 characters, an agency 300)"}, status_code=413)
    if _html(request):
        return ui.error_page(request, exc.status_code)      # a missing page is a page, not JSON
    return await http_exception_handler(request, exc)


async def _validation_error(request: Request, exc: RequestValidationError):
    if _html(request):
        return ui.error_page(request, 422)
    return await validation_error(request, exc)


def create_app(db_url: str | None = None) -> FastAPI:
    url = db_url or default_url()
    init_db(url)
    app = FastAPI(title="lexpert", version=__version__, lifespan=_lifespan,
                  description="Anti-corruption expertise of draft normative legal acts of Kazakhstan (ru, kk).")
    app.state.db_url = url
    app.add_exception_handler(LexpertError, _lexpert_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(SecurityHeaders)
    for r in (users.router, drafts.router, findings.router, kpi.router, ui.router):
        app.include_router(r)
    return app
