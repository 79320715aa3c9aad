"""lexpert batch: inputs, hostile documents, crash and resume, Ray = local, the portal adapter."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lexpert.batch import BatchOptions, read_input, run_batch
from lexpert.training.generate import generate_corpus

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    drafts = generate_corpus(d, 10, norms_per_draft=20, seed=7)
    return d, drafts


@pytest.fixture
def rules(monkeypatch):
    """The rule detector (the shipped LEXPERT_DETECTOR=rules setting) keeps worker start-up short."""
    monkeypatch.setenv("LEXPERT_DETECTOR", "rules")


def acts(out: Path) -> list[dict]:
    return pq.read_table(out / "acts.parquet").to_pylist()


def errors(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]


def opts(workers: int = 2, **kw) -> BatchOptions:
    return BatchOptions(workers=workers, progress=False, **kw)


def test_folder_input(corpus, rules, tmp_path):
    d, drafts = corpus
    s = run_batch(d / "drafts", tmp_path / "out", opts(2, chunk_size=3))
    rows = acts(tmp_path / "out")
    assert [r["id"] for r in rows] == sorted(Path(x.path).name for x in drafts)
    assert all(r["status"] == "ok" for r in rows) and s.ok == 10 and s.errors == 0
    assert {r["language"] for r in rows} == {"ru", "kk"}
    assert all(r["norms"] >= 20 for r in rows)
    fams = ("discretion", "vague", "burden", "hidden_service", "gap")
    assert all(r["findings"] == sum(r[f"findings_{f}"] for f in fams) for r in rows)
    f = pq.read_table(tmp_path / "out" / "findings.parquet").to_pylist()
    assert len(f) == sum(r["findings"] for r in rows) > 0
    assert all(x["locator"] and x["id"] in {r["id"] for r in rows} for x in f)
    n = pq.read_table(tmp_path / "out" / "norms.parquet")
    assert n.num_rows == sum(r["norms"] for r in rows)
    assert errors(tmp_path / "out") == []
    # a rerun finds everything done and changes nothing
    s2 = run_batch(d / "drafts", tmp_path / "out", opts(2))
    assert s2.already_done == 10 and s2.processed == 0 and acts(tmp_path / "out") == rows


def _rows(drafts, base: Path, texts: bool):
    out = []
    for i, x in enumerate(drafts):
        row = {"id": x.id, "title": x.title, "agency": x.agency, "sphere": x.sphere, "date": x.date,
               "url": f"https://example.invalid/{x.id}"}
        if texts and i % 2:
            row["text"] = (base / x.path).read_text(encoding="utf-8")
        else:
            row["path"] = x.path
        out.append(row)
    return out


def test_manifest_jsonl_and_csv(corpus, rules, tmp_path):
    d, drafts = corpus
    rows = _rows(drafts, d, texts=True)
    jl = d / "m_test.jsonl"
    jl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
                  + "{not json\n" + json.dumps({"id": "nothing", "title": "no path, no text"}) + "\n"
                  + json.dumps({"id": rows[0]["id"], "path": rows[0].get("path") or "x"}) + "\n"
                  + json.dumps({"id": "missing", "path": "drafts/missing.txt"}) + "\n", encoding="utf-8")
    s = run_batch(jl, tmp_path / "j", opts(2))
    a = {r["id"]: r for r in acts(tmp_path / "j")}
    assert len(a) == 13 and s.duplicates == 1
    assert all(a[x.id]["status"] == "ok" and a[x.id]["agency"] == x.agency and a[x.id]["url"].endswith(x.id)
               for x in drafts)
    assert a["line-11"]["status"] == "error" and "not a JSON object" in a["line-11"]["error"]
    assert a["nothing"]["error_code"] == "bad_record"
    assert a["missing"]["status"] == "error" and "no such file" in a["missing"]["error"]
    errs = errors(tmp_path / "j")
    assert {e["code"] for e in errs} >= {"bad_record", "unreadable", "duplicate_id"}
    assert all("\n" not in e["reason"] for e in errs)

    c = d / "m_test.csv"
    with c.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "path", "text", "title", "agency", "sphere", "date", "url"])
        w.writeheader()
        w.writerows(rows)
    run_batch(c, tmp_path / "c", opts(1))
    b = {r["id"]: r for r in acts(tmp_path / "c")}
    for x in drafts:     # the same drafts give the same analysis whichever manifest named them
        assert (b[x.id]["norms"], b[x.id]["findings"], b[x.id]["sha256"]) == \
               (a[x.id]["norms"], a[x.id]["findings"], a[x.id]["sha256"])


def test_parquet_and_dataset_inputs(corpus, rules, tmp_path):
    import pyarrow as pa
    from datasets import Dataset

    d, drafts = corpus
    rows = [{"id": x.id, "text": (d / x.path).read_text(encoding="utf-8"), "agency": x.agency, "sphere": x.sphere,
             "date": x.date, "title": x.title, "url": None} for x in drafts[:4]]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")
    Dataset.from_list(rows).save_to_disk(str(tmp_path / "ds"))
    assert [r.id for r in read_input(tmp_path / "ds")] == [r.id for r in read_input(tmp_path / "in.parquet")]
    run_batch(tmp_path / "in.parquet", tmp_path / "p", opts(2, chunk_size=1))
    run_batch(tmp_path / "ds", tmp_path / "h", opts(2, chunk_size=2))
    p, h = acts(tmp_path / "p"), acts(tmp_path / "h")
    assert [r["id"] for r in p] == [r["id"] for r in h] == [x.id for x in drafts[:4]]
    assert all(r["status"] == "ok" for r in p + h)
    key = lambda rs: [(r["id"], r["norms"], r["findings"], r["by_code"]) for r in rs]  # noqa: E731
    assert key(p) == key(h)


def test_bad_input_is_one_line_error(tmp_path):
    from click.testing import CliRunner

    from lexpert.cli.commands import main

    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"whatever")
    r = CliRunner().invoke(main, ["batch", str(bad), "-o", str(tmp_path / "o")])
    assert r.exit_code == 2 and r.output.count("\n") == 1 and "INPUT must be" in r.output


def _bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b" " * (40 * 1024 * 1024) + b"</w:document>")
    return buf.getvalue()


def test_hostile_documents_are_error_rows(corpus, rules, tmp_path):
    d, drafts = corpus
    f = tmp_path / "in"
    f.mkdir()
    good = (d / drafts[0].path).read_text(encoding="utf-8")
    kk = (d / next(x for x in drafts if x.lang == "kk").path).read_text(encoding="utf-8")
    (f / "good.txt").write_text(good, encoding="utf-8")
    (f / "empty.txt").write_bytes(b"")
    (f / "blank.txt").write_text("   \n\n  ", encoding="utf-8")
    (f / "corrupt.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(3000))
    (f / "junk.bin").write_bytes(os.urandom(5000))
    (f / "junk_named.txt").write_bytes(bytes(range(256)) * 40)
    (f / "bomb.docx").write_bytes(_bomb())
    (f / "truncated.docx").write_bytes(b"PK\x03\x04 truncated")
    (f / "huge_line.txt").write_text("1. Уполномоченный орган вправе при необходимости " + "продлить срок " * 6000,
                                     encoding="utf-8")
    (f / "mixed.txt").write_text(good + "\n\n" + kk, encoding="utf-8")
    (f / "sub").mkdir()
    (f / "sub" / "nested.txt").write_text(kk, encoding="utf-8")
    s = run_batch(f, tmp_path / "out", opts(2, chunk_size=2))
    a = {r["id"]: r for r in acts(tmp_path / "out")}
    assert len(a) == 11 and s.ids == 11
    for bad in ("empty.txt", "blank.txt", "corrupt.pdf", "junk.bin", "junk_named.txt", "bomb.docx", "truncated.docx"):
        assert a[bad]["status"] == "error", bad
        assert a[bad]["error"] and "\n" not in a[bad]["error"], bad
    assert a["bomb.docx"]["error_code"] == "archive_bomb"
    assert a["empty.txt"]["error_code"] == "empty"
    for ok in ("good.txt", "mixed.txt", "sub/nested.txt", "huge_line.txt"):
        assert a[ok]["status"] == "ok", (ok, a[ok]["error"])
    assert a["mixed.txt"]["language"] == "mixed"
    assert a["huge_line.txt"]["findings"] >= 1
    assert {e["id"] for e in errors(tmp_path / "out")} == {k for k, v in a.items() if v["status"] == "error"}


def test_crash_and_resume_exactly_once(tmp_path):
    """Kill the batch for real (SIGKILL) mid-run, rerun it, and find every id exactly once."""
    d = tmp_path / "c"
    drafts = generate_corpus(d, 48, norms_per_draft=40, seed=11)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "lexpert", "batch", str(d / "manifest.jsonl"), "-o", str(out),
           "--workers", "2", "--chunk-size", "2", "--no-progress"]
    env = {**os.environ, "LEXPERT_DETECTOR": "rules"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    parts = out / "parts"
    while time.time() < deadline:
        n = len([p for p in parts.iterdir() if not p.name.startswith(".")]) if parts.exists() else 0
        if n >= 4:
            break
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "acts.parquet").exists()
    time.sleep(1.5)                      # orphaned workers notice their parent is gone and exit
    from lexpert.batch.store import PartStore

    done_before = PartStore(out).done_ids()
    assert 0 < len(done_before) < 48
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    run = json.loads((out / "run.json").read_text())
    assert run["already_done"] >= len(done_before) and run["processed"] == 48 - run["already_done"]
    rows = acts(out)
    ids = [x["id"] for x in rows]
    assert sorted(ids) == sorted(x.id for x in drafts) and len(ids) == len(set(ids)) == 48
    assert all(x["status"] == "ok" for x in rows)
    f = pq.read_table(out / "findings.parquet").to_pylist()
    keys = [(x["id"], x["finding"]) for x in f]
    assert len(keys) == len(set(keys)) == sum(x["findings"] for x in rows)
    norms = pq.read_table(out / "norms.parquet", columns=["id", "norm_id"]).to_pylist()
    assert len(norms) == len({(x["id"], x["norm_id"]) for x in norms}) == sum(x["norms"] for x in rows)


def test_ray_engine_equals_local(corpus, rules, tmp_path):
    import ray
    d, drafts = corpus
    m = tmp_path / "m.jsonl"
    m.write_text("".join(json.dumps({"id": x.id, "path": str(d / x.path), "agency": x.agency}) + "\n"
                         for x in drafts[:6]), encoding="utf-8")
    run_batch(m, tmp_path / "local", opts(2, chunk_size=2))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        s = run_batch(m, tmp_path / "ray", opts(2, chunk_size=2, engine="ray"))
    finally:
        ray.shutdown()
    assert s.engine == "ray" and s.ok == 6
    drop = ("seconds",)
    la = [{k: v for k, v in r.items() if k not in drop} for r in acts(tmp_path / "local")]
    ra = [{k: v for k, v in r.items() if k not in drop} for r in acts(tmp_path / "ray")]
    assert la == ra
    lf = pq.read_table(tmp_path / "local" / "findings.parquet").to_pylist()
    rf = pq.read_table(tmp_path / "ray" / "findings.parquet").to_pylist()
    key = lambda x: (x["id"], x["finding"])  # noqa: E731
    assert sorted(lf, key=key) == sorted(rf, key=key) and lf


# ------------------------------------------------------------------------------- the portal
class _Portal(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, str, bytes]] = {}
    seen: list[str] = []

    def do_GET(self):  # noqa: N802
        self.seen.append(self.path)
        code, ctype, body = self.routes.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


@pytest.fixture
def portal_server(corpus, tmp_path):
    from tests.docgen import make_docx

    d, drafts = corpus
    docx_bytes = make_docx((d / drafts[0].path).read_text(encoding="utf-8"), tmp_path / "a.docx").read_bytes()
    txt = (d / drafts[1].path).read_bytes()
    html = "text/html; charset=utf-8"
    listing = """<html><body><h1>Проекты НПА</h1><ul>
      <li><a href="/npa/view?id=101">Об утверждении Правил субсидирования</a></li>
      <li><a href="/npa/view?id=102">Об утверждении Правил выдачи разрешений</a></li>
      <li><a href="/npa/view?id=103">Проект без файла</a></li></ul></body></html>"""
    page = """<html><body><h1>{t}</h1><table>
      <tr><th>Тип</th><td>Приказ</td></tr><tr><th>Разработчик</th><td>{a}</td></tr>
      <tr><th>Дата размещения</th><td>2026-03-0{n}</td></tr><tr><th>Статус</th><td>Публичное обсуждение</td></tr>
      </table><p>Окончание обсуждения: 2026-04-0{n}</p>{files}</body></html>"""
    routes = {
        "/npa/search?page=1": (200, html, listing.encode()),
        "/npa/search?page=2": (200, html, b"<html><body>no more</body></html>"),
        "/npa/view?id=101": (200, html, page.format(t="Об утверждении Правил субсидирования", a="Министерство финансов",
                                                    n=1, files='<a href="/files/101/proekt.docx">Проект</a>').encode()),
        "/npa/view?id=102": (200, html, page.format(t="Правила выдачи", a="Министерство энергетики", n=2,
                                                    files='<a href="/files/102/proekt.txt">Текст</a>'
                                                          '<a href="/files/102/missing.pdf">PDF</a>').encode()),
        "/npa/view?id=103": (200, html, page.format(t="Без файла", a="Акимат", n=3, files="").encode()),
        "/files/101/proekt.docx": (200, "application/octet-stream", docx_bytes),
        "/files/102/proekt.txt": (200, "text/plain; charset=utf-8", txt),
        "/api/list?page=1": (200, "application/json", json.dumps({"content": [
            {"id": 201, "title": "JSON-проект", "developer": {"nameRu": "Министерство юстиции"}, "type": "Приказ",
             "publishDate": "2026-05-01", "files": [{"url": "/files/102/proekt.txt"}]}]}).encode()),
        "/api/list?page=2": (200, "application/json", b"[]"),
    }
    _Portal.routes, _Portal.seen = routes, []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def test_portal_adapter_to_batch(portal_server, rules, tmp_path):
    from lexpert.batch.portal import PortalConfig, PortalError, _Client, download, fetch_listing

    cfg = PortalConfig(base_url=portal_server, delay=0, allow_hosts=frozenset({"127.0.0.1"}))
    recs = fetch_listing(cfg, pages=3)
    assert [r.portal_id for r in recs] == ["101", "102", "103"]
    r101 = recs[0]
    assert (r101.agency, r101.kind, r101.date, r101.status, r101.discussion_end) == \
           ("Министерство финансов", "Приказ", "2026-03-01", "Публичное обсуждение", "2026-04-01")
    assert r101.attachments == [f"{portal_server}/files/101/proekt.docx"]
    rows = download(recs, tmp_path / "portal", cfg)
    assert [r["id"] for r in rows] == ["101", "102/1", "102/2", "103"]
    assert "HTTP 404" in rows[2]["fetch_error"] and "no attached file" in rows[3]["fetch_error"]
    s = run_batch(tmp_path / "portal" / "manifest.jsonl", tmp_path / "out", opts(1))
    a = {r["id"]: r for r in acts(tmp_path / "out")}
    assert a["101"]["status"] == a["102/1"]["status"] == "ok" and a["101"]["format"] == "docx"
    assert a["101"]["agency"] == "Министерство финансов" and a["101"]["url"].endswith("/npa/view?id=101")
    assert a["102/2"]["status"] == a["103"]["status"] == "error" and s.errors == 2

    jcfg = PortalConfig(base_url=portal_server, listing_path="/api/list", delay=0,
                        allow_hosts=frozenset({"127.0.0.1"}))
    j = fetch_listing(jcfg, pages=2)
    assert [(r.portal_id, r.agency, r.date) for r in j] == [("201", "Министерство юстиции", "2026-05-01")]
    assert all(p.startswith(("/npa/", "/files/", "/api/")) for p in _Portal.seen)
    # a host outside the allow-list is refused before any connection is made
    with pytest.raises(PortalError, match="not allowed"):
        _Client(cfg).fetch("http://203.0.113.5/npa/search?page=1")
    with pytest.raises(PortalError, match="only http"):
        _Client(cfg).fetch("file:///etc/passwd")


def test_a_second_run_on_the_same_outdir_is_refused_in_one_line(corpus, rules, tmp_path):
    import fcntl

    from lexpert.batch.engine import BatchError

    d, _ = corpus
    out = tmp_path / "out"
    out.mkdir()
    fd = os.open(out / ".lock", os.O_RDWR | os.O_CREAT)      # a run in progress holds the folder
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, b"4242")
    try:
        with pytest.raises(BatchError, match="in use by another lexpert batch \\(pid 4242\\)"):
            run_batch(d / "drafts", out, opts(1))
        assert not (out / "parts").exists()                  # nothing was done, nothing deleted
        p = subprocess.run([sys.executable, "-m", "lexpert", "batch", str(d / "drafts"), "--out", str(out)],
                           capture_output=True, text=True, env={**os.environ, "LEXPERT_DETECTOR": "rules"})
        assert p.returncode == 2 and p.stderr.count("\n") == 1 and "in use" in p.stderr
    finally:
        os.close(fd)
    s = run_batch(d / "drafts", out, opts(1))                # free again: the run goes through
    assert s.ok == 10


def test_non_regular_inputs_timeouts_and_a_failed_consolidation(corpus, rules, tmp_path, monkeypatch):
    from lexpert.batch import store as store_mod
    from lexpert.batch.engine import BatchError
    from lexpert.training.bench_analyze import act_pdf

    d, drafts = corpus
    f = tmp_path / "in"
    f.mkdir()
    (f / "good.txt").write_text((d / drafts[0].path).read_text(encoding="utf-8"), encoding="utf-8")
    os.mkfifo(f / "pipe.txt")
    (f / "zero.txt").symlink_to("/dev/zero")
    (f / "gone.txt").symlink_to(f / "no-such-file.txt")
    out = tmp_path / "out"
    s = run_batch(f, out, opts(1))
    a = {r["id"]: r for r in acts(out)}
    assert s.ids == 4 and a["good.txt"]["status"] == "ok"
    for bad in ("pipe.txt", "zero.txt", "gone.txt"):
        assert a[bad]["status"] == "error" and a[bad]["error_code"] == "unreadable", a[bad]
    assert "not a regular file" in a["pipe.txt"]["error"] and "no such file" in a["gone.txt"]["error"]

    # a per-document time limit that strikes inside PDF parsing is named a timeout
    g = tmp_path / "pdfs"
    g.mkdir()
    act_pdf(ROOT.joinpath("lexpert/data/samples/sample_ru.txt").read_text(encoding="utf-8") * 30, g / "long.pdf")
    s = run_batch(g, tmp_path / "out2", opts(1, doc_timeout=0.02))
    (row,) = acts(tmp_path / "out2")
    assert row["status"] == "error" and row["error_code"] == "timeout", row

    # the disk fills while the results are consolidated: one line, the earlier results and
    # the parts stay, and a rerun finishes
    before = {p.name: p.read_bytes() for p in out.glob("*.parquet")}
    real_writer = store_mod.pq.ParquetWriter

    def full_disk(path, *a, **kw):          # the disk is full by the time findings are written
        if "findings" in str(path):
            raise OSError(28, "No space left on device")
        return real_writer(path, *a, **kw)

    monkeypatch.setattr(store_mod.pq, "ParquetWriter", full_disk)
    (f / "more.txt").write_text((d / drafts[1].path).read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(BatchError, match="No space left on device.*kept") as ei:
        run_batch(f, out, opts(1))
    assert "\n" not in str(ei.value)
    assert {p.name: p.read_bytes() for p in out.glob("*.parquet")} == before
    assert not list(out.glob(".tmp-*"))
    monkeypatch.setattr(store_mod.pq, "ParquetWriter", real_writer)
    s = run_batch(f, out, opts(1))
    assert s.ids == 5 and s.already_done == 5 and {r["id"] for r in acts(out)} >= {"more.txt", "good.txt"}
