"""Sentence-level classification: the ``lexpert classify`` contract of factors.md.

IN: JSONL ``{"id": str, "text": str, "lang": "ru" | "kk" | null}``.
OUT: one line per input line, same order: ``{"id", "factors": [code...], "scores": {code: p}}``
with a score for every code of the taxonomy, and ``factors`` the codes at or above
their threshold (empty where none applies).

Besides the detector, a sentence gets the sentence-level checks ``analyze`` runs after it: a
demand of a document the state already holds (:mod:`lexpert.detect.stateheld`) is
``burden.requirements``, and a ground for refusal that points to the requirements of unnamed
acts (:mod:`lexpert.detect.unnamed_requirements`) is ``burden.refusal``, each with its check's
score (0.8) where the detector scored the code lower, so ``classify`` and ``analyze`` agree on
the same sentence.
"""
from __future__ import annotations

import json
from typing import IO, Any, Iterable, Iterator

from .base import Detector, default_detector
from .rules import best_hits
from ..errors import ContractError
from ..nlp.lang import detect
from ..nlp.normalize import normalize
from ..taxonomy import load_taxonomy

BATCH = 512


MAX_LINE_BYTES = 1_000_000     # one sentence per line: a longer line is refused, not read into memory whole


def parse_line(raw: str | bytes, lineno: int) -> dict[str, Any]:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ContractError(f"line {lineno}: not valid UTF-8 (byte {exc.start + 1})") from exc
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ContractError(f"line {lineno}: not valid JSON ({exc.msg})") from exc
    except RecursionError as exc:
        raise ContractError(f"line {lineno}: JSON nested too deeply") from exc
    if not isinstance(obj, dict):
        raise ContractError(f"line {lineno}: expected a JSON object")
    if not isinstance(obj.get("id"), str):
        raise ContractError(f"line {lineno}: 'id' must be a string")
    if not isinstance(obj.get("text"), str):
        raise ContractError(f"line {lineno}: 'text' must be a string")
    for key in ("id", "text"):
        try:
            obj[key].encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ContractError(f"line {lineno}: '{key}' holds a lone surrogate (\\u{ord(exc.object[exc.start]):04x}), "
                                f"not text") from exc
    lang = obj.get("lang")
    if lang not in (None, "ru", "kk"):
        raise ContractError(f"line {lineno}: 'lang' must be \"ru\", \"kk\" or null, got {lang!r}")
    return obj


def classify_texts(texts: list[str], langs: list[str | None], detector: Detector | None = None,
                   thresholds: dict[str, float] | None = None,
                   contexts: list[str | None] | None = None, checks: bool = True) -> list[dict[str, Any]]:
    """Factors and scores for each text (normalized first; language detected when None).

    ``contexts``: the lead-in of the list each text belongs to, where known (not part of
    the classify contract, which has only the sentence; ``analyze`` and evaluation use it).
    ``checks``: also run the sentence-level checks (state-held documents, unnamed requirements
    as a refusal ground), as ``classify`` does; False: the detector alone.
    """
    from .checks import check_scores

    contexts = contexts or [None] * len(texts)
    det = detector or default_detector()
    tax = load_taxonomy()
    thr = getattr(det, "thresholds", None) or thresholds or {}
    clean = [normalize(t).strip() for t in texts]
    eff = [lg or detect(t, default="ru") for t, lg in zip(clean, langs)]
    eff = [lg if lg in ("ru", "kk") else "ru" for lg in eff]
    out: list[dict[str, Any] | None] = [None] * len(texts)
    for lang in ("ru", "kk"):
        idx = [i for i, lg in enumerate(eff) if lg == lang]
        if not idx:
            continue
        sub_ctx = [contexts[i] for i in idx]
        scored = det.score([clean[i] for i in idx], lang, sub_ctx) if hasattr(det, "score") else None
        hits = None if scored is not None else det.detect([clean[i] for i in idx], lang, sub_ctx)
        for k, i in enumerate(idx):
            if scored is not None:
                scores = {c: float(scored[k].get(c, 0.0)) for c in tax.codes}
            else:
                best = best_hits(hits[k])
                scores = {c: (best[c].score if c in best else 0.0) for c in tax.codes}
            if checks:
                for code, s in check_scores(clean[i], lang, contexts[i]).items():
                    scores[code] = max(scores[code], s)
            factors = [c for c in tax.codes if scores[c] >= thr.get(c, 0.5)]
            out[i] = {"factors": factors, "scores": {c: round(v, 4) for c, v in scores.items()}}
    return out  # type: ignore[return-value]


def classify_stream(inp: IO[str], out: IO[str], detector: Detector | None = None) -> int:
    """Read the contract's JSONL from ``inp`` and write results to ``out``; returns the line count."""
    n = 0
    for batch in _batches(_read(inp), BATCH):
        res = classify_texts([r["text"] for r in batch], [r.get("lang") for r in batch], detector)
        for r, o in zip(batch, res):
            out.write(json.dumps({"id": r["id"], **o}, ensure_ascii=False) + "\n")
            n += 1
    return n


def _read(inp: IO) -> Iterator[dict[str, Any]]:
    """The contract's lines, each read no further than MAX_LINE_BYTES (text or binary streams)."""
    lineno = 0
    while True:
        raw = inp.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        lineno += 1
        nl = b"\n" if isinstance(raw, bytes) else "\n"
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(nl):
            raise ContractError(f"line {lineno}: longer than {MAX_LINE_BYTES:,} bytes (one sentence per line)")
        if not raw.strip():
            raise ContractError(f"line {lineno}: empty line (one JSON object per line is required)")
        yield parse_line(raw, lineno)


def _batches(it: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    buf: list[dict[str, Any]] = []
    for x in it:
        buf.append(x)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf
