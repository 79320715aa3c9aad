"""DOCX: body paragraphs and tables in document order, automatic numbering rendered as
displayed («1.», «1)», «а)»), after checking the archive is not a zip bomb."""
from __future__ import annotations

import io
import logging
import zipfile
import zlib

from ..settings import Limits
from ..errors import ArchiveBomb, EncryptedDocument, LexpertError, UnreadableDocument
from ..records import RawDocument

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
RU_LETTERS = "абвгдежзиклмнопрстуфхцчшщэюя"
log = logging.getLogger(__name__)


def check_zip(data: bytes, name: str, limits: Limits) -> None:
    """Refuse archives that expand beyond the limits (total size, per-member ratio, member count)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UnreadableDocument(f"{name}: not a valid .docx (corrupt ZIP container)") from exc
    infos = zf.infolist()
    if len(infos) > 5000:
        raise ArchiveBomb(f"{name}: {len(infos)} parts in the .docx archive; refusing a likely zip bomb")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise EncryptedDocument(f"{name}: the .docx is encrypted; save it without a password")
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > limits.max_zip_ratio and info.file_size > 1_000_000:
            raise ArchiveBomb(
                f"{name}: part {info.filename} expands {info.file_size // max(info.compress_size, 1)}x; "
                f"refusing a likely zip bomb (LEXPERT_MAX_ZIP_RATIO={limits.max_zip_ratio})")
    if total > limits.max_unzipped_bytes:
        raise ArchiveBomb(f"{name}: expands to {total / 1e6:.0f} MB, over the limit of "
                          f"{limits.max_unzipped_bytes / 1e6:.0f} MB (LEXPERT_MAX_UNZIPPED); refusing a likely zip bomb")
    _count_expansion(zf, name, limits)
    if "word/document.xml" not in zf.namelist():
        if "EncryptionInfo" in zf.namelist() or "EncryptedPackage" in zf.namelist():
            raise EncryptedDocument(f"{name}: the .docx is encrypted; save it without a password")
        raise UnreadableDocument(f"{name}: not a Word document (no word/document.xml)")


def _count_expansion(zf: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """Decompress every part once, in chunks, counting what really comes out: the sizes in a
    ZIP's headers are the file's own claim, and a hostile one lies about them."""
    total = 0
    for info in zf.infolist():
        try:
            with zf.open(info) as fh:
                out = 0
                while True:
                    chunk = fh.read(1 << 20)
                    if not chunk:
                        break
                    out += len(chunk)
                    total += len(chunk)
                    if total > limits.max_unzipped_bytes:
                        raise ArchiveBomb(f"{name}: expands to more than {limits.max_unzipped_bytes / 1e6:.0f} MB "
                                          f"(LEXPERT_MAX_UNZIPPED); refusing a likely zip bomb")
                    if out > 1_000_000 and out > limits.max_zip_ratio * max(info.compress_size, 1):
                        raise ArchiveBomb(f"{name}: part {info.filename} expands more than {limits.max_zip_ratio}x; "
                                          f"refusing a likely zip bomb (LEXPERT_MAX_ZIP_RATIO)")
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
                NotImplementedError, RuntimeError) as exc:
            raise UnreadableDocument(f"{name}: not a valid .docx (part {info.filename}: {type(exc).__name__})") from exc


def _fmt(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter",):
        return chr(ord("a") + (n - 1) % 26)
    if fmt in ("upperLetter",):
        return chr(ord("A") + (n - 1) % 26)
    if fmt in ("russianLower",):
        return RU_LETTERS[(n - 1) % len(RU_LETTERS)]
    if fmt in ("russianUpper",):
        return RU_LETTERS[(n - 1) % len(RU_LETTERS)].upper()
    if fmt in ("lowerRoman", "upperRoman"):
        r = _roman(n)
        return r.lower() if fmt == "lowerRoman" else r
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for v, s in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                 (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out += s
            n -= v
    return out


class _Numbering:
    """Renders Word's automatic list numbers the way Word displays them."""

    def __init__(self, document):
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.num2abs: dict[str, str] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            log.debug("no numbering part: list numbers are read as typed")
            return
        abstract = {}
        for an in root.findall(f"{W}abstractNum"):
            aid = an.get(f"{W}abstractNumId")
            for lvl in an.findall(f"{W}lvl"):
                il = int(lvl.get(f"{W}ilvl", "0"))
                fmt = lvl.find(f"{W}numFmt")
                txt = lvl.find(f"{W}lvlText")
                start = lvl.find(f"{W}start")
                abstract[(aid, il)] = (
                    fmt.get(f"{W}val") if fmt is not None else "decimal",
                    txt.get(f"{W}val") if txt is not None else f"%{il + 1}.",
                    int(start.get(f"{W}val")) if start is not None else 1,
                )
        for num in root.findall(f"{W}num"):
            nid = num.get(f"{W}numId")
            a = num.find(f"{W}abstractNumId")
            if a is not None:
                self.num2abs[nid] = a.get(f"{W}val")
        self.levels = abstract

    def label(self, num_id: str, ilvl: int) -> str:
        aid = self.num2abs.get(num_id)
        if aid is None or (aid, ilvl) not in self.levels:
            return ""
        cnt = self.counters.setdefault(aid, [0] * 9)
        fmt, text, start = self.levels[(aid, ilvl)]
        cnt[ilvl] = (cnt[ilvl] + 1) if cnt[ilvl] >= start else start
        for deeper in range(ilvl + 1, 9):
            cnt[deeper] = 0
        out = text
        for k in range(9):
            if f"%{k + 1}" in out:
                kfmt = self.levels.get((aid, k), ("decimal", "", 1))[0]
                out = out.replace(f"%{k + 1}", _fmt(max(cnt[k], 1), kfmt))
        return out if fmt not in ("bullet", "none") else ""


