"""Markdown acts (the form of the public ``kazakhstan-law`` collection): plain lines out.

What the markdown carries and what becomes of it:

- ``#`` headings, ``<a id>`` anchors, ``**bold**``, escaped numbers («4\\.», «9-1\\.»):
  left for :func:`lexpert.nlp.normalize.normalize`, which strips the markup;
- blockquotes (``> *Приложение 1*``, ``> *«СОГЛАСОВАН»*``): one line per quoted line, the
  block kept together, so annex headers and approval stamps reach the structure parser
  as the short-line blocks they are on paper;
- code fences (blank forms): their lines, unchanged (a line of nothing but underscores is
  then dropped by normalization, as every horizontal rule is: the stand-off spans of the
  labelled real acts index the text as normalized so);
- HTML tables (``<table>`` with ``colspan``/``rowspan``): one line per row, cells joined
  by `` | `` (the table-row form every reader of lexpert emits), a cell's inner lines
  joined by spaces; a cell spanning rows is written in its first row only.
"""
from __future__ import annotations

import re

from ..records import RawDocument
from .text import decode_text

_TABLE = re.compile(r"<table\b.*?</table>", re.S | re.I)
_TAGS = re.compile(r"</?(?:strong|b|i|em|u|span|sup|sub|pre|p|br)\b[^>]*>", re.I)


def table_rows(html: str) -> list[list[str]]:
    """The rows of one HTML table as lists of cell texts (whitespace collapsed)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    rows: list[list[str]] = []
    for tr in soup.find_all("tr"):
        if tr.find_parent("table") is not soup.find("table") and soup.find("table") is not None:
            # a table nested inside a cell: its text belongs to that cell, read once there
            continue
        cells = []
        for td in tr.find_all(["td", "th"], recursive=False):
            cells.append(" ".join(td.get_text(" ").split()))
        if any(cells):
            rows.append(cells)
    return rows


def _row_line(cells: list[str]) -> str:
    cells = [c.replace(" | ", " / ") for c in cells]
    line = " | ".join(cells)
    # a row whose only text is in one cell stays recognisable as a table row
    return line if len([c for c in cells if c]) > 1 else f"| {line.strip(' |')} |"


def markdown_to_text(md: str) -> str:
    """Plain lines from the markdown of an act (see the module docstring)."""
    out: list[str] = []
    pos = 0
    for m in _TABLE.finditer(md):
        out.append(_blocks(md[pos:m.start()]))
        rows = table_rows(m.group(0))
        out.append("\n\n".join(_row_line(r) for r in rows))
        pos = m.end()
    out.append(_blocks(md[pos:]))
    return "\n\n".join(x for x in out if x.strip())


def _blocks(md: str) -> str:
    lines: list[str] = []
    fence = quote = False
    for raw in md.split("\n"):
        s = raw.rstrip()
        if s.lstrip().startswith("```"):
            fence = not fence
            lines.append("")
            continue
        if fence:
            lines.append(s.strip())
            lines.append("")
            continue
        if s.lstrip().startswith(">"):
            inner = s.lstrip()[1:].strip().strip("*_").strip()
            if not quote:
                lines.append("")          # a quoted block stands apart from what precedes it
            quote = True
            if inner:
                lines.append(inner)
            continue
        if quote:
            lines.append("")
            quote = False
        lines.append(_TAGS.sub("", s))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def read_markdown(data: bytes, name: str) -> RawDocument:
    text, enc = decode_text(data, name)
    return RawDocument(text=markdown_to_text(text), format="md", source=name, encoding=enc)
