"""The ``hidden_service`` layer that ``analyze`` runs after the detectors.

``apply(units, findings, text, register)``:

(a) adds a ``hidden_service`` finding for every extracted service-like obligation the
    detectors missed, when it is a service in substance and has no match in the loaded
    register, or lacks a standard, a term or closed grounds for refusal;
(b) enriches the detectors' ``hidden_service`` findings with the extracted record
    (``Finding.details``) and a recommendation that says what to do, in the norm's language;
(c) clears (removes) a ``hidden_service`` finding when every obligation of its norm
    matches a register entry at or above the register's threshold (factors.md: "When the
    register is loaded, a match against it clears the flag").

(a) runs only with ``LEXPERT_SERVICES_ADD=on`` (or ``add=True``); ``LEXPERT_SERVICES=off`` switches
the whole layer off (the detectors' findings pass unchanged).
"""
from __future__ import annotations

import logging
from typing import Any

from ...records import Finding, Norm
from ...settings import get_settings
from ...taxonomy import load_taxonomy
from .extract import KIND_NAMES, ServiceObligation, extract
from .register import Register, resolve_register

log = logging.getLogger(__name__)

CODE = "hidden_service"
SCORE = 0.7

_MISSING_TEXT = {
    "ru": {"register": "нет в Реестре государственных услуг", "standard": "не названа государственной услугой, нет стандарта",
           "term": "не установлен срок", "refusal_grounds": "нет закрытого перечня оснований для отказа",
           "fee": "не определена платность (бесплатно или на платной основе)"},
    "kk": {"register": "Мемлекеттік көрсетілетін қызметтер тізілімінде жоқ",
           "standard": "мемлекеттік көрсетілетін қызмет деп аталмаған, стандарты жоқ", "term": "мерзімі белгіленбеген",
           "refusal_grounds": "бас тарту негіздерінің жабық тізбесі жоқ", "fee": "ақылы не тегін екені айқындалмаған"},
}


def recommendation(rec: ServiceObligation, why: list[str], lang: str) -> str:
    lang = "kk" if lang == "kk" else "ru"
    obj = " ".join(rec.object.split())
    if len(obj) > 90:
        obj = obj[:87] + "…"
    fix = [_MISSING_TEXT[lang][w] for w in why if w in _MISSING_TEXT[lang]]
    if lang == "kk":
        s = (f"«{obj}» мәні бойынша мемлекеттік көрсетілетін қызмет болып табылады, бірақ олай аталмаған"
             + (f" ({'; '.join(fix)})" if fix else "") + ". Оны мемлекеттік көрсетілетін қызмет ретінде атап, "
             "стандартын (мерзімі, құжаттар тізбесі, құны, нәтижесі, бас тартудың жабық негіздері) бекіту және "
             "Мемлекеттік көрсетілетін қызметтер тізіліміне енгізу үшін ұсыну не бұл талапты алып тастау")
        if "register" not in why and ("term" in why or "refusal_grounds" in why):
            s += "; кемінде мерзімді және бас тарту негіздерінің жабық тізбесін осы актіде белгілеу"
        return s + "."
    s = (f"«{obj}» по существу является государственной услугой, но не названа ею"
         + (f" ({'; '.join(fix)})" if fix else "") + ". Назвать её государственной услугой, утвердить стандарт "
         "(срок, перечень документов, стоимость, результат, исчерпывающие основания для отказа) и направить "
         "предложение о включении в Реестр государственных услуг либо исключить это требование")
    if "register" not in why and ("term" in why or "refusal_grounds" in why):
        s += "; как минимум установить в акте срок и закрытый перечень оснований для отказа"
    return s + "."


def _reason_line(rec: ServiceObligation, why: list[str], lang: str) -> str:
    lang = "kk" if lang == "kk" else "ru"
    what = KIND_NAMES[lang].get(rec.kind, rec.kind)
    if lang == "kk":
        who = rec.obligor or "тұлға"
        return (f"{who} {rec.provider or 'органнан'} {what} алуы тиіс — мемлекеттік көрсетілетін қызмет ретінде "
                f"ресімделмеген ({'; '.join(_MISSING_TEXT['kk'][w] for w in why if w in _MISSING_TEXT['kk'])})")
    who = rec.obligor or "лицо"
    return (f"{who} должен получить {what} ({rec.provider or 'органа'}) — услуга по существу, не оформленная как "
            f"государственная ({'; '.join(_MISSING_TEXT['ru'][w] for w in why if w in _MISSING_TEXT['ru'])})")


