"""Scores of predicted code sets against gold ones: precision, recall, F1 per label, micro and
macro, and per code / family / language over corpus rows. Shared by the classifier's threshold
tuning and by every evaluation."""
from __future__ import annotations

from typing import Any

from ..taxonomy import FAMILIES, load_taxonomy


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": tp + fn,
            "tp": tp, "fp": fp, "fn": fn}


def score_sets(gold: list[set[str]], pred: list[set[str]], labels: list[str]) -> dict[str, Any]:
    per = {}
    TP = FP = FN = 0
    for lab in labels:
        tp = sum(lab in g and lab in p for g, p in zip(gold, pred))
        fp = sum(lab not in g and lab in p for g, p in zip(gold, pred))
        fn = sum(lab in g and lab not in p for g, p in zip(gold, pred))
        per[lab] = prf(tp, fp, fn)
        TP, FP, FN = TP + tp, FP + fp, FN + fn
    micro = prf(TP, FP, FN)
    present = [lab for lab in labels if per[lab]["support"] > 0]
    macro = {k: round(sum(per[lab][k] for lab in present) / max(1, len(present)), 4)
             for k in ("precision", "recall", "f1")}
    return {"per_label": per, "micro": micro, "macro": macro}


def evaluate_predictions(rows: list[dict[str, Any]], preds: list[list[str]]) -> dict[str, Any]:
    """Scores of ``preds`` (codes per row) against ``rows`` (corpus norms with 'factors', 'lang')."""
    tax = load_taxonomy()
    out: dict[str, Any] = {"norms": len(rows)}
    scopes = {"all": list(range(len(rows)))}
    for lang in ("ru", "kk"):
        scopes[lang] = [i for i, r in enumerate(rows) if r["lang"] == lang]
    for name, idx in scopes.items():
        gold_c = [set(rows[i]["factors"]) for i in idx]
        pred_c = [set(preds[i]) for i in idx]
        gold_f = [{tax.family_of(c) for c in g} for g in gold_c]
        pred_f = [{tax.family_of(c) for c in p} for p in pred_c]
        hard = [i for i in idx if rows[i].get("hard_negative")]
        neg = [i for i in idx if not rows[i]["factors"]]
        out[name] = {
            "norms": len(idx),
            "codes": score_sets(gold_c, pred_c, list(tax.codes)),
            "families": score_sets(gold_f, pred_f, list(FAMILIES)),
            "hard_negative_fp_rate": round(sum(bool(preds[i]) for i in hard) / max(1, len(hard)), 4),
            "hard_negatives": len(hard),
            "no_factor_fp_rate": round(sum(bool(preds[i]) for i in neg) / max(1, len(neg)), 4),
        }
    return out
