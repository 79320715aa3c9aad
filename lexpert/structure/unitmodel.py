"""The learned part of the normative-unit decision (see :mod:`lexpert.structure.units`): the
features of a candidate unit and the classifier over them. Training and measuring it is
:mod:`lexpert.training.units` (``lexpert units train``)."""
from __future__ import annotations

import math
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..records import Node
from .measures import digit_share, letters

MODEL_FILE = "unit_model.skops"


@lru_cache(maxsize=1)
def default_unit_model():
    """The shipped unit classifier (package data), or None when none is shipped."""
    ref = resources.files("lexpert.data").joinpath("units", MODEL_FILE)
    if not ref.is_file():
        return None
    return UnitClassifier.load(ref)


_END = re.compile(r"[.;:!?]\s*[»\"”]?\s*$")
_UPPER = re.compile(r"[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]")
SURROUNDINGS = ("blk_field", "blk_blank", "blk_rule", "blk_short", "win_field", "win_blank", "win_rule", "win_short")
CTX_FLAGS = ("preamble", "annex", "form_annex", "repealed_annex", "table", "figures_table", "header_row",
             "last_cell", "before_signature")


def features(node: Node, text: str, ctx: dict) -> dict[str, Any]:
    """Hand features of one candidate unit: its form, its place, its neighbours."""
    t = text.strip()
    words = t.split()
    f: dict[str, Any] = {
        "kind=" + node.kind: 1.0,
        "len": math.log1p(len(t)),
        "words": math.log1p(len(words)),
        "letters": letters(t) / max(1, len(t)),
        "digits": digit_share(t),
        "upper": len(_UPPER.findall(t)) / max(1, letters(t)),
        "ends_punct": 1.0 if _END.search(t) else 0.0,
        "ends=" + (t[-1] if t else ""): 1.0,
        "starts_digit": 1.0 if t[:1].isdigit() else 0.0,
        "starts_quote": 1.0 if t[:1] in "«\"“" else 0.0,
        "starts_lower": 1.0 if t[:1].islower() else 0.0,
        "underscores": 1.0 if "__" in t else 0.0,
        "parens": t.count("(") / max(1, len(words)),
        "position": float(ctx.get("position", 0.0)),
        "prev_ends_punct": 1.0 if _END.search(ctx.get("prev", "") or "") else 0.0,
        "next_ends_punct": 1.0 if _END.search(ctx.get("next", "") or "") else 0.0,
        "prev_colon": 1.0 if (ctx.get("prev", "") or "").rstrip().endswith(":") else 0.0,
        "table_rows": math.log1p(ctx.get("table_rows", 0) or 0),
        "row_cells": float(ctx.get("row_cells", 0) or 0),
        "narrow_row": 1.0 if (ctx.get("row_cells") or 0) < (ctx.get("table_width") or 0) else 0.0,
    }
    for k in SURROUNDINGS:          # how form-like the unit's block and window are (units._block_shares)
        f[k] = float(ctx.get(k, 0.0) or 0.0)
    f["blk_size"] = math.log1p(ctx.get("blk_size", 0) or 0)
    for flag in CTX_FLAGS:
        if ctx.get(flag):
            f["ctx=" + flag] = 1.0
    for w in words[:2]:
        f["first=" + w.lower().strip("«\"“.,:;()")[:12]] = 1.0
    if words:
        f["last=" + words[-1].lower().strip("»\"”.,:;()")[:12]] = 1.0
    return f


