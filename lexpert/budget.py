"""Per-document budgets: a time limit on one analysis and a memory ceiling on a batch worker.

- :func:`time_limit` raises :class:`DocumentTimeout` when one document's analysis runs past
  its limit (SIGALRM, in the main thread of a process; elsewhere it is a no-op). The CLI's
  ``analyze`` and ``compare`` use ``LEXPERT_DOC_TIMEOUT``; ``batch`` its ``--doc-timeout``.
- :func:`memory_ceiling` caps the address space of a batch worker process
  (``LEXPERT_MAX_MEMORY_MB``): a document that needs more fails with ``MemoryError``, which
  the worker turns into that document's error row, and the batch goes on.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
from contextlib import contextmanager

from .errors import InputError

log = logging.getLogger(__name__)


class DocumentTimeout(InputError):
    """The analysis of one document ran past the per-document time limit."""

    code = "timeout"


@contextmanager
def time_limit(seconds: float, what: str, setting: str = "--doc-timeout"):
    """Raise DocumentTimeout after ``seconds`` (SIGALRM; only where it can be used)."""
    usable = seconds and seconds > 0 and hasattr(signal, "setitimer") \
        and threading.current_thread() is threading.main_thread()
    if not usable:
        if seconds and seconds > 0:
            log.debug("%s: no time limit outside the main thread of a process", what)
        yield
        return

    def on_alarm(signum, frame):
        raise DocumentTimeout(f"{what}: analysis took longer than {seconds:g} s ({setting})")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except DocumentTimeout:
        log.info("%s: stopped after %g s (%s)", what, seconds, setting)
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def memory_ceiling(mb: int) -> bool:
    """Cap this process's address space at ``mb`` MB (never raise an existing lower cap).
    Only for processes that analyse documents and nothing else: a batch worker."""
    try:
        import resource
    except ImportError:          # not on POSIX
        return False
    if not mb or mb <= 0:
        return False
    want = int(mb) * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY and soft <= want:
        return False
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    log.debug("address space of process %d capped at %d MB", os.getpid(), want // (1024 * 1024))
    return True
