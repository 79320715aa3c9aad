"""PDF: the text layer through pdfplumber, page furniture (running headers, footers, page
numbers) removed; pages without a text layer go through Tesseract OCR (rus+kaz)."""
from __future__ import annotations

import io
import re
import shutil
from collections import Counter

from ..config import Limits
from ..errors import DocumentTooLarge, EncryptedDocument, OCRUnavailable, UnreadableDocument
from ..records import RawDocument

_PAGE_NO = re.compile(r"^\s*(?:[-–—]?\s*\d{1,4}\s*[-–—]?|\d{1,4}\s*(?:/|из|of)\s*\d{1,4}|(?:стр\.?|page|бет)\s*\d{1,4})\s*$", re.I)
MIN_CHARS_PER_PAGE = 25


def _open(data: bytes, name: str):
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        _ = pdf.pages  # forces the page tree to load
        return pdf
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise EncryptedDocument(f"{name}: the PDF is password-protected; send an unprotected copy") from exc
    except PDFSyntaxError as exc:
        raise UnreadableDocument(f"{name}: not a valid PDF (corrupt or truncated)") from exc
    except Exception as exc:  # pdfminer raises a zoo of types on damaged files
        chain = [exc, exc.__cause__, exc.__context__, *getattr(exc, "args", ())]
        if any(isinstance(e, (PDFPasswordIncorrect, PDFEncryptionError)) for e in chain):
            raise EncryptedDocument(f"{name}: the PDF is password-protected; send an unprotected copy") from exc
        msg = " ".join(repr(e) for e in chain if e is not None).lower()
        if "password" in msg or "encrypt" in msg:
            raise EncryptedDocument(f"{name}: the PDF is password-protected; send an unprotected copy") from exc
        inner = next((type(e).__name__ for e in chain[1:] if isinstance(e, BaseException)), type(exc).__name__)
        raise UnreadableDocument(f"{name}: not a valid PDF (corrupt or truncated; {inner})") from exc


def _strip_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Drop lines that repeat at the top or bottom of most pages, and bare page numbers."""
    if len(pages) >= 2:
        def key(s: str) -> str:
            return re.sub(r"\d+", "#", s.strip().lower())
        edge = Counter()
        for lines in pages:
            for ln in set(lines[:2] + lines[-2:]):
                edge[key(ln)] += 1
        furniture = {k for k, c in edge.items() if c >= max(2, 0.6 * len(pages)) and k}
    else:
        furniture = set()
    out = []
    for lines in pages:
        kept = []
        for i, ln in enumerate(lines):
            at_edge = i < 2 or i >= len(lines) - 2
            if at_edge and (_PAGE_NO.match(ln) or re.sub(r"\d+", "#", ln.strip().lower()) in furniture):
                continue
            kept.append(ln)
        out.append(kept)
    return out


def ocr_available() -> bool:
    return shutil.which("tesseract") is not None


def _ocr_page(page, limits: Limits, name: str) -> str:
    if not ocr_available():
        raise OCRUnavailable(f"{name}: scanned PDF without a text layer and Tesseract is not installed "
                             f"(apt-get install tesseract-ocr tesseract-ocr-rus tesseract-ocr-kaz)")
    import pytesseract

    img = page.to_image(resolution=limits.ocr_dpi).original
    try:
        return pytesseract.image_to_string(img, lang=limits.ocr_langs, config="--psm 4")
    except pytesseract.TesseractError as exc:
        raise OCRUnavailable(f"{name}: OCR failed ({str(exc).splitlines()[0][:120]}); "
                             f"are the Tesseract languages {limits.ocr_langs} installed?") from exc


def read_pdf(data: bytes, name: str, limits: Limits) -> RawDocument:
    pdf = _open(data, name)
    try:
        n = len(pdf.pages)
        if n > limits.max_pages:
            raise DocumentTooLarge(f"{name}: {n} pages is over the limit of {limits.max_pages} (LEXPERT_MAX_PAGES)")
        pages: list[list[str]] = []
        ocr_pages = 0
        for page in pdf.pages:
            try:
                text = page.extract_text(x_tolerance=1.5, y_tolerance=3) or ""
            except Exception as exc:
                raise UnreadableDocument(f"{name}: page {page.page_number} cannot be read ({type(exc).__name__})") from exc
            if len(text.strip()) < MIN_CHARS_PER_PAGE and (page.images or not text.strip()):
                text = _ocr_page(page, limits, name)
                ocr_pages += 1
            pages.append([ln for ln in text.split("\n")])
            page.flush_cache()
    finally:
        pdf.close()
    pages = _strip_furniture(pages)
    fmt = "pdf-ocr" if ocr_pages and ocr_pages == n else "pdf"
    warnings = [f"{ocr_pages} of {n} pages read by OCR"] if ocr_pages else []
    return RawDocument(text="\n".join("\n".join(p) for p in pages), format=fmt, source=name, pages=n,
                       warnings=warnings, meta={"ocr_pages": ocr_pages})
