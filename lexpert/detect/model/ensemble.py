"""The shipped detector: the trained classifier (with the rule layer's hits among its
features) plus the rules' evidence spans and reasons.

Per norm it returns, for every code whose calibrated probability reaches that code's
threshold, a hit whose evidence is the rule's match when a rule of that code fired,
else the words that pushed the model most (``FactorClassifier.explain``).
"""
from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..rules import best_hits, ruleset
from ...records import Hit
from ...settings import get_settings
from ...taxonomy import load_taxonomy
from .classifier import FactorClassifier
from .e5_stage import EncoderStage
from .guards import apply_guards

log = logging.getLogger(__name__)

MODEL_FILE = "model.skops"

def _model_reason(lang: str, code: str) -> str:
    """The rationale of a model-only finding: the factor's name (``taxonomy.yaml``), marked as
    the model's judgement. Not a rule's reason: those name one sub-type of the factor («открытый
    перечень документов», «решение нельзя обжаловать»), and a model finding may be another one
    (an expert review found "open list" on closed lists of documents the state holds)."""
    lang = lang if lang in ("ru", "kk") else "ru"
    name = load_taxonomy()[code].name(lang)
    note = {"ru": "оценка модели", "kk": "модельдің бағасы"}[lang]
    return f"{name[:1].upper()}{name[1:]} ({note})"


def default_model_dir() -> Path:
    """``LEXPERT_MODEL`` if set, else the shipped model, package data of ``lexpert.data``
    (``lexpert/data/models/default``), so a wheel install runs the same model as a checkout."""
    env = get_settings().model
    if env:
        return env
    from importlib import resources

    return Path(str(resources.files("lexpert.data").joinpath("models", "default")))


class EnsembleDetector:
    """Rules + trained classifier behind ``analyze()`` and ``classify``."""

    name = "ensemble"

    def __init__(self, model: FactorClassifier, meta: dict | None = None, stage: EncoderStage | None = None):
        self.model = model
        self.meta = meta or {}
        self.stage = stage
        th = stage.thresholds if stage is not None else model.thresholds_
        self.thresholds = {c: float(t) for c, t in zip(model.codes_, th)}

    @classmethod
    def load(cls, directory: str | Path) -> "EnsembleDetector":
        """The model in ``directory`` (``model.skops``), with its encoder stage where it has one
        (``e5_stage.json``; the encoder itself is read when a norm first needs it)."""
        d = Path(directory)
        if not (d / MODEL_FILE).exists():
            raise FileNotFoundError(d / MODEL_FILE)
        meta = json.loads((d / "metrics.json").read_text(encoding="utf-8")) if (d / "metrics.json").exists() else {}
        model = FactorClassifier.load(d / MODEL_FILE)
        return cls(model, meta, EncoderStage.of(d, model.codes_))

    def _run(self, texts, lang, contexts):
        """Rule hits once per text, and the model's probabilities blended with them (and, where
        the model has an encoder stage, with the encoder's on the first stage's candidates)."""
        contexts = contexts or [None] * len(texts)
        rs = ruleset(lang if lang in ("ru", "kk") else "ru")
        hits = [best_hits(rs.find(t, c)) for t, c in zip(texts, contexts)]
        codes = self.model.codes_
        R = np.array([[h[c].score if c in h else 0.0 for c in codes] for h in hits], dtype=np.float32)
        X = [{"text": t, "lang": lang, "context": c} for t, c in zip(texts, contexts)]
        P = self.model.predict_proba(X, rule_scores=R) if X else np.zeros((0, len(codes)))
        P = self.model.rescore(list(texts), [lang] * len(X), P, R)
        if self.stage is not None and len(P):
            P = self.stage.apply(list(texts), P, self.model.thresholds_)
        return hits, apply_guards(list(texts), list(codes), P)

    def score(self, texts: list[str], lang: str, contexts: list[str | None] | None = None) -> list[dict[str, float]]:
        _, P = self._run(texts, lang, contexts)
        return [{c: float(p) for c, p in zip(self.model.codes_, row)} for row in P]

    def detect(self, texts: list[str], lang: str, contexts: list[str | None] | None = None) -> list[list[Hit]]:
        all_hits, P = self._run(texts, lang, contexts)
        out = []
        for text, rule_hits, row in zip(texts, all_hits, P):
            sc = dict(zip(self.model.codes_, map(float, row)))
            hits = []
            for code, p in sc.items():
                if p < self.thresholds[code]:
                    continue
                if code in rule_hits:
                    h = rule_hits[code]
                    hits.append(Hit(code, h.start, h.end, p, h.reason, h.rule))
                else:
                    a, z = self.model.explain(text, lang, code)
                    hits.append(Hit(code, a, z, p, _model_reason(lang, code), "model"))
            out.append(hits)
        return out


@lru_cache(maxsize=1)
def load_default_ensemble() -> EnsembleDetector:
    """The bundled default model (raises FileNotFoundError when none is bundled)."""
    d = default_model_dir()
    log.debug("loading the model in %s", d)
    return EnsembleDetector.load(d)
