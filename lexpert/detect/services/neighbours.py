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

    def about(self, m: Norm) -> bool:
        low = m.text.lower()
        if point_key(m) == self.point:
            return any(k in low for k in self.keys)
        return any(k in low for k in self.keys) and (
            not self.pkey or self.pkey in low or (self.lang == "ru" and self.service_giver in low))


def read_neighbours(rec: ServiceObligation, n: Norm, chapter: list[Norm], lang: str) -> None:
    """Fill documents, term, fee, result and refusal grounds from the norm, its point and its chapter."""
    L = lexicon(lang)
    topic = Topic(rec, n, L)
    for m in _scope(n, chapter, topic):
        if m is n or topic.about(m):
            _read_terms(rec, m, L)
            if m is not n:
                _read_mention(rec, n, m, L)
    _read_documents(rec, n, chapter, topic, L)
    _read_refusal(rec, n, chapter, topic, L)


def _scope(n: Norm, chapter: list[Norm], topic: Topic) -> list[Norm]:
    """The norm, the other norms of its point, then the norms of its chapter about the same thing."""
    same_point = [m for m in chapter if point_key(m) == point_key(n)]
    return [n] + [m for m in same_point if m is not n] + [m for m in chapter if m not in same_point and topic.about(m)]


def _read_terms(rec: ServiceObligation, m: Norm, L: Lexicon) -> None:
    """The term and the fee, where the record has none yet."""
    if rec.term is None:
        tm = L.term.search(m.text)
        if tm:
            rec.term = " ".join(tm.group(0).split())
            rec.sources["term"] = m.locator
    if rec.fee is None:
        for pat, val in L.fee:
            if pat.search(m.text):
                rec.fee = val
                rec.sources["fee"] = m.locator
                break


def _read_mention(rec: ServiceObligation, n: Norm, m: Norm, L: Lexicon) -> None:
    """A neighbour about the same thing: its result with a refusal, a standard it refers to, and the mention."""
    if rec.result is None:
        rm = L.result.search(m.text)
        if rm and L.result_refusal.search(rm.group(0)):
            rec.result = " ".join(rm.group(0).split())[:160]
            rec.sources["result"] = m.locator
    if L.standard.search(m.text):
        rec.standard = True
    if m.id != n.id:
        rec.mentions.append(m.locator)


def _list_items(chapter: list[Norm], m: Norm) -> list[Norm]:
    """The subpoints and items of ``m``'s point, ``m`` aside."""
    return [s for s in chapter if s.kind in LIST_ITEMS and point_key(s) == point_key(m) and s is not m]


def _read_documents(rec: ServiceObligation, n: Norm, chapter: list[Norm], topic: Topic, L: Lexicon) -> None:
    """A point «Для получения согласования … представляет:» with its subpoints, or an inline list;
    else the documents the norm itself names («с приложением …»)."""
    for m in chapter:
        if m is n or not topic.about(m):
            continue
        dm = L.documents_lead.search(m.text)
        if not dm:
            continue
        subs = _list_items(chapter, m)
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


def _read_refusal(rec: ServiceObligation, n: Norm, chapter: list[Norm], topic: Topic, L: Lexicon) -> None:
    """A list «Основаниями для отказа в … являются:» about the same thing: the grounds, and
    whether the list is closed or left open."""
    for m in chapter:
        if not L.refusal.search(m.text):
            continue
        if m is not n and not topic.about(m) and point_key(m) != point_key(n):
            continue
        subs = _list_items(chapter, m)
        rec.refusal_grounds = [" ".join(s.text.split())[:160] for s in subs] or [" ".join(m.text.split())[:240]]
        blob = " ".join([m.text] + [s.text for s in subs])
        rec.refusal = "open" if L.open_markers.search(blob) or not subs and not _NUMBERED.search(m.text) else "closed"
        rec.sources["refusal"] = m.locator
        return
