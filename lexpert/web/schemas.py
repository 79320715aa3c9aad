"""The API's typed requests and answers, and the one place that turns a record row into them.

Field order is the order of the JSON an API client receives (the upload answer is recorded in
tests/data/contracts.json). A finding's answer (:data:`FindingOut`) is built from the fields of
:class:`lexpert.records.Finding`: their types come from the record, and a field added to the
record fails the import of this module until the answer places it."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, create_model

from ..expertise.db.models import Draft, Finding, Recommendation, User
from ..records import Finding as FindingRecord
from ..records import check_shape, field_types, optional
from .auth import AGENCY_MAX, NAME_MAX           # the agency columns; a user name
from .passwords import MAX_LENGTH as PASSWORD_MAX


# ------------------------------------------------------------------ limits of what a client sends
# (a longer value is refused with 422 naming the field; nothing is cut)
TITLE_MAX = 1_000           # a draft's title
SHORT_MAX = 80              # sphere, kind, status, a vocabulary value
URL_MAX = 2_000
TEXT_MAX = 10_000           # a recommendation
REASON_MAX = 2_000          # a reason or a note
IDS_MAX = 1_000             # findings linked to one recommendation


# ------------------------------------------------------------------ requests
class DecisionIn(BaseModel):
    reason: str | None = Field(None, max_length=REASON_MAX)


class RecommendationIn(BaseModel):
    text: str = Field(min_length=1, max_length=TEXT_MAX)
    kind: str = Field("other", max_length=SHORT_MAX)
    finding_ids: list[int] = Field([], max_length=IDS_MAX)


class RecommendationPatch(BaseModel):
    text: str | None = Field(None, max_length=TEXT_MAX)
    kind: str | None = Field(None, max_length=SHORT_MAX)


class StatusIn(BaseModel):
    status: str = Field(max_length=SHORT_MAX)
    reason: str | None = Field(None, max_length=SHORT_MAX)
    note: str | None = Field(None, max_length=REASON_MAX)


class IncorporationIn(BaseModel):
    value: str = Field(max_length=SHORT_MAX)
    reason: str = Field(max_length=REASON_MAX)


class UserIn(BaseModel):
    name: str = Field("", max_length=NAME_MAX)
    password: str = Field("", max_length=PASSWORD_MAX)
    role: str = Field("", max_length=SHORT_MAX)
    agency: str | None = Field(None, max_length=AGENCY_MAX)


class UserPatch(BaseModel):
    """What to change; a field left out stays as it is (``agency: null`` clears it)."""
    active: bool | None = None
    role: str | None = Field(None, max_length=SHORT_MAX)
    agency: str | None = Field(None, max_length=AGENCY_MAX)
    password: str | None = Field(None, max_length=PASSWORD_MAX)


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


#: where the fields of lexpert.records.Finding go in a finding's answer, in order; the evidence's
#: offsets and text are one object, ``evidence`` (:data:`EVIDENCE_API`)
FINDING_API_ORDER = ("norm_id", "locator", "code", "family", "score", "source", "evidence", "reason",
                     "recommendation", "rule", "details")
#: the API's names for record fields that are not the record's own: the detector's recommendation
#: for the finding has been ``suggestion`` in the API from the start, and stays so for its clients
FINDING_API_NAMES = {"recommendation": "suggestion"}
EVIDENCE_API = {"evidence_start": "start", "evidence_end": "end", "evidence": "text"}
check_shape("the API's finding answer", FindingRecord, [*FINDING_API_ORDER, *EVIDENCE_API])
_DESCRIPTIONS = {"recommendation": "the recommendation the detector suggests for this finding "
                                   "(lexpert.records.Finding.recommendation)"}


def _stored(name: str) -> Any:
    """A record field's type in an answer: None allowed where the record's column allows it (a
    finding an expert adds by hand may quote no evidence)."""
    tp = field_types(FindingRecord)[name]
    return tp | None if Finding.__table__.c[name].nullable and not optional(tp) else tp


Evidence = create_model("Evidence", __doc__="A finding's quoted words and their offsets in the normalized text.",
                        **{api: (_stored(k), ...) for k, api in EVIDENCE_API.items()})
FindingOut = create_model(
    "FindingOut", __doc__="A finding of the record: the fields of lexpert.records.Finding and the expert's decision.",
    id=(int, ...),
    **{FINDING_API_NAMES.get(k, k): (Evidence if k == "evidence" else _stored(k),
                                     Field(description=_DESCRIPTIONS[k]) if k in _DESCRIPTIONS else ...)
       for k in FINDING_API_ORDER},
    decision=(str, ...), decision_reason=(str | None, ...), decided_by=(str | None, ...),
    recommendations=(list[int], Field(description="the ids of the recommendations issued on this finding")))


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
    active: bool


class LogoutOut(BaseModel):
    revoked: bool


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
    rec = f.to_record()
    return FindingOut(
        id=f.id, **{FINDING_API_NAMES.get(k, k): getattr(rec, k) for k in FINDING_API_ORDER if k != "evidence"},
        evidence=Evidence(**{api: getattr(rec, k) for k, api in EVIDENCE_API.items()}),
        decision=f.decision, decision_reason=f.decision_reason, decided_by=f.decided_by,
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


def _iso(d: Any) -> str | None:
    return d.isoformat() if d is not None else None


def detail_json(rows: dict[str, Any]) -> dict[str, Any]:
    """The rows of ``workflow.detail_rows`` as the JSON of :class:`DraftDetail`: the same keys,
    order and values as ``draft_detail(d).model_dump(mode="json")`` (``tests/test_load.py``
    compares them), built without a model, so that a draft of many findings is answered without
    one ORM object and one pydantic object per finding."""
    d, versions, findings = rows["draft"], rows["versions"], rows["findings"]
    counts = {k: sum(f["decision"] == k for f in findings) for k in ("pending", "confirmed", "rejected")}
    out = {"id": d["id"], "title": d["title"], "agency": d["agency"], "sphere": d["sphere"], "kind": d["kind"],
           "lang": d["lang"], "status": d["status"], "status_reason": d["status_reason"],
           "created_at": d["created_at"].isoformat(), "versions": len(versions),
           "expertise_completed_at": _iso(versions[0]["expertise_completed_at"]), "findings": counts,
           "analysis": rows["report"]}
    out["findings_list"] = [
        {"id": f["id"], **{FINDING_API_NAMES.get(k, k): f[k] for k in FINDING_API_ORDER[:FINDING_API_ORDER.index("evidence")]},
         "evidence": {api: f[k] for k, api in EVIDENCE_API.items()},
         **{FINDING_API_NAMES.get(k, k): f[k] for k in FINDING_API_ORDER[FINDING_API_ORDER.index("evidence") + 1:]},
         "decision": f["decision"], "decision_reason": f["decision_reason"], "decided_by": f["decided_by"],
         "recommendations": f["recommendations"]} for f in findings]
    out["recommendations"] = [
        {"id": r["id"], "text": r["text"], "kind": r["kind"], "status": r["status"], "incorporation": r["incorporation"],
         "incorporation_source": r["incorporation_source"], "finding_ids": r["finding_ids"],
         "issued_by": r["issued_by"], "issued_at": r["issued_at"].isoformat()} for r in rows["recommendations"]]
    out["version_list"] = [{"number": v["number"], "kind": v["kind"], "created_at": v["created_at"].isoformat(),
                            "source": v["source_name"]} for v in versions]
    return out


def user_out(u: User) -> UserOut:
    return UserOut(id=u.id, name=u.name, role=u.role, agency=u.agency, active=u.active)
