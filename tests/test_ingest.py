import io
import zipfile

import pytest

from lexpert import analyze
from lexpert.settings import Limits
from lexpert.errors import (ArchiveBomb, DocumentTooLarge, EmptyDocument, EncryptedDocument, UnreadableDocument,
                            UnsupportedFormat)
from lexpert.ingest import read_bytes, read_path

from .docgen import make_docx, make_scanned_pdf, make_text_pdf

SMALL_DRAFT = """Об утверждении Правил выдачи разрешения на вырубку деревьев

Приказ Министра экологии и природных ресурсов Республики Казахстан от 3 марта 2025 года № 41.

В соответствии с подпунктом 2) статьи 5 Лесного кодекса Республики Казахстан ПРИКАЗЫВАЮ:

1. Утвердить прилагаемые Правила выдачи разрешения на вырубку деревьев.

2. Настоящий приказ вводится в действие по истечении десяти календарных дней после дня его первого официального опубликования.

Утверждены приказом Министра экологии и природных ресурсов
Республики Казахстан
от 3 марта 2025 года № 41

Правила выдачи разрешения на вырубку деревьев

Глава 1. Общие положения

1. Настоящие Правила определяют порядок выдачи разрешения на вырубку деревьев.

2. Разрешение выдается местным исполнительным органом в течение десяти рабочих дней.

Глава 2. Порядок выдачи разрешения

3. Заявитель представляет заявление, копию правоустанавливающего документа, а также иные документы по требованию уполномоченного органа.

4. Уполномоченный орган вправе по своему усмотрению продлить срок рассмотрения заявления.

5. В выдаче разрешения может быть отказано в иных случаях.

6. Решение уполномоченного органа является окончательным и обжалованию не подлежит.
"""


def _fingerprint(report):
    return sorted((f.locator, f.code) for f in report.findings)


@pytest.fixture(scope="module")
def txt_report(tmp_path_factory):
    p = tmp_path_factory.mktemp("d") / "draft.txt"
    p.write_text(SMALL_DRAFT, encoding="utf-8")
    return analyze(p)


def test_txt_baseline_has_findings(txt_report):
    codes = {f.code for f in txt_report.findings}
    assert {"burden.requirements", "discretion.broad", "discretion.may", "burden.refusal", "gap.control"} <= codes


def test_docx_with_auto_numbering_matches_txt(tmp_path, txt_report):
    rep = analyze(make_docx(SMALL_DRAFT, tmp_path / "draft.docx"))
    assert rep.format == "docx"
    assert "ПРОЕКТ" not in rep.text                     # the running header is not body text
    assert [n.locator for n in rep.norms if n.kind == "point"][:8] == \
        [n.locator for n in txt_report.norms if n.kind == "point"][:8]
    assert _fingerprint(rep) == _fingerprint(txt_report)


def test_text_pdf_matches_txt(tmp_path, txt_report):
    rep = analyze(make_text_pdf(SMALL_DRAFT, tmp_path / "draft.pdf"))
    assert rep.format == "pdf"
    assert "Проект нормативного правового акта" not in rep.text   # running header removed
    assert [n.locator for n in rep.norms if n.kind == "point"] == [n.locator for n in txt_report.norms if n.kind == "point"]
    assert _fingerprint(rep) == _fingerprint(txt_report)


def test_scanned_pdf_goes_through_ocr(tmp_path, txt_report):
    rep = analyze(make_scanned_pdf(SMALL_DRAFT, tmp_path / "scan.pdf"))
    assert rep.format == "pdf-ocr"
    assert [n.locator for n in rep.norms if n.kind == "point"] == [n.locator for n in txt_report.norms if n.kind == "point"]
    assert _fingerprint(rep) == _fingerprint(txt_report)


def test_encodings(tmp_path):
    text = "Уәкілетті орган қажет болған жағдайда тексеру жүргізеді."
    for enc in ("utf-16", "utf-16-le"):
        doc = read_bytes(text.encode(enc), "a.txt")
        assert doc.text.strip() == text
    ru = "1. Уполномоченный орган вправе отказать в выдаче разрешения."
    doc = read_bytes(ru.encode("cp1251"), "b.txt")
    assert doc.text == ru and doc.encoding == "cp1251"


def test_html(tmp_path):
    html = "<html><head><title>Проект</title><script>x()</script></head><body><nav>меню</nav>" \
           "<p>1. Уполномоченный орган вправе по своему усмотрению продлить срок.</p><p>2. Текст.</p></body></html>"
    rep = analyze(html.encode("utf-8"), name="draft.html")
    assert rep.format == "html" and "меню" not in rep.text
    assert "discretion.broad" in {f.code for f in rep.findings}


