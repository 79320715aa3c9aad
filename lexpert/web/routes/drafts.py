"""Drafts: upload (analysed and stored), list, read, status, completion, adopted text, conclusion."""
from __future__ import annotations

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response

from ...expertise import workflow as X
from ...expertise.db.models import Draft
from ...pipeline import analyze
from ..deps import DB, Caller, Expert, agency_scope, read_upload, visible_draft
from ..schemas import (AGENCY_MAX, SHORT_MAX, TITLE_MAX, URL_MAX, AdoptedOut, DraftDetail, DraftSummary, StatusIn,
                       UploadOut, draft_detail, draft_summary, rec_out)

router = APIRouter(prefix="/api/drafts", tags=["drafts"])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.post("", status_code=201, response_model=UploadOut)
async def upload(p: Caller, s: DB, file: UploadFile = File(...), title: str | None = Form(None, max_length=TITLE_MAX),
                 agency: str | None = Form(None, max_length=AGENCY_MAX),
                 sphere: str | None = Form(None, max_length=SHORT_MAX), kind: str | None = Form(None, max_length=SHORT_MAX),
                 url: str | None = Form(None, max_length=URL_MAX)):
    """Upload a draft (multipart field ``file``): analysed, stored, findings pending review.
    Returns the draft id and the analysis (the JSON of ``lexpert analyze --format json``)."""
    data = await read_upload(file)
    report = analyze(data, name=file.filename or "upload")
    if p.role == "agency":
        agency = p.agency
    d = X.add_draft(s, data, report=report, title=title, agency=agency, sphere=sphere, kind=kind,
                    portal_url=url, actor=p.name)
    s.flush()
    return UploadOut(draft_id=d.id, analysis=report.to_dict())


@router.get("", response_model=list[DraftSummary])
def list_drafts(p: Caller, s: DB):
    return [draft_summary(d) for d in X.list_drafts(s, agency_scope(p))]


@router.get("/{draft_id}", response_model=DraftDetail)
def get_draft(draft_id: int, p: Caller, s: DB):
    return draft_detail(visible_draft(s, draft_id, p))


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
async def adopted(draft_id: int, p: Expert, s: DB, file: UploadFile = File(...)):
    """Add the adopted text: aligned to the draft; each recommendation marked incorporated or not."""
    visible_draft(s, draft_id, p)
    data = await read_upload(file)
    v = X.add_version(s, draft_id, data, kind="adopted", name=file.filename or "adopted", actor=p.name)
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
