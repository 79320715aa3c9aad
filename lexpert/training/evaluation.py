"""Evaluation of a detector on the annotated norms: per code, per family, by language.

Norm-level multi-label scoring: a norm's predicted codes (score >= threshold) against its
gold codes; a family is predicted when any of its codes is. Also the false-positive rate
on hard negatives (no factor, but a surface cue a keyword matcher would flag).
"""
from __future__ import annotations

from typing import Any

from ..detect.classify import classify_texts
from ..detect.metrics import evaluate_predictions


def evaluate_detector(rows: list[dict[str, Any]], detector=None, use_context: bool = True,
                      checks: bool = True) -> tuple[dict[str, Any], list[list[str]]]:
    """Evaluate ``detector`` on corpus rows, through ``classify`` (with its sentence checks unless
    ``checks`` is False); with ``use_context`` the list lead-in is given as in ``analyze`` (set it
    False to measure the bare sentence contract of ``classify``)."""
    ctx = [r.get("context") for r in rows] if use_context else None
    res = classify_texts([r["text"] for r in rows], [r["lang"] for r in rows], detector, contexts=ctx, checks=checks)
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
