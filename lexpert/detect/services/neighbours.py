"""The terms of a service-like obligation read from its norm and its neighbours: the documents,
the term, the fee, the result and the grounds for refusal. A neighbour counts when it
belongs to the same point, or speaks of the same thing (the object's stem) in the same chapter."""
from __future__ import annotations

import re
from ...records import Norm
from .lexicon import Lexicon, lexicon
from .obligation import ServiceObligation

LIST_ITEMS = ("subpoint", "item")
_WORDS = re.compile(r"[\w\-]+")
_NUMBERED = re.compile(r"\d+\)")


def chapter_key(n: Norm) -> tuple:
    return (n.path.get("annex"), n.path.get("section"), n.path.get("chapter"), n.path.get("article"))


def point_key(n: Norm) -> tuple:
    return chapter_key(n) + (n.path.get("point"), n.path.get("part"))


def stem(word: str, lang: str) -> str:
    from ...nlp.pipeline import lemma

    return lemma(word, lang)[:6]


class Chapter:
    """The norms of one chapter with what every record of it reads from them, worked out once:
    their points, their lower-cased texts and the lexicon's searches over them. A flat draft of
    thousands of points is one chapter, so a record must not search it afresh."""

    def __init__(self, norms: list[Norm]):
        self.norms = list(norms)
        self.points = [point_key(m) for m in self.norms]
        self.low = [m.text.lower() for m in self.norms]
        self._at = {id(m): i for i, m in enumerate(self.norms)}
        self._found: dict[tuple[int, int], re.Match | None] = {}
        self._words: dict[tuple, list[bool]] = {}
        self._by_point: dict[tuple, list[int]] = {}
        for i, k in enumerate(self.points):
            self._by_point.setdefault(k, []).append(i)

    def __len__(self) -> int:
        return len(self.norms)

    def index(self, n: Norm) -> int | None:
        return self._at.get(id(n))

    def search(self, pattern: re.Pattern, i: int) -> re.Match | None:
        """``pattern.search`` over norm ``i``'s text, once per pattern and norm."""
        key = (id(pattern), i)
        if key not in self._found:
            self._found[key] = pattern.search(self.norms[i].text)
        return self._found[key]

    def hits(self, pattern: re.Pattern) -> list[int]:
        """The norms ``pattern`` finds something in, in document order."""
        key = ("hits", id(pattern))
        if key not in self._words:
            self._words[key] = [i for i in range(len(self.norms)) if self.search(pattern, i)]
        return self._words[key]

    def has(self, word: str) -> list[bool]:
        """For every norm: whether its lower-cased text holds ``word``."""
        key = ("has", word)
        if key not in self._words:
            self._words[key] = [word in low for low in self.low]
        return self._words[key]

    def same_point(self, key: tuple) -> list[int]:
        return self._by_point.get(key, [])


class Topic:
    """What a neighbour of norm ``n`` must speak of to be about ``rec``: the object's key words
    and, outside ``n``'s point, the provider's stem."""

    def __init__(self, rec: ServiceObligation, n: Norm, L: Lexicon):
        self.point = point_key(n)
        self.lang = L.lang
        self.service_giver = L.service_giver
        if rec.kind in L.topic_keys:
            self.keys = L.topic_keys[rec.kind]
        else:
            head = _WORDS.match(rec.object.lower())
            key = stem(head.group(0), L.lang)[:5] if head else ""
            self.keys = [key] if key else []
        pw = [w for w in _WORDS.findall((rec.provider or "").lower()) if len(w) > 3]
        self.pkey = stem(pw[-1] if L.lang == "kk" else pw[0], L.lang)[:5] if pw else ""

    def about_all(self, ch: Chapter) -> list[bool]:
        """For every norm of ``ch``: whether it speaks of the object (one of its key words) and,
        outside ``n``'s point, of the same provider (its stem; in Russian also «услугодатель»)."""
        n = len(ch)
        keyed = [False] * n
        for k in self.keys:
            keyed = [a or b for a, b in zip(keyed, ch.has(k))]
        if not self.pkey:
            return keyed
        giver = ch.has(self.pkey)
        if self.lang == "ru":
            giver = [a or b for a, b in zip(giver, ch.has(self.service_giver))]
        return [k and (g or p == self.point) for k, g, p in zip(keyed, giver, ch.points)]


def read_neighbours(rec: ServiceObligation, n: Norm, chapter: list[Norm] | Chapter, lang: str) -> None:
    """Fill documents, term, fee, result and refusal grounds from the norm, its point and its chapter."""
    L = lexicon(lang)
    ch = chapter if isinstance(chapter, Chapter) else Chapter(chapter)
    about = Topic(rec, n, L).about_all(ch)
    others = [j for j in _scope(n, ch, about) if about[j]]
    _read_terms(rec, n, [ch.index(n)] + others, L, ch)
    _read_mentions(rec, n, others, L, ch)
    _read_documents(rec, n, ch, about, L)
    _read_refusal(rec, n, ch, about, L)


