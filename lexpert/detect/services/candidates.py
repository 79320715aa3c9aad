"""Candidates of service-like obligations in one norm's text: a thing obtained from a body
(«справка акима», «әкімнің анықтамасы»), an action done with a body's approval («по
согласованию с акиматом», «әкімдікпен келісу бойынша») and inclusion in a register on
application. The extractor (:mod:`.extract`) then decides which are obligations."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import Lexicon, lexicon
from .names import PUNCT, kk_body_before, phrase_after

_CLAUSE_END = re.compile(r"[;.]")
_HEAD_SPLIT = re.compile(r"[;:]|\d+\)")
_NEXT_WORDS = re.compile(r"(?:\s+[^\s,;.:]+){0,4}")
# kinds of object whose word may also appear in a «false object» nearby and still count (ru)
_RU_FALSE_OBJECT_TOLERANT = ("approval", "certificate", "conclusion")


@dataclass
class Candidate:
    kind: str
    start: int          # within the norm text
    end: int
    provider: str | None
    obj_text: str
    agreement: bool = False   # «по согласованию с …»: a condition on an action, not a thing obtained
    participle: bool = False  # «X, согласованный с Y» / «Y-мен келісілген X»


def find_candidates(text: str, lang: str) -> list[Candidate]:
    """Things obtained from a body: each object word with its provider, then (ru) «X, согласованный с Y»."""
    L = lexicon(lang)
    low = text.replace("ё", "е")
    cands: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    for pat, kind in L.objects:
        for m in pat.finditer(low):
            if any(a <= m.start() < b for a, b in taken):
                continue
            c = _object_candidate(L, text, low, m, kind)
            if c is not None:
                cands.append(c)
                taken.append((m.start(), m.end()))
    if L.lang == "ru":
        cands += _ru_participles(L, text, low, taken)
    return cands


def _object_candidate(L: Lexicon, text: str, low: str, m: re.Match, kind: str) -> Candidate | None:
    """The object word ``m`` with the body it is obtained from; None when it is no such thing."""
    if _false_object(L, low, m, kind):
        return None
    found = _ru_provider_after(L, low, m) if L.lang == "ru" else _kk_provider_before(L, low, m)
    if found is None:
        return None
    pstart, provider = found
    if L.commission.search(provider) or L.service_provider.search(provider):
        return None
    a = min(m.start(), pstart)
    b = max(m.end(), pstart + len(provider))
    if L.lang == "ru":
        b = _ru_complement_end(L, low, b)
    part = L.lang == "kk" and low[m.start():].startswith(L.participles)
    if part:
        b = kk_np_end(text, b)
    return Candidate(kind, a, b, provider, text[a:b], participle=part)


def _false_object(L: Lexicon, low: str, m: re.Match, kind: str) -> bool:
    """The object word means something else here («заключение договора», «шарт жасасу»)."""
    if L.false_obj.match(low, m.start()):
        return True
    return bool(L.false_obj.search(low[max(0, m.start() - 25):m.end() + 30])) \
        and not (L.lang == "ru" and kind in _RU_FALSE_OBJECT_TOLERANT)


def _ru_provider_after(L: Lexicon, low: str, m: re.Match) -> tuple[int, str] | None:
    """Russian: the body after the object («справка акима …», «согласование управления …»,
    «согласованный с …», «выданное …», «от/у/в/из …»): where its name starts, and the name."""
    if L.agreement_lead.search(low[max(0, m.start() - 20):m.start()]):
        return None       # «по согласованию с», «с согласия», «с разрешения»: see ru_agreements
    after = low[m.end():m.end() + 90]
    pm = L.provider_after.match(after)
    if pm and not PUNCT.search(after[:pm.start(1)]):
        pstart = m.end() + pm.start(1)
        return pstart, phrase_after(low, pstart, "ru")
    return None


def _kk_provider_before(L: Lexicon, low: str, m: re.Match) -> tuple[int, str] | None:
    """Kazakh: the body before the object, in the same clause."""
    if L.agreement_skip.match(low[m.start():]):
        return None       # a condition on an action: see kk_agreements
    bb = kk_body_before(low, m.start())
    if bb and not _CLAUSE_END.search(low[bb[0]:m.start()]):
        return bb
    return None


def _ru_complement_end(L: Lexicon, low: str, b: int) -> int:
    """Russian: extend the object over its complement («справка … о наличии личного подсобного хозяйства»)."""
    cm = L.complement.match(low[b:])
    if cm and L.complement_start.match(low[b:]):
        b += len(cm.group(0).rstrip())
    return b


def _ru_participles(L: Lexicon, text: str, low: str, taken: list[tuple[int, int]]) -> list[Candidate]:
    """Russian: «X, согласованный с Y»: the thing is the clause before the participle."""
    out = []
    for m in L.participle_body.finditer(low):
        if any(a <= m.start() < b for a, b in taken):
            continue
        provider = phrase_after(low, m.start(1), "ru")
        if L.commission.search(provider):
            continue
        head = _HEAD_SPLIT.split(low[:m.start()])[-1].strip(" ,")
        hs = max(0, m.start() - len(head) - 2)
        out.append(Candidate(_participle_kind(L, low, m, head), hs, m.start(1) + len(provider), provider,
                             text[hs:m.start(1) + len(provider)], participle=True))
    return out


def _participle_kind(L: Lexicon, low: str, m: re.Match, head: str) -> str:
    """The kind of «X, согласованный/выданный …»: X's own object word, else approval or confirmation."""
    for pat, kind in L.objects:
        if pat.search(head) and kind != "registration":
            return kind
    return "approval" if low[m.start():].startswith(L.approval_participle) else "confirmation"


