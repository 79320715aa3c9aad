"""Exact, faster inference for :class:`~lexpert.detect.model.classifier.FactorClassifier`.

scikit-learn's vectorizers build every character n-gram of every norm as a new string and
look each one up; the twelve calibrated regressions each re-validate the same matrix. Both
are most of the detector's time. This module computes the *same numbers* another way:

- ``TfidfFeaturizer`` (:mod:`lexpert.nlp.tfidf`): the vectorizers' transform with per-word caches.
- ``StackedCalibratedLR``: the twelve (logistic regression, Platt sigmoid) pairs as one
  sparse product and one vectorised sigmoid.

Nothing here is saved with the model (the caches are rebuilt from the fitted vectorizers);
``tests/test_models.py`` checks both against scikit-learn's own output.
"""
from __future__ import annotations

import numpy as np
from scipy.special import expit


class StackedCalibratedLR:
    """The positive-class probabilities of a list of binary ``CalibratedClassifierCV`` over a
    linear model (``ensemble=False``, ``method='sigmoid'``), as one product: (n, k)."""

    def __init__(self, estimators):
        coefs, inter, a, b = [], [], [], []
        for est in estimators:
            (cc,) = est.calibrated_classifiers_
            (cal,) = cc.calibrators
            coefs.append(cc.estimator.coef_[0])
            inter.append(cc.estimator.intercept_[0])
            a.append(cal.a_)
            b.append(cal.b_)
        self.W = np.column_stack(coefs)
        self.c = np.asarray(inter)
        self.a = np.asarray(a)
        self.b = np.asarray(b)

    @staticmethod
    def supports(estimators) -> bool:
        try:
            return all(est.method == "sigmoid" and len(est.calibrated_classifiers_) == 1
                       and len(est.calibrated_classifiers_[0].calibrators) == 1
                       and hasattr(est.calibrated_classifiers_[0].estimator, "coef_") for est in estimators)
        except AttributeError:
            return False

    def predict_proba(self, F) -> np.ndarray:
        D = np.asarray(F @ self.W, dtype=np.float64) + self.c
        return expit(-(self.a * D + self.b))
