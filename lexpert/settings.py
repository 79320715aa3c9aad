"""Run-time settings: one typed, frozen object read from the ``LEXPERT_*`` environment variables.

Every variable lexpert reads is a field of :class:`Settings` (the input limits are its member
:class:`Limits`), with its variable name, default and meaning in the field's metadata; the
configuration table of the README is :func:`markdown_table` of these fields (a test keeps the
two equal). No other module reads ``os.environ`` for an ``LEXPERT_*`` variable.

    from lexpert.settings import get_settings
    s = get_settings()                # validated; ConfigError (one line) on a malformed value
    s.detector, s.limits.max_bytes

:func:`get_settings` caches the object for as long as the ``LEXPERT_*`` variables of the
process are unchanged, so a variable set at run time (a test's ``monkeypatch.setenv``, a
script's ``os.environ[...] = ...``) is seen by the next call; :func:`reset_settings` drops the
cache. An empty variable counts as unset.

:func:`configure_logging` sends lexpert's ``logging`` records to stderr (the ``lexpert``
command's ``-v``/``-q``). This module is layer 0: it imports nothing but the standard library.
"""
from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Mapping

# the source checkout this package sits in (corpora/, scripts/; an installed wheel has none)
CHECKOUT = Path(__file__).resolve().parent.parent

PREFIX = "LEXPERT_"
_OFF = ("off", "0", "no", "false")
_ON = ("on", "1", "yes", "true")
DETECTORS = ("auto", "rules")


def _config_error(message: str) -> Exception:
    from .errors import ConfigError   # errors is layer 0 too; imported late to keep this module bare

    return ConfigError(message)


# ---------------------------------------------------------------------- parsers: (name, raw) -> value
def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:  # a misconfiguration should say what is wrong, in one line
        raise _config_error(f"{name} must be an integer, got {raw!r}") from None


def _str(name: str, raw: str) -> str:
    return raw


def _path(name: str, raw: str) -> Path:
    return Path(raw).expanduser()


def _switch(name: str, raw: str) -> bool:
    v = raw.strip().lower()
    if v in _ON:
        return True
    if v in _OFF:
        return False
    raise _config_error(f"{name} must be on or off (also 1/0, yes/no, true/false), got {raw!r}")


def _one_zero(name: str, raw: str) -> bool:
    if raw.strip() in ("0", "1"):
        return raw.strip() == "1"
    raise _config_error(f"{name} must be 1 or 0, got {raw!r}")


def _detector(name: str, raw: str) -> str:
    if raw in DETECTORS:
        return raw
    raise _config_error(f"{name} must be one of {', '.join(DETECTORS)}, got {raw!r}")


def _var(env: str, default: Any, shown: str, meaning: str, parse: Callable[[str, str], Any]) -> Any:
    """A settings field read from ``env``: ``shown`` is its default as the README shows it."""
    return field(default=default, metadata={"env": env, "shown": shown, "meaning": meaning, "parse": parse})


# ---------------------------------------------------------------------- the settings
@dataclass(frozen=True)
class Limits:
    """Limits that protect a server or a batch from hostile or oversized input."""

    max_bytes: int = _var("LEXPERT_MAX_BYTES", 50 * 1024 * 1024, "52428800", "largest input file", _int)
    max_pages: int = _var("LEXPERT_MAX_PAGES", 1000, "1000", "largest PDF, in pages", _int)
    max_chars: int = _var("LEXPERT_MAX_CHARS", 5_000_000, "5000000", "most extracted characters", _int)
    max_unzipped_bytes: int = _var(
        "LEXPERT_MAX_UNZIPPED", 200 * 1024 * 1024, "209715200",
        "most bytes a .docx, or the compressed non-image streams of a PDF, may expand to (zip and PDF bombs)", _int)
    max_zip_ratio: int = _var("LEXPERT_MAX_ZIP_RATIO", 200, "200",
                              "highest compression ratio of a .docx part over 1 MB", _int)
    ocr_langs: str = _var("LEXPERT_OCR_LANGS", "rus+kaz", "`rus+kaz`", "Tesseract languages", _str)
    ocr_dpi: int = _var("LEXPERT_OCR_DPI", 300, "300", "rendering resolution for OCR", _int)
    max_ocr_pixels: int = _var(
        "LEXPERT_MAX_OCR_PIXELS", 40_000_000, "40000000",
        "largest bitmap a page is rendered to for OCR (A4 at 300 dpi: 8.7 M); a larger page is rendered at a "
        "lower resolution, with a warning", _int)
    doc_timeout: int = _var(
        "LEXPERT_DOC_TIMEOUT", 600, "600",
        "seconds one document may take in `analyze`, `compare` and an upload to `lexpert serve` (0: none); `batch` "
        "has `--doc-timeout`", _int)
    max_memory_mb: int = _var(
        "LEXPERT_MAX_MEMORY_MB", 4096, "4096",
        "address space of each local `batch` worker process (a document that needs more becomes its error row, "
        "`memory`) and of each analysis worker of `lexpert serve` (the upload is refused with 413)", _int)

    @classmethod
    def from_env(cls) -> "Limits":
        """The limits of :func:`get_settings` (the environment as it is now)."""
        return get_settings().limits


