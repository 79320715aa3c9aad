"""Rendered pages: the expertise conclusion and the monitoring report, as a reader gets them.

Both documents are built through the command line only (a record on SQLite for the
conclusions, a batch folder for the report), converted DOCX -> PDF by LibreOffice and
PDF -> PNG by poppler, then checked page by page:

- every page is A4 portrait (pdfinfo of every page; one portrait PNG per page);
- the language: mostly Cyrillic; the document's own template headings are on the page and
  the other language's are not; a Kazakh document shows Kazakh letters in its template, a
  Russian conclusion has none at all, a Russian report only in quoted Kazakh data;
- no word is split mid-word (a narrow table column makes LibreOffice break a word that does
  not fit at any letter): every word on a page must be a word of the DOCX, and two
  fragments at a line end and the next line's start must not join into a source word;
  `test_checker_catches_a_mid_word_split` proves the check fails on a too-narrow column;
- nothing is cut off: every word of the DOCX reaches a page, inside the sheet;
- no detector vocabulary («оценка модели», «модельдің бағасы») on a page;
- a conclusion with confirmed findings, or with pending ones, never says «не выявлены».

The PNGs are copied to build/pages/ for a person to look at. Needs `soffice`
(libreoffice-writer-nogui) and poppler-utils (pdfinfo, pdftotext, pdftoppm): skipped without
them, failed without them when CI is set (scripts/test.sh installs both).
"""
from __future__ import annotations

import functools
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "lexpert" / "data" / "samples"
CORPUS = ROOT / "corpora" / "documents"
PAGES_OUT = ROOT / "build" / "pages"
TOOLS = ("soffice", "pdfinfo", "pdftotext", "pdftoppm")
A4_PT = (595.3, 841.9)                    # 210 x 297 mm
KK_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
WORD = re.compile(r"[^\W\d_]+")           # a run of letters (Cyrillic or Latin)
TORN = ",.;:!?)]»"                        # a line may not start with these: they belong to the word before

# the template's own headings and labels (lexpert's conclusion and monitoring report forms)
HEADINGS = {
    "conclusion": {
        "ru": ["ЗАКЛЮЧЕНИЕ", "научной антикоррупционной экспертизы проекта нормативного правового акта",
               "Сведения о проекте", "Выявленные коррупциогенные нормы",
               "Эксперт:", "(подпись)", "Дата:"],
        "kk": ["НОРМАТИВТІК ҚҰҚЫҚТЫҚ АКТІ ЖОБАСЫНЫҢ", "ғылыми сыбайлас жемқорлыққа қарсы сараптамасының ҚОРЫТЫНДЫСЫ",
               "Жоба туралы мәліметтер", "Анықталған сыбайлас жемқорлық нормалары",
               "Сарапшы:", "(қолы)", "Күні:"],
    },
    "report": {
        "ru": ["Форма", "Аналитический отчет по итогам антикоррупционного мониторинга",
               "(вид антикоррупционного мониторинга)", "I. Вводная часть", "II. Информационно-аналитическая часть",
               "1. Количественные показатели", "2. Качественные показатели", "III. Заключительная часть",
               "Распределение коррупционных факторов по группам"],
        "kk": ["Нысан", "Сыбайлас жемқорлыққа қарсы мониторинг қорытындылары бойынша талдамалық есеп",
               "(сыбайлас жемқорлыққа қарсы мониторинг түрі)", "I. Кіріспе бөлім", "II. Ақпараттық-талдамалық бөлім",
               "1. Сандық көрсеткіштер", "2. Сапалық көрсеткіштер", "III. Қорытынды бөлім",
               "Сыбайлас жемқорлық факторларының топтар бойынша бөлінуі"],
    },
}
# «not found» in each language: never in a conclusion with confirmed or pending findings
NOT_FOUND = {"ru": "не выявлены", "kk": "анықталған жоқ"}
DRAFT_MARK = {"ru": "ПРОЕКТ ЗАКЛЮЧЕНИЯ", "kk": "ҚОРЫТЫНДЫ ЖОБАСЫ"}
# the totals line: of an issued conclusion, and of a draft conclusion (confirmed so far)
TOTALS = {"final": {"ru": "Итого выявлено коррупциогенных факторов", "kk": "Барлығы анықталған сыбайлас жемқорлық факторлары"},
          "pending": {"ru": "Подтверждено экспертом коррупциогенных факторов (экспертиза не завершена)",
                      "kk": "Сарапшы растаған сыбайлас жемқорлық факторлары (сараптама аяқталған жоқ)"}}
