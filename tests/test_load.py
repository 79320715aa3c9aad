"""The service under concurrency: uploads off the event loop, SQLite writers that wait instead
of failing, paginated lists, a bound on waiting analyses, a huge act that stops no one. The
server tests start a real ``lexpert serve`` (bounded: six uploads of a sample; one 4.4 M-character
synthetic act under a 20 s analysis limit), the rest run in-process."""
import json
import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from lexpert.expertise import workflow as X
from lexpert.expertise.db import init_db, session_scope
from lexpert.expertise.db.models import Draft
from lexpert.training.bench_api import SMALL_TEXT, big_act, concurrent_gets, concurrent_uploads, server, warm_up
from lexpert.web.app import create_app
from lexpert.web.auth import add_user
from lexpert.web.schemas import detail_json, draft_detail, draft_summary, summary_row

from .conftest import SAMPLE_RU


@pytest.fixture(scope="module")
def report():
    from lexpert import analyze

    return analyze(SMALL_TEXT.encode("utf-8"), name="small.txt")


def test_concurrent_uploads_all_succeed_and_health_answers_meanwhile():
    data = SAMPLE_RU.read_bytes()
    with server() as (base, h):
        warm_up(base, h, SMALL_TEXT.encode("utf-8"), "warm-up.txt")
        res = concurrent_uploads(base, h, data, SAMPLE_RU.name, 6, every=0.1)
        assert res["statuses"] == {"201": 6}, res
        assert res["healthz_polls"] >= 3 and res["healthz_max_s"] < 2.0, res
        # many requests at once: every one answered (no thread starved waiting for a connection)
        gets = concurrent_gets(base, h, "/api/drafts?limit=3", 120)
        assert gets["ok"] == 120 and gets["total_count"] == "7", gets


def test_a_huge_act_does_not_stop_the_others():
    """A synthetic act of 4.4 M characters (the largest act seen; invented norms, no real text) is
    read, sent to a worker and analysed there while /healthz, the list and a draft keep answering
    in under 2 s. Bounded: LEXPERT_DOC_TIMEOUT=20 stops its analysis (a clear 422 "timeout")
    unless it is done sooner; ``lexpert bench api --big-act 4400000`` runs it to the end."""
    with server(env={"LEXPERT_DOC_TIMEOUT": "20"}) as (base, h):
        warm_up(base, h, SMALL_TEXT.encode("utf-8"), "warm-up.txt")
        res = big_act(base, h, 4_400_000, ["/healthz", "/api/drafts", "/api/drafts/1"])
    assert res["chars"] >= 4_400_000 and res["bytes"] < 50 * 1024 * 1024, res        # within LEXPERT_MAX_BYTES
    assert res["status"] == 201 or (res["status"] == 422 and res["answer"]["error"] == "timeout"), res
    for path, seen in res["polls"].items():
        assert seen["polls"] >= 5 and seen["ok"] == seen["polls"] and seen["max_s"] < 2.0, (path, res)


def _writer(url, report, barrier, errors, write):
    try:
        if write:
            barrier.wait(timeout=30)                        # all at once (a write session waits for the lock) ...
        with session_scope(url, write=write) as s:
            s.scalar(select(func.count(Draft.id)))          # ... reads first ...
            if not write:
                barrier.wait(timeout=30)                    # (every read session has read)
            time.sleep(0.05)
            X.add_draft(s, b"", report=report, actor="t")   # ... then writes, racing the others
    except OperationalError as exc:
        errors.append(str(exc))


