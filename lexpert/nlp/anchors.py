"""Necessary literals of a regex, and a compiled regex that skips texts lacking them.

``literal_anchors(pattern)`` reads, off the pattern's parse tree, a set of lower-case literal
strings one of which every match must contain (None when no such set can be read);
``literal_dnf(pattern)`` the literals as alternatives of conjunctions (one per branch of a
top-level alternation: every literal set of one branch). ``Anchored(pattern)`` puts the
latter test (substring searches in the lower-cased text) before ``search``, ``match``,
``fullmatch``, ``findall``, ``finditer`` and ``sub``: a text that fails it cannot match, so the
answer is the one the regex would give (None, ``[]``, no match, the text unchanged) without
running it. It is an optimisation only: the regex still decides every text that passes the
test, and a text holding a character that ``re.IGNORECASE`` equates with a literal's letter
other than by ``str.lower`` (``re``'s extra case pairs: «ᲀ» for «в», «ſ» for «s», «İ» for
«i») always runs the regex. A verbose pattern (``re.X``) gets no test.
"""
from __future__ import annotations

import re
from typing import Callable


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


try:                          # the stdlib regex parser, read-only: re._parser from Python 3.11, sre_parse before
    from re import _parser as _sre
except ImportError:           # Python 3.10
    import sre_parse as _sre  # type: ignore[no-redef]


def necessary_sets(pattern: str, min_len: int = 3) -> list[frozenset[str]]:
    """Every set of lower-case literals read off the top level of ``pattern`` of which each
    match must contain one (a match holds one literal of *each* set); [] when none."""
    try:
        return _seq_sets(_sre.parse(pattern, re.I), min_len)
    except re.error:
        return []


def _seq_sets(items, min_len: int) -> list[frozenset[str]]:
    """The necessary literal sets of a parsed sequence: its literal runs and its groups'."""
    options: list[frozenset[str]] = []
    run = ""
    for op, av in items:
        if op == _sre.LITERAL:
            run += chr(av)
            continue
        if len(run) >= min_len:
            options.append(frozenset([run.lower()]))
        run = ""
        if op == _sre.AT:
            continue
        sub = _node_set(op, av, min_len)
        if sub:
            options.append(sub)
    if len(run) >= min_len:
        options.append(frozenset([run.lower()]))
    return options


def _best_set(items, min_len: int) -> frozenset[str] | None:
    options = _seq_sets(items, min_len)
    return min(options, key=_selectivity) if options else None


def _node_set(op, av, min_len: int) -> frozenset[str] | None:
    if op == _sre.SUBPATTERN:
        return _best_set(av[-1], min_len)
    if op == _sre.BRANCH:
        out: set[str] = set()
        for b in av[1]:
            r = _best_set(b, min_len)
            if r is None:
                return None
            out |= r
        return frozenset(out)
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[0] >= 1:
        return _best_set(av[2], min_len)
    return None


def literal_dnf(pattern: str, min_len: int = 3) -> list[list[frozenset[str]]] | None:
    """Alternatives of conjunctions of literal sets: every match of ``pattern`` holds, for one
    alternative, a literal of each of its sets. A pattern that is one alternation («a…b|c…d»)
    gives one conjunction per branch (so «келісім беремін» needs both words, not «келісім»
    alone); any other pattern gives one, :func:`necessary_sets`. None when some match needs
    no literal at all."""
    try:
        items = [(op, av) for op, av in _sre.parse(pattern, re.I) if op != _sre.AT]
    except re.error:
        return None
    if len(items) == 1 and items[0][0] == _sre.SUBPATTERN:
        inner = [(op, av) for op, av in items[0][1][-1] if op != _sre.AT]
        if len(inner) == 1 and inner[0][0] == _sre.BRANCH:
            items = inner
    if len(items) == 1 and items[0][0] == _sre.BRANCH:
        conjs = []
        for branch in items[0][1][1]:
            sets = _seq_sets(branch, min_len)
            if not sets:
                return None
            conjs.append(sets)
        return conjs
    sets = necessary_sets(pattern, min_len)
    return [sets] if sets else None


def dnf_holds(dnf: list[list[frozenset[str]]] | tuple, low: str) -> bool:
    """Whether the lower-cased text ``low`` satisfies one conjunction of ``dnf``."""
    for conj in dnf:
        for options in conj:
            for a in options:
                if a in low:
                    break
            else:
                break             # no literal of this set: the conjunction fails
        else:
            return True
    return False


