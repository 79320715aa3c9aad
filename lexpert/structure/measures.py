"""Cached counts of a unit's text that the unit rules and the unit classifier share."""
from __future__ import annotations

import re
from functools import lru_cache

_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=50_000)
def letters(t: str) -> int:
    return len(_LETTER.findall(t))


@lru_cache(maxsize=50_000)
def digit_share(t: str) -> float:
    n = len(_DIGIT.findall(t))
    return n / max(1, n + letters(t))
