"""HTML (a portal page or a saved act): visible text, one block element per line."""
from __future__ import annotations

from bs4 import BeautifulSoup

from ..records import RawDocument
from .text import decode_text

_BLOCKS = ["p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "table", "section", "article",
           "blockquote", "pre", "dd", "dt"]


def read_html(data: bytes, name: str) -> RawDocument:
    text, enc = decode_text(data, name)
    soup = BeautifulSoup(text, "lxml")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "form", "button", "svg"]):
        tag.decompose()
    for td in soup.find_all(["td", "th"]):
        td.append(" | ")
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    body = soup.body or soup
    lines = [" ".join(ln.split()).strip(" |") for ln in body.get_text().split("\n")]
    title = soup.title.get_text(strip=True) if soup.title else None
    return RawDocument(text="\n\n".join(ln for ln in lines if ln), format="html", source=name, encoding=enc,
                       meta={"html_title": title} if title else {})