def _scope(n: Norm, ch: Chapter, about: list[bool]) -> list[int]:
    """The other norms of ``n``'s point, then the norms of its chapter about the same thing
    (indices into ``ch``)."""
    me = ch.index(n)
    same = ch.same_point(point_key(n))
    inside = set(same)
    return [j for j in same if j != me] + [j for j in range(len(ch)) if j not in inside and about[j]]


def _first(n: Norm, order: list[int | None], patterns: list[re.Pattern], ch: Chapter):
    """The first norm in ``order`` one of ``patterns`` finds something in (``None`` stands for
    ``n`` outside the chapter): the norm, the pattern and the match; else ``None``."""
    hit: set[int] = set().union(*(ch.hits(p) for p in patterns))
    for j in order:
        if j is not None and j not in hit:
            continue
        for pat in patterns:
            m = ch.search(pat, j) if j is not None else pat.search(n.text)
            if m:
                return (ch.norms[j] if j is not None else n), pat, m
    return None


def _read_terms(rec: ServiceObligation, n: Norm, order: list[int | None], L: Lexicon, ch: Chapter) -> None:
    """The term and the fee, where the record has none yet: each from the first norm in ``order``
    that states it."""
    if rec.term is None:
        found = _first(n, order, [L.term], ch)
        if found:
            rec.term = " ".join(found[2].group(0).split())
            rec.sources["term"] = found[0].locator
    if rec.fee is None:
        fees = dict(L.fee)
        found = _first(n, order, list(fees), ch)
        if found:
            rec.fee = fees[found[1]]
            rec.sources["fee"] = found[0].locator


def _read_mentions(rec: ServiceObligation, n: Norm, others: list[int], L: Lexicon, ch: Chapter) -> None:
    """The neighbours about the same thing (``others``, in the order read): the first result with
    a refusal, whether one refers to a standard, and the mentions."""
    for j in others if rec.result is None else ():
        rm = ch.search(L.result, j)
        if rm and L.result_refusal.search(rm.group(0)):
            rec.result = " ".join(rm.group(0).split())[:160]
            rec.sources["result"] = ch.norms[j].locator
            break
    standard = set(ch.hits(L.standard))
    if any(j in standard for j in others):
        rec.standard = True
    rec.mentions += [ch.norms[j].locator for j in others if ch.norms[j].id != n.id]


def _list_items(ch: Chapter, j: int) -> list[Norm]:
    """The subpoints and items of norm ``j``'s point, ``j`` aside."""
    return [ch.norms[i] for i in ch.same_point(ch.points[j]) if i != j and ch.norms[i].kind in LIST_ITEMS]


def _read_documents(rec: ServiceObligation, n: Norm, ch: Chapter, about: list[bool], L: Lexicon) -> None:
    """A point «Для получения согласования … представляет:» with its subpoints, or an inline list;
    else the documents the norm itself names («с приложением …»)."""
    for j in ch.hits(L.documents_lead):
        m = ch.norms[j]
        if m is n or not about[j]:
            continue
        dm = ch.search(L.documents_lead, j)
        subs = _list_items(ch, j)
        if subs:
            rec.documents = [" ".join(s.text.split())[:160] for s in subs]
        elif dm.group(1).strip():
            rec.documents = [x.strip(" ,") for x in L.list_separators.split(dm.group(1)) if x.strip(" ,")][:10]
        if rec.documents:
            rec.sources["documents"] = m.locator
            return
    im = L.inline_documents.search(n.text)
    if im:
        rec.documents = [" ".join((im.group(1) or im.group(2)).split())]
        rec.sources["documents"] = n.locator


def _read_refusal(rec: ServiceObligation, n: Norm, ch: Chapter, about: list[bool], L: Lexicon) -> None:
    """A list «Основаниями для отказа в … являются:» about the same thing: the grounds, and
    whether the list is closed or left open."""
    here = point_key(n)
    for j in ch.hits(L.refusal):
        m = ch.norms[j]
        if m is not n and not about[j] and ch.points[j] != here:
            continue
        subs = _list_items(ch, j)
        rec.refusal_grounds = [" ".join(s.text.split())[:160] for s in subs] or [" ".join(m.text.split())[:240]]
        blob = " ".join([m.text] + [s.text for s in subs])
        rec.refusal = "open" if L.open_markers.search(blob) or not subs and not _NUMBERED.search(m.text) else "closed"
        rec.sources["refusal"] = m.locator
        return
