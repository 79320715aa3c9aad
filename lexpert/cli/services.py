"""CLI of hidden state services: ``lexpert services FILE... [--register FILE]``."""
from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--register", "register", default=None,
              help="The Register of state services (CSV/XLSX, or the Register act itself as txt/docx/html/pdf); default: $LEXPERT_REGISTER; 'sample' for the bundled sample.")
@click.option("--format", "fmt", type=click.Choice(["text", "table", "csv", "xlsx", "json"]), default="text",
              show_default=True, callback=lambda _c, _p, v: "table" if v == "text" else v,
              help="text: a table on the terminal (table is the old name); csv, xlsx (needs -o), json.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file (required for xlsx).")
@click.option("--lang", type=click.Choice(["ru", "kk"]), default=None,
              help="Force the drafts' language; also the language of the table's headers (default ru).")
@click.option("--only-hidden", is_flag=True, help="List only the obligations that are hidden state services.")
def services(files, register, fmt, output, lang, only_hidden):
    """All service-like obligations of drafts (FILEs or folders of drafts): who must obtain what from
    whom, documents, term, fee, result, grounds for refusal, and the match in the Register of state
    services — the table an analyst sends to the ministry that keeps the register."""
    from ..reports.services import collect, write

    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs -o FILE")
    rows, errors = collect(files, register, lang)
    if only_hidden:
        rows = [r for r in rows if r["verdict"] == "hidden"]
        for i, r in enumerate(rows, 1):
            r["n"] = i
    for e in errors:
        click.echo(f"lexpert: warning: {e}", err=True)
    s = write(rows, fmt, output, lang or "ru")
    if s is not None:
        click.echo(s, nl=False)
    else:
        click.echo(f"{len(rows)} obligations written to {output}", err=True)


COMMANDS = [services]