MODEL_NOTES = ("оценка модели", "модельдің бағасы")        # the detector's own words, never on a page
# the documents rendered: name -> (kind, language, final/pending)
DOCS = {
    "conclusion_ru": ("conclusion", "ru", "final"),
    "conclusion_kk": ("conclusion", "kk", "final"),
    "draft_conclusion_ru": ("conclusion", "ru", "pending"),
    "draft_conclusion_kk": ("conclusion", "kk", "pending"),
    "report_ru": ("report", "ru", None),
    "report_kk": ("report", "kk", None),
    "record_report_ru": ("report", "ru", None),
    "record_report_kk": ("report", "kk", None),
}
# the batch of the report: the two bundled samples (their corpus metadata, samples/README.md) and
# one more authored draft per language from another developer body, plus an unreadable file
BATCH = {
    "sample_ru": (SAMPLES / "sample_ru.txt", CORPUS / "ru_a3_03_subsidies_order.json"),
    "sample_kk": (SAMPLES / "sample_kk.txt", CORPUS / "kk_k1_01_land_order.json"),
    "ru_land": (CORPUS / "ru_a1_01_land_order.txt", CORPUS / "ru_a1_01_land_order.json"),
    "kk_subsoil": (CORPUS / "kk_b1_01_subsoil_use_order.txt", CORPUS / "kk_b1_01_subsoil_use_order.json"),
}


# --------------------------------------------------------------------------- tools, rendering

def _need_tools() -> None:
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        msg = (f"{', '.join(missing)} not on PATH: the page tests need LibreOffice (libreoffice-writer-nogui) "
               f"and poppler-utils; scripts/test.sh installs them")
        if os.environ.get("CI"):
            pytest.fail(msg + " (in CI the page tests must run)")
        pytest.skip(msg)


def _run(cmd: list[str], timeout: float = 120, **kw) -> str:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    assert r.returncode == 0, (cmd, r.stdout[-2000:], r.stderr[-2000:])
    return r.stdout


def words(text: str) -> list[str]:
    """The words (runs of letters) of ``text``, NFKC, lower case."""
    return [w.lower() for w in WORD.findall(unicodedata.normalize("NFKC", text))]


@dataclass
class Source:
    """What the DOCX says: its words, and which word follows which (in reading order)."""

    vocab: set[str] = field(default_factory=set)
    pairs: set[tuple[str, str]] = field(default_factory=set)


def docx_source(path: Path) -> Source:
    import docx

    d = docx.Document(str(path))
    units: list[str] = []

    def cells_text(table) -> None:
        rows = [list(r.cells) for r in table.rows]
        for r in rows:                                  # row by row, then column by column
            for c in r:
                units.extend(p.text for p in c.paragraphs)
                for t in c.tables:
                    cells_text(t)
        for j in range(max((len(r) for r in rows), default=0)):
            units.extend(p.text for r in rows if j < len(r) for p in r[j].paragraphs)

    units.extend(p.text for p in d.paragraphs)
    for t in d.tables:
        cells_text(t)
    for s in d.sections:
        for part in (s.header, s.footer):
            units.extend(p.text for p in part.paragraphs)
    src = Source()
    prev: str | None = None
    for u in units:
        for w in words(u):
            src.vocab.add(w)
            if prev is not None:
                src.pairs.add((prev, w))
            prev = w
    return src


@dataclass
class Line:
    page: int
    words: list[tuple[str, float, float, float, float]]      # text, xMin, yMin, xMax, yMax


@dataclass
class Rendered:
    name: str
    docx: Path
    pdf: Path
    sizes: list[tuple[float, float, int]]                      # width, height (pt), rotation per page
    pngs: list[Path]
    text: str                                                  # pdftotext -raw, whitespace collapsed
    blocks: list[list[Line]]                                   # pdftotext -bbox-layout
    source: Source


