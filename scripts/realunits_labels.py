"""Merge the two annotations and the adjudication into corpora/realunits/labels.jsonl.

Inputs (from the annotation rounds, outside the repository): ANNOT/labels_A_*.jsonl and
ANNOT/labels_B_*.jsonl ({"uid", "label"}), replacements for part of B in ANNOT/redo/
(labels_B_*.jsonl), and ANNOT/adjudicated*.jsonl for the units the two disagree on.
Output: stand-off labels (no text): uid, act, span, sha, kind, lang, split, stratum,
label_a, label_b, label, adjudicated.

    python scripts/realunits_labels.py --annot /tmp/annot
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "corpora" / "realunits"


def _read(paths) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for p in sorted(paths):
        for line in open(p, encoding="utf-8"):
            if line.strip():
                d = json.loads(line)
                out[d["uid"]] = d
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--annot", default="/tmp/annot")
    a = ap.parse_args()
    ann = Path(a.annot)
    A = _read(ann.glob("labels_A_*.jsonl"))
    B = _read(ann.glob("labels_B_*.jsonl"))
    B.update(_read((ann / "redo").glob("labels_B_*.jsonl")))
    adj: dict[str, dict] = {}
    for f in sorted(ann.glob("adjudicated*.jsonl")):       # a round: adjudicated_K.jsonl <- disagreements_K.jsonl
        pairs = _read([ann / f.name.replace("adjudicated", "disagreements")])
        for u, d in _read([f]).items():
            adj[u] = {**d, "pair": {"a": pairs[u]["label_1"], "b": pairs[u]["label_2"]}}
    sample = [json.loads(line) for line in open(OUT / "sample.jsonl", encoding="utf-8")]
    from lexpert.training.units import labelled_items

    missing, gone = [], []
    with open(OUT / "labels.jsonl", "w", encoding="utf-8") as fh:
        for s in sample:
            u = s["uid"]
            la, lb = A[u]["label"], B[u]["label"]
            if la == lb:
                final, adjudicated = la, False
            elif u in adj and adj[u]["pair"] == {"a": la, "b": lb}:
                final, adjudicated = adj[u]["label"], True
            else:
                missing.append(u)
                continue
            row = {**s, "label_a": la, "label_b": lb, "label": final, "adjudicated": adjudicated}
            try:
                labelled_items([row])
            except ValueError:
                gone.append(u)           # the parser no longer cuts this unit (a table row now read whole)
                continue
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if missing:
        raise SystemExit(f"{len(missing)} disagreements lack an adjudication (e.g. {missing[:3]})")
    print(f"{len(sample) - len(gone)} labels -> {OUT / 'labels.jsonl'}; {len(gone)} units no longer cut so: {gone}")


if __name__ == "__main__":
    main()
