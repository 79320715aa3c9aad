"""spaCy pipelines for ru and kk: tokenizer, legal-aware sentence splitter, lemmas/stems.

``get_nlp(lang)`` returns a cached pipeline ``[lexpert_sentencizer, lexpert_lemmatizer]``; the
rule layer's pipeline adds ``lexpert_rules`` (:func:`lexpert.detect.rules.rule_nlp`). The
components are ``spacy.pipeline.Pipe`` classes (:class:`LegalSentencizer`,
:class:`LegalLemmatizer`) registered as factories with typed configs, so a user can add them to
a pipeline of their own (``nlp.add_pipe("lexpert_lemmatizer")``), and ``nlp.to_disk(path)``
then ``spacy.load(path)`` (with lexpert installed or imported) gives the same pipeline.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, List, Optional

import spacy
import srsly
from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

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


class LegalSentencizer(Pipe):
    """Split a norm into sentences at ``punct_chars`` (. ! ?) before an upper-case word, a digit
    or an opening quote, but not after ``abbreviations`` (lower-cased, without the period) and
    initials, not inside «quotes» or (brackets), and never at «;» — a list of subpoints is one
    sentence in legal writing. Every token's ``is_sent_start`` is set (existing boundaries are
    overwritten).

    Registered as the ``lexpert_sentencizer`` factory; its settings are the component's config
    and are saved with the pipeline (``to_disk``/``to_bytes``).
    """

    default_punct_chars: tuple[str, ...] = tuple(sorted(_SENT_END))
    default_abbreviations: tuple[str, ...] = tuple(sorted(_NO_BREAK_AFTER))

    def __init__(self, name: str = "lexpert_sentencizer", *, punct_chars: Iterable[str] | None = None,
                 abbreviations: Iterable[str] | None = None):
        self.name = name
        self._configure(punct_chars, abbreviations)

    def _configure(self, punct_chars, abbreviations) -> None:
        self.punct_chars = frozenset(self.default_punct_chars if punct_chars is None else punct_chars)
        self.abbreviations = frozenset(self.default_abbreviations if abbreviations is None
                                       else (a.lower() for a in abbreviations))

    def __call__(self, doc: Doc) -> Doc:
        sent_end, no_break = self.punct_chars, self.abbreviations
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
            if t in sent_end and depth_q == 0 and depth_p == 0:
                before = doc[i - 2].text.lower() if i >= 2 else ""
                initial = i >= 2 and len(doc[i - 2].text) == 1 and doc[i - 2].text.isupper()
                if before in no_break or initial:
                    continue
                if tok.text[:1].isupper() or tok.text[:1].isdigit() or tok.text in ("«", "\""):
                    tok.is_sent_start = True
        return doc

    # ------------------------------------------------------------- serialisation
    def _cfg(self) -> dict:
        return {"punct_chars": sorted(self.punct_chars), "abbreviations": sorted(self.abbreviations)}

    def _set_cfg(self, cfg: dict) -> "LegalSentencizer":
        self._configure(cfg.get("punct_chars"), cfg.get("abbreviations"))
        return self

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return srsly.msgpack_dumps(self._cfg())

    def from_bytes(self, bytes_data: bytes, *, exclude=tuple()) -> "LegalSentencizer":
        return self._set_cfg(srsly.msgpack_loads(bytes_data))

    def to_disk(self, path, *, exclude=tuple()) -> None:
        srsly.write_json(ensure_path(path).with_suffix(".json"), self._cfg())

    def from_disk(self, path, *, exclude=tuple()) -> "LegalSentencizer":
        return self._set_cfg(srsly.read_json(ensure_path(path).with_suffix(".json")))


@Language.factory("lexpert_sentencizer", default_config={"punct_chars": None, "abbreviations": None})
def make_sentencizer(nlp: Language, name: str, punct_chars: Optional[List[str]],
                     abbreviations: Optional[List[str]]) -> LegalSentencizer:
    """spaCy factory: ``nlp.add_pipe("lexpert_sentencizer")``. ``punct_chars`` (None: . ! ?) and
    ``abbreviations`` (None: :attr:`LegalSentencizer.default_abbreviations`) replace the defaults."""
    return LegalSentencizer(name, punct_chars=punct_chars, abbreviations=abbreviations)


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


class LegalLemmatizer(Pipe):
    """Set ``Token.lemma_`` to :func:`lemma` of the token text: the pymorphy3 lemma (ru) or the
    stem (kk), lower-cased; other languages get the lower-cased text. ``lang`` is the
    lemmatiser's language (the pipeline's own when the factory gets none); with ``overwrite``
    False, tokens that already have a lemma keep it.

    Registered as the ``lexpert_lemmatizer`` factory; its settings are saved with the pipeline.
    """

    def __init__(self, name: str = "lexpert_lemmatizer", *, lang: str, overwrite: bool = True):
        self.name = name
        self.lang = lang
        self.overwrite = overwrite

    def __call__(self, doc: Doc) -> Doc:
        lang = self.lang
        for tok in doc:
            if self.overwrite or not tok.lemma:
                tok.lemma_ = lemma(tok.text, lang)
        return doc

    # ------------------------------------------------------------- serialisation
    def _cfg(self) -> dict:
        return {"lang": self.lang, "overwrite": self.overwrite}

    def _set_cfg(self, cfg: dict) -> "LegalLemmatizer":
        self.lang = cfg.get("lang", self.lang)
        self.overwrite = cfg.get("overwrite", self.overwrite)
        return self

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return srsly.msgpack_dumps(self._cfg())

    def from_bytes(self, bytes_data: bytes, *, exclude=tuple()) -> "LegalLemmatizer":
        return self._set_cfg(srsly.msgpack_loads(bytes_data))

    def to_disk(self, path, *, exclude=tuple()) -> None:
        srsly.write_json(ensure_path(path).with_suffix(".json"), self._cfg())

    def from_disk(self, path, *, exclude=tuple()) -> "LegalLemmatizer":
        return self._set_cfg(srsly.read_json(ensure_path(path).with_suffix(".json")))


@Language.factory("lexpert_lemmatizer", default_config={"lang": None, "overwrite": True})
def make_lemmatizer(nlp: Language, name: str, lang: Optional[str], overwrite: bool) -> LegalLemmatizer:
    """spaCy factory: ``nlp.add_pipe("lexpert_lemmatizer")``; ``lang`` None means ``nlp.lang``."""
    return LegalLemmatizer(name, lang=lang or nlp.lang, overwrite=overwrite)


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
