"""PDF: the text layer through PDFium (``pypdfium2``), page by page, each page closed as soon
as it is read; page furniture (running headers, footers, page numbers) found by position and
repetition and removed; pages without a text layer rendered (within a pixel budget) and read
by Tesseract OCR (rus+kaz).

PDFium joins a line that ends in a hyphen with the next one and marks the hyphen (U+FFFE);
it is written back as «-», so «риск-ориентированная» split over two lines reads as one word.
PDFium is not thread-safe: one document is read at a time in a process.
"""
from __future__ import annotations

import contextlib
import gc
import logging
import re
import shutil
import threading
import zlib
from collections import Counter

from ..budget import check_deadline
from ..settings import Limits
from ..errors import DocumentTooLarge, EncryptedDocument, OCRUnavailable, UnreadableDocument
from ..records import RawDocument

_PAGE_NO = re.compile(r"^\s*(?:[-–—]?\s*\d{1,4}\s*[-–—]?|\d{1,4}\s*(?:/|из|of)\s*\d{1,4}|(?:стр\.?|page|бет)\s*\d{1,4})\s*$", re.I)
MIN_CHARS_PER_PAGE = 25
EDGE_BAND = 0.08          # the top and bottom 8% of a page: where running heads and page numbers sit
_LOCK = threading.Lock()
log = logging.getLogger(__name__)


class _Line(str):
    """A line of a page: its place (whether it sits in the page's top or bottom band) and, from
    PDFium's character boxes, its left and right ends, its top and bottom, and the width of its
    first word — what tells a line wrapped by the layout from a paragraph's last line."""
    edge: bool = False
    box: tuple[float, float, float, float] | None = None     # left, bottom, right, top
    first_word: float = 0.0


# a line that opens a unit of its own: «5.», «2)», «а)», «Глава 2», «3-бап», «– », «• »
_OPENS = re.compile(r"^(?:\d{1,3}(?:[.-]\d{1,3})*[.)]\s|[а-яәіңғүұқөһa-z]\)\s|(?i:Глава|Раздел|Статья|Параграф|"
                    r"Приложение|Қосымша)\s|\d{1,3}\s*-\s*(?:тарау|бөлім|бап|қосымша)\b|[-–—•·*]\s|«?СОГЛАСОВАН|«?КЕЛІСІЛДІ|"
                    r"«?УТВЕРЖДЕН|«?БЕКІТІЛГЕН)")


def _open(data: bytes, name: str):
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY):
            raise EncryptedDocument(f"{name}: the PDF is password-protected; send an unprotected copy") from exc
        raise UnreadableDocument(f"{name}: not a valid PDF (corrupt or truncated)") from exc


def _key(s: str) -> str:
    return re.sub(r"\d+", "#", s.strip().lower())


def _strip_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Drop lines that repeat at the top or bottom of most pages, and bare page numbers there.
    A line is at the edge when it is one of a page's first or last two lines, or when PDFium
    places it in the page's top or bottom band (a footer written first in the content stream)."""
    def at_edge(lines: list[str], i: int) -> bool:
        return i < 2 or i >= len(lines) - 2 or getattr(lines[i], "edge", False)

    if len(pages) >= 2:
        edge = Counter()
        for lines in pages:
            edge.update({_key(ln) for i, ln in enumerate(lines) if at_edge(lines, i)})
        furniture = {k for k, c in edge.items() if c >= max(2, 0.6 * len(pages)) and k}
    else:
        furniture = set()
    out = []
    for lines in pages:
        out.append([ln for i, ln in enumerate(lines)
                    if not (at_edge(lines, i) and (_PAGE_NO.match(ln) or _key(ln) in furniture))])
    return out


def ocr_available() -> bool:
    return shutil.which("tesseract") is not None


def _ocr_page(page, limits: Limits, name: str) -> tuple[str, str | None]:
    """Render the page within ``limits.max_ocr_pixels`` and read it; a page too large for the
    configured resolution is rendered smaller and said so (never a bitmap of any size a file asks for)."""
    if not ocr_available():
        raise OCRUnavailable(f"{name}: scanned PDF without a text layer and Tesseract is not installed "
                             f"(apt-get install tesseract-ocr tesseract-ocr-rus tesseract-ocr-kaz)")
    import pytesseract

    w, h = page.get_size()
    scale = limits.ocr_dpi / 72
    note = None
    if w * h * scale * scale > limits.max_ocr_pixels:
        scale = (limits.max_ocr_pixels / max(1.0, w * h)) ** 0.5
        note = f"a page of {w:.0f}x{h:.0f} pt was rendered at {scale * 72:.0f} dpi for OCR (LEXPERT_MAX_OCR_PIXELS)"
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        img = bitmap.to_pil()
        return pytesseract.image_to_string(img, lang=limits.ocr_langs, config="--psm 4"), note
    except pytesseract.TesseractError as exc:
        raise OCRUnavailable(f"{name}: OCR failed ({str(exc).splitlines()[0][:120]}); "
                             f"are the Tesseract languages {limits.ocr_langs} installed?") from exc
    finally:
        bitmap.close()


