"""The expertise workflow over the record: every front end (CLI, API, UI) calls these.

Each function takes a SQLAlchemy session, an ``actor`` and an optional ``at`` (the time
of the event; now by default — scripted histories and tests pass their own), changes the
current state and appends the matching ``AuditEvent``s. Nothing here commits: the
caller's ``session_scope`` does, so a failure leaves nothing half-written.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.orm import Session, selectinload

from ..pipeline import ActReport, analyze
from .db.models import DECISIONS, DRAFT_STATUSES, INCORPORATION, NOT_ADOPTED_REASONS, REC_KINDS, REC_STATUSES, AuditEvent, Draft, Finding, Recommendation, Version, recommendation_findings, utcnow
from ..errors import LexpertError
from ..records import Finding as FindingRecord
from ..records import Norm
from ..taxonomy import load_taxonomy


class RecordError(LexpertError):
    code = "record"
    http_status = 422


class NotFound(LexpertError):
    code = "not_found"
    http_status = 404


def _now(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return utcnow()
    return at.astimezone(dt.timezone.utc).replace(tzinfo=None) if at.tzinfo else at


def audit(s: Session, entity: str, entity_id: int, field: str, old: Any, new: Any, actor: str | None,
          at: dt.datetime | None, note: str | None = None) -> None:
    s.add(AuditEvent(at=_now(at), actor=actor, entity=entity, entity_id=entity_id, field=field,
                     old=None if old is None else str(old), new=None if new is None else str(new), note=note))


def get(s: Session, model, obj_id: int):
    obj = s.get(model, obj_id)
    if obj is None:
        raise NotFound(f"{model.__name__.lower()} {obj_id} does not exist")
    return obj


# ------------------------------------------------------------------ drafts and versions
def _store_version(s: Session, draft: Draft, report: ActReport, kind: str, actor: str | None,
                   at: dt.datetime | None) -> Version:
    number = len(draft.versions) + 1
    data = report.to_dict()
    v = Version(draft=draft, number=number, kind=kind, source_name=report.source, format=report.format,
                text=report.text, sha256=hashlib.sha256(report.text.encode()).hexdigest(), report=data,
                created_at=_now(at))
    s.add(v)
    s.flush()
    audit(s, "version", v.id, "created", None, kind, actor, at, note=f"draft {draft.id}, version {number}")
    norms = {n.id: n for n in report.norms}
    for f in report.findings:
        s.add(Finding.from_record(f, norms[f.norm_id], version=v, created_at=_now(at)))
    s.flush()
    for fi in v.findings:
        audit(s, "finding", fi.id, "created", None, fi.code, actor, at)
    return v


def add_draft(s: Session, source: str | Path | bytes, *, name: str | None = None, title: str | None = None,
              agency: str | None = None, sphere: str | None = None, kind: str | None = None,
              portal_url: str | None = None, actor: str | None = None, at: dt.datetime | None = None,
              report: ActReport | None = None) -> Draft:
    """Register a draft: analyse the file (or use ``report``), store version 1 and its findings (pending)."""
    report = report or analyze(source, name=name)
    d = Draft(title=title or report.title or report.source, kind=kind, agency=agency, sphere=sphere,
              lang=report.language, portal_url=portal_url, created_at=_now(at), created_by=actor)
    s.add(d)
    s.flush()
    audit(s, "draft", d.id, "created", None, d.title, actor, at)
    audit(s, "draft", d.id, "status", None, "under_expertise", actor, at)
    _store_version(s, d, report, "draft", actor, at)
    return d


def add_version(s: Session, draft_id: int, source: str | Path | bytes, *, kind: str = "revision",
                name: str | None = None, actor: str | None = None, at: dt.datetime | None = None,
                report: ActReport | None = None) -> Version:
    """A later version (``revision`` or ``adopted``; analysed here, or ``report`` if given). An
    adopted version is aligned to the first version and each recommendation's incorporation is
    set from the alignment (an expert's override is kept)."""
    if kind not in ("revision", "adopted"):
        raise RecordError(f"version kind must be revision or adopted, not {kind!r}")
    d = get(s, Draft, draft_id)
    v = _store_version(s, d, report or analyze(source, name=name), kind, actor, at)
    if kind == "adopted":
        track_incorporation(s, d, v, actor=actor, at=at)
        if d.status != "adopted":
            set_status(s, d.id, "adopted", actor=actor, at=at)
    return v


def complete_expertise(s: Session, draft_id: int, *, actor: str | None = None, at: dt.datetime | None = None) -> Version:
    """Mark the expertise of the first version complete: from then on the draft counts as examined."""
    d = get(s, Draft, draft_id)
    v = d.versions[0]
    if v.expertise_completed_at is not None:
        raise RecordError(f"the expertise of draft {d.id} was already completed on {v.expertise_completed_at:%Y-%m-%d}")
    pending = [f.id for f in v.findings if f.decision == "pending"]
    if pending:
        raise RecordError(f"draft {d.id}: {len(pending)} findings are still pending (e.g. {pending[:5]}); "
                          "confirm or reject them first")
    v.expertise_completed_at = _now(at)
    audit(s, "version", v.id, "expertise_completed", None, v.expertise_completed_at.isoformat(), actor, at,
          note=f"draft {d.id}")
    return v


def set_status(s: Session, draft_id: int, status: str, *, reason: str | None = None, note: str | None = None,
               actor: str | None = None, at: dt.datetime | None = None) -> Draft:
    if status not in DRAFT_STATUSES:
        raise RecordError(f"status must be one of {', '.join(DRAFT_STATUSES)}")
    if status == "not_adopted" and reason not in NOT_ADOPTED_REASONS:
        raise RecordError(f"a draft not adopted needs a reason from: {', '.join(NOT_ADOPTED_REASONS)}")
    d = get(s, Draft, draft_id)
    audit(s, "draft", d.id, "status", d.status, status, actor, at, note=note)
    if reason != d.status_reason:
        audit(s, "draft", d.id, "status_reason", d.status_reason, reason, actor, at)
    d.status, d.status_reason, d.status_note = status, reason, note
    return d


# ------------------------------------------------------------------ findings
def _open_for_review(v: Version) -> None:
    """A completed expertise is read-only: its findings and recommendations are what the
    conclusion said (the developer's responses and the adoption are tracked after it)."""
    if v.expertise_completed_at is not None:
        raise RecordError(f"the expertise of draft {v.draft_id} was completed on "
                          f"{v.expertise_completed_at:%Y-%m-%d}: its findings and recommendations are read-only")


def decide(s: Session, finding_id: int, decision: str, *, reason: str | None = None, actor: str | None = None,
           at: dt.datetime | None = None) -> Finding:
    if decision not in DECISIONS:
        raise RecordError(f"decision must be one of {', '.join(DECISIONS)}")
    if decision == "rejected" and not (reason and reason.strip()):
        raise RecordError("rejecting a finding needs a reason")
    f = get(s, Finding, finding_id)
    _open_for_review(f.version)
    audit(s, "finding", f.id, "decision", f.decision, decision, actor, at, note=reason)
    f.decision, f.decision_reason, f.decided_by, f.decided_at = decision, reason, actor, _now(at)
    return f


def add_expert_finding(s: Session, version_id: int, *, code: str, locator: str, evidence: str | None = None,
                       reason: str | None = None, actor: str | None = None, at: dt.datetime | None = None) -> Finding:
    """A finding the expert adds by hand (confirmed at once; it counts in KPI A)."""
    tax = load_taxonomy()
    tax[code]
    v = get(s, Version, version_id)
    _open_for_review(v)
    norm = next((Norm.from_dict(n) for n in v.report["norms"] if n["locator"] == locator), None)
    if norm is None:
        raise RecordError(f"no norm with locator {locator!r} in version {version_id}")
    start = end = None
    if evidence:
        k = norm.text.find(evidence)
        if k < 0:
            raise RecordError("the evidence must be quoted from the norm's text")
        start, end = norm.start + k, norm.start + k + len(evidence)
    rec = FindingRecord(norm_id=norm.id, locator=locator, code=code, family=tax.family_of(code), score=1.0,
                        evidence=evidence, evidence_start=start, evidence_end=end, reason=reason,
                        recommendation=tax[code].recommendation(norm.lang or "ru", evidence or ""), source="expert")
    f = Finding.from_record(rec, norm, version=v, created_at=_now(at))
    s.add(f)
    s.flush()
    audit(s, "finding", f.id, "created", None, code, actor, at, note="added by expert")
    decide(s, f.id, "confirmed", actor=actor, at=at)
    return f


# ------------------------------------------------------------------ recommendations
def add_recommendation(s: Session, draft_id: int, text: str, *, kind: str = "other",
                       finding_ids: Iterable[int] = (), actor: str | None = None,
                       at: dt.datetime | None = None) -> Recommendation:
    if kind not in REC_KINDS:
        raise RecordError(f"kind must be one of {', '.join(REC_KINDS)}")
    if not text or not text.strip():
        raise RecordError("a recommendation needs a text")
    d = get(s, Draft, draft_id)
    _open_for_review(d.versions[0])
    fs = [get(s, Finding, i) for i in finding_ids]
    for f in fs:
        if f.version.draft_id != d.id:
            raise RecordError(f"finding {f.id} belongs to another draft")
        if f.decision != "confirmed":
            raise RecordError(f"finding {f.id} is {f.decision}: recommendations remove confirmed findings")
    r = Recommendation(draft=d, text=text.strip(), kind=kind, findings=fs, issued_at=_now(at), issued_by=actor)
    s.add(r)
    s.flush()
    audit(s, "recommendation", r.id, "created", None, r.text, actor, at,
          note=f"draft {d.id}; findings {[f.id for f in fs]}")
    return r


def edit_recommendation(s: Session, rec_id: int, *, text: str | None = None, kind: str | None = None,
                        actor: str | None = None, at: dt.datetime | None = None) -> Recommendation:
    r = get(s, Recommendation, rec_id)
    _open_for_review(r.draft.versions[0])
    if text is not None and text.strip() != r.text:
        audit(s, "recommendation", r.id, "text", r.text, text.strip(), actor, at)
        r.text = text.strip()
    if kind is not None and kind != r.kind:
        if kind not in REC_KINDS:
            raise RecordError(f"kind must be one of {', '.join(REC_KINDS)}")
        audit(s, "recommendation", r.id, "kind", r.kind, kind, actor, at)
        r.kind = kind
    return r


def developer_response(s: Session, rec_id: int, status: str, *, reason: str | None = None,
                       actor: str | None = None, at: dt.datetime | None = None) -> Recommendation:
    if status not in REC_STATUSES:
        raise RecordError(f"status must be one of {', '.join(REC_STATUSES)}")
    r = get(s, Recommendation, rec_id)
    audit(s, "recommendation", r.id, "status", r.status, status, actor, at, note=reason)
    r.status, r.developer_reason = status, reason
    return r


def set_incorporation(s: Session, rec_id: int, value: str, *, source: str = "expert", note: str | None = None,
                      actor: str | None = None, at: dt.datetime | None = None) -> Recommendation:
    if value not in INCORPORATION:
        raise RecordError(f"incorporation must be one of {', '.join(INCORPORATION)}")
    if source == "expert" and not (note and note.strip()):
        raise RecordError("overriding incorporation needs a reason")
    r = get(s, Recommendation, rec_id)
    audit(s, "recommendation", r.id, "incorporation", r.incorporation, value, actor, at,
          note=f"{source}: {note}" if note else source)
    r.incorporation, r.incorporation_source, r.incorporation_note = value, source, note
    return r


@dataclass
class Incorporation:
    """What the alignment of the adopted version says of one recommendation (``how``: per finding)."""

    recommendation: int
    incorporation: str
    how: str


def track_incorporation(s: Session, draft: Draft, adopted: Version, *, actor: str | None = None,
                        at: dt.datetime | None = None) -> list[Incorporation]:
    """Set each recommendation's incorporation from the alignment of the adopted version to the
    first version: incorporated when every finding it addresses is resolved. Expert overrides stay."""
    from ..compare import Quote, compare

    first = draft.versions[0]
    recs = [r for r in draft.recommendations if r.findings]
    fs = {f.id: f for r in recs for f in r.findings}
    if not fs:
        return []
    items = list(fs.values())
    res = compare(first.text, adopted.text, [
        Quote(code=f.code, quote=f.evidence or f.norm_text, locator=f.locator,
              start=f.evidence_start if f.evidence_start is not None else f.norm_start) for f in items])
    resolved = {f.id: r for f, r in zip(items, res["findings"])}
    out = []
    for r in recs:
        ok = all(resolved[f.id]["resolved"] for f in r.findings)
        value = "incorporated" if ok else "not_incorporated"
        how = "; ".join(f"{f.locator}: {resolved[f.id]['how']}" for f in r.findings)
        if r.incorporation_source != "expert" and r.incorporation != value:
            set_incorporation(s, r.id, value, source="alignment", note=how, actor=actor, at=at)
        out.append(Incorporation(recommendation=r.id, incorporation=r.incorporation, how=how))
    return out


def list_drafts(s: Session, agency: str | None = None) -> list[Draft]:
    q = select(Draft).order_by(Draft.id)
    if agency is not None:
        q = q.where(Draft.agency == agency)
    return list(s.scalars(q))


SUMMARY_COLUMNS = (Draft.id, Draft.title, Draft.agency, Draft.sphere, Draft.kind, Draft.lang, Draft.status,
                   Draft.status_reason, Draft.created_at)


def _page_statements(by_agency: bool) -> tuple[Any, Any]:
    where = [Draft.agency == bindparam("agency")] if by_agency else []
    return (select(func.count(Draft.id)).where(*where),
            select(*SUMMARY_COLUMNS).where(*where).order_by(Draft.id)
            .limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer)))