def pdf_blocks(pdf: Path) -> list[list[Line]]:
    xhtml = _run(["pdftotext", "-bbox-layout", str(pdf), "-"])
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    root = ET.fromstring(xhtml)
    blocks = []
    for n, page in enumerate(root.iter(f"{{{ns['h']}}}page"), 1):
        for block in page.iter(f"{{{ns['h']}}}block"):
            lines = []
            for line in block.findall("h:line", ns):
                ws = [(w.text or "", float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")),
                       float(w.get("yMax"))) for w in line.findall("h:word", ns)]
                if ws:
                    lines.append(Line(n, ws))
            blocks.append(lines)
    return blocks


def render_all(docs: dict[str, Path], out: Path, profile: Path) -> dict[str, Rendered]:
    """DOCX -> PDF (LibreOffice, one start for all) -> PNG (60 dpi) and text, per document."""
    out.mkdir(parents=True, exist_ok=True)
    _run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
          "--convert-to", "pdf", "--outdir", str(out), *map(str, docs.values())], timeout=120 + 30 * len(docs))
    res = {}
    for name, path in docs.items():
        pdf = out / f"{path.stem}.pdf"
        assert pdf.exists(), f"LibreOffice wrote no {pdf.name}"
        n = int(re.search(r"^Pages:\s+(\d+)", _run(["pdfinfo", str(pdf)]), re.M).group(1))
        info = _run(["pdfinfo", "-f", "1", "-l", str(n), str(pdf)])
        size = {int(p): (float(w), float(h)) for p, w, h in
                re.findall(r"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)}
        rot = {int(p): int(r) for p, r in re.findall(r"^Page\s+(\d+) rot:\s+(\d+)", info, re.M)}
        _run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out / path.stem)])
        pngs = sorted(out.glob(f"{path.stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        res[name] = Rendered(name, path, pdf, [(*size[i], rot.get(i, 0)) for i in sorted(size)], pngs,
                             " ".join(_run(["pdftotext", "-raw", str(pdf), "-"]).split()), pdf_blocks(pdf),
                             docx_source(path))
    return res


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


# --------------------------------------------------------------------------- the checks

def split_words(r: Rendered) -> list[str]:
    """Words broken inside (an empty list when none). A word on the page that is not a word of
    the DOCX is a fragment; so are a line end and the next line's start that join into a DOCX
    word the DOCX never has apart; so is a line that starts with the punctuation of the word
    before. Numbers and one-letter tokens are not checked alone; a word split at its own
    hyphen ("Юридико-|лингвистическая", "2-|тарау") is two DOCX words, so it passes."""
    vocab, pairs = r.source.vocab, r.source.pairs
    bad: list[str] = []
    for lines in r.blocks:
        for line in lines:
            for w in line.words:
                for tok in words(w[0]):
                    if len(tok) >= 2 and tok not in vocab:
                        bad.append(f"p.{line.page}: «{tok}» (in «{w[0]}») is no word of the document")
        for a, b in zip(lines, lines[1:]):
            end, start = a.words[-1][0], b.words[0][0]
            where = f"p.{a.page}: «{end} | {start}»"
            if start[0] in TORN:
                bad.append(f"{where}: the line starts with the punctuation of the word before")
            x = words(end)[-1] if end[-1].isalpha() else None
            y = words(start)[0] if start[0].isalpha() else None
            if x and y and x + y in vocab and (x, y) not in pairs:
                bad.append(f"{where}: «{x}» + «{y}» is one word of the document")
    return bad


def cut_off(r: Rendered) -> list[str]:
    """Words of the DOCX that reach no page, and words outside the sheet (1 cm from every edge)."""
    on_page = {t for lines in r.blocks for line in lines for w in line.words for t in words(w[0])}
    bad = [f"«{w}» is not on any page" for w in sorted(r.source.vocab - on_page)]
    for lines in r.blocks:
        for line in lines:
            w_pt, h_pt, _ = r.sizes[line.page - 1]
            for text, x0, y0, x1, y1 in line.words:
                if x0 < 28 or y0 < 28 or x1 > w_pt - 28 or y1 > h_pt - 28:
                    bad.append(f"p.{line.page}: «{text}» at ({x0:.0f},{y0:.0f})-({x1:.0f},{y1:.0f}) is off the sheet")
    return bad


def has_phrase(text: str, phrase: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text) is not None


def template_words(lang: str) -> set[str]:
    """Words of the template in ``lang`` that the other language's template does not use."""
    own = {w for kind in HEADINGS.values() for h in kind[lang] for w in words(h)}
    other = {w for kind in HEADINGS.values() for h in kind["kk" if lang == "ru" else "ru"] for w in words(h)}
    return own - other


# --------------------------------------------------------------------------- building the documents

class Cli:
    def __init__(self, tmp: Path):
        tmp.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "LEXPERT_HOME": str(tmp / "home"),
                    "LEXPERT_DATABASE_URL": f"sqlite:///{tmp / 'record.db'}", "LEXPERT_USER": "expert1"}
        self.env.pop("LEXPERT_DETECTOR", None)

    def __call__(self, *args: str) -> str:
        r = subprocess.run([sys.executable, "-m", "lexpert", *args], capture_output=True, text=True, env=self.env,
                           timeout=600, cwd=ROOT)
        assert r.returncode == 0, (args, r.stdout[-2000:], r.stderr[-2000:])
        return r.stdout


