"""Fit the encoder stage of a trained model (:mod:`lexpert.detect.model.e5_stage`).

The first stage is the model ``lexpert train`` ships; the encoder is the multilingual-e5-small
classifier ``lexpert train --e5`` fine-tuned on the train split only. The stage is tuned on dev
alone, where neither saw the rows: the first stage's out-of-fold probabilities of the dev rows
(each scored by a model fitted without its document or act, as the first stage's own thresholds
are tuned), blended as ``analyze`` blends them (the rule hits at the model's ``rule_blend``), and
the encoder's probabilities of the same rows. For each gate (which norms the encoder reads) and
weight (of the first stage) the per-code thresholds are tuned for F1 on authored dev + real dev
(bare norms, as ``classify`` reads them), and the pair with the best real dev family F1 is kept
only if it beats the first stage alone, with thresholds tuned the same way on the same rows, by a
gain whose 95% interval over real dev acts (a paired bootstrap) lies above zero. Test is never
used.
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ..detect.model import e5
from ..detect.model.classifier import FactorClassifier, blend_rules, rows_rule_scores
from ..detect.model.e5_stage import STAGE, Encoder, blend, candidates
from .realnorms import paired_difference

GATES = (0.25, 0.5)
WEIGHTS = (0.5, 0.6, 0.7, 0.8)


def remove_stage(out_dir: str | Path) -> None:
    """Drop a stage left in ``out_dir`` by an earlier fit (its thresholds belong to that model)."""
    for name in (STAGE, e5.WEIGHTS):
        (Path(out_dir) / name).unlink(missing_ok=True)


def save_stage(report: dict[str, Any], encoder_dir: str | Path, out_dir: str | Path) -> None:
    """Write the stage of a :func:`fit_stage` report next to a model: ``e5_stage.json`` (gate,
    weight, thresholds, the encoder's codes and inputs) and the encoder's fp16 weights."""
    out = Path(out_dir)
    shutil.copyfile(Path(encoder_dir) / e5.WEIGHTS, out / e5.WEIGHTS)
    keys = ("gate", "weight", "thresholds", "codes", "max_len", "prefix", "encoder")
    (out / STAGE).write_text(json.dumps({k: report[k] for k in keys}, ensure_ascii=False, indent=1) + "\n",
                             encoding="utf-8")


def first_stage_scores(model: FactorClassifier, rows: Sequence[dict[str, Any]], P_model: np.ndarray) -> np.ndarray:
    """``P_model`` (the model's own probabilities, before any blend) as ``analyze`` scores them:
    blended with the rule hits at the model's ``rule_blend``, then rescored."""
    R = rows_rule_scores(rows, P_model.shape[1])
    return model.rescore([r["text"] for r in rows], [r.get("lang") or "ru" for r in rows],
                         blend_rules(P_model, R, model.rule_blend), R)


def _preds(S: np.ndarray, th: np.ndarray, codes: Sequence[str]) -> list[list[str]]:
    return [[c for c, p, t in zip(codes, row, th) if p >= t] for row in S]


def _real_f1(rows: Sequence[dict[str, Any]], S: np.ndarray, th: np.ndarray, codes: Sequence[str]) -> dict[str, Any]:
    from .realnorms import real_figures

    return real_figures(list(rows), _preds(S, th, codes))


def fit_stage(model: FactorClassifier, rows: Sequence[dict[str, Any]], P_model: np.ndarray, is_dev: Sequence[bool],
              encoder_dir: str | Path, out_dir: str | Path, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Tune the stage on the dev rows of ``rows`` (``P_model``: their out-of-fold probabilities)
    and save it into ``out_dir`` (``e5_stage.json`` + the encoder's weights) when it beats the
    first stage on real dev; returns the report (``kept``: whether it was saved)."""
    t0 = time.time()
    codes = list(model.codes_)
    dev = [r for r, d in zip(rows, is_dev) if d]
    P = first_stage_scores(model, dev, np.asarray(P_model)[np.asarray(is_dev, bool)])
    th1 = np.asarray(model.thresholds_, dtype=np.float64)
    Y = e5._label_matrix(dev, codes)
    real = np.array(["act" in r for r in dev])
    real_rows = [r for r, k in zip(dev, real) if k]
    enc = Encoder.of_training(encoder_dir, codes)
    widest = candidates(P, th1, min(GATES))
    E = np.zeros(P.shape, dtype=np.float32)
    E[widest] = enc.probabilities([dev[i]["text"] for i in np.flatnonzero(widest)])
    log(f"encoder stage: {int(widest.sum())} of {len(dev)} dev norms read by the encoder in {time.time() - t0:.0f} s")
    # the baseline: the first stage alone with its thresholds tuned on the same dev rows (its
    # shipped ones were tuned on train + dev, which would favour the stage)
    th_first = e5.tune_thresholds(P, Y, default=0.99)
    first = _real_f1(real_rows, P[real], th_first, codes)
    grid = []
    for g in GATES:
        cand = candidates(P, th1, g)
        for w in WEIGHTS:
            S = blend(P, E, cand, w)
            th = e5.tune_thresholds(S, Y, default=0.99)
            fig = _real_f1(real_rows, S[real], th, codes)
            grid.append({"gate": g, "weight": w, "thresholds": th, "real_dev": fig, "S": S[real],
                         "share_read": round(float(cand.mean()), 4), "share_read_real": round(float(cand[real].mean()), 4)})
            log(f"  gate {g} weight {w}: real dev family F1 {fig['all']['family_f1']:.3f} "
                f"(first stage {first['all']['family_f1']:.3f}), encoder reads {cand.mean():.0%} of dev norms")
    best = max(grid, key=lambda x: (x["real_dev"]["all"]["family_f1"], -x["share_read"]))
    # kept only where the gain holds over the acts: the lower end of its 95% interval (a paired
    # bootstrap over real dev acts) above zero; gate, weight and thresholds were chosen on these
    # same rows, so even that is a generous test
    paired = paired_difference(real_rows, _preds(P[real], th_first, codes), _preds(best["S"], best["thresholds"], codes))
    kept = paired["ci95"][0] > 0
    meta = json.loads((Path(encoder_dir) / e5.META).read_text(encoding="utf-8"))
    report = {
        "kept": kept, "gate": best["gate"], "weight": best["weight"],
        "thresholds": {c: round(float(t), 4) for c, t in zip(codes, best["thresholds"])},
        "real_dev": best["real_dev"], "first_stage_real_dev": first, "paired_real_dev": paired,
        "share_read_dev": best["share_read"], "share_read_real_dev": best["share_read_real"],
        "grid": [{k: v for k, v in x.items() if k not in ("thresholds", "S")} for x in grid],
        "dev_rows": len(dev), "codes": list(meta["codes"]), "max_len": meta["max_len"], "prefix": meta["prefix"],
        "encoder": {k: meta[k] for k in ("base", "base_sha256", "base_source", "frozen", "weights_dtype", "train") if k in meta},
        "fit_seconds": round(time.time() - t0, 1),
    }
    remove_stage(out_dir)
    if kept:
        save_stage(report, encoder_dir, out_dir)
    log(f"encoder stage: gate {best['gate']} weight {best['weight']}, real dev family F1 "
        f"{best['real_dev']['all']['family_f1']:.3f} vs {first['all']['family_f1']:.3f} "
        f"(paired over {paired['groups']} acts {paired['difference']:+.3f} {paired['ci95']}) -> "
        + ("kept" if kept else "not used"))
    return report
