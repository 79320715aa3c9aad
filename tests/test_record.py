"""The expertise record and both KPIs, on SQLite and on a real PostgreSQL."""
import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from lexpert import analyze
from lexpert.training import corpora
from lexpert.expertise import kpi as K
from lexpert.expertise.db import init_db, session_scope
from lexpert.expertise.db.models import AuditEvent, Base, Finding
from lexpert.expertise.workflow import (RecordError, add_draft, add_recommendation, add_version, complete_expertise, decide,
                               edit_recommendation, set_incorporation, set_status)

from .test_ingest import SMALL_DRAFT

PG_URL = os.environ.get("LEXPERT_TEST_PG_URL")
BACKENDS = ["sqlite", "postgresql"]


def _need_postgres() -> None:
    """Skip a PostgreSQL case without LEXPERT_TEST_PG_URL; in CI, fail instead."""
    if not PG_URL:
        msg = "LEXPERT_TEST_PG_URL is not set: scripts/test.sh starts a PostgreSQL and sets it"
        if os.environ.get("CI"):
            pytest.fail(msg + " (in CI the PostgreSQL tests must run)")
        pytest.skip(msg)


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'lexpert.sqlite'}"
    else:
        _need_postgres()
        url = PG_URL
        from lexpert.expertise.db.session import get_engine

        eng = get_engine(url)
        with eng.begin() as c:
            Base.metadata.drop_all(c)
            c.execute(text("DROP TABLE IF EXISTS alembic_version"))
    init_db(url)
    return url


@pytest.fixture(scope="module")
def report():
    r = analyze(SMALL_DRAFT)
    assert len(r.findings) >= 4
    return r


def T(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s)


def test_schema_comes_from_the_migration(db_url):
    from sqlalchemy import inspect

    from lexpert.expertise.db.session import get_engine

    insp = inspect(get_engine(db_url))
    assert {"drafts", "versions", "findings", "recommendations", "recommendation_findings", "audit_log", "users",
            "alembic_version"} <= set(insp.get_table_names())


def test_migrated_schema_is_the_mapping(db_url):
    """The migrations build exactly the tables the models map (a column added to the mapping, say
    a new field of lexpert.records.Finding, needs a migration)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    from lexpert.expertise.db.session import get_engine

    with get_engine(db_url).connect() as c:
        diff = compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    cols = {c["name"] for c in inspect(get_engine(db_url)).get_columns("findings")}
    assert {"recommendation", "rule", "details"} <= cols and "suggestion" not in cols


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path):
    """A database with no tables: an SQLite file, or a PostgreSQL database of its own (dropped after)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite'}"
        return
    _need_postgres()
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from lexpert.expertise.db.session import get_engine

    name = f"lexpert_migration_{os.getpid()}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        get_engine(url).dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrate(url: str, revision: str, down: bool = False) -> None:
    from alembic import command
    from alembic.config import Config

    from lexpert.expertise.db.session import MIGRATIONS, get_engine

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with get_engine(url).begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def test_a_database_of_revision_0001_is_upgraded_keeping_its_findings(empty_url):
    """A record created before the findings table took the record's names: the app's start
    (init_db) upgrades it; the detector's recommendation, stored as ``suggestion``, is kept as
    ``recommendation``, and so are the links between recommendations and findings."""
    from lexpert.expertise.db.session import get_engine

    _migrate(empty_url, "0001")
    with get_engine(empty_url).begin() as c:
        c.execute(text("INSERT INTO drafts (id, title, status, created_at) VALUES (1, 't', 'under_expertise', :t)"),
                  {"t": T("2025-01-01")})
        c.execute(text("INSERT INTO versions (id, draft_id, number, kind, text, sha256, report, created_at) "
                       "VALUES (1, 1, 1, 'draft', 'x', 's', '{}', :t)"), {"t": T("2025-01-01")})
        c.execute(text("INSERT INTO findings (id, version_id, norm_id, locator, norm_text, code, family, source, score, "
                       "evidence, evidence_start, evidence_end, reason, suggestion, decision, created_at) VALUES "
                       "(1, 1, 'n1', 'п. 1', 'норма', 'open_list', 'vague', 'rules', 0.9, 'иные', 3, 7, 'перечень', "
                       "'Закрыть перечень', 'confirmed', :t)"), {"t": T("2025-01-01")})
        c.execute(text("INSERT INTO recommendations (id, draft_id, text, kind, status, incorporation, issued_at) "
                       "VALUES (1, 1, 'r', 'other', 'issued', 'unknown', :t)"), {"t": T("2025-01-01")})
        c.execute(text("INSERT INTO recommendation_findings VALUES (1, 1)"))
    init_db(empty_url)
    with session_scope(empty_url) as s:
        assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"   # the head
        f = s.get(Finding, 1)
        assert f.recommendation == "Закрыть перечень" and f.rule is None and f.details is None
        assert [r.id for r in f.recommendations] == [1]
        rec = f.to_record()
        assert (rec.code, rec.evidence_start, rec.recommendation) == ("open_list", 3, "Закрыть перечень")
    # and back: the downgrade puts the value under its old name
    _migrate(empty_url, "0001", down=True)
    with get_engine(empty_url).connect() as c:
        assert c.execute(text("SELECT suggestion FROM findings WHERE id = 1")).scalar() == "Закрыть перечень"
        assert c.execute(text("SELECT COUNT(*) FROM recommendation_findings")).scalar() == 1


