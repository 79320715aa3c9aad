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
"""
from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from starlette.concurrency import run_in_threadpool

from ..errors import DocumentTooLarge, LexpertError
from ..pipeline import ActReport, analyze
from ..settings import Limits, environment, get_settings, use_environment

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


class AnalysisUnavailable(LexpertError):
    code = "analysis_unavailable"
    http_status = 503


def _init() -> None:
    """Worker process initializer: the memory cap, then the detector loaded and warmed."""
    from ..batch.worker import init_worker
    from ..budget import memory_ceiling

    memory_ceiling(Limits.from_env().max_memory_mb)
    init_worker(watch_parent=True)


def _analyze(data: bytes, name: str, env: dict[str, str]) -> ActReport:
    """In a worker: take the server's ``LEXPERT_*`` variables, then analyse under the time limit."""
    from ..budget import time_limit

    use_environment(env)
    limits = Limits.from_env()
    try:
        with time_limit(limits.doc_timeout, name, "LEXPERT_DOC_TIMEOUT"):
            return analyze(data, name=name)
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


async def run(data: bytes, name: str) -> ActReport:
    """``analyze(data, name=name)`` in a worker; the caller's event loop stays free meanwhile."""
    n = get_settings().analysis_worker_count()
    if n <= 0:
        return await run_in_threadpool(analyze, data, name=name)
    pool = _get_pool(n)
    try:
        return await asyncio.wrap_future(pool.submit(_analyze, data, name, environment()))
    except BrokenProcessPool:
        _discard(pool)
        raise AnalysisUnavailable(f"{name}: the analysis worker stopped (out of memory or killed); try again") \
            from None
