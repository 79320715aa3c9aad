"""Version alignment: the adopted text aligned to the draft norm by norm, and whether each
finding of the draft is resolved in the adopted text.

Alignment survives renumbering, deleted, inserted and moved points: norms are matched by
the similarity of their text with the leading number removed (character 3-5-gram
TF-IDF cosine), with a small bonus for the same locator, by an optimal one-to-one
assignment; pairs below a similarity floor are not matched.

A finding is resolved when its norm was deleted, or when the aligned adopted norm no
longer carries the factor: the detector's score for the code fell below its threshold,
and the words the finding quoted are gone or the norm gained what the factor lacked (a
fixed term, a closed list, a duty instead of a right).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, NotRequired, TypedDict



from .detect.base import Detector, default_detector
from .nlp.normalize import normalize
from .records import Norm
from .structure import norms as extract_norms
from .structure import parse

_LEAD_NUM = re.compile(r"^[«\"]?\s*(?:\d+(?:-\d+)*(?:\.\d+)*[.)]|[а-яa-z]\))\s*")
SIM_FLOOR = 0.35
SAME = 0.999


def body(text: str) -> str:
    """A norm's text without its own number and closing punctuation, for comparison."""
    t = _LEAD_NUM.sub("", text.strip())
    return re.sub(r"[\s;.,»\"]+$", "", t).strip().lower()


@dataclass
class Quote:
    """A finding of the draft to resolve: its factor, the words it quoted, and where it is: ``start``
    (an offset in the normalized draft text) or else its norm's ``locator``."""

    code: str
    quote: str = ""
    start: int | None = None
    locator: str | None = None


class PairJSON(TypedDict):
    draft: str | None               # the locators of the aligned norms
    adopted: str | None
    status: str                     # same | changed | deleted | inserted
    similarity: float
    draft_text: str | None
    adopted_text: str | None


class ResolvedJSON(TypedDict):
    """A finding of the draft, resolved or not in the adopted text (``adopted`` and the texts only
    when its norm was found in the draft)."""

    locator: str | None
    code: str
    quote: str
    resolved: bool
    how: str
    adopted: NotRequired[str | None]
    draft_text: NotRequired[str]
    adopted_text: NotRequired[str | None]


class CompareJSON(TypedDict):
    """``lexpert compare --format json``."""

    pairs: list[PairJSON]
    findings: list[ResolvedJSON]
    summary: dict[str, int]


@dataclass
class Pair:
    draft: Norm | None
    adopted: Norm | None
    status: str            # same | changed | deleted | inserted
    similarity: float


def _norms(text: str) -> tuple[str, list[Norm]]:
    t = normalize(text)
    return t, [n for n in extract_norms(parse(t), t) if body(n.text)]


def align_norms(a: list[Norm], b: list[Norm]) -> list[Pair]:
    """Optimal one-to-one alignment of two norm lists (draft order, then insertions)."""
    from scipy.optimize import linear_sum_assignment
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not a or not b:
        return [Pair(n, None, "deleted", 0.0) for n in a] + [Pair(None, n, "inserted", 0.0) for n in b]
    ta, tb = [body(n.text) for n in a], [body(n.text) for n in b]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit(ta + tb)
    A, B = vec.transform(ta), vec.transform(tb)
    sim = (A @ B.T).toarray()
    for i, x in enumerate(ta):
        for j, y in enumerate(tb):
            if x == y:
                sim[i, j] = 1.0
            elif a[i].locator == b[j].locator:
                sim[i, j] += 0.05
    rows, cols = linear_sum_assignment(-sim)
    match = {i: j for i, j in zip(rows, cols) if sim[i, j] >= SIM_FLOOR}
    used = set(match.values())
    pairs: list[Pair] = []
    for i, n in enumerate(a):
        if i in match:
            j = match[i]
            status = "same" if ta[i] == tb[j] else "changed"
            pairs.append(Pair(n, b[j], status, float(min(1.0, sim[i, j]))))
        else:
            pairs.append(Pair(n, None, "deleted", 0.0))
    for j, n in enumerate(b):
        if j not in used:
            pairs.append(Pair(None, n, "inserted", 0.0))
    return pairs


