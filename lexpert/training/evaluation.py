"""Evaluation of a detector on the annotated norms: per code, per family, by language.

Norm-level multi-label scoring: a norm's predicted codes (score >= threshold) against its
gold codes; a family is predicted when any of its codes is. Also the false-positive rate
on hard negatives (no factor, but a surface cue a keyword matcher would flag).
"""
from __future__ import annotations

from typing import Any

from ..detect.classify import classify_texts
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


def evaluate_detector(rows: list[dict[str, Any]], detector=None,
                      use_context: bool = True) -> tuple[dict[str, Any], list[list[str]]]:
    """Evaluate ``detector`` on corpus rows; with ``use_context`` the list lead-in is given
    as in ``analyze`` (set it False to measure the bare sentence contract of ``classify``)."""
    ctx = [r.get("context") for r in rows] if use_context else None
    res = classify_texts([r["text"] for r in rows], [r["lang"] for r in rows], detector, contexts=ctx)
    preds = [r["factors"] for r in res]
    return evaluate_predictions(rows, preds), preds


def summary_table(ev: dict[str, Any]) -> str:
    """A compact text table of family-level and code-level F1 by language."""
    lines = [f"{'':24s}{'all P/R/F1':>20s}{'ru F1':>8s}{'kk F1':>8s}"]
    for level in ("families", "codes"):
        for lab, m in ev["all"][level]["per_label"].items():
            lines.append(f"{lab:24s}{m['precision']:6.2f}{m['recall']:6.2f}{m['f1']:6.2f}  "
                         f"{ev['ru'][level]['per_label'][lab]['f1']:8.2f}{ev['kk'][level]['per_label'][lab]['f1']:8.2f}")
        for avg in ("micro", "macro"):
            m = ev["all"][level][avg]
            lines.append(f"{level + ' ' + avg:24s}{m['precision']:6.2f}{m['recall']:6.2f}{m['f1']:6.2f}  "
                         f"{ev['ru'][level][avg]['f1']:8.2f}{ev['kk'][level][avg]['f1']:8.2f}")
        lines.append("")
    lines.append(f"FP rate on hard negatives: all {ev['all']['hard_negative_fp_rate']:.2f}, "
                 f"ru {ev['ru']['hard_negative_fp_rate']:.2f}, kk {ev['kk']['hard_negative_fp_rate']:.2f}")
    return "\n".join(lines)
