"""A ground for refusal that points to the requirements of unnamed acts is ``burden.refusal``.

«несоответствие … требованиям, установленным нормативными правовыми актами» / «… нормативтік
құқықтық актілерінде белгіленген талаптарға сәйкес келмеуі»: no act is named, so any requirement
of any act can be invoked against the applicant (corpora/ANNOTATION.md 7.4, decision question 3
of ``burden.refusal``), even where the ground is copied from the Law on state services. A ground
that names what it requires («осы Қағидаларда белгіленген», a named law) does not match.

On the labelled real norms of train and dev (realnorms rounds 1-5) the wording stands in 16 norms,
15 of them labelled ``burden.refusal``; the model alone scores most of them far below its
threshold. ``analyze`` adds the finding in its act-as-context layer and ``classify`` raises the
code's score to :data:`SCORE`, as for the state-held documents check.
"""
from __future__ import annotations

import re

from .checkbase import Reading, SentenceCheck

CODE = "burden.refusal"
SCORE = 0.8
RULE = "context.unnamed_requirements"

_WORDING = {
    "ru": re.compile(r"(?:несоответстви|не\s+соответству)\w*[^.;]{0,250}?требованиям,?\s+установленным\s+"
                     r"нормативными\s+правовыми\s+актами", re.I),
    "kk": re.compile(r"нормативтік\s+құқықтық\s+актілер\w*\s+белгіленген\s+талаптар\w*\s+сәйкес\s+"
                     r"(?:келмеу|келмеген|емес)\w*", re.I),
}
_REASON = {
    "ru": "основание отказа отсылает к требованиям неназванных нормативных правовых актов: "
          "отказать можно по любому требованию любого акта",
    "kk": "бас тарту негізі аталмаған нормативтік құқықтық актілердің талаптарына сілтейді: "
          "кез келген актінің кез келген талабы бойынша бас тартуға болады",
}


def find(text: str, lang: str) -> tuple[int, int] | None:
    """The span of the wording in ``text`` (a norm in ``lang``; ru for any language but kk), or None."""
    m = _WORDING["kk" if lang == "kk" else "ru"].search(text)
    return (m.start(), m.end()) if m else None


def reason(lang: str) -> str:
    return _REASON["kk" if lang == "kk" else "ru"]


def _read(text: str, lang: str, context: str | None) -> Reading | None:
    span = find(text, lang)
    return (*span, reason(lang), {"check": "unnamed_requirements"}) if span else None


# a refusal ground that points to unnamed acts' requirements: burden.refusal (detect.checks)
CHECK = SentenceCheck("unnamed_requirements", CODE, SCORE, RULE, _read)