def test_workflow_rules_and_audit(db_url, report):
    with session_scope(db_url) as s:
        d = add_draft(s, b"", report=report, agency="A", sphere="ecology", kind="order", actor="ivanov",
                      at=T("2025-01-10T09:00"))
        fids = [f.id for f in d.versions[0].findings]
        did = d.id
    with session_scope(db_url) as s:
        with pytest.raises(RecordError, match="pending"):
            complete_expertise(s, did)
    with pytest.raises(RecordError, match="reason"):
        with session_scope(db_url) as s:
            decide(s, fids[0], "rejected")
    with session_scope(db_url) as s:
        decide(s, fids[0], "confirmed", actor="ivanov", at=T("2025-01-11"))
        for i in fids[1:]:
            decide(s, i, "rejected", reason="не фактор", actor="ivanov", at=T("2025-01-11"))
        with pytest.raises(RecordError, match="confirmed"):
            add_recommendation(s, did, "x", finding_ids=[fids[1]])
    with session_scope(db_url) as s:
        r = add_recommendation(s, did, "Установить срок", kind="add_deadline", finding_ids=[fids[0]],
                               actor="ivanov", at=T("2025-01-12"))
        edit_recommendation(s, r.id, text="Установить срок пять рабочих дней", actor="petrov", at=T("2025-01-13"))
        complete_expertise(s, did, actor="ivanov", at=T("2025-01-14"))
        rid = r.id
    with session_scope(db_url) as s:
        ev = s.query(AuditEvent).filter_by(entity="recommendation", entity_id=rid).order_by(AuditEvent.id).all()
        assert [(e.field, e.actor) for e in ev] == [("created", "ivanov"), ("text", "petrov")]
        assert ev[1].old == "Установить срок" and ev[1].new == "Установить срок пять рабочих дней"
        f = s.get(Finding, fids[1])
        assert f.decision == "rejected" and f.decision_reason == "не фактор"


def test_failed_step_leaves_nothing_half_written(db_url, report):
    with pytest.raises(RecordError):
        with session_scope(db_url) as s:
            d = add_draft(s, b"", report=report, agency="A", actor="x")
            set_status(s, d.id, "not_adopted", reason="no such reason")
    with session_scope(db_url) as s:
        assert s.execute(text("SELECT COUNT(*) FROM drafts")).scalar() == 0
        assert s.execute(text("SELECT COUNT(*) FROM audit_log")).scalar() == 0


