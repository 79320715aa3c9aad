"""The detector seam: the ``Detector`` protocol every scorer implements, the rule detector, the
shipped default, and ``detect_findings`` (hits of a detector over norms -> findings)."""
from __future__ import annotations

import logging
import time
from typing import Protocol

from ..records import Finding, Hit, Norm
from ..settings import get_settings
from ..taxonomy import load_taxonomy
from .rules import best_hits, rule_nlp

log = logging.getLogger(__name__)

class Detector(Protocol):
    """Anything that scores sentences: ``detect(texts, lang, contexts) -> hits per text``.

    ``contexts`` (optional, same length) holds the lead-in of the list each text belongs to.
    """

    name: str

    def detect(self, texts: list[str], lang: str, contexts: list[str | None] | None = None) -> list[list[Hit]]: ...


class RuleDetector:
    """The rule layer over the spaCy pipeline (sentence split, lemmas, ``lexpert_rules``)."""

    name = "rules"

    def detect(self, texts: list[str], lang: str, contexts: list[str | None] | None = None) -> list[list[Hit]]:
        # the rule layer reads surface text: the detection path skips the lemmatizer
        nlp = rule_nlp(lang if lang in ("ru", "kk") else "ru")
        contexts = contexts or [None] * len(texts)
        out = []
        for text, ctx in zip(texts, contexts):
            doc = nlp.make_doc(text)
            doc._.context = ctx
            for _, proc in nlp.pipeline:
                doc = proc(doc)
            out.append(list(doc._.factor_hits or []))
        return out


_DEFAULT_DETECTOR: Detector | None = None


def default_detector() -> Detector:
    """The shipped default: the trained ensemble when a bundled model exists, else the rules."""
    global _DEFAULT_DETECTOR
    if _DEFAULT_DETECTOR is None:
        det: Detector | None = None
        if get_settings().detector != "rules":
            t0 = time.perf_counter()
            try:
                from .model.ensemble import load_default_ensemble  # optional: issue of trained models

                det = load_default_ensemble()
                log.info("detector: the trained ensemble (loaded in %.1f s)", time.perf_counter() - t0)
            except (ImportError, FileNotFoundError) as exc:
                log.warning("no trained model (%s: %s): the rule layer alone detects factors",
                            type(exc).__name__, exc)
                det = None
        else:
            log.info("detector: the rule layer alone (LEXPERT_DETECTOR=rules)")
        _DEFAULT_DETECTOR = det or RuleDetector()
    return _DEFAULT_DETECTOR


def detect_findings(units: list[Norm], det: Detector, min_score: float | None = None) -> list[Finding]:
    """Run ``det`` over the norms, one language at a time; one finding per code per norm."""
    tax = load_taxonomy()
    thresholds = getattr(det, "thresholds", None) or {}
    by_lang: dict[str, list[Norm]] = {}
    for n in units:
        by_lang.setdefault(n.lang if n.lang in ("ru", "kk") else "ru", []).append(n)
    found: dict[str, list[Finding]] = {}
    for lang, group in by_lang.items():
        results = det.detect([n.text for n in group], lang, [n.context for n in group])
        for n, hits in zip(group, results):
            out = []
            for code, h in best_hits(hits).items():
                if h.score < (min_score if min_score is not None else thresholds.get(code, 0.5)):
                    continue
                ev = n.text[h.start:h.end]
                out.append(Finding(
                    code=code, family=tax.family_of(code), score=h.score, norm_id=n.id, locator=n.locator,
                    evidence_start=n.start + h.start, evidence_end=n.start + h.end, evidence=ev,
                    reason=h.reason, recommendation=tax[code].recommendation(lang, ev),
                    source=getattr(det, "name", "rules"), rule=h.rule,
                ))
            found[n.id] = sorted(out, key=lambda f: tax.codes.index(f.code))
    return [f for n in units for f in found.get(n.id, [])]
