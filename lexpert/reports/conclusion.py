"""The expertise conclusion as a DOCX, in the act's language (Russian or Kazakh).

Details of the draft and its developer body; a table of the corruption norms (structural
unit, quoted norm, factor, rationale, recommendation) from the confirmed findings; totals
by factor family; the expert's name and the date.
"""
from __future__ import annotations

import datetime as dt
import io

import re

from ..expertise.db.models import Draft
from ..errors import LexpertError
from ..taxonomy import FAMILIES, load_taxonomy, sphere_name
from ..data import strings


class ConclusionError(LexpertError):
    """The conclusion cannot be issued yet (findings still pending)."""

    code = "conclusion"
    http_status = 409


# the detector's own label on a model-only rationale: not words for an official document
_MODEL_NOTE = re.compile(r"\s*\((?:оценка модели|модельдің бағасы)\)")
# column widths of the table of corruption norms on A4 portrait (cm; 16.5 cm between the margins)
COL_CM = (0.8, 2.6, 5.0, 2.8, 2.7, 2.6)

TEXT = strings("conclusion")["text"]


KINDS = strings("conclusion")["kinds"]


def kind_name(kind: str | None, lang: str) -> str:
    if not kind:
        return "—"
    names = KINDS.get(kind)
    return names[1 if lang == "kk" else 0] if names else kind


def conclusion_docx(draft: Draft, expert: str | None = None, date: dt.date | None = None,
                    allow_pending: bool = False) -> bytes:
    """The conclusion of the draft's first version as DOCX bytes. While findings are pending it
    is refused (:class:`ConclusionError`), or with ``allow_pending`` written as a draft
    conclusion, marked as such at its head and its end; never «не выявлены» of what nobody
    has reviewed."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    tax = load_taxonomy()
    lang = "kk" if draft.lang == "kk" else "ru"
    w = TEXT[lang]
    v = draft.versions[0]
    pending = [f.id for f in v.findings if f.decision == "pending"]
    if pending and not allow_pending:
        raise ConclusionError(f"draft {draft.id}: {len(pending)} findings are still pending; confirm or reject them "
                              f"before the conclusion is issued (or ask for a marked draft conclusion)")
    confirmed = [f for f in v.findings if f.decision == "confirmed"]
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)          # A4 portrait, as official documents are
    sec.left_margin, sec.right_margin = Cm(3.0), Cm(1.5)
    sec.top_margin = sec.bottom_margin = Cm(2.0)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    if pending:
        r = doc.add_paragraph().add_run(w["unfinished"].format(n=len(pending)))
        r.bold = True
    for text, bold in ((w["title"], True), (w["subtitle"], True)):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = p.add_run(text)
        r.bold = bold
    doc.add_heading(w["details"], level=2)
    details = [(w["name"], draft.title), (w["kind"], kind_name(draft.kind, lang)), (w["agency"], draft.agency or "—"),
               (w["sphere"], sphere_name(draft.sphere, lang) if draft.sphere else "—"), (w["version"], f"{v.number} ({v.source_name or ''})"),
               (w["received"], f"{v.created_at:%d.%m.%Y}")]
    if draft.portal_url:
        details.append((w["url"], draft.portal_url))
    t = doc.add_table(rows=0, cols=2)
    t.style = "Table Grid"
    for k, val in details:
        row = t.add_row().cells
        row[0].text, row[1].text = k, str(val)
    doc.add_heading(w["table"], level=2)
    if not confirmed:
        doc.add_paragraph(w["none"] if not pending else w["unfinished_end"].format(n=0, p=len(pending)))
    else:
        table = doc.add_table(rows=1, cols=len(w["cols"]))
        table.style = "Table Grid"
        table.autofit = False
        for cell, name in zip(table.rows[0].cells, w["cols"]):
            cell.text = name
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for i, f in enumerate(confirmed, 1):
            recs = [r.text for r in f.recommendations] or [f.suggestion or ""]
            row = table.add_row().cells
            row[0].text = str(i)
            row[1].text = f.locator
            row[2].text = f"«{f.norm_text}»"
            row[3].text = f"{tax[f.code].name(lang)} ({f.code})"
            row[4].text = _MODEL_NOTE.sub("", f.reason or "")
            row[5].text = "\n".join(recs)
        for col, cm in zip(table.columns, COL_CM):           # widths that fit what each column holds
            for cell in col.cells:
                cell.width = Cm(cm)
                for para in cell.paragraphs:
                    for run in para.runs:
                        run.font.size = Pt(10)
    counts = {fam: sum(f.family == fam for f in confirmed) for fam in FAMILIES}
    doc.add_paragraph()
    p = doc.add_paragraph()
    p.add_run(f"{w['totals']}: {len(confirmed)}").bold = True
    if confirmed:
        doc.add_paragraph(f"{w['by_family']}: " + "; ".join(
            f"{tax.family_name(fam, lang)} — {n}" for fam, n in counts.items() if n))
    if pending:
        doc.add_paragraph(w["unfinished_end"].format(n=len(confirmed), p=len(pending)))
    else:
        doc.add_paragraph(w["conclusion_yes"].format(n=len(confirmed)) if confirmed else w["conclusion_no"])
    doc.add_paragraph()
    doc.add_paragraph(f"{w['expert']}: ____________________ {w['signature']}   {expert or '____________________'}")
    doc.add_paragraph(f"{w['date']}: {(date or dt.date.today()):%d.%m.%Y}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
