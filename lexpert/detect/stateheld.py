"""Documents the state already holds: a norm that makes a person submit one is ``burden.requirements``.

A copy of an identity document, a certificate of state registration of a legal entity, a
certificate of no criminal record or of no tax debt, an address certificate, a civil-status
certificate, a title document to real estate, a licence, a certificate of disability,
information from a state information system: the state holds or issues each of them, and the
Law "On state services" forbids demanding from the service recipient what can be obtained from
information systems (corpora/ANNOTATION.md 3.8, question 3, and 7.1: ``burden.requirements``
even in a closed list).

The documents, where the state holds them, the words of a demand and of its exceptions are
data: ``lexpert/data/lexicons/state_held.yaml``, compiled once per language. A norm is caught
when a document of the lexicon stands in it and

- the norm or the lead-in of its list demands it («представляет», «прилагается», «перечень
  документов», «ұсынады», «қоса беріледі»), or the norm is a list item whose head is the
  document, or a short list item (one ending with «;», or of at most 250 characters) that names
  it: an entry of a list of documents whose lead-in the parser did not keep;
- and neither its clause nor the lead-in says the body obtains it itself from an information
  system, asks for it only when the system lacks it, or forbids demanding it; nor does the
  clause say it is only shown for identification, the service's result, or issued by the body;
  nor is the document itself, by the words right around it, what the body issues («туу туралы
  куәлікті беру кезінде», «выдача свидетельства») or what a record is made from («құқық
  белгілейтін құжаттар негізінде»); nor are the norm or its lead-in about foreign persons or
  documents (no Kazakh system holds those).

The finding's reason names the document, where the state holds it and the ground.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from ..nlp.anchors import Anchored
from .checkbase import Reading, SentenceCheck

CODE = "burden.requirements"
SCORE = 0.8
RULE = "context.state_held"
_CLAUSE_END = re.compile(r";|\.(?=\s+[A-ZА-ЯЁӘІҢҒҮҰҚӨҺ«\"\d])|\.(?=\d{1,2}\))|\.\s*$")
_SHORT_ITEM = 250        # a list item this short is one entry of a list: the document may stand anywhere in it


@dataclass(frozen=True)
class Document:
    id: str
    name: str
    holder: str
    pattern: re.Pattern
    needs_demand: bool = False


@dataclass(frozen=True)
class Lexicon:
    lang: str
    ground: str
    prefilter: re.Pattern
    demand: re.Pattern
    list_item: re.Pattern
    exempt: re.Pattern
    exempt_clause: re.Pattern
    foreign: re.Pattern
    issued_after: re.Pattern
    issued_before: re.Pattern
    definition: re.Pattern
    attribute_after: re.Pattern
    documents: tuple[Document, ...]


def _clean(p: str) -> str:
    """Undo YAML line folding: the patterns have no literal spaces around «|»."""
    return re.sub(r"\s*\|\s*", "|", re.sub(r"\s*\n\s*", "", p.strip()))


def lexicon(lang: str) -> Lexicon:
    """The compiled lexicon of ``lang`` (ru for any language other than kk), compiled once."""
    return _lexicon("kk" if lang == "kk" else "ru")


@lru_cache(maxsize=2)
def _lexicon(lang: str) -> Lexicon:
    raw = yaml.safe_load(resources.files("lexpert.data").joinpath("lexicons/state_held.yaml").read_text("utf-8"))

    def comp(p: str) -> re.Pattern:      # Anchored: a text lacking the pattern's literals skips it (same answers)
        return Anchored(re.compile(_clean(p), re.I))

    docs = tuple(Document(d["id"], d["name"][lang], d["holder"][lang], comp(d[lang]), bool(d.get("needs_demand")))
                 for d in raw["documents"])
    return Lexicon(lang, raw["ground"][lang], comp(raw["prefilter"][lang]), comp(raw["demand"][lang]), comp(raw["list_item"][lang]),
                   comp(raw["exempt"][lang]), comp(raw["exempt_clause"][lang]), comp(raw["foreign"][lang]),
                   re.compile(_clean(raw["issued_after"][lang]), re.I), re.compile(_clean(raw["issued_before"][lang]), re.I),
                   re.compile(_clean(raw["definition"][lang]), re.I), re.compile(_clean(raw["attribute_after"][lang]), re.I), docs)


def _clause(text: str, start: int, end: int) -> str:
    """The clause around ``text[start:end]``: between the nearest «;» or sentence ends."""
    a = 0
    for m in _CLAUSE_END.finditer(text, 0, start):
        a = m.end()
    m = _CLAUSE_END.search(text, end)
    return text[a: m.start() if m else len(text)]


def _not_asked(lex: Lexicon, low: str, start: int, end: int, head: bool) -> bool:
    """The document at ``low[start:end]`` is what the body issues, what a record is made from, or
    only described: its details («куәліктің нөмірі»), or, at the head of a list item, its
    definition («құқық белгілейтін құжаттар – … құжаттар;»)."""
    return bool(lex.issued_after.search(low[end:end + 40]) or lex.issued_before.search(low[max(0, start - 40):start])
                or lex.attribute_after.search(low[end:end + 40]) or (head and lex.definition.search(low[end:])))


def find(text: str, lang: str, context: str | None = None) -> list[tuple[Document, int, int]]:
    """The state-held documents ``text`` (a norm, with its list lead-in ``context``) makes a
    person submit: (document, start, end) in the text, one per document, in text order."""
    lex = lexicon(lang)
    if not lex.prefilter.search(text):
        return []
    low = text.replace("ё", "е").replace("Ё", "Е")
    ctx = (context or "").replace("ё", "е").replace("Ё", "Е")
    if (ctx and (lex.exempt.search(ctx) or lex.foreign.search(ctx))) or lex.foreign.search(low):
        return []
    demand = bool(lex.demand.search(low) or (ctx and lex.demand.search(ctx)))
    item = lex.list_item.match(low)
    item_at = item.end() if item else 0 if low.rstrip().endswith(";") else None
    short = item_at is not None and len(low.strip()) <= _SHORT_ITEM
    out: list[tuple[Document, int, int]] = []
    for d in lex.documents:
        for m in d.pattern.finditer(low):
            head = item_at is not None and m.start() - item_at <= (60 if lex.lang == "kk" else 15)
            if not (demand or ((head or short) and not d.needs_demand)):
                continue
            clause = _clause(low, m.start(), m.end())
            if lex.exempt.search(clause) or lex.exempt_clause.search(clause) or _not_asked(lex, low, m.start(), m.end(), head):
                continue
            out.append((d, m.start(), m.end()))
            break
    return sorted(out, key=lambda x: x[1])


def reason(doc: Document, lang: str, ground: str | None = None) -> str:
    """Why the norm is flagged: the document, where the state holds it, and the ground."""
    ground = ground or lexicon(lang).ground
    if lang == "kk":
        return f"тұлғадан мемлекетте бар құжат талап етіледі: {doc.name} ({doc.holder}); {ground}"
    return f"от лица требуют документ, которым располагает государство: {doc.name} ({doc.holder}); {ground}"


def _read(text: str, lang: str, context: str | None) -> Reading | None:
    hits = find(text, lang, context)
    if not hits:
        return None
    doc, a, z = hits[0]
    return a, z, reason(doc, lang), {"check": "state_held", "document": doc.id, "documents": [h[0].id for h in hits]}


# a norm that makes a person submit a state-held document: burden.requirements (detect.checks)
CHECK = SentenceCheck("state_held", CODE, SCORE, RULE, _read)
