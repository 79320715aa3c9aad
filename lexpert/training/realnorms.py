"""Real norms labelled for corruption factors (``corpora/realnorms``): stand-off labels over the
open real acts, read back at run time, split by act, and the real-text figures of a detector.

Every label names an act of ``../shared/realacts`` (never a held-out one), a character span of
the act's normalized text and a hash of that span; the text is read from the act when the
corpus is loaded and a moved span is an error, never a silently different sentence. The list
lead-in a subpoint belongs to is kept as a span as well (``ctx_span``).

The Kazakh sample is drawn in strata (the model's flags, rule cues, random) and the Russian one
is every norm of every open Russian act; prevalence and the share of clean norms flagged are
measured on the unbiased part only (``census`` and ``random`` strata), the rest on all.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import corpora, realacts
from ..detect.metrics import score_sets
from ..taxonomy import FAMILIES
from ..taxonomy import load_taxonomy

SPLITS = ("train", "dev", "test")
UNBIASED = ("all_ru", "random")      # strata drawn without looking at the model or the rules


def labels_path(root=None) -> Path:
    return corpora.corpora_root(root) / "realnorms" / "labels.jsonl"


def fold_of(key: str, k: int = 4) -> int:
    """The fold of a document (or real act) by a hash of its id: every row of one document in one fold."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % k


def group_of(act_id: str) -> str:
    """The group of an act: a parallel ru/kk pair is one group (the smaller id), any other act its own."""
    try:
        a = realacts.get(act_id)
        return min(act_id, a.parallel) if a.parallel else act_id
    except Exception:
        return act_id


def split_of(act_id: str) -> str:
    """The split of an act: 60% train, 20% dev, 20% test by a hash of the act's group (a
    parallel ru/kk pair is one group, so its two texts never sit on two sides)."""
    h = fold_of(group_of(act_id), 100)
    return "train" if h < 60 else "dev" if h < 80 else "test"


def load_labels(root=None) -> list[dict[str, Any]]:
    p = labels_path(root)
    if not p.is_file():
        return []
    return [json.loads(line) for line in p.open(encoding="utf-8") if line.strip()]


def _check(r: dict[str, Any], text: str) -> None:
    s, e = r["span"]
    if realacts.span_hash(text[s:e]) != r["sha"]:
        raise ValueError(f"{r['act']} {s}-{e}: the labelled span no longer holds the labelled text "
                         "(the parser or the normalizer moved it)")


@lru_cache(maxsize=8)
def _rows(root_key: str | None) -> tuple[dict[str, Any], ...]:
    out = []
    tax = load_taxonomy()
    for r in load_labels(root_key):
        text = realacts.act_text(r["act"])
        _check(r, text)
        s, e = r["span"]
        ctx = None
        if r.get("ctx_span"):
            cs, ce = r["ctx_span"]
            ctx = text[cs:ce].strip() or None
        factors = sorted(r["factors"])
        out.append({
            "id": r["uid"], "act": r["act"], "span": [s, e], "text": text[s:e].strip(), "context": ctx,
            "lang": r["lang"], "factors": factors, "families": sorted({tax.family_of(c) for c in factors}),
            "stratum": r.get("stratum"), "round": r.get("round"), "model": r.get("model") or [],
            "hard_negative": not factors and r.get("stratum") in ("flag", "cue"),
            "split": r.get("split") or split_of(r["act"]), "real": True,
        })
    return tuple(out)


def load(split: str | None = None, root=None, rounds: "list[int] | tuple[int, ...] | None" = None
         ) -> list[dict[str, Any]]:
    """The labelled real norms (of one split, or all; of some annotation rounds, or all), text
    read from the acts at run time."""
    rows = [dict(r) for r in _rows(str(root) if root else None)]
    return [r for r in rows if (split is None or r["split"] == split) and (not rounds or r["round"] in rounds)]


def rounds_of(root=None) -> list[int]:
    return sorted({r["round"] for r in load_labels(root)})