# A year of synthetic expertise history. Per draft: agency, when its expertise was completed,
# how many findings the expert confirmed, its fate, and its recommendations (incorporated?).
HISTORY = [
    # agency, completed,      confirm, status (date, value, reason),                  recs (incorporated, set on)
    ("A", "2025-01-15", 3, ("2025-03-01", "adopted", None), [(True, "2025-03-05"), (False, "2025-03-05")]),
    ("A", "2025-02-10", 1, ("2025-04-01", "not_adopted", "lost_relevance"), [(None, None)]),
    ("B", "2025-02-20", 2, ("2025-05-01", "adopted", None), [(True, "2025-05-03"), (True, "2025-05-03")]),
    ("B", "2025-04-05", 0, ("2025-06-01", "adopted", None), []),
    ("C", "2025-05-10", 3, ("2025-06-10", "withdrawn", None), [(None, None)]),
    ("C", "2025-07-01", 2, ("2025-09-01", "adopted", None), [(False, "2025-09-04"), (False, "2025-09-04")]),
    ("A", None, 2, None, []),                        # still under expertise: never counts
    ("B", "2025-11-30", 1, None, []),
]


def _events():
    """The history as timestamped steps, to be applied in time order."""
    steps = []
    for i, (ag, done, k, status, recs) in enumerate(HISTORY):
        base = T("2025-01-02") + dt.timedelta(days=i)
        steps.append((base, "add", i, ag))
        steps.append((base + dt.timedelta(hours=1), "decide", i, k))
        for j, (inc, when) in enumerate(recs):
            steps.append((base + dt.timedelta(hours=2), "rec", i, j))
            if inc is not None:
                steps.append((T(when), "inc", i, (j, inc)))
        if done:
            steps.append((T(done), "complete", i, None))
        if status:
            steps.append((T(status[0]), "status", i, status[1:]))
    return sorted(steps, key=lambda x: (x[0], ["add", "decide", "rec", "complete", "status", "inc"].index(x[1])))


def _apply(s, step, ids, report):
    at, op, i, arg = step
    if op == "add":
        ids[i] = {"draft": add_draft(s, b"", report=report, agency=arg, actor="bot", at=at).id, "recs": []}
    elif op == "decide":
        fs = sorted(f.id for f in s.get(Finding, s.execute(text(
            f"SELECT MIN(f.id) FROM findings f JOIN versions v ON f.version_id=v.id WHERE v.draft_id={ids[i]['draft']}"
        )).scalar()).version.findings)
        for n, fid in enumerate(fs):
            if n < arg:
                decide(s, fid, "confirmed", actor="bot", at=at)
            else:
                decide(s, fid, "rejected", reason="ложное срабатывание", actor="bot", at=at)
        ids[i]["confirmed"] = fs[:arg]
    elif op == "rec":
        fid = (ids[i]["confirmed"] or [None])[0]
        r = add_recommendation(s, ids[i]["draft"], f"рекомендация {arg}", finding_ids=[fid] if fid else [],
                               actor="bot", at=at)
        ids[i]["recs"].append(r.id)
    elif op == "inc":
        j, inc = arg
        set_incorporation(s, ids[i]["recs"][j], "incorporated" if inc else "not_incorporated", source="expert",
                          note="сверено с принятым текстом", actor="bot", at=at)
    elif op == "complete":
        complete_expertise(s, ids[i]["draft"], actor="bot", at=at)
    elif op == "status":
        value, reason = arg
        set_status(s, ids[i]["draft"], value, reason=reason, actor="bot", at=at)


