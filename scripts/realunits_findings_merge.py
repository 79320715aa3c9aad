"""Merge a flagged-unit round's two annotations and its adjudication into
corpora/realunits/finding_units.jsonl (stand-off: no text).

Inputs: corpora/realunits/finding_units_sample_rN.jsonl (from realunits_findings_sample.py),
ANNOT/labels_A_f.jsonl and ANNOT/labels_B_f.jsonl ({"uid", "label"}), ANNOT/disagreements.jsonl
and ANNOT/adjudicated.jsonl ({"uid", "label"}) for the units the two disagree on.

    python scripts/realunits_findings_merge.py --round 8 --annot /tmp/annot/round8

A top-up sample (``realunits_findings_sample.py --topup``: every line ``topup: true``) joins a
round already merged.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "corpora" / "realunits"


def _read(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    return {d["uid"]: d for d in (json.loads(x) for x in open(path, encoding="utf-8") if x.strip())}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--round", type=int, required=True)
    ap.add_argument("--annot", required=True)
    a = ap.parse_args()
    ann = Path(a.annot)
    sample_path = OUT / f"finding_units_sample_r{a.round}.jsonl"
    sample = [json.loads(x) for x in open(sample_path, encoding="utf-8")]
    A, B = _read(ann / "labels_A_f.jsonl"), _read(ann / "labels_B_f.jsonl")
    adj, dis = _read(ann / "adjudicated.jsonl"), _read(ann / "disagreements.jsonl")
    flagged = OUT / "finding_units.jsonl"
    rows = [json.loads(x) for x in open(flagged, encoding="utf-8")]
    topup = bool(sample) and all(s.get("topup") for s in sample)
    if not topup and any(r.get("round") == a.round for r in rows):
        raise SystemExit(f"round {a.round} is already in {flagged}")
    if topup and {s["uid"] for s in sample} & {r["uid"] for r in rows if r.get("round") == a.round}:
        raise SystemExit(f"a top-up unit of round {a.round} is already labelled in {flagged}")
    new, missing = [], []
    for s in sample:
        u = s["uid"]
        la, lb = A[u]["label"], B[u]["label"]
        if la == lb:
            final, adjudicated = la, False
        elif u in adj and (dis[u]["label_1"], dis[u]["label_2"]) == (la, lb):
            final, adjudicated = adj[u]["label"], True
        else:
            missing.append(u)
            continue
        new.append({**s, "label_a": la, "label_b": lb, "label": final, "adjudicated": adjudicated})
    if missing:
        raise SystemExit(f"{len(missing)} disagreements lack an adjudication (e.g. {missing[:3]})")
    from lexpert.training.units import labelled_items

    labelled_items(new)          # every span still finds its text (hash check), or this fails loudly
    with open(flagged, "a", encoding="utf-8") as fh:
        for r in new:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    sample_path.unlink()
    print(f"round {a.round}: {len(new)} units -> {flagged}")


if __name__ == "__main__":
    main()
