"""Draw the units that carry findings on open real acts never used to fit the unit classifier,
for a second annotation round (are the flagged units normative?). Deterministic.

Writes corpora/realunits/finding_units_sample_rN.jsonl (stand-off, no text; merged with the two
annotations into finding_units.jsonl) and, for the
annotators only, OUT/items_f.jsonl with the unit text and neighbours (never committed).

    python scripts/realunits_findings_sample.py --round 3 --seed 33 --out /tmp/annot/round3
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from lexpert.training import realacts
from lexpert.pipeline import analyze
from lexpert.structure.units import contexts
from lexpert.training.units import load_labels

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/annot/round2")
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--n", type=int, default=320)
    ap.add_argument("--acts", type=int, default=260)
    ap.add_argument("--round", type=int, default=2, help="2: the first flagged-unit round; 3: fresh acts after it")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    trained = {r["act"] for r in load_labels() if r["split"] == "train"}
    flagged = ROOT / "corpora" / "realunits" / "finding_units.jsonl"
    if a.round > 2 and flagged.exists():
        trained |= {r["act"] for r in load_labels(flagged)}     # acts of earlier rounds were trained on
    acts = realacts.acts()
    pool = sorted(x for x in acts if x not in trained and acts[x].chars < 150_000)
    chosen = sorted(rnd.sample(pool, min(a.acts, len(pool))))
    cands = []
    for x in chosen:
        rep = analyze(realacts.get(x).path)
        flagged = {f.norm_id: f.code for f in rep.findings}
        if not flagged:
            continue
        ctx = {(n.text_start, n.text_end): c for act in rep.structure.children for n, _, c in contexts(act, rep.text)}
        for n in rep.norms:
            if n.id in flagged:
                c = ctx.get((n.start, n.end), {})
                cands.append((x, n, c, flagged[n.id]))
    rnd.shuffle(cands)
    take = sorted(cands[: a.n], key=lambda z: (z[0], z[1].start))
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "items_f.jsonl", "w", encoding="utf-8") as fi, \
            open(ROOT / "corpora" / "realunits" / f"finding_units_sample_r{a.round}.jsonl", "w", encoding="utf-8") as fs:
        for x, n, c, code in take:
            uid = f"{x}:{n.start}-{n.end}"
            fs.write(json.dumps({"uid": uid, "act": x, "span": [n.start, n.end], "sha": realacts.span_hash(n.text),
                                 "kind": n.kind, "lang": acts[x].lang, "code": code, "round": a.round},
                                ensure_ascii=False) + "\n")
            fi.write(json.dumps({"uid": uid, "act_kind": acts[x].kind, "lang": acts[x].lang, "locator": n.locator,
                                 "node_kind": n.kind, "prev": (c.get("prev") or "")[:300], "text": n.text[:1500],
                                 "next": (c.get("next") or "")[:300]}, ensure_ascii=False) + "\n")
    print(f"{len(take)} flagged units of {len(cands)} from {len(chosen)} acts")


if __name__ == "__main__":
    main()
