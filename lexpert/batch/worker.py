"""The per-draft work of a batch: ``analyze`` one :class:`DraftRecord` into a :class:`DraftResult`.

This is the only place a batch touches the analysis, and it calls the one analysis path,
:func:`lexpert.pipeline.analyze`. A document that cannot be analysed becomes an error
row with a one-line reason; nothing a document contains can stop the batch.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..budget import memory_ceiling, time_limit
from ..errors import LexpertError
from ..taxonomy import FAMILIES
from .records import ActRow, DraftRecord, DraftResult, FindingRow, NormRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerOptions:
    """Settings every worker gets: per-document time limit (seconds, 0 = none), keep norms."""

    doc_timeout: float = 300.0
    keep_norms: bool = True


def init_worker(watch_parent: bool = True) -> None:
    """Process initializer: load the default detector once and warm its pipelines.

    With ``watch_parent`` a daemon thread ends the process when its parent dies (a killed
    batch must not leave workers running on)."""
    from ..detect.base import default_detector
    from ..pipeline import analyze

    default_detector()
    for text in ("1. Уполномоченный орган вправе продлить срок.", "1. Уәкілетті орган мерзімді ұзартуға құқылы."):
        analyze(text.encode("utf-8"), name="warmup.txt")
    if watch_parent:
        parent = os.getppid()

        def watch() -> None:
            while True:
                time.sleep(1.0)
                if os.getppid() != parent:
                    os._exit(3)

        threading.Thread(target=watch, daemon=True, name="lexpert-parent-watch").start()


def init_local_worker(log_level: int | None = None) -> None:
    """The local engine's worker: a process of its own, so its address space is capped
    (``LEXPERT_MAX_MEMORY_MB``) before the detector loads; then :func:`init_worker`.
    ``log_level``: the parent's logging to stderr (``lexpert -v``), which a spawned process
    does not inherit."""
    from ..settings import Limits, configure_logging

    if log_level is not None:
        configure_logging(log_level)
    memory_ceiling(Limits.from_env().max_memory_mb)
    init_worker()
    log.debug("batch worker %d ready", os.getpid())


def error_result(rec: DraftRecord, reason: str, code: str, seconds: float = 0.0) -> DraftResult:
    """The error row of a draft that could not be analysed."""
    reason = " ".join(str(reason).split()) or code
    log.info("%s: error row (%s): %s", rec.id, code, reason)
    return DraftResult(act=ActRow(
        id=rec.id, status="error", error=reason, error_code=code, source=rec.path, title=rec.title,
        agency=rec.agency, sphere=rec.sphere, kind=rec.kind, date=rec.date, url=rec.url, format=None,
        language=None, chars=0, sha256=None, norms=0, flagged_norms=0, findings=0, seconds=round(seconds, 4)))


def process_record(rec: DraftRecord, opts: WorkerOptions = WorkerOptions()) -> DraftResult:
    """Analyse one draft. Never raises for a bad document: returns an error row instead."""
    from ..pipeline import analyze

    if rec.error:
        return error_result(rec, rec.error, "bad_record")
    t0 = time.perf_counter()
    try:
        with time_limit(opts.doc_timeout, rec.id):
            if rec.path:
                report = analyze(Path(rec.path), lang=rec.lang)
            else:
                report = analyze((rec.text or "").encode("utf-8"), name=f"{rec.id}.txt", lang=rec.lang)
    except LexpertError as exc:
        return error_result(rec, str(exc), exc.code, time.perf_counter() - t0)
    except MemoryError:
        return error_result(rec, f"{rec.id}: out of memory while analysing the document", "memory",
                            time.perf_counter() - t0)
    except RecursionError:
        return error_result(rec, f"{rec.id}: the document's structure is nested too deeply", "recursion",
                            time.perf_counter() - t0)
    except Exception as exc:  # a bug must cost one document, not the batch; the type is kept in the reason
        log.warning("%s: internal error (%s: %s)", rec.id, type(exc).__name__, exc,
                    exc_info=log.isEnabledFor(logging.DEBUG))
        return error_result(rec, f"{rec.id}: internal error ({type(exc).__name__}: {exc})", "internal",
                            time.perf_counter() - t0)
    seconds = time.perf_counter() - t0
    s = report.summary()
    fams = s["by_family"]
    act = ActRow(
        id=rec.id, status="ok", error=None, error_code=None, source=rec.path or report.source,
        title=rec.title or report.title, agency=rec.agency, sphere=rec.sphere, kind=rec.kind, date=rec.date,
        url=rec.url, format=report.format, language=report.language, chars=len(report.text),
        sha256=report.sha256, norms=s["norms"], flagged_norms=s["flagged_norms"], findings=s["findings"],
        **{f"findings_{f}": int(fams.get(f, 0)) for f in FAMILIES},
        by_code=json.dumps({k: v for k, v in s["by_code"].items() if v}, ensure_ascii=False),
        detector=report.detector, seconds=round(seconds, 4),
        coverage=s["coverage"]["status"], coverage_reasons=",".join(r["code"] for r in s["coverage"]["reasons"]) or None)
    lang_of = {n.id: n.lang for n in report.norms}
    findings = [FindingRow.from_record(f, id=rec.id, finding=f"f{i + 1}",
                                       lang=lang_of.get(f.norm_id, report.language))
                for i, f in enumerate(report.findings)]
    norms = [NormRow.from_record(n, id=rec.id) for n in report.norms] if opts.keep_norms else []
    return DraftResult(act=act, findings=findings, norms=norms)
