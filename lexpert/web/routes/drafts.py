"""Drafts: upload (analysed and stored), list, read, status, completion, adopted text, conclusion.

An upload keeps the event loop free: the bytes are read asynchronously (bounded), the analysis,
the storing of the draft and the JSON of the answer run in a worker process
(:mod:`lexpert.web.analysis`); the record is committed before the answer is sent. The list and
a draft's detail are answered in one worker-thread trip each (the caller checked against the
user, the rows read with Core queries, the JSON rendered), after the token's signature is checked
on the event loop."""
from __future__ import annotations

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from ...expertise import workflow as X
from ...expertise.db import session_scope
from ...expertise.db.models import Draft
from ...pipeline import ActReport
from .. import analysis
from ..auth import Principal
from ..deps import (DB, Caller, CallerApart, Expert, ExpertApart, PageLimit, PageOffset, Claims, agency_scope,
                    as_caller, check_visible, in_session, read_upload, visible_draft)
from ..schemas import (AGENCY_MAX, SHORT_MAX, TITLE_MAX, URL_MAX, AdoptedOut, DraftDetail, DraftSummary, FindingOut,
                       StatusIn, UploadOut, detail_json, draft_summary, finding_out, rec_out, summary_row)

router = APIRouter(prefix="/api/drafts", tags=["drafts"])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.post("", status_code=201, response_model=UploadOut)
async def upload(request: Request, p: CallerApart, file: UploadFile = File(...),
                 title: str | None = Form(None, max_length=TITLE_MAX), agency: str | None = Form(None, max_length=AGENCY_MAX),
                 sphere: str | None = Form(None, max_length=SHORT_MAX), kind: str | None = Form(None, max_length=SHORT_MAX),
                 url: str | None = Form(None, max_length=URL_MAX)):
    """Upload a draft (multipart field ``file``): analysed, stored, findings pending review.
    Returns the draft id and the analysis (the JSON of ``lexpert analyze --format json``)."""
    data = await read_upload(file)
    if p.role == "agency":
        agency = p.agency
    meta = dict(title=title, agency=agency, sphere=sphere, kind=kind, portal_url=url)
    body = await analysis.run(data, file.filename or "upload", store_upload, request.app.state.db_url, p.name, meta)
    return Response(body, status_code=201, media_type="application/json")


def store_upload(report: ActReport, db_url: str, actor: str, meta: dict) -> bytes:
    """After the analysis, in its worker (:func:`lexpert.web.analysis.run`): the draft stored and
    committed, then the JSON of the answer (the draft id and the report), as bytes."""
    with session_scope(db_url) as s:
        d = X.add_draft(s, b"", report=report, actor=actor, **meta)
        s.flush()
        draft_id = d.id
    return JSONResponse(UploadOut(draft_id=draft_id, analysis=report.to_dict()).model_dump(mode="json")).body


@router.get("", response_model=list[DraftSummary])
async def list_drafts(request: Request, c: Claims, limit: PageLimit = 50, offset: PageOffset = 0):
    """The drafts the caller may see, oldest first, ``limit`` from ``offset`` on; the header
    ``X-Total-Count`` gives how many there are in all."""
    return await as_caller(request, c, _page, limit, offset)


def _page(s: Session, p: Principal, limit: int, offset: int) -> JSONResponse:
    rows, total = X.draft_page(s, agency_scope(p), limit=limit, offset=offset)
    return JSONResponse([summary_row(r) for r in rows], headers={"X-Total-Count": str(total)})


@router.get("/{draft_id}", response_model=DraftDetail)
async def get_draft(request: Request, draft_id: int, c: Claims):
    return await as_caller(request, c, _detail, draft_id)


def _detail(s: Session, p: Principal, draft_id: int) -> JSONResponse:
    rows = X.detail_rows(s, draft_id)
    check_visible(p, draft_id, rows is not None, rows["draft"]["agency"] if rows is not None else None)
    return JSONResponse(detail_json(rows))


@router.get("/{draft_id}/findings", response_model=list[FindingOut])
def list_findings(draft_id: int, p: Caller, s: DB, limit: PageLimit = 50, offset: PageOffset = 0):
    """The findings of the draft (of its first version, as ``findings_list`` of the draft's detail
    gives them, the same objects), by id, ``limit`` from ``offset`` on; the header
    ``X-Total-Count`` gives how many there are in all. Another agency's draft is a 404, as its detail is."""
    visible_draft(s, draft_id, p)
    rows, total = X.finding_page(s, draft_id, limit=limit, offset=offset)
    return JSONResponse([finding_out(f).model_dump(mode="json") for f in rows], headers={"X-Total-Count": str(total)})


@router.post("/{draft_id}/complete", response_model=DraftSummary)
def complete(draft_id: int, p: Expert, s: DB):
    visible_draft(s, draft_id, p)
    X.complete_expertise(s, draft_id, actor=p.name)
    return draft_summary(s.get(Draft, draft_id))


@router.post("/{draft_id}/status", response_model=DraftSummary)
def status(draft_id: int, body: StatusIn, p: Expert, s: DB):
    visible_draft(s, draft_id, p)
    return draft_summary(X.set_status(s, draft_id, body.status, reason=body.reason, note=body.note, actor=p.name))


@router.post("/{draft_id}/adopted", status_code=201, response_model=AdoptedOut)
async def adopted(request: Request, draft_id: int, p: ExpertApart, file: UploadFile = File(...)):
    """Add the adopted text: aligned to the draft; each recommendation marked incorporated or not."""
    await in_session(request, visible_draft, draft_id, p, write=False)
    data = await read_upload(file)
    report = await analysis.run(data, file.filename or "adopted")
    return await in_session(request, _store_adopted, draft_id, p, data, report)


def _store_adopted(s: Session, draft_id: int, p: Principal, data: bytes, report: ActReport) -> AdoptedOut:
    v = X.add_version(s, draft_id, data, kind="adopted", actor=p.name, report=report)
    d = s.get(Draft, draft_id)
    return AdoptedOut(version=v.number, recommendations=[rec_out(r) for r in d.recommendations])


@router.get("/{draft_id}/conclusion.docx", response_class=Response,
            responses={200: {"content": {DOCX: {}}, "description": "the conclusion, DOCX"}})
def conclusion(draft_id: int, p: Caller, s: DB):
    from ...reports.conclusion import conclusion_docx

    d = visible_draft(s, draft_id, p)
    data = conclusion_docx(d, expert=p.name if p.role != "agency" else None, allow_pending=p.role != "agency")
    return Response(data, media_type=DOCX,
                    headers={"Content-Disposition": f'attachment; filename="conclusion-{draft_id}.docx"'})
