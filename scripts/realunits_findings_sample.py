"""Draw the units that carry findings on open real acts never used to fit the unit classifier,
for a second annotation round (are the flagged units normative?). Deterministic.

Writes corpora/realunits/finding_units_sample_rN.jsonl (stand-off, no text; merged with the two
annotations into finding_units.jsonl), corpora/realunits/finding_acts_rN.json (the ids of the acts
drawn, with or without findings, so that a measurement can run ``analyze`` on exactly these acts
again) and, for the annotators only, OUT/items_f.jsonl with the unit text and neighbours (never
committed).

    python scripts/realunits_findings_sample.py --round 3 --seed 33 --out /tmp/annot/round3

``--until N`` (instead of a fixed ``--acts``): analyze the shuffled open acts one by one and stop
once the drawn acts carry N flagged units; every flagged unit of the drawn acts is then taken
(``--n`` is ignored). ``--fresh-only`` also leaves out round 1's test-split acts (by default only
its train split is left out, as rounds 2-12 were drawn).

Acts listed in an earlier round's finding_acts_rN.json (drawn, with or without a finding) are left
out too (round 14 on; round 13 was the first to list them). ``--max-chars`` (150,000 by default, as
rounds 2-13 were drawn) leaves out longer acts.

``--topup --round N`` (after round N is merged): the units that carry a finding now, on the acts
drawn for round N, that round N did not label (a later change of the rules or detectors put findings
there); they are labelled and merged as round N with ``topup: true``, so that the round measures the
final code on all its findings.
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


def _flagged_units(x: str) -> list:
    """(act, unit, its context, the finding's code) for each unit of act ``x`` that carries a finding."""
    rep = analyze(realacts.get(x).path)
    flagged = {f.norm_id: f.code for f in rep.findings}
    if not flagged:
        return []
    ctx = {(n.text_start, n.text_end): c for act in rep.structure.children for n, _, c in contexts(act, rep.text)}
    return [(x, n, ctx.get((n.start, n.end), {}), flagged[n.id]) for n in rep.norms if n.id in flagged]


def _write(take: list, out: Path, rnd_no: int, extra: dict | None = None) -> None:
    """The stand-off sample (no text) into the corpus, the annotators' items (with text) into ``out``."""
    acts = realacts.acts()
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "items_f.jsonl", "w", encoding="utf-8") as fi, \
            open(ROOT / "corpora" / "realunits" / f"finding_units_sample_r{rnd_no}.jsonl", "w", encoding="utf-8") as fs:
        for x, n, c, code in take:
            uid = f"{x}:{n.start}-{n.end}"
            fs.write(json.dumps({"uid": uid, "act": x, "span": [n.start, n.end], "sha": realacts.span_hash(n.text),
                                 "kind": n.kind, "lang": acts[x].lang, "code": code, "round": rnd_no, **(extra or {})},
                                ensure_ascii=False) + "\n")
            fi.write(json.dumps({"uid": uid, "act_kind": acts[x].kind, "lang": acts[x].lang, "locator": n.locator,
                                 "node_kind": n.kind, "prev": (c.get("prev") or "")[:300], "text": n.text[:1500],
                                 "next": (c.get("next") or "")[:300]}, ensure_ascii=False) + "\n")


def _topup(rnd_no: int, out: Path) -> None:
    """A round measures the classifier of its time; a later change of the rules or detectors can put
    findings on units the round never labelled. Draw those, to be labelled as the same round."""
    drawn = json.load(open(ROOT / "corpora" / "realunits" / f"finding_acts_r{rnd_no}.json", encoding="utf-8"))
    flagged = ROOT / "corpora" / "realunits" / "finding_units.jsonl"
    labelled = {r["uid"] for r in load_labels(flagged) if r.get("round") == rnd_no}
    take = [z for x in drawn["acts"] for z in _flagged_units(x) if f"{x}:{z[1].start}-{z[1].end}" not in labelled]
    _write(take, out, rnd_no, {"topup": True})
    print(f"{len(take)} flagged units of round {rnd_no}'s {len(drawn['acts'])} acts not labelled yet")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/annot/round2")
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--n", type=int, default=320)
    ap.add_argument("--acts", type=int, default=260)
    ap.add_argument("--round", type=int, default=2, help="2: the first flagged-unit round; 3: fresh acts after it")
    ap.add_argument("--until", type=int, default=0, help="draw acts until they carry this many flagged units; take them all")
    ap.add_argument("--fresh-only", action="store_true", help="leave out every act of round 1, not only its train split")
    ap.add_argument("--max-chars", type=int, default=150_000, help="leave out acts longer than this (rounds 2-13: 150,000)")
    ap.add_argument("--topup", action="store_true",
                    help="with --round N of a merged round: the units that carry a finding now on the acts drawn for "
                         "round N (finding_acts_rN.json) and that round N did not label (its sample -> finding_units_sample_rN.jsonl)")
    a = ap.parse_args()
    if a.topup:
        return _topup(a.round, Path(a.out))
    rnd = random.Random(a.seed)
    trained = {r["act"] for r in load_labels() if a.fresh_only or r["split"] == "train"}
    flagged = ROOT / "corpora" / "realunits" / "finding_units.jsonl"
    if a.round > 2 and flagged.exists():
        trained |= {r["act"] for r in load_labels(flagged)}     # acts of earlier rounds were trained on
    for p in (ROOT / "corpora" / "realunits").glob("finding_acts_r*.json"):
        if p.name != f"finding_acts_r{a.round}.json":       # every act an earlier round drew, with a finding or not
            trained |= set(json.load(open(p, encoding="utf-8"))["acts"])
    acts = realacts.acts()
    pool = sorted(x for x in acts if x not in trained and acts[x].chars < a.max_chars)
    if a.until:
        order = rnd.sample(pool, len(pool))
    else:
        order = sorted(rnd.sample(pool, min(a.acts, len(pool))))
    cands, chosen = [], []
    for x in order:
        if a.until and len(cands) >= a.until:
            break
        chosen.append(x)
        cands += _flagged_units(x)
    if a.until:
        take = sorted(cands, key=lambda z: (z[0], z[1].start))
    else:
        rnd.shuffle(cands)
        take = sorted(cands[: a.n], key=lambda z: (z[0], z[1].start))
    _write(take, Path(a.out), a.round)
    with open(ROOT / "corpora" / "realunits" / f"finding_acts_r{a.round}.json", "w", encoding="utf-8") as fh:
        json.dump({"round": a.round, "seed": a.seed, "until": a.until, "fresh_only": a.fresh_only,
                   "pool": len(pool), "acts": sorted(chosen),
                   "acts_with_units": sorted({z[0] for z in take})}, fh, ensure_ascii=False, indent=0)
        fh.write("\n")
    print(f"{len(take)} flagged units of {len(cands)} from {len(chosen)} acts (pool {len(pool)})")


if __name__ == "__main__":
    main()