def test_bad_inputs_raise_one_line_errors(tmp_path):
    with pytest.raises(EmptyDocument):
        read_bytes(b"   \n", "empty.txt")
    with pytest.raises(UnreadableDocument):
        read_bytes(b"%PDF-1.7\n garbage that is not a pdf", "broken.pdf")
    with pytest.raises(UnsupportedFormat):
        read_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.doc")
    with pytest.raises(UnsupportedFormat):
        read_bytes(bytes(range(256)) * 20, "tool.exe")
    with pytest.raises(DocumentTooLarge):
        read_bytes(b"x" * 2000, "big.txt", Limits(max_bytes=1000))
    with pytest.raises(UnreadableDocument):
        read_path(tmp_path / "missing.txt")
    with pytest.raises(UnreadableDocument):
        read_bytes(b"PK\x03\x04 truncated zip", "broken.docx")


def test_encrypted_pdf(tmp_path):
    p = make_text_pdf(SMALL_DRAFT, tmp_path / "secret.pdf", password="s3cret")
    with pytest.raises(EncryptedDocument) as ei:
        read_path(p)
    assert "password" in str(ei.value) and "\n" not in str(ei.value)


def test_zip_bomb_posing_as_docx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\x00" * (30 * 1024 * 1024))
    data = buf.getvalue()
    assert len(data) < 200_000
    with pytest.raises(ArchiveBomb):
        read_bytes(data, "bomb.docx")


def test_page_limit(tmp_path):
    p = make_text_pdf(SMALL_DRAFT * 3, tmp_path / "long.pdf")
    with pytest.raises(DocumentTooLarge):
        read_path(p, Limits(max_pages=1))


LONG_DRAFT = "\n\n".join([
    "Об утверждении Правил предоставления субсидий субъектам агропромышленного комплекса",
    "Приказ Министра сельского хозяйства Республики Казахстан от 5 мая 2025 года № 120.",
    "Правила предоставления субсидий",
    "Глава 1. Общие положения",
    *[f"{i}. Местный исполнительный орган области в течение {i + 4} рабочих дней со дня поступления "
      "заявки рассматривает представленные документы на предмет их полноты и соответствия "
      "требованиям настоящих Правил, риск-ориентированной системы оценки и условиям "
      "программы, а также направляет заявителю уведомление о принятом решении через "
      "информационную систему субсидирования." for i in range(1, 40)],
])


def test_pdf_paragraphs_wrapped_over_lines_and_pages_read_as_in_the_text(tmp_path):
    # each point wraps over three or four lines and some run over a page break: PDFium's
    # character boxes put every point back on one line, as the text file has it
    txt = analyze(LONG_DRAFT.encode(), name="draft.txt")
    rep = analyze(make_text_pdf(LONG_DRAFT, tmp_path / "long.pdf", spacing=4))
    assert rep.format == "pdf" and rep.pages >= 4
    assert "\ufffe" not in rep.text and "Проект нормативного правового акта" not in rep.text
    points = [" ".join(n.text.split()) for n in rep.norms if n.kind == "point"]
    assert points == [" ".join(n.text.split()) for n in txt.norms if n.kind == "point"]
    assert len(points) == 39
    assert sorted((f.code, f.evidence) for f in rep.findings) == sorted((f.code, f.evidence) for f in txt.findings)


def test_ocr_renders_a_giant_page_within_the_pixel_budget(tmp_path):
    # a 14,400 pt page without a text layer: rendered at 300 dpi it would be a 3.6-gigapixel
    # bitmap; lexpert renders it within LEXPERT_MAX_OCR_PIXELS and says so
    from PIL import Image, ImageDraw, ImageFont

    from .docgen import FONT

    img = Image.new("L", (2000, 2000), 255)
    ImageDraw.Draw(img).text((100, 900), "Уполномоченный орган вправе отказать", font=ImageFont.truetype(FONT, 90), fill=0)
    buf = io.BytesIO()
    img.save(buf, format="PDF", resolution=10)          # 200 inches a side
    doc = read_bytes(buf.getvalue(), "giant.pdf", Limits(max_ocr_pixels=4_000_000))
    assert doc.format == "pdf-ocr"
    assert any("rendered at" in w and "LEXPERT_MAX_OCR_PIXELS" in w for w in doc.warnings)
    assert "Уполномоченный орган" in doc.text
