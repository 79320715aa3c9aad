"""Who is who in a norm: the name of the state body asked (the provider), the person made to
obtain something (the obligor), and whether the subject of a sentence is a state body or a
person. The words are the lexicon's (:mod:`.lexicon`); this module reads the structure."""
from __future__ import annotations

import re

from .lexicon import Lexicon, lexicon

WORD = re.compile(r"[^\s,;.:]+")           # a word: up to a space or a punctuation mark
PUNCT = re.compile(r"[,;.:]")
_WORD_CHARS = re.compile(r"[\w\-]+")
_OPENER = re.compile(r"[«\"(]|\d")         # a quoted or bracketed name, a number
_ITEM_OR_QUOTE = re.compile(r"\d+\)|[«»\"]")

# what the next word does to a body's name
_TAKE, _CONTINUE, _LAST, _STOP = "take", "continue", "last", "stop"


def phrase_after(text: str, start: int, lang: str, max_words: int = 9) -> str:
    """The body's name: the body word and the genitive tail after it, up to a stop word or punctuation."""
    L = lexicon(lang)
    out: list[str] = []
    pos = start
    bm = L.body.match(text, start)
    if bm and " " in bm.group(0):
        out = bm.group(0).split()
        pos = start = bm.end()
    for i, m in enumerate(WORD.finditer(text[start:]), start=len(out)):
        gap = text[pos:start + m.start()]
        if PUNCT.search(gap) or "\n" in gap:
            break
        joined = bool(out) and out[-1].lower() in L.name_joiners
        step = _next_word(L, text[start + m.start():], m.group(0), i == 0, joined)
        if step == _STOP:
            break
        out.append(m.group(0))
        if step == _LAST:
            break
        pos = start + m.end()
        if step == _TAKE and len(out) >= max_words:
            break
    return " ".join(out).strip("«»\"() ")


def _next_word(L: Lexicon, rest: str, word: str, first: bool, joined: bool) -> str:
    """Whether the word at the start of ``rest`` belongs to the name; ``joined``: the name so far
    ends in a joining word («в», «по», «и»), so the name goes on whatever follows."""
    if first:
        return _TAKE
    if L.lang == "ru" and L.name_continues.match(rest):
        return _CONTINUE
    if L.name_stops.match(rest) and not joined:
        return _STOP
    if L.lang == "ru":
        return _TAKE if L.genitive_word.match(word) or _OPENER.match(word) or joined else _STOP
    # Kazakh: the name ends at the case-marked head (…бөлімінен, …әкімінің)
    if L.name_head_case.search(word) and _WORD_CHARS.match(word) and L.body.search(word):
        return _LAST
    return _TAKE


def kk_body_before(text: str, end: int) -> tuple[int, str] | None:
    """Kazakh: the body named before a position (…әкімінің анықтамасы, …органмен келісілген):
    where its name starts, and the name."""
    L = lexicon("kk")
    best = None
    for m in L.body.finditer(text, 0, end):
        if end - m.end() <= 60:
            best = m
    if not best:
        return None
    start = _kk_name_start(L, text, best.start())
    return start, text[start:best.end()]


def _kk_name_start(L: Lexicon, text: str, s: int) -> int:
    """Extend a Kazakh body's name to the left over its modifiers (up to 6 words, not over
    punctuation), and back over a leading conjunction."""
    words = list(WORD.finditer(text[:s]))
    k = len(words)
    n = 0
    while k > 0 and n < 6 and _kk_name_modifier(L, text, words[k - 1], s if n == 0 else words[k].start()):
        k -= 1
        n += 1
    while n and words[k].group(0).lower() == L.name_conjunction:
        k += 1
        n -= 1
    return words[k].start() if n else s


def _kk_name_modifier(L: Lexicon, text: str, w: re.Match, following: int) -> bool:
    """The word ``w`` belongs to the name that goes on at ``following`` (…облысы … әкімінің)."""
    word = w.group(0)
    if PUNCT.search(text[w.end():following]):
        return False
    if _ITEM_OR_QUOTE.match(word) or L.rs.private.fullmatch(word.lower()) or L.name_breakers.search(word):
        return False
    if L.body.fullmatch(word) and not L.genitive_ending.search(word) and not L.apparatus.match(text[w.end():].strip()):
        return False      # a body in the nominative is the subject, not part of the provider's name
    return bool(L.name_word.search(word))


def obligor(text: str, lang: str) -> str | None:
    """The first person or organisation named in ``text`` who can be made to obtain something."""
    L = lexicon(lang)
    low = text.replace("ё", "е")
    ms = sorted(list(L.rs.private.finditer(low)) + list(L.extra_private.finditer(low.lower())), key=lambda m: m.start())
    for m in ms:
        if _can_be_obligor(L, m.group(0), low):
            return text[m.start():m.end()]
    return None


def _can_be_obligor(L: Lexicon, w: str, low: str) -> bool:
    if w in L.pronouns:
        return False
    if L.lang == "kk":
        return not (L.obligor_oblique.search(w) and not w.endswith(L.recipient))
    if L.generic_obligor.match(w) and re.search(L.generic_obligor_lead + w, low):
        return False      # «для граждан», «проживания лиц»
    return not L.oblique.search(w.lower())


def subject(text: str, pos: int, lang: str) -> str | None:
    """The kind of the first actor named before ``pos`` in the sentence: 'state', 'private' or None.
    Kazakh is subject-first, Russian mostly too; a private actor anywhere before wins over a
    state body named as the provider («заявитель получает в управлении …»)."""
    L = lexicon(lang)
    low = text.replace("ё", "е").lower()
    sent_start = max(low.rfind(". ", 0, pos), low.rfind(": ", 0, pos), 0)
    priv = _private_before(L, low, sent_start, pos)
    state = _state_before(L, low, sent_start, pos)
    if priv and (not state or priv[0].start() < state[0].start()):
        return "private"
    if state and (L.lang != "ru" or L.state_heads.search(state[0].group(0))):
        return "state"
    return "private" if priv else None


def _private_before(L: Lexicon, low: str, start: int, pos: int) -> list[re.Match]:
    """Private actors between ``start`` and ``pos``, in order, but those in an oblique case."""
    priv = [m for m in L.rs.private.finditer(low, start, pos) if m.group(0) not in L.pronouns]
    priv = sorted(priv + list(L.extra_private.finditer(low, start, pos)), key=lambda m: m.start())
    oblique = L.genitive_ending if L.lang == "kk" else L.oblique
    return [m for m in priv if not oblique.search(m.group(0))]


def _state_before(L: Lexicon, low: str, start: int, pos: int) -> list[re.Match]:
    """State actors between ``start`` and ``pos``, but those in an oblique case (unless first in the sentence)."""
    return [m for m in L.rs.state.finditer(low, start, pos)
            if not L.state_oblique.search(m.group(0)) or m.start() == start]
