"""One exception hierarchy for lexpert.

Every error a user can cause derives from :class:`LexpertError`; its ``str`` is a
single line the CLI prints as is (exit code 2) and the API returns as JSON.
"""
from __future__ import annotations


class LexpertError(Exception):
    """Base of all errors lexpert raises on purpose. ``code`` is a stable slug."""

    code = "error"
    http_status = 400

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


class InputError(LexpertError):
    """The input document cannot be analysed."""

    code = "input_error"
    http_status = 422


class UnsupportedFormat(InputError):
    code = "unsupported_format"
    http_status = 415


class UnreadableDocument(InputError):
    code = "unreadable"


class EncryptedDocument(InputError):
    code = "encrypted"


class EmptyDocument(InputError):
    code = "empty"


class DocumentTooLarge(InputError):
    code = "too_large"
    http_status = 413


class ArchiveBomb(InputError):
    code = "archive_bomb"
    http_status = 413


class OCRUnavailable(InputError):
    code = "ocr_unavailable"


class TaxonomyError(LexpertError):
    """A factor code outside the taxonomy, or a broken taxonomy file."""

    code = "taxonomy"


class ContractError(LexpertError):
    """Input that breaks a documented I/O contract (e.g. classify JSONL)."""

    code = "contract"


class ConfigError(LexpertError):
    """A malformed setting (an ``LEXPERT_*`` variable that is not what it must be)."""

    code = "config"
