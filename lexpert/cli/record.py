"""CLI of the expertise record: the whole workflow, scriptable without the UI.

    lexpert draft add DRAFT.docx --agency "..." --sphere land --kind order
    lexpert finding list 1
    lexpert finding confirm 3 ; lexpert finding reject 4 --reason "..."
    lexpert rec add 1 --text "..." --kind add_deadline --finding 3
    lexpert draft complete 1            # expertise done: the draft now counts in KPI A
    lexpert draft conclusion 1 -o conclusion.docx
    lexpert draft adopt 1 ADOPTED.docx  # adopted text: incorporation tracked from the alignment
    lexpert kpi --from 2026-01-01 --to 2026-12-31 --by agency --format xlsx -o kpi.xlsx

The database is LEXPERT_DATABASE_URL, or an SQLite file in LEXPERT_HOME (~/.lexpert) with no setup.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

import click

from ..expertise.db.vocab import DRAFT_STATUSES, NOT_ADOPTED_REASONS, REC_KINDS, REC_STATUSES


def _session():
    from ..expertise.db import init_db, session_scope

    init_db()
    return session_scope()


_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def _when(value: str | None) -> dt.datetime | None:
    """A date or date-time as written in Kazakhstan (31.12.2026, 31.12.2026 14:30) or ISO
    (2026-12-31, 2026-12-31T14:30); anything else is one-line usage error."""
    if not value:
        return None
    m = _DMY.match(value.strip())
    try:
        if m:
            d, mo, y, h, mi, sec = m.groups()
            return dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0))
        return dt.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise click.BadParameter(f"not a date: {value!r} (use 31.12.2026 or 2026-12-31)") from exc


def _day(value: str | None) -> dt.date | None:
    when = _when(value)
    return when.date() if when else None


def _user() -> str | None:
    """``LEXPERT_USER``: the default of --actor and --expert."""
    from ..settings import get_settings

    return get_settings().user


AT = click.option("--at", "at", default=None, help="When the event happened (31.12.2026 14:30 or ISO; default now).")
BY = click.option("--actor", "--by", "actor", default=_user,
                  help="Who acts, recorded in the audit log (default: $LEXPERT_USER; --by is the old name).")


@click.group()
def draft():
    """Drafts and their versions."""


@draft.command("add")
@click.argument("file", type=click.Path(exists=False, dir_okay=False, path_type=Path))
@click.option("--title", default=None)
@click.option("--agency", default=None, help="The developer body.")
@click.option("--sphere", default=None)
@click.option("--kind", default=None, help="Kind of act: order, government_decree, akimat_resolution, law, ...")
@click.option("--url", "portal_url", default=None, help="Source URL on the open NPA portal.")
@AT
@BY
def draft_add(file, title, agency, sphere, kind, portal_url, at, actor):
    """Register a draft FILE: analyse it and store version 1 with its findings (pending review)."""
    from ..expertise.workflow import add_draft

    with _session() as s:
        d = add_draft(s, file, title=title, agency=agency, sphere=sphere, kind=kind, portal_url=portal_url,
                      actor=actor, at=_when(at))
        click.echo(f"draft {d.id}: {d.title} — {len(d.versions[0].findings)} findings pending review")


@draft.command("list")
@click.option("--agency", default=None)
def draft_list(agency):
    """List drafts with their status and counts."""
    from ..expertise.workflow import list_drafts

    with _session() as s:
        for d in list_drafts(s, agency):
            v = d.versions[0]
            c = sum(f.decision == "confirmed" for f in v.findings)
            p = sum(f.decision == "pending" for f in v.findings)
            done = v.expertise_completed_at.date().isoformat() if v.expertise_completed_at else "-"
            click.echo(f"{d.id:5d}  {d.status:16s} examined {done:10s} confirmed {c:3d} pending {p:3d}  "
                       f"{(d.agency or '')[:40]:40s} {d.title[:70]}")


@draft.command("status")
@click.argument("draft_id", type=int)
@click.argument("status", type=click.Choice(DRAFT_STATUSES))
@click.option("--reason", type=click.Choice(NOT_ADOPTED_REASONS), default=None, help="Required for not_adopted.")
@click.option("--note", default=None)
@AT
@BY
def draft_status(draft_id, status, reason, note, at, actor):
    """Set a draft's status (adopted, not_adopted with a reason, withdrawn, under_expertise)."""
    from ..expertise.workflow import set_status

    with _session() as s:
        d = set_status(s, draft_id, status, reason=reason, note=note, actor=actor, at=_when(at))
        click.echo(f"draft {d.id}: {d.status}{' (' + d.status_reason + ')' if d.status_reason else ''}")


