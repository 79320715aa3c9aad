"""The explainable rule layer: marker lexicons with counter-patterns, as a spaCy component.

Rules are data (``lexpert/data/lexicons/{ru,kk}.yaml``): a regex cue per factor code,
with counter-patterns (``unless``), co-requirements (``requires``) and an actor test
(``actor: state`` — the power belongs to a state body or official, so «заявитель
вправе» is not ``discretion.may``). Every hit carries its evidence span, a score and a
one-line reason.

    nlp = spacy.blank("ru"); nlp.add_pipe("lexpert_rules", config={"lang": "ru"})
    doc = nlp("Уполномоченный орган вправе продлить срок при необходимости.")
    doc.spans["lexpert_factors"]   # labelled spans; doc._.factor_hits: the hits
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Optional

import srsly
import yaml
from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc
from spacy.util import ensure_path

from ..errors import TaxonomyError
from ..nlp.anchors import Anchored, compile_dnf, literal_anchors, literal_dnf
from ..nlp.pipeline import build_nlp
from ..records import Hit
from ..taxonomy import load_taxonomy

if not Doc.has_extension("factor_hits"):
    Doc.set_extension("factor_hits", default=None)
if not Doc.has_extension("context"):
    Doc.set_extension("context", default=None)   # lead-in of the list the text belongs to

SPANS_KEY = "lexpert_factors"


@dataclass(frozen=True)
class Rule:
    id: str
    code: str
    pattern: re.Pattern
    score: float
    reason: str
    unless: tuple[re.Pattern, ...] = ()     # counter-patterns and co-requirements: nlp.anchors.Anchored
    requires: tuple[re.Pattern, ...] = ()   # (a text lacking their literals skips the regex; same answers)
    actor: str | None = None
    window: int | None = None
    context_requires: tuple[re.Pattern, ...] = ()
    anchors: tuple[str, ...] | None = None   # a rule can only fire if one of these is in the text


class RuleSet:
    """Compiled rules of one language; ``find(text)`` returns the hits in one sentence."""

    def __init__(self, lang: str, rules: list[Rule], state: re.Pattern, private: re.Pattern,
                 source: str | None = None):
        self.lang = lang
        self.source = source          # the lexicon YAML it was compiled from (saved with a pipeline)
        self.rules = rules
        self.state = state
        # anchors (>= 3 characters) indexed by their first three characters: the trigrams of a
        # sentence select the few anchors worth a substring test, and those select the rules
        self._by_anchor: dict[str, list[int]] = {}
        for i, r in enumerate(rules):
            for a in r.anchors or ():
                self._by_anchor.setdefault(a, []).append(i)
        self._by_key: dict[str, list[str]] = {}
        for a in sorted(self._by_anchor):
            self._by_key.setdefault(a[:3], []).append(a)
        self._keys = frozenset(self._by_key)
        self._always = [i for i, r in enumerate(rules) if r.anchors is None]
        # an anchored rule's literals as alternatives of conjunctions (nlp.anchors.literal_dnf): a
        # sentence its anchors select but that satisfies none of them cannot match either
        self._dnf: dict[int, Callable[[str], bool]] = {}
        for i, r in enumerate(rules):
            if r.anchors is not None:
                dnf = literal_dnf(r.pattern.pattern)
                if dnf and not (len(dnf) == 1 and len(dnf[0]) == 1):
                    self._dnf[i] = compile_dnf(dnf)
        self.private = private

    @classmethod
    def from_yaml(cls, lang: str, path: str | Path | None = None) -> "RuleSet":
        """The bundled lexicon of ``lang``, or the YAML file at ``path``."""
        return cls.from_text(lang, lexicon_text(lang, path))

    @classmethod
    def from_text(cls, lang: str, raw_text: str) -> "RuleSet":
        """Compile a lexicon given as YAML text."""
        raw = yaml.safe_load(raw_text)
        tax = load_taxonomy()
        macros = {k: _clean(v) for k, v in raw.items() if k not in ("rules", "actors") and isinstance(v, str)}

        def comp(p: str) -> re.Pattern:
            p = _clean(p)
            if p.startswith("$") and p[1:] in macros:
                p = macros[p[1:]]
            return re.compile(p, re.I)

        rules = []
        for r in raw["rules"]:
            if r["code"] not in tax:
                raise TaxonomyError(f"lexicon {lang}: rule {r['id']} uses unknown code {r['code']!r}")
            pat = comp(r["pattern"])
            rules.append(Rule(
                id=r["id"], code=r["code"], pattern=pat, anchors=literal_anchors(pat.pattern), score=float(r.get("score", 0.7)),
                reason=r.get("reason", ""), unless=tuple(Anchored(comp(u)) for u in r.get("unless", [])),
                requires=tuple(Anchored(comp(u)) for u in r.get("requires", [])), actor=r.get("actor"),
                window=r.get("window"),
                context_requires=tuple(Anchored(comp(u)) for u in r.get("context_requires", [])),
            ))
        return cls(lang, rules, comp(raw["actors"]["state"]), comp(raw["actors"]["private"]), raw_text)

    def _actor(self, text: str, start: int, end: int, before_only: bool = False) -> str | None:
        """The kind of the actor of the cue: in Kazakh (subject-object-verb) the first
        actor in the nominative before it; otherwise the actor nearest before the cue,
        else the first after it."""
        if self.lang == "kk":
            for m in sorted((m for pat in (self.state, self.private) for m in pat.finditer(text, 0, start)),
                            key=lambda m: (m.start(), -(m.end() - m.start()))):
                if not _KK_OBLIQUE.search(m.group(0)):
                    return "private" if self.private.fullmatch(m.group(0)) else "state"
        best = None
        for kind, pat in (("state", self.state), ("private", self.private)):
            for m in pat.finditer(text, 0, start):
                # a longer overlapping mention wins («көрсетілетін қызметті алушы» over «қызмет»)
                key = (m.end(), m.end() - m.start())
                if best is None or key > best[0]:
                    best = (key, kind)
        if best or before_only:
            return best[1] if best else None
        after = None
        for kind, pat in (("state", self.state), ("private", self.private)):
            m = pat.search(text, end)
            if m and (after is None or (m.start(), -(m.end() - m.start())) < after[0]):
                after = ((m.start(), -(m.end() - m.start())), kind)
        return after[1] if after else None

    def find(self, text: str, context: str | None = None) -> list[Hit]:
        """Hits in one sentence. ``context`` is the lead-in of the list the sentence belongs
        to («Основаниями для отказа являются:»), read by rules with ``context_requires``."""
        low = text.replace("ё", "е").replace("Ё", "Е")
        ctx_low = (context or "").replace("ё", "е").replace("Ё", "Е")
        hits: list[Hit] = []
        folded = low.lower()
        cand = set(self._always)
        for key in self._keys.intersection([folded[i:i + 3] for i in range(len(folded) - 2)]):
            for a in self._by_key[key]:
                if a in folded:
                    cand.update(self._by_anchor[a])
        dnf = self._dnf
        for i in sorted(cand):          # rule order, as written in the lexicon
            if i in dnf and not dnf[i](folded):
                continue
            r = self.rules[i]
            for m in r.pattern.finditer(low):
                if r.window:
                    ctx = low[max(0, m.start() - r.window): m.end() + r.window]
                else:
                    ctx = low
                if any(u.search(ctx) for u in r.unless):
                    continue
                if r.requires and not all(q.search(ctx) for q in r.requires):
                    continue
                if r.context_requires and not all(q.search(ctx) or q.search(ctx_low) for q in r.context_requires):
                    continue
                if r.actor == "not_state":
                    if self._actor(low, m.start(), m.end(), before_only=True) == "state":
                        continue
                elif r.actor and self._actor(low, m.start(), m.end()) != r.actor:
                    continue
                a, z = m.start(), m.end()
                while z < len(low) and low[z].isalnum():      # evidence ends at a word boundary
                    z += 1
                while a > 0 and low[a - 1].isalnum() and low[a].isalnum():
                    a -= 1
                while a < z - 1 and low[a].isspace():          # a pattern's leading «\s» is no evidence
                    a += 1
                while z > a + 1 and low[z - 1].isspace():
                    z -= 1
                hits.append(Hit(r.code, a, z, r.score, r.reason, r.id))
                break  # one hit per rule per sentence is enough evidence
        return hits


_KK_OBLIQUE = re.compile(
    r"(?:ның|нің|дың|дің|тың|тің|ға|ге|қа|ке|на|не|нан|нен|дан|ден|тан|тен|мен|бен|пен|ны|ні|ды|ді|ты|ті|нда|нде|да|де|та|те)$")


def _clean(p: str) -> str:
    """Undo YAML line folding: lexicon regexes have no literal spaces around «|»."""
    return re.sub(r"\s*\|\s*", "|", re.sub(r"\s*\n\s*", "", p.strip()))


def _rule_lang(lang: str) -> str:
    return lang if lang in ("ru", "kk") else "ru"


def lexicon_text(lang: str, path: str | Path | None = None) -> str:
    """The YAML text of the bundled lexicon of ``lang`` (ru for any other), or of the file at ``path``."""
    if path is None:
        return resources.files("lexpert.data").joinpath(f"lexicons/{_rule_lang(lang)}.yaml").read_text("utf-8")
    return Path(path).read_text("utf-8")


@lru_cache(maxsize=8)
def _compiled(lang: str, text: str) -> RuleSet:
    return RuleSet.from_text(lang, text)


@lru_cache(maxsize=8)
def ruleset(lang: str, path: str | None = None) -> RuleSet:
    """The compiled rules of ``lang`` (ru for any other language), from the bundled lexicon or
    the YAML file at ``path``; cached, and shared with any pipeline holding the same text."""
    lang = _rule_lang(lang)
    return _compiled(lang, lexicon_text(lang, path))


def best_hits(hits: list[Hit]) -> dict[str, Hit]:
    """One hit per code: the highest score (first on ties), with the score raised a little
    when several independent rules agree."""
    out: dict[str, Hit] = {}
    count: dict[str, int] = {}
    for h in hits:
        count[h.code] = count.get(h.code, 0) + 1
        if h.code not in out or h.score > out[h.code].score:
            out[h.code] = h
    for code, n in count.items():
        if n > 1:
            h = out[code]
            out[code] = Hit(h.code, h.start, h.end, min(0.99, h.score + 0.05 * (n - 1)), h.reason, h.rule)
    return out


class RuleComponent(Pipe):
    """The rule layer as a spaCy component: per sentence (the whole doc when no sentence
    boundaries are set), the hits of the lexicon's rules, read with the doc's list lead-in
    ``doc._.context``. Sets ``doc._.factor_hits`` (the :class:`~lexpert.records.Hit` list, offsets
    in the doc's text) and ``doc.spans["lexpert_factors"]`` (one span per hit labelled with its
    code, expanded to token boundaries).

    ``lang`` picks the bundled lexicon (ru for any language other than kk); ``lexicon``, a path,
    a YAML file of the same format instead. The rules are compiled on first use. The lexicon
    text in use is saved with the pipeline (``to_disk``/``to_bytes``), so a saved pipeline keeps
    its rules without the original file, as spaCy's rulers keep their patterns.
    """

    def __init__(self, name: str = "lexpert_rules", *, lang: str = "ru", lexicon: str | None = None):
        self.name = name
        self.lang = lang
        self.lexicon = lexicon
        self._rules: RuleSet | None = None

    @property
    def rules(self) -> RuleSet:
        if self._rules is None:
            self._rules = ruleset(self.lang, self.lexicon)
        return self._rules

    def __call__(self, doc: Doc) -> Doc:
        rs = self.rules
        hits: list[Hit] = []
        spans = []
        sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        for sent in sents:
            base = sent.start_char
            for h in rs.find(sent.text, doc._.context):
                hit = Hit(h.code, base + h.start, base + h.end, h.score, h.reason, h.rule)
                hits.append(hit)
                sp = doc.char_span(hit.start, hit.end, label=h.code, alignment_mode="expand")
                if sp is not None:
                    spans.append(sp)
        doc._.factor_hits = hits
        doc.spans[SPANS_KEY] = spans
        return doc

    @property
    def labels(self) -> tuple[str, ...]:
        """The factor codes the rules can label (in lexicon order, once each)."""
        return tuple(dict.fromkeys(r.code for r in self.rules.rules))

    # ------------------------------------------------------------- serialisation
    def _cfg(self) -> dict:
        return {"lang": self.lang, "lexicon": self.lexicon}

    def _set(self, cfg: dict, source: str) -> "RuleComponent":
        self.lang = cfg.get("lang", self.lang)
        self.lexicon = cfg.get("lexicon", self.lexicon)
        self._rules = _compiled(_rule_lang(self.lang), source)
        return self

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return srsly.msgpack_dumps({"cfg": self._cfg(), "lexicon": self.rules.source})

    def from_bytes(self, bytes_data: bytes, *, exclude=tuple()) -> "RuleComponent":
        data = srsly.msgpack_loads(bytes_data)
        return self._set(data["cfg"], data["lexicon"])

    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg.json", self._cfg())
        (path / "lexicon.yaml").write_text(self.rules.source, encoding="utf-8")

    def from_disk(self, path, *, exclude=tuple()) -> "RuleComponent":
        path = ensure_path(path)
        return self._set(srsly.read_json(path / "cfg.json"), (path / "lexicon.yaml").read_text("utf-8"))


@Language.factory("lexpert_rules", default_config={"lang": "ru", "lexicon": None})
def make_rules(nlp: Language, name: str, lang: str, lexicon: Optional[str]) -> RuleComponent:
    """spaCy factory: ``nlp.add_pipe("lexpert_rules", config={"lang": "kk"})``.

    ``lexicon`` may name a YAML file of the same format to use instead of the bundled one.
    """
    return RuleComponent(name, lang=lang, lexicon=lexicon)


@lru_cache(maxsize=8)
def rule_nlp(lang: str) -> Language:
    """The rule layer's cached pipeline: the sentencizer and ``lexpert_rules`` for ``lang`` (the
    rules read surface text, so no lemmatizer)."""
    nlp = build_nlp(lang, lemmas=False)
    nlp.add_pipe("lexpert_rules", config={"lang": lang if lang in ("ru", "kk") else "ru"})
    return nlp