class UnitClassifier:
    """Multinomial logistic regression over hand features and character n-grams; a unit is
    ``norm`` when P(norm) reaches ``threshold``, else its most probable other type."""

    def __init__(self, C: float = 4.0, threshold: float = 0.5, seed: int = 0):
        self.C = C
        self.threshold = threshold
        self.seed = seed

    def _X(self, items: list[tuple[Node, str, dict]], fit: bool = False):
        from scipy.sparse import hstack

        feats = [features(n, t, c) for n, t, c in items]
        texts = [t.lower()[:400] for _, t, _ in items]
        if fit:
            from sklearn.feature_extraction import DictVectorizer
            from sklearn.feature_extraction.text import TfidfVectorizer

            self.dv_ = DictVectorizer()
            self.tf_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=2, max_features=30000,
                                       sublinear_tf=True)
            return hstack([self.dv_.fit_transform(feats), self.tf_.fit_transform(texts)]).tocsr()
        from ..nlp.tfidf import dict_transform

        return hstack([dict_transform(self.dv_, feats), self._featurizer().transform(texts)]).tocsr()

    def _featurizer(self):
        """The char n-gram TF-IDF of ``tf_`` computed with per-word caches: the same matrix as
        ``tf_.transform`` (:class:`lexpert.detect.model.fastpath.TfidfFeaturizer`, tested equal),
        several times faster on an act whose words repeat."""
        fast = self.__dict__.get("_fast_tf")
        if fast is None or fast.vec is not self.tf_:
            from ..nlp.tfidf import TfidfFeaturizer

            fast = self.__dict__["_fast_tf"] = TfidfFeaturizer(self.tf_)
        return fast

    def fit(self, items: list[tuple[Node, str, dict]], labels: list[str]) -> "UnitClassifier":
        from sklearn.linear_model import LogisticRegression

        X = self._X(items, fit=True)
        self.lr_ = LogisticRegression(C=self.C, max_iter=3000, random_state=self.seed)
        self.lr_.fit(X, labels)
        return self

    def proba(self, items: list[tuple[Node, str, dict]]) -> np.ndarray:
        return self.lr_.predict_proba(self._X(items))

    def predict_units(self, items: list[tuple[Node, str, dict]]) -> list[str]:
        if not items:
            return []
        P = self.proba(items)
        classes = list(self.lr_.classes_)
        k = classes.index("norm")
        out = []
        for row in P:
            if row[k] >= self.threshold:
                out.append("norm")
            else:
                r = row.copy()
                r[k] = -1
                out.append(classes[int(r.argmax())])
        return out

    # ---- persistence: skops, no pickle
    def save(self, directory: Path) -> Path:
        """skops (no pickle); the vocabularies are stored as joined strings, because skops
        rebuilds a dict of thousands of entries object by object (seconds at every start)."""
        import copy

        import skops.io as sio

        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "unit_model.skops"
        tf, dv = copy.copy(self.tf_), copy.copy(self.dv_)
        tf_terms = "\n".join(sorted(tf.vocabulary_, key=tf.vocabulary_.get))
        dv_terms = "\n".join(dv.feature_names_)
        del tf.vocabulary_
        if hasattr(tf, "stop_words_"):
            del tf.stop_words_           # terms cut by max_features: not needed to transform
        del dv.vocabulary_, dv.feature_names_
        sio.dump({"dv": dv, "tf": tf, "lr": self.lr_, "C": self.C, "threshold": self.threshold,
                  "seed": self.seed, "tf_terms": tf_terms, "dv_terms": dv_terms}, path, compression=8)
        return path

    @classmethod
    def load(cls, path) -> "UnitClassifier":
        """Load a skops file, trusting only scikit-learn, NumPy, SciPy and builtin types."""
        return cls._from_skops(Path(str(path)).read_bytes(), path)

    @classmethod
    def _from_skops(cls, data: bytes, path) -> "UnitClassifier":
        import skops.io as sio

        untrusted = sio.get_untrusted_types(data=data)
        bad = [t for t in untrusted if not t.startswith(("sklearn.", "numpy.", "scipy.", "builtins."))]
        if bad:
            raise ValueError(f"{path}: refusing to load foreign types {bad}")
        d = sio.loads(data, trusted=untrusted)
        m = cls(C=d["C"], threshold=d["threshold"], seed=d["seed"])
        m.dv_, m.tf_, m.lr_ = d["dv"], d["tf"], d["lr"]
        terms = d["tf_terms"].split("\n")
        m.tf_.vocabulary_ = {t: i for i, t in enumerate(terms)}
        names = d["dv_terms"].split("\n")
        m.dv_.feature_names_ = names
        m.dv_.vocabulary_ = {t: i for i, t in enumerate(names)}
        return m
