"""Sentence checks after the detectors (the state-held documents check, unnamed requirements as a
refusal ground): one code added, with its evidence and reason, to each norm a check reads it in."""
from __future__ import annotations

from typing import Callable

from ..records import Finding, Norm
from ..taxonomy import load_taxonomy

# what a check reads in a norm: the evidence's (start, end) in the norm's text, the reason, the details
Reading = tuple[int, int, str, dict]


def add_check_findings(units: list[Norm], findings: list[Finding], code: str, score: float, rule: str,
                       read: Callable[[Norm, str], "Reading | None"]) -> list[Finding]:
    """``findings`` with a ``code`` finding added to each norm of ``units`` that has none of that code
    yet and in which ``read(norm, lang)`` (lang: kk, else ru) finds something; in document order,
    then taxonomy order within a norm."""
    tax = load_taxonomy()
    have = {(f.norm_id, f.code) for f in findings}
    extra: list[Finding] = []
    for n in units:
        if (n.id, code) in have:
            continue
        lang = "kk" if n.lang == "kk" else "ru"
        got = read(n, lang)
        if not got:
            continue
        a, z, why, details = got
        ev = n.text[a:z]
        extra.append(Finding(code=code, family=tax.family_of(code), score=score, norm_id=n.id, locator=n.locator,
                             evidence_start=n.start + a, evidence_end=n.start + z, evidence=ev, reason=why,
                             recommendation=tax[code].recommendation(lang, ev), source="context", rule=rule,
                             details=details))
    if not extra:
        return findings
    order = {n.id: i for i, n in enumerate(units)}
    return sorted(findings + extra, key=lambda f: (order.get(f.norm_id, 0), tax.codes.index(f.code)))
