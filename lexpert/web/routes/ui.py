"""The expert's HTML UI: login, the drafts list, the review page, the KPI page and its plots."""
from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ...expertise import kpi as K
from ...expertise import workflow as X
from ...expertise.db.models import DRAFT_STATUSES, NOT_ADOPTED_REASONS, REC_KINDS
from ...taxonomy import FAMILIES, load_taxonomy
from ..auth import NAME_MAX, AuthError, Principal, make_token, revoke_token
from ..auth import login as auth_login
from ..deps import COOKIE, DB, agency_scope, client_ip, ui_principal, visible_draft
from ..passwords import MAX_LENGTH
from ..throttle import TooManyAttempts
from ..i18n import KPI_COLUMNS, KPI_DEFINITIONS, KPI_EMPTY, UI
from ..review import segments
from ..schemas import draft_summary, finding_out, rec_out, summary_row

WEB = Path(__file__).resolve().parent.parent
PLOTS = ("kpi_a_by_quarter", "kpi_b_by_agency", "heatmap_agency_family")
UI_PAGE = 50            # drafts per page of the drafts list
templates = Jinja2Templates(directory=str(WEB / "templates"))
router = APIRouter(include_in_schema=False)


def ui_lang(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lexpert_lang") or "ru"
    return lang if lang in UI else "ru"


def page(request: Request, name: str, p: Principal | None, **ctx) -> HTMLResponse:
    lang = ui_lang(request)
    resp = templates.TemplateResponse(request, name, {"t": UI[lang], "lang": lang, "user": p,
                                                       "js": js_strings(lang) if p else None, **ctx})
    if request.query_params.get("lang") in UI:
        resp.set_cookie("lexpert_lang", lang, samesite="lax")
    return resp


JS_KEYS = ("pending", "confirmed", "rejected", "reject_prompt", "reason_needed", "saved", "working", "complete_done",
           "adopted_done", "incorporation", "examined")   # the words app.js writes, with the kind_, inc_, err_ ones


def js_strings(lang: str) -> dict[str, str]:
    """The strings app.js shows (read from the page's ``data-i18n``: the CSP allows no inline script)."""
    t = UI[lang]
    return {k: v for k, v in t.items() if k in JS_KEYS or k.startswith(("kind_", "inc_", "err_")) or k in DRAFT_STATUSES}


def error_page(request: Request, status: int) -> HTMLResponse:
    """An HTML error page in the UI language (the HTML routes' 404s and refusals; /api keeps JSON)."""
    lang = ui_lang(request)
    t = UI[lang]
    message = t.get(f"error_{status}") or t["error_other"].format(status=status)
    resp = templates.TemplateResponse(request, "error.html", {"t": t, "lang": lang, "user": None,
                                                              "status": status, "message": message},
                                      status_code=status)
    return resp


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request):
    return page(request, "login.html", None, error=None)


@router.post("/login")
def login(request: Request, s: DB, username: str = Form(..., max_length=NAME_MAX),
          password: str = Form(..., max_length=MAX_LENGTH)):
    try:
        u = auth_login(s, username, password, client_ip(request))
    except AuthError:
        return page(request, "login.html", None, error=UI[ui_lang(request)]["bad_login"])
    except TooManyAttempts as exc:
        resp = page(request, "login.html", None, error=UI[ui_lang(request)]["too_many_logins"].format(s=exc.retry_after))
        resp.status_code = 429
        resp.headers["Retry-After"] = str(exc.retry_after)
        return resp
    resp = RedirectResponse("/", status_code=303)
    resp.set_cookie(COOKIE, make_token(u, "session", csrf=secrets.token_urlsafe(24)), httponly=True,
                    samesite="lax", secure=request.url.scheme == "https")
    return resp


