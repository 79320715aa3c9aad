"""The report for a person: rich tables in the act's language (ru or kk)."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..pipeline import ActReport
from ..taxonomy import FAMILIES, load_taxonomy
from ..data import strings

L = strings("console")
FAMILY_STYLE = {"discretion": "bold red", "vague": "bold yellow", "burden": "bold magenta",
                "hidden_service": "bold cyan", "gap": "bold blue"}


def _excerpt(text: str, start: int, end: int, width: int = 220) -> Text:
    a = max(0, start - width // 2)
    z = min(len(text), end + width // 2)
    t = Text()
    if a > 0:
        t.append("…")
    t.append(text[a:start])
    t.append(text[start:end], style="bold reverse")
    t.append(text[end:z])
    if z < len(text):
        t.append("…")
    return t


def _render_cards(report: ActReport, console: Console, w: dict, lang: str) -> None:
    """One block per finding: readable on a narrow terminal."""
    tax = load_taxonomy()
    norms = {n.id: n for n in report.norms}
    for i, f in enumerate(report.findings, 1):
        n = norms[f.norm_id]
        flang = n.lang if n.lang in ("ru", "kk") else lang
        console.print()
        console.print(Text(f"{i}. {f.locator}", style="bold"))
        console.print(Text.assemble(f"   {w['factor']}: ", (f"{tax[f.code].name(flang)}", FAMILY_STYLE.get(f.family, "")),
                                    f"  [{f.code} · {f.score:.2f}]"))
        console.print(Text.assemble("   ", _excerpt(n.text, f.evidence_start - n.start, f.evidence_end - n.start)))
        console.print(f"   {w['reason']}: {f.reason}")
        console.print(f"   {w['fix']}: {f.recommendation}")
    console.print()


def render(report: ActReport, console: Console | None = None) -> None:
    console = console or Console()
    tax = load_taxonomy()
    lang = report.language if report.language in ("ru", "kk") else "ru"
    w = L[lang]
    s = report.summary()
    console.print(Text(report.title or report.source, style="bold"))
    console.print(f"{w['lang']}: {report.language} · {w['fmt']}: {report.format} · "
                  f"{w['norms']}: {s['norms']} · {w['flagged']}: {s['flagged_norms']} · {report.source}")
    cov = report.coverage
    reason_codes = {r["code"] for r in cov.reasons} if cov else set()
    for warn in report.warnings:
        if not cov or warn not in {r["message"] for r in cov.reasons}:
            console.print(f"[yellow]! {warn}[/yellow]")
    for code in sorted(reason_codes):
        console.print(Text(f"! {w['reasons'][code]}", style="bold yellow"))
    if not report.analysed:
        console.print(Text(w["not_analysed"], style="bold yellow"))
    elif cov and cov.status == "partial":
        console.print(Text(w["partial"].format(a=cov.analysed, u=cov.units), style="yellow"))
    if not report.findings:
        if report.analysed:
            console.print(w["none"] if not reason_codes else w["none_checked"])
    elif console.width < 140:
        _render_cards(report, console, w, lang)
    else:
        table = Table(show_lines=True, expand=True)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column(w["loc"], ratio=2)
        table.add_column(w["factor"], ratio=2)
        table.add_column(w["ev"], ratio=5)
        table.add_column(w["reason"], ratio=3)
        table.add_column(w["fix"], ratio=4)
        norms = {n.id: n for n in report.norms}
        for i, f in enumerate(report.findings, 1):
            n = norms[f.norm_id]
            flang = n.lang if n.lang in ("ru", "kk") else lang
            table.add_row(str(i), f.locator, Text(f"{tax[f.code].name(flang)}\n{f.code} · {f.score:.2f}",
                                                  style=FAMILY_STYLE.get(f.family, "")),
                          _excerpt(n.text, f.evidence_start - n.start, f.evidence_end - n.start),
                          f.reason, f.recommendation)
        console.print(table)
    summary = Table(title=w["summary"])
    summary.add_column(w["family"])
    summary.add_column(w["count"], justify="right")
    for fam in FAMILIES:
        summary.add_row(Text(tax.family_name(fam, lang), style=FAMILY_STYLE[fam]), str(s["by_family"][fam]))
    summary.add_row(Text(w["total"], style="bold"), Text(str(s["kpi_a_contribution"]), style="bold"))
    console.print(summary)
