"""Drafts: upload (analysed and stored), list, read, status, completion, adopted text, conclusion.

An upload keeps the event loop free: the bytes are read asynchronously (bounded), the analysis
runs in a worker process (:mod:`lexpert.web.analysis`), and the database work and the JSON of
the answer are done in a thread; the record is committed before the answer is sent."""
from __future__ import annotations

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from ...expertise import workflow as X
from ...expertise.db.models import Draft
from ...pipeline import ActReport
from .. import analysis
from ..auth import Principal
from ..deps import (DB, Caller, CallerApart, Expert, ExpertApart, PageLimit, PageOffset, agency_scope, in_session,
                    read_upload, visible_draft)
from ..schemas import (AGENCY_MAX, SHORT_MAX, TITLE_MAX, URL_MAX, AdoptedOut, DraftDetail, DraftSummary, FindingOut,
                       StatusIn, UploadOut, draft_detail, draft_summary, finding_out, rec_out, summary_row)

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
    report = await analysis.run(data, file.filename or "upload")
    if p.role == "agency":
        agency = p.agency
    meta = dict(title=title, agency=agency, sphere=sphere, kind=kind, portal_url=url)
    return await in_session(request, _store_upload, p, data, report, meta)


def _store_upload(s: Session, p: Principal, data: bytes, report: ActReport, meta: dict) -> JSONResponse:
    d = X.add_draft(s, data, report=report, actor=p.name, **meta)
    s.flush()
    return JSONResponse(UploadOut(draft_id=d.id, analysis=report.to_dict()).model_dump(mode="json"), status_code=201)


@router.get("", response_model=list[DraftSummary])
def list_drafts(p: Caller, s: DB, limit: PageLimit = 50, offset: PageOffset = 0):
    """The drafts the caller may see, oldest first, ``limit`` from ``offset`` on; the header
    ``X-Total-Count`` gives how many there are in all."""
    rows, total = X.draft_page(s, agency_scope(p), limit=limit, offset=offset)
    return JSONResponse([summary_row(r) for r in rows], headers={"X-Total-Count": str(total)})  # rendered in this thread


@router.get("/{draft_id}", response_model=DraftDetail)
def get_draft(draft_id: int, p: Caller, s: DB):
    X.draft_for_detail(s, draft_id)
    d = visible_draft(s, draft_id, p)             # the draft just loaded (or 404)
    return JSONResponse(draft_detail(d).model_dump(mode="json"))     # rendered here, in the route's thread


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
