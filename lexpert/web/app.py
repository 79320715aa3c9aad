"""The service: upload API and the expert review UI, on the one ``analyze()`` and the record.

``create_app(db_url)`` builds the FastAPI application (``lexpert serve`` runs it with
uvicorn) from one router per resource (``lexpert.web.routes``), the dependencies of
``lexpert.web.deps`` and the typed answers of ``lexpert.web.schemas``. Auth: OAuth2 password
flow (``POST /api/token`` -> bearer token) for the API; a signed session cookie plus a CSRF
token (header ``X-CSRF-Token``) for the HTML UI. Roles: ``agency`` (uploads and sees only its
agency's drafts), ``expert`` (reviews, recommends, exports), ``admin`` (users, everything).
Uploads are analysed in worker processes (``lexpert.web.analysis``), started with the server.
"""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse

from ..errors import LexpertError
from ..expertise.db import init_db
from ..expertise.db.session import default_url
from ..version import __version__
from .auth import AuthError
from .routes import drafts, findings, kpi, ui, users
from . import analysis


@asynccontextmanager
async def _lifespan(app: FastAPI):
    analysis.start()          # the workers load the detector while the server takes its first requests
    yield
    analysis.stop()


async def _lexpert_error(request: Request, exc: LexpertError):
    """A lexpert error as JSON with its HTTP status; an unauthenticated page goes to the login."""
    if isinstance(exc, AuthError) and not request.url.path.startswith("/api"):
        return RedirectResponse("/login", status_code=303)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthError) else None
    return JSONResponse({"error": exc.code, "detail": str(exc)}, status_code=exc.http_status, headers=headers)


def create_app(db_url: str | None = None) -> FastAPI:
    url = db_url or default_url()
    init_db(url)
    app = FastAPI(title="lexpert", version=__version__, lifespan=_lifespan,
                  description="Anti-corruption expertise of draft normative legal acts of Kazakhstan (ru, kk).")
    app.state.db_url = url
    app.add_exception_handler(LexpertError, _lexpert_error)
    for r in (users.router, drafts.router, findings.router, kpi.router, ui.router):
        app.include_router(r)
    return app
