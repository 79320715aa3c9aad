"""Fitting the second stage (:class:`lexpert.detect.model.rerank.Reranker`) on out-of-fold
first-stage scores of the train + dev norms (the real ones, and with ``authored`` the authored ones
too), with its decision point per language chosen on the real norms by cross-validation over acts
and documents (:data:`FOLDS` folds; a real act's fold is that of its group,
:func:`lexpert.training.realnorms.group_of`)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..detect.model.features import rule_features
from ..detect.model.rerank import LANGS, Reranker
from ..detect.metrics import score_sets
from ..taxonomy import FAMILIES, load_taxonomy

FOLDS = 4
GRID = tuple(round(t, 2) for t in np.arange(0.3, 0.81, 0.05))
MARGIN = 0.005      # the reranker serves a language only where it beats the first stage by more


def _family_f1(gold: list[set[str]], pred: list[set[str]]) -> dict[str, Any]:
    """Micro precision, recall and F1 over (norm, family) pairs."""
    return score_sets(gold, pred, list(FAMILIES))["micro"]


def fit_reranker(rows: list[dict[str, Any]], P_model: np.ndarray, model, log=print, authored: bool = False,
                 **params) -> tuple[Reranker | None, dict[str, Any]]:
    """The reranker for ``model`` (a tuned FactorClassifier: its blend and thresholds), fitted on the
    real rows of ``rows`` (with ``authored``, on every row) with their out-of-fold model
    probabilities ``P_model``, and a report of its cross-validated figures per language on the real
    rows. None when there are too few candidates."""
    from . import realnorms
    from .realnorms import fold_of

    tax = load_taxonomy()
    idx = [i for i, r in enumerate(rows) if r.get("real") or authored]
    if not any(r.get("real") for r in rows):
        return None, {"reranker": "no real norms"}
    sub = [rows[i] for i in idx]
    texts = [r["text"] for r in sub]
    langs = [r.get("lang") or "ru" for r in sub]
    R = rule_features(texts, langs, [r.get("context") for r in sub])[:, :P_model.shape[1]]
    P = (1 - model.rule_blend) * P_model[idx] + model.rule_blend * R if model.rule_blend else P_model[idx]
    thr = np.asarray(model.thresholds_)
    families = [tax.family_of(c) for c in model.codes_]
    gold = [{tax.family_of(c) for c in r["factors"]} for r in sub]
    rr = Reranker(**params)
    ci, cj = rr.candidates(P, thr)
    y = np.array([families[j] in gold[i] for i, j in zip(ci, cj)], dtype=int)
    if len(y) < 50 or y.min() == y.max():
        return None, {"reranker": f"too few candidates ({len(y)})"}
    fold = np.array([fold_of("r:" + realnorms.group_of(sub[i]["act"]) if sub[i].get("real") else
                             "a:" + str(sub[i].get("doc_id")), FOLDS) for i in ci])
    q = np.zeros(len(y))
    for k in range(FOLDS):
        held = fold == k
        if held.any() and (~held).any() and len(set(y[~held])) == 2:
            m = Reranker(**params).fit(texts, langs, P, R, thr, families, ci[~held], cj[~held], y[~held])
            q[held] = m.proba(texts, langs, P, R, thr, ci[held], cj[held])
    rr.fit(texts, langs, P, R, thr, families, ci, cj, y)
    report: dict[str, Any] = {"params": rr.get_params(), "candidates": int(len(y)), "right": int(y.sum()),
                              "folds": FOLDS, "languages": {}}
    for lang in LANGS:
        rows_l = [k for k, lg in enumerate(langs) if lg == lang and sub[k].get("real")]
        if not rows_l:
            continue
        first = [{families[j] for j in np.nonzero(P[k] >= thr)[0]} for k in rows_l]
        base = _family_f1([gold[k] for k in rows_l], first)
        best = None
        for t in GRID:
            flag: dict[int, set[str]] = {k: set() for k in rows_l}
            for (i, j), s in zip(zip(ci, cj), q):
                if i in flag and s >= t:
                    flag[i].add(families[j])
            f = _family_f1([gold[k] for k in rows_l], [flag[k] for k in rows_l])
            if best is None or f["f1"] > best[1]["f1"] + 1e-9:
                best = (t, f)
        serve = best is not None and best[1]["f1"] > base["f1"] + MARGIN
        rr.cut_[lang] = float(best[0]) if serve else None
        report["languages"][lang] = {"first_stage": base, "reranked": best[1] if best else None,
                                     "cut": rr.cut_[lang], "norms": len(rows_l)}
        log(f"reranker {lang}: first stage F1 {base['f1']:.3f}, reranked {best[1]['f1']:.3f} at {best[0]}"
            f" (cross-validated over acts) -> {'serves' if serve else 'not used'}")
    return rr, report
