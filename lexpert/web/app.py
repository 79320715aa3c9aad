"""The service: upload API and the expert review UI, on the one ``analyze()`` and the record.

``create_app(db_url)`` builds the FastAPI application (``lexpert serve`` runs it with
uvicorn). Auth: OAuth2 password flow (``POST /api/token`` -> bearer token) for the API;
a signed session cookie plus a CSRF token (header ``X-CSRF-Token`` or form field
``csrf_token``) for the HTML UI. Roles: ``agency`` (uploads and sees only its agency's
drafts), ``expert`` (reviews, recommends, exports), ``admin`` (users, everything).
"""

import datetime as dt
import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from ..version import __version__
from ..pipeline import analyze
from ..settings import Limits
from ..expertise.db import init_db
from ..expertise.db.models import DRAFT_STATUSES, NOT_ADOPTED_REASONS, REC_KINDS, Draft, Finding, Recommendation
from ..expertise.db.session import default_url, session_scope
from ..errors import LexpertError
from ..expertise import workflow as X
from .auth import AuthError, Principal, authenticate, make_token, read_token
from .i18n import UI

HERE = Path(__file__).parent
COOKIE = "lexpert_session"


# ------------------------------------------------------------------ request/response models
class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"


class DecisionIn(BaseModel):
    reason: str | None = None


class RecommendationIn(BaseModel):
    text: str = Field(min_length=1)
    kind: str = "other"
    finding_ids: list[int] = []


class RecommendationPatch(BaseModel):
    text: str | None = None
    kind: str | None = None


class StatusIn(BaseModel):
    status: str
    reason: str | None = None
    note: str | None = None


class IncorporationIn(BaseModel):
    value: str
    reason: str