def real_figures(rows: list[dict[str, Any]], preds: list[list[str]]) -> dict[str, Any]:
    """The figures issue 18 measures, per language: flag precision and family recall over
    (norm, family) pairs, the share of clean norms flagged and the prevalence (on the unbiased
    strata), and ``hidden_service`` P/R/F1."""
    tax = load_taxonomy()
    out: dict[str, Any] = {}
    for lang in ("ru", "kk", "all"):
        idx = [i for i, r in enumerate(rows) if lang == "all" or r["lang"] == lang]
        if not idx:
            continue
        gold_f = [{tax.family_of(c) for c in rows[i]["factors"]} for i in idx]
        pred_f = [{tax.family_of(c) for c in preds[i]} for i in idx]
        fam = score_sets(gold_f, pred_f, list(FAMILIES))
        unb = [k for k, i in enumerate(idx) if rows[i].get("stratum") in UNBIASED]
        clean_unb = [k for k in unb if not gold_f[k]]
        clean_all = [k for k in range(len(idx)) if not gold_f[k]]
        hs = score_sets([{c for c in rows[i]["factors"] if c == "hidden_service"} for i in idx],
                        [{c for c in preds[i] if c == "hidden_service"} for i in idx], ["hidden_service"])
        flagged = [k for k in range(len(idx)) if pred_f[k]]
        out[lang] = {
            "norms": len(idx),
            "norms_with_factor": sum(bool(g) for g in gold_f),
            "prevalence_unbiased": round(sum(bool(gold_f[k]) for k in unb) / max(1, len(unb)), 4),
            "unbiased_norms": len(unb),
            "clean_flagged_rate_unbiased": round(sum(bool(pred_f[k]) for k in clean_unb) / max(1, len(clean_unb)), 4),
            "clean_flagged_rate_all": round(sum(bool(pred_f[k]) for k in clean_all) / max(1, len(clean_all)), 4),
            "hard_negative_fp_rate": round(
                sum(bool(pred_f[k]) for k in range(len(idx)) if rows[idx[k]]["hard_negative"])
                / max(1, sum(rows[i]["hard_negative"] for i in idx)), 4),
            "flagged_norms": len(flagged),
            "flagged_norms_right": sum(bool(pred_f[k] & gold_f[k]) for k in flagged),
            "family_precision": fam["micro"]["precision"],
            "family_recall": fam["micro"]["recall"],
            "family_f1": fam["micro"]["f1"],
            "families": fam["per_label"],
            "hidden_service": hs["per_label"]["hidden_service"],
        }
    return out


def intervals(rows: list[dict[str, Any]], preds: list[list[str]], n: int = 2000, seed: int = 0) -> dict[str, Any]:
    """95% intervals of the family precision, recall and F1 and of the share of clean norms flagged
    (unbiased strata), per language: a percentile bootstrap over acts (the labelled norms of one act
    are not independent), ``n`` resamples. With a few dozen real factors per split, the figures of
    :func:`real_figures` move by several points from one draw of acts to another."""
    import numpy as np

    tax = load_taxonomy()
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {}
    for lang in ("ru", "kk", "all"):
        idx = [i for i, r in enumerate(rows) if lang == "all" or r["lang"] == lang]
        if not idx:
            continue
        acts = sorted({rows[i]["act"] for i in idx})
        pos = {a: k for k, a in enumerate(acts)}
        c = np.zeros((len(acts), 5))                 # tp, fp, fn, clean unbiased, of them flagged
        for i in idx:
            g = {tax.family_of(x) for x in rows[i]["factors"]}
            p = {tax.family_of(x) for x in preds[i]}
            clean = not g and rows[i].get("stratum") in UNBIASED
            c[pos[rows[i]["act"]]] += (len(p & g), len(p - g), len(g - p), clean, clean and bool(p))
        S = rng.multinomial(len(acts), np.full(len(acts), 1 / len(acts)), size=n) @ c
        tp, fp, fn, cl, cf = S.T
        with np.errstate(divide="ignore", invalid="ignore"):
            prec = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
            rec = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
            f1 = np.where(prec + rec > 0, 2 * prec * rec / (prec + rec), 0.0)
            flg = np.where(cl > 0, cf / cl, 0.0)
        out[lang] = {k: [round(float(np.percentile(v, 2.5)), 3), round(float(np.percentile(v, 97.5)), 3)]
                     for k, v in (("family_precision", prec), ("family_recall", rec), ("family_f1", f1),
                                  ("clean_flagged_rate_unbiased", flg))}
        out[lang]["acts"] = len(acts)
    return out


