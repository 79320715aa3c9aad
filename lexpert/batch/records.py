"""Typed records passed between the stages of a batch run.

input reader -> :class:`DraftRecord` -> worker (``analyze``) -> :class:`DraftResult`
(one :class:`ActRow`, its :class:`FindingRow` s and :class:`NormRow` s, or an error)
-> part files -> consolidated ``acts.parquet`` / ``findings.parquet`` / ``norms.parquet``.

The column order and types of the Parquet files are the ``*_SCHEMA`` objects below;
they are the contract downstream tools (``lexpert similar``, ``lexpert monitoring-report``)
read.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

import pyarrow as pa

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


@dataclass
class FindingRow:
    """One row of ``findings.parquet``: one finding of one draft, with its locator."""

    id: str
    finding: str                        # f1, f2, ... as in the JSON report
    norm_id: str
    locator: str
    code: str
    family: str
    score: float
    lang: str
    evidence: str
    evidence_start: int
    evidence_end: int
    reason: str
    recommendation: str
    source: str
    rule: str | None


@dataclass
class NormRow:
    """One row of ``norms.parquet``: a located norm (what ``lexpert similar`` aligns)."""

    id: str
    norm_id: str
    kind: str
    locator: str
    lang: str
    start: int
    end: int
    text: str


@dataclass
class DraftResult:
    """What a worker returns for one draft."""

    act: ActRow
    findings: list[FindingRow] = field(default_factory=list)
    norms: list[NormRow] = field(default_factory=list)


def _schema(cls, types: dict[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(f.name, types[f.name]) for f in fields(cls)])


_S, _I, _F = pa.string(), pa.int64(), pa.float64()
ACT_SCHEMA = _schema(ActRow, {**{f.name: _S for f in fields(ActRow)},
                              **{k: _I for k in ("chars", "norms", "flagged_norms", "findings",
                                                 *(f"findings_{f}" for f in FAMILIES))},
                              "seconds": _F})
FINDING_SCHEMA = _schema(FindingRow, {**{f.name: _S for f in fields(FindingRow)},
                                      "score": _F, "evidence_start": _I, "evidence_end": _I})
NORM_SCHEMA = _schema(NormRow, {**{f.name: _S for f in fields(NormRow)}, "start": _I, "end": _I})

assert all(f"findings_{f}" in ACT_SCHEMA.names for f in FAMILIES), "ActRow lacks a family column"


def to_table(rows: list[Any], schema: pa.Schema) -> pa.Table:
    """Dataclass rows -> a pyarrow Table of ``schema`` (an empty table when there are none)."""
    cols: dict[str, list[Any]] = {n: [] for n in schema.names}
    for r in rows:
        for k, v in asdict(r).items():
            cols[k].append(v)
    return pa.table(cols, schema=schema)
