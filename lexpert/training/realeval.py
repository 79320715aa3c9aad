"""Measurements on the open real acts: parallel consistency, findings per act, findings on
labelled non-normative units. Read at run time from :mod:`lexpert.training.realacts`; nothing of
their text is stored. ``lexpert units measure`` prints these figures as JSON.
"""
from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

from . import realacts
from ..records import Node
from ..settings import CHECKOUT
from ..structure import parse


def _point_keys(doc: Node) -> set[tuple]:
    keys: set[tuple] = set()
    for act in doc.children:
        annexes = [c for c in act.children if c.kind == "annex"]
        for part in act.children:
            if part.kind not in ("operative", "annex"):
                continue
            a = annexes.index(part) + 1 if part.kind == "annex" else 0
            for n in part.walk():
                if n.kind in ("point", "subpoint", "article"):
                    p = n.path
                    keys.add((a, p.get("section"), p.get("chapter"), p.get("article"), p.get("point"),
                              p.get("subpoint") if n.kind == "subpoint" else None))
    return keys


def parallel_alignment() -> dict[str, Any]:
    """Share of points (and subpoints, articles) found in both the Russian and the Kazakh text
    of each parallel pair of ``law/``: |ru ∩ kk| / |ru ∪ kk|, pooled and per pair."""
    acts = realacts.acts()
    pairs = sorted({tuple(sorted((a.id, a.parallel))) for a in acts.values()
                    if a.parallel and a.parallel in acts})
    per, inter, union = [], 0, 0
    for x, y in pairs:
        kx = _point_keys(parse(realacts.act_text(x)))
        ky = _point_keys(parse(realacts.act_text(y)))
        i, u = len(kx & ky), len(kx | ky)
        inter += i
        union += u
        per.append({"ru": x if "-ru-" in x else y, "kk": y if "-ru-" in x else x, "points_ru": len(kx if "-ru-" in x else ky),
                    "points_kk": len(ky if "-ru-" in x else kx), "aligned": i, "share": round(i / u, 4) if u else 1.0})
    return {"pairs": len(pairs), "aligned": inter, "union": union,
            "share": round(inter / union, 4) if union else None, "per_pair": per}


def _labels_by_act(rows) -> dict[str, dict[tuple[int, int], str]]:
    """Stand-off labels as {act id: {(start, end): label}}."""
    out: dict[str, dict[tuple[int, int], str]] = {}
    for r in rows:
        out.setdefault(r["act"], {})[tuple(r["span"])] = r["label"]
    return out


def _labelled_findings(rep, lab: dict[tuple[int, int], str]) -> list[tuple[Any, tuple[int, int], str]]:
    """(finding, its norm's span, label) for each finding of ``rep`` whose norm is a labelled unit."""
    spans = {n.id: (n.start, n.end) for n in rep.norms}
    return [(f, spans[f.norm_id], lab[spans[f.norm_id]]) for f in rep.findings if spans[f.norm_id] in lab]


def _share(on: Counter) -> float | None:
    n = on["norm"] + on["non_norm"]
    return round(on["non_norm"] / n, 4) if n else None


