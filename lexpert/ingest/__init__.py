"""Ingest: a draft file (txt, docx, pdf, scanned pdf, html, markdown) -> :class:`RawDocument`.

Every reader checks its input before trusting it: size limits, encrypted or corrupt
PDFs, DOCX archives that expand too much (zip bombs), empty files, unknown types.
Each failure is one :class:`lexpert.errors.InputError` with a one-line message.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from ..settings import Limits
from ..errors import DocumentTooLarge, EmptyDocument, UnreadableDocument, UnsupportedFormat
from ..records import RawDocument
from .docx import read_docx
from .html import read_html
from .markdown import read_markdown
from .pdf import read_pdf
from .text import decode_text, decode_text_checked

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


MEDIA_TYPES = {"application/pdf": "pdf", "application/x-pdf": "pdf",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
               "text/plain": "txt", "text/markdown": "md", "text/x-markdown": "md", "text/html": "html",
               "application/xhtml+xml": "html"}
TEXT_FORMATS = ("txt", "md", "html")          # read as text: any one may claim another's content


def check_claimed(data: bytes, name: str = "", media_type: str | None = None) -> str:
    """The format of ``data`` when it is what its name's extension and its media type claim:
    a .pdf starts with ``%PDF-``, a .docx is a ZIP holding ``word/document.xml``, a .txt/.md/.html
    is text; otherwise ``UnsupportedFormat`` (HTTP 415) saying what the bytes are. A claim
    lexpert does not know (no extension, ``application/octet-stream``) is left to ``sniff``."""
    import io
    import zipfile

    label = name or "input"
    claims = {SUFFIXES.get(Path(name).suffix.lower()), MEDIA_TYPES.get((media_type or "").split(";")[0].strip().lower())}
    claims.discard(None)
    if not claims:
        return sniff(data, name)
    if data[:5] == b"%PDF-":
        actual = "pdf"
    elif data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                actual = "docx" if "word/document.xml" in z.namelist() else "zip"
        except zipfile.BadZipFile:
            actual = "zip"
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        actual = "doc"
    elif _looks_binary(data):
        actual = "binary"
    else:
        actual = "text"
    for claim in sorted(claims):
        ok = actual == claim or (claim in TEXT_FORMATS and actual == "text")
        if not ok:
            what = {"text": "text", "zip": "a ZIP archive that is not a .docx document", "doc": "a legacy .doc file",
                    "binary": "binary data"}.get(actual, actual.upper())
            raise UnsupportedFormat(f"{label}: claims to be {claim.upper()} but its content is {what}")
    return sniff(data, name)


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
        text, enc, notes = decode_text_checked(data, name)
        doc = RawDocument(text=text, format="txt", source=name, encoding=enc, warnings=notes)
    if len(doc.text) > limits.max_chars:
        raise DocumentTooLarge(
            f"{name}: {len(doc.text)} characters of text is over the limit of {limits.max_chars} (LEXPERT_MAX_CHARS)")
    if not doc.text.strip():
        raise EmptyDocument(f"{name}: no text could be extracted ({doc.format})")
    return doc


def read_path(path: str | Path, limits: Limits | None = None) -> RawDocument:
    """Read a document from a file: a regular file only (not a directory, FIFO, socket or
    device, also behind a symlink), opened without blocking and read no further than the
    size limit, whatever the file claims."""
    limits = limits or Limits.from_env()
    p = Path(path)
    try:
        st = os.stat(p)                            # follows a symlink: /dev/zero behind one is a device
    except FileNotFoundError:
        raise UnreadableDocument(f"{p}: no such file") from None
    except OSError as exc:
        raise UnreadableDocument(f"{p}: cannot be read ({exc.strerror or exc})") from exc
    if stat.S_ISDIR(st.st_mode):
        raise UnreadableDocument(f"{p}: is a directory, not a document")
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableDocument(f"{p}: not a regular file ({_kind(st.st_mode)}); lexpert reads documents from files")
    if st.st_size > limits.max_bytes:
        raise DocumentTooLarge(
            f"{p.name}: {st.st_size / 1e6:.1f} MB is over the limit of {limits.max_bytes / 1e6:.1f} MB (LEXPERT_MAX_BYTES)")
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise UnreadableDocument(f"{p}: cannot be read ({exc.strerror or exc})") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced between the two looks
            raise UnreadableDocument(f"{p}: not a regular file")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > limits.max_bytes:
                raise DocumentTooLarge(f"{p.name}: more than {limits.max_bytes / 1e6:.1f} MB (LEXPERT_MAX_BYTES)")
            chunks.append(chunk)
    except OSError as exc:
        raise UnreadableDocument(f"{p}: cannot be read ({exc.strerror or exc})") from exc
    finally:
        os.close(fd)
    return read_bytes(b"".join(chunks), p.name, limits)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a plain file"


__all__ = ["read_path", "read_bytes", "sniff", "check_claimed", "decode_text"]