def test_year_of_history_matches_hand_computed_kpis(db_url, report):
    assert len(report.findings) >= 3
    steps = _events()
    ids = {}
    mid = T("2025-03-31T23:59")
    snapshot = None
    for step in steps:
        if snapshot is None and step[0] > mid:
            with session_scope(db_url) as s:   # Q1 as of the end of March, before any later event exists
                snapshot = K.compute(s, dt.date(2025, 1, 1), dt.date(2025, 3, 31), by="none", as_of=mid)
        with session_scope(db_url) as s:
            _apply(s, step, ids, report)
    with session_scope(db_url) as s:
        year = K.compute(s, dt.date(2025, 1, 1), dt.date(2025, 12, 31), by="agency", as_of=T("2026-01-01"))
        q1_later = K.compute(s, dt.date(2025, 1, 1), dt.date(2025, 3, 31), by="none", as_of=mid)
        q1_now = K.compute(s, dt.date(2025, 1, 1), dt.date(2025, 3, 31), by="none", as_of=T("2026-01-01"))
    tot = year["total"]
    # KPI A: drafts 1,2,3,4,5,6,8 examined; confirmed 3+1+2+0+3+2+1 = 12
    assert tot["kpi_a"]["drafts_examined"] == 7
    assert tot["kpi_a"]["confirmed_findings"] == 12
    assert tot["kpi_a"]["factors_per_draft"] == round(12 / 7, 3)
    assert tot["kpi_a"]["distribution"]["median"] == 2
    assert tot["kpi_a"]["distribution"]["histogram"] == {"0": 1, "1": 2, "2": 2, "3": 2}
    # KPI B: adopted 1,3,4,6; not adopted 2 (lost_relevance); withdrawn 5; under expertise 8
    b = tot["kpi_b"]
    assert (b["drafts_passed_expertise"], b["adopted"], b["not_adopted"], b["withdrawn"]) == (7, 4, 1, 1)
    assert b["not_adopted_reasons"] == {"lost_relevance": 1}
    assert b["recommendations_issued_on_adopted"] == 6 and b["recommendations_incorporated"] == 3
    assert b["recommendations_share_percent"] == 50.0
    by = {g["key"]: g for g in year["groups"]}
    assert by["A"]["kpi_a"]["factors_per_draft"] == 2.0 and by["A"]["kpi_b"]["recommendations_share_percent"] == 50.0
    assert by["B"]["kpi_a"]["factors_per_draft"] == 1.0 and by["B"]["kpi_b"]["recommendations_share_percent"] == 100.0
    assert by["C"]["kpi_a"]["factors_per_draft"] == 2.5 and by["C"]["kpi_b"]["recommendations_share_percent"] == 0.0
    # Q1 as of 31 March: drafts 1,2,3 examined (6 confirmed); only draft 1 adopted, 1 of its 2 recs taken in
    assert snapshot["total"]["kpi_a"]["factors_per_draft"] == 2.0
    assert snapshot["total"]["kpi_b"]["adopted"] == 1
    assert snapshot["total"]["kpi_b"]["recommendations_share_percent"] == 50.0
    # a figure as of a past date does not change when later events are added
    assert q1_later["total"] == snapshot["total"]
    # ... while the same period seen today includes what happened since (draft 3 adopted, 2/2 taken in)
    assert q1_now["total"]["kpi_b"]["adopted"] == 2
    assert q1_now["total"]["kpi_b"]["recommendations_share_percent"] == 75.0


def test_adopted_version_tracks_incorporation_and_expert_override(db_url):
    vp = next(p for p in corpora.version_pairs() if p["id"] == "vp_ru_05_transport")
    truth = vp["truth"]
    with session_scope(db_url) as s:
        d = add_draft(s, vp["draft"], agency="Минтранс", actor="e", at=T("2025-01-01"))
        for f in d.versions[0].findings:
            decide(s, f.id, "confirmed", actor="e", at=T("2025-01-02"))
        recs = []
        for tf in truth["findings"]:
            quote = tf["quote"]
            f = next((f for f in d.versions[0].findings if f.evidence and (f.evidence in quote or quote in f.norm_text)),
                     None)
            if f is not None:
                recs.append((add_recommendation(s, d.id, tf["recommendation"]["text"], kind=tf["recommendation"]["kind"],
                                                finding_ids=[f.id], actor="e", at=T("2025-01-03")).id, tf))
        complete_expertise(s, d.id, actor="e", at=T("2025-01-04"))
        assert recs
        add_version(s, d.id, vp["adopted"], kind="adopted", actor="e", at=T("2025-04-01"))
        assert d.status == "adopted"
        from lexpert.expertise.db.models import Recommendation

        states = {rid: s.get(Recommendation, rid).incorporation for rid, _ in recs}
        assert set(states.values()) <= {"incorporated", "not_incorporated"}
        rid = recs[0][0]
        flipped = "not_incorporated" if states[rid] == "incorporated" else "incorporated"
        with pytest.raises(RecordError, match="reason"):
            set_incorporation(s, rid, flipped, source="expert")
        set_incorporation(s, rid, flipped, source="expert", note="проверено вручную", actor="e", at=T("2025-04-02"))
        assert s.get(Recommendation, rid).incorporation_source == "expert"


