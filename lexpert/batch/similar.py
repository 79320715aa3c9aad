"""Near-duplicate and template families of drafts, and one expertise serving many drafts.

1. Every draft becomes a set of shingles: word 4-grams of each norm's text, with the
   norm's own number removed, lower-cased and every digit turned into ``0`` (so renumbered
   points and changed amounts, dates and terms still match).
2. MinHash signatures (``datasketch``, 128 permutations) go into an LSH index tuned to the
   Jaccard ``threshold``; each candidate pair is confirmed with the exact Jaccard of the two
   shingle sets, and confirmed pairs are joined into families (union-find).
3. In each family one reference member is chosen — a reviewed member when there is one,
   else the member most similar to the others — and every other member's norms are aligned
   to the reference's norms (:func:`lexpert.compare.align_norms`: character n-gram TF-IDF
   cosine and an optimal one-to-one assignment).
4. The confirmed findings of each reviewed member are offered at the aligned norms of the
   other members ("offers"): same code, the reviewed evidence and recommendation, the
   alignment similarity, and whether the quoted evidence is still present in the target norm.

A family is ``near_duplicate`` when every member's Jaccard to the reference is at least
0.7 (a few norms edited), else ``template``.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..compare import align_norms, body
from ..errors import ContractError, LexpertError
from ..records import Finding, Norm, check_shape
from .records import NORM_COLUMNS, NormRow

log = logging.getLogger(__name__)

SHINGLE = 4
NUM_PERM = 128
NEAR_DUPLICATE = 0.7
_WORD = re.compile(r"\w+", re.UNICODE)


class SimilarError(ContractError):
    code = "similar"


@dataclass
class DraftNorms:
    """A draft reduced to what family detection needs."""

    id: str
    sha256: str | None
    lang: str | None
    norms: list[Norm]


@dataclass
class ReviewedFinding:
    """A finding an expert confirmed in one draft (the source of offers): the draft's batch id and
    the fields of :class:`lexpert.records.Finding` an offer carries, under the record's names
    (a reviewed-findings file may give only ``code`` and ``norm_id`` or ``locator``)."""

    id: str                       # the draft id (batch id)
    code: str
    norm_id: str | None = None
    locator: str | None = None
    family: str | None = None
    evidence: str | None = None
    recommendation: str | None = None
    reason: str | None = None

    @classmethod
    def from_record(cls, draft_id: str, rec: Finding) -> "ReviewedFinding":
        return cls(id=draft_id, **{k: getattr(rec, k) for k in REVIEWED_FIELDS})


REVIEWED_FIELDS = ("code", "norm_id", "locator", "family", "evidence", "recommendation", "reason")
check_shape("similar's ReviewedFinding", Finding, REVIEWED_FIELDS, omit={
    "score": "a confirmed finding is offered whatever the detector's score",
    "evidence_start": "offsets of another draft", "evidence_end": "offsets of another draft",
    "source": "the offer's source is the reviewed draft", "rule": "not offered", "details": "not offered"})


@dataclass
class Offer:
    """A reviewed finding offered at the aligned norm of another family member."""

    target: str
    target_norm_id: str
    target_locator: str
    target_text: str
    source: str
    source_norm_id: str
    source_locator: str
    code: str
    family: str | None
    evidence: str | None
    evidence_present: bool
    recommendation: str | None
    alignment: float
    norm_status: str              # same | changed (the target norm against the reviewed one)


@dataclass
class Member:
    """A draft of a family."""

    id: str
    jaccard_to_reference: float
    reference: bool
    reviewed: bool
    norms: int


@dataclass
class Family:
    family: int
    kind: str                     # near_duplicate | template
    reference: str
    members: list[Member]
    offers: list[Offer] = field(default_factory=list)


# --------------------------------------------------------------------------------- loading
def load_drafts(source: str | Path) -> tuple[list[DraftNorms], list[dict[str, str]]]:
    """Drafts from a batch OUTDIR (its norms.parquet) or from any batch INPUT (structure only,
    no detection). Returns (drafts, skipped) where skipped lists {id, reason} of unreadable ones."""
    p = Path(source)
    if p.is_dir() and (p / "norms.parquet").exists() and (p / "acts.parquet").exists():
        return _from_outdir(p), []
    from ..pipeline import load
    from .inputs import read_input
    from ..nlp.normalize import normalize
    from ..structure import norms as extract_norms
    from ..structure import parse

    drafts, skipped = [], []
    for rec in read_input(p):
        try:
            if rec.error:
                raise SimilarError(rec.error)
            raw = load(Path(rec.path)) if rec.path else load((rec.text or "").encode("utf-8"), name=f"{rec.id}.txt")
            text = normalize(raw.text)
            ns = extract_norms(parse(text), text)
        except LexpertError as exc:
            log.info("%s: skipped (%s)", rec.id, exc)
            skipped.append({"id": rec.id, "reason": str(exc)})
            continue
        drafts.append(DraftNorms(rec.id, hashlib.sha256(text.encode("utf-8")).hexdigest(),
                                 ns[0].lang if ns else None, ns))
    return drafts, skipped


def _from_outdir(p: Path) -> list[DraftNorms]:
    import pyarrow.parquet as pq

    acts = pq.read_table(p / "acts.parquet", columns=["id", "status", "sha256", "language"]).to_pylist()
    by_id: dict[str, list[Norm]] = defaultdict(list)
    for r in pq.read_table(p / "norms.parquet", columns=list(NORM_COLUMNS)).to_pylist():
        by_id[r["id"]].append(NormRow.from_values(r).to_record())
    return [DraftNorms(a["id"], a["sha256"], a["language"], by_id.get(a["id"], []))
            for a in acts if a["status"] == "ok"]


def load_reviewed(path: str | Path) -> list[ReviewedFinding]:
    """Confirmed findings from a file: JSONL, JSON (a list), CSV or Parquet, one finding a row with
    ``id`` (the draft's batch id), ``code``, ``norm_id`` and/or ``locator``, ``decision``; optional
    ``evidence``, ``recommendation``, ``reason``, ``family``. Only rows with decision 'confirmed' count."""
    p = Path(path)
    if not p.exists():
        raise SimilarError(f"{p}: no such file")
    suffix = p.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            rows = pq.read_table(p).to_pylist()
        elif suffix == ".csv":
            import csv

            with p.open(encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.DictReader(fh))
        elif suffix == ".json":
            rows = json.loads(p.read_text(encoding="utf-8"))
        else:
            rows = [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]
    except (ValueError, OSError) as exc:
        raise SimilarError(f"{p}: cannot read the reviewed findings ({exc})") from exc
    if not isinstance(rows, list):
        raise SimilarError(f"{p}: expected a list of findings")
    out = []
    for i, r in enumerate(rows, 1):
        if not isinstance(r, dict) or not r.get("id") or not r.get("code"):
            raise SimilarError(f"{p}: row {i} needs 'id' and 'code'")
        if str(r.get("decision") or "").lower() != "confirmed":
            continue
        if not r.get("norm_id") and not r.get("locator"):
            raise SimilarError(f"{p}: row {i} needs 'norm_id' or 'locator'")
        out.append(ReviewedFinding(id=str(r["id"]), code=str(r["code"]), norm_id=r.get("norm_id") or None,
                                   locator=r.get("locator") or None, family=r.get("family") or None,
                                   evidence=r.get("evidence") or None, recommendation=r.get("recommendation") or None,
                                   reason=r.get("reason") or None))
    return out


def reviewed_from_record(drafts: list[DraftNorms]) -> list[ReviewedFinding]:
    """Confirmed findings from the expertise record (``lexpert finding confirm``), matched to the
    drafts by the SHA-256 of the normalized text of the recorded version."""
    from sqlalchemy import select

    from ..expertise.db import init_db, session_scope
    from ..expertise.db.models import Finding as Stored
    from ..expertise.db.models import Version

    by_sha = {d.sha256: d.id for d in drafts if d.sha256}
    init_db()
    out = []
    with session_scope() as s:
        q = select(Stored, Version.sha256).join(Version, Stored.version_id == Version.id) \
            .where(Stored.decision == "confirmed")
        for f, sha in s.execute(q):
            if sha in by_sha:
                out.append(ReviewedFinding.from_record(by_sha[sha], f.to_record()))
    return out


# ---------------------------------------------------------------------------------- families
def shingles(d: DraftNorms, k: int = SHINGLE) -> set[bytes]:
    """Word k-grams of the draft's norms (numbers of points dropped, digits -> 0, lower case)."""
    out: set[bytes] = set()
    for n in d.norms:
        words = _WORD.findall(re.sub(r"\d", "0", body(n.text)))
        if len(words) < k:
            if words:
                out.add(" ".join(words).encode("utf-8"))
            continue
        for i in range(len(words) - k + 1):
            out.add(" ".join(words[i:i + k]).encode("utf-8"))
    return out


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def find_families(drafts: list[DraftNorms], threshold: float = 0.4, num_perm: int = NUM_PERM
                  ) -> tuple[list[list[int]], dict[tuple[int, int], float], list[set[bytes]]]:
    """Families (lists of indexes into ``drafts``, two members or more), the confirmed pairs'
    Jaccard similarities, and each draft's shingle set."""
    from datasketch import MinHash, MinHashLSH

    if not 0 < threshold < 1:
        raise SimilarError("--threshold must be between 0 and 1 (exclusive)")
    sh = [shingles(d) for d in drafts]
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    mhs = []
    for i, s in enumerate(sh):
        m = MinHash(num_perm=num_perm, seed=1)
        if s:
            m.update_batch(list(s))
        mhs.append(m)
        if s:
            lsh.insert(str(i), m)
    parent = list(range(len(drafts)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    sims: dict[tuple[int, int], float] = {}
    for i, s in enumerate(sh):
        if not s:
            continue
        for key in lsh.query(mhs[i]):
            j = int(key)
            if j <= i or (i, j) in sims:
                continue
            jac = jaccard(s, sh[j])
            if jac >= threshold:
                sims[(i, j)] = jac
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(drafts)):
        groups[find(i)].append(i)
    fams = sorted((g for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), drafts[g[0]].id))
    return fams, sims, sh


def similar(drafts: list[DraftNorms], reviewed: Iterable[ReviewedFinding] = (), threshold: float = 0.4,
            num_perm: int = NUM_PERM) -> list[Family]:
    """Families of ``drafts`` with offers from the ``reviewed`` findings (see the module docstring)."""
    fams, _, sh = find_families(drafts, threshold, num_perm)
    rev_by: dict[str, list[ReviewedFinding]] = defaultdict(list)
    for r in reviewed:
        rev_by[r.id].append(r)
    out = []
    for k, members in enumerate(fams, 1):
        reviewed_members = [i for i in members if drafts[i].id in rev_by]
        if reviewed_members:
            ref = max(reviewed_members, key=lambda i: (len(rev_by[drafts[i].id]), -i))
        else:
            ref = max(members, key=lambda i: (sum(jaccard(sh[i], sh[j]) for j in members if j != i), -i))
        sim_ref = {i: (1.0 if i == ref else jaccard(sh[ref], sh[i])) for i in members}
        kind = "near_duplicate" if min(sim_ref.values()) >= NEAR_DUPLICATE else "template"
        fam = Family(family=k, kind=kind, reference=drafts[ref].id, members=[
            Member(id=drafts[i].id, jaccard_to_reference=round(sim_ref[i], 4), reference=i == ref,
                   reviewed=drafts[i].id in rev_by, norms=len(drafts[i].norms))
            for i in sorted(members, key=lambda i: (i != ref, -sim_ref[i], drafts[i].id))])
        for src in reviewed_members:
            fam.offers.extend(_offers(drafts[src], rev_by[drafts[src].id],
                                      [drafts[i] for i in members if i != src]))
        out.append(fam)
    return out


def _offers(src: DraftNorms, findings: list[ReviewedFinding], targets: list[DraftNorms]) -> list[Offer]:
    by_id = {n.id: n for n in src.norms}
    by_loc = {n.locator: n for n in src.norms}
    located = []
    for f in findings:
        n = by_id.get(f.norm_id or "") or by_loc.get(f.locator or "")
        if n is not None:
            located.append((f, n))
    out = []
    for t in targets:
        if not located:
            break
        pairs = {p.draft.id: p for p in align_norms(src.norms, t.norms) if p.draft is not None and p.adopted}
        for f, n in located:
            p = pairs.get(n.id)
            if p is None:
                continue
            ev = (f.evidence or "").strip()
            out.append(Offer(target=t.id, target_norm_id=p.adopted.id, target_locator=p.adopted.locator,
                             target_text=p.adopted.text, source=src.id, source_norm_id=n.id, source_locator=n.locator,
                             code=f.code, family=f.family, evidence=f.evidence,
                             evidence_present=bool(ev) and ev.lower() in p.adopted.text.lower(),
                             recommendation=f.recommendation, alignment=round(p.similarity, 4),
                             norm_status=p.status))
    return out


def to_json(fams: list[Family], drafts: list[DraftNorms], threshold: float, skipped: list[dict[str, str]],
            reviewed: int) -> dict[str, Any]:
    """The clusters.json document (schema ``lexpert.similar/1``)."""
    in_family = sum(len(f.members) for f in fams)
    return {
        "schema": "lexpert.similar/1",
        "threshold": threshold,
        "shingles": f"word {SHINGLE}-grams of norm text, digits -> 0; MinHash {NUM_PERM} permutations + LSH; "
                    "pairs confirmed by exact Jaccard >= threshold",
        "drafts": len(drafts),
        "skipped": skipped,
        "reviewed_findings": reviewed,
        "families_count": len(fams),
        "drafts_in_families": in_family,
        "singletons": len(drafts) - in_family,
        "offers_count": sum(len(f.offers) for f in fams),
        "families": [{**{k: v for k, v in asdict(f).items() if k != "offers"},
                      "offers": [asdict(o) for o in f.offers]} for f in fams],
    }


def pairwise_scores(families: list[list[str]], truth: dict[str, str | None]) -> dict[str, float]:
    """Pairwise precision/recall/F1 of family membership against ``truth`` (id -> family or None)."""
    pred = {frozenset((a, b)) for fam in families for i, a in enumerate(fam) for b in fam[i + 1:]}
    by: dict[str, list[str]] = defaultdict(list)
    for i, f in truth.items():
        if f:
            by[f].append(i)
    gold = {frozenset((a, b)) for fam in by.values() for i, a in enumerate(fam) for b in fam[i + 1:]}
    tp = len(pred & gold)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(gold) if gold else 1.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "pairs_predicted": len(pred), "pairs_true": len(gold)}
