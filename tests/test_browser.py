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


# ---------------------------------------------------------------- phone width, accessibility
PHONE = {"width": 390, "height": 844}
# Latin words the UI may show: the product's name, the file types it reads, "KPI", "DOCX" (what people
# typed, names, titles, the act, is marked translate="no" and not the UI's words)
LATIN_OK = {"lexpert", "kpi", "docx", "pdf", "txt", "html"}
CONTRAST_JS = """() => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const background = el => { const layers = [];
    for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let base = [255, 255, 255];
    for (const c of layers.reverse()) base = base.map((v, i) => c[i] * c[3] + v * (1 - c[3]));
    return base; };
  const out = [], seen = new Set();
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const n = walk.currentNode, el = n.parentElement;
    if (!n.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    if (!r.width || !r.height || cs.visibility === 'hidden' || el.closest('.sr-only, :disabled, option')) continue;
    let alpha = 1; for (let e = el; e; e = e.parentElement) alpha *= Number(getComputedStyle(e).opacity);
    const fg = parse(cs.color), bg = background(el), a = fg[3] * alpha;
    const seenFg = fg.slice(0, 3).map((v, i) => v * a + bg[i] * (1 - a));
    const l1 = lum(seenFg), l2 = lum(bg), ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    out.push({text: n.textContent.trim().slice(0, 40), tag: el.tagName, cls: String(el.className), ratio});
  }
  return out; }"""
UI_TEXT_JS = """() => {
  const out = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) { const el = walk.currentNode.parentElement, r = el.getBoundingClientRect();
    if (r.width && r.height && !el.closest('[translate=no], script')) out.push(walk.currentNode.textContent); }
  return out.join(' '); }"""
A11Y_JS = """() => {
  const shown = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const named = el => (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
    || ((el.tagName === 'BUTTON' || el.tagName === 'A' || el.tagName === 'SUMMARY') && el.textContent.trim())
    || (el.tagName === 'A' && Array.from(el.querySelectorAll('img')).some(i => (i.getAttribute('alt') || '').trim()));
  const controls = Array.from(document.querySelectorAll('input, select, textarea, button, a[href], summary'))
    .filter(el => el.type !== 'hidden');
  const tappable = controls.filter(el => !el.classList.contains('file-input') && shown(el))
    .concat(Array.from(document.querySelectorAll('.file-button')).filter(shown));
  return {
    unnamed: controls.filter(el => !named(el)).map(el => el.outerHTML.slice(0, 100)),
    small: tappable.filter(el => el.getBoundingClientRect().height < 40)
      .map(el => el.outerHTML.slice(0, 80) + ' h=' + el.getBoundingClientRect().height),
    outside: tappable.filter(el => { const r = el.getBoundingClientRect(); return r.left < -0.5 || r.right > innerWidth + 0.5; })
      .map(el => el.outerHTML.slice(0, 80)),
    landmarks: ['header', 'main'].filter(s => !document.querySelector(s)),
    lang: document.documentElement.lang,
    scrollWidth: document.documentElement.scrollWidth,
    fontMin: Math.min(...Array.from(document.querySelectorAll('main *, header *')).filter(el => shown(el)
      && Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()) && !el.closest('.sr-only'))
      .map(el => parseFloat(getComputedStyle(el).fontSize))),
  }; }"""


def check_phone_page(page, lang: str, name: str) -> dict:
    """What every page must be at 390 px: no sideways scrolling of the page, every control named,
    tap targets 40 px high inside the screen, text of 14 px or more at a contrast of 4.5:1 or more,
    the landmarks and the UI language in ``lang``; a full-page screenshot in build/ui."""
    page.wait_for_load_state("networkidle")
    got = page.evaluate(A11Y_JS)
    assert got["scrollWidth"] <= PHONE["width"], (name, got["scrollWidth"])
    assert got["lang"] == lang, name
    assert not got["landmarks"], (name, got["landmarks"])
    assert not got["unnamed"], (name, got["unnamed"])
    assert not got["small"], (name, got["small"])
    assert not got["outside"], (name, got["outside"])
    assert got["fontMin"] >= 14, (name, got["fontMin"])
    low = [x for x in page.evaluate(CONTRAST_JS) if x["ratio"] < 4.5]
    assert not low, (name, low[:5])
    latin = {w.lower() for w in re.findall(r"[A-Za-z]{2,}", page.evaluate(UI_TEXT_JS))} - LATIN_OK
    assert not latin, (name, sorted(latin))                  # no English word left in the page's text
    shots = ROOT / "build" / "ui"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"phone-{name}-{lang}.png"), full_page=True)
    return got