def create_app(db_url: str | None = None) -> FastAPI:
    url = db_url or default_url()
    init_db(url)
    app = FastAPI(title="lexpert", version=__version__,
                  description="Anti-corruption expertise of draft normative legal acts of Kazakhstan (ru, kk).")
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    oauth2 = OAuth2PasswordBearer(tokenUrl="/api/token", auto_error=False)

    def db():
        with session_scope(url) as s:
            yield s

    # committed before the response is sent: a client that reads right after a write sees it
    DB = Annotated[Session, Depends(db, scope="function")]

    def principal(request: Request, token: Annotated[str | None, Depends(oauth2)]) -> Principal:
        if token:
            return read_token(token, "bearer")
        cookie = request.cookies.get(COOKIE)
        if cookie:
            p = read_token(cookie, "session")
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                sent = request.headers.get("x-csrf-token")
                if not sent or not secrets.compare_digest(sent, p.csrf or ""):
                    raise HTTPException(403, "CSRF token missing or wrong")
            return p
        raise AuthError("not authenticated")

    def expert(p: Annotated[Principal, Depends(principal)]) -> Principal:
        if p.role not in ("expert", "admin"):
            raise HTTPException(403, "this needs the expert role")
        return p

    def admin(p: Annotated[Principal, Depends(principal)]) -> Principal:
        if p.role != "admin":
            raise HTTPException(403, "this needs the admin role")
        return p

    def visible_draft(s: Session, draft_id: int, p: Principal) -> Draft:
        d = s.get(Draft, draft_id)
        if d is None or (p.role == "agency" and d.agency != p.agency):
            raise HTTPException(404, f"draft {draft_id} not found")   # another agency's draft does not exist for you
        return d

    def rec_of(s: Session, rec_id: int, p: Principal) -> Recommendation:
        r = s.get(Recommendation, rec_id)
        if r is None:
            raise HTTPException(404, f"recommendation {rec_id} not found")
        visible_draft(s, r.draft_id, p)
        return r

    def finding_of(s: Session, finding_id: int, p: Principal) -> Finding:
        f = s.get(Finding, finding_id)
        if f is None:
            raise HTTPException(404, f"finding {finding_id} not found")
        visible_draft(s, f.version.draft_id, p)
        return f

    @app.exception_handler(LexpertError)
    async def lexpert_error(request: Request, exc: LexpertError):
        if isinstance(exc, AuthError) and not request.url.path.startswith("/api"):
            return RedirectResponse("/login", status_code=303)
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthError) else None
        return JSONResponse({"error": exc.code, "detail": str(exc)}, status_code=exc.http_status, headers=headers)

    # ------------------------------------------------------------------ API
    @app.get("/healthz")
    def healthz(s: DB):
        from sqlalchemy import text

        s.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    @app.post("/api/token", response_model=TokenOut)
    def token(form: Annotated[OAuth2PasswordRequestForm, Depends()], s: DB):
        u = authenticate(s, form.username, form.password)
        return TokenOut(access_token=make_token(u))

    async def read_upload(file: UploadFile) -> bytes:
        limit = Limits.from_env().max_bytes
        data = await file.read(limit + 1)
        if len(data) > limit:
            raise HTTPException(413, f"{file.filename}: over the limit of {limit / 1e6:.1f} MB (LEXPERT_MAX_BYTES)")
        return data

    @app.post("/api/drafts", status_code=201)
    async def upload(p: Annotated[Principal, Depends(principal)], s: DB,
                     file: UploadFile = File(...), title: str | None = Form(None), agency: str | None = Form(None),
                     sphere: str | None = Form(None), kind: str | None = Form(None), url: str | None = Form(None)):
        """Upload a draft (multipart field ``file``): analysed, stored, findings pending review.
        Returns the draft id and the analysis (the JSON of ``lexpert analyze --format json``)."""
        data = await read_upload(file)
        report = analyze(data, name=file.filename or "upload")
        if p.role == "agency":
            agency = p.agency
        d = X.add_draft(s, data, report=report, title=title, agency=agency, sphere=sphere, kind=kind,
                        portal_url=url, actor=p.name)
        s.flush()
        return {"draft_id": d.id, "analysis": report.to_dict()}

    def draft_summary(d: Draft) -> dict[str, Any]:
        v = d.versions[0]
        return {"id": d.id, "title": d.title, "agency": d.agency, "sphere": d.sphere, "kind": d.kind, "lang": d.lang,
                "status": d.status, "status_reason": d.status_reason, "created_at": d.created_at.isoformat(),
                "versions": len(d.versions),
                "expertise_completed_at": v.expertise_completed_at.isoformat() if v.expertise_completed_at else None,
                "findings": {k: sum(f.decision == k for f in v.findings) for k in ("pending", "confirmed", "rejected")}}

    @app.get("/api/drafts")
    def list_drafts(p: Annotated[Principal, Depends(principal)], s: DB):
        return [draft_summary(d) for d in X.list_drafts(s, p.agency if p.role == "agency" else None)]

    def finding_out(f: Finding) -> dict[str, Any]:
        return {"id": f.id, "norm_id": f.norm_id, "locator": f.locator, "code": f.code, "family": f.family,
                "score": f.score, "source": f.source, "evidence": {"start": f.evidence_start, "end": f.evidence_end,
                                                                  "text": f.evidence},
                "reason": f.reason, "suggestion": f.suggestion, "decision": f.decision,
                "decision_reason": f.decision_reason, "decided_by": f.decided_by,
                "recommendations": [r.id for r in f.recommendations]}

    def rec_out(r: Recommendation) -> dict[str, Any]:
        return {"id": r.id, "text": r.text, "kind": r.kind, "status": r.status, "incorporation": r.incorporation,
                "incorporation_source": r.incorporation_source, "finding_ids": [f.id for f in r.findings],
                "issued_by": r.issued_by, "issued_at": r.issued_at.isoformat()}

    @app.get("/api/drafts/{draft_id}")
    def get_draft(draft_id: int, p: Annotated[Principal, Depends(principal)], s: DB):
        d = visible_draft(s, draft_id, p)
        return {**draft_summary(d), "analysis": d.versions[0].report,
                "findings_list": [finding_out(f) for f in d.versions[0].findings],
                "recommendations": [rec_out(r) for r in d.recommendations],
                "version_list": [{"number": v.number, "kind": v.kind, "created_at": v.created_at.isoformat(),
                                  "source": v.source_name} for v in d.versions]}

    @app.post("/api/findings/{finding_id}/confirm")
    def confirm(finding_id: int, p: Annotated[Principal, Depends(expert)], s: DB):
        finding_of(s, finding_id, p)
        return finding_out(X.decide(s, finding_id, "confirmed", actor=p.name))

    @app.post("/api/findings/{finding_id}/reject")
    def reject(finding_id: int, body: DecisionIn, p: Annotated[Principal, Depends(expert)],
               s: DB):
        finding_of(s, finding_id, p)
        return finding_out(X.decide(s, finding_id, "rejected", reason=body.reason, actor=p.name))

    @app.post("/api/drafts/{draft_id}/recommendations", status_code=201)
    def create_rec(draft_id: int, body: RecommendationIn, p: Annotated[Principal, Depends(expert)],
                   s: DB):
        visible_draft(s, draft_id, p)
        return rec_out(X.add_recommendation(s, draft_id, body.text, kind=body.kind, finding_ids=body.finding_ids,
                                            actor=p.name))

    @app.patch("/api/recommendations/{rec_id}")
    def edit_rec(rec_id: int, body: RecommendationPatch, p: Annotated[Principal, Depends(expert)],
                 s: DB):
        rec_of(s, rec_id, p)
        return rec_out(X.edit_recommendation(s, rec_id, text=body.text, kind=body.kind, actor=p.name))

    @app.post("/api/recommendations/{rec_id}/incorporation")
    def override_inc(rec_id: int, body: IncorporationIn, p: Annotated[Principal, Depends(expert)],
                     s: DB):
        rec_of(s, rec_id, p)
        return rec_out(X.set_incorporation(s, rec_id, body.value, source="expert", note=body.reason, actor=p.name))

    @app.post("/api/drafts/{draft_id}/complete")
    def complete(draft_id: int, p: Annotated[Principal, Depends(expert)], s: DB):
        visible_draft(s, draft_id, p)
        X.complete_expertise(s, draft_id, actor=p.name)
        return draft_summary(s.get(Draft, draft_id))

    @app.post("/api/drafts/{draft_id}/status")
    def status(draft_id: int, body: StatusIn, p: Annotated[Principal, Depends(expert)],
               s: DB):
        visible_draft(s, draft_id, p)
        return draft_summary(X.set_status(s, draft_id, body.status, reason=body.reason, note=body.note, actor=p.name))

    @app.post("/api/drafts/{draft_id}/adopted", status_code=201)
    async def adopted(draft_id: int, p: Annotated[Principal, Depends(expert)], s: DB,
                      file: UploadFile = File(...)):
        """Add the adopted text: aligned to the draft; each recommendation marked incorporated or not."""
        visible_draft(s, draft_id, p)
        data = await read_upload(file)
        v = X.add_version(s, draft_id, data, kind="adopted", name=file.filename or "adopted", actor=p.name)
        d = s.get(Draft, draft_id)
        return {"version": v.number, "recommendations": [rec_out(r) for r in d.recommendations]}

    @app.get("/api/drafts/{draft_id}/conclusion.docx")
    def conclusion(draft_id: int, p: Annotated[Principal, Depends(principal)], s: DB):
        from ..reports.conclusion import conclusion_docx

        d = visible_draft(s, draft_id, p)
        data = conclusion_docx(d, expert=p.name if p.role != "agency" else None, allow_pending=p.role != "agency")
        return Response(data, media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        headers={"Content-Disposition": f'attachment; filename="conclusion-{draft_id}.docx"'})

    @app.get("/api/kpi")
    def kpi(p: Annotated[Principal, Depends(principal)], s: DB,
            date_from: dt.date | None = None, date_to: dt.date | None = None, by: str = "agency",
            as_of: dt.datetime | None = None):
        """KPI A and KPI B (definitions in the response). An agency user sees its own agency only."""
        from ..expertise import kpi as K

        if by not in K.GROUPS + ("quarter",):
            raise HTTPException(422, f"by must be one of {', '.join(K.GROUPS + ('quarter',))}")
        return K.compute(s, date_from, date_to, by=by, as_of=as_of,
                         agency=p.agency if p.role == "agency" else None)

    @app.post("/api/users", status_code=201)
    def create_user(body: dict, p: Annotated[Principal, Depends(admin)], s: DB):
        from .auth import add_user

        u = add_user(s, body.get("name", ""), body.get("password", ""), body.get("role", ""), body.get("agency"))
        return {"id": u.id, "name": u.name, "role": u.role, "agency": u.agency}

    @app.get("/api/users")
    def users(p: Annotated[Principal, Depends(admin)], s: DB):
        from sqlalchemy import select

        from ..expertise.db.models import User

        return [{"id": u.id, "name": u.name, "role": u.role, "agency": u.agency} for u in s.scalars(select(User))]

    # ------------------------------------------------------------------ HTML UI
    def ui_lang(request: Request) -> str:
        lang = request.query_params.get("lang") or request.cookies.get("lexpert_lang") or "ru"
        return lang if lang in UI else "ru"

    def page(request: Request, name: str, p: Principal | None, **ctx) -> HTMLResponse:
        lang = ui_lang(request)
        resp = templates.TemplateResponse(request, name, {"t": UI[lang], "lang": lang, "user": p, **ctx})
        if request.query_params.get("lang") in UI:
            resp.set_cookie("lexpert_lang", lang, samesite="lax")
        return resp

    def ui_principal(request: Request) -> Principal:
        cookie = request.cookies.get(COOKIE)
        if not cookie:
            raise AuthError("not logged in")
        return read_token(cookie, "session")

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request):
        return page(request, "login.html", None, error=None)

    @app.post("/login", include_in_schema=False)
    def login(request: Request, s: DB, username: str = Form(...),
              password: str = Form(...)):
        try:
            u = authenticate(s, username, password)
        except AuthError:
            return page(request, "login.html", None, error=UI[ui_lang(request)]["bad_login"])
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(COOKIE, make_token(u, "session", csrf=secrets.token_urlsafe(24)), httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")
        return resp

    @app.post("/logout", include_in_schema=False)
    def logout():
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(COOKIE)
        return resp

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request, s: DB):
        p = ui_principal(request)
        drafts = [draft_summary(d) for d in X.list_drafts(s, p.agency if p.role == "agency" else None)]
        return page(request, "drafts.html", p, drafts=drafts)

    @app.get("/drafts/{draft_id}", response_class=HTMLResponse, include_in_schema=False)
    def review(draft_id: int, request: Request, s: DB):
        from ..taxonomy import load_taxonomy

        p = ui_principal(request)
        d = visible_draft(s, draft_id, p)
        v = d.versions[0]
        tax = load_taxonomy()
        lang = ui_lang(request)
        doc_lang = "kk" if d.lang == "kk" else "ru"
        segments = _segments(v.text, v.findings, _unit_spans((v.report or {}).get("structure")))
        return page(request, "review.html", p, draft=draft_summary(d), segments=segments,
                    findings=[{**finding_out(f), "name": tax[f.code].name(doc_lang),
                               "family_name": tax.family_name(f.family, lang)} for f in v.findings],
                    recs=[rec_out(r) for r in d.recommendations], rec_kinds=REC_KINDS,
                    families=[(fam, tax.family_name(fam, lang)) for fam in ("discretion", "vague", "burden",
                                                                              "hidden_service", "gap")],
                    statuses=DRAFT_STATUSES, reasons=NOT_ADOPTED_REASONS,
                    coverage=((v.report or {}).get("summary") or {}).get("coverage"))

    @app.get("/kpi", response_class=HTMLResponse, include_in_schema=False)
    def kpi_page(request: Request, s: DB):
        from ..expertise import kpi as K

        p = ui_principal(request)
        res = K.compute(s, by="agency", agency=p.agency if p.role == "agency" else None)
        from .i18n import KPI_COLUMNS, KPI_DEFINITIONS, KPI_EMPTY

        lang = ui_lang(request)
        cols = KPI_COLUMNS[lang]
        rows = [[cols.get(r[0], r[0])] + r[1:] for r in K.rows(res)]     # "TOTAL" named in the UI language
        return page(request, "kpi.html", p, res=res, rows=rows, columns=[cols[c] for c, _ in K.COLUMNS],
                    definitions=KPI_DEFINITIONS[lang], empty=KPI_EMPTY[lang] if not res["total"]["kpi_a"]["drafts_examined"] else None)

    @app.get("/kpi/plot/{name}.png", include_in_schema=False)
    def kpi_plot(name: str, request: Request, s: DB):
        import tempfile

        from ..expertise import kpi as K

        ui_principal(request)
        if name not in ("kpi_a_by_quarter", "kpi_b_by_agency", "heatmap_agency_family"):
            raise HTTPException(404, "no such plot")
        with tempfile.TemporaryDirectory() as tmp:
            files = K.plots(s, tmp, lang=ui_lang(request))
            data = Path(next(f for f in files if Path(f).stem == name)).read_bytes()
        return Response(data, media_type="image/png")

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str):
        path = HERE / "static" / name
        if not path.is_file() or path.parent != HERE / "static":
            raise HTTPException(404, "not found")
        media = {"js": "text/javascript", "css": "text/css"}.get(path.suffix[1:], "application/octet-stream")
        return Response(path.read_bytes(), media_type=media)

    @app.get("/csrf", include_in_schema=False)
    def csrf(request: Request):
        return {"csrf": ui_principal(request).csrf}

    return app