RECORD = {   # draft metadata and the expert of each language's record
    "ru": dict(agency="Министерство сельского хозяйства Республики Казахстан", sphere="agriculture_subsidies",
               expert="А. Б. Иванова", reason="не является коррупциогенным фактором",
               rec=("Установить исчерпывающий перечень оснований и конкретный срок принятия решения",
                    "Предусмотреть срок рассмотрения и порядок обжалования решения")),
    "kk": dict(agency="Қазақстан Республикасы Ауыл шаруашылығы министрлігі", sphere="land",
               expert="Ә. Б. Сәрсенбаева", reason="сыбайлас жемқорлық факторы емес",
               rec=("Негіздердің толық тізбесін және шешім қабылдаудың нақты мерзімін белгілеу",
                    "Өтінішті қарау мерзімін және шешімге шағымдану тәртібін көздеу")),
}


def build_conclusions(cli: Cli, tmp: Path) -> dict[str, Path]:
    """A record per sample draft: every third finding confirmed with a recommendation (and a draft
    conclusion while the rest is pending), then the rest rejected, a second recommendation, the
    expertise completed and the conclusion issued."""
    cli("db-upgrade")
    out = {}
    for day, lang in enumerate(("ru", "kk"), 1):
        m = RECORD[lang]
        added = cli("draft", "add", str(SAMPLES / f"sample_{lang}.txt"), "--agency", m["agency"],
                    "--sphere", m["sphere"], "--kind", "order", "--at", f"2026-01-1{day}")
        draft = re.match(r"draft (\d+):", added).group(1)
        at = ("--at", f"2026-01-2{day}")
        found = json.loads(cli("finding", "list", draft, "--format", "json"))
        assert len(found) >= 6, found
        ids = [str(f["id"]) for f in found]
        confirm = ids[::3][:6]
        cli("finding", "confirm", *confirm, *at)
        cli("rec", "add", draft, "--text", m["rec"][0], "--kind", "close_list", "--finding", confirm[0], *at)
        out[f"draft_conclusion_{lang}"] = pending = tmp / f"draft_conclusion_{lang}.docx"
        cli("draft", "conclusion", draft, "-o", str(pending), "--draft", "--expert", m["expert"])
        cli("finding", "reject", *[i for i in ids if i not in confirm], "--reason", m["reason"], *at)
        cli("rec", "add", draft, "--text", m["rec"][1], "--kind", "add_deadline", "--finding", confirm[1], *at)
        cli("draft", "complete", draft, *at)
        out[f"conclusion_{lang}"] = tmp / f"conclusion_{lang}.docx"
        cli("draft", "conclusion", draft, "-o", str(out[f"conclusion_{lang}"]), "--expert", m["expert"])
    return out