def _has_images(page) -> bool:
    import pypdfium2.raw as raw

    return next(iter(page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,), max_depth=2)), None) is not None


def _page_lines(textpage, height: float) -> list[str]:
    """The page's lines in content order, each with its boxes and marked when it lies in the
    page's top or bottom band."""
    text = textpage.get_text_range()
    lines: list[str] = []
    pos = 0
    n = textpage.count_chars()
    charbox = _charbox_reader(textpage)
    for raw_line in text.split("\n"):
        body = raw_line.replace("\r", "")
        line = _Line(body.replace("\ufffe", "-").strip())
        first = pos + (len(body) - len(body.lstrip()))
        last = pos + len(body.rstrip()) - 1
        if line and 0 <= first <= last < n and height > 0:
            try:
                left, bottom, _, top = charbox(first)
                right = charbox(last)[2]
                sp = line.find(" ")
                word_end = min(first + (sp - 1 if sp > 0 else len(line) - 1), last)
                line.first_word = (right if word_end == last else charbox(word_end)[2]) - left
                line.box = (left, bottom, right, top)
                line.edge = top > height * (1 - EDGE_BAND) or bottom < height * EDGE_BAND
            except (ValueError, IndexError, OSError, RuntimeError):   # a glyph without a box: the line stays,
                pass                                                  # judged by its place only
        lines.append(line)
        pos += len(raw_line) + 1
    return lines


def _charbox_reader(textpage):
    """``textpage.get_charbox`` (left, bottom, right, top; RuntimeError where PDFium has no box)
    through the raw call with its four out-values made once per page, not four per call: the
    same values, read three times a line."""
    from ctypes import c_double

    import pypdfium2.raw as raw

    get = raw.FPDFText_GetCharBox
    l, r, b, t = c_double(), c_double(), c_double(), c_double()

    def charbox(index: int) -> tuple[float, float, float, float]:
        if not get(textpage, index, l, r, b, t):      # (sic) left, right, bottom, top
            raise RuntimeError("Failed to get charbox.")
        return l.value, b.value, r.value, t.value

    return charbox


