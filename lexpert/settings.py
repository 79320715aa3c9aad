"""Run-time settings: embedded defaults, overridable with LEXPERT_* environment variables."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# the source checkout this package sits in (corpora/, scripts/; an installed wheel has none)
CHECKOUT = Path(__file__).resolve().parent.parent


def lexpert_home() -> Path:
    """``LEXPERT_HOME`` (default ``~/.lexpert``): the default database and the signing key live here."""
    home = Path(os.environ.get("LEXPERT_HOME", Path.home() / ".lexpert"))
    home.mkdir(parents=True, exist_ok=True)
    return home


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:  # a misconfiguration should say what is wrong, in one line
        from .errors import ConfigError

        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Limits:
    """Limits that protect a server or a batch from hostile or oversized input."""

    max_bytes: int = 50 * 1024 * 1024        # LEXPERT_MAX_BYTES: file size
    max_pages: int = 1000                    # LEXPERT_MAX_PAGES: PDF pages
    max_chars: int = 5_000_000               # LEXPERT_MAX_CHARS: extracted text
    max_unzipped_bytes: int = 200 * 1024 * 1024  # LEXPERT_MAX_UNZIPPED: DOCX expanded size
    max_zip_ratio: int = 200                 # LEXPERT_MAX_ZIP_RATIO: per-member compression ratio
    ocr_langs: str = "rus+kaz"               # LEXPERT_OCR_LANGS
    ocr_dpi: int = 300                       # LEXPERT_OCR_DPI
    max_ocr_pixels: int = 40_000_000         # LEXPERT_MAX_OCR_PIXELS: a page rendered for OCR (A4 at 300 dpi: 8.7 M)
    doc_timeout: int = 600                   # LEXPERT_DOC_TIMEOUT: seconds for one document in analyze/compare (0: none)
    max_memory_mb: int = 4096                # LEXPERT_MAX_MEMORY_MB: address space of a batch worker process

    @classmethod
    def from_env(cls) -> "Limits":
        d = cls()
        return cls(
            max_bytes=_int_env("LEXPERT_MAX_BYTES", d.max_bytes),
            max_pages=_int_env("LEXPERT_MAX_PAGES", d.max_pages),
            max_chars=_int_env("LEXPERT_MAX_CHARS", d.max_chars),
            max_unzipped_bytes=_int_env("LEXPERT_MAX_UNZIPPED", d.max_unzipped_bytes),
            max_zip_ratio=_int_env("LEXPERT_MAX_ZIP_RATIO", d.max_zip_ratio),
            ocr_langs=os.environ.get("LEXPERT_OCR_LANGS", d.ocr_langs),
            ocr_dpi=_int_env("LEXPERT_OCR_DPI", d.ocr_dpi),
            max_ocr_pixels=_int_env("LEXPERT_MAX_OCR_PIXELS", d.max_ocr_pixels),
            doc_timeout=_int_env("LEXPERT_DOC_TIMEOUT", d.doc_timeout),
            max_memory_mb=_int_env("LEXPERT_MAX_MEMORY_MB", d.max_memory_mb),
        )


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):     # not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Service:
    """``lexpert serve``: the database connection pool and the analysis worker processes."""

    db_pool_size: int = 10                   # LEXPERT_DB_POOL_SIZE: connections kept open per server process
    db_max_overflow: int = 20                # LEXPERT_DB_MAX_OVERFLOW: extra connections opened under load
    db_pool_timeout: int = 30                # LEXPERT_DB_POOL_TIMEOUT: seconds a request waits for a connection
    # LEXPERT_ANALYSIS_WORKERS: processes that run the uploads' analyze() (0: a thread of the server process)
    analysis_workers: int = field(default_factory=lambda: min(2, _cpus()))

    @classmethod
    def from_env(cls) -> "Service":
        d = cls()
        return cls(
            db_pool_size=_int_env("LEXPERT_DB_POOL_SIZE", d.db_pool_size),
            db_max_overflow=_int_env("LEXPERT_DB_MAX_OVERFLOW", d.db_max_overflow),
            db_pool_timeout=_int_env("LEXPERT_DB_POOL_TIMEOUT", d.db_pool_timeout),
            analysis_workers=_int_env("LEXPERT_ANALYSIS_WORKERS", min(2, _cpus())),
        )