@router.post("/logout")
def logout(request: Request, s: DB):
    """End the session: its token id is revoked (``revoked_tokens``), so a copy of the cookie is
    refused too; the user's other sessions and bearer tokens stay valid."""
    cookie = request.cookies.get(COOKIE)
    if cookie:
        revoke_token(s, cookie, "session")
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp


@router.get("/", response_class=HTMLResponse)
def home(request: Request, s: DB, offset: int = Query(0, ge=0)):
    p = ui_principal(request, s)
    rows, total = X.draft_page(s, agency_scope(p), limit=UI_PAGE, offset=offset)
    drafts = [summary_row(r) for r in rows]
    pager = {"first": offset + 1 if drafts else 0, "last": offset + len(drafts), "total": total,
             "prev": max(0, offset - UI_PAGE) if offset > 0 else None,
             "next": offset + UI_PAGE if offset + UI_PAGE < total else None}
    return page(request, "drafts.html", p, drafts=drafts, pager=pager)


def confidence(score: float | None) -> str:
    """The review page's word for a finding's score (the page shows no codes or raw numbers):
    ``high`` from 0.8, ``medium`` from 0.5, ``low`` below (and for a finding with no score)."""
    if score is not None and score >= 0.8:
        return "high"
    return "medium" if score is not None and score >= 0.5 else "low"


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
def review(draft_id: int, request: Request, s: DB):
    p = ui_principal(request, s)
    d = visible_draft(s, draft_id, p)
    v = d.versions[0]
    tax = load_taxonomy()
    lang = ui_lang(request)
    report = v.report or {}
    return page(request, "review.html", p, draft=draft_summary(d).model_dump(),
                segments=segments(v.text, v.findings, report.get("structure")),
                findings=[{**finding_out(f).model_dump(), "name": tax[f.code].name(lang),
                           "family_name": tax.family_name(f.family, lang), "confidence": confidence(f.score)}
                          for f in v.findings], text_lang=d.lang if d.lang in ("ru", "kk", "en") else None,
                recs=[rec_out(r).model_dump() for r in d.recommendations], rec_kinds=REC_KINDS,
                families=[(fam, tax.family_name(fam, lang)) for fam in FAMILIES],
                statuses=DRAFT_STATUSES, reasons=NOT_ADOPTED_REASONS,
                coverage=(report.get("summary") or {}).get("coverage"))


@router.get("/kpi", response_class=HTMLResponse)
def kpi_page(request: Request, s: DB):
    p = ui_principal(request, s)
    res = K.compute(s, by="agency", agency=agency_scope(p))
    lang = ui_lang(request)
    cols = KPI_COLUMNS[lang]
    rows = [[cols.get(r[0], r[0])] + r[1:] for r in K.rows(res)]     # "TOTAL" named in the UI language
    empty = KPI_EMPTY[lang] if not res["total"]["kpi_a"]["drafts_examined"] else None
    return page(request, "kpi.html", p, res=res, rows=rows, columns=[cols[c] for c, _ in K.COLUMNS],
                definitions=KPI_DEFINITIONS[lang], empty=empty)


@router.get("/kpi/plot/{name}.png")
def kpi_plot(name: str, request: Request, s: DB):
    p = ui_principal(request, s)
    if name not in PLOTS:
        raise HTTPException(404, "no such plot")
    with tempfile.TemporaryDirectory() as tmp:
        files = K.plots(s, tmp, lang=ui_lang(request), agency=agency_scope(p))
        data = Path(next(f for f in files if Path(f).stem == name)).read_bytes()
    return Response(data, media_type="image/png")


@router.get("/static/{name}")
def static(name: str):
    path = WEB / "static" / name
    if not path.is_file() or path.parent != WEB / "static":
        raise HTTPException(404, "not found")
    media = {"js": "text/javascript", "css": "text/css"}.get(path.suffix[1:], "application/octet-stream")
    return Response(path.read_bytes(), media_type=media)


@router.get("/csrf")
def csrf(request: Request, s: DB):
    return {"csrf": ui_principal(request, s).csrf}
