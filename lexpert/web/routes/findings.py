"""Findings (confirm, reject) and recommendations (add, edit, the expert's incorporation call)."""
from __future__ import annotations

from fastapi import APIRouter

from ...expertise import workflow as X
from ..deps import DB, Expert, visible_draft, visible_finding, visible_recommendation
from ..schemas import (DecisionIn, FindingOut, IncorporationIn, RecommendationIn, RecommendationOut,
                       RecommendationPatch, finding_out, rec_out)

router = APIRouter(prefix="/api", tags=["findings and recommendations"])


@router.post("/findings/{finding_id}/confirm", response_model=FindingOut)
def confirm(finding_id: int, p: Expert, s: DB):
    visible_finding(s, finding_id, p)
    return finding_out(X.decide(s, finding_id, "confirmed", actor=p.name))


@router.post("/findings/{finding_id}/reject", response_model=FindingOut)
def reject(finding_id: int, body: DecisionIn, p: Expert, s: DB):
    visible_finding(s, finding_id, p)
    return finding_out(X.decide(s, finding_id, "rejected", reason=body.reason, actor=p.name))


@router.post("/drafts/{draft_id}/recommendations", status_code=201, response_model=RecommendationOut)
def create_rec(draft_id: int, body: RecommendationIn, p: Expert, s: DB):
    visible_draft(s, draft_id, p)
    return rec_out(X.add_recommendation(s, draft_id, body.text, kind=body.kind, finding_ids=body.finding_ids,
                                        actor=p.name))


@router.patch("/recommendations/{rec_id}", response_model=RecommendationOut)
def edit_rec(rec_id: int, body: RecommendationPatch, p: Expert, s: DB):
    visible_recommendation(s, rec_id, p)
    return rec_out(X.edit_recommendation(s, rec_id, text=body.text, kind=body.kind, actor=p.name))


@router.post("/recommendations/{rec_id}/incorporation", response_model=RecommendationOut)
def override_inc(rec_id: int, body: IncorporationIn, p: Expert, s: DB):
    visible_recommendation(s, rec_id, p)
    return rec_out(X.set_incorporation(s, rec_id, body.value, source="expert", note=body.reason, actor=p.name))