# built once (a page's statements differ only in their bound values): a request binds, nothing more
_PAGE = {False: _page_statements(False), True: _page_statements(True)}
_PAGE_VERSIONS = (select(Version.draft_id, Version.id, Version.number, Version.expertise_completed_at)
                  .where(Version.draft_id.in_(bindparam("ids", expanding=True))))
_PAGE_COUNTS = (select(Finding.version_id, Finding.decision, func.count(Finding.id))
                .where(Finding.version_id.in_(bindparam("vids", expanding=True)))
                .group_by(Finding.version_id, Finding.decision))


def draft_page(s: Session, agency: str | None = None, *, limit: int = 50, offset: int = 0
               ) -> tuple[list[dict[str, Any]], int]:
    """One page of drafts (oldest first) as plain rows, and how many drafts there are in all.

    A row: the draft's columns of ``SUMMARY_COLUMNS``, ``versions`` (how many),
    ``expertise_completed_at`` of the first version and ``findings``, the decision counts of
    the first version's findings. Four small queries on indexed columns whatever the page and
    the size of the record (built once, bound per call), reading no version text or report and
    building no ORM objects."""
    count, page = _PAGE[agency is not None]
    bound = {"agency": agency} if agency is not None else {}
    total = s.scalar(count, bound) or 0
    rows = [dict(r._mapping) for r in s.execute(page, {**bound, "limit": limit, "offset": offset})]
    if not rows:
        return [], total
    first: dict[int, tuple] = {}
    n_versions: dict[int, int] = {}
    for draft_id, vid, number, completed in s.execute(_PAGE_VERSIONS, {"ids": [r["id"] for r in rows]}):
        n_versions[draft_id] = n_versions.get(draft_id, 0) + 1
        if draft_id not in first or number < first[draft_id][1]:
            first[draft_id] = (vid, number, completed)
    counts: dict[int, dict[str, int]] = {vid: {k: 0 for k in DECISIONS} for vid, _, _ in first.values()}
    for vid, decision, n in s.execute(_PAGE_COUNTS, {"vids": list(counts)}):
        counts[vid][decision] = n
    for r in rows:
        vid, _, completed = first.get(r["id"], (None, None, None))
        r.update(versions=n_versions.get(r["id"], 0), expertise_completed_at=completed,
                 findings=counts.get(vid, {k: 0 for k in DECISIONS}))
    return rows, total