@dataclass(frozen=True)
class Settings:
    """Every ``LEXPERT_*`` variable, typed. ``None``: the variable is unset and the reader's
    own default applies (the README's default column says which)."""

    limits: Limits = field(default_factory=Limits)
    home: Path | None = _var(
        "LEXPERT_HOME", None, "`~/.lexpert`",
        "where the default SQLite file and the signing key (`secret`) live; the e5-small checkpoint goes to its "
        "`e5-small/` and an encoder stage's tokenizer to its `e5-tokenizer/` (unset: `~/.cache/lexpert/`)", _path)
    database_url: str | None = _var("LEXPERT_DATABASE_URL", None, "SQLite in `LEXPERT_HOME`",
                                    "the expertise record's database (SQLAlchemy URL)", _str)
    secret: str | None = _var("LEXPERT_SECRET", None, "random, kept in `LEXPERT_HOME/secret`",
                              "key that signs tokens and session cookies", _str)
    user: str | None = _var("LEXPERT_USER", None, "—",
                            "the actor recorded in the audit log by the CLI (`--actor`, `--expert`)", _str)
    detector: str = _var("LEXPERT_DETECTOR", "auto", "`auto`",
                         "`rules` forces the rule layer even where a trained model is bundled", _detector)
    model: Path | None = _var("LEXPERT_MODEL", None, "`lexpert/data/models/default`",
                              "folder of the model `analyze`/`classify` load", _path)
    services: bool = _var("LEXPERT_SERVICES", True, "`on`",
                          "`off` (or `0`, `no`, `false`) disables the hidden-service layer of `analyze`", _switch)
    services_add: bool = _var(
        "LEXPERT_SERVICES_ADD", False, "`off`",
        "`on`: the hidden-service layer also raises `hidden_service` on service-like obligations the detectors "
        "did not flag (off by default: on labelled real norms none of its additions was right)", _switch)
    register: Path | None = _var(
        "LEXPERT_REGISTER", None, "—",
        "the Register of state services (CSV/XLSX, or the Register act as txt/docx/html/pdf) that clears "
        "`hidden_service` flags", _path)
    corpora: Path | None = _var("LEXPERT_CORPORA", None, "`corpora/`",
                                "folder of the annotated corpora (`lexpert corpus`, `train`, `evaluate`)", _path)
    realacts: Path | None = _var(
        "LEXPERT_REALACTS", None, "`../shared/realacts`",
        "folder of the real acts (`manifest.jsonl`) for `lexpert units` and the real-act tests", _path)
    torch_threads: int | None = _var(
        "LEXPERT_TORCH_THREADS", None, "CPUs available, at most 8",
        "threads of the e5 encoder: PyTorch in `train --e5`, NumPy's BLAS in the detector's encoder stage", _int)
    allow_torch_import: bool = _var(
        "LEXPERT_ALLOW_TORCH_IMPORT", False, "`0`",
        "`1` lets spaCy's thinc and skops import PyTorch at start (by default only lexpert's transformer code "
        "imports it, when used)", _one_zero)
    db_pool_size: int = _var("LEXPERT_DB_POOL_SIZE", 5, "5",
                             "database connections a process (each `lexpert serve` process) keeps open", _int)
    db_max_overflow: int = _var("LEXPERT_DB_MAX_OVERFLOW", 10, "10",
                                "connections it may open beyond those under load", _int)
    db_pool_timeout: int = _var("LEXPERT_DB_POOL_TIMEOUT", 30, "30", "seconds a caller waits for a connection", _int)
    db_requests: int = _var(
        "LEXPERT_DB_REQUESTS", 4, "4",
        "requests one `lexpert serve` process lets use the database at once (at most pool size + overflow); the "
        "others wait their turn without holding a thread. More threads in one Python process than this only "
        "contend for its lock: raise it for a PostgreSQL far away on the network", _int)
    analysis_workers: int | None = _var(
        "LEXPERT_ANALYSIS_WORKERS", None, "2 (1 on one CPU)",
        "processes of `lexpert serve` that analyse uploads (0: a thread of the server process)", _int)

    max_queued_uploads: int | None = _var(
        "LEXPERT_MAX_QUEUED_UPLOADS", None, "10 + 2 per analysis worker",
        "analyses (uploads, adopted texts) one `lexpert serve` process lets wait for a free analysis worker; one "
        "more is refused with 503 and `Retry-After`, nothing stored", _int)

    def analysis_worker_count(self) -> int:
        """``analysis_workers``, or by default two (one on a machine with one CPU)."""
        return self.analysis_workers if self.analysis_workers is not None else min(2, _cpus())

    def max_queued(self) -> int:
        """``max_queued_uploads``, or by default 10 + 2 per analysis worker (14 with the default two)."""
        if self.max_queued_uploads is not None:
            return max(0, self.max_queued_uploads)
        return 10 + 2 * max(1, self.analysis_worker_count())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Read and check every variable; a malformed one raises ConfigError (one line)."""
        env = os.environ if environ is None else environ
        return cls(limits=Limits(**_read(Limits, env)), **_read(cls, env))


def _read(cls: type, env) -> dict[str, Any]:
    out = {}
    for f in fields(cls):
        if "env" not in f.metadata:
            continue
        raw = env.get(f.metadata["env"])
        if raw is not None and raw.strip() != "":
            out[f.name] = f.metadata["parse"](f.metadata["env"], raw)
    return out


def variables() -> list[dict[str, str]]:
    """Every variable: ``env``, ``field`` (dotted: ``limits.max_bytes``), ``shown`` default and ``meaning``."""
    rows = []
    for prefix, cls in (("limits.", Limits), ("", Settings)):
        for f in fields(cls):
            if "env" in f.metadata:
                rows.append({"env": f.metadata["env"], "field": prefix + f.name,
                             "shown": f.metadata["shown"], "meaning": f.metadata["meaning"]})
    return rows


def markdown_table() -> str:
    """The README's configuration table."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    lines += [f"| `{v['env']}` | {v['shown']} | {v['meaning']} |" for v in variables()]
    return "\n".join(lines)


