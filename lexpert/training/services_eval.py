"""Measurement of the hidden-service layer on the annotated corpus, and of the extractor
against the hand-made truth (``corpora/services/truth.jsonl``).

    python -m lexpert.training.services_eval --split test            # P/R of hidden_service, by language
    python -m lexpert.training.services_eval --truth                 # field-level accuracy of the extractor

The corpus labels sentences; ``analyze`` flags norms of whole documents. Each test document
is analysed whole (so the layer sees neighbouring norms), and a finding counts for the
annotated sentence its evidence falls in (or for every sentence of its norm when the
evidence is outside all of them). The same mapping is used with and without the layer.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from . import corpora
from ..detect.base import default_detector, detect_findings
from ..detect.metrics import prf
from ..nlp.normalize import normalize
from ..structure import norms as extract_norms
from ..structure import parse
from ..detect.services.extract import extract
from ..detect.services.layer import CODE, apply
from ..detect.services.register import Register, resolve_register


def _doc_rows(split: str, root=None) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in corpora.load_norms(split, root):
        out.setdefault(r["doc_id"], []).append(r)
    return out


def run(split: str = "test", register: "str | Register | None" = None, root=None, det=None) -> dict[str, Any]:
    """P/R/F1 of ``hidden_service`` per language: the default detector alone; with the layer as
    ``analyze`` runs it (``layer``: enrich and clear, plus additions when ``LEXPERT_SERVICES_ADD`` is
    on); with the layer's additions forced on (``layer_add``); the extractor alone."""
    det = det or default_detector()
    reg = resolve_register(register) if register is not None else None
    docs = {d.id: d for d in corpora.documents(root)}
    modes = ("detector", "layer", "layer_add", "extractor_only", "rules", "rules+layer")
    counts = {mode: {lang: [0, 0, 0] for lang in ("ru", "kk", "all")} for mode in modes}
    errors: dict[str, list[dict[str, Any]]] = {m: [] for m in modes}
    from ..detect.base import RuleDetector

    rules = RuleDetector()
    for doc_id, rows in _doc_rows(split, root).items():
        doc = docs[doc_id]
        text = normalize(doc.text())
        units = extract_norms(parse(text), text)
        located = corpora._locate(doc, [{"line": r["line"], "text": r["text"]} for r in rows])
        base = detect_findings(units, det)
        layered = apply(units, [_copy(f) for f in base], text, reg)
        adding = apply(units, [_copy(f) for f in base], text, reg, add=True)
        only = apply(units, [], text, reg, add=True)
        rb = detect_findings(units, rules)
        rl = apply(units, [_copy(f) for f in rb], text, reg)
        for mode, fs in (("detector", base), ("layer", layered), ("layer_add", adding), ("extractor_only", only), ("rules", rb),
                         ("rules+layer", rl)):
            flagged = _row_predictions(rows, located, units, fs)
            for r, pred in zip(rows, flagged):
                gold = CODE in r["factors"]
                for lang in (r["lang"], "all"):
                    c = counts[mode][lang]
                    c[0] += gold and pred
                    c[1] += (not gold) and pred
                    c[2] += gold and not pred
                if gold != pred:
                    errors[mode].append({"kind": "FN" if gold else "FP", "doc": doc_id, "line": r["line"],
                                         "lang": r["lang"], "text": r["text"][:200]})
    return {"split": split, "register": getattr(reg, "source", None),
            "scores": {mode: {lang: prf(*c) for lang, c in d.items()} for mode, d in counts.items()},
            "errors": errors}


def _copy(f):
    from dataclasses import replace

    return replace(f)


def _row_predictions(rows, located, units, findings) -> list[bool]:
    hs = [f for f in findings if f.code == CODE]
    out = []
    spans = [(loc["char_start"], loc["char_end"]) for loc in located]
    for (a, b) in spans:
        norm = next((n for n in units if n.start <= a < n.end), None)
        pred = False
        if norm is not None:
            rows_in_norm = [(x, y) for x, y in spans if norm.start <= x < norm.end]
            for f in hs:
                if f.norm_id != norm.id:
                    continue
                if a <= f.evidence_start < b or len(rows_in_norm) == 1 or \
                        not any(x <= f.evidence_start < y for x, y in rows_in_norm):
                    pred = True
        out.append(pred)
    return out


# --------------------------------------------------------------------------- truth
def _norm_s(s: Any) -> str:
    return " ".join(str(s or "").lower().replace("ё", "е").split())


