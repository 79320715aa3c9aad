"""Language identification for Russian, Kazakh and English legal text.

Kazakh is told from Russian by its own letters (ә ғ қ ң ө ұ ү һ і) and by its function
words; Russian by its function words among Cyrillic text with no Kazakh letters;
English by Latin script. ``detect_segments`` gives the runs of a mixed document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

KK_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_WORDS = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІіA-Za-z]+")
KK_FUNC = {"және", "мен", "бен", "пен", "бойынша", "туралы", "үшін", "осы", "немесе", "бұл", "сондай-ақ",
           "тиіс", "жөніндегі", "арқылы", "кейін", "дейін", "бар", "жоқ", "болып", "болады", "етіледі", "мынадай"}
RU_FUNC = {"и", "в", "на", "с", "по", "не", "что", "о", "об", "для", "от", "или", "к", "из", "при", "а",
           "настоящих", "настоящего", "является", "которые", "также", "если", "либо", "порядке"}
EN_FUNC = {"the", "of", "and", "to", "in", "is", "for", "on", "by", "with", "shall", "be", "or"}


def score(text: str) -> dict[str, float]:
    """Evidence for each language in ``text`` (counts of weighted cues)."""
    s = {"ru": 0.0, "kk": 0.0, "en": 0.0}
    for w in _WORDS.findall(text):
        for lang, v in _cues(w):
            s[lang] += v
    return s


@lru_cache(maxsize=200_000)
def _cues(w: str) -> tuple[tuple[str, float], ...]:
    """What one word adds to :func:`score` (a word recurs: computed once)."""
    lw = w.lower()
    if any(ch in KK_LETTERS for ch in w):
        return (("kk", 1.0),)
    if "a" <= lw[0] <= "z":
        return (("en", 1.0 + (lw in EN_FUNC)),)
    if lw in KK_FUNC:
        return (("kk", 1.5),)
    if lw in RU_FUNC:
        return (("ru", 1.5),)
    if lw.endswith(("ого", "ому", "ыми", "ими", "ость", "ения", "ании", "ение", "ться", "ется", "ются", "ых", "ий")):
        return (("ru", 1.0),)
    if lw.endswith(("лар", "лер", "дар", "дер", "тар", "тер", "ның", "нің", "ды", "ді", "ға", "ге", "да", "де")):
        return (("kk", 0.7),)
    return (("ru", 0.3), ("kk", 0.2))


def detect(text: str, default: str = "ru") -> str:
    """The language of ``text``: 'ru', 'kk' or 'en' (``default`` when there is no evidence)."""
    s = score(text)
    best = max(s, key=s.get)
    return best if s[best] > 0 else default


@dataclass(frozen=True)
class Segment:
    lang: str
    start: int
    end: int


_LAST_PARAS: tuple = (None, ())      # the last text scored and its lines' languages


def _paragraphs(text: str) -> tuple[tuple[str, int, int], ...]:
    """(language, start, end) of each line with evidence. The pipeline and the parser both ask
    for the segments of the same text object: its lines are scored once (kept for that object
    only, so a new analysis scores its text anew)."""
    global _LAST_PARAS
    last = _LAST_PARAS
    if last[0] is text:
        return last[1]
    paras: list[tuple[str, int, int]] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            s = score(line)
            if max(s.values()) > 0:
                paras.append((max(s, key=s.get), pos, end))
        pos = end + 1
    out = tuple(paras)
    _LAST_PARAS = (text, out)
    return out


def detect_segments(text: str, min_chars: int = 2000) -> list[Segment]:
    """Runs of one language, at paragraph granularity, merging runs shorter than ``min_chars``.

    A document written in Russian then Kazakh gives two segments; a Kazakh act quoting
    a Russian title stays one Kazakh segment.
    """
    paras = _paragraphs(text)
    if not paras:
        return []
    runs: list[list] = []
    for lang, a, b in paras:
        if runs and runs[-1][0] == lang:
            runs[-1][2] = b
        else:
            runs.append([lang, a, b])
    changed = True
    while changed and len(runs) > 1:  # absorb short runs into their longer neighbour
        changed = False
        lengths = [r[2] - r[1] for r in runs]
        i = lengths.index(min(lengths))        # the first shortest run
        if runs[i][2] - runs[i][1] < min_chars:
            left = runs[i - 1] if i > 0 else None
            right = runs[i + 1] if i + 1 < len(runs) else None
            tgt = max((r for r in (left, right) if r), key=lambda r: r[2] - r[1])
            tgt[1], tgt[2] = min(tgt[1], runs[i][1]), max(tgt[2], runs[i][2])
            del runs[i]
            merged = []
            for r in runs:
                if merged and merged[-1][0] == r[0]:
                    merged[-1][2] = r[2]
                else:
                    merged.append(r)
            runs = merged
            changed = True
    return [Segment(l, a, b) for l, a, b in runs]


def document_language(text: str) -> tuple[str, list[Segment]]:
    """('ru'|'kk'|'en'|'mixed', segments) for a whole document."""
    segs = detect_segments(text)
    langs = {s.lang for s in segs}
    if len(langs) > 1:
        return "mixed", segs
    if segs:
        return segs[0].lang, segs
    return detect(text), segs
