"""Page layout of lexpert's DOCX documents: A4 portrait, official styles, tables that fit.

A table of python-docx's ``add_table`` gets equal columns, and LibreOffice lays it out by its
grid (``w:tblGrid``), Word by each cell's ``w:tcW``: a narrow column of long Russian or Kazakh
words then breaks them inside. :func:`fit_table` sets both from the printed width of each
column's longest unbreakable word (Times New Roman advance widths, ``data/times_widths.json``,
measured once on Liberation Serif, which has Times New Roman's metrics), falling back to a
smaller type size when the longest words do not fit side by side.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache

from ..data import DATA

TEXT_CM = 16.5           # A4 portrait between margins of 3.0 and 1.5 cm
PAD_CM = 0.3             # the cell margins set by narrow_cell_margins (2 x 0.1 cm) and a little air
_BREAK = re.compile(r"\s+|(?<=-)")          # a line may break at a space or after a hyphen
# the detector's own label on a model-only rationale: not words for an official document
_MODEL_NOTE = re.compile(r"\s*\((?:оценка модели|модельдің бағасы)\)")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@lru_cache(maxsize=None)
def _widths() -> dict[str, dict[str, float]]:
    """Advance widths (em) of Times New Roman, regular and bold, for Russian and Kazakh letters,
    Latin letters, digits and punctuation."""
    return json.loads((DATA / "times_widths.json").read_text(encoding="utf-8"))


def word_cm(word: str, pt: float, bold: bool = False) -> float:
    """The printed width of ``word`` (cm) with 5% to spare; a character not in the table counts 1 em."""
    w = _widths()["bold" if bold else "regular"]
    return 1.05 * sum(w.get(c, 1.0) for c in word) * pt / 72 * 2.54


def longest_word_cm(cells: list[tuple[str, bool]], pt: float) -> float:
    """The widest unbreakable word of a column's cells (text, bold), in cm."""
    return max((word_cm(w, pt, bold) for text, bold in cells for w in _BREAK.split(text) if w), default=0.0)


def fit_widths(columns: list[list[tuple[str, bool]]], base_cm, pt: float,
               total_cm: float = TEXT_CM) -> list[float] | None:
    """Column widths (cm) from ``base_cm`` (summing to ``total_cm``) that give every column room
    for its longest word; the room comes from the columns with slack. None when the longest
    words alone do not fit the page at ``pt``."""
    need = [longest_word_cm(cells, pt) + PAD_CM for cells in columns]
    if sum(need) > total_cm:
        return None
    widths = [max(b, n) for b, n in zip(base_cm, need)]
    over = sum(widths) - total_cm
    if over <= 0:
        return widths
    slack = [w - n for w, n in zip(widths, need)]
    return [w - over * s / sum(slack) for w, s in zip(widths, slack)]


def set_widths(table, widths_cm) -> None:
    """Fixed column widths that both Word (``w:tcW`` of every cell) and LibreOffice (``w:tblGrid``) use."""
    from docx.shared import Cm

    table.autofit = False
    for col, cm in zip(table.columns, widths_cm):
        col.width = Cm(cm)
        for cell in col.cells:
            cell.width = Cm(cm)


def repeat_header(table) -> None:
    """The header row is repeated on every page the table runs on."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(el)


def narrow_cell_margins(table, cm: float = 0.1) -> None:
    """Left and right cell margins of ``cm`` (Table Grid's are 0.19 cm): more room for words."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    mar = tbl_pr.find(qn("w:tblCellMar"))
    if mar is None:
        mar = OxmlElement("w:tblCellMar")
        look = tbl_pr.find(qn("w:tblLook"))          # the schema's order: tblCellMar comes before tblLook
        if look is not None:
            look.addprevious(mar)
        else:
            tbl_pr.append(mar)
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(round(cm / 2.54 * 1440)))
        el.set(qn("w:type"), "dxa")
        mar.append(el)


def fit_table(table, base_cm, pt: float, header: bool = True, total_cm: float = TEXT_CM,
              smaller=(9.5, 9.0, 8.0)) -> float:
    """Fit ``table`` to the text width so that no word is broken inside: cell margins of 0.1 cm,
    column widths from ``base_cm`` widened for each column's longest word, at ``pt`` or, when
    the longest words do not fit side by side, the largest of ``smaller`` at which they do (set
    on every run of the table). With ``header`` the first row is bold and repeats on each page.
    Returns the type size used."""
    from docx.shared import Pt

    narrow_cell_margins(table)
    cols = [[(row.cells[j].text, header and i == 0) for i, row in enumerate(table.rows)]
            for j in range(len(table.columns))]
    widths = None
    for size in (pt, *smaller):
        widths = fit_widths(cols, base_cm, size, total_cm)
        if widths:
            break
    if widths is None:      # a word longer than any column can be: the smallest size, room in proportion
        need = [longest_word_cm(c, size) + PAD_CM for c in cols]
        widths = [total_cm * n / sum(need) for n in need]
    set_widths(table, widths)
    if header:
        repeat_header(table)
    for i, row in enumerate(table.rows):
        for cell in row.cells:
            for para in cell.paragraphs:
                for run in para.runs:
                    run.font.size = Pt(size)
                    if header and i == 0:
                        run.bold = True
    return size


def official_styles(doc, pt: float = 12) -> None:
    """Times New Roman throughout, headings black in the body font (python-docx's default
    template makes them blue Calibri)."""
    from docx.shared import Pt, RGBColor

    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(pt)
    for name in ("Title", "Heading 1", "Heading 2"):
        st = doc.styles[name]
        st.font.name = "Times New Roman"
        st.font.color.rgb = RGBColor(0, 0, 0)
        fonts = st.element.get_or_add_rPr().find(f"{_W}rFonts")
        if fonts is not None:                     # the theme fonts win over w:ascii otherwise
            for a in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
                fonts.attrib.pop(f"{_W}{a}", None)
    doc.styles["Title"].font.size = Pt(16)
    doc.styles["Heading 1"].font.size = Pt(14)
    doc.styles["Heading 2"].font.size = Pt(13)


def a4(doc) -> None:
    """A4 portrait with the margins of official documents (left 3 cm, right 1.5 cm, 2 cm top and bottom)."""
    from docx.shared import Cm

    for sec in doc.sections:
        sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
        sec.left_margin, sec.right_margin = Cm(3.0), Cm(1.5)
        sec.top_margin = sec.bottom_margin = Cm(2.0)


def official_wording(reason: str | None) -> str:
    """A finding's rationale as an official document prints it: without the detector's own label."""
    return _MODEL_NOTE.sub("", reason or "")