# ---------------------------------------------------------------------- the cached accessor
_CACHE: tuple[tuple[tuple[str, str], ...], Settings] | None = None


def _env_key() -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(PREFIX)))


def get_settings() -> Settings:
    """The settings of the environment as it is now: read once, and again whenever an
    ``LEXPERT_*`` variable changed since (set or removed at run time)."""
    global _CACHE
    key = _env_key()
    cached = _CACHE
    if cached is not None and cached[0] == key:
        return cached[1]
    s = Settings.from_env()
    _CACHE = (key, s)
    return s


def environment() -> dict[str, str]:
    """The ``LEXPERT_*`` variables of this process as they are now (to hand to a worker process)."""
    return dict(_env_key())


def child_environment(overrides: Mapping[str, str | None]) -> dict[str, str]:
    """The environment for a child process: this process's, with the ``LEXPERT_*`` variables of
    ``overrides`` set (``None`` removes one)."""
    env = dict(os.environ)
    for k, v in overrides.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def use_environment(env: Mapping[str, str]) -> None:
    """Make this process's ``LEXPERT_*`` variables exactly ``env`` (a long-lived worker process
    taking its parent's settings of the moment, task by task)."""
    for k in [k for k in os.environ if k.startswith(PREFIX) and k not in env]:
        del os.environ[k]
    os.environ.update(env)


def reset_settings() -> None:
    """Forget the cached settings (the next :func:`get_settings` reads the environment)."""
    global _CACHE
    _CACHE = None


def allow_torch_import() -> bool:
    """``LEXPERT_ALLOW_TORCH_IMPORT``, for :mod:`lexpert._torchguard` at import time: a malformed
    value of this or any other variable never fails ``import lexpert`` (it fails the first
    :func:`get_settings`, with its one-line message); the guard then stays on."""
    from .errors import ConfigError

    try:
        return get_settings().allow_torch_import
    except ConfigError:
        return False


# ---------------------------------------------------------------------- logging
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


class _Stderr(logging.StreamHandler):
    """A handler writing to ``sys.stderr`` as it is when a record is emitted (a test runner or
    click's CliRunner may swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure_logging(level: int = logging.WARNING) -> None:
    """Send lexpert's log records (the ``lexpert.*`` loggers) at ``level`` and above to stderr,
    one line each (``LEVEL lexpert.module: message``; a traceback logged at DEBUG follows its
    line); called again, it replaces its handler.
    The ``lexpert`` command calls it (``-v``: INFO, ``-vv``: DEBUG, ``-q``: ERROR; default
    WARNING), and so does a local batch worker, with its parent's level. A program using
    lexpert as a library configures ``logging`` itself instead."""
    log = logging.getLogger("lexpert")
    for h in [h for h in log.handlers if isinstance(h, _Stderr)]:
        log.removeHandler(h)
    h = _Stderr()
    h.setFormatter(logging.Formatter(LOG_FORMAT))
    log.addHandler(h)
    log.setLevel(level)


def configured_log_level() -> int | None:
    """The level :func:`configure_logging` set, or None where it was not called (a batch
    engine passes it on to its worker processes, which do not inherit it)."""
    log = logging.getLogger("lexpert")
    return log.level if any(isinstance(h, _Stderr) for h in log.handlers) else None


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):     # not Linux
        return os.cpu_count() or 1


def lexpert_home() -> Path:
    """``LEXPERT_HOME`` (default ``~/.lexpert``): the default database and the signing key live here."""
    home = get_settings().home or Path.home() / ".lexpert"
    home.mkdir(parents=True, exist_ok=True)
    return home