# what a fix of each factor typically adds to the norm
_FIX_SIGNALS = {
    "discretion.broad": r"в\s+течение\s+\S+|не\s+позднее|рабоч\w+\s+дн|календарн\w+\s+дн|күн\w*\s+ішінде|жұмыс\s+күн|кешіктірмей",
    "discretion.procedure": r"в\s+течение\s+\S+|не\s+позднее|рабоч\w+\s+дн|календарн\w+\s+дн|күн\w*\s+ішінде|жұмыс\s+күн|кешіктірмей|уведомля|хабарла",
    "discretion.may": r"\bобязан\w*|\bосуществляет\b|\bпринимает\b|міндетті|жүзеге\s+асырады",
    "hidden_service": r"государственн\w+\s+услуг|мемлекеттік\s+көрсетілетін\s+қызмет|информационн\w+\s+систем|ақпараттық\s+жүйе",
    "burden.requirements": r"информационн\w+\s+систем|ақпараттық\s+жүйе|не\s+допускается|талап\s+етуге\s+жол\s+берілмейді",
}


def finding_resolved(code: str, quote: str, draft_norm: Norm, adopted_norm: Norm | None,
                     detector: Detector, lang: str) -> tuple[bool, str]:
    """(resolved, how) for one finding, given its norm in the draft and the aligned adopted norm."""
    if adopted_norm is None:
        return True, "deleted"
    if body(draft_norm.text) == body(adopted_norm.text):
        return False, "unchanged"
    q = " ".join(quote.lower().split())
    adopted_low = " ".join(adopted_norm.text.lower().split())
    quote_gone = bool(q) and q not in adopted_low
    thr = (getattr(detector, "thresholds", None) or {}).get(code, 0.5)
    scores = _scores(detector, [draft_norm.text, adopted_norm.text], lang,
                     [draft_norm.context, adopted_norm.context])
    before, after = scores[0].get(code, 0.0), scores[1].get(code, 0.0)
    fix = _FIX_SIGNALS.get(code)
    gained = bool(fix and re.search(fix, adopted_low) and not re.search(fix, draft_norm.text.lower()))
    if quote_gone and (after < thr or after < before * 0.6):
        return True, "reworded: the quoted words are gone and the factor is no longer detected"
    if quote_gone and gained:
        return True, "reworded: the quoted words are gone and the norm gained what the factor lacked"
    if gained and after < thr:
        return True, "reworded: the norm gained what the factor lacked"
    if quote_gone:
        return (after < thr), ("reworded: factor no longer detected" if after < thr
                               else "reworded, but the factor is still detected")
    return False, "still present: the quoted words remain"


def _scores(detector: Detector, texts, lang, contexts) -> list[dict[str, float]]:
    if hasattr(detector, "score"):
        return detector.score(texts, lang, contexts)
    from .detect.rules import best_hits

    return [{c: h.score for c, h in best_hits(hs).items()} for hs in detector.detect(texts, lang, contexts)]