def kk_np_end(text: str, end: int) -> int:
    """Kazakh: after «…органмен келісілген» the thing itself follows: extend to the end of the phrase."""
    m = _NEXT_WORDS.match(text[end:])
    return end + (m.end() if m else 0)


def ru_agreements(t: str) -> list[Candidate]:
    """«по согласованию с Y», «с согласия Y», «с разрешения Y», «при наличии согласия Y»."""
    L = lexicon("ru")
    low = t.replace("ё", "е")
    out = []
    for m in L.agreement.finditer(low):
        provider = phrase_after(low, m.start(2), "ru")
        if L.commission.search(provider) or L.agreement_not_provider.match(provider):
            continue
        kind = "permit" if L.permit_word in m.group(1) else "approval"
        out.append(Candidate(kind, m.start(), m.start(2) + len(provider), provider, t[m.start():m.start(2) + len(provider)],
                             agreement=True))
    return out


def kk_agreements(t: str) -> list[Candidate]:
    """«Y-мен келісу бойынша», «Y келісімімен», «Y-мен келіседі»."""
    L = lexicon("kk")
    low = t.lower()
    out = []
    for m in L.agreement.finditer(low):
        bb = kk_body_before(low, m.start())
        if not bb or _CLAUSE_END.search(low[bb[0]:m.start()]):
            continue
        provider = bb[1]
        if L.commission.search(provider):
            continue
        kind = "permit" if L.permit_word in m.group(1) else "approval"
        out.append(Candidate(kind, bb[0], m.end(), provider, t[bb[0]:m.end()],
                             agreement=not L.agreement_obtained.match(m.group(1))))
    return out


def inclusion(t: str, lang: str) -> list[Candidate]:
    """Inclusion, on application, in a register or list kept by a body (R2 b)."""
    low = t.replace("ё", "е").lower()
    L = lexicon(lang)
    m = L.inclusion.search(low)
    if not m or not L.application.search(low):
        return []
    provider = _ru_inclusion_provider(L, low, m.end()) if lang == "ru" else _kk_inclusion_provider(L, low)
    return [Candidate("registration", m.start(), m.end(), provider, t[m.start():m.end()])] if provider else []


def _ru_inclusion_provider(L: Lexicon, low: str, after: int) -> str | None:
    """The body that includes: named after the inclusion («в …», «акимом …»), else any «аким …», «управление …»."""
    bm = L.inclusion_provider.search(low[after:]) or L.inclusion_body.search(low[after:])
    provider = phrase_after(low, after + (bm.start(1) if bm.groups() else bm.start()), "ru") if bm else None
    if not provider:
        bm = L.inclusion_fallback_provider.search(low)
        provider = bm.group(0) if bm else None
    return provider


def _kk_inclusion_provider(L: Lexicon, low: str) -> str | None:
    bm = L.inclusion_body.search(low)
    return bm.group(0) if bm else None