def test_compare_on_the_corpus_version_pairs():
    from lexpert.compare import pair_accuracy

    res = pair_accuracy(corpora.version_pairs())
    assert res["findings"] >= 100
    assert res["accuracy"] >= 0.95, res["errors"][:5]


def test_compare_cli_json_contract():
    vp = corpora.version_pairs()[0]
    r = subprocess.run([sys.executable, "-m", "lexpert", "compare", str(vp["draft"]), str(vp["adopted"]),
                        "--format", "json"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert {p["status"] for p in res["pairs"]} <= {"same", "changed", "deleted", "inserted"}
    assert any(p["status"] == "deleted" for p in res["pairs"]) and any(p["status"] == "inserted" for p in res["pairs"])
    for f in res["findings"]:
        assert {"locator", "code", "quote", "resolved", "how"} <= set(f) and isinstance(f["resolved"], bool)


def test_cli_workflow_kpi_exports_and_plots(tmp_path):
    env = {**os.environ, "LEXPERT_HOME": str(tmp_path / "home"), "LEXPERT_USER": "expert1"}
    env.pop("LEXPERT_DATABASE_URL", None)
    draft = tmp_path / "d.txt"
    draft.write_text(SMALL_DRAFT, encoding="utf-8")

    def run(*a):
        r = subprocess.run([sys.executable, "-m", "lexpert", *a], capture_output=True, text=True, env=env, timeout=300)
        assert r.returncode == 0, (a, r.stderr)
        return r.stdout

    run("draft", "add", str(draft), "--agency", "Министерство экологии", "--kind", "order", "--at", "2026-01-10")
    found = json.loads(run("finding", "list", "1", "--format", "json"))
    # while findings are pending there is no conclusion (it would say «не выявлены» of what nobody reviewed)
    early = subprocess.run([sys.executable, "-m", "lexpert", "draft", "conclusion", "1", "-o", str(tmp_path / "e.docx")],
                           capture_output=True, text=True, env=env, timeout=300)
    assert early.returncode == 2 and "pending" in early.stderr and not (tmp_path / "e.docx").exists()
    run("draft", "conclusion", "1", "-o", str(tmp_path / "e.docx"), "--draft")    # asked for: a marked draft
    import docx

    marked = " ".join(p.text for p in docx.Document(str(tmp_path / "e.docx")).paragraphs)
    assert "ПРОЕКТ ЗАКЛЮЧЕНИЯ" in marked and "не выявлены" not in marked
    run("finding", "confirm", str(found[0]["id"]), "--at", "11.01.2026", "--actor", "expert2")
    assert "expert2" in run("draft", "history", "finding", str(found[0]["id"]))
    run("finding", "reject", *[str(f["id"]) for f in found[1:]], "--reason", "не фактор", "--at", "2026-01-11")
    run("rec", "add", "1", "--text", "Исключить", "--kind", "delete", "--finding", str(found[0]["id"]), "--at", "2026-01-12")
    run("draft", "complete", "1", "--at", "2026-01-13")
    # a completed expertise is read-only: a finding cannot be re-decided, nor a recommendation added
    for args in (("finding", "confirm", str(found[1]["id"])), ("rec", "add", "1", "--text", "Ещё", "--kind", "other")):
        late = subprocess.run([sys.executable, "-m", "lexpert", *args], capture_output=True, text=True, env=env,
                              timeout=300)
        assert late.returncode == 2 and "read-only" in late.stderr and late.stderr.count("\n") == 1, late.stderr
    run("draft", "conclusion", "1", "-o", str(tmp_path / "c.docx"), "--expert", "А. Иванова")
    import docx

    cdoc = docx.Document(str(tmp_path / "c.docx"))
    table = cdoc.tables[1]                      # the corruption norms: header + the one confirmed finding
    from lexpert.taxonomy import load_taxonomy

    factor = table.rows[1].cells[3].text      # the factor by its name; the code is the tool's, not the document's
    assert len(table.rows) == 2 and factor == load_taxonomy()[found[0]["code"]].name("ru") and "." not in factor
    assert "Исключить" in table.rows[1].cells[5].text
    assert any("А. Иванова" in p.text for p in cdoc.paragraphs)
    sec = cdoc.sections[0]                      # A4 portrait, no detector vocabulary in the official text
    assert abs(sec.page_width.cm - 21.0) < 0.05 and abs(sec.page_height.cm - 29.7) < 0.05
    every = " ".join(c.text for t in cdoc.tables for r in t.rows for c in r.cells) + " ".join(p.text for p in cdoc.paragraphs)
    assert "оценка модели" not in every and "(подпись)" in every
    run("draft", "status", "1", "not_adopted", "--reason", "superseded", "--at", "2026-02-01")
    data = json.loads(run("kpi", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "json"))
    assert data["total"]["kpi_a"]["factors_per_draft"] == 1.0
    assert data["total"]["kpi_b"]["not_adopted_reasons"] == {"superseded": 1}
    # dates as written in Kazakhstan give the same figures; a wrong date is one line, exit 2
    dmy = json.loads(run("kpi", "--from", "01.01.2026", "--to", "31.12.2026", "--format", "json"))
    assert {k: v for k, v in dmy.items() if k != "as_of"} == {k: v for k, v in data.items() if k != "as_of"}
    bad = subprocess.run([sys.executable, "-m", "lexpert", "kpi", "--from", "31.02.2026"], capture_output=True,
                         text=True, env=env, timeout=300)
    assert bad.returncode == 2 and bad.stderr.startswith("lexpert: error:") and bad.stderr.count("\n") == 1
    run("kpi", "--format", "xlsx", "-o", str(tmp_path / "k.xlsx"), "--plots", str(tmp_path / "plots"), "--plot-lang", "kk")
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "k.xlsx")["KPI"]
    header = [c.value for c in ws[1]]
    assert header[0] == "key" and "recommendations_share_percent" in header
    assert ws.cell(row=ws.max_row, column=1).value == "TOTAL"
    for name in ("kpi_a_by_quarter.png", "kpi_b_by_agency.png", "heatmap_agency_family.png"):
        p = tmp_path / "plots" / name
        assert p.exists() and p.stat().st_size > 5000
    csv_out = run("kpi", "--format", "csv")
    assert csv_out.splitlines()[0].startswith("key,drafts_examined")
    ru = run("kpi", "--format", "csv", "--lang", "ru").splitlines()          # headers an official reads
    assert ru[0].startswith("Разработчик,Проектов прошло экспертизу") and ru[-1].startswith("ВСЕГО")
    run("kpi", "--format", "xlsx", "--lang", "kk", "-o", str(tmp_path / "kk.xlsx"))
    kk_ws = load_workbook(tmp_path / "kk.xlsx")["KPI"]
    assert kk_ws.cell(row=1, column=2).value == "Сараптамадан өткен жобалар"
    assert kk_ws.cell(row=kk_ws.max_row, column=1).value == "БАРЛЫҒЫ"
    hist = run("draft", "history", "finding", str(found[1]["id"]))
    assert "expert1" in hist and "rejected" in hist


def test_kpi_demo_notebook_runs_top_to_bottom():
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    root = Path(__file__).resolve().parents[1]
    nb = nbformat.read(root / "notebooks" / "kpi_demo.ipynb", as_version=4)
    NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(root)}}).execute()
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "incorporation tracked as in the truth" in text


def test_kpi_plot_helpers_keep_empty_quarters_and_draw_no_zero_of_zero_bar():
    from lexpert.expertise.kpi import kpi_b_bar, quarter_range

    assert quarter_range({"2025-Q4", "2026-Q3", "2026-Q1"}) == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    assert quarter_range(set()) == []
    none = kpi_b_bar({"recommendations_issued_on_adopted": 0, "recommendations_incorporated": 0,
                      "recommendations_share_percent": None}, "нет принятых")
    assert none == (None, "нет принятых")
    assert kpi_b_bar({"recommendations_issued_on_adopted": 4, "recommendations_incorporated": 3,
                      "recommendations_share_percent": 75.0}, "-") == (75.0, "3/4")
