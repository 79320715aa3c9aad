"""Security headers on every response, and errors that do not echo what was too big.

The UI's pages load only their own script (``/static/app.js``), stylesheet and images, so the
policy allows nothing inline: ``script-src 'self'``, ``style-src 'self'`` (the script's
``element.style`` changes are not inline styles). ``frame-ancestors 'none'`` and
``X-Frame-Options: DENY`` keep every page out of another site's frame. FastAPI's own
documentation pages (``/docs``, ``/redoc``) load Swagger UI / ReDoc from their CDN with an
inline start-up script, so they get a policy of their own allowing that CDN and that script,
framing still refused."""
from __future__ import annotations

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = (f"default-src 'none'; script-src 'self' {CDN} 'unsafe-inline'; style-src 'self' {CDN} 'unsafe-inline'; "
            f"img-src 'self' data: https://fastapi.tiangolo.com {CDN}; font-src {CDN} https://fonts.gstatic.com; "
            f"connect-src 'self'; worker-src blob:; base-uri 'none'; frame-ancestors 'none'")
DOCS = ("/docs", "/redoc")
HEADERS = [(b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer"), (b"cross-origin-opener-policy", b"same-origin")]


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response (HSTS too over https)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        csp = DOCS_CSP if path.startswith(DOCS) else CSP
        extra = [(b"content-security-policy", csp.encode())] + HEADERS
        if scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", b"max-age=31536000"))

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message = {**message, "headers": list(message.get("headers", [])) +
                           [(k, v) for k, v in extra if k not in names]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _short(value, limit: int = 200):
    if isinstance(value, str) and len(value) > limit:
        return f"<{len(value)} characters>"
    if isinstance(value, (bytes, bytearray)) and len(value) > limit:
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        return {k: _short(v, limit) for k, v in value.items()}
    if isinstance(value, list) and len(value) > 20:
        return f"<a list of {len(value)} items>"
    return value


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's 422 answer, with a long input named by its length instead of sent back."""
    errors = [{**e, "input": _short(e["input"])} if "input" in e else e for e in exc.errors()]
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)
