"""Second stage on real text: a reranker of the first stage's candidate flags.

The first stage (:class:`~lexpert.detect.model.classifier.FactorClassifier`) is fitted on the
authored corpus and the real norms together, and the authored norms outnumber the real ones many
times: its flags on real acts are right about half the time. The reranker is fitted on what the
first stage proposes: every (norm, code) whose blended score reaches ``low`` times the code's
threshold is a candidate, labelled right when the code's family is among the norm's labelled
families. Its features are the candidate's code, the first stage's blended scores and the rule
layer's scores over all codes, the norm's language and length, and the words of the norm (TF-IDF
of word uni- and bigrams, with the candidate's family as one more token).

It is fitted on out-of-fold first-stage scores (each norm scored by a model fitted without its
document or act: :func:`lexpert.training.train.out_of_fold`), on the candidates of the authored
and the real norms (:func:`lexpert.training.rerank.fit_reranker`), and its decision point per
language is chosen by cross-validation over acts on the real candidates; a language where it
does not beat the first stage there keeps the first stage's decisions (``cut_[lang]`` is None).

:meth:`Reranker.rescore` keeps the first stage's contract: a score per code that flags at the
code's threshold. A candidate's score becomes ``threshold * q / cut`` (at most 1), where ``q`` is
the reranker's probability, so the code is flagged exactly when ``q >= cut``; a norm that is no
candidate keeps its first-stage score, which is below ``low`` times the threshold.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse as sp
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

LANGS = ("ru", "kk")


class Reranker(BaseEstimator):
    """Decides the first stage's candidate flags on real norms (see the module docstring).

    Parameters
    ----------
    low : float, default 0.6
        A (norm, code) is a candidate when its blended first-stage score is at least ``low``
        times the code's threshold.
    C : float, default 0.5
        Inverse regularisation of the logistic regression (class-balanced).
    """

    def __init__(self, low: float = 0.6, C: float = 0.5):
        self.low = low
        self.C = C

    # ---------------------------------------------------------------- features
    def candidates(self, P: np.ndarray, thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row and code indices of the candidates of blended scores ``P``."""
        return np.nonzero(P >= self.low * np.asarray(thresholds)[None, :])

    def _features(self, texts, langs, P, R, thresholds, rows, cols, families, fit=False):
        n_codes = P.shape[1]
        thr = np.asarray(thresholds)
        dense = np.zeros((len(rows), 3 * n_codes + 4), dtype=np.float64)
        for k, (i, j) in enumerate(zip(rows, cols)):
            dense[k, :n_codes] = P[i]
            dense[k, n_codes:2 * n_codes] = R[i, :n_codes]
            dense[k, 2 * n_codes + j] = 1.0
            dense[k, 3 * n_codes:] = (P[i, j], P[i, j] / thr[j], float(langs[i] == "kk"), np.log1p(len(texts[i])))
        words = [f"fam_{families[j]} {texts[i]}" for i, j in zip(rows, cols)]
        if fit:
            self.vec_ = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=50_000,
                                        dtype=np.float64)
            W = self.vec_.fit_transform(words)
        else:
            W = self.vec_.transform(words)
        return sp.hstack([W, sp.csr_matrix(dense)], format="csr")

    # ---------------------------------------------------------------- fit and use
    def fit(self, texts: list[str], langs: list[str], P: np.ndarray, R: np.ndarray, thresholds,
            families: list[str], rows: np.ndarray, cols: np.ndarray, y: np.ndarray) -> "Reranker":
        """Fit on the candidates (``rows``, ``cols``) of blended scores ``P`` with labels ``y``."""
        self.families_ = list(families)
        F = self._features(texts, langs, P, R, thresholds, rows, cols, self.families_, fit=True)
        self.clf_ = LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced").fit(F, y)
        self.cut_: dict[str, float | None] = {lang: None for lang in LANGS}
        return self

    def proba(self, texts, langs, P, R, thresholds, rows, cols) -> np.ndarray:
        if len(rows) == 0:
            return np.zeros(0)
        F = self._features(texts, langs, P, R, thresholds, rows, cols, self.families_)
        return self.clf_.predict_proba(F)[:, 1]

    def rescore(self, texts: list[str], langs: list[str], P: np.ndarray, R: np.ndarray, thresholds) -> np.ndarray:
        """The scores with the reranker's decisions on the candidates of the languages it serves."""
        thr = np.asarray(thresholds)
        rows, cols = self.candidates(P, thr)
        keep = np.array([self.cut_.get(langs[i]) is not None for i in rows], dtype=bool)
        rows, cols = rows[keep], cols[keep]
        if not len(rows):
            return P
        q = self.proba(texts, langs, P, R, thr, rows, cols)
        out = P.copy()
        cut = np.array([self.cut_[langs[i]] for i in rows])
        s = np.minimum(1.0, thr[cols] * q / cut)
        # exactly the reranker's decision at the code's threshold, whatever the rounding
        out[rows, cols] = np.where(q >= cut, np.maximum(s, thr[cols]), np.minimum(s, np.nextafter(thr[cols], 0)))
        return out

    def describe(self) -> dict[str, Any]:
        return {"low": self.low, "C": self.C, "cut": dict(self.cut_)}