def findings_per_act(n_kk: int = 120, seed: int = 7, label_path=None) -> dict[str, Any]:
    """``analyze`` over every open Russian/Kazakh act of ``law/`` and a seeded sample of the
    ``kk/`` acts: findings per act, units, time; and where units are labelled, the share of
    findings that sit on units the annotators called non-normative."""
    from ..pipeline import analyze
    from .units import LABELS, load_labels

    acts = realacts.acts()
    law = sorted(a for a in acts if acts[a].file.startswith("law/"))
    kk = sorted(a for a in acts if acts[a].file.startswith("kk/"))
    sample = law + sorted(random.Random(seed).sample(kk, min(n_kk, len(kk))))
    labels = _labels_by_act(load_labels(label_path or LABELS))
    per_group: dict[str, list[int]] = {"law_ru": [], "law_kk": [], "kk": []}
    on_labelled = Counter()
    t0 = time.perf_counter()
    coverage = Counter()
    for a in sample:
        rep = analyze(realacts.get(a).path)
        grp = "kk" if a in kk else ("law_ru" if acts[a].lang == "ru" else "law_kk")
        per_group[grp].append(len(rep.findings))
        coverage[rep.coverage.status if rep.coverage else "complete"] += 1
        for _, _, g in _labelled_findings(rep, labels.get(a, {})):
            on_labelled["norm" if g == "norm" else "non_norm"] += 1
    secs = time.perf_counter() - t0
    allf = [x for v in per_group.values() for x in v]
    out = {"acts": len(sample), "findings_per_act": round(sum(allf) / max(1, len(allf)), 3),
           "by_group": {k: {"acts": len(v), "findings_per_act": round(sum(v) / max(1, len(v)), 3)}
                        for k, v in per_group.items()},
           "coverage": dict(coverage), "seconds": round(secs, 1),
           "findings_on_labelled_units": dict(on_labelled)}
    if _share(on_labelled) is not None:
        out["share_on_labelled_non_normative"] = _share(on_labelled)
    return out


def findings_on_labelled_units(split: str = "test") -> dict[str, Any]:
    """``analyze`` over every act with labelled units of ``split``: how many findings fall on
    units the annotators called normative and how many on units they called non-normative
    (stamps, tables of figures, forms …). The figure the normative-unit layer is judged by."""
    from ..pipeline import analyze
    from .units import load_labels

    labels = _labels_by_act(r for r in load_labels() if r["split"] == split)
    on = Counter()
    findings = 0
    examples = []
    for act_id, lab in sorted(labels.items()):
        rep = analyze(realacts.get(act_id).path)
        findings += len(rep.findings)
        for f, span, g in _labelled_findings(rep, lab):
            on["norm" if g == "norm" else "non_norm"] += 1
            if g != "norm":
                examples.append({"act": act_id, "span": list(span), "label": g, "code": f.code})
    return {"split": split, "acts": len(labels), "findings": findings, "on_labelled_units": sum(on.values()),
            "on_normative": on["norm"], "on_non_normative": on["non_norm"],
            "share_on_non_normative": _share(on), "non_normative": examples}


FLAGGED = CHECKOUT / "corpora" / "realunits" / "finding_units.jsonl"


def flagged_units_check(path: Path = FLAGGED, rounds: tuple[int, ...] | None = None,
                        half: str | None = None) -> dict[str, Any]:
    """The flagged-unit rounds: units that carried findings on open acts of no earlier round,
    labelled by two annotators. Re-runs ``analyze`` on those acts and counts the findings that
    still fall on labelled units, split by what the annotators said. By default the latest
    round; ``in_training`` says whether the shipped classifier was fitted on it (then the
    figure is not a held-out one: a round measures the model fitted on the rounds before it).
    ``half`` (``dev`` or ``check``): only the acts of that half (:func:`units.round_half`)."""
    from ..pipeline import analyze
    from .units import FLAGGED_ROUNDS_TRAIN, load_labels, round_half

    every = load_labels(path)
    if rounds is None:
        rounds = (max(r.get("round") or 0 for r in every),)
    rows = [r for r in every if r.get("round") in rounds and (half is None or round_half(r["act"]) == half)]
    on = Counter()
    by_label = Counter()
    for act_id, lab in sorted(_labels_by_act(rows).items()):
        for _, _, g in _labelled_findings(analyze(realacts.get(act_id).path), lab):
            on["norm" if g == "norm" else "non_norm"] += 1
            by_label[g] += 1
    return {"rounds": list(rounds), "half": half, "acts": len({r["act"] for r in rows}),
            "in_training": any(r in FLAGGED_ROUNDS_TRAIN for r in rounds),
            "labelled_units": len(rows),
            "labelled_non_normative": sum(1 for r in rows if r["label"] != "norm"),
            "findings_on_labelled_units": sum(on.values()), "on_non_normative": on["non_norm"],
            "share_on_non_normative": _share(on), "by_label": dict(by_label)}
