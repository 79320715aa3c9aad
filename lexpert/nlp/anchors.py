"""Necessary literals of a regex, and a compiled regex that skips texts lacking them.

``literal_anchors(pattern)`` reads, off the pattern's parse tree, a set of lower-case literal
strings one of which every match must contain (None when no such set can be read).
``Anchored(pattern)`` puts that test (a substring search per literal in the lower-cased
text) before ``search``, ``match``, ``fullmatch``, ``findall``, ``finditer`` and ``sub``: a
text with none of the literals cannot match, so the answer is the one the regex would give
(None, ``[]``, no match, the text unchanged) without running it. It is an optimisation only:
the regex still decides every text that has a literal, and a text holding a character that
``re.IGNORECASE`` equates with a literal's letter other than by ``str.lower`` (``re``'s extra
case pairs: «ᲀ» for «в», «ſ» for «s», «İ» for «i») always runs the regex.
"""
from __future__ import annotations

import re


def literal_anchors(pattern: str, min_len: int = 3) -> tuple[str, ...] | None:
    """Lower-case literal strings one of which every match of ``pattern`` must contain,
    or None when no such set can be read off the pattern. A cheap ``in`` test on them
    skips most patterns on most texts (the regex is still what decides)."""
    sets = necessary_sets(pattern, min_len)
    if not sets:
        return None
    # the most selective necessary set: fewest alternatives, then longest shortest literal
    return tuple(sorted(min(sets, key=_selectivity)))


def _selectivity(o: frozenset[str]) -> tuple[int, int]:
    return len(o), -min(map(len, o))


def necessary_sets(pattern: str, min_len: int = 3) -> list[frozenset[str]]:
    """Every set of lower-case literals read off the top level of ``pattern`` of which each
    match must contain one (a match holds one literal of *each* set); [] when none."""
    try:                      # the stdlib regex parser, read-only: re._parser from Python 3.11, sre_parse before
        from re import _parser as sre
    except ImportError:       # Python 3.10
        import sre_parse as sre  # type: ignore[no-redef]

    def seq(items) -> list[frozenset[str]]:
        options: list[frozenset[str]] = []
        run = ""
        for op, av in items:
            if op == sre.LITERAL:
                run += chr(av)
                continue
            if len(run) >= min_len:
                options.append(frozenset([run.lower()]))
            run = ""
            if op == sre.AT:
                continue
            sub = node(op, av)
            if sub:
                options.append(sub)
        if len(run) >= min_len:
            options.append(frozenset([run.lower()]))
        return options

    def best(items) -> frozenset[str] | None:
        options = seq(items)
        return min(options, key=_selectivity) if options else None

    def node(op, av) -> frozenset[str] | None:
        if op == sre.SUBPATTERN:
            return best(av[-1])
        if op == sre.BRANCH:
            out: set[str] = set()
            for b in av[1]:
                r = best(b)
                if r is None:
                    return None
                out |= r
            return frozenset(out)
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1:
            return best(av[2])
        return None

    try:
        return seq(sre.parse(pattern, re.I))
    except re.error:
        return []


def _unsafe_chars(anchors: tuple[str, ...]) -> set[str]:
    """Characters of a lower-cased text that ``re.IGNORECASE`` may match to a letter of the
    anchors although ``str.lower`` makes them differ; a text holding one runs the regex."""
    try:
        from re._casefix import _EXTRA_CASES as extra   # Python 3.11+
    except ImportError:                                   # pragma: no cover - Python 3.10
        from sre_compile import _ignorecase_fixes as extra  # type: ignore[attr-defined]
    letters = set("".join(anchors))
    bad: set[str] = set()
    for ch in letters:
        for o in extra.get(ord(ch), ()):
            bad.add(chr(o))
    if "i" in letters:
        bad.add("\u0307")                    # «İ» lower-cases to «i» and a combining dot
    if letters & {"σ", "ς"}:
        bad.update("σς")
    return bad


def _char_class(chars: set[str]) -> re.Pattern:
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")


class Anchored:
    """``pattern`` (a compiled regex) with the literal test of :func:`literal_anchors` (or
    the given ``anchors``, lower-case literals one of which every match contains) in front.
    Other attributes are the pattern's own."""

    __slots__ = ("regex", "anchors", "_unsafe")
    # the last text read, its lower case, and whether it holds any character of any instance's
    # ``_unsafe`` set (shared: many patterns read one text; a tuple, replaced whole)
    _last: tuple = (None, "", False)
    _odd: re.Pattern | None = None          # the union of every instance's ``_unsafe`` characters
    _odd_chars: set[str] = set()

    def __init__(self, pattern: re.Pattern, anchors: tuple[str, ...] | None = None):
        self.regex = pattern
        if anchors is None:     # the longer literals where the pattern has them, else two letters («Вы», «Я,»)
            anchors = literal_anchors(pattern.pattern, 3) or literal_anchors(pattern.pattern, 2)
        self.anchors = anchors
        bad = _unsafe_chars(self.anchors) if self.anchors else set()
        self._unsafe = _char_class(bad) if bad else None
        if bad - Anchored._odd_chars:
            Anchored._odd_chars = Anchored._odd_chars | bad
            Anchored._odd = _char_class(Anchored._odd_chars)
            Anchored._last = (None, "", False)

    def __getattr__(self, name):
        return getattr(self.regex, name)

    def __repr__(self) -> str:
        return f"Anchored({self.regex!r}, {self.anchors!r})"

    def can_match(self, text: str) -> bool:
        """False only where no match is possible: no anchor in the lower-cased text."""
        if not self.anchors:
            return True
        last = Anchored._last
        if last[0] is not text:
            low = text.lower()
            odd = Anchored._odd
            last = Anchored._last = (text, low, odd is not None and odd.search(low) is not None)
        low = last[1]
        for a in self.anchors:
            if a in low:
                return True
        return last[2] and self._unsafe is not None and self._unsafe.search(low) is not None

    def search(self, text: str, *args):
        return self.regex.search(text, *args) if args or self.can_match(text) else None

    def match(self, text: str, *args):
        return self.regex.match(text, *args) if args or self.can_match(text) else None

    def fullmatch(self, text: str, *args):
        return self.regex.fullmatch(text, *args) if args or self.can_match(text) else None

    def findall(self, text: str, *args):
        return self.regex.findall(text, *args) if args or self.can_match(text) else []

    def finditer(self, text: str, *args):
        return self.regex.finditer(text, *args) if args or self.can_match(text) else iter(())

    def sub(self, repl, text: str, count: int = 0):
        return self.regex.sub(repl, text, count) if self.can_match(text) else text