def test_css_colours_have_the_contrast_of_text():
    """The colours app.css gives text and what it lies on: 4.5:1 or more (WCAG AA), computed
    from the stylesheet's own values (the browser test measures the rendered pages too)."""
    css = (ROOT / "lexpert" / "web" / "static" / "app.css").read_text(encoding="utf-8")
    var = dict(re.findall(r"--([a-z_]+):(#[0-9a-f]{6})", css))

    def ratio(a: str, b: str) -> float:
        def lum(h):
            c = [int(h[i:i + 2], 16) / 255 for i in (1, 3, 5)]
            c = [x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
            return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
        hi, lo = sorted((lum(a), lum(b)), reverse=True)
        return (hi + 0.05) / (lo + 0.05)

    marks = dict(re.findall(r"mark\.fam-([a-z_]+) \{ background:(#[0-9a-f]{6})", css))
    assert set(marks) == {"discretion", "vague", "burden", "hidden_service", "gap"}
    pairs = {f"mark {k}": (var["ink"], v) for k, v in marks.items()}
    for name, sel in (("pending", r"\.pill\.pending"), ("confirmed", r"\.pill\.confirmed"), ("rejected", r"\.pill\.rejected")):
        bg = re.search(sel + r" \{ background:([^;]+);", css).group(1)
        pairs[f"pill {name}"] = ("#ffffff", var[bg[6:-1]] if bg.startswith("var(") else bg)
    pairs["button"] = ("#ffffff", "#1d2b4a")
    pairs["reject button"] = (var["bad"], "#ffffff")
    pairs["muted"] = (var["muted"], "#ffffff")
    for bg in ("#fafbfc", "#eef8f1", "#f8eeee", "#f3f4f7"):       # a finding's backgrounds, the page's
        pairs[f"muted on {bg}"] = (var["muted"], bg)
    pairs["ok message"] = (var["ok"], "#ffffff")
    pairs["header links"] = ("#dfe6ff", "#1d2b4a")
    low = {k: round(ratio(*v), 2) for k, v in pairs.items() if ratio(*v) < 4.5}
    assert not low, low
    assert "opacity:.75" not in css and "opacity" not in css.split(".finding.rejected")[1].split("}")[0]


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_the_whole_work_at_phone_width(server, tmp_path, lang):
    """Login, upload, decisions with the buttons, complete, status and the KPI page on a 390x844
    touch screen: nothing scrolls sideways, every control is named, big enough and tapped; the
    review page names each factor in the UI language (no code such as discretion.broad, no raw
    score); no English word on the page; screenshots build/ui/phone-*.png."""
    from playwright.sync_api import expect, sync_playwright

    from lexpert.taxonomy import load_taxonomy
    from lexpert.web.i18n import UI

    t = UI[lang]
    tax = load_taxonomy()
    agency = {"ru": "Ведомство с телефона", "kk": "Телефоннан ведомство"}[lang]
    draft = tmp_path / "draft.txt"
    draft.write_text(SMALL_DRAFT, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1)
        page = ctx.new_page()
        page.goto(server + f"/login?lang={lang}")
        check_phone_page(page, lang, "login")
        page.fill("input[name=username]", "aigerim")
        page.fill("input[name=password]", "browser-password")
        page.keyboard.press("Tab")                               # the keyboard's focus is seen: a 3 px ring
        ring = page.evaluate("(() => { const s = getComputedStyle(document.activeElement);"
                             " return [document.activeElement.id, s.outlineStyle, parseFloat(s.outlineWidth)]; })()")
        assert ring[0] == "login-button" and ring[1] == "solid" and ring[2] >= 2, ring
        page.locator("#login-button").tap()
        page.wait_for_url(server + "/")
        check_phone_page(page, lang, "drafts")
        page.set_input_files("#upload-file", str(draft))
        page.fill("input[name=agency]", agency)
        expect(page.locator("#upload-button")).to_be_visible()
        page.locator("#upload-button").tap()
        page.wait_for_url("**/drafts/*")
        page.wait_for_selector("#finding-list .finding")
        check_phone_page(page, lang, "review")
        expect(page.locator(".no-recs")).to_have_text(t["no_recs"])
        page.locator("#to-findings").tap()                       # the findings are below the act: one tap away
        page.wait_for_function("Math.abs(document.getElementById('panel').getBoundingClientRect().top) < 5")
        body = page.inner_text("body")
        codes = [c for c in tax.codes if c in body]
        assert not codes, codes                                      # factor names, never their codes
        assert not re.search(r"\b0\.\d\d\b", page.inner_text("#finding-list"))   # nor raw scores
        items = page.locator("#finding-list .finding")
        n = items.count()
        assert n >= 4
        for i in range(n):
            code = page.evaluate(f"document.querySelectorAll('#finding-list .finding')[{i}].dataset.family")
            assert items.nth(i).locator("h3.factor").inner_text() in {f.name(lang) for f in tax.factors if f.family == code}
            assert t["confidence"] in items.nth(i).locator(".meta").inner_text()
        # a tap on the highlighted text shows its finding
        page.locator("mark[data-finding]").first.tap()
        assert page.locator("#finding-list .finding.current").count() == 1
        # decisions with the buttons: the first rejected with a reason, the rest confirmed
        first = items.nth(0)
        first.locator("input.reason").fill("не фактор")
        first.locator("button.reject").tap()
        page.wait_for_selector(f"#{first.get_attribute('id')}.rejected")
        for i in range(1, n):
            button = items.nth(i).locator("button.confirm")
            button.scroll_into_view_if_needed()
            expect(button).to_be_visible()
            button.tap()
            page.wait_for_selector(f"#{items.nth(i).get_attribute('id')}.confirmed")
        check_phone_page(page, lang, "review-decided")
        page.locator("#complete-button").tap()
        expect(page.locator("#workflow-msg")).to_have_text(t["complete_done"])
        page.select_option("#status-select", "not_adopted")
        expect(page.locator("#status-reason")).to_be_visible()
        page.select_option("#status-select", "adopted")
        page.locator("#status-button").tap()
        expect(page.locator("#workflow-msg")).to_have_text(t["saved"])
        check_phone_page(page, lang, "review-done")
        page.goto(server + "/kpi")
        assert agency in page.inner_text("table")
        check_phone_page(page, lang, "kpi")
        # the table scrolls inside its own box, not the page
        assert page.evaluate("document.querySelector('.scroll-x').scrollWidth") > PHONE["width"] - 40
        resp = page.goto(server + "/drafts/999999")
        assert resp.status == 404
        check_phone_page(page, lang, "404")
        ctx.close()
        browser.close()
