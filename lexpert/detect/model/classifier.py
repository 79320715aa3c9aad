"""The trained sentence classifier: a scikit-learn estimator over the 12 factor codes.

``FactorClassifier`` follows the scikit-learn API: ``fit(X, Y)``, ``predict_proba(X)``
-> array (n_samples, 12) of calibrated probabilities in taxonomy order, ``predict(X)``
-> 0/1 array using per-code thresholds tuned on a dev set. ``X`` is a list of norms,
``{"text": str, "lang": "ru"|"kk", "context": str|None}``; ``Y`` an (n, 12) 0/1 array or
a list of code lists.

Features: TF-IDF word 1-2-grams over lemmas (ru, pymorphy3) or stems (kk) with the list
lead-in as ``ctx_`` tokens; TF-IDF character 2-5-grams; optionally the rule layer's hits
(per-code best score and per-rule indicators). One-vs-rest (scikit-learn's
``OneVsRestClassifier``) over a logistic regression per code, probability-calibrated by Platt
scaling on internal cross-validation.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from ...taxonomy import load_taxonomy
from .features import lemma_string, rule_features, tokens, _lem


def rows_rule_scores(X: Sequence[dict[str, Any]], n_codes: int) -> np.ndarray:
    """The rule layer's best score per code of each row (``text``, ``lang``, ``context``), (n, n_codes)."""
    return rule_features([x["text"] for x in X], [x.get("lang") or "ru" for x in X],
                         [x.get("context") for x in X])[:, :n_codes]


def blend_rules(P: np.ndarray, R: np.ndarray, rule_blend: float) -> np.ndarray:
    """The late fusion of model probabilities ``P`` with rule scores ``R``: ``(1 - w) * P + w * R``."""
    return (1 - rule_blend) * P + rule_blend * R if rule_blend else P


def as_matrix(Y, codes: Sequence[str]) -> np.ndarray:
    """Labels as an (n, len(codes)) 0/1 array; accepts code lists or an array."""
    if isinstance(Y, np.ndarray):
        return Y.astype(np.int8)
    idx = {c: i for i, c in enumerate(codes)}
    out = np.zeros((len(Y), len(codes)), dtype=np.int8)
    for i, labels in enumerate(Y):
        for c in labels:
            out[i, idx[c]] = 1
    return out


# prepositions, conjunctions, particles, pronouns and determiners (lemmas): never evidence alone
FUNCTION_WORDS = {
    "ru": frozenset("""не ни и или либо а но же ли бы в во на с со по для от к ко о об обо за при из у до без под над
        через между который это этот тот его ее её их он она оно они как что чтобы также так же
        """.split()),
    "kk": frozenset("""және не немесе немес мен бен пен да де та те үшін бойынша осы сол бұл ол оның олар сондай-ақ
        сияқты арқылы дейін кейін бастап туралы жөнінде жөніндегі қатысты""".split()),
}

NEGATIONS = frozenset({"не", "ни"})


class FactorClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label classifier of corruption factors in norms (see module docstring).

    Parameters
    ----------
    use_words, use_chars : bool, default True
        Which TF-IDF feature blocks to use.
    use_rules : bool, default False
        Add the rule layer's hits as features (early fusion).
    C : float, default 10.0
        Inverse regularisation of each logistic regression.
    char_ngrams : tuple, default (2, 5)
    max_char_features : int, default 200_000
    rule_weight : float, default 0.5
        Scale of the rule-feature block relative to the TF-IDF blocks.
    rule_blend : float, default 0.0
        Late fusion: the output is ``(1 - rule_blend) * p_model + rule_blend * rule_score``
        per code; ``tune(..., blends=...)`` picks it on a dev set.
    calibration : {"sigmoid", "isotonic"}, default "sigmoid"
    domain : {"", "rules", "all"}, default ""
        Domain adaptation by feature augmentation (Daumé III, 2007): the rule block
        (``"rules"``) or every block (``"all"``) is added a second time, filled for the labelled
        real norms (rows with an ``act``) and zero for the authored ones, so the fit learns a
        shared weight and a correction that only real text supports. Every text the model
        scores is read as real (the product only sees real acts): it gets both copies.
    domain_weight : float, default 1.0
        How much of the real-text correction a fitted model keeps: its weights are
        ``w_shared + domain_weight * w_real``; 1 scores every text as real, 0 as authored, a
        value between shrinks the correction that the few real norms fitted.
    cv : int, default 3
        Folds of the internal calibration.
    random_state : int, default 0

    Fitting is ``OneVsRestClassifier(CalibratedClassifierCV(LogisticRegression(...)))``, and only
    its ``estimators_`` are kept: ``estimators_`` is a list of one fitted
    ``CalibratedClassifierCV`` per code, in taxonomy order, as saved in the shipped model and read
    by the fast path (:mod:`lexpert.detect.model.fastpath`) and by :meth:`explain`. Every code
    must have both positive and negative examples: one-vs-rest would fit a constant predictor
    for a one-class column, which has no coefficients to explain or stack, so ``fit`` refuses
    such labels (the per-code loop this replaced failed on them too).
    """

    def __init__(self, use_words=True, use_chars=True, use_rules=False, C=10.0, char_ngrams=(2, 5),
                 max_char_features=200_000, rule_weight=0.5, rule_blend=0.0, calibration="sigmoid", cv=3,
                 random_state=0, domain="", domain_weight=1.0):
        self.use_words = use_words
        self.use_chars = use_chars
        self.use_rules = use_rules
        self.C = C
        self.char_ngrams = char_ngrams
        self.max_char_features = max_char_features
        self.rule_weight = rule_weight
        self.rule_blend = rule_blend
        self.calibration = calibration
        self.cv = cv
        self.random_state = random_state
        self.domain = domain
        self.domain_weight = domain_weight

    # ------------------------------------------------------------------ features
    def _features(self, X: list[dict[str, Any]]):
        """The plain feature matrix of ``X`` (a fitted model's; see :meth:`_fit_features`)."""
        return sp.hstack(self._blocks(X), format="csr")

    def _blocks(self, X: list[dict[str, Any]], fit: bool = False) -> list:
        """The feature blocks of ``X``: lemma TF-IDF, character TF-IDF, rule hits (as configured)."""
        texts = [x["text"] for x in X]
        langs = [x.get("lang") or "ru" for x in X]
        ctxs = [x.get("context") for x in X]
        blocks = []
        if self.use_words:
            ls = [lemma_string(t, lg, c) for t, lg, c in zip(texts, langs, ctxs)]
            if fit:
                self.word_vec_ = TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), min_df=2,
                                                 sublinear_tf=True, lowercase=False, dtype=np.float32)
                blocks.append(self.word_vec_.fit_transform(ls))
                self.word_vec_.__dict__.pop("stop_words_", None)   # pruned n-grams: large, not needed
            else:
                blocks.append(self._fast("word_vec_").transform(ls))
        if self.use_chars:
            low = [t.lower().replace("ё", "е") for t in texts]
            if fit:
                self.char_vec_ = TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self.char_ngrams), min_df=2,
                                                 sublinear_tf=True, max_features=self.max_char_features,
                                                 dtype=np.float32)
                blocks.append(self.char_vec_.fit_transform(low))
                self.char_vec_.__dict__.pop("stop_words_", None)
            else:
                blocks.append(self._fast("char_vec_").transform(low))
        if self.use_rules:
            blocks.append(sp.csr_matrix(rule_features(texts, langs, ctxs) * self.rule_weight))
        return blocks

    def _augmented(self) -> bool:
        if self.domain not in ("", "rules", "all"):
            raise ValueError(f"domain must be '', 'rules' or 'all', got {self.domain!r}")
        return bool(self.domain) and (self.domain == "all" or self.use_rules)

    def _fit_features(self, X: list[dict[str, Any]]) -> tuple[Any, int]:
        """The fit's feature matrix and the width of the plain features: with ``domain``, the
        real-text copy (filled for the rows with an ``act``) follows them, only while fitting;
        ``fit`` then folds its weights into the shared ones, so a fitted model reads plain features."""
        blocks = self._blocks(X, fit=True)
        width = sum(b.shape[1] for b in blocks)
        if self._augmented():
            real = np.array([1.0 if x.get("act") else 0.0 for x in X], dtype=np.float32)
            copy = blocks[-1] if self.domain == "rules" else sp.hstack(blocks, format="csr")
            blocks = blocks + [sp.diags(real) @ copy]
        return sp.hstack(blocks, format="csr"), width

    def _fold_domain(self, width: int) -> None:
        """Fold the real-text copy's weights into the shared ones (``w + domain_weight * w_real``;
        with 1, every text is scored as real), leaving a model over the ``width`` plain features:
        the same numbers as scoring the augmented features of a real row (with 1), at the plain
        model's cost."""
        alpha = float(self.domain_weight)
        for est in self.estimators_:
            for cc in est.calibrated_classifiers_:
                lr = cc.estimator
                coef = np.array(lr.coef_[:, :width], copy=True)
                extra = lr.coef_[:, width:]
                coef[:, width - extra.shape[1]:] += alpha * extra
                lr.coef_ = coef
                lr.n_features_in_ = width
            est.n_features_in_ = width

    def _fast(self, name: str):
        """The cached exact fast path of a fitted vectorizer (see :mod:`lexpert.detect.model.fastpath`)."""
        from ...nlp.tfidf import TfidfFeaturizer

        fast = self.__dict__.setdefault("_fast_cache", {})
        if name not in fast:
            fast[name] = TfidfFeaturizer(getattr(self, name))
        return fast[name]

    # ------------------------------------------------------------------ sklearn API
    def fit(self, X, Y):
        self.__dict__.pop("_fast_cache", None)
        self.__dict__.pop("reranker_", None)       # fitted on another first stage's scores
        self.codes_ = list(load_taxonomy().codes)
        Ym = as_matrix(Y, self.codes_)
        constant = [c for c, col in zip(self.codes_, Ym.T) if col.min() == col.max()]
        if constant:
            raise ValueError(f"every code needs positive and negative training examples; only one class for {constant}")
        F, width = self._fit_features(list(X))
        base = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000, solver="liblinear",
                                  random_state=self.random_state)
        ovr = OneVsRestClassifier(CalibratedClassifierCV(base, method=self.calibration, cv=self.cv, ensemble=False))
        ovr.fit(F, Ym)
        self.estimators_ = list(ovr.estimators_)     # the one-vs-rest wrapper itself is not kept
        if width != F.shape[1]:
            self._fold_domain(width)
        self.thresholds_ = np.full(len(self.codes_), 0.5)
        self.n_features_ = width
        return self

    def predict_proba(self, X, rule_scores: np.ndarray | None = None) -> np.ndarray:
        """Calibrated probabilities, (n, 12) in taxonomy order. ``rule_scores`` (n, 12): the
        rule layer's best score per code, if the caller already has them."""
        X = list(X)
        F = self._features(X)
        fast = self.__dict__.setdefault("_fast_cache", {})
        if "proba" not in fast:
            from .fastpath import StackedCalibratedLR

            fast["proba"] = StackedCalibratedLR(self.estimators_) if StackedCalibratedLR.supports(self.estimators_) else None
        if fast["proba"] is not None:
            P = fast["proba"].predict_proba(F)
        else:
            P = np.column_stack([est.predict_proba(F)[:, 1] for est in self.estimators_])
        if self.rule_blend:
            if rule_scores is None:
                rule_scores = rows_rule_scores(X, P.shape[1])
            P = blend_rules(P, rule_scores, self.rule_blend)
        return P

    def predict(self, X) -> np.ndarray:
        return (self.predict_proba(X) >= self.thresholds_).astype(np.int8)

    def tune(self, X, Y, blends=(0.0, 0.1, 0.2, 0.3, 0.4, 0.5), P_model: np.ndarray | None = None) -> "FactorClassifier":
        """Pick ``rule_blend`` (by family micro-F1) and the per-code thresholds on a dev set.
        ``P_model`` (n, 12): the model probabilities of ``X`` to tune on instead of this model's
        own, e.g. out-of-fold probabilities of models fitted without each row's document."""
        from ..metrics import score_sets

        tax = load_taxonomy()
        X = list(X)
        Ym = as_matrix(Y, self.codes_)
        gold = [{tax.family_of(c) for c, v in zip(self.codes_, row) if v} for row in Ym]
        if P_model is None:              # this model's own probabilities, before any blend
            self.rule_blend = 0.0
            P_model = self.predict_proba(X)
        rules = None
        if any(blends):
            rules = rows_rule_scores(X, P_model.shape[1])
        best = None
        for b in blends:
            self.rule_blend = b
            P = blend_rules(P_model, rules, b)
            self.tune_thresholds(X, Ym, P=P)
            Yp = (P >= self.thresholds_).astype(np.int8)
            pred = [{tax.family_of(c) for c, v in zip(self.codes_, row) if v} for row in Yp]
            f1 = score_sets(gold, pred, sorted({f.family for f in tax.factors}))["micro"]["f1"]
            if best is None or f1 > best[0] + 1e-9:
                best = (f1, b, self.thresholds_.copy())
        _, self.rule_blend, self.thresholds_ = best
        return self

    def tune_thresholds(self, X, Y, grid=None, P: np.ndarray | None = None) -> "FactorClassifier":
        """Per code, the threshold that maximises F1 on (X, Y) (a dev set, never test); ``P``:
        the probabilities to tune on (default: this model's on ``X``)."""
        Ym = as_matrix(Y, self.codes_)
        P = self.predict_proba(X) if P is None else P
        grid = np.arange(0.1, 0.91, 0.025) if grid is None else grid
        th = []
        for j in range(Ym.shape[1]):
            best = (0.0, 0.5)
            for t in grid:
                pred = P[:, j] >= t
                tp = int((pred & (Ym[:, j] == 1)).sum())
                fp = int((pred & (Ym[:, j] == 0)).sum())
                fn = int((~pred & (Ym[:, j] == 1)).sum())
                f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
                if f1 > best[0] + 1e-9:
                    best = (f1, float(t))
            th.append(best[1])
        self.thresholds_ = np.array(th)
        return self

    # ------------------------------------------------------------------ explanations
    def _word_coef(self, j: int) -> np.ndarray | None:
        if not self.use_words:
            return None
        cache = getattr(self, "_coef_cache", None)
        if cache is None:
            cache = self._coef_cache = {}
        if j not in cache:
            n_words = len(self.word_vec_.vocabulary_)
            coefs = [c.estimator.coef_[0][:n_words] for c in self.estimators_[j].calibrated_classifiers_]
            cache[j] = np.mean(coefs, axis=0)
        return cache[j]

    def explain(self, text: str, lang: str, code: str, max_tokens: int = 3) -> tuple[int, int]:
        """The character span of the words that push ``code`` up most (for a model-only finding)."""
        j = self.codes_.index(code)
        coef = self._word_coef(j)
        toks = tokens(text)
        if coef is None or not toks:
            return 0, min(len(text), 80)
        vocab = self.word_vec_.vocabulary_
        lems = [_lem(w, lang) for w, _, _ in toks]
        score = np.zeros(len(toks))
        for i, lm in enumerate(lems):
            k = vocab.get(lm)
            if k is not None:
                score[i] += coef[k]
            if i + 1 < len(lems):
                k2 = vocab.get(lm + " " + lems[i + 1])
                if k2 is not None:
                    score[i] += coef[k2] / 2
                    score[i + 1] += coef[k2] / 2
        # a function word is never the evidence on its own, nor at its edge: «не», «при», «және»
        # may carry weight in the model, but an expert cannot reword them (an expert review found a
        # reason built on «не»); a window of function words only is skipped, and the chosen window
        # loses the function words at its ends (a negation before its verb stays)
        function = FUNCTION_WORDS.get(lang, FUNCTION_WORDS["ru"])
        content = np.array([lm not in function for lm in lems])
        best, best_span = -1e9, (0, 1)
        for width in range(1, min(max_tokens, len(toks)) + 1):
            # every window of this width at once; first maximum, as a left-to-right scan would find
            sums = np.lib.stride_tricks.sliding_window_view(score, width).sum(axis=1) / (width ** 0.5)
            has_content = np.lib.stride_tricks.sliding_window_view(content, width).any(axis=1)
            if content.any():
                sums = np.where(has_content, sums, -np.inf)
            i = int(np.argmax(sums))
            if sums[i] > best:
                best, best_span = float(sums[i]), (i, i + width)
        a, z = best_span
        edge = ~content & np.array([lm not in NEGATIONS for lm in lems])   # «не подлежит» keeps its «не»; «… не» does not
        while z - a > 1 and edge[a]:
            a += 1
        while z - a > 1 and not content[z - 1]:
            z -= 1
        return toks[a][1], toks[z - 1][2]

    # ------------------------------------------------------------------ persistence
    _VECTORIZERS = ("word_vec_", "char_vec_")

    def save(self, path: str | Path) -> None:
        """Save with skops (no pickle): loading it cannot run arbitrary code.

        The vectorizers' vocabularies are stored as one newline-joined string of terms in index
        order (``vocab_terms_``): skops rebuilds a dict of tens of thousands of entries object by
        object, which took ~13 s per load; a string and a dict comprehension take ~0.01 s."""
        import zipfile

        import skops.io as sio

        self.__dict__.pop("_coef_cache", None)
        self.__dict__.pop("_fast_cache", None)
        saved: dict[str, dict[str, int]] = {}
        terms: dict[str, str] = {}
        for name, vec in self._vectorizers().items():
            if not hasattr(vec, "vocabulary_"):
                continue
            ordered = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
            if any("\n" in t for t in ordered):
                continue                       # cannot be joined safely: keep the dict as it is
            saved[name] = vec.vocabulary_
            terms[name] = "\n".join(ordered)
            vec.vocabulary_ = {}
        self.vocab_terms_ = terms
        try:
            sio.dump(self, Path(path), compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        finally:
            vecs = self._vectorizers()
            for name, vocab in saved.items():
                vecs[name].vocabulary_ = vocab
            del self.vocab_terms_

    def _vectorizers(self) -> dict[str, Any]:
        """The fitted vectorizers by name: the model's own and the reranker's (``reranker_.vec_``)."""
        out = {name: getattr(self, name) for name in self._VECTORIZERS if getattr(self, name, None) is not None}
        rr = getattr(self, "reranker_", None)
        if rr is not None and getattr(rr, "vec_", None) is not None:
            out["reranker_.vec_"] = rr.vec_
        return out

    @classmethod
    def load(cls, path: str | Path) -> "FactorClassifier":
        """Load a skops file, trusting only scikit-learn, NumPy, SciPy and lexpert types."""
        import skops.io as sio

        path = Path(path)
        untrusted = sio.get_untrusted_types(file=path)
        allowed = ("sklearn.", "numpy.", "scipy.", "lexpert.detect.model.", "builtins.")
        bad = [t for t in untrusted if not t.startswith(allowed)]
        if bad:
            from ...errors import LexpertError

            raise LexpertError(f"{path.name}: refusing a model file that asks to load {bad[:3]}")
        model = sio.load(path, trusted=untrusted)
        for name, value in cls().get_params().items():    # a parameter added after the model was saved
            model.__dict__.setdefault(name, value)
        vecs = model._vectorizers()
        for name, joined in model.__dict__.pop("vocab_terms_", {}).items():
            vecs[name].vocabulary_ = {t: i for i, t in enumerate(joined.split("\n"))}
        return model

    def rescore(self, texts: list[str], langs: list[str], P: np.ndarray, R: np.ndarray) -> np.ndarray:
        """The blended scores ``P`` after the second stage, where the model has one
        (:mod:`lexpert.detect.model.rerank`); ``R``: the rule layer's scores per code."""
        rr = getattr(self, "reranker_", None)
        if rr is None or not len(P):
            return P
        return rr.rescore(texts, langs, P, R, self.thresholds_)
