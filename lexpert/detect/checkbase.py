"""What a sentence check is (:mod:`lexpert.detect.checks` lists them and runs them): the
record a check module defines, kept apart so that the checks and their registry import it
without importing each other."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

# what a check reads in a norm: the evidence's (start, end) in the norm's text, the reason, the details
Reading = tuple[int, int, str, dict]


@dataclass(frozen=True)
class SentenceCheck:
    """One check: ``read(text, lang, context)`` (lang: kk, else ru; context: the list lead-in or
    None) gives a :data:`Reading` or None; a hit is ``code`` at ``score``, with ``rule``."""

    name: str
    code: str
    score: float
    rule: str
    read: Callable[[str, str, "str | None"], "Reading | None"]
