"""Featurization of norms for the trained detectors: pure functions, no state.

A norm is ``{"text", "lang", "context"}``. ``lemma_string`` turns it into a string of
space-separated lemma tokens (pymorphy3 lemmas for Russian, stems for Kazakh) with the
list lead-in as ``ctx_``-prefixed tokens and the language as a token, so a plain
scikit-learn vectorizer (no custom callables, hence safe to save with skops) can read it.
``rule_features`` gives the rule layer's hits as a dense vector.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from ..rules import ruleset
from ...nlp.pipeline import lemma
from ...taxonomy import load_taxonomy

_TOKEN = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІіA-Za-z]+|\d+")
_CTX_WORDS = 12


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Word tokens with their character offsets."""
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


@lru_cache(maxsize=400_000)
def _lem(word: str, lang: str) -> str:
    if word.isdigit():
        return "<num>"
    return lemma(word, lang)


def lemma_string(text: str, lang: str, context: str | None = None) -> str:
    lang = lang if lang in ("ru", "kk") else "ru"
    out = [f"__lang_{lang}"]
    out += [_lem(w, lang) for w in _TOKEN.findall(text.replace("ё", "е"))]
    if context:
        ctx = [_lem(w, lang) for w in _TOKEN.findall(context.replace("ё", "е"))][-_CTX_WORDS:]
        out += ["ctx_" + c for c in ctx]
    return " ".join(out)


def rule_feature_names(lang: str) -> list[str]:
    tax = load_taxonomy()
    return [f"code:{c}" for c in tax.codes] + [f"rule:{r.id}" for r in ruleset(lang).rules]


def rule_features(texts: list[str], langs: list[str], contexts: list[str | None] | None = None) -> np.ndarray:
    """Dense matrix: per code the best rule score, then one column per rule (ru rules then
    kk rules), 1.0 where that rule fired. Shape (n, 12 + n_rules_ru + n_rules_kk)."""
    tax = load_taxonomy()
    codes = {c: i for i, c in enumerate(tax.codes)}
    rs = {lang: ruleset(lang) for lang in ("ru", "kk")}
    offs = {"ru": len(codes), "kk": len(codes) + len(rs["ru"].rules)}
    rule_idx = {lang: {r.id: offs[lang] + i for i, r in enumerate(rs[lang].rules)} for lang in rs}
    width = len(codes) + len(rs["ru"].rules) + len(rs["kk"].rules)
    X = np.zeros((len(texts), width), dtype=np.float32)
    contexts = contexts or [None] * len(texts)
    for i, (t, lg, ctx) in enumerate(zip(texts, langs, contexts)):
        lg = lg if lg in ("ru", "kk") else "ru"
        for h in rs[lg].find(t, ctx):
            j = codes[h.code]
            X[i, j] = max(X[i, j], h.score)
            X[i, rule_idx[lg][h.rule]] = 1.0
    return X
