"""The expertise conclusion as a DOCX, in the act's language (Russian or Kazakh).

Details of the draft and its developer body; a table of the corruption norms (structural
unit, quoted norm, factor, rationale, recommendation) from the confirmed findings; totals
by factor family; the expert's name and the date.
"""
from __future__ import annotations

import datetime as dt
import io

from ..expertise.db.models import Draft
from ..errors import LexpertError
from ..taxonomy import FAMILIES, load_taxonomy, sphere_name
from ..data import strings
from .docx_layout import a4, fit_table, official_styles, official_wording


class ConclusionError(LexpertError):
    """The conclusion cannot be issued yet (findings still pending)."""

    code = "conclusion"
    http_status = 409


# starting column widths of the table of corruption norms on A4 portrait (cm; 16.5 cm between the
# margins): fit_table widens a column for its longest word, taking the room from the others
COL_CM = (0.8, 2.4, 4.6, 2.6, 2.7, 3.4)

TEXT = strings("conclusion")["text"]


KINDS = strings("conclusion")["kinds"]


def kind_name(kind: str | None, lang: str) -> str:
    if not kind:
        return "—"
    names = KINDS.get(kind)
    return names[1 if lang == "kk" else 0] if names else kind


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """The Russian form of a noun phrase after the number ``n`` (1 фактор, 2 фактора, 5 факторов)."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _count(w: dict, key: str, n: int, lang: str) -> str:
    """The phrase ``w[key]`` for the number ``n``, in the form that agrees with it (Russian has
    three; a Kazakh noun does not change after a number)."""
    forms = w[key]
    return (plural_ru(n, *forms) if lang == "ru" else forms[0]).format(n=n)


def conclusion_docx(draft: Draft, expert: str | None = None, date: dt.date | None = None,
                    allow_pending: bool = False, position: str | None = None) -> bytes:
    """The conclusion of the draft's first version as DOCX bytes: A4 portrait, the details of the
    draft, the table of corruption norms from the confirmed findings, totals, the conclusion, and
    the signature block (``position``, ``expert``) dated ``date`` or, by default, the day the
    expertise was completed. While findings are pending it is refused (:class:`ConclusionError`),
    or with ``allow_pending`` written as a draft conclusion, marked as such at its head and its
    end; never «не выявлены» of what nobody has reviewed."""
    from docx import Document

    lang = "kk" if draft.lang == "kk" else "ru"
    w = TEXT[lang]
    v = draft.versions[0]
    pending = [f.id for f in v.findings if f.decision == "pending"]
    if pending and not allow_pending:
        raise ConclusionError(f"draft {draft.id}: {len(pending)} findings are still pending; confirm or reject them "
                              f"before the conclusion is issued (or ask for a marked draft conclusion)")
    confirmed = [f for f in v.findings if f.decision == "confirmed"]
    doc = Document()
    a4(doc)
    official_styles(doc)
    _head(doc, draft, w, lang, len(pending))
    _norms(doc, confirmed, w, lang, len(pending))
    _totals(doc, confirmed, w, lang, len(pending))
    when = date or (v.expertise_completed_at.date() if v.expertise_completed_at and not pending else dt.date.today())
    _signature(doc, w, expert, position, when)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _head(doc, draft: Draft, w: dict, lang: str, pending: int) -> None:
    """The draft mark (while findings are pending), the title and the details of the draft."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    v = draft.versions[0]
    if pending:
        doc.add_paragraph().add_run(w["unfinished"].format(n=pending)).bold = True
    for text in (w["title"], w["subtitle"]):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(text).bold = True
    doc.add_heading(w["details"], level=2)
    details = [(w["name"], draft.title), (w["kind"], kind_name(draft.kind, lang)), (w["agency"], draft.agency or "—"),
               (w["sphere"], sphere_name(draft.sphere, lang) if draft.sphere else "—"),
               (w["version"], f"{v.number} ({v.source_name or ''})"), (w["received"], f"{v.created_at:%d.%m.%Y}")]
    if draft.portal_url:
        details.append((w["url"], draft.portal_url))
    t = doc.add_table(rows=0, cols=2)
    t.style = "Table Grid"
    for k, val in details:
        row = t.add_row().cells
        row[0].text, row[1].text = k, str(val)
    fit_table(t, (5.5, 11.0), 12, header=False)


def _norms(doc, confirmed: list, w: dict, lang: str, pending: int) -> None:
    """The table of corruption norms: unit, quoted norm, factor, rationale, recommendation."""
    tax = load_taxonomy()
    doc.add_heading(w["table"], level=2)
    if not confirmed:
        doc.add_paragraph(w["none_yet"] if pending else w["none"])
        return
    table = doc.add_table(rows=1, cols=len(w["cols"]))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, w["cols"]):
        cell.text = name
    for i, f in enumerate(confirmed, 1):
        recs = [r.text for r in f.recommendations] or [f.recommendation or ""]
        row = table.add_row().cells
        row[0].text = str(i)
        row[1].text = f.locator
        row[2].text = f"«{f.norm_text}»"
        row[3].text = tax[f.code].name(lang)              # the factor's name; its code is the tool's, not the document's
        row[4].text = official_wording(f.reason)
        row[5].text = "\n".join(recs)
    fit_table(table, COL_CM, 10)


def _totals(doc, confirmed: list, w: dict, lang: str, pending: int) -> None:
    """Totals by factor family and the conclusion (or, while findings are pending, why there is none yet)."""
    tax = load_taxonomy()
    counts = {fam: sum(f.family == fam for f in confirmed) for fam in FAMILIES}
    doc.add_paragraph()
    doc.add_paragraph().add_run(f"{w['totals_pending' if pending else 'totals']}: {len(confirmed)}").bold = True
    if confirmed:
        doc.add_paragraph(f"{w['by_family']}: " + "; ".join(
            f"{tax.family_name(fam, lang)} — {n}" for fam, n in counts.items() if n))
    if pending:
        doc.add_paragraph(w["unfinished_end"].format(n=len(confirmed), p=pending))
    elif confirmed:
        doc.add_paragraph(w["conclusion_yes"].format(n=_count(w, "factors", len(confirmed), lang)))
    else:
        doc.add_paragraph(w["conclusion_no"])


def _signature(doc, w: dict, expert: str | None, position: str | None, when: dt.date) -> None:
    """The expert's position, signature line and name, and the date."""
    doc.add_paragraph()
    if position:
        doc.add_paragraph(position)
    doc.add_paragraph(f"{w['expert']}: ____________________ {w['signature']}   {expert or '____________________'}")
    doc.add_paragraph(f"{w['date']}: {when:%d.%m.%Y}")