def truth_accuracy(path: str | Path | None = None, root=None) -> dict[str, Any]:
    """Field-level accuracy of the extractor against ``corpora/services/truth.jsonl``."""
    root_p = corpora.corpora_root(root)
    path = Path(path) if path else root_p / "services" / "truth.jsonl"
    truth = [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    docs = {d.id: d for d in corpora.documents(root)}
    cache: dict[str, tuple] = {}
    fields = ("is_obligation", "kind", "provider", "obligor", "term", "fee", "refusal", "documents")
    right = {f: 0 for f in fields}
    total = {f: 0 for f in fields}
    misses = []
    for t in truth:
        doc = docs[t["doc_id"]]
        if doc.id not in cache:
            text = normalize(doc.text())
            units = extract_norms(parse(text), text)
            cache[doc.id] = (text, units, extract(units, text))
        text, units, recs = cache[doc.id]
        located = corpora._locate(doc, [{"line": t["line"], "text": t["text"]}])[0]
        norm = next(n for n in units if n.start <= located["char_start"] < n.end)
        mine = [r for r in recs if r.norm_id == norm.id]
        exp = t["expected"]
        got = mine[0] if mine else None
        checks = {"is_obligation": (bool(exp), got is not None)}
        if exp:
            if got is not None:
                checks["kind"] = (exp["kind"], got.kind)
                checks["provider"] = (exp.get("provider"), got.provider)
                checks["obligor"] = (exp.get("obligor"), got.obligor)
                checks["term"] = (exp.get("term"), got.term)
                checks["fee"] = (exp.get("fee"), got.fee)
                checks["refusal"] = (exp.get("refusal", "none"), got.refusal)
                checks["documents"] = (bool(exp.get("documents")), bool(got.documents))
            else:
                for f in fields[1:]:
                    checks[f] = (exp.get(f, "none" if f == "refusal" else None), "<no record>")
        for f, (e, g) in checks.items():
            total[f] += 1
            ok = _field_ok(f, e, g)
            right[f] += ok
            if not ok:
                misses.append({"doc": t["doc_id"], "line": t["line"], "field": f, "expected": e, "got": g})
    acc = {f: {"accuracy": round(right[f] / total[f], 4) if total[f] else None, "n": total[f]} for f in fields}
    # the same fields, counted only where a record was extracted for an expected obligation
    found = {(m["doc"], m["line"]) for m in misses if m["field"] == "is_obligation"}
    cond_r = {f: 0 for f in fields[1:]}
    cond_t = {f: 0 for f in fields[1:]}
    for t in truth:
        if not t["expected"] or (t["doc_id"], t["line"]) in found:
            continue
        for f in fields[1:]:
            cond_t[f] += 1
            cond_r[f] += not any(m["doc"] == t["doc_id"] and m["line"] == t["line"] and m["field"] == f for m in misses)
    given = {f: {"accuracy": round(cond_r[f] / cond_t[f], 4) if cond_t[f] else None, "n": cond_t[f]} for f in cond_t}
    allr, allt = sum(right.values()), sum(total.values())
    return {"norms": len(truth), "fields": acc, "overall": round(allr / max(1, allt), 4),
            "fields_given_record": given, "misses": misses}


def _field_ok(field: str, e: Any, g: Any) -> bool:
    if g == "<no record>":
        return False
    if field in ("provider", "obligor"):
        if e is None:
            return g is None
        if g is None:
            return False
        # the expected key words (the head of the name) must be in what was extracted
        return all(w in _norm_s(g) for w in _norm_s(e).split())
    if field == "term":
        if e is None:
            return g is None
        return g is not None and bool(re.search(_norm_s(e).split()[-1][:4], _norm_s(g))) and \
            _norm_s(e).split()[0][:4] in _norm_s(g)
    return e == g


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lexpert.training.services_eval")
    ap.add_argument("--split", default="test", choices=corpora.SPLITS)
    ap.add_argument("--register", default=None, help="register table, or 'sample' for the bundled sample")
    ap.add_argument("--truth", action="store_true", help="field-level accuracy of the extractor on the truth set")
    ap.add_argument("--errors", action="store_true")
    a = ap.parse_args(argv)
    if a.truth:
        res = truth_accuracy()
        if not a.errors:
            res.pop("misses")
    else:
        res = run(a.split, a.register)
        if not a.errors:
            res.pop("errors")
    json.dump(res, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
