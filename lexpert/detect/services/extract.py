"""Extraction of service-like obligations from a draft, in Russian and Kazakh.

A *service-like obligation* is a norm that makes a person or organisation obtain
something from a state body — an approval («согласование / келісу»), a permit, a
conclusion, a certificate («справка / анықтама»), a registration or inclusion in a
register, an accreditation, a confirmation. For each one the extractor reads the norm
*and its neighbours* (the lead-in of its list, the other points of its chapter that
speak of the same thing) and fills a :class:`ServiceObligation`: who must obtain what
from whom, on what documents, in what term, for what fee, with what result, and on what
grounds it may be refused.

The extractor is rule-based and explainable: every field records the locator of the
norm it was read from (``sources``). It sees only the structure the parser gives
(``Norm.path``: annex, chapter, point, subpoint) and the text. Its words are data
(``lexpert/data/lexicons/services.yaml``, :mod:`.lexicon`); the candidates are found in
:mod:`.candidates`, the names of bodies and persons read in :mod:`.names`, and the terms
read from the neighbours in :mod:`.neighbours`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...records import Norm
from .candidates import Candidate, find_candidates, inclusion, kk_agreements, ru_agreements
from .lexicon import LANGS, Lexicon, lexicon
from .names import obligor, subject
from .neighbours import LIST_ITEMS, Chapter, chapter_key, read_neighbours, stem
from .obligation import ServiceObligation

_WORDS = re.compile(r"[\w\-]+")

KIND_NAMES = {
    "ru": {"approval": "согласование", "permit": "разрешение", "conclusion": "заключение",
           "certificate": "справка", "confirmation": "подтверждение", "registration": "включение в реестр",
           "accreditation": "аккредитация"},
    "kk": {"approval": "келісім", "permit": "рұқсат", "conclusion": "қорытынды", "certificate": "анықтама",
           "confirmation": "растау", "registration": "тізілімге енгізу", "accreditation": "аккредиттеу"},
}


@dataclass
class _Reading:
    """A norm as the extractor reads it."""

    n: Norm
    L: Lexicon
    lang: str
    t: str          # the norm's text
    low: str        # the text lower-cased, «ё» folded
    ctx: str        # the lead-in of its list, likewise
    in_docs: bool   # an item of a list of documents to submit


def extract(units: list[Norm], text: str | None = None) -> list[ServiceObligation]:
    """Every service-like obligation of a draft, in document order, one record per norm and thing.

    ``units`` are the located norms of :func:`lexpert.structure.norms` (``ActReport.norms``);
    ``text`` (the normalized document) is not needed beyond the norms and may be omitted.
    """
    grouped: dict[tuple, list[Norm]] = {}
    for n in units:
        grouped.setdefault(chapter_key(n), []).append(n)
    by_chapter = {k: Chapter(v) for k, v in grouped.items()}
    named = _named_services(units)
    blocked: set[tuple] = set()
    out: list[ServiceObligation] = []
    for n in units:
        r = _read(n)
        if _not_service(r.L, r.low):
            # a named service, a permit under the Law on permits, a registered certificate: later
            # mentions of the same thing in the draft are not hidden services either
            blocked.update(_key(c.kind, c.provider, r.lang) for c in find_candidates(r.t, r.lang))
            continue
        out += _norm_obligations(r, by_chapter[chapter_key(n)], named, blocked)
    return _dedupe(out)


def _read(n: Norm) -> _Reading:
    lang = n.lang if n.lang in LANGS else "ru"
    L = lexicon(lang)
    ctx = (n.context or "").replace("ё", "е").lower()
    in_docs = bool(n.kind in LIST_ITEMS and ctx and L.docs_ctx.search(ctx) and not L.amendment_context.search(ctx))
    return _Reading(n, L, lang, n.text, n.text.replace("ё", "е").lower(), ctx, in_docs)


def _norm_obligations(r: _Reading, chapter: Chapter, named: list[str], blocked: set[tuple]) -> list[ServiceObligation]:
    """The obligations of one norm, less the state services the draft names and the things from
    bodies it names elsewhere as a registered service or a permit (``blocked``)."""
    if _under_not_service(r) or _refusal_ground(r):
        return []
    out = []
    seen: set[tuple[int, int]] = set()
    for c in sorted(_candidates(r), key=lambda c: c.start):
        if any(c.start < b and a < c.end for a, b in seen) or _rejected(r, c):
            continue
        who = obligor(r.t[:c.start], r.lang) or obligor(r.n.context or "", r.lang)
        if _nobody_obliged(r, who):
            continue
        seen.add((c.start, c.end))
        rec = _record(r, c, who, chapter, named)
        if not (rec.named_service or _key(rec.kind, rec.provider, r.lang) in blocked):
            out.append(rec)
    return out


def _not_service(L: Lexicon, text: str) -> bool:
    return any(p.search(text) for p in L.not_service)


def _under_not_service(r: _Reading) -> bool:
    """An item of a list whose lead-in speaks of a named service, a permit, an information system …"""
    return r.n.kind in LIST_ITEMS and bool(r.ctx) and _not_service(r.L, r.ctx) and not r.in_docs


def _candidates(r: _Reading) -> list[Candidate]:
    cands = find_candidates(r.t, r.lang)
    cands += ru_agreements(r.t) if r.lang == "ru" else kk_agreements(r.t)
    return cands + inclusion(r.t, r.lang)


# ----------------------------------------------------------------------------- the filters
def _rejected(r: _Reading, c: Candidate) -> bool:
    """The candidate is not an obligation to obtain something from a state body."""
    return (not _someone_obtains(r, c)
            or bool(r.L.commission_near.search(r.low[max(0, c.start - 40):c.end]))
            or _mere_recommendation(r, c)
            or _participle_of_no_document(r, c)
            or _kk_provider_acts(r, c))


def _someone_obtains(r: _Reading, c: Candidate) -> bool:
    """Who obtains it is a private person; a state body obtaining from a state body is not a service."""
    if r.in_docs:
        return not r.L.entitled.search(r.low)
    if not r.L.obtain.search(r.low) and not r.L.obtain.search(r.ctx):
        return False
    subj = subject(r.t, c.start, r.lang)
    if subj == "state":
        return False      # a state body obtains it in its own work: interaction of bodies
    if subj is None and not r.L.passive_ok.search(r.low):
        return False      # nobody is made to obtain anything
    if c.agreement:
        # «по согласованию с …» is a service only for a person's activity, not a power («вправе»)
        return not r.L.may.search(r.low) and (subj == "private" or bool(r.L.admission.search(r.low)))
    return True


def _mere_recommendation(r: _Reading, c: Candidate) -> bool:
    return c.kind == "conclusion" and bool(r.L.recommendation.match(c.obj_text.lower())) and not r.in_docs


def _participle_of_no_document(r: _Reading, c: Candidate) -> bool:
    """«X, согласованный с Y» counts only when X is a document (a plan, a scheme, a certificate …)."""
    if not c.participle or r.in_docs:
        return False
    head_clause = c.obj_text.lower()
    if r.lang == "ru":
        pieces = [x for x in r.t[:c.start + len(c.obj_text)].lower().split(",") if x.strip()]
        head_clause = pieces[-2] if len(pieces) >= 2 else c.obj_text.lower()
    return not r.L.document_nouns.search(head_clause)


def _kk_provider_acts(r: _Reading, c: Candidate) -> bool:
    """Kazakh: the body in the nominative is the one acting, not the one asked."""
    if r.lang != "kk" or r.in_docs or not c.provider or c.agreement:
        return False
    return not r.L.provider_oblique.search(c.provider.split()[-1].lower())


def _nobody_obliged(r: _Reading, who: str | None) -> bool:
    return not r.in_docs and who is None and r.lang == "ru" and not r.L.implicit_obligor.search(r.low)


def _refusal_ground(r: _Reading) -> bool:
    """A ground for refusal that mentions a document is not an obligation."""
    return r.n.kind in LIST_ITEMS and not r.in_docs and bool(r.ctx) and bool(r.L.refusal.search(r.ctx))


# ----------------------------------------------------------------------------- the record
def _record(r: _Reading, c: Candidate, who: str | None, chapter: Chapter, named: list[str]) -> ServiceObligation:
    n = r.n
    rec = ServiceObligation(
        norm_id=n.id, locator=n.locator, lang=r.lang, kind=c.kind, object=" ".join(c.obj_text.split()),
        provider=c.provider, obligor=who, start=n.start + c.start, end=n.start + c.end,
        evidence=r.t[c.start:c.end], text=r.t,
    )
    rec.sources = {"object": n.locator}
    pm = r.L.purpose.search(r.t) or (r.L.purpose.search(n.context or "") if n.context else None)
    if pm:
        rec.purpose = " ".join(pm.group(0).split())
    read_neighbours(rec, n, chapter, r.lang)
    rec.named_service = _matches_named(rec, named)
    return rec


def _key(kind: str, provider: str | None, lang: str) -> tuple:
    """A thing and the body it comes from, as one key: the kind and the provider's first stem."""
    words = _WORDS.findall((provider or "").lower())
    return (kind, stem(words[0], lang)[:5] if words else "")


