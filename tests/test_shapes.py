"""One Finding and one Norm (lexpert.records) in every shape they take: the JSON of ``analyze``,
the record's database row, the batch's Parquet rows and the API's answer all carry the record's
fields, and a field added to the record cannot be silently missing from one of them."""
import dataclasses

import pytest

from lexpert.records import Finding, Norm, base_type, check_shape, field_types

_VALUES = {int: 7, float: 0.5, dict: {"k": [1, "два"]}}


def full_finding() -> Finding:
    """A finding with every field set, none to its default."""
    return Finding(**{k: f"{k}-значение" if base_type(t) is str else _VALUES[base_type(t)]
                      for k, t in field_types(Finding).items()})


def full_norm() -> Norm:
    return Norm(id="n3", kind="subpoint", locator="п. 2, пп. 1)", path={"point": "2", "subpoint": "1"}, start=10,
                end=40, text="1) иные документы;", lang="ru", target={"point": "5"}, context="2. Прилагаются:")


@dataclasses.dataclass
class Wider(Finding):
    """The record with a field added."""

    severity: str | None = None


def test_the_json_carries_every_field():
    f, n = full_finding(), full_norm()
    d = f.to_dict("f1", "Открытый перечень", "close_list")
    assert list(d) == ["id", "norm_id", "locator", "code", "family", "name", "score", "evidence", "reason",
                       "recommendation", "source", "rule", "details"]
    assert d["recommendation"] == {"kind": "close_list", "text": f.recommendation}
    assert Finding.from_dict(d) == f
    assert Norm.from_dict(n.to_dict()) == dataclasses.replace(n, context=None)   # the lead-in is not in the JSON
    assert "details" not in dataclasses.replace(f, details=None).to_dict("f1", "x", "other")


def test_the_database_row_is_the_record_and_its_norm():
    from lexpert.expertise.db.models import FINDING_REQUIRED
    from lexpert.expertise.db.models import Finding as Row

    f, n = full_finding(), full_norm()
    cols = Row.__table__.c
    assert set(field_types(Finding)) <= set(cols.keys()) and "suggestion" not in cols
    assert [k for k in field_types(Finding) if not cols[k].nullable] == list(FINDING_REQUIRED)
    row = Row.from_record(f, n, version_id=1)
    assert (row.norm_text, row.norm_start, row.norm_end) == (n.text, n.start, n.end)
    assert row.recommendation == f.recommendation and row.to_record() == f


def test_the_parquet_rows_are_the_record_with_their_draft():
    import pyarrow as pa

    from lexpert.batch.records import (FINDING_COLUMNS, FINDING_NOT_IN_PARQUET, FINDING_SCHEMA, NORM_SCHEMA,
                                       FindingRow, NormRow, to_table)

    f, n = full_finding(), full_norm()
    # the published column order (lexpert.batch.records' docstring: the contract downstream tools read)
    assert FINDING_SCHEMA.names == ["id", "finding", "norm_id", "locator", "code", "family", "score", "lang",
                                    "evidence", "evidence_start", "evidence_end", "reason", "recommendation",
                                    "source", "rule"]
    assert NORM_SCHEMA.names == ["id", "norm_id", "kind", "locator", "lang", "start", "end", "text"]
    assert set(FINDING_COLUMNS) == {"id", "finding", "lang"} | set(field_types(Finding)) - set(FINDING_NOT_IN_PARQUET)
    assert FINDING_SCHEMA.field("evidence_start").type == pa.int64() and FINDING_SCHEMA.field("score").type == pa.float64()
    row = FindingRow.from_record(dataclasses.replace(f, score=0.123456), id="d1", finding="f1", lang="ru")
    back = [FindingRow.from_values(r) for r in to_table([row], FINDING_SCHEMA).to_pylist()]
    assert [(b.id, b.finding, b.lang) for b in back] == [("d1", "f1", "ru")]
    assert back[0].to_record() == dataclasses.replace(f, score=0.1235, details=None)
    nrow = NormRow.from_record(n, id="d1")
    nback = [NormRow.from_values(r) for r in to_table([nrow], NORM_SCHEMA).to_pylist()]
    assert nback[0].id == "d1" and nback[0].to_record() == dataclasses.replace(n, path={}, target=None, context=None)


def test_the_api_answer_is_the_record_with_the_decision():
    from lexpert.expertise.db.models import Finding as Row
    from lexpert.web.schemas import finding_out

    f, n = full_finding(), full_norm()
    out = finding_out(Row.from_record(f, n, id=5, version_id=1, decision="pending")).model_dump()
    assert list(out) == ["id", "norm_id", "locator", "code", "family", "score", "source", "evidence", "reason",
                         "suggestion", "rule", "details", "decision", "decision_reason", "decided_by",
                         "recommendations"]
    assert out["suggestion"] == f.recommendation           # the API's name for the record's recommendation
    assert out["evidence"] == {"start": f.evidence_start, "end": f.evidence_end, "text": f.evidence}
    assert (out["id"], out["rule"], out["details"], out["decision"]) == (5, f.rule, f.details, "pending")


def test_a_field_added_to_the_record_is_placed_in_every_shape_or_fails():
    from lexpert.batch.similar import REVIEWED_FIELDS
    from lexpert.expertise.db.models import FINDING_INDEXED, FINDING_REQUIRED, FINDING_SQL, _record_columns
    from lexpert.web.schemas import EVIDENCE_API, FINDING_API_ORDER

    with pytest.raises(TypeError, match="severity"):
        check_shape("the API's finding answer", Wider, [*FINDING_API_ORDER, *EVIDENCE_API])
    with pytest.raises(TypeError, match="severity"):
        check_shape("similar's ReviewedFinding", Wider, REVIEWED_FIELDS, set(field_types(Finding)) - set(REVIEWED_FIELDS))
    # the database row gets the column at once (and tests/test_record.py then asks for its migration)
    assert "severity" in vars(_record_columns(Wider, FINDING_SQL, FINDING_REQUIRED, FINDING_INDEXED))
    with pytest.raises(TypeError, match="no fields"):
        check_shape("x", Finding, [*field_types(Finding), "severity"])
    with pytest.raises(TypeError, match="both"):
        check_shape("x", Finding, field_types(Finding), {"rule": "why"})
