"""Ingest: a draft file (txt, docx, pdf, scanned pdf, html, markdown) -> :class:`RawDocument`.

Every reader checks its input before trusting it: size limits, encrypted or corrupt
PDFs, DOCX archives that expand too much (zip bombs), empty files, unknown types.
Each failure is one :class:`lexpert.errors.InputError` with a one-line message.
"""
from __future__ import annotations

from pathlib import Path

from ..config import Limits
from ..errors import DocumentTooLarge, EmptyDocument, UnreadableDocument, UnsupportedFormat
from ..records import RawDocument
from .docx import read_docx
from .html import read_html
from .markdown import read_markdown
from .pdf import read_pdf
from .text import decode_text

SUFFIXES = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".docx": "docx", ".pdf": "pdf",
            ".html": "html", ".htm": "html", ".xhtml": "html"}


def sniff(data: bytes, name: str = "") -> str:
    """The format of ``data``: from its magic bytes first, then from the file name."""
    head = data[:1024].lstrip()
    if data[:5] == b"%PDF-":
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        if name.lower().endswith((".docx", ".docm")) or b"word/" in data[:4096] or b"[Content_Types].xml" in data[:4096]:
            return "docx"
        raise UnsupportedFormat(f"{name or 'input'}: a ZIP archive that is not a .docx document")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnsupportedFormat(f"{name or 'input'}: legacy .doc (Word 97-2003) is not supported; save it as .docx")
    if data[:5] == b"{\\rtf":
        raise UnsupportedFormat(f"{name or 'input'}: RTF is not supported; save it as .docx")
    low = head[:200].lower()
    if low.startswith((b"<!doctype html", b"<html")) or b"<html" in low:
        return "html"
    suffix = Path(name).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    if suffix and suffix not in ("",):
        if _looks_binary(data):
            raise UnsupportedFormat(f"{name}: unsupported file type {suffix!r} (use .txt, .docx, .pdf or .html)")
    if _looks_binary(data):
        raise UnsupportedFormat(f"{name or 'input'}: binary data of an unknown type (use .txt, .docx, .pdf or .html)")
    return "txt"


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return False
    if b"\x00" in sample:
        # UTF-16 without a BOM has NULs in every other byte
        evens, odds = sample[0::2].count(0), sample[1::2].count(0)
        return not (odds > len(sample) * 0.3 or evens > len(sample) * 0.3)
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return ctrl > len(sample) * 0.05


def read_bytes(data: bytes, name: str = "<bytes>", limits: Limits | None = None) -> RawDocument:
    """Read a document held in memory; ``name`` gives its type when the bytes do not."""
    limits = limits or Limits.from_env()
    if len(data) > limits.max_bytes:
        raise DocumentTooLarge(
            f"{name}: {len(data) / 1e6:.1f} MB is over the limit of {limits.max_bytes / 1e6:.1f} MB (LEXPERT_MAX_BYTES)")
    if not data.strip():
        raise EmptyDocument(f"{name}: the file is empty")
    fmt = sniff(data, name)
    if fmt == "pdf":
        doc = read_pdf(data, name, limits)
    elif fmt == "docx":
        doc = read_docx(data, name, limits)
    elif fmt == "html":
        doc = read_html(data, name)
    elif fmt == "md":
        doc = read_markdown(data, name)
    else:
        text, enc = decode_text(data, name)
        doc = RawDocument(text=text, format="txt", source=name, encoding=enc)
    if len(doc.text) > limits.max_chars:
        raise DocumentTooLarge(
            f"{name}: {len(doc.text)} characters of text is over the limit of {limits.max_chars} (LEXPERT_MAX_CHARS)")
    if not doc.text.strip():
        raise EmptyDocument(f"{name}: no text could be extracted ({doc.format})")
    return doc


def read_path(path: str | Path, limits: Limits | None = None) -> RawDocument:
    """Read a document from a file."""
    limits = limits or Limits.from_env()
    p = Path(path)
    if not p.exists():
        raise UnreadableDocument(f"{p}: no such file")
    if p.is_dir():
        raise UnreadableDocument(f"{p}: is a directory, not a document")
    size = p.stat().st_size
    if size > limits.max_bytes:
        raise DocumentTooLarge(
            f"{p.name}: {size / 1e6:.1f} MB is over the limit of {limits.max_bytes / 1e6:.1f} MB (LEXPERT_MAX_BYTES)")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(f"{p}: cannot be read ({exc.strerror or exc})") from exc
    return read_bytes(data, p.name, limits)


__all__ = ["read_path", "read_bytes", "sniff", "decode_text"]