def build_reports(cli: Cli, tmp: Path) -> dict[str, Path]:
    drafts = tmp / "drafts"
    drafts.mkdir()
    with (drafts / "manifest.jsonl").open("w", encoding="utf-8") as fh:
        for rid, (text, meta) in BATCH.items():
            shutil.copy(text, drafts / f"{rid}.txt")
            m = json.loads(meta.read_text(encoding="utf-8"))
            row = {"id": rid, "path": f"{rid}.txt", **{k: m[k] for k in ("title", "agency", "sphere", "kind", "date",
                                                                         "lang") if m.get(k)}}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        (drafts / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
        fh.write(json.dumps({"id": "broken", "path": "broken.pdf", "agency": "Акимат города Астаны"},
                            ensure_ascii=False) + "\n")
    cli("batch", str(drafts / "manifest.jsonl"), "-o", str(tmp / "out"), "--workers", "2", "--no-progress")
    out = {}
    for lang in ("ru", "kk"):
        out[f"report_{lang}"] = tmp / f"report_{lang}.docx"
        cli("monitoring-report", str(tmp / "out"), "-o", str(out[f"report_{lang}"]), "--lang", lang,
            "--period", "01.01.2026..31.12.2026", "--plots", str(tmp / f"plots_{lang}"))
        # the same form from the record of build_conclusions: the factors the experts confirmed
        out[f"record_report_{lang}"] = tmp / f"record_report_{lang}.docx"
        cli("monitoring-report", "--record", "--from", "01.01.2026", "--to", "2026-12-31", "--lang", lang,
            "-o", str(out[f"record_report_{lang}"]))
    return out


@functools.lru_cache(maxsize=None)
def data_words(lang: str) -> frozenset[str]:
    """Words of the batch's drafts in ``lang`` (text, metadata and the locators of their norms, as
    «2-тарау, 5-тармақ»): a report may quote them."""
    from lexpert import analyze

    ws: set[str] = set()
    for text, meta in BATCH.values():
        m = json.loads(meta.read_text(encoding="utf-8"))
        if m.get("lang") == lang:
            ws.update(words(text.read_text(encoding="utf-8")), words(" ".join(str(v) for v in m.values())))
            ws.update(w for n in analyze(text).norms for w in words(n.locator))
    return frozenset(ws)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Rendered]:
    _need_tools()
    tmp = tmp_path_factory.mktemp("pages")
    cli = Cli(tmp / "lexpert")
    docs = {**build_conclusions(cli, tmp), **build_reports(cli, tmp)}
    assert set(docs) == set(DOCS)
    res = render_all(docs, tmp / "rendered", tmp / "lo-profile")
    PAGES_OUT.mkdir(parents=True, exist_ok=True)
    for name, r in res.items():
        for old in PAGES_OUT.glob(f"{name}-*.png"):
            old.unlink()
        for i, png in enumerate(r.pngs, 1):
            shutil.copy(png, PAGES_OUT / f"{name}-{i}.png")
    return res


# --------------------------------------------------------------------------- the tests

@pytest.mark.parametrize("name", DOCS)
def test_every_page_is_a4_portrait(rendered, name):
    r = rendered[name]
    assert r.sizes, f"{name}: no pages"
    for i, (w, h, rot) in enumerate(r.sizes, 1):
        assert abs(w - A4_PT[0]) <= 2 and abs(h - A4_PT[1]) <= 2 and rot % 180 == 0, \
            f"{name} page {i}: {w:.1f} x {h:.1f} pt, rotated {rot} (A4 portrait is 595.3 x 841.9)"
    assert len(r.pngs) == len(r.sizes), (name, [p.name for p in r.pngs])
    for png in r.pngs:
        pw, ph = png_size(png)
        assert ph > pw and abs(ph / pw - A4_PT[1] / A4_PT[0]) < 0.02, f"{png.name}: {pw} x {ph} px"


@pytest.mark.parametrize("name", DOCS)
def test_language_of_the_page(rendered, name):
    kind, lang, _ = DOCS[name]
    other = "kk" if lang == "ru" else "ru"
    r = rendered[name]
    letters = [c for c in r.text if c.isalpha()]
    cyr = [c for c in letters if "CYRILLIC" in unicodedata.name(c, "")]
    assert len(cyr) >= 0.9 * len(letters), f"{name}: {len(cyr)} of {len(letters)} letters are Cyrillic"
    missing = [h for h in HEADINGS[kind][lang] if not has_phrase(r.text, h)]
    assert not missing, f"{name}: its own headings are not on the page: {missing}"
    foreign = [h for h in HEADINGS[kind][other] if has_phrase(r.text, h)]
    assert not foreign, f"{name}: headings of the other language: {foreign}"
    kk_in = sum(c in KK_LETTERS for c in cyr)
    if lang == "kk":
        assert any(c in KK_LETTERS for h in HEADINGS[kind]["kk"] for c in h)      # the template's own letters
        assert kk_in >= 0.03 * len(cyr), f"{name}: {kk_in} Kazakh letters of {len(cyr)}"
    # words of the other template may appear only where the document quotes drafts in that language
    allowed = data_words(other) if kind == "report" else set()
    page_words = set(words(r.text))
    leaked = (page_words & template_words(other)) - allowed
    assert not leaked, f"{name}: words of the {other} template: {sorted(leaked)}"
    if lang == "ru":      # (fragments of a broken word are the split test's: only whole words here)
        kk_words = {w for w in page_words & r.source.vocab if set(w) & KK_LETTERS}
        assert kk_words <= allowed, f"{name}: Kazakh words outside quoted data: {sorted(kk_words - allowed)[:20]}"


