"""Exact, faster ``TfidfVectorizer.transform`` with per-word caches (used by the factor
classifier and the unit classifier; :mod:`lexpert.detect.model.fastpath` holds the model half).

A norm's ``char_wb`` n-grams are the union of its words' n-grams (``char_wb`` pads every word
on its own), so the feature ids of each distinct word are computed once and cached, and the
counts of a batch are one sparse product: (norms x distinct words) @ (distinct words x
n-grams), integer sums whatever their order; word 1-2-grams are looked up once per distinct
lemma pair. Sublinear tf, idf and l2 norm then follow ``TfidfVectorizer.transform``.
``tests/test_models.py`` checks it against scikit-learn's own output.

``dict_transform`` is ``DictVectorizer.transform`` for dicts whose values are all numbers
(the unit classifier's hand features), without scikit-learn's per-value type dispatch.
"""
from __future__ import annotations

import itertools

import numpy as np
import scipy.sparse as sp

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

    def _word_ids(self, doc: str) -> list[int]:
        vocab = self.vocab
        toks = doc.split()
        ids: list[int] = []
        for n in range(self.min_n, self.max_n + 1):
            if n == 1:
                ids.extend(k for k in map(vocab.get, toks) if k is not None)
            elif n == 2:        # pairs looked up as pairs: no joined string per pair
                ids.extend(k for k in map(self._pairs().get, zip(toks, toks[1:])) if k is not None)
            else:
                grams = (" ".join(toks[i:i + n]) for i in range(len(toks) - n + 1))
                ids.extend(k for k in map(vocab.get, grams) if k is not None)
        return ids

    def _pairs(self) -> dict[tuple[str, str], int]:
        """The word-pair entries of the vocabulary keyed by their two words («a b» -> ('a', 'b'))."""
        pairs = self.__dict__.get("_pair_vocab")
        if pairs is None:
            pairs = self._pair_vocab = {}
            for k, i in self.vocab.items():
                parts = k.split(" ")
                if len(parts) == 2:
                    pairs[(parts[0], parts[1])] = i
        return pairs

    def _counts(self, docs: list[str]) -> sp.csr_matrix:
        """The raw n-gram counts of ``docs`` (sorted indices, no duplicates)."""
        dtype, n_docs = self.vec.dtype, len(docs)
        if self.kind == "word":
            cols: list[int] = []
            lens = np.zeros(n_docs, dtype=np.int64)
            for r, doc in enumerate(docs):
                ids = self._word_ids(doc)
                cols.extend(ids)
                lens[r] = len(ids)
            rows = np.repeat(np.arange(n_docs, dtype=np.int32), lens)
            X = sp.csr_matrix((np.ones(len(cols), dtype=dtype), (rows, np.asarray(cols, dtype=np.int32))),
                              shape=(n_docs, len(self.vocab)), dtype=dtype)
            X.sum_duplicates()        # counts, sorted indices
            return X
        # char_wb: a document's n-grams are its words' n-grams, so its counts are (documents x
        # distinct words) @ (distinct words x n-grams): integer sums, exact in any order
        cache = self.cache
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        lower = self.vec.lowercase
        seen: dict[str, int] = {}
        word_of: list[int] = []
        doc_ptr = [0]
        for doc in docs:
            for w in (doc.lower() if lower else doc).split():
                j = seen.get(w)
                if j is None:
                    j = seen[w] = len(seen)
                word_of.append(j)
            doc_ptr.append(len(word_of))
        gram_ids: list[int] = []
        word_ptr = [0]
        for w in seen:
            t = cache.get(w)
            if t is None:
                t = cache[w] = self._char_ids(w)
            gram_ids.extend(t)
            word_ptr.append(len(gram_ids))
        D = sp.csr_matrix((np.ones(len(word_of), dtype=dtype), np.asarray(word_of, dtype=np.int32),
                           np.asarray(doc_ptr, dtype=np.int32)), shape=(n_docs, len(seen)))
        W = sp.csr_matrix((np.ones(len(gram_ids), dtype=dtype), np.asarray(gram_ids, dtype=np.int32),
                           np.asarray(word_ptr, dtype=np.int32)), shape=(len(seen), len(self.vocab)))
        return (D @ W).tocsc().tocsr()    # no duplicates; the two conversions sort the indices in linear time

    def transform(self, docs: list[str]) -> sp.csr_matrix:
        X = self._counts(docs)
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


_NUMBERS = frozenset((float, int))


def dict_transform(dv, feats: list[dict]):
    """``dv.transform(feats)`` for a fitted sparse ``DictVectorizer``: the same CSR matrix
    (values in ``dv.dtype``, unknown features dropped, indices sorted per row). Dicts with a
    value other than an int or a float go to ``dv.transform`` itself."""
    if not dv.sparse or not feats:
        return dv.transform(feats)
    chain = itertools.chain.from_iterable
    if not _NUMBERS.issuperset(map(type, chain(x.values() for x in feats))):
        return dv.transform(feats)
    # every (feature, value) of every dict in order, then the known features kept: C loops only
    cols = np.fromiter(map(dv.vocabulary_.get, chain(feats), itertools.repeat(-1)), dtype=np.intc)
    vals = np.fromiter(chain(x.values() for x in feats), dtype=dv.dtype, count=len(cols))
    rows = np.repeat(np.arange(len(feats)), np.fromiter(map(len, feats), dtype=np.int64, count=len(feats)))
    keep = cols >= 0
    indptr = np.zeros(len(feats) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows[keep], minlength=len(feats)), out=indptr[1:])
    X = sp.csr_matrix((vals[keep], cols[keep], indptr), shape=(len(feats), len(dv.vocabulary_)), dtype=dv.dtype)
    X.sort_indices()
    return X
