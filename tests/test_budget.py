"""The per-document time budget holds wherever the analysis runs: in the main thread with the
alarm blocked by a parent, in a thread (no alarm there), and when the alarm is swallowed."""
from __future__ import annotations

import signal
import threading
import time

import pytest

from lexpert.budget import DocumentTimeout, check_deadline, time_limit
from lexpert.pipeline import analyze
from lexpert.training.bench_analyze import flat_draft


def test_no_deadline_outside_a_limit_and_none_for_zero():
    check_deadline()
    with time_limit(0, "x"):
        time.sleep(0.01)
        check_deadline()


def test_a_swallowed_alarm_still_ends_in_a_timeout():
    # code that catches every exception (a third-party library) eats the alarm's exception;
    # the limit still refuses to return a result over budget
    with pytest.raises(DocumentTimeout, match="longer than 0.05 s"):
        with time_limit(0.05, "doc"):
            try:
                time.sleep(0.3)
            except Exception:
                pass


def test_the_alarm_is_unblocked_for_the_body_and_the_mask_restored():
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    try:
        t = time.monotonic()
        with pytest.raises(DocumentTimeout):
            with time_limit(0.1, "doc"):
                time.sleep(3)
        assert time.monotonic() - t < 1.5          # the alarm interrupted the sleep
        assert signal.SIGALRM in signal.pthread_sigmask(signal.SIG_BLOCK, set())
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def test_an_analysis_in_a_thread_stops_between_stages():
    text = flat_draft(6000)
    out: dict = {}

    def work():
        try:
            with time_limit(0.2, "long.txt", "LEXPERT_DOC_TIMEOUT"):
                out["report"] = analyze(text, name="long.txt")
        except DocumentTimeout as exc:
            out["error"] = str(exc)

    th = threading.Thread(target=work)
    th.start()
    th.join()
    assert "report" not in out
    assert out["error"] == "long.txt: analysis took longer than 0.2 s (LEXPERT_DOC_TIMEOUT)"
