"""Typed records passed between the stages of the analysis path.

ingest -> RawDocument; normalize -> str; structure -> Node tree + Norm list;
detectors -> Finding; analyze -> ActReport. Records are plain dataclasses.

:class:`Finding` and :class:`Norm` are defined once, here. Their other shapes take their
fields from these classes: the JSON of ``analyze --format json`` (``to_dict``), the
record's database row (:class:`lexpert.expertise.db.models.Finding`), the batch's Parquet
rows (:mod:`lexpert.batch.records`) and the API's answer (:mod:`lexpert.web.schemas`).
Each shape checks with :func:`check_shape`, when its module is imported, that it carries
every field of the record or says why it leaves one out: a field added here cannot be
silently missing from a shape.
"""
from __future__ import annotations

import functools
import types
import typing
from dataclasses import dataclass, field, fields
from typing import Any, Iterable, Mapping, NotRequired, TypedDict


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


class NodeJSON(TypedDict):
    """A node of the structure tree in ``analyze --format json``."""

    kind: str
    number: str | None
    title: str | None
    locator: str
    span: list[int]                 # [start, end]
    text_span: list[int]            # [text_start, text_end]
    target: NotRequired[dict[str, str]]
    unit: NotRequired[str]
    lang: NotRequired[str]
    children: list["NodeJSON"]


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

    def to_dict(self, text: str | None = None) -> NodeJSON:
        return {
            "kind": self.kind,
            "number": self.number,
            "title": self.title,
            "locator": self.locator,
            "span": [self.start, self.end],
            "text_span": [self.text_start, self.text_end],
            **({"target": self.target} if self.target else {}),
            **({"unit": self.unit} if self.unit else {}),
            **({"lang": self.lang} if self.lang else {}),
            "children": [c.to_dict() for c in self.children],
        }


NORM_KINDS = frozenset({"point", "subpoint", "item", "part", "text", "quote"})
# nodes whose own text the unit classifier reads: it decides which of them are normative units
CANDIDATE_KINDS = NORM_KINDS | {"cell", "note", "article", "heading", "signature", "stamp", "chapter", "section",
                                "paragraph"}
# what a node's own text can be: a normative unit, or one of the things an act holds that are not norms
UNIT_TYPES = ("norm", "title", "preamble", "heading", "toc", "figures", "stamp", "signature", "form", "editorial",
              "footnote", "repealed", "list", "empty")


class NormJSON(TypedDict):
    """A norm in ``analyze --format json``."""

    id: str
    kind: str
    locator: str
    path: dict[str, str]
    span: list[int]                 # [start, end]
    lang: str
    text: str
    target: NotRequired[dict[str, str]]


class EvidenceJSON(TypedDict):
    start: int
    end: int
    text: str


class RecommendationJSON(TypedDict):
    kind: str                       # the taxonomy's kind of remedy for the factor
    text: str


class FindingJSON(TypedDict):
    """A finding in ``analyze --format json``."""

    id: str                         # f1, f2, ... in document order
    norm_id: str
    locator: str
    code: str
    family: str
    name: str                       # the factor's name in the norm's language
    score: float
    evidence: EvidenceJSON
    reason: str
    recommendation: RecommendationJSON
    source: str
    rule: str | None
    details: NotRequired[dict[str, Any]]


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

    def to_dict(self) -> NormJSON:
        """The norm in ``analyze --format json`` (``context`` is not in it: it is another norm's text)."""
        return {"id": self.id, "kind": self.kind, "locator": self.locator, "path": self.path,
                "span": [self.start, self.end], "lang": self.lang, "text": self.text,
                **({"target": self.target} if self.target else {})}

    @classmethod
    def from_dict(cls, d: NormJSON) -> "Norm":
        """A norm of a stored ``analyze --format json`` (the inverse of :meth:`to_dict`)."""
        return cls(id=d["id"], kind=d["kind"], locator=d["locator"], path=dict(d.get("path") or {}),
                   start=d["span"][0], end=d["span"][1], text=d["text"], lang=d["lang"],
                   target=d.get("target"))


