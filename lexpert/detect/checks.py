"""Sentence checks after the detectors: each reads one norm (with its list lead-in) and, where it
finds its wording, gives one code with its evidence, reason and details.

The registry (:func:`sentence_checks`) is the one list both front ends read: ``analyze`` adds a
finding per check to each norm it reads (:func:`apply_sentence_checks`, in the act-as-context
layer) and ``classify`` raises the check's code to the check's score (:func:`check_scores`). A new
check is a module that defines a :class:`~lexpert.detect.checkbase.SentenceCheck` and one line in :func:`sentence_checks`.
"""
from __future__ import annotations

from ..records import Finding, Norm
from ..taxonomy import load_taxonomy
from . import stateheld, unnamed_requirements
from .checkbase import SentenceCheck


def sentence_checks() -> list[SentenceCheck]:
    """Every sentence check, in the order ``analyze`` adds their findings."""
    return [stateheld.CHECK, unnamed_requirements.CHECK]


def _lang(lang: str | None) -> str:
    return "kk" if lang == "kk" else "ru"


def check_scores(text: str, lang: str | None, context: str | None = None) -> dict[str, float]:
    """The codes the checks find in one sentence, at their checks' scores (``classify``)."""
    out: dict[str, float] = {}
    for c in sentence_checks():
        if c.read(text, _lang(lang), context):
            out[c.code] = max(out.get(c.code, 0.0), c.score)
    return out


def apply_sentence_checks(units: list[Norm], findings: list[Finding]) -> list[Finding]:
    """``findings`` with every check's findings added (``analyze``)."""
    for c in sentence_checks():
        findings = add_check_findings(units, findings, c)
    return findings


def add_check_findings(units: list[Norm], findings: list[Finding], check: SentenceCheck) -> list[Finding]:
    """``findings`` with a ``check.code`` finding added to each norm of ``units`` that has none of
    that code yet and in which the check reads something; in document order, then taxonomy order
    within a norm."""
    tax = load_taxonomy()
    code = check.code
    have = {(f.norm_id, f.code) for f in findings}
    extra: list[Finding] = []
    for n in units:
        if (n.id, code) in have:
            continue
        lang = _lang(n.lang)
        got = check.read(n.text, lang, n.context)
        if not got:
            continue
        a, z, why, details = got
        ev = n.text[a:z]
        extra.append(Finding(code=code, family=tax.family_of(code), score=check.score, norm_id=n.id,
                             locator=n.locator, evidence_start=n.start + a, evidence_end=n.start + z, evidence=ev,
                             reason=why, recommendation=tax[code].recommendation(lang, ev), source="context",
                             rule=check.rule, details=details))
    if not extra:
        return findings
    order = {n.id: i for i, n in enumerate(units)}
    return sorted(findings + extra, key=lambda f: (order.get(f.norm_id, 0), tax.codes.index(f.code)))