def _named_services(units: list[Norm]) -> list[str]:
    """Names of the state services the draft itself names («государственная услуга «…»»)."""
    patterns = lexicon("ru").named_services      # common to both languages
    return [m.group(1).lower() for n in units for rx in patterns for m in rx.finditer(n.text)]


def _matches_named(rec: ServiceObligation, named: list[str]) -> bool:
    """The obligation *is* the state service the draft names (not an approval needed for it)."""
    if not named:
        return False
    head = _WORDS.match(rec.object.lower())
    if not head:
        return False
    st = stem(head.group(0), rec.lang)[:5]
    prov = (rec.provider or "").lower()
    provider_ok = not prov or bool(lexicon(rec.lang).named_service_provider.search(prov))
    return any(st and st in name and provider_ok for name in named)


def _dedupe(recs: list[ServiceObligation]) -> list[ServiceObligation]:
    """One record per norm and thing; a later norm that repeats the same thing from the same body
    is kept (it may be where the person is made to obtain it) but linked through ``mentions``."""
    out: list[ServiceObligation] = []
    first: dict[tuple, ServiceObligation] = {}
    for r in recs:
        if any(o.norm_id == r.norm_id and o.kind == r.kind and (o.start <= r.start < o.end or r.start <= o.start < r.end)
               for o in out):
            continue
        k = _key(r.kind, r.provider, r.lang)
        if k in first and first[k].norm_id != r.norm_id:
            _merge(first[k], r)
            continue
        first.setdefault(k, r)
        out.append(r)
    return out


def _merge(o: ServiceObligation, r: ServiceObligation) -> None:
    """The same thing from the same body, named again in ``r``: fill what the first one, ``o``, lacks."""
    if r.locator not in o.mentions:
        o.mentions.append(r.locator)
    for f in ("term", "fee", "result", "purpose"):
        if getattr(o, f) is None and getattr(r, f) is not None:
            setattr(o, f, getattr(r, f))
            o.sources[f] = r.sources.get(f, r.locator)
    if not o.documents and r.documents:
        o.documents = r.documents
        o.sources["documents"] = r.sources.get("documents", r.locator)
    if o.refusal == "none" and r.refusal != "none":
        o.refusal, o.refusal_grounds = r.refusal, r.refusal_grounds
        o.sources["refusal"] = r.sources.get("refusal", r.locator)
