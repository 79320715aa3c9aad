"""Per-document budgets: a time limit on one analysis and a memory ceiling on a batch worker.

- :func:`time_limit` raises :class:`DocumentTimeout` when one document's analysis runs past
  its limit. In the main thread of a process an alarm (SIGALRM, unblocked for the duration:
  a parent that blocked it, such as some CI runners and process supervisors, would otherwise
  hold it back and the analysis would finish silently past its budget) interrupts it; in any
  thread the pipeline checks the deadline between its stages (:func:`check_deadline`), and a
  body that ends past it raises on exit, so a result is never returned over budget. The CLI's
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
import time
from contextlib import contextmanager
from contextvars import ContextVar

from .errors import InputError

log = logging.getLogger(__name__)


class DocumentTimeout(InputError):
    """The analysis of one document ran past the per-document time limit."""

    code = "timeout"


_deadline: ContextVar[tuple[float, str] | None] = ContextVar("lexpert_deadline", default=None)


def check_deadline() -> None:
    """Raise DocumentTimeout if the innermost :func:`time_limit` around this call has run out
    (a no-op outside one). Called by the pipeline between its stages."""
    d = _deadline.get()
    if d is not None and time.monotonic() > d[0]:
        raise DocumentTimeout(d[1])


@contextmanager
def time_limit(seconds: float, what: str, setting: str = "--doc-timeout"):
    """Raise DocumentTimeout when the body runs past ``seconds``: by an alarm in the main
    thread, by the pipeline's checks between stages anywhere, and at the latest on exit."""
    if not seconds or seconds <= 0:
        yield
        return
    message = f"{what}: analysis took longer than {seconds:g} s ({setting})"
    token = _deadline.set((time.monotonic() + seconds, message))
    alarm = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not alarm:
        log.debug("%s: no alarm outside the main thread of a process; the deadline is checked between stages", what)

    def on_alarm(signum, frame):
        raise DocumentTimeout(message)

    if alarm:
        old = signal.signal(signal.SIGALRM, on_alarm)
        mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM}) \
            if hasattr(signal, "pthread_sigmask") else None
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
        check_deadline()                  # the alarm may have been swallowed: never a result over budget
    except DocumentTimeout:
        log.info("%s: stopped after %g s (%s)", what, seconds, setting)
        raise
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
            if mask is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        _deadline.reset(token)


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