def _line_pitch(pages: list[list[str]]) -> float | None:
    """The usual distance between two lines of one paragraph: the smallest step from a line to
    the next that recurs (within 10%) over the document. Steps between paragraphs are larger,
    and a draft of many one-line paragraphs has more of them, so the commonest step is not it."""
    steps = []
    for lines in pages:
        boxed = [ln for ln in lines if getattr(ln, "box", None)]
        for x, y in zip(boxed, boxed[1:]):
            step = (x.box[1] + x.box[3]) / 2 - (y.box[1] + y.box[3]) / 2
            if step > 1:
                steps.append(step)
    if not steps:
        return None
    steps.sort()
    need = max(3, 0.05 * len(steps))
    j = 0
    for i, s in enumerate(steps):            # two pointers: how many steps lie in [s, 1.2 s]
        j = max(j, i)
        while j + 1 < len(steps) and steps[j + 1] <= 1.2 * s:
            j += 1
        if j - i + 1 >= need:
            return sorted(steps[i:j + 1])[(j - i) // 2]
    return None


def _margins(lines: list[str]) -> tuple[float, float] | None:
    """A page's left margin (the commonest left end of its lines) and right margin (the
    rightmost end of a line)."""
    boxed = [ln for ln in lines if getattr(ln, "box", None)]
    if len(boxed) < 2:
        return None
    lefts = Counter(round(ln.box[0]) for ln in boxed)
    return min(x for x, c in lefts.items() if c == max(lefts.values())), max(ln.box[2] for ln in boxed)


def _join_wrapped(pages: list[list[str]], pitch: float | None) -> list[list[str]]:
    """Lines the layout wrapped joined back into their paragraph, also across a page break.
    A line continues the one above when the one above is full (the next line's first word
    would not have fitted on it), the next line starts at the left margin, follows at the
    document's line pitch (or opens the next page), and does not open a unit of its own
    («5.», «2)», «Глава», a dash). A gap between two paragraphs wider than a quarter of a
    line is kept as a blank line."""
    if not pitch:
        return [[str(ln) for ln in lines] for lines in pages]
    out: list[list[str]] = []
    prev = prev_right = None
    for lines in pages:
        margins = _margins(lines)
        page: list[str] = []
        first = True
        for ln in lines:
            box = getattr(ln, "box", None)
            if prev is not None and box is not None and margins and ln:
                pl, pb, pr, pt = prev.box
                l, b, r, t = box
                step = (pb + pt) / 2 - (b + t) / 2
                wrapped = pr + 0.25 * pitch + ln.first_word > prev_right - 1.0
                follows = first or 0.6 * pitch <= step <= 1.2 * pitch
                target = page if page else next((p for p in reversed(out) if p), None)
                if (wrapped and follows and target and target[-1] and not _OPENS.match(ln)
                        and abs(l - margins[0]) <= 0.3 * pitch):
                    target[-1] = target[-1] + " " + ln
                    prev, prev_right, first = ln, margins[1], False
                    continue
                if not first and step > 1.25 * pitch and page and page[-1]:
                    page.append("")      # the space between two paragraphs, kept as a blank line
            page.append(str(ln))
            if box is not None and margins:
                prev, prev_right = ln, margins[1]
            elif ln:
                prev = None
            if ln:
                first = False
        out.append(page)
    return out


_STREAM = re.compile(rb"stream\r?\n")


def check_inflation(data: bytes, name: str, limits: Limits) -> None:
    """Inflate every Flate-compressed stream that is not an image, in chunks, counting what
    really comes out, before PDFium reads the file: a content stream of a few kilobytes can
    claim gigabytes of drawing operators. Images are left to the renderer, which decodes one
    page at a time within the OCR pixel budget."""
    total = 0
    for m in _STREAM.finditer(data):
        start = m.end()
        head = data[max(0, data.rfind(b"obj", 0, m.start())):m.start()]
        if b"/FlateDecode" not in head and b"/Fl " not in head and b"/Fl/" not in head and b"/Fl]" not in head:
            continue
        if b"/Image" in head:
            continue
        end = data.find(b"endstream", start)
        end = len(data) if end < 0 else end
        d = zlib.decompressobj()
        pos = start
        try:
            while pos < end and not d.eof:
                chunk = data[pos:min(end, pos + (1 << 16))]
                pos += len(chunk)
                buf = d.decompress(chunk, 1 << 20)
                while True:
                    total += len(buf)
                    if total > limits.max_unzipped_bytes:
                        raise DocumentTooLarge(
                            f"{name}: the PDF's compressed streams expand to more than "
                            f"{limits.max_unzipped_bytes / 1e6:.0f} MB (LEXPERT_MAX_UNZIPPED); refusing a likely PDF bomb")
                    if not d.unconsumed_tail:
                        break
                    buf = d.decompress(d.unconsumed_tail, 1 << 20)
        except zlib.error:
            log.debug("%s: a damaged compressed stream at byte %d (left to PDFium)", name, start)
            continue            # a damaged stream: PDFium decides what to make of it


def read_pdf(data: bytes, name: str, limits: Limits) -> RawDocument:
    check_inflation(data, name, limits)
    with _LOCK, _no_gc():
        return _read_pdf(data, name, limits)


@contextlib.contextmanager
def _no_gc():
    """Page reading makes hundreds of thousands of short-lived objects (lines, boxes) and
    no reference cycles: the cyclic collector, run on every few hundred of them, would only
    walk the heap for nothing. Freed by reference counting as before."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _read_pdf(data: bytes, name: str, limits: Limits) -> RawDocument:
    import pypdfium2 as pdfium

    pdf = _open(data, name)
    try:
        n = len(pdf)
        if n > limits.max_pages:
            raise DocumentTooLarge(f"{name}: {n} pages is over the limit of {limits.max_pages} (LEXPERT_MAX_PAGES)")
        pages: list[list[str]] = []
        ocr_pages = 0
        chars = 0
        notes: list[str] = []
        for i in range(n):
            check_deadline()              # a long scan stops within a page of its budget, in any thread
            try:
                page = pdf[i]
            except pdfium.PdfiumError as exc:
                raise UnreadableDocument(f"{name}: page {i + 1} cannot be read ({exc})") from exc
            try:
                textpage = page.get_textpage()
                try:
                    lines = _page_lines(textpage, page.get_height())
                finally:
                    textpage.close()
                body = "".join(lines)
                if len(body.strip()) < MIN_CHARS_PER_PAGE and (not body.strip() or _has_images(page)):
                    log.info("%s: page %d has no text layer: read by OCR (%s, %d dpi)", name, i + 1,
                             limits.ocr_langs, limits.ocr_dpi)
                    text, note = _ocr_page(page, limits, name)
                    lines = [_Line(ln) for ln in text.split("\n")]
                    ocr_pages += 1
                    if note and note not in notes:
                        notes.append(note)
            finally:
                page.close()
            chars += sum(len(ln) + 1 for ln in lines)
            if chars > limits.max_chars:
                raise DocumentTooLarge(f"{name}: more than {limits.max_chars} characters of text "
                                       f"by page {i + 1} (LEXPERT_MAX_CHARS)")
            pages.append(lines)
    finally:
        pdf.close()
    pages = _strip_furniture(pages)
    pitch = _line_pitch(pages)
    pages = _join_wrapped(pages, pitch)
    fmt = "pdf-ocr" if ocr_pages and ocr_pages == n else "pdf"
    warnings = ([f"{ocr_pages} of {n} pages read by OCR"] if ocr_pages else []) + notes
    return RawDocument(text="\n".join("\n".join(p) for p in pages), format=fmt, source=name, pages=n,
                       warnings=warnings, meta={"ocr_pages": ocr_pages})