def compile_dnf(dnf) -> Callable[[str], bool]:
    """:func:`dnf_holds` for one ``dnf`` as a single expression of ``in`` tests (the literals
    written with ``repr``): the test an :class:`Anchored` runs on every text, without loops."""
    expr = " or ".join("(" + " and ".join("(" + " or ".join(f"{a!r} in low" for a in options) + ")"
                                         for options in conj) + ")" for conj in dnf)
    return eval("lambda low: " + expr, {"__builtins__": {}})


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
    """``pattern`` (a compiled regex) with the literal test of :func:`literal_dnf` (or the
    given ``anchors``, lower-case literals one of which every match contains) in front.
    ``anchors``: every literal the test reads. Other attributes are the pattern's own."""

    __slots__ = ("regex", "anchors", "dnf", "_holds", "_unsafe")
    # the last text read, its lower case, and whether it holds any character of any instance's
    # ``_unsafe`` set (shared: many patterns read one text; a tuple, replaced whole)
    _last: tuple = (None, "", False)
    _odd: re.Pattern | None = None          # the union of every instance's ``_unsafe`` characters
    _odd_chars: set[str] = set()

    def __init__(self, pattern: re.Pattern, anchors: tuple[str, ...] | None = None):
        self.regex = pattern
        if anchors is not None:
            dnf = [[frozenset(anchors)]] if anchors else None
        elif pattern.flags & re.VERBOSE:    # white space in the pattern is no literal there: no test
            dnf = None
        else:                   # the longer literals where the pattern has them, else two letters («Вы», «Я,»)
            dnf = literal_dnf(pattern.pattern, 3) or literal_dnf(pattern.pattern, 2)
        self.dnf = tuple(tuple(tuple(sorted(o, key=len, reverse=True)) for o in conj) for conj in dnf) if dnf else None
        self.anchors = tuple(sorted({a for conj in self.dnf for o in conj for a in o})) if self.dnf else None
        self._holds = compile_dnf(self.dnf) if self.dnf else None
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

    @staticmethod
    def _read(text: str) -> tuple:
        """``_last`` for ``text``: the text, its lower case, whether it holds an odd character."""
        low = text.lower()
        odd = Anchored._odd
        last = Anchored._last = (text, low, odd is not None and odd.search(low) is not None)
        return last

    def can_match(self, text: str) -> bool:
        """False only where no match is possible: the lower-cased text satisfies no conjunction
        of literals (:func:`literal_dnf`)."""
        holds = self._holds
        if holds is None:
            return True
        last = Anchored._last
        if last[0] is not text:
            last = Anchored._read(text)
        return holds(last[1]) or (last[2] and self._unsafe is not None and self._unsafe.search(last[1]) is not None)

    # the test of can_match written out in each method (one call less on every text read)
    def search(self, text: str, *args):
        holds = self._holds
        if args or holds is None:
            return self.regex.search(text, *args)
        last = Anchored._last
        if last[0] is not text:
            last = Anchored._read(text)
        if holds(last[1]) or (last[2] and self._unsafe is not None and self._unsafe.search(last[1]) is not None):
            return self.regex.search(text)
        return None

    def match(self, text: str, *args):
        holds = self._holds
        if args or holds is None:
            return self.regex.match(text, *args)
        last = Anchored._last
        if last[0] is not text:
            last = Anchored._read(text)
        if holds(last[1]) or (last[2] and self._unsafe is not None and self._unsafe.search(last[1]) is not None):
            return self.regex.match(text)
        return None

    def fullmatch(self, text: str, *args):
        return self.regex.fullmatch(text, *args) if args or self.can_match(text) else None

    def findall(self, text: str, *args):
        return self.regex.findall(text, *args) if args or self.can_match(text) else []

    def finditer(self, text: str, *args):
        holds = self._holds
        if args or holds is None:
            return self.regex.finditer(text, *args)
        last = Anchored._last
        if last[0] is not text:
            last = Anchored._read(text)
        if holds(last[1]) or (last[2] and self._unsafe is not None and self._unsafe.search(last[1]) is not None):
            return self.regex.finditer(text)
        return iter(())

    def sub(self, repl, text: str, count: int = 0):
        return self.regex.sub(repl, text, count) if self.can_match(text) else text
