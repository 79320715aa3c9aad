"""Typed records passed between the stages of a batch run.

input reader -> :class:`DraftRecord` -> worker (``analyze``) -> :class:`DraftResult`
(one :class:`ActRow`, its :class:`FindingRow` s and :class:`NormRow` s, or an error)
-> part files -> consolidated ``acts.parquet`` / ``findings.parquet`` / ``norms.parquet``.

The column order and types of the Parquet files are the ``*_SCHEMA`` objects below;
they are the contract downstream tools (``lexpert similar``, ``lexpert monitoring-report``)
read. Each schema is generated from its row's fields; a finding's and a norm's columns are
the fields of :class:`lexpert.records.Finding` and :class:`lexpert.records.Norm`, with their
types (:data:`FINDING_COLUMNS`, :data:`NORM_COLUMNS`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Mapping

import pyarrow as pa

from ..records import Finding, Norm, base_type, check_shape, field_types
from ..taxonomy import FAMILIES

#: the manifest columns lexpert understands (other columns are kept in ``extra``)
MANIFEST_FIELDS = ("id", "path", "text", "title", "agency", "sphere", "kind", "date", "url", "lang")


@dataclass
class DraftRecord:
    """One input draft: a file (``path``) or the text itself (``text``), with portal metadata."""

    id: str
    path: str | None = None
    text: str | None = None
    title: str | None = None
    agency: str | None = None
    sphere: str | None = None
    kind: str | None = None
    date: str | None = None
    url: str | None = None
    lang: str | None = None             # forces the language ('ru' | 'kk') when given
    error: str | None = None            # set by the reader when the record itself is unusable


@dataclass
class ActRow:
    """One row of ``acts.parquet``: the outcome for one input id (status ok or error)."""

    id: str
    status: str                         # ok | error
    error: str | None
    error_code: str | None
    source: str | None
    title: str | None
    agency: str | None
    sphere: str | None
    kind: str | None
    date: str | None
    url: str | None
    format: str | None
    language: str | None
    chars: int
    sha256: str | None
    norms: int
    flagged_norms: int
    findings: int
    findings_discretion: int = 0
    findings_vague: int = 0
    findings_burden: int = 0
    findings_hidden_service: int = 0
    findings_gap: int = 0
    by_code: str = "{}"                 # JSON object code -> count
    detector: str | None = None
    seconds: float = 0.0
    coverage: str | None = None         # complete | partial | none (nothing analysed: 0 findings is not «clean»)
    coverage_reasons: str | None = None  # the reason codes, comma-separated


    def values(self) -> dict[str, Any]:
        """Column -> value, in the order of :data:`ACT_SCHEMA`."""
        return asdict(self)


#: the fields of lexpert.records.Finding that findings.parquet leaves out, and why
FINDING_NOT_IN_PARQUET = {"details": "a free-form object (a hidden service's obligations, the act's terms): "
                                     "the JSON report has it"}
_REC = [k for k in field_types(Finding) if k not in FINDING_NOT_IN_PARQUET]
check_shape("findings.parquet", Finding, _REC, FINDING_NOT_IN_PARQUET)
_AFTER_SCORE = _REC.index("score") + 1
#: findings.parquet's columns and their types: the draft's id, the finding's number in the JSON
#: report (f1, f2, ...), then the record's fields, with the language of its norm after the score
FINDING_COLUMNS: dict[str, Any] = {"id": str, "finding": str,
                                   **{k: field_types(Finding)[k] for k in _REC[:_AFTER_SCORE]}, "lang": str,
                                   **{k: field_types(Finding)[k] for k in _REC[_AFTER_SCORE:]}}


@dataclass
class FindingRow:
    """One row of ``findings.parquet``: one finding of one draft (the record), with the draft's
    batch id, the finding's number in the JSON report and its norm's language."""

    id: str
    finding: str                        # f1, f2, ... as in the JSON report
    lang: str
    record: Finding

    @classmethod
    def from_record(cls, rec: Finding, *, id: str, finding: str, lang: str) -> "FindingRow":
        """The row of ``rec``; its score rounded to 4 places, as in the JSON report."""
        return cls(id=id, finding=finding, lang=lang, record=replace(rec, score=round(float(rec.score), 4)))

    def to_record(self) -> Finding:
        return self.record

    def values(self) -> dict[str, Any]:
        """Column -> value, in the order of :data:`FINDING_COLUMNS`."""
        own = {"id": self.id, "finding": self.finding, "lang": self.lang}
        return {k: own[k] if k in own else getattr(self.record, k) for k in FINDING_COLUMNS}

    @classmethod
    def from_values(cls, row: Mapping[str, Any]) -> "FindingRow":
        """A row read back from ``findings.parquet`` (the record's ``details`` are not in it: None)."""
        return cls(id=row["id"], finding=row["finding"], lang=row["lang"],
                   record=Finding(**{k: row[k] for k in _REC}))


#: norms.parquet's record columns: column -> field of lexpert.records.Norm (the norm's own id is
#: ``norm_id``: ``id`` is the draft's batch id)
NORM_PARQUET = {"norm_id": "id", "kind": "kind", "locator": "locator", "lang": "lang", "start": "start",
                "end": "end", "text": "text"}
NORM_NOT_IN_PARQUET = {"path": "the locator says where the norm is", "target": "in the JSON report",
                       "context": "the lead-in is another norm's text"}
check_shape("norms.parquet", Norm, NORM_PARQUET.values(), NORM_NOT_IN_PARQUET)
#: norms.parquet's columns and their types: the draft's id, then the norm's fields
NORM_COLUMNS: dict[str, Any] = {"id": str, **{c: field_types(Norm)[k] for c, k in NORM_PARQUET.items()}}


@dataclass
class NormRow:
    """One row of ``norms.parquet``: a located norm (what ``lexpert similar`` aligns) of one draft."""

    id: str
    record: Norm

    @classmethod
    def from_record(cls, norm: Norm, *, id: str) -> "NormRow":
        return cls(id=id, record=norm)

    def to_record(self) -> Norm:
        return self.record

    def values(self) -> dict[str, Any]:
        """Column -> value, in the order of :data:`NORM_COLUMNS`."""
        return {"id": self.id, **{c: getattr(self.record, k) for c, k in NORM_PARQUET.items()}}

    @classmethod
    def from_values(cls, row: Mapping[str, Any]) -> "NormRow":
        """A row read back from ``norms.parquet`` (path, target and context are not in it)."""
        return cls(id=row["id"], record=Norm(path={}, **{k: row[c] for c, k in NORM_PARQUET.items()}))


@dataclass
class DraftResult:
    """What a worker returns for one draft."""

    act: ActRow
    findings: list[FindingRow] = field(default_factory=list)
    norms: list[NormRow] = field(default_factory=list)


_ARROW = {str: pa.string(), int: pa.int64(), float: pa.float64()}


def arrow_schema(columns: Mapping[str, Any]) -> pa.Schema:
    """The Parquet schema of columns name -> Python type (``str | None`` is a nullable string)."""
    return pa.schema([pa.field(name, _ARROW[base_type(tp)]) for name, tp in columns.items()])


ACT_SCHEMA = arrow_schema(field_types(ActRow))
FINDING_SCHEMA = arrow_schema(FINDING_COLUMNS)
NORM_SCHEMA = arrow_schema(NORM_COLUMNS)

assert all(f"findings_{f}" in ACT_SCHEMA.names for f in FAMILIES), "ActRow lacks a family column"


def to_table(rows: list[ActRow] | list[FindingRow] | list[NormRow], schema: pa.Schema) -> pa.Table:
    """Rows -> a pyarrow Table of ``schema`` (an empty table when there are none)."""
    cols: dict[str, list[Any]] = {n: [] for n in schema.names}
    for r in rows:
        for k, v in r.values().items():
            cols[k].append(v)
    return pa.table(cols, schema=schema)
