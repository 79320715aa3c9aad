"""The act as context: factors a norm carries only in view of the act it sits in.

A detector reads one norm; an expert reads it with the act. Two checks need the act:

- **A term left to judgement where the act sets none.** «в разумный срок», «в кратчайшие
  сроки», «ақылға қонымды мерзімде», «қысқа мерзімде» in a norm of an act that fixes no term
  anywhere (no «в течение N … дней», «N жұмыс күні ішінде», «не позднее …»): nothing in the
  act bounds the official, so ``discretion.broad`` is raised on that norm.
- **A referral to a point that does not exist.** «пунктом 15 настоящих Правил», «осы
  Қағидалардың 15-тармағында» where the rules (the annex the norm sits in) have no point 15,
  or «пункт 7 настоящего приказа» where the operative part has none: the norm's content
  cannot be known, ``gap.collision`` is raised.

and one that needs the state's registers rather than the act: **a document the state already
holds** (a copy of an identity document, a certificate of state registration, of no criminal
record, of no tax debt ...) demanded from a person, in the norm or the lead-in of its list:
``burden.requirements`` (:mod:`lexpert.detect.stateheld`, its lexicon
``lexpert/data/lexicons/state_held.yaml``); and one that needs nothing beyond the norm: **a
ground for refusal that points to the requirements of unnamed acts** («несоответствие …
требованиям, установленным нормативными правовыми актами»): ``burden.refusal``
(:mod:`lexpert.detect.unnamed_requirements`, ANNOTATION.md 7.4). These two are the sentence checks
of :mod:`lexpert.detect.checks`, which ``classify`` runs too. Both read amending acts too:
their quoted new wording is a norm like any other.

Acts that amend others are left alone: their text is a part of the amended act, whose terms
and points the amending act does not hold.

Each finding says why in its ``reason`` and names the act-level evidence in ``details``.
"""
from __future__ import annotations

import re
from typing import Iterable

from ..nlp.anchors import Anchored
from ..records import Finding, Norm
from ..taxonomy import load_taxonomy
from .checks import apply_sentence_checks

_TERM = re.compile(
    r"в\s+течени[еи]\s+(?:\d+|[а-яё]+)(?:\s*\([^)]{1,30}\))?\s+(?:(?:рабоч|календарн)\w+\s+)?(?:дн|день|час|месяц|недел|лет|год|сут)"
    r"|не\s+позднее\s+(?:\d+|[а-яё]+)(?:\s*\([^)]{1,30}\))?\s+(?:(?:рабоч|календарн)\w+\s+)?(?:дн|день|час|месяц|недел|числ|год)"
    r"|(?:\d+|[а-яәғқңөұүһі]+)(?:\s*\([^)]{1,30}\))?\s+(?:жұмыс|күнтізбелік)\s+(?:күн|сағат)"
    r"|(?:күн|ай|сағат|апта|жыл)\s+ішінде"
    r"|(?:күннен|айдан|сағаттан)\s+кешіктірмей"
    r"|срок\w*\s+(?:не\s+(?:более|превышающ\w+)\s+)?(?:\d+|[а-яё]+)\s+(?:рабоч|календарн)\w+\s+дн",
    re.IGNORECASE)
_LOOSE_TERM = re.compile(
    r"в\s+разумн\w+\s+срок\w*|в\s+кратчайш\w+\s+срок\w*|в\s+короткие\s+сроки|в\s+приемлем\w+\s+срок\w*"
    r"|ақылға\s+қонымды\s+мерзім\w*|қысқа\s+мерзімде|мүмкіндігінше\s+қысқа\s+мерзім\w*",
    re.IGNORECASE)
_AMENDS = re.compile(r"следующей\s+редакции|следующие\s+изменени|дополнить\s|редакцияда\s+жазылсын|толықтырылсын|өзгеріс(?:тер)?\s+енгізілсін"
                     r"|мынадай\s+өзгеріс", re.IGNORECASE)
