"""Merge an annotation round of real norms (issue 18) into corpora/realnorms/labels.jsonl.

    python scripts/realnorms_merge.py disputes --round 1 --dir /tmp/rn/r1
    python scripts/realnorms_merge.py merge --round 1 --dir /tmp/rn/r1

``disputes`` writes DIR/batchK/disputes.jsonl: the items where the two independent annotators
(DIR/batchK/A, DIR/batchK/B) gave different code sets, for the adjudicator (DIR/batchK/ADJ).
``merge`` joins the sample (corpora/realnorms/sample_rN.jsonl), both annotations and the
adjudication (DIR/batchK/ADJ or DIR/ADJ*/ for several batches), adds the lead-in span of each subpoint, the split by act, and rewrites the
round's lines of labels.jsonl and its agreement figures in agreement.json. No text of the acts
is written to the corpus.
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from lexpert.training import realacts
from lexpert.training.realnorms import split_of
from lexpert.taxonomy import FAMILIES, load_taxonomy

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpora" / "realnorms"


def read_labels(p: Path) -> dict[int, list[str]]:
    codes = set(load_taxonomy().codes)
    out: dict[int, list[str]] = {}
    for line in p.open(encoding="utf-8"):
        if not line.strip():
            continue
        d = json.loads(line)
        bad = [c for c in d["factors"] if c not in codes]
        if bad:
            raise SystemExit(f"{p}: item {d['i']}: unknown codes {bad}")
        out[int(d["i"])] = sorted(set(d["factors"]))
    return out


def batches(d: Path) -> list[Path]:
    return sorted((p for p in d.glob("batch*") if p.is_dir()), key=lambda p: int(p.name[5:]))


def kappa(a: list[bool], b: list[bool]) -> float | None:
    n = len(a)
    if not n:
        return None
    po = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return round((po - pe) / (1 - pe), 3) if pe < 1 else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("stage", choices=("disputes", "merge"))
    ap.add_argument("--round", type=int, required=True)
    ap.add_argument("--dir", required=True)
    a = ap.parse_args()
    d = Path(a.dir)
    items = [json.loads(line) for line in open(d / "items.jsonl", encoding="utf-8")]
    if a.stage == "disputes":
        n = 0
        for b in batches(d):
            A, B = read_labels(b / "A" / "labels.jsonl"), read_labels(b / "B" / "labels.jsonl")
            mine = [json.loads(line) for line in open(b / "items.jsonl", encoding="utf-8")]
            missing = [it["i"] for it in mine if it["i"] not in A or it["i"] not in B]
            if missing:
                raise SystemExit(f"{b}: {len(missing)} items lack a label (first {missing[:5]})")
            with open(b / "disputes.jsonl", "w", encoding="utf-8") as fh:
                for it in mine:
                    if A[it["i"]] != B[it["i"]]:
                        fh.write(json.dumps({**it, "annotator_1": A[it["i"]], "annotator_2": B[it["i"]]},
                                            ensure_ascii=False) + "\n")
                        n += 1
        print(f"{n} disputed items")
        return
    tax = load_taxonomy()
    sample = [json.loads(line) for line in open(CORPUS / f"sample_r{a.round}.jsonl", encoding="utf-8")]
    assert len(sample) == len(items) and all(s["uid"] == it["uid"] for s, it in zip(sample, items))
    A: dict[int, list[str]] = {}
    B: dict[int, list[str]] = {}
    ADJ: dict[int, list[str]] = {}
    for b in batches(d):
        A.update(read_labels(b / "A" / "labels.jsonl"))
        B.update(read_labels(b / "B" / "labels.jsonl"))
        if (b / "ADJ" / "labels.jsonl").exists():
            ADJ.update(read_labels(b / "ADJ" / "labels.jsonl"))
    for p in sorted(d.glob("ADJ*/labels.jsonl")):       # an adjudicator of several batches
        ADJ.update(read_labels(p))
    # the lead-in of each subpoint, as a span of the act's text
    from lexpert.pipeline import analyze
    ctx_span: dict[str, list[int]] = {}
    for act in sorted({s["act"] for s in sample}):
        rep = analyze(realacts.get(act).path)
        want = {(s["span"][0], s["span"][1]) for s in sample if s["act"] == act}
        for n in rep.norms:
            if (n.start, n.end) in want and n.context:
                k = rep.text.rfind(n.context, 0, n.start)
                if k >= 0:
                    ctx_span[f"{act}:{n.start}-{n.end}"] = [k, k + len(n.context)]
    out = []
    for i, s in enumerate(sample):
        if i not in A or i not in B:
            raise SystemExit(f"item {i}: not labelled by both annotators")
        agreed = A[i] == B[i]
        if not agreed and i not in ADJ:
            raise SystemExit(f"item {i}: disputed and not adjudicated")
        row = {**s, "split": split_of(s["act"]), "labels_a": A[i], "labels_b": B[i],
               "factors": A[i] if agreed else ADJ[i], "adjudicated": not agreed}
        if s["uid"] in ctx_span:
            row["ctx_span"] = ctx_span[s["uid"]]
        out.append(row)
    path = CORPUS / "labels.jsonl"
    keep = [json.loads(line) for line in path.open(encoding="utf-8")] if path.exists() else []
    keep = [r for r in keep if r["round"] != a.round]
    with path.open("w", encoding="utf-8") as fh:
        for r in keep + out:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    # agreement per family and language
    agr_path = CORPUS / "agreement.json"
    agr = json.loads(agr_path.read_text()) if agr_path.exists() else {}
    rows = [r for r in keep + out]
    figs: dict[str, dict] = {}
    for lang in ("ru", "kk", "all"):
        rs = [r for r in rows if lang == "all" or r["lang"] == lang]
        fa = [{tax.family_of(c) for c in r["labels_a"]} for r in rs]
        fb = [{tax.family_of(c) for c in r["labels_b"]} for r in rs]
        figs[lang] = {
            "norms": len(rs),
            "kappa_any_factor": kappa([bool(x) for x in fa], [bool(x) for x in fb]),
            "kappa_family": {f: kappa([f in x for x in fa], [f in x for x in fb]) for f in FAMILIES},
            "kappa_code": {c: kappa([c in r["labels_a"] for r in rs], [c in r["labels_b"] for r in rs])
                           for c in tax.codes},
            "exact_code_set_agreement": round(sum(r["labels_a"] == r["labels_b"] for r in rs) / max(1, len(rs)), 3),
            "adjudicated": sum(r["adjudicated"] for r in rs),
            "with_factor": sum(bool(r["factors"]) for r in rs),
            "codes": dict(Counter(c for r in rs for c in r["factors"]).most_common()),
        }
    agr["all_rounds"] = figs
    agr_path.write_text(json.dumps(agr, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: {kk: v[kk] for kk in ("norms", "kappa_any_factor", "kappa_family", "with_factor")}
                      for k, v in figs.items()}, ensure_ascii=False, indent=1))
    print(Counter(r["split"] for r in rows))


if __name__ == "__main__":
    main()
