"""Build real .docx and .pdf files (text layer and image-only) from a draft's text, for tests."""
from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
_POINT = re.compile(r"^(\d+)\.\s+(.*)$")


def make_docx(text: str, path: Path, auto_numbering: bool = True) -> Path:
    """Paragraphs of ``text`` as a Word document; top-level points of the annex use Word's
    automatic numbering («List Number»), as ministries' drafts often do, plus one table."""
    import docx

    d = docx.Document()
    section = d.sections[0]
    section.header.paragraphs[0].text = "ПРОЕКТ"          # a running header the reader must skip
    in_annex = False
    for line in text.split("\n"):
        if not line.strip():
            continue
        if line.startswith("Глава 1") or line.startswith("1-тарау"):
            in_annex = True
        m = _POINT.match(line)
        if auto_numbering and in_annex and m:
            d.add_paragraph(m.group(2), style="List Number")
        else:
            d.add_paragraph(line)
    t = d.add_table(rows=1, cols=2)
    t.rows[0].cells[0].text = "Исполнитель"
    t.rows[0].cells[1].text = "Департамент"
    d.save(path)
    return path


def make_text_pdf(text: str, path: Path, password: str | None = None, spacing: float = 14) -> Path:
    """A PDF with a text layer, running header and page numbers on every page (spread over
    several pages, so the header repeats as it does in a real draft): lexpert's own printer
    of drafts (`lexpert bench analyze` uses it), 7 mm lines and ``spacing`` mm between paragraphs."""
    from lexpert.training.bench_analyze import act_pdf

    return act_pdf(text, path, head="Проект нормативного правового акта", line_mm=7, gap_mm=spacing,
                   password=password, font=FONT)


def make_scanned_pdf(text: str, path: Path, dpi: int = 200) -> Path:
    """An image-only PDF (no text layer): each page a rendered picture of the text."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, size=int(dpi * 11 / 72))
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    margin = int(0.8 * dpi)
    line_h = int(font.size * 1.5)
    chars = int((width - 2 * margin) / (font.size * 0.55))
    lines: list[str] = []
    for para in text.split("\n"):
        if para.strip():
            lines.extend(textwrap.wrap(para, chars) or [""])
            lines.append("")
    pages, y, page = [], margin, None
    for ln in lines:
        if page is None or y + line_h > height - margin:
            page = Image.new("L", (width, height), 255)
            pages.append(page)
            y = margin
        ImageDraw.Draw(page).text((margin, y), ln, font=font, fill=0)
        y += line_h
    buf = io.BytesIO()
    pages[0].save(buf, format="PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    path.write_bytes(buf.getvalue())
    return path
