"""The API's typed requests and answers, and the one place that turns a record row into them.

Field order is the order of the JSON an API client receives (recorded in tests/data/contracts.json)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ..expertise.db.models import Draft, Finding, Recommendation, User


# ------------------------------------------------------------------ requests
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


class UserIn(BaseModel):
    name: str = ""
    password: str = ""
    role: str = ""
    agency: str | None = None


# ------------------------------------------------------------------ answers
class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"


class HealthOut(BaseModel):
    status: str
    version: str


class FindingCounts(BaseModel):
    pending: int
    confirmed: int
    rejected: int


class DraftSummary(BaseModel):
    id: int
    title: str | None
    agency: str | None
    sphere: str | None
    kind: str | None
    lang: str | None
    status: str
    status_reason: str | None
    created_at: str
    versions: int
    expertise_completed_at: str | None
    findings: FindingCounts


class Evidence(BaseModel):
    start: int | None
    end: int | None
    text: str | None


class FindingOut(BaseModel):
    id: int
    norm_id: str | None
    locator: str | None
    code: str
    family: str
    score: float | None
    source: str | None
    evidence: Evidence
    reason: str | None
    suggestion: str | None = Field(description="the recommendation the detector suggests for this finding")
    decision: str
    decision_reason: str | None
    decided_by: str | None
    recommendations: list[int]


class RecommendationOut(BaseModel):
    id: int
    text: str
    kind: str
    status: str
    incorporation: str | None
    incorporation_source: str | None
    finding_ids: list[int]
    issued_by: str | None
    issued_at: str


class VersionOut(BaseModel):
    number: int
    kind: str
    created_at: str
    source: str | None


class DraftDetail(DraftSummary):
    analysis: dict[str, Any] | None = Field(description="the stored `lexpert analyze --format json` of version 1")
    findings_list: list[FindingOut]
    recommendations: list[RecommendationOut]
    version_list: list[VersionOut]


class UploadOut(BaseModel):
    draft_id: int
    analysis: dict[str, Any] = Field(description="the JSON of `lexpert analyze --format json`")


class AdoptedOut(BaseModel):
    version: int
    recommendations: list[RecommendationOut]


class KpiOut(BaseModel):
    definitions: dict[str, str]
    period: dict[str, str | None]
    as_of: str
    by: str
    groups: list[dict[str, Any]] = Field(description="one block per group: key, kpi_a, kpi_b")
    total: dict[str, Any] = Field(description="kpi_a and kpi_b over every examined draft")


class UserOut(BaseModel):
    id: int
    name: str
    role: str
    agency: str | None


# ------------------------------------------------------------------ row -> answer
def draft_summary(d: Draft) -> DraftSummary:
    v = d.versions[0]
    counts = {k: sum(f.decision == k for f in v.findings) for k in ("pending", "confirmed", "rejected")}
    return DraftSummary(
        id=d.id, title=d.title, agency=d.agency, sphere=d.sphere, kind=d.kind, lang=d.lang, status=d.status,
        status_reason=d.status_reason, created_at=d.created_at.isoformat(), versions=len(d.versions),
        expertise_completed_at=v.expertise_completed_at.isoformat() if v.expertise_completed_at else None,
        findings=FindingCounts(**{k: counts.get(k, 0) for k in ("pending", "confirmed", "rejected")}))


def summary_row(r: dict[str, Any]) -> dict[str, Any]:
    """A row of ``workflow.draft_page`` as the JSON of :class:`DraftSummary` (the same keys, order
    and values as ``draft_summary(d).model_dump()``), built without a model: a page of drafts is
    answered without one pydantic object per draft."""
    done = r["expertise_completed_at"]
    return {"id": r["id"], "title": r["title"], "agency": r["agency"], "sphere": r["sphere"], "kind": r["kind"],
            "lang": r["lang"], "status": r["status"], "status_reason": r["status_reason"],
            "created_at": r["created_at"].isoformat(), "versions": r["versions"],
            "expertise_completed_at": done.isoformat() if done else None,
            "findings": {k: r["findings"].get(k, 0) for k in ("pending", "confirmed", "rejected")}}


def finding_out(f: Finding) -> FindingOut:
    return FindingOut(
        id=f.id, norm_id=f.norm_id, locator=f.locator, code=f.code, family=f.family, score=f.score, source=f.source,
        evidence=Evidence(start=f.evidence_start, end=f.evidence_end, text=f.evidence), reason=f.reason,
        suggestion=f.suggestion, decision=f.decision, decision_reason=f.decision_reason, decided_by=f.decided_by,
        recommendations=[r.id for r in f.recommendations])


def rec_out(r: Recommendation) -> RecommendationOut:
    return RecommendationOut(
        id=r.id, text=r.text, kind=r.kind, status=r.status, incorporation=r.incorporation,
        incorporation_source=r.incorporation_source, finding_ids=[f.id for f in r.findings], issued_by=r.issued_by,
        issued_at=r.issued_at.isoformat())


def draft_detail(d: Draft) -> DraftDetail:
    return DraftDetail(
        **draft_summary(d).model_dump(), analysis=d.versions[0].report,
        findings_list=[finding_out(f) for f in d.versions[0].findings],
        recommendations=[rec_out(r) for r in d.recommendations],
        version_list=[VersionOut(number=v.number, kind=v.kind, created_at=v.created_at.isoformat(), source=v.source_name)
                      for v in d.versions])


def user_out(u: User) -> UserOut:
    return UserOut(id=u.id, name=u.name, role=u.role, agency=u.agency)