@draft.command("complete")
@click.argument("draft_id", type=int)
@AT
@BY
def draft_complete(draft_id, at, actor):
    """Complete the expertise of the draft's first version (it then counts as examined)."""
    from ..expertise.workflow import complete_expertise

    with _session() as s:
        v = complete_expertise(s, draft_id, actor=actor, at=_when(at))
        click.echo(f"draft {draft_id}: expertise completed {v.expertise_completed_at:%Y-%m-%d %H:%M}")


@draft.command("version")
@click.argument("draft_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@AT
@BY
def draft_version(draft_id, file, at, actor):
    """Add a revised version of the draft."""
    from ..expertise.workflow import add_version

    with _session() as s:
        v = add_version(s, draft_id, file, kind="revision", actor=actor, at=_when(at))
        click.echo(f"draft {draft_id}: version {v.number} stored")


@draft.command("adopt")
@click.argument("draft_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@AT
@BY
def draft_adopt(draft_id, file, at, actor):
    """Add the adopted text; each recommendation is marked incorporated or not from the alignment."""
    from ..expertise.workflow import add_version, get
    from ..expertise.db.models import Draft

    with _session() as s:
        add_version(s, draft_id, file, kind="adopted", actor=actor, at=_when(at))
        d = get(s, Draft, draft_id)
        for r in d.recommendations:
            click.echo(f"recommendation {r.id}: {r.incorporation} ({r.incorporation_source or '-'}) — {r.text[:80]}")


@draft.command("conclusion")
@click.argument("draft_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The .docx to write.")
@click.option("--expert", default=_user, help="The expert who signs it (default: $LEXPERT_USER).")
@click.option("--position", default=None,
              help="The expert's position, printed above the signature line (e.g. «главный эксперт»).")
@click.option("--draft", "as_draft", is_flag=True,
              help="While findings are still pending, write a draft conclusion marked as unfinished "
                   "(without it the conclusion is refused until every finding is decided).")
def draft_conclusion(draft_id, output, expert, position, as_draft):
    """Export the expertise conclusion (DOCX, A4, in the act's language): the draft's details, the table of
    confirmed corruption norms with rationale and recommendation, totals by family, the expert's
    position, signature line and name, and the date the expertise was completed. Refused while
    findings are pending, unless --draft."""
    from ..reports.conclusion import conclusion_docx
    from ..expertise.db.models import Draft
    from ..expertise.workflow import get

    with _session() as s:
        output.write_bytes(conclusion_docx(get(s, Draft, draft_id), expert=expert, position=position,
                                           allow_pending=as_draft))
    click.echo(f"draft {draft_id}: conclusion written to {output}")


@draft.command("history")
@click.argument("entity", type=click.Choice(["draft", "version", "finding", "recommendation"]))
@click.argument("entity_id", type=int)
def draft_history(entity, entity_id):
    """The audit log of one record: who changed what, when, from what to what."""
    from ..expertise.workflow import history

    with _session() as s:
        for e in history(s, entity, entity_id):
            click.echo(f"{e.at:%Y-%m-%d %H:%M:%S}  {e.actor or '-':12s} {e.field:20s} {e.old!s:>14} -> {e.new}"
                       + (f"  ({e.note})" if e.note else ""))


@click.group()
def finding():
    """Findings: list, confirm, reject, add by hand."""


@finding.command("list")
@click.argument("draft_id", type=int)
@click.option("--version", "number", type=int, default=1, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def finding_list(draft_id, number, fmt):
    """Findings of a draft's version."""
    from ..expertise.db.models import Draft
    from ..expertise.workflow import get

    with _session() as s:
        d = get(s, Draft, draft_id)
        v = next((x for x in d.versions if x.number == number), None)
        if v is None:
            raise click.BadParameter(f"draft {draft_id} has no version {number}")
        items = [{"id": f.id, "locator": f.locator, "code": f.code, "score": f.score, "source": f.source,
                  "evidence": f.evidence, "decision": f.decision, "reason": f.reason} for f in v.findings]
        if fmt == "json":
            click.echo(json.dumps(items, ensure_ascii=False, indent=1))
        else:
            for f in items:
                click.echo(f"{f['id']:6d}  {f['decision']:9s} {f['code']:22s} {f['locator'][:45]:45s} «{(f['evidence'] or '')[:50]}»")


@finding.command("confirm")
@click.argument("finding_ids", type=int, nargs=-1, required=True)
@AT
@BY
def finding_confirm(finding_ids, at, actor):
    """Confirm findings (they count in KPI A)."""
    from ..expertise.workflow import decide

    with _session() as s:
        for i in finding_ids:
            decide(s, i, "confirmed", actor=actor, at=_when(at))
    click.echo(f"confirmed {len(finding_ids)}")


@finding.command("reject")
@click.argument("finding_ids", type=int, nargs=-1, required=True)
@click.option("--reason", required=True)
@AT
@BY
def finding_reject(finding_ids, reason, at, actor):
    """Reject findings, with a reason."""
    from ..expertise.workflow import decide

    with _session() as s:
        for i in finding_ids:
            decide(s, i, "rejected", reason=reason, actor=actor, at=_when(at))
    click.echo(f"rejected {len(finding_ids)}")


@finding.command("add")
@click.argument("draft_id", type=int)
@click.option("--code", required=True)
@click.option("--locator", required=True, help="The norm's locator as lexpert prints it.")
@click.option("--evidence", default=None, help="Words quoted from the norm.")
@click.option("--reason", default=None)
@AT
@BY
def finding_add(draft_id, code, locator, evidence, reason, at, actor):
    """Add a finding the detectors missed (confirmed at once)."""
    from ..expertise.db.models import Draft
    from ..expertise.workflow import add_expert_finding, get

    with _session() as s:
        d = get(s, Draft, draft_id)
        f = add_expert_finding(s, d.versions[0].id, code=code, locator=locator, evidence=evidence, reason=reason,
                               actor=actor, at=_when(at))
        click.echo(f"finding {f.id} added and confirmed")


@click.group()
def rec():
    """Recommendations: add, edit, the developer's response, incorporation override."""


@rec.command("add")
@click.argument("draft_id", type=int)
@click.option("--text", required=True)
@click.option("--kind", type=click.Choice(REC_KINDS), default="other", show_default=True)
@click.option("--finding", "finding_ids", type=int, multiple=True, help="Confirmed finding(s) it removes.")
@AT
@BY
def rec_add(draft_id, text, kind, finding_ids, at, actor):
    """Issue a recommendation on a draft."""
    from ..expertise.workflow import add_recommendation

    with _session() as s:
        r = add_recommendation(s, draft_id, text, kind=kind, finding_ids=finding_ids, actor=actor, at=_when(at))
        click.echo(f"recommendation {r.id} issued")


@rec.command("edit")
@click.argument("rec_id", type=int)
@click.option("--text", default=None)
@click.option("--kind", type=click.Choice(REC_KINDS), default=None)
@AT
@BY
def rec_edit(rec_id, text, kind, at, actor):
    """Edit a recommendation's text or kind (the change is kept in the audit log)."""
    from ..expertise.workflow import edit_recommendation

    with _session() as s:
        edit_recommendation(s, rec_id, text=text, kind=kind, actor=actor, at=_when(at))
    click.echo(f"recommendation {rec_id} updated")


@rec.command("respond")
@click.argument("rec_id", type=int)
@click.argument("status", type=click.Choice(REC_STATUSES))
@click.option("--reason", default=None)
@AT
@BY
def rec_respond(rec_id, status, reason, at, actor):
    """Record the developer body's response (accepted / rejected_by_developer)."""
    from ..expertise.workflow import developer_response

    with _session() as s:
        developer_response(s, rec_id, status, reason=reason, actor=actor, at=_when(at))
    click.echo(f"recommendation {rec_id}: {status}")


@rec.command("incorporation")
@click.argument("rec_id", type=int)
@click.argument("value", type=click.Choice(["incorporated", "not_incorporated", "unknown"]))
@click.option("--reason", required=True, help="Why the expert overrides the alignment.")
@AT
@BY
def rec_incorporation(rec_id, value, reason, at, actor):
    """Override whether the adopted act took the recommendation in (kept in the audit log)."""
    from ..expertise.workflow import set_incorporation

    with _session() as s:
        set_incorporation(s, rec_id, value, source="expert", note=reason, actor=actor, at=_when(at))
    click.echo(f"recommendation {rec_id}: {value} (expert)")


@click.command()
@click.option("--from", "date_from", default=None, help="First day of the period (31.12.2026 or 2026-12-31).")
@click.option("--to", "date_to", default=None, help="Last day of the period (31.12.2026 or 2026-12-31).")
@click.option("--by", "by", type=click.Choice(["agency", "sphere", "kind", "quarter", "none"]), default="agency",
              show_default=True)
@click.option("--as-of", "as_of", default=None, help="Compute the figures as recorded at this moment (a date or date-time).")
@click.option("--format", "fmt", type=click.Choice(["text", "table", "csv", "xlsx", "json"]), default="text",
              show_default=True, callback=lambda _c, _p, v: "table" if v == "text" else v,
              help="text: a table on the terminal (table is the old name); csv, xlsx (needs -o), json.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--plots", "plot_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also draw KPI A by quarter per agency, KPI B by agency and the agency x family heatmap here.")
@click.option("--plot-format", type=click.Choice(["png", "svg"]), default="png", show_default=True)
@click.option("--lang", type=click.Choice(["en", "ru", "kk"]), default="en", show_default=True,
              help="Language of the table's, CSV's and XLSX's headers (en: the machine keys) and of the plots.")
@click.option("--plot-lang", type=click.Choice(["en", "ru", "kk"]), default=None,
              help="Language of the plots' titles and labels (default: --lang).")
def kpi(date_from, date_to, by, as_of, fmt, output, plot_dir, plot_format, lang, plot_lang):
    """KPI A (confirmed factors per examined draft) and KPI B (share of recommendations taken in).

    Definitions (docs/kpi.md) are printed with every report."""
    from rich.console import Console
    from rich.table import Table

    from ..expertise import kpi as K

    d0, d1 = _day(date_from), _day(date_to)
    with _session() as s:
        res = K.compute(s, d0, d1, by=by, as_of=_when(as_of))
        if plot_dir:
            for f in K.plots(s, plot_dir, d0, d1, _when(as_of), plot_format, lang=plot_lang or lang):
                click.echo(f"plot: {f}", err=True)
    if fmt == "json":
        data = json.dumps(res, ensure_ascii=False, indent=1)
        (output.write_text(data, encoding="utf-8") if output else click.echo(data))
    elif fmt == "csv":
        if output:
            with output.open("w", encoding="utf-8", newline="") as fh:
                K.write_csv(res, fh, lang)
        else:
            K.write_csv(res, sys.stdout, lang)
    elif fmt == "xlsx":
        if not output:
            raise click.UsageError("--format xlsx needs -o FILE.xlsx")
        K.write_xlsx(res, output, lang)
        click.echo(f"written {output}")
    else:
        t = Table(title=f"KPI {res['period']['from'] or '…'} .. {res['period']['to'] or '…'} (as of {res['as_of']})")
        shown = ("key", "drafts_examined", "factors_per_draft", "median_per_draft", "adopted", "not_adopted",
                 "withdrawn", "recommendations_incorporated", "recommendations_issued_on_adopted",
                 "recommendations_share_percent")
        idx = {c: i for i, (c, _) in enumerate(K.COLUMNS)}
        names = K.headers(lang)
        for c in shown:
            t.add_column(names[idx[c]].replace("_", " "))
        for r in K.rows(res, lang):
            t.add_row(*[str(r[idx[c]]) for c in ("key", "drafts_examined", "factors_per_draft", "median_per_draft",
                                                 "adopted", "not_adopted", "withdrawn", "recommendations_incorporated",
                                                 "recommendations_issued_on_adopted", "recommendations_share_percent")])
        Console().print(t)
        for k, v in res["definitions"].items():
            click.echo(f"{k}: {v}")


@click.command()
@click.argument("draft_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("adopted_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def compare(draft_file, adopted_file, fmt):
    """Align the ADOPTED text to the DRAFT norm by norm and say, for each finding of the draft,
    whether it is resolved in the adopted text (deleted, reworded, still present)."""
    from ..pipeline import load
    from ..budget import time_limit
    from ..compare import compare as run, render_text
    from ..settings import Limits

    with time_limit(Limits.from_env().doc_timeout, Path(draft_file).name, "LEXPERT_DOC_TIMEOUT"):
        res = run(load(draft_file).text, load(adopted_file).text)
    if fmt == "json":
        click.echo(json.dumps(res, ensure_ascii=False, indent=1))
    else:
        click.echo(render_text(res))


@click.command("db-upgrade")
def db_upgrade():
    """Create or migrate the database schema (Alembic upgrade head)."""
    from ..expertise.db import init_db
    from ..expertise.db.session import default_url

    init_db()
    click.echo(f"database at head: {default_url().split('@')[-1]}")


COMMANDS = [draft, finding, rec, kpi, compare, db_upgrade]