def _unit_spans(structure: dict[str, Any] | None) -> list[tuple[int, int, str]]:
    """(start, end, unit) of every node of the stored report's structure that has own text."""
    out: list[tuple[int, int, str]] = []
    stack = [structure] if structure else []
    while stack:
        n = stack.pop()
        if n.get("unit"):
            a, z = n["text_span"]
            out.append((a, z, n["unit"]))
        stack.extend(n.get("children") or [])
    return sorted(out)


def _segments(text: str, findings: list[Finding], units: list[tuple[int, int, str]] | None = None
              ) -> list[dict[str, Any]]:
    """The act's text as paragraphs, each split into plain and highlighted runs by finding evidence;
    a paragraph none of whose units is normative (a stamp, a table of figures, a form) is marked
    with its unit type, so the reader sees what the detectors did not read."""
    # two findings may share one evidence span (two factors in one phrase): order by span, then
    # by id, never by comparing the findings themselves
    spans = sorted(((f.evidence_start, f.evidence_end, f) for f in findings
                    if f.evidence_start is not None and f.evidence_end is not None),
                   key=lambda x: (x[0], x[1], x[2].id))
    norms = {}
    for f in findings:
        if f.norm_start is not None:
            norms.setdefault((f.norm_start, f.norm_end), []).append(f)
    out = []
    pos = 0
    for line in text.split("\n"):
        a, z = pos, pos + len(line)
        pos = z + 1
        if not line.strip():
            continue
        runs, cur = [], a
        for s0, e0, f in spans:
            if e0 <= cur or s0 >= z:
                continue
            s1, e1 = max(s0, cur), min(e0, z)
            if s1 > cur:
                runs.append({"text": text[cur:s1]})
            runs.append({"text": text[s1:e1], "finding": f.id, "family": f.family})
            cur = e1
        if cur < z:
            runs.append({"text": text[cur:z]})
        fs = [f for (ns, ne), lst in norms.items() if ns < z and ne > a for f in lst]
        heading = not fs and (line.startswith(("Глава", "Раздел", "Статья", "Параграф")) or "-тарау" in line[:12]
                              or "-бап" in line[:10])
        kinds = {u for ua, uz, u in (units or ()) if ua < z and uz > a}
        nonnorm = sorted(kinds)[0] if kinds and "norm" not in kinds and not fs else None
        out.append({"runs": runs, "findings": sorted({f.id for f in fs}),
                    "families": sorted({f.family for f in fs}), "heading": heading, "unit": nonnorm})
    return out

