"""spaCy pipelines for ru and kk: tokenizer, legal-aware sentence splitter, lemmas/stems.

``get_nlp(lang)`` returns a cached pipeline ``[lexpert_sentencizer, lexpert_lemmatizer]``; the
rule layer's pipeline adds ``lexpert_rules`` (:func:`lexpert.detect.rules.rule_nlp`). Every
component is registered, so a user can add them to a pipeline of their own with
``nlp.add_pipe("lexpert_lemmatizer")``.
"""
from __future__ import annotations

import re
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from . import kazakh  # noqa: F401  (registers the "kk" language)
from .kazakh import stem as kk_stem

if not Span.has_extension("locator"):
    Span.set_extension("locator", default=None)
if not Doc.has_extension("locator"):
    Doc.set_extension("locator", default=None)
if not Doc.has_extension("norm_id"):
    Doc.set_extension("norm_id", default=None)

# abbreviations after which a period does not end a sentence
_NO_BREAK_AFTER = {
    "ст", "п", "пп", "г", "гг", "т", "е", "д", "п", "др", "пр", "см", "ч", "рис", "тел", "им", "ул",
    "обл", "р", "с", "руб", "тыс", "млн", "млрд", "напр", "т.е", "т.д", "т.п", "ж", "жж", "б.а", "т.б",
    "мыс", "№", "no", "art", "para", "subpara", "etc", "i.e", "e.g",
}
_SENT_END = {".", "!", "?"}


@Language.component("lexpert_sentencizer")
def lexpert_sentencizer(doc: Doc) -> Doc:
    """Split a norm into sentences at . ! ? before an upper-case word or a numbered unit,
    but not after abbreviations and initials, not inside «quotes» or (brackets), and
    never at «;» — a list of subpoints is one sentence in legal writing."""
    depth_q = depth_p = 0
    for i, tok in enumerate(doc):
        if i == 0:
            tok.is_sent_start = True
            continue
        tok.is_sent_start = False
        prev = doc[i - 1]
        t = prev.text
        if t in ("«", "“", "„"):
            depth_q += 1
        elif t in ("»", "”") and depth_q:
            depth_q -= 1
        elif t == "(":
            depth_p += 1
        elif t == ")" and depth_p:
            depth_p -= 1
        if t in _SENT_END and depth_q == 0 and depth_p == 0:
            before = doc[i - 2].text.lower() if i >= 2 else ""
            initial = i >= 2 and len(doc[i - 2].text) == 1 and doc[i - 2].text.isupper()
            if before in _NO_BREAK_AFTER or initial:
                continue
            if tok.text[:1].isupper() or tok.text[:1].isdigit() or tok.text in ("«", "\""):
                tok.is_sent_start = True
    return doc


_morph = None


def _morph_analyzer():
    global _morph
    if _morph is None:
        import pymorphy3

        _morph = pymorphy3.MorphAnalyzer(lang="ru")
    return _morph


@lru_cache(maxsize=300_000)
def ru_lemma(word: str) -> str:
    w = word.lower().replace("ё", "е")
    if not re.match(r"^[а-яё-]+$", w):
        return w
    return _morph_analyzer().parse(w)[0].normal_form.replace("ё", "е")


def lemma(word: str, lang: str) -> str:
    """Lemma (ru, pymorphy3) or stem (kk) of one word, lowercased."""
    if lang == "kk":
        return kk_stem(word)
    if lang == "ru":
        return ru_lemma(word)
    return word.lower()


@Language.factory("lexpert_lemmatizer", default_config={})
def make_lemmatizer(nlp: Language, name: str):
    lang = nlp.lang

    def lemmatize(doc: Doc) -> Doc:
        for tok in doc:
            tok.lemma_ = lemma(tok.text, lang)
        return doc

    return lemmatize


def build_nlp(lang: str, lemmas: bool = True) -> Language:
    """A new pipeline for ``lang`` ('ru', 'kk'; anything else gets a multi-language blank):
    sentencizer, then the lemmatizer when ``lemmas``. The detectors add their own components
    (:func:`lexpert.detect.rules.rule_nlp`)."""
    base = lang if lang in ("ru", "kk") else "xx"
    nlp = spacy.blank(base)
    nlp.add_pipe("lexpert_sentencizer")
    if lemmas:
        nlp.add_pipe("lexpert_lemmatizer")
    return nlp


@lru_cache(maxsize=8)
def get_nlp(lang: str, lemmas: bool = True) -> Language:
    """The cached :func:`build_nlp` pipeline (shared: do not add components to it)."""
    return build_nlp(lang, lemmas)
