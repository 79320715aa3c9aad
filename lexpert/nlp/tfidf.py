"""Exact, faster ``TfidfVectorizer.transform`` with per-word caches (used by the factor
classifier and the unit classifier; :mod:`lexpert.detect.model.fastpath` holds the model half).

A norm's ``char_wb`` n-grams are the union of its words' n-grams (``char_wb`` pads every word
on its own), so the feature ids of each distinct word are computed once and cached; word
1-2-grams are looked up once per distinct lemma pair. Counts, sublinear tf, idf and l2 norm
then follow ``TfidfVectorizer.transform``. ``tests/test_models.py`` checks it against
scikit-learn's own output.
"""
from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp

_WS = re.compile(r"\s\s+")          # TfidfVectorizer's own white-space normalisation for char_wb
_CACHE_LIMIT = 100_000     # distinct words kept per vectorizer (~50 MB at most), then the cache restarts


class TfidfFeaturizer:
    """``vec.transform(docs)`` for a fitted ``TfidfVectorizer`` with ``analyzer='char_wb'`` or a
    whitespace word analyzer (``token_pattern=r'\\S+'``, ``lowercase=False``), computed with
    per-word caches. Returns the same CSR matrix (same dtype, sorted indices)."""

    def __init__(self, vec):
        self.vec = vec
        self.vocab = vec.vocabulary_
        self.kind = vec.analyzer if vec.analyzer == "char_wb" else "word"
        if self.kind == "word" and (vec.token_pattern != r"\S+" or vec.lowercase or vec.stop_words):
            raise ValueError("TfidfFeaturizer reads only whitespace-token word vectorizers")
        self.min_n, self.max_n = vec.ngram_range
        self.idf = vec.idf_.astype(vec.dtype)
        self.cache: dict[str, tuple[int, ...]] = {}

    # -------------------------------------------------------------- per-word feature ids
    def _char_ids(self, word: str) -> tuple[int, ...]:
        vocab, out = self.vocab, []
        w = " " + word + " "
        w_len = len(w)
        for n in range(self.min_n, self.max_n + 1):
            offset = 0
            k = vocab.get(w[0:n])
            if k is not None:
                out.append(k)
            while offset + n < w_len:
                offset += 1
                k = vocab.get(w[offset:offset + n])
                if k is not None:
                    out.append(k)
            if offset == 0:
                break
        return tuple(out)

    def _doc_ids(self, doc: str) -> list[int]:
        cache = self.cache
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        ids: list[int] = []
        if self.kind == "char_wb":
            for w in _WS.sub(" ", doc).split():
                t = cache.get(w)
                if t is None:
                    t = cache[w] = self._char_ids(w)
                ids.extend(t)
            return ids
        vocab = self.vocab
        toks = doc.split()
        for n in range(self.min_n, self.max_n + 1):
            grams = toks if n == 1 else (" ".join(toks[i:i + n]) for i in range(len(toks) - n + 1))
            ids.extend(k for k in map(vocab.get, grams) if k is not None)
        return ids

    def transform(self, docs: list[str]) -> sp.csr_matrix:
        cols: list[int] = []
        lens = np.zeros(len(docs), dtype=np.int64)
        for r, doc in enumerate(docs):
            if self.kind == "char_wb" and self.vec.lowercase:
                doc = doc.lower()
            ids = self._doc_ids(doc)
            cols.extend(ids)
            lens[r] = len(ids)
        rows = np.repeat(np.arange(len(docs), dtype=np.int32), lens)
        X = sp.csr_matrix((np.ones(len(cols), dtype=self.vec.dtype), (rows, np.asarray(cols, dtype=np.int32))),
                          shape=(len(docs), len(self.vocab)), dtype=self.vec.dtype)
        X.sum_duplicates()        # counts, sorted indices
        if self.vec.sublinear_tf:
            np.log(X.data, X.data)
            X.data += 1
        X.data *= self.idf[X.indices]
        if self.vec.norm == "l2":
            per_row = np.diff(X.indptr)
            row_of = np.repeat(np.arange(X.shape[0]), per_row)
            norms = np.sqrt(np.bincount(row_of, weights=X.data.astype(np.float64) ** 2, minlength=X.shape[0]))
            norms[norms == 0] = 1
            X.data /= norms[row_of].astype(X.dtype)
        elif self.vec.norm is not None:
            raise ValueError(f"unsupported norm {self.vec.norm!r}")
        return X