def compare(draft_text: str, adopted_text: str, findings: Iterable[Quote] | None = None,
            detector: Detector | None = None) -> CompareJSON:
    """Align two versions; resolve ``findings`` (by default the detector's own findings on the
    draft). Returns the JSON contract of ``lexpert compare``."""
    from .nlp.lang import detect as detect_lang

    det = detector or default_detector()
    dtext, dnorms = _norms(draft_text)
    atext, anorms = _norms(adopted_text)
    pairs = align_norms(dnorms, anorms)
    by_draft = {id(p.draft): p for p in pairs if p.draft is not None}
    lang = detect_lang(dtext)
    if findings is None:
        from .pipeline import analyze_text

        rep = analyze_text(dtext, detector=det)
        norm_at = {n.id: n for n in rep.norms}
        findings = [Quote(code=f.code, quote=f.evidence, start=f.evidence_start, locator=norm_at[f.norm_id].locator)
                    for f in rep.findings]
    out_findings: list[ResolvedJSON] = []
    for f in findings:
        norm = _norm_for(f, dnorms)
        if norm is None:
            out_findings.append({**_public(f), "resolved": False, "how": "norm not found in the draft"})
            continue
        p = by_draft[id(norm)]
        resolved, how = finding_resolved(f.code, f.quote, norm, p.adopted, det, lang)
        out_findings.append({**_public(f), "locator": norm.locator, "resolved": resolved, "how": how,
                             "adopted": p.adopted.locator if p.adopted else None,
                             "draft_text": norm.text, "adopted_text": p.adopted.text if p.adopted else None})
    return {
        "pairs": [{"draft": p.draft.locator if p.draft else None, "adopted": p.adopted.locator if p.adopted else None,
                   "status": p.status, "similarity": round(p.similarity, 3),
                   "draft_text": p.draft.text if p.draft else None,
                   "adopted_text": p.adopted.text if p.adopted else None} for p in pairs],
        "findings": out_findings,
        "summary": {s: sum(p.status == s for p in pairs) for s in ("same", "changed", "deleted", "inserted")}
                   | {"findings": len(out_findings), "resolved": sum(f["resolved"] for f in out_findings)},
    }


def _public(f: Quote) -> dict[str, str | None]:
    return {"locator": f.locator, "code": f.code, "quote": f.quote}


def _norm_for(f: Quote, norms: list[Norm]) -> Norm | None:
    if f.start is not None:
        for n in norms:
            if n.start <= f.start < n.end:
                return n
    q = " ".join(f.quote.split()).lower()
    cands = [n for n in norms if f.locator and n.locator == f.locator]
    if q:
        cands = [n for n in (cands or norms) if q in " ".join(n.text.split()).lower()] or cands
    return cands[0] if cands else None


def truth_findings(draft_text: str, truth: dict[str, Any]) -> list[Quote]:
    """Findings of a version pair's truth.json as inputs to :func:`compare` (offsets in the
    normalized draft)."""
    raw_lines = draft_text.split("\n")
    norm_text = normalize(draft_text)
    out = []
    for f in truth["findings"]:
        line = normalize(raw_lines[f["draft_line"] - 1]).strip()
        pos = norm_text.find(line)
        q = normalize(f["quote"]).strip()
        start = norm_text.find(q, pos) if pos >= 0 else norm_text.find(q)
        out.append(Quote(code=f["code"], quote=q, start=start if start >= 0 else None))
    return out


def render_text(res: CompareJSON) -> str:
    lines = ["Alignment: " + ", ".join(f"{k} {v}" for k, v in res["summary"].items()), ""]
    for p in res["pairs"]:
        if p["status"] != "same":
            lines.append(f"[{p['status']}] {p['draft'] or '—'}  ->  {p['adopted'] or '—'}")
            if p["draft_text"]:
                lines.append(f"    draft:   {p['draft_text'][:200]}")
            if p["adopted_text"]:
                lines.append(f"    adopted: {p['adopted_text'][:200]}")
    lines.append("")
    lines.append("Findings:")
    for f in res["findings"]:
        mark = "RESOLVED" if f["resolved"] else "OPEN"
        lines.append(f"  {mark:8s} {f['code']:22s} {f['locator']}: «{f['quote'][:60]}» — {f['how']}")
    return "\n".join(lines)


def pair_accuracy(pairs) -> dict[str, Any]:
    """Share of version-pair findings whose resolved status matches the truth (corpus check)."""
    total = correct = 0
    details = []
    for vp in pairs:
        draft = vp["draft"].read_text(encoding="utf-8")
        adopted = vp["adopted"].read_text(encoding="utf-8")
        fs = truth_findings(draft, vp["truth"])
        res = compare(draft, adopted, fs)
        for got, want in zip(res["findings"], vp["truth"]["findings"]):
            total += 1
            ok = got["resolved"] == want["resolved"]
            correct += ok
            if not ok:
                details.append({"pair": vp["id"], "code": want["code"], "quote": want["quote"],
                                "truth": want["resolved"], "got": got["resolved"], "how": got["how"]})
    return {"findings": total, "correct": correct, "accuracy": round(correct / max(1, total), 4), "errors": details}


