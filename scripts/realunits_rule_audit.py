"""Audit the unit rules on every labelled unit of real acts (round 1 and the flagged-unit rounds):
for each rule of :data:`lexpert.structure.units.LAYOUT_RULES`, how many labelled norms and how
many labelled non-normative units it catches (it fires where it is reached in ``rule_unit``:
the rules before it may have decided first, so ``fires`` counts the rule on its own and
``decides`` counts it in place), and, with ``--rounds``, the share of findings on non-normative
units of those rounds (``analyze`` re-run on their acts).

    python scripts/realunits_rule_audit.py --max-round 12 --findings 11,12

A held-out round once merged (round 13: its acts are listed in finding_acts_r13.json):

    python scripts/realunits_rule_audit.py --no-audit --findings 13 --drawn corpora/realunits/finding_acts_r13.json

``--drawn`` re-runs ``analyze`` on every act drawn for the round (with a finding or not) and
counts the findings that fall on units the round did not label (the code changed since the
draw): they are not in the share, which only counts labelled units.

Prints JSON; no text of the acts (ids and spans only, with ``--show`` for the norms caught).
"""
from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict

from lexpert.structure.units import LAYOUT_RULES, decide_units, rule_unit
from lexpert.structure.unitmodel import default_unit_model
from lexpert.training.units import FLAGGED_TRAIN, load_labels, labelled_items


def audit(max_round: int, show: bool = False) -> dict:
    """Every labelled unit of rounds 1..``max_round``. Round 14's ``check`` half was kept out of
    the rules of 7f43c2c (written from its ``dev`` half) and measured them (``--findings 14 --half
    check``: 38 of 320 findings on non-normative units); it joined the audit after that."""
    rows = [dict(r, round=1) for r in load_labels()]
    rows += [r for r in load_labels(FLAGGED_TRAIN) if 2 <= (r.get("round") or 0) <= max_round]
    items, kept = labelled_items(rows)
    out: dict = {"labelled_units": len(kept), "rounds": f"1-{max_round}", "rules": {}}
    decided = [rule_unit(*x) for x in items]
    for name, rule in LAYOUT_RULES:
        fires, decides, norms = Counter(), Counter(), []
        for (node, t, ctx), r, d in zip(items, kept, decided):
            u = rule(node, t, ctx)
            if not u:
                continue
            gold = "norm" if r["label"] == "norm" else "non_norm"
            fires[gold] += 1
            if d == u:
                decides[gold] += 1
            if gold == "norm":
                norms.append(f"{r['uid']} (round {r['round']})")
        out["rules"][name] = {"fires_on_norms": fires["norm"], "fires_on_non_norms": fires["non_norm"],
                              "decides_norms": decides["norm"], "decides_non_norms": decides["non_norm"],
                              **({"norms_caught": norms} if show else {})}
    pred = decide_units(items, default_unit_model())
    by_round: dict[int, Counter] = defaultdict(Counter)
    for r, p in zip(kept, pred):
        g = r["label"] == "norm"
        by_round[r["round"]][("norm" if g else "non_norm") + ("_kept" if p == "norm" else "_dropped")] += 1
    out["units_by_round"] = {k: dict(v) for k, v in sorted(by_round.items())}
    return out


def drawn_findings(path: str) -> dict:
    """Findings of ``analyze`` on every act drawn for a round: in all, and on units the round's
    labels do not cover (units that carried no finding when the round was drawn)."""
    from lexpert.pipeline import analyze
    from lexpert.training import realacts

    drawn = json.load(open(path, encoding="utf-8"))
    labelled = {(r["act"], tuple(r["span"])) for r in load_labels(FLAGGED_TRAIN) if r.get("round") == drawn["round"]}
    total = unlabelled = 0
    for act in drawn["acts"]:
        rep = analyze(realacts.get(act).path)
        spans = {n.id: (n.start, n.end) for n in rep.norms}
        total += len(rep.findings)
        unlabelled += sum(1 for f in rep.findings if (act, spans[f.norm_id]) not in labelled)
    return {"round": drawn["round"], "acts": len(drawn["acts"]), "findings": total,
            "findings_on_unlabelled_units": unlabelled}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-round", type=int, default=12, help="the last flagged-unit round to audit on")
    ap.add_argument("--findings", default="", help="rounds whose findings to measure, e.g. 11,12")
    ap.add_argument("--show", action="store_true", help="list the labelled norms each rule catches")
    ap.add_argument("--no-audit", action="store_true", help="skip the rule audit (findings only)")
    ap.add_argument("--half", choices=("dev", "check"), default=None,
                    help="with --findings: only the acts of that half (lexpert.training.units.round_half; round 14)")
    ap.add_argument("--drawn", default="", help="a round's finding_acts_rN.json: analyze all its acts")
    a = ap.parse_args()
    out = {} if a.no_audit else audit(a.max_round, a.show)
    if a.findings:
        from lexpert.training.realeval import flagged_units_check

        out["findings"] = flagged_units_check(rounds=tuple(int(x) for x in a.findings.split(",")), half=a.half)
    if a.drawn:
        out["drawn_acts"] = drawn_findings(a.drawn)
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