def draft_for_detail(s: Session, draft_id: int) -> Draft | None:
    """A draft (None if there is none) with everything its detail shows loaded in a few queries:
    its versions without their text, the findings of each version and their recommendations, the
    recommendations and their findings. (Call it before anything else loads the draft into the
    session, and keep the draft it returns: eager loading applies to a draft loaded here, and the
    session holds its objects only by weak reference. The API's detail reads :func:`detail_rows`.)"""
    q = (select(Draft).where(Draft.id == draft_id)
         .options(selectinload(Draft.versions).defer(Version.text)
                  .selectinload(Version.findings).selectinload(Finding.recommendations),
                  selectinload(Draft.recommendations).selectinload(Recommendation.findings)))
    return s.scalars(q).one_or_none()


def detail_rows(s: Session, draft_id: int) -> dict[str, Any] | None:
    """A draft's detail as plain rows (None if there is no such draft), read with Core queries that
    build no ORM object: ``draft`` (the columns of ``SUMMARY_COLUMNS``), ``versions`` (in number
    order, without text or report), ``report`` (the first version's), ``findings`` (every column of
    the first version's findings, by id, each with ``recommendations``: the ids linking it, in
    order), ``recommendations`` (the draft's, by id, each with ``finding_ids``, in order). What
    :func:`draft_for_detail` loads as objects, for an answer that only reads it."""
    row = s.execute(select(*SUMMARY_COLUMNS).where(Draft.id == draft_id)).first()
    if row is None:
        return None
    versions = [dict(r._mapping) for r in s.execute(
        select(Version.id, Version.number, Version.kind, Version.created_at, Version.source_name,
               Version.expertise_completed_at).where(Version.draft_id == draft_id).order_by(Version.number))]
    first = versions[0]["id"] if versions else None
    report = s.scalar(select(Version.report).where(Version.id == first)) if first is not None else None
    findings = [dict(r._mapping) for r in s.execute(
        select(Finding.__table__).where(Finding.version_id == first).order_by(Finding.id))]
    link = recommendation_findings.c
    by_finding = _linked(s, link.finding_id, link.recommendation_id, [f["id"] for f in findings])
    for f in findings:
        f["recommendations"] = by_finding[f["id"]]
    recs = [dict(r._mapping) for r in s.execute(
        select(Recommendation.id, Recommendation.text, Recommendation.kind, Recommendation.status,
               Recommendation.incorporation, Recommendation.incorporation_source, Recommendation.issued_by,
               Recommendation.issued_at).where(Recommendation.draft_id == draft_id).order_by(Recommendation.id))]
    by_rec = _linked(s, link.recommendation_id, link.finding_id, [r["id"] for r in recs])
    for r in recs:
        r["finding_ids"] = by_rec[r["id"]]
    return {"draft": dict(row._mapping), "versions": versions, "report": report, "findings": findings,
            "recommendations": recs}


