"""Typed records passed between the stages of the analysis path.

ingest -> RawDocument; normalize -> str; structure -> Node tree + Norm list;
detectors -> Finding; analyze -> ActReport. Records are plain dataclasses; the JSON
shapes of the public contracts are the pydantic models in :mod:`lexpert.schema`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RawDocument:
    """What ingest returns: the extracted text before normalization, and how it was read."""

    text: str
    format: str                     # txt | docx | pdf | pdf-ocr | html | md
    source: str                     # file name or "<text>"
    pages: int | None = None
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Node:
    """A node of the act's structure tree.

    ``start``/``end`` span the node with its children; ``text_start``/``text_end``
    span its own text (the heading or the point's own words). Both index the
    normalized text.
    """

    kind: str                       # document act preamble operative annex section chapter paragraph
    #                                 article point subpoint item part text heading note signature quote
    #                                 table row cell stamp
    number: str | None
    start: int
    end: int
    text_start: int
    text_end: int
    title: str | None = None
    locator: str = ""
    path: dict[str, str] = field(default_factory=dict)
    lang: str | None = None
    children: list["Node"] = field(default_factory=list)
    target: dict[str, str] | None = None   # for a quote node: the amended unit
    cite: str | None = None         # for an annex: how the act cites it («Правила», «приложение 2 к Правилам»)
    unit: str | None = None         # what the node's own text is: "norm" or a kind of non-normative text (UNIT_TYPES)

    @property
    def normative(self) -> bool:
        return self.unit == "norm"

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()

    def to_dict(self, text: str | None = None) -> dict[str, Any]:
        d: dict[str, Any] = {
            "kind": self.kind,
            "number": self.number,
            "title": self.title,
            "locator": self.locator,
            "span": [self.start, self.end],
            "text_span": [self.text_start, self.text_end],
        }
        if self.target:
            d["target"] = self.target
        if self.unit:
            d["unit"] = self.unit
        if self.lang:
            d["lang"] = self.lang
        d["children"] = [c.to_dict() for c in self.children]
        return d


NORM_KINDS = frozenset({"point", "subpoint", "item", "part", "text", "quote"})
# nodes whose own text the unit classifier reads: it decides which of them are normative units
CANDIDATE_KINDS = NORM_KINDS | {"cell", "note", "article", "heading", "signature", "stamp", "chapter", "section",
                                "paragraph"}
# what a node's own text can be: a normative unit, or one of the things an act holds that are not norms
UNIT_TYPES = ("norm", "title", "preamble", "heading", "toc", "figures", "stamp", "signature", "form", "editorial",
              "footnote", "repealed", "list", "empty")


@dataclass
class Norm:
    """A unit of the act that can carry corruption factors: a node's own text."""

    id: str
    kind: str
    locator: str
    path: dict[str, str]
    start: int
    end: int
    text: str
    lang: str
    target: dict[str, str] | None = None
    context: str | None = None      # the lead-in of the list a subpoint belongs to


@dataclass
class Finding:
    """One corruption factor in one norm."""

    code: str
    family: str
    score: float
    norm_id: str
    locator: str
    evidence_start: int             # char offsets in the normalized text
    evidence_end: int
    evidence: str
    reason: str
    recommendation: str
    source: str = "rules"           # rules | model | ensemble | register | expert
    rule: str | None = None
    details: dict[str, Any] | None = None


@dataclass
class Hit:
    """A detector's hit inside one sentence (offsets relative to the sentence text)."""

    code: str
    start: int
    end: int
    score: float
    reason: str
    rule: str