def paired_difference(rows: list[dict[str, Any]], preds_a: list[list[str]], preds_b: list[list[str]],
                      n: int = 2000, seed: int = 0) -> dict[str, Any]:
    """Family F1 of ``preds_b`` minus that of ``preds_a`` on the same ``rows``, with its 95%
    interval by a paired bootstrap over act groups (a parallel ru/kk pair is one group): the norms
    of one act are not independent, and the two detectors are judged on the same draws."""
    import numpy as np

    tax = load_taxonomy()
    groups = sorted({group_of(r["act"]) for r in rows})
    pos = {g: k for k, g in enumerate(groups)}
    c = np.zeros((2, len(groups), 3))                # detector, group, (tp, fp, fn)
    for k, preds in enumerate((preds_a, preds_b)):
        for r, p in zip(rows, preds):
            g = {tax.family_of(x) for x in r["factors"]}
            q = {tax.family_of(x) for x in p}
            c[k, pos[group_of(r["act"])]] += (len(q & g), len(q - g), len(g - q))

    def f1(t: np.ndarray) -> np.ndarray:
        tp, fp, fn = np.moveaxis(t, -1, 0)
        return np.where(tp > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)

    W = np.random.default_rng(seed).multinomial(len(groups), np.full(len(groups), 1 / max(1, len(groups))), size=n)
    d = f1(W @ c[1]) - f1(W @ c[0])
    return {"difference": round(float(f1(c[1].sum(0)) - f1(c[0].sum(0))), 4),
            "ci95": [round(float(np.percentile(d, 2.5)), 4), round(float(np.percentile(d, 97.5)), 4)],
            "groups": len(groups)}


def evaluate(detector=None, split: str | None = "test", use_context: bool = False, root=None,
             rounds: "list[int] | tuple[int, ...] | None" = None, checks: bool = True) -> dict[str, Any]:
    """``lexpert evaluate --real``: the detector on the real ``split`` (None: every split) of the
    given annotation ``rounds`` (bare norms, as ``classify`` receives them, unless ``use_context``;
    with ``classify``'s sentence checks unless ``checks`` is False)."""
    rows = load(split, root, rounds)
    if not rows:
        raise ValueError(f"no labelled real norms in split {split!r} ({labels_path(root)})")
    return {"split": split or "all", "rounds": sorted({r["round"] for r in rows}), "norms": len(rows),
            "acts": len({r["act"] for r in rows}), "figures": detector_figures(detector, rows, use_context, checks)}


def detector_figures(detector, rows: list[dict[str, Any]], use_context: bool = False,
                     checks: bool = True) -> dict[str, Any]:
    """:func:`real_figures` of ``detector`` on ``rows`` through ``classify`` (bare norms unless
    ``use_context``; with its sentence checks unless ``checks`` is False)."""
    from ..detect.classify import classify_texts

    ctx = [r.get("context") for r in rows] if use_context else None
    res = classify_texts([r["text"] for r in rows], [r["lang"] for r in rows], detector, contexts=ctx, checks=checks)
    return figures_with_intervals(rows, [r["factors"] for r in res])


def figures_with_intervals(rows: list[dict[str, Any]], preds: list[list[str]]) -> dict[str, Any]:
    """:func:`real_figures`, each language with its ``ci95`` (:func:`intervals`)."""
    out = real_figures(rows, preds)
    for lang, ci in intervals(rows, preds).items():
        out[lang]["ci95"] = ci
    return out


def evaluate_analyze(split: str = "test", register: Any = None, root=None,
                     rounds: "list[int] | tuple[int, ...] | None" = None) -> dict[str, Any]:
    """The whole ``analyze`` (lead-ins, the act as context, the hidden-service layer, the
    Register when given) on the acts of the real ``split`` (of some annotation ``rounds``, or all),
    scored on their labelled norms."""
    from ..pipeline import analyze
    from ..detect.services.register import resolve_register

    rows = load(split, root, rounds)
    if not rows:
        raise ValueError(f"no labelled real norms in split {split!r} ({labels_path(root)})")
    reg = resolve_register(register) if register is not None else None
    preds: list[list[str]] = []
    by_act: dict[str, dict[tuple[int, int], set[str]]] = {}
    for act in sorted({r["act"] for r in rows}):
        rep = analyze(realacts.get(act).path, register=reg)
        spans = {n.id: (n.start, n.end) for n in rep.norms}
        got: dict[tuple[int, int], set[str]] = {}
        for f in rep.findings:
            got.setdefault(spans.get(f.norm_id, (-1, -1)), set()).add(f.code)
        by_act[act] = got
    for r in rows:
        preds.append(sorted(by_act[r["act"]].get(tuple(r["span"]), set())))
    return {"split": split, "analyze": True, "rounds": sorted({r["round"] for r in rows}), "norms": len(rows),
            "acts": len(by_act), "register": getattr(reg, "source", None),
            "register_entries": len(reg) if reg is not None else 0,
            "figures": figures_with_intervals(rows, preds)}
