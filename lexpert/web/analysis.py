"""The service's analyses, off the event loop: ``analyze()`` of an upload runs in a pool of
worker processes, so a large act (seconds of CPU) never stops the server answering others.

``LEXPERT_ANALYSIS_WORKERS`` processes (default: two, or one on a one-CPU machine) are
started with ``spawn`` and kept for the life of the server process; each loads the detector
once and warms it (:func:`lexpert.batch.worker.init_worker`), and caps its address space at
``LEXPERT_MAX_MEMORY_MB``. An upload waits for a free worker (uploads beyond the pool queue
in order); the event loop only awaits the result. Each task carries the server's
``LEXPERT_*`` variables as they are at the upload, so a worker analyses with the settings
the server has now, and runs under the per-document limit ``LEXPERT_DOC_TIMEOUT``. A worker
that dies (killed, out of memory) fails its upload with 503 and the pool is started afresh.

``LEXPERT_ANALYSIS_WORKERS=0`` analyses in a thread of the server process instead (no extra
processes; the event loop stays free, but Python's GIL shares one core between the analysis
and every other request).

What follows the analysis runs there too when the route asks (``then``): an upload's record is
stored and its answer's JSON rendered in the worker (:func:`lexpert.web.routes.drafts.store_upload`),
so that a large act's thousands of findings and its megabytes of JSON never hold the server
process's interpreter lock while it answers others.

At most ``LEXPERT_MAX_QUEUED_UPLOADS`` analyses wait for a worker in one server process (default
10 + 2 per worker); one more is refused at once with 503 (:class:`AnalysisBusy`, ``Retry-After``)
before anything is stored.
"""
from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, TypeVar

from starlette.concurrency import run_in_threadpool

from ..errors import DocumentTooLarge, LexpertError
from ..pipeline import ActReport, analyze
from ..settings import Limits, environment, get_settings, use_environment

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_in_flight = 0              # analyses of this process submitted and not finished (running or waiting)
RETRY_AFTER_S = 30          # what a refused upload is told to wait
T = TypeVar("T")


class AnalysisUnavailable(LexpertError):
    code = "analysis_unavailable"
    http_status = 503


class AnalysisBusy(AnalysisUnavailable):
    """More analyses wait for a worker than ``LEXPERT_MAX_QUEUED_UPLOADS``: refused, nothing stored."""

    code = "busy"
    retry_after = RETRY_AFTER_S


def _init() -> None:
    """Worker process initializer: the memory cap, then the detector loaded and warmed."""
    from ..batch.worker import init_worker
    from ..budget import memory_ceiling

    memory_ceiling(Limits.from_env().max_memory_mb)
    init_worker(watch_parent=True)


def _analyze(data: bytes, name: str, env: dict[str, str], then: Callable[..., Any] | None = None,
             args: tuple = ()) -> Any:
    """In a worker: take the server's ``LEXPERT_*`` variables, then analyse under the time limit;
    the report, or what ``then(report, *args)`` makes of it."""
    from ..budget import time_limit

    use_environment(env)
    limits = Limits.from_env()
    try:
        with time_limit(limits.doc_timeout, name, "LEXPERT_DOC_TIMEOUT"):
            report = analyze(data, name=name)
        return report if then is None else then(report, *args)
    except MemoryError:
        raise DocumentTooLarge(f"{name}: the analysis needs more than {limits.max_memory_mb} MB "
                               "(LEXPERT_MAX_MEMORY_MB)") from None


def _get_pool(workers: int) -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"), initializer=_init)
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def start() -> None:
    """Start every worker now (each loads and warms the detector), not at the first upload."""
    n = get_settings().analysis_worker_count()
    if n > 0:
        pool = _get_pool(n)
        for _ in range(n):
            pool.submit(os.getpid)


def stop() -> None:
    """Stop the workers (the server is shutting down)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _admit(name: str) -> None:
    """Count one more analysis in flight, or refuse it when too many already wait for a worker."""
    global _in_flight
    sv = get_settings()
    with _lock:
        waiting = _in_flight - max(1, sv.analysis_worker_count())
        if waiting >= sv.max_queued():
            raise AnalysisBusy(f"{name}: {_in_flight} analyses are running or waiting (at most "
                               f"{sv.max_queued()} wait, LEXPERT_MAX_QUEUED_UPLOADS); try again in {RETRY_AFTER_S} s")
        _in_flight += 1


def _done() -> None:
    global _in_flight
    with _lock:
        _in_flight -= 1


def in_flight() -> int:
    """Analyses of this process running or waiting for a worker."""
    return _in_flight


async def run(data: bytes, name: str, then: Callable[..., T] | None = None, *args: Any) -> Any:
    """``analyze(data, name=name)`` in a worker, or ``then(report, *args)`` done there after it (a
    module-level function, so that the worker can find it); the caller's event loop stays free
    meanwhile. Refused with :class:`AnalysisBusy` when too many analyses wait already."""
    _admit(name)
    try:
        n = get_settings().analysis_worker_count()
        if n <= 0:
            return await run_in_threadpool(_in_thread, data, name, then, args)
        pool = _get_pool(n)
        try:
            return await asyncio.wrap_future(pool.submit(_analyze, data, name, environment(), then, args))
        except BrokenProcessPool:
            _discard(pool)
            raise AnalysisUnavailable(f"{name}: the analysis worker stopped (out of memory or killed); try again") \
                from None
    finally:
        _done()


def _in_thread(data: bytes, name: str, then: Callable[..., Any] | None, args: tuple) -> Any:
    report = analyze(data, name=name)
    return report if then is None else then(report, *args)
