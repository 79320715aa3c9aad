"""Draw the sample of real-act units for normative-unit annotation (deterministic).

Writes corpora/realunits/sample.jsonl (stand-off: act id, span, text hash, node kind, stratum,
split; no text) and, for the annotators only, OUT/items_*.jsonl with the unit text and its
neighbours read from the real acts at run time (never committed).

    python scripts/realunits_sample.py --out /tmp/annot
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from lexpert.training import realacts
from lexpert.structure import parse
from lexpert.structure.units import contexts

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/annot")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--kk-acts", type=int, default=80)
    ap.add_argument("--per-act", type=int, default=10)
    ap.add_argument("--batches", type=int, default=2)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    acts = realacts.acts()
    law = sorted(x for x in acts if acts[x].file.startswith("law/"))
    kk = sorted(x for x in acts if acts[x].file.startswith("kk/") and 600 < acts[x].chars < 120_000)
    by_kind: dict[str, list[str]] = {}
    for x in kk:
        by_kind.setdefault(acts[x].kind.split("/")[0], []).append(x)
    chosen_kk: list[str] = []
    kinds = sorted(by_kind)
    while len(chosen_kk) < a.kk_acts:
        for k in kinds:
            pool = [x for x in by_kind[k] if x not in chosen_kk]
            if pool and len(chosen_kk) < a.kk_acts:
                chosen_kk.append(rnd.choice(pool))
    chosen = law + sorted(chosen_kk)
    # split by act (a parallel pair stays on one side): 70% train, 30% test
    groups: dict[str, str] = {}
    for x in chosen:
        key = x.replace("kzl-ru-", "").replace("kzl-kk-", "")
        groups.setdefault(key, "test" if rnd.random() < 0.3 else "train")
    sample, items = [], []
    for x in chosen:
        text = realacts.act_text(x)
        doc = parse(text)
        cands = [(n, t, c) for act in doc.children for n, t, c in contexts(act, text)]
        if not cands:
            continue
        idx = list(range(len(cands)))
        rnd.shuffle(idx)
        take = {i: "random" for i in idx[: a.per_act // 2]}
        norm_i = [i for i in idx if cands[i][0].unit == "norm" and i not in take]
        other_i = [i for i in idx if cands[i][0].unit != "norm" and i not in take]
        minority = other_i if len(other_i) < len(norm_i) else norm_i
        for i in (minority + other_i + norm_i):
            if len(take) >= a.per_act:
                break
            take.setdefault(i, "minority")
        for i in sorted(take):
            n, t, c = cands[i]
            uid = f"{x}:{n.text_start}-{n.text_end}"
            sample.append({"uid": uid, "act": x, "span": [n.text_start, n.text_end], "sha": realacts.span_hash(t),
                           "kind": n.kind, "stratum": take[i], "split": groups[x.replace("kzl-ru-", "").replace("kzl-kk-", "")],
                           "lang": acts[x].lang})
            items.append({"uid": uid, "act_kind": acts[x].kind, "lang": acts[x].lang, "locator": n.locator,
                          "node_kind": n.kind, "prev": c.get("prev", "")[:300], "text": t[:1500],
                          "next": c.get("next", "")[:300]})
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    order = list(range(len(items)))
    rnd.shuffle(order)
    per = (len(order) + a.batches - 1) // a.batches
    for b in range(a.batches):
        with open(out / f"items_{b + 1}.jsonl", "w", encoding="utf-8") as fh:
            for i in sorted(order[b * per:(b + 1) * per]):
                fh.write(json.dumps(items[i], ensure_ascii=False) + "\n")
    dest = ROOT / "corpora" / "realunits" / "sample.jsonl"
    with open(dest, "w", encoding="utf-8") as fh:
        for s in sample:
            fh.write(json.dumps(s, ensure_ascii=False) + "\n")
    print(f"{len(sample)} units from {len(chosen)} acts -> {dest}; items in {out}")


if __name__ == "__main__":
    main()