def _details(recs: list[tuple[ServiceObligation, Any, list[str]]], reg: Register | None) -> dict[str, Any]:
    why_all: list[str] = []
    for _, _, why in recs:
        why_all += [w for w in why if w not in why_all]
    return {
        "obligations": [{**r.to_dict(), "register_match": (m.to_dict() if m is not None else None), "reasons": why}
                        for r, m, why in recs],
        "missing": why_all,
        "register": {"loaded": reg is not None, "source": reg.source if reg is not None else None,
                     "entries": len(reg) if reg is not None else 0,
                     "threshold": reg.threshold if reg is not None else None},
    }


def hidden_service_finding(norm: Norm, recs: list[tuple[ServiceObligation, Any, list[str]]],
                           reg: Register | None) -> Finding:
    tax = load_taxonomy()
    rec, _, why = recs[0]
    lang = norm.lang
    return Finding(
        code=CODE, family=tax.family_of(CODE), score=SCORE, norm_id=norm.id, locator=norm.locator,
        evidence_start=rec.start, evidence_end=rec.end, evidence=rec.evidence,
        reason=_reason_line(rec, why, lang), recommendation=recommendation(rec, why, lang),
        source="register", rule=f"services.{rec.kind}", details=_details(recs, reg),
    )


def apply(units: list[Norm], findings: list[Finding], text: str | None = None,
          register: "str | Register | None" = None, *, add: bool | None = None) -> list[Finding]:
    """The hook after ``detect_findings``: add, enrich and clear ``hidden_service`` findings.

    ``register``: a loaded :class:`Register`, a path to the register's table, or None (then the
    environment variable ``LEXPERT_REGISTER``; with neither, no register is loaded and only the
    missing elements of a service make the flag). ``add``: also raise (a); None takes
    ``LEXPERT_SERVICES_ADD`` (off by default: on the labelled real norms of realnorms rounds 1-5,
    train and dev splits, all 37 findings it added were wrong), so by default the layer enriches and
    clears the detectors' findings.
    """
    settings = get_settings()
    if not settings.services:
        log.debug("the hidden-service layer is off (LEXPERT_SERVICES)")
        return findings
    if add is None:
        add = settings.services_add
    flagged_any = any(f.code == CODE for f in findings)
    if not add and not flagged_any:
        return _in_order(findings, units)      # nothing to explain or clear, nothing to add
    reg = resolve_register(register)
    recs = extract(units, text)
    if not recs and not flagged_any:
        return findings
    by_norm: dict[str, list[tuple[ServiceObligation, Any, list[str]]]] = {}
    for r in recs:
        m = None
        registered = False
        if reg is not None:
            registered, m = reg.is_registered(r)
        why = (["register"] if reg is not None and not registered else []) + r.missing()
        if registered:
            why = []
        by_norm.setdefault(r.norm_id, []).append((r, m, why))
    norms = {n.id: n for n in units}
    out: list[Finding] = []
    have = set()
    for f in findings:
        if f.code != CODE:
            out.append(f)
            continue
        items = by_norm.get(f.norm_id)
        if not items:
            n = norms.get(f.norm_id)
            if reg is not None and n is not None:
                # nothing extracted: the detector's evidence, read with its norm, against the register
                ms = reg.match_text(n.text, n.lang)
                if ms and ms[0].score >= reg.threshold:
                    continue
                f.details = {"obligations": [], "register": {"loaded": True, "source": reg.source, "entries": len(reg),
                                                             "threshold": reg.threshold},
                             "register_match": ms[0].to_dict() if ms else None}
            out.append(f)      # the detector's own evidence; nothing extracted to add or to clear it with
            have.add(f.norm_id)
            continue
        if all(not why for _, _, why in items):
            continue           # (c) every obligation of the norm is in the register: the flag is cleared
        flagged = [it for it in items if it[2]]
        n = norms.get(f.norm_id)
        f.details = _details(flagged, reg)
        f.recommendation = recommendation(flagged[0][0], flagged[0][2], n.lang if n else "ru")
        out.append(f)
        have.add(f.norm_id)
    if add:
        for nid, items in by_norm.items():
            if nid in have:
                continue
            flagged = [it for it in items if it[2]]
            if not flagged or nid not in norms:
                continue
            out.append(hidden_service_finding(norms[nid], flagged, reg))
    return _in_order(out, units)


def _in_order(findings: list[Finding], units: list[Norm]) -> list[Finding]:
    """Document order, then taxonomy order within a norm (as detect_findings returns them)."""
    order = {n.id: i for i, n in enumerate(units)}
    tax = load_taxonomy()
    return sorted(findings, key=lambda f: (order.get(f.norm_id, 1 << 30), tax.codes.index(f.code) if f.code in tax else 99))