# «пунктом 15 настоящих Правил», «подпункте 2) пункта 15 настоящего Положения»
_REF_RU = re.compile(
    r"пункт\w*\s+(\d{1,3})(?:\s*(?:,|и)\s*\d{1,3})*\s+настоящ\w+\s+(правил|положени|порядк|инструкци|стандарт|регламент"
    r"|методик|приказ|постановлени|решени)\w*", re.IGNORECASE)
# «осы Қағидалардың 15-тармағы», «осы бұйрықтың 3-тармағына»
_REF_KK = re.compile(
    r"осы\s+(қағидалар|ереже|тәртіп|нұсқаулы|стандарт|регламент|әдістеме|бұйрық|қаулы|шешім)\w*\s+"
    r"(\d{1,3})-тарма[қғ](?!ша)\w*", re.IGNORECASE)
_OPERATIVE = ("приказ", "постановлени", "решени", "бұйрық", "қаулы", "шешім")
# Speed only: each skips a text lacking the literals every match holds (nlp.anchors.Anchored: same answers)
_TERM, _LOOSE_TERM, _AMENDS, _REF_RU, _REF_KK = map(Anchored, (_TERM, _LOOSE_TERM, _AMENDS, _REF_RU, _REF_KK))


def _act_has_term(units: Iterable[Norm]) -> bool:
    return any(_TERM.search(n.text) for n in units)


def _points_by_part(units: list[Norm]) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for n in units:
        p = n.path.get("point")
        if p and p.isdigit():
            out.setdefault(n.path.get("annex") or "", set()).add(int(p))
    return out


def context_findings(units: list[Norm], findings: list[Finding], text: str) -> list[Finding]:
    """``findings`` with the act-context findings added (one per code per norm at most)."""
    if not units:
        return findings
    findings = apply_sentence_checks(units, findings)
    tax = load_taxonomy()
    have = {(f.norm_id, f.code) for f in findings}
    extra: list[Finding] = []

    def add(n: Norm, code: str, m: re.Match, reason: str, details: dict) -> None:
        if (n.id, code) in have:
            return
        have.add((n.id, code))
        ev = n.text[m.start():m.end()]
        extra.append(Finding(code=code, family=tax.family_of(code), score=0.9, norm_id=n.id, locator=n.locator,
                             evidence_start=n.start + m.start(), evidence_end=n.start + m.end(), evidence=ev,
                             reason=reason, recommendation=tax[code].recommendation(n.lang, ev), source="context",
                             rule=f"context.{details['check']}", details=details))

    amends = bool(_AMENDS.search(text))
    if not amends and not _act_has_term(units):
        for n in units:
            m = _LOOSE_TERM.search(n.text)
            if m:
                add(n, "discretion.broad", m,
                    ("срок оставлен на усмотрение, а акт нигде не устанавливает конкретного срока" if n.lang != "kk"
                     else "мерзім лауазымды тұлғаның қалауына қалдырылған, ал акт ешбір нақты мерзім белгілемейді"),
                    {"check": "no_term_in_act"})
    if not amends:
        points = _points_by_part(units)
        for n in units:
            part = n.path.get("annex") or ""
            for rx, gi, gk in ((_REF_RU, 1, 2), (_REF_KK, 2, 1)):
                for m in rx.finditer(n.text):
                    num, kind = int(m.group(gi)), m.group(gk).lower()
                    scope = "" if kind.startswith(_OPERATIVE) else part
                    if kind.startswith(_OPERATIVE) and part == "" and not points.get(""):
                        continue
                    have_pts = points.get(scope)
                    if not have_pts or num in have_pts or (scope and not part):
                        continue
                    add(n, "gap.collision", m,
                        (f"отсылка к пункту {num}, которого в акте нет (пункты {min(have_pts)}–{max(have_pts)})"
                         if n.lang != "kk" else
                         f"актіде жоқ {num}-тармаққа сілтеме (тармақтар {min(have_pts)}–{max(have_pts)})"),
                        {"check": "missing_point", "point": num, "points": [min(have_pts), max(have_pts)]})
    if not extra:
        return findings
    order = {n.id: i for i, n in enumerate(units)}
    return sorted(findings + extra, key=lambda f: (order.get(f.norm_id, 0), tax.codes.index(f.code)))