def _race(url, report, write, n=6):
    barrier, errors = threading.Barrier(n), []
    threads = [threading.Thread(target=_writer, args=(url, report, barrier, errors, write)) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def test_sqlite_writers_wait_for_each_other(tmp_path, report):
    url = f"sqlite:///{tmp_path / 'race.sqlite'}"
    init_db(url)
    assert _race(url, report, write=True) == []
    with session_scope(url, write=False) as s:
        assert s.scalar(select(func.count(Draft.id))) == 6
    # the failure the write sessions avoid: deferred transactions that read, then write
    errors = _race(url, report, write=False)
    assert errors and all("locked" in e for e in errors)


@pytest.fixture()
def api(tmp_path, monkeypatch, report):
    monkeypatch.setenv("LEXPERT_HOME", str(tmp_path))
    monkeypatch.setenv("LEXPERT_SECRET", "load-test-" + "x" * 32)
    url = f"sqlite:///{tmp_path / 'api.sqlite'}"
    app = create_app(url)
    with session_scope(url) as s:
        add_user(s, "admin", "admin-password", "admin")
        add_user(s, "eco", "eco-password", "agency", agency="eco")
        for i in range(57):
            X.add_draft(s, b"", report=report, title=f"d{i}", agency="eco" if i % 3 == 0 else "agro", actor="t")
        s.flush()
        first, *rest = s.get(Draft, 2).versions[0].findings
        X.decide(s, first.id, "confirmed", actor="t")
        for f in rest:
            X.decide(s, f.id, "rejected", reason="no", actor="t")
        X.complete_expertise(s, 2, actor="t")
    c = TestClient(app)
    tok = c.post("/api/token", data={"username": "admin", "password": "admin-password"}).json()["access_token"]
    return c, {"Authorization": f"Bearer {tok}"}, url


def test_drafts_list_pages(api):
    c, h, url = api
    r = c.get("/api/drafts", headers=h)
    assert r.status_code == 200 and r.headers["x-total-count"] == "57"
    assert [d["id"] for d in r.json()] == list(range(1, 51))         # the default page: 50, oldest first
    r = c.get("/api/drafts?limit=10&offset=50", headers=h)
    assert [d["id"] for d in r.json()] == list(range(51, 58))
    assert c.get("/api/drafts?offset=100", headers=h).json() == []
    assert c.get("/api/drafts?limit=501", headers=h).status_code == 422
    assert c.get("/api/drafts?limit=0", headers=h).status_code == 422
    assert c.get("/api/drafts?offset=-1", headers=h).status_code == 422
    eco = c.post("/api/token", data={"username": "eco", "password": "eco-password"}).json()["access_token"]
    r = c.get("/api/drafts?limit=5", headers={"Authorization": f"Bearer {eco}"})
    assert r.headers["x-total-count"] == "19" and all(d["agency"] == "eco" for d in r.json())
    # a page row is what the draft's own summary says
    with session_scope(url, write=False) as s:
        rows, total = X.draft_page(s, limit=3, offset=0)
        assert total == 57
        want = [draft_summary(s.get(Draft, i)).model_dump() for i in (1, 2, 3)]
    assert [summary_row(r) for r in rows] == want
    assert want[1]["findings"]["confirmed"] == 1 and want[1]["expertise_completed_at"]


def test_draft_detail_rows_answer_what_the_model_answers(api, report):
    """The detail answered from plain rows is the model's JSON, key for key: a draft with decisions,
    recommendations (one on two findings, one on none), an adopted version; one untouched."""
    c, h, url = api
    with session_scope(url) as s:
        fs = [f.id for f in s.get(Draft, 1).versions[0].findings]
        X.decide(s, fs[0], "confirmed", actor="t")
        X.decide(s, fs[1], "confirmed", actor="t")
        for f in fs[2:3]:
            X.decide(s, f, "rejected", reason="нет", actor="t")
        X.add_recommendation(s, 1, "Исключить", kind="delete", finding_ids=fs[:2], actor="t")
        X.add_recommendation(s, 1, "Уточнить", finding_ids=fs[:1], actor="t")
        X.add_recommendation(s, 1, "Без находки", actor="t")
        X.add_version(s, 1, b"", kind="adopted", report=report, actor="t")
    for draft_id in (2, 3, 1):
        with session_scope(url, write=False) as s:
            want = draft_detail(X.draft_for_detail(s, draft_id)).model_dump(mode="json")
            got = detail_json(X.detail_rows(s, draft_id))
        assert json.dumps(got, ensure_ascii=False) == json.dumps(want, ensure_ascii=False)
        assert c.get(f"/api/drafts/{draft_id}", headers=h).json() == want
    assert len(want["findings_list"]) > 1 and len(want["recommendations"]) == 3 and len(want["version_list"]) == 2
    assert want["findings_list"][0]["recommendations"] == [r["id"] for r in want["recommendations"][:2]]
    with session_scope(url, write=False) as s:
        assert X.detail_rows(s, 999) is None


def test_users_list_pages(api):
    c, h, _ = api
    r = c.get("/api/users?limit=1&offset=1", headers=h)
    assert r.status_code == 200 and r.headers["x-total-count"] == "2"
    assert [u["name"] for u in r.json()] == ["eco"]


def test_ui_drafts_page_pages(api):
    c, _, _ = api
    assert c.post("/login", data={"username": "admin", "password": "admin-password"},
                  follow_redirects=False).status_code == 303
    first = c.get("/").text
    assert 'href="/drafts/50"' in first and 'href="/drafts/51"' not in first
    assert 'id="page-next"' in first and 'href="/?offset=50"' in first and "1–50 из 57" in first
    second = c.get("/?offset=50").text
    assert 'href="/drafts/57"' in second and 'href="/drafts/50"' not in second
    assert 'id="page-prev"' in second and 'id="page-next"' not in second


def _blocked(report, gate):
    gate.wait(30)
    return report


def test_analyses_beyond_the_queue_are_refused_at_once(monkeypatch):
    """Running plus waiting analyses are counted; past ``LEXPERT_MAX_QUEUED_UPLOADS`` waiting, the
    next is refused (AnalysisBusy) without waiting, and every finished one leaves the count."""
    import asyncio

    from lexpert.web import analysis

    monkeypatch.setenv("LEXPERT_ANALYSIS_WORKERS", "0")         # analysed in a thread: one "worker"
    monkeypatch.setenv("LEXPERT_MAX_QUEUED_UPLOADS", "1")
    monkeypatch.setattr(analysis, "analyze", lambda data, name: name)
    gate = threading.Event()

    async def main():
        held = [asyncio.create_task(analysis.run(b"x", f"a{i}", _blocked, gate)) for i in range(2)]
        await asyncio.sleep(0.2)
        assert analysis.in_flight() == 2                          # one running, one waiting
        with pytest.raises(analysis.AnalysisBusy, match="LEXPERT_MAX_QUEUED_UPLOADS"):
            await analysis.run(b"x", "a2")
        assert analysis.in_flight() == 2                          # the refused one was never counted
        gate.set()
        assert await asyncio.gather(*held) == ["a0", "a1"]
        assert analysis.in_flight() == 0
        assert await analysis.run(b"x", "a3") == "a3"             # room again

    asyncio.run(main())


def test_upload_refused_with_503_when_the_queue_is_full(api, monkeypatch):
    from lexpert.web import analysis

    c, h, url = api
    monkeypatch.setenv("LEXPERT_ANALYSIS_WORKERS", "0")
    monkeypatch.setenv("LEXPERT_MAX_QUEUED_UPLOADS", "2")
    monkeypatch.setattr(analysis, "_in_flight", 3)               # one running, two waiting: full
    r = c.post("/api/drafts", headers=h, files={"file": ("a.txt", SMALL_TEXT.encode("utf-8"))}, data={"title": "x"})
    assert r.status_code == 503 and r.headers["retry-after"] == str(analysis.RETRY_AFTER_S)
    assert r.json()["error"] == "busy" and "LEXPERT_MAX_QUEUED_UPLOADS" in r.json()["detail"]
    assert b"\n" not in r.content and analysis.in_flight() == 3
    with session_scope(url, write=False) as s:
        assert s.scalar(select(func.count(Draft.id))) == 57         # nothing stored
    monkeypatch.setattr(analysis, "_in_flight", 2)               # one waiting fewer: admitted
    r = c.post("/api/drafts", headers=h, files={"file": ("a.txt", SMALL_TEXT.encode("utf-8"))}, data={"title": "x"})
    assert r.status_code == 201 and r.json()["draft_id"] == 58 and analysis.in_flight() == 2