@dataclass
class Finding:
    """One corruption factor in one norm.

    The field order is the order of the finding's keys in the JSON report and of its columns in
    ``findings.parquet``. ``recommendation`` is the remedy the detector proposes for this
    finding (the API calls it ``suggestion``). A finding an expert adds to the record by hand
    may quote nothing: its evidence and offsets are then None."""

    norm_id: str
    locator: str
    code: str
    family: str
    score: float
    evidence: str
    evidence_start: int             # char offsets in the normalized text
    evidence_end: int
    reason: str
    recommendation: str
    source: str = "rules"           # rules | model | ensemble | register | expert
    rule: str | None = None
    details: dict[str, Any] | None = None

    def to_dict(self, id: str, name: str, rec_kind: str) -> FindingJSON:
        """The finding in ``analyze --format json``: ``id`` (f1, f2, ...), the factor's ``name``
        and the kind of its recommendation come from the report and the taxonomy."""
        return {
            "id": id, "norm_id": self.norm_id, "locator": self.locator, "code": self.code,
            "family": self.family, "name": name, "score": round(self.score, 4),
            "evidence": {"start": self.evidence_start, "end": self.evidence_end, "text": self.evidence},
            "reason": self.reason,
            "recommendation": {"kind": rec_kind, "text": self.recommendation},
            "source": self.source, "rule": self.rule,
            **({"details": self.details} if self.details else {}),
        }

    @classmethod
    def from_dict(cls, d: FindingJSON) -> "Finding":
        """A finding of a stored ``analyze --format json`` (the inverse of :meth:`to_dict`; the
        score is the JSON's, rounded to 4 places)."""
        ev, rec = d["evidence"], d["recommendation"]
        return cls(norm_id=d["norm_id"], locator=d["locator"], code=d["code"], family=d["family"],
                   score=d["score"], evidence=ev["text"], evidence_start=ev["start"], evidence_end=ev["end"],
                   reason=d["reason"], recommendation=rec["text"], source=d["source"], rule=d.get("rule"),
                   details=d.get("details"))


@dataclass
class Hit:
    """A detector's hit inside one sentence (offsets relative to the sentence text)."""

    code: str
    start: int
    end: int
    score: float
    reason: str
    rule: str


# ------------------------------------------------------------------ shapes of a record
def field_types(record: type) -> dict[str, Any]:
    """A record dataclass's fields, name -> type (annotations resolved), in field order."""
    return dict(_field_types(record))


@functools.lru_cache(maxsize=None)
def _field_types(record: type) -> tuple[tuple[str, Any], ...]:
    # resolved once per class: every row of the record (a finding answered by the API) asks again
    hints = typing.get_type_hints(record)
    return tuple((f.name, hints[f.name]) for f in fields(record))


def base_type(tp: Any) -> type:
    """The class a field's type stands for: ``str | None`` -> ``str``, ``dict[str, str]`` -> ``dict``."""
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"{tp}: a record field is one type, or one type or None")
        tp = args[0]
    return typing.get_origin(tp) or tp


def optional(tp: Any) -> bool:
    """Whether a field's type admits None."""
    return type(None) in typing.get_args(tp)


def check_shape(shape: str, record: type, names: Iterable[str], omit: Mapping[str, str] | Iterable[str] = ()) -> None:
    """Check that ``shape`` (a name for messages) carries every field of ``record``.

    ``names``: the record fields the shape holds (under the record's names); ``omit``: the
    fields it leaves out (a mapping gives each one's reason). A field of the record in neither,
    or a name that is no field, raises TypeError: shapes call this when they are imported."""
    have = set(field_types(record))
    names, left = set(names), set(omit)
    if names & left:
        raise TypeError(f"{shape}: {sorted(names & left)} both carried and left out")
    if names - have or left - have:
        raise TypeError(f"{shape}: {sorted((names | left) - have)} are no fields of {record.__name__}")
    if have - names - left:
        raise TypeError(f"{shape} lacks {sorted(have - names - left)} of {record.__name__}: "
                        "carry the field, or leave it out with a reason")