def _linked(s: Session, key, other, ids: list[int]) -> dict[int, list[int]]:
    """For each id of ``ids`` (a column ``key`` of the recommendation-finding links), the ``other``
    ids linked to it, in the links' order (recommendation, then finding)."""
    out: dict[int, list[int]] = {i: [] for i in ids}
    if out:
        link = recommendation_findings.c
        for k, v in s.execute(select(key, other).where(key.in_(ids))
                              .order_by(link.recommendation_id, link.finding_id)):
            out[k].append(v)
    return out


def finding_page(s: Session, draft_id: int, *, limit: int = 50, offset: int = 0) -> tuple[list[Finding], int]:
    """One page of the findings of a draft's first version (the ones its detail lists), by id,
    with their recommendations loaded, and how many there are in all."""
    vid = s.scalar(select(Version.id).where(Version.draft_id == draft_id).order_by(Version.number).limit(1))
    if vid is None:
        return [], 0
    total = s.scalar(select(func.count(Finding.id)).where(Finding.version_id == vid)) or 0
    rows = s.scalars(select(Finding).where(Finding.version_id == vid).order_by(Finding.id)
                     .limit(limit).offset(offset).options(selectinload(Finding.recommendations)))
    return list(rows), total


def history(s: Session, entity: str, entity_id: int) -> list[AuditEvent]:
    return list(s.scalars(select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
                          .order_by(AuditEvent.at, AuditEvent.id)))