def _num_pr(p, styles: dict[str, tuple[str, int]]) -> tuple[str, int] | None:
    ppr = p.find(f"{W}pPr")
    if ppr is not None:
        npr = ppr.find(f"{W}numPr")
        if npr is not None:
            nid = npr.find(f"{W}numId")
            il = npr.find(f"{W}ilvl")
            if nid is not None and nid.get(f"{W}val") != "0":
                return nid.get(f"{W}val"), int(il.get(f"{W}val")) if il is not None else 0
        style = ppr.find(f"{W}pStyle")
        if style is not None:
            return styles.get(style.get(f"{W}val"))
    return None


def _style_numbering(document) -> dict[str, tuple[str, int]]:
    """styleId -> (numId, ilvl) of the styles that number their paragraphs: read once, so a
    document with thousands of styles costs one pass, not one pass per paragraph."""
    out: dict[str, tuple[str, int]] = {}
    try:
        styles = document.styles.element.findall(f"{W}style")
    except (AttributeError, KeyError, NotImplementedError, ValueError):     # no styles part
        log.debug("no styles part: no numbering by paragraph style")
        return out
    for st in styles:
        sid = st.get(f"{W}styleId")
        spr = st.find(f"{W}pPr")
        npr = spr.find(f"{W}numPr") if spr is not None else None
        if sid is None or npr is None or sid in out:
            continue
        nid = npr.find(f"{W}numId")
        il = npr.find(f"{W}ilvl")
        if nid is not None:
            out[sid] = (nid.get(f"{W}val"), int(il.get(f"{W}val")) if il is not None else 0)
    return out


_WRAPPERS = {f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}smartTag"}


def _own(el, tag: str):
    """Children of ``el`` with ``tag``, looking through content-control wrappers but never into
    a nested table."""
    for ch in el.iterchildren():
        if ch.tag == tag:
            yield ch
        elif ch.tag in _WRAPPERS:
            yield from _own(ch, tag)


def _para_text(p) -> str:
    parts = []
    for node in p.iter():
        tag = node.tag
        if tag == f"{W}t":
            parts.append(node.text or "")
        elif tag == f"{W}tab":
            parts.append(" ")
        elif tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
        elif tag == f"{W}delText":
            continue
    return "".join(parts)


def read_docx(data: bytes, name: str, limits: Limits) -> RawDocument:
    check_zip(data, name, limits)
    import docx  # python-docx

    try:
        document = docx.Document(io.BytesIO(data))
    except LexpertError:
        raise                 # a per-document time limit, not a broken file
    except Exception as exc:  # python-docx raises several unrelated types on broken parts
        raise UnreadableDocument(f"{name}: the .docx cannot be read ({type(exc).__name__})") from exc
    numbering = _Numbering(document)
    styles = _style_numbering(document)
    out: list[str] = []

    def table(tbl) -> None:
        # rows and cells of this table only; a table nested in a cell comes after its row,
        # so each paragraph is read once however tables nest
        for row in _own(tbl, f"{W}tr"):
            cells, nested = [], []
            for tc in _own(row, f"{W}tc"):
                ct = " ".join(_para_text(p).strip() for p in _own(tc, f"{W}p")).strip()
                nested.extend(_own(tc, f"{W}tbl"))
                if ct and (not cells or cells[-1] != ct):   # merged cells repeat their text
                    cells.append(ct)
            if cells:
                out.append(" | ".join(cells))
            for inner in nested:
                table(inner)

    body = document.element.body
    for child in body.iterchildren():
        if child.tag == f"{W}p":
            text = _para_text(child).strip()
            npr = _num_pr(child, styles)
            if npr:
                label = numbering.label(*npr)
                if label and text:
                    text = f"{label} {text}"
            if text:
                out.append(text)
        elif child.tag == f"{W}tbl":
            table(child)
    props = document.core_properties
    meta = {k: v for k, v in {"title": props.title, "author": props.author}.items() if v}
    return RawDocument(text="\n\n".join(out), format="docx", source=name, meta=meta)
