"""The review UI in a real browser: Playwright driving Debian's Chromium against a running server."""
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from .test_ingest import SMALL_DRAFT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "build" / "screenshots"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    env = {**os.environ, "LEXPERT_HOME": str(home), "LEXPERT_SECRET": "browser-test-" + "y" * 32}
    env.pop("LEXPERT_DATABASE_URL", None)
    for name, role, extra in (("aigerim", "expert", []), ("minagro", "agency", ["--agency", "Министерство экологии"])):
        subprocess.run([sys.executable, "-m", "lexpert", "users", "add", name, "--role", role, *extra],
                       input="browser-password\n", text=True, env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "lexpert", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("the server did not start: " + proc.stdout.read().decode()[-2000:])
    yield base
    proc.terminate()
    proc.wait(timeout=20)


def test_expert_reviews_a_draft_in_chromium(server, tmp_path):
    from docx import Document
    from playwright.sync_api import sync_playwright

    draft = tmp_path / "vyrubka.txt"
    draft.write_text(SMALL_DRAFT, encoding="utf-8")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
        page.on("dialog", lambda d: d.dismiss())
        page.goto(server + "/login")
        page.fill("input[name=username]", "aigerim")
        page.fill("input[name=password]", "browser-password")
        page.click("#login-button")
        page.wait_for_url(server + "/")
        # upload
        page.set_input_files("#upload-file", str(draft))
        page.fill("input[name=agency]", "Министерство экологии")
        page.click("#upload-button")
        page.wait_for_url("**/drafts/*")
        page.wait_for_selector("mark[data-finding]", timeout=30_000)
        marks = page.locator("mark[data-finding]")
        assert marks.count() >= 4                                   # highlighted evidence in the act
        families = set(page.eval_on_selector_all("mark[data-finding]", "els => els.map(e => e.className)"))
        assert any("fam-discretion" in f for f in families)
        items = page.locator("#finding-list .finding")
        n = items.count()
        assert n >= 4
        # keyboard navigation selects findings
        page.keyboard.press("j")
        assert page.locator("#finding-list .finding.current").count() == 1
        # reject the first with a reason
        first = items.nth(0)
        first.locator("input.reason").fill("норма содержит закрытый перечень")
        first.locator("button.reject").click()
        page.wait_for_selector(f"#{first.get_attribute('id')}.rejected")
        # confirm the second with a recommendation
        second = items.nth(1)
        second.locator("summary").click()
        second.locator("textarea.rec-text").fill("Установить исчерпывающий перечень документов.")
        second.locator("select.rec-kind").select_option("close_list")
        second.locator("button.rec-save").click()
        page.wait_for_selector(f"#{second.get_attribute('id')}.confirmed")
        page.wait_for_selector("#rec-list li")
        # filter by status shows only the rejected one
        page.select_option("#f-status", "rejected")
        assert page.locator("#finding-list .finding:not(.hidden)").count() == 1
        page.select_option("#f-status", "")
        page.screenshot(path=str(SHOTS / "review.png"), full_page=False)
        # export the conclusion and read its table
        with page.expect_download() as dl:
            page.click("#export")
        data = Path(dl.value.path()).read_bytes()
        # the Kazakh interface
        page.goto(page.url + "?lang=kk")
        assert page.locator("button.confirm").first.inner_text() == "Растау"
        page.goto(server + "/kpi")
        assert "Сараптамадан өткен жобалар" in page.inner_text("table")   # the KPI page in Kazakh too
        assert "сараптамадан өткен жоқ" in page.inner_text("main")          # nothing examined yet: no empty plots
        page.screenshot(path=str(SHOTS / "kpi.png"), full_page=True)
        browser.close()
    doc = Document(io.BytesIO(data))
    table = doc.tables[1]
    header = [c.text for c in table.rows[0].cells]
    assert header[:4] == ["№", "Структурная единица", "Норма проекта", "Коррупциогенный фактор"]
    body = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert len(body) == 1                                          # only the confirmed finding
    assert "Установить исчерпывающий перечень документов." in body[0][5]
    assert (SHOTS / "review.png").stat().st_size > 20_000


def test_agency_user_sees_only_its_own_drafts(server):
    with httpx.Client(base_url=server) as c:
        tok = c.post("/api/token", data={"username": "minagro", "password": "browser-password"}).json()["access_token"]
        h = {"Authorization": f"Bearer {tok}"}
        ids = [d["id"] for d in c.get("/api/drafts", headers=h).json()]
        exp = c.post("/api/token", data={"username": "aigerim", "password": "browser-password"}).json()["access_token"]
        r = c.post("/api/drafts", headers={"Authorization": f"Bearer {exp}"},
                   files={"file": ("x.txt", SMALL_DRAFT.encode())}, data={"agency": "Акимат города Алматы"})
        other = r.json()["draft_id"]
        assert other not in [d["id"] for d in c.get("/api/drafts", headers=h).json()]
        assert c.get(f"/api/drafts/{other}", headers=h).status_code == 404
        assert all(c.get(f"/api/drafts/{i}", headers=h).json()["agency"] == "Министерство экологии" for i in ids)


def test_a_write_is_visible_to_the_next_request(server):
    """The upload's transaction is committed before its response is sent: the review page asked for
    right after the upload (what the UI does) finds the draft and its findings, every time."""
    with httpx.Client(base_url=server, timeout=60) as c:
        tok = c.post("/api/token", data={"username": "aigerim", "password": "browser-password"}).json()["access_token"]
        h = {"Authorization": f"Bearer {tok}"}
        for _ in range(8):
            r = c.post("/api/drafts", headers=h, files={"file": ("x.txt", SMALL_DRAFT.encode())})
            assert r.status_code == 201
            got = c.get(f"/api/drafts/{r.json()['draft_id']}", headers=h)
            assert got.status_code == 200
            f = got.json()["findings"]
            assert f["pending"] == len(r.json()["analysis"]["findings"]) > 0


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_expert_finishes_the_work_in_chromium(server, tmp_path, lang):
    """The whole work in the UI alone: upload, decide with the keyboard (`x` asks for the reason),
    complete, status adopted, the adopted text, and the KPI page counts the draft; every word the
    page shows is in the UI language."""
    from playwright.sync_api import expect, sync_playwright

    from lexpert.web.i18n import KPI_EMPTY, UI

    t = UI[lang]
    agency = f"Агентство проверки {lang}"
    draft = tmp_path / "draft.txt"
    draft.write_text(SMALL_DRAFT, encoding="utf-8")
    adopted = tmp_path / "adopted.txt"
    adopted.write_text(SMALL_DRAFT, encoding="utf-8")
    shots = ROOT / "build" / "ui"
    shots.mkdir(parents=True, exist_ok=True)
    answers: list[str] = []                       # what the next prompt() is answered; none: dismissed
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.on("dialog", lambda d: d.accept(answers.pop(0)) if answers else d.dismiss())
        page.goto(server + f"/login?lang={lang}")
        page.fill("input[name=username]", "aigerim")
        page.fill("input[name=password]", "browser-password")
        page.click("#login-button")
        page.wait_for_url(server + "/")
        assert t["role_expert"] in page.inner_text("header.top")
        page.set_input_files("#upload-file", str(draft))
        page.fill("input[name=agency]", agency)
        page.click("#upload-button")
        page.wait_for_url("**/drafts/*")
        page.wait_for_selector("#finding-list .finding")
        items = page.locator("#finding-list .finding")
        n = items.count()
        assert n >= 4
        # completing with findings pending: the error line says so, in the UI language
        page.click("#complete-button")
        expect(page.locator("#workflow-msg")).to_have_text(t["err_pending"])
        # x without a reason, the prompt dismissed: the reason field is focused and a message shown
        page.locator("h1").first.click()
        page.keyboard.press("j")
        page.keyboard.press("x")
        first = items.nth(0)
        expect(first.locator(".msg")).to_have_text(t["reason_needed"])
        assert page.evaluate("document.activeElement.classList.contains('reason')")
        assert first.get_attribute("data-status") == "pending"
        # x again, the prompt answered: rejected with that reason
        page.locator("h1").first.click()
        answers.append("норма не содержит фактора")
        page.keyboard.press("x")
        page.wait_for_selector(f"#{first.get_attribute('id')}.rejected")
        assert first.locator(".decision").inner_text() == t["rejected"]
        # a recommendation on the second (confirms it), then c on the rest
        second = items.nth(1)
        second.locator("summary").click()
        kinds = second.locator("select.rec-kind option").all_inner_texts()
        assert kinds == [t[f"kind_{k}"] for k in ("delete", "reword", "add_procedure", "add_deadline", "close_list", "other")]
        second.locator("textarea.rec-text").fill("Установить исчерпывающий перечень документов.")
        second.locator("select.rec-kind").select_option("close_list")
        second.locator("button.rec-save").click()
        page.wait_for_selector(f"#{second.get_attribute('id')}.confirmed")
        page.wait_for_selector("#rec-list li")
        assert t["kind_close_list"] in page.inner_text("#rec-list")
        page.locator("h1").first.click()
        page.keyboard.press("j")                   # current: the second
        for i in range(2, n):
            page.keyboard.press("j")
            page.keyboard.press("c")
            page.wait_for_selector(f"#{items.nth(i).get_attribute('id')}.confirmed")
        page.screenshot(path=str(shots / f"review-decided-{lang}.png"))
        page.click("#complete-button")
        expect(page.locator("#workflow-msg")).to_have_text(t["complete_done"])
        assert page.locator("#complete-button").is_disabled()
        assert t["examined"] in page.inner_text("#draft-examined")
        assert page.locator("button.confirm").first.is_hidden()      # the completed expertise is read-only
        # status adopted
        page.select_option("#status-select", "adopted")
        assert page.locator("#status-reason-label").is_hidden()
        page.select_option("#status-select", "not_adopted")
        assert page.locator("#status-reason-label").is_visible()
        page.select_option("#status-select", "adopted")
        page.click("#status-button")
        expect(page.locator("#workflow-msg")).to_have_text(t["saved"])
        assert page.inner_text("#draft-status") == t["adopted"]
        # the adopted text: each recommendation's incorporation shown
        page.set_input_files("#adopted-file", str(adopted))
        page.click("#adopted-button")
        expect(page.locator("#workflow-msg")).to_have_text(t["adopted_done"].format(v=2), timeout=60_000)
        inc = page.locator("#rec-list .inc").all_inner_texts()
        assert inc and all(x in (t["inc_incorporated"], t["inc_not_incorporated"], t["inc_unknown"]) for x in inc)
        page.screenshot(path=str(shots / f"review-done-{lang}.png"), full_page=True)
        # after a reload the page says the same (what the record holds)
        page.reload()
        assert page.inner_text("#draft-status") == t["adopted"]
        assert page.locator("#complete-button").is_disabled()
        assert page.locator("button.confirm").first.is_hidden()
        assert t["incorporation"] in page.inner_text("#rec-list")
        body = page.inner_text("body")
        for english in ("expert", "close_list", "not_incorporated", "under_expertise", "pending"):
            assert not re.search(rf"\b{english}\b", body), english
        # the KPI page counts the draft
        page.goto(server + "/kpi")
        assert agency in page.inner_text("table")
        assert KPI_EMPTY[lang] not in page.inner_text("main")
        page.screenshot(path=str(shots / f"kpi-{lang}.png"), full_page=True)
        # a missing page is a page in the UI language
        resp = page.goto(server + "/drafts/999999")
        assert resp.status == 404 and "text/html" in resp.headers["content-type"]
        assert t["error_404"] in page.inner_text("main")
        page.screenshot(path=str(shots / f"404-{lang}.png"))
        browser.close()