@pytest.mark.parametrize("name", DOCS)
def test_no_detector_vocabulary_on_the_page(rendered, name):
    """The detector's label on a model-only rationale is not a word for an official document."""
    said = [n for n in MODEL_NOTES if n in rendered[name].text]
    assert not said, f"{name} says {said}"


@pytest.mark.parametrize("name", DOCS)
def test_no_word_is_split_mid_word(rendered, name):
    bad = split_words(rendered[name])
    assert not bad, f"{name}: {len(bad)} broken words, e.g.\n" + "\n".join(bad[:25])


@pytest.mark.parametrize("name", DOCS)
def test_nothing_is_cut_off(rendered, name):
    bad = cut_off(rendered[name])
    assert not bad, f"{name}:\n" + "\n".join(bad[:25])


@pytest.mark.parametrize("name", [n for n, (k, _, _) in DOCS.items() if k == "conclusion"])
def test_a_conclusion_with_findings_never_says_not_found(rendered, name):
    _, lang, state = DOCS[name]
    r = rendered[name]
    assert NOT_FOUND[lang] not in r.text, f"{name} says «{NOT_FOUND[lang]}»"
    assert (DRAFT_MARK[lang] in r.text) == (state == "pending"), name
    assert has_phrase(r.text, TOTALS[state][lang]), f"{name}: no «{TOTALS[state][lang]}»"
    other = "final" if state == "pending" else "pending"
    assert not has_phrase(r.text, TOTALS[other][lang]), f"{name} says «{TOTALS[other][lang]}»"
    assert RECORD[lang]["expert"] in r.text, f"{name}: the expert's name is not on the signature line"


def test_checker_catches_a_mid_word_split(tmp_path):
    """The split check on a table whose first column (1.5 cm) is narrower than its words: it
    must flag them; the same words in a wide column and in a paragraph pass."""
    _need_tools()
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm, Pt

    long_words = ("сельскохозяйственными товаропроизводителями государственной перерегистрации "
                  "жауапкершіліктерінің мемлекеттік")

    def write(path: Path, first_cm: float) -> Path:
        d = docx.Document()
        s = d.sections[0]
        s.page_width, s.page_height = Cm(21.0), Cm(29.7)
        s.left_margin, s.right_margin = Cm(3.0), Cm(1.5)
        d.styles["Normal"].font.name = "Times New Roman"
        d.styles["Normal"].font.size = Pt(12)
        d.add_paragraph("Распределение субсидий: " + long_words)
        t = d.add_table(rows=2, cols=2)
        t.style = "Table Grid"
        t.autofit = False
        t.alignment = WD_TABLE_ALIGNMENT.LEFT
        for col, cm in zip(t.columns, (first_cm, 16.5 - first_cm)):
            col.width = Cm(cm)                           # the grid LibreOffice lays the table out by
            for c in col.cells:
                c.width = Cm(cm)
        t.cell(0, 0).text, t.cell(0, 1).text = "Норма", "Обоснование"
        t.cell(1, 0).text, t.cell(1, 1).text = long_words, "решение по усмотрению органа"
        d.save(str(path))
        return path

    res = render_all({"narrow": write(tmp_path / "narrow.docx", 1.5), "wide": write(tmp_path / "wide.docx", 8.0)},
                     tmp_path / "out", tmp_path / "lo-profile")
    narrow = split_words(res["narrow"])
    assert narrow, "a 1.5 cm column of long words passed the split check"
    assert any("is no word of the document" in b for b in narrow), narrow
    assert split_words(res["wide"]) == [], split_words(res["wide"])
    assert cut_off(res["wide"]) == [] and cut_off(res["narrow"]), "the wide table is whole; the narrow one is not"
