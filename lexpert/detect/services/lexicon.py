"""The words of the extractor of service-like obligations, compiled once per language.

The lexicon is data: ``lexpert/data/lexicons/services.yaml``, with a section per language
(``ru``, ``kk``) and one for both (``common``). A value is a regular expression, a list of
alternatives (joined into one non-capturing group), a table (``objects``, ``fee``,
``not_service``, ``topic_keys``) or plain words. :func:`lexicon` reads the file once and
compiles a language's patterns on first use; this module says which patterns are matched
case-insensitively (``_ci``) and which as written (``_cs``), as the extractor always did.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from ...nlp.anchors import Anchored

LANGS = ("ru", "kk")


def join(value: str | list[str]) -> str:
    """A pattern as the lexicon writes it: a string, or a list of alternatives as ``(?:a|b|…)``."""
    return value if isinstance(value, str) else "(?:" + "|".join(value) + ")"


@lru_cache(maxsize=None)
def raw() -> dict[str, dict[str, Any]]:
    """The lexicon file as written: ``{"common": {…}, "ru": {…}, "kk": {…}}``."""
    text = resources.files("lexpert.data").joinpath("lexicons/services.yaml").read_text("utf-8")
    return yaml.safe_load(text)


class Lexicon:
    """The compiled lexicon of one language (``ru`` or ``kk``), with the ``common`` entries.

    An entry that the language's section does not have is ``None`` (``ru``-only and
    ``kk``-only readings are guarded by the language in the extractor)."""

    def __init__(self, lang: str, common: dict[str, Any], own: dict[str, Any]):
        self.lang = lang
        self._src = {**common, **own}
        self._used: set[str] = set()
        self._common()
        self._objects()
        self._names()
        self._actors()
        self._agreements()
        self._neighbours()
        unknown = set(self._src) - self._used
        if unknown:
            raise KeyError(f"services lexicon ({lang}): unknown entries {sorted(unknown)}")
        del self._src, self._used
        from ..rules import ruleset

        self.rs = ruleset(lang)          # the rule layer's state and private actors

    # -- reading entries
    def _get(self, key: str) -> Any:
        self._used.add(key)
        return self._src.get(key)

    def _str(self, key: str) -> str | None:
        value = self._get(key)
        return None if value is None else join(value)

    def _ci(self, key: str) -> re.Pattern | None:
        """A pattern matched case-insensitively."""
        value = self._str(key)
        return None if value is None else re.compile(value, re.I)

    def _cs(self, key: str) -> re.Pattern | None:
        """A pattern matched as written (case-sensitive)."""
        value = self._str(key)
        return None if value is None else re.compile(value)

    def _words(self, key: str) -> tuple[str, ...]:
        return tuple(self._get(key) or ())

    # -- the sections
    def _common(self) -> None:
        self.pronouns = self._words("pronouns")
        self.name_joiners = self._words("name_joiners")
        self.service_provider = self._cs("service_provider")
        self.amendment_context = self._cs("amendment_context")
        self.may = self._cs("may")
        self.admission = self._cs("admission")
        self.entitled = self._cs("entitled")
        self.commission_near = self._cs("commission_near")
        self.recommendation = self._cs("recommendation")
        self.document_nouns = self._cs("document_nouns")
        self.named_services = tuple(Anchored(p) for p in (self._ci("named_service_before"), self._ci("named_service_after")))
        self.named_service_provider = self._cs("named_service_provider")
        self.topic_keys = {kind: list(words) for kind, words in (self._get("topic_keys") or {}).items()}
        self.result_refusal = self._ci("result_refusal")
        self.standard = self._ci("standard")
        self.list_separators = self._cs("list_separators")
        self.inline_documents = self._ci("inline_documents")
        self.state_oblique = self._cs("state_oblique")

    def _objects(self) -> None:
        # read on every norm: behind the literal test of nlp.anchors.Anchored (the same matches)
        self.objects = [(Anchored(re.compile(p, re.I)), kind) for kind, p in self._get("objects")]
        self.body = self._ci("body")
        self.obtain = self._ci("obtain")
        self.docs_ctx = self._ci("docs_context")
        self.not_service = [Anchored(re.compile(p, re.I)) for p in self._get("not_service")]
        self.false_obj = self._ci("false_object")
        self.commission = self._ci("commission")
        self.complement = self._cs("complement")
        self.complement_start = self._cs("complement_start")
        self.participles = self._words("participles")
        self.inclusion = self._cs("inclusion")
        self.application = self._cs("application")
        self.inclusion_body = self._cs("body")
        self.inclusion_fallback_provider = self._cs("inclusion_fallback_provider")
        self.approval_participle = self._get("approval_participle")
        self.genitive_ending = self._cs("genitive_ending")
        self.participle_body = self.provider_after = self.genitive_word = self.inclusion_provider = None
        if self.lang == "ru":
            self._ru_composites(self._str("body"))

    def _ru_composites(self, body: str) -> None:
        """Russian patterns built around the body: «согласованный с Y», «справка Y», «включение … в Y»."""
        preps = join(self._get("participle_prepositions"))
        self.participle_body = re.compile(self._str("participle") + r"\s+(?:\w+\s+){0,1}?(?:" + preps + r"\s+)?(" + body + ")", re.I)
        genitive, preps = self._str("genitive"), join(self._get("provider_prepositions"))
        self.provider_after = re.compile(r"\s*(?:" + genitive + r"\s+){0,3}?(?:" + preps + r"\s+)?(" + body + ")", re.I)
        self.genitive_word = re.compile(genitive + r"$", re.I)
        self.inclusion_provider = re.compile(self._str("inclusion_provider_lead") + r"\s+(" + body + ")")

    def _names(self) -> None:
        self.name_continues = self._ci("name_continues")
        self.name_stops = self._ci("name_stops")
        self.name_head_case = self._cs("name_head_case")
        self.name_word = self._ci("name_word")
        self.name_breakers = self._cs("name_breakers")
        self.name_conjunction = self._get("name_conjunction")
        self.apparatus = self._cs("apparatus")

    def _actors(self) -> None:
        self.passive_ok = self._ci("passive_ok")
        self.extra_private = self._ci("extra_private")
        self.oblique = self._cs("oblique")
        self.obligor_oblique = self._cs("obligor_oblique")
        self.recipient = self._get("recipient")
        self.generic_obligor = self._cs("generic_obligor")
        self.generic_obligor_lead = self._str("generic_obligor_lead")
        self.implicit_obligor = self._cs("implicit_obligor")
        self.state_heads = self._cs("state_heads")
        self.provider_oblique = self._cs("provider_oblique")

    def _agreements(self) -> None:
        agreement = self._str("agreement")
        if self.lang == "ru":
            self.agreement = Anchored(re.compile("(" + agreement + r")\s+(" + self._str("body") + ")", re.I))
        else:
            self.agreement = Anchored(re.compile(agreement))
        self.agreement_lead = self._ci("agreement_lead")
        self.agreement_skip = self._cs("agreement_skip")
        self.agreement_obtained = self._cs("agreement_obtained")
        self.agreement_not_provider = self._cs("agreement_not_provider")
        self.permit_word = self._get("permit_word")

    def _neighbours(self) -> None:
        self.refusal = self._ci("refusal")
        self.open_markers = self._ci("open_markers")
        self.term = self._ci("term")
        self.fee = [(re.compile(p, re.I), value) for value, p in self._get("fee")]
        self.result = self._ci("result")
        self.purpose = self._ci("purpose")
        self.documents_lead = self._ci("documents_lead")
        self.service_giver = self._get("service_giver")


def lexicon(lang: str) -> Lexicon:
    """The compiled lexicon of ``lang`` (anything but ``kk`` reads as ``ru``)."""
    return _compiled(lang if lang in LANGS else "ru")


@lru_cache(maxsize=None)
def _compiled(lang: str) -> Lexicon:
    data = raw()
    return Lexicon(lang, data["common"], data[lang])
