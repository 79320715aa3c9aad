"""The one analysis path: ``analyze(path_or_text) -> ActReport``.

ingest -> normalize -> structure -> sentences (spaCy) -> detectors -> findings -> report.
The CLI, the API, the review UI and the batch engine all call this function.
"""
from __future__ import annotations

import gc
import hashlib
import logging
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, NotRequired, TypedDict

from .budget import check_deadline
from .detect.base import Detector, default_detector, detect_findings
from .settings import Limits
from .ingest import read_bytes, read_path
from .nlp.lang import Segment, document_language
from .nlp.normalize import normalize
from .records import Finding, FindingJSON, Node, NodeJSON, Norm, NormJSON, RawDocument
from .structure import norms as extract_norms
from .structure import parse
from .taxonomy import FAMILIES, load_taxonomy
from .version import __version__

log = logging.getLogger(__name__)

ANALYSED_LANGS = ("ru", "kk")
_NOT_ACT = [
    ("plan", re.compile(r"^\s*(?:План\s+(?:мероприятий|действий)|Іс-шаралар\s+жоспары|.{0,120}іс-шаралар\s+жоспары\s*$|"
                        r"Комплексный\s+план|Жол\s+картасы|Дорожная\s+карта)", re.I | re.M)),
    ("concept", re.compile(r"^\s*(?:Концепция|Тұжырымдама|.{0,160}тұжырымдамасы\s*$)", re.I | re.M)),
    ("letter", re.compile(r"^\s*(?:Уважаем\w+|Құрметті|Исх\.?\s*№|Шығ\.?\s*№|На\s+№|№\s*\S+\s+от\s+\S+\s*$|"
                          r"С\s+уважением|Құрметпен)", re.I | re.M)),
]


class Reason(TypedDict):
    """Why (part of) a document was not analysed: a code and a one-line message."""

    code: str
    message: str


class CoverageJSON(TypedDict):
    status: str
    units: int
    analysed_units: int
    reasons: list[Reason]


class Summary(TypedDict):
    """The counts of a report (``summary`` in ``analyze --format json``)."""

    norms: int
    flagged_norms: int
    findings: int
    by_family: dict[str, int]
    by_code: dict[str, int]
    kpi_a_contribution: int
    coverage: CoverageJSON


class LanguageSpanJSON(TypedDict):
    lang: str
    start: int
    end: int


class DocumentJSON(TypedDict):
    source: str
    format: str
    title: str | None
    language: str
    languages: list[LanguageSpanJSON]
    pages: int | None
    encoding: str | None
    chars: int
    sha256: str
    warnings: list[str]
    meta: dict[str, Any]            # what the reader of the format found (free-form)
    language_name: str


class GeneratorJSON(TypedDict):
    name: str
    version: str
    detector: str
    taxonomy_version: int


class ActReportJSON(TypedDict):
    """``analyze --format json`` (schema ``lexpert.act_report/1``): the JSON contract."""

    schema: str
    generator: GeneratorJSON
    document: DocumentJSON
    structure: NodeJSON
    norms: list[NormJSON]
    findings: list[FindingJSON]
    summary: Summary
    text: NotRequired[str]


LANGUAGE_NAMES = {"ru": "русский", "kk": "қазақ тілі", "en": "English", "mixed": "ru+kk"}


@dataclass
class Coverage:
    """What of the document the detectors read: never «no factors» for what was not analysed.

    ``status``: ``complete`` (every normative unit analysed), ``partial`` (some units are in
    a language lexpert does not analyse), ``none`` (nothing analysed: no normative unit, or
    none in Russian or Kazakh). ``reasons``: codes with a one-line message each:
    ``language_not_analysed``, ``no_normative_units``, ``not_an_act``.
    """

    status: str
    units: int
    analysed: int
    reasons: list[Reason] = field(default_factory=list)

    def to_dict(self) -> CoverageJSON:
        return {"status": self.status, "units": self.units, "analysed_units": self.analysed,
                "reasons": list(self.reasons)}


def assess_coverage(text: str, units: list[Norm], title: str | None) -> Coverage:
    """Which units can be analysed, and why the rest cannot (see :class:`Coverage`)."""
    reasons: list[Reason] = []
    analysed = [n for n in units if n.lang in ANALYSED_LANGS]
    other = sorted({n.lang for n in units if n.lang not in ANALYSED_LANGS})
    if other:
        reasons.append({"code": "language_not_analysed",
                        "message": f"{len(units) - len(analysed)} of {len(units)} normative units are in a language "
                                   f"lexpert does not analyse ({', '.join(other)}): they were not checked"})
    if not units:
        reasons.append({"code": "no_normative_units",
                        "message": "no normative unit was found (only headings, tables of figures, forms, stamps or "
                                   "signatures): nothing was checked for corruption factors"})
    head = "\n".join(ln for ln in text[:3000].split("\n")[:12])
    for kind, pat in _NOT_ACT:
        if pat.search(head) or (title and pat.search(title)):
            reasons.append({"code": "not_an_act",
                            "message": f"the document does not look like a normative legal act (a {kind}): its text was "
                                       f"read as norms, the findings are not an expertise of an act"})
            break
    status = "none" if not analysed else ("partial" if len(analysed) < len(units) else "complete")
    return Coverage(status=status, units=len(units), analysed=len(analysed), reasons=reasons)


@dataclass
class ActReport:
    """Everything ``analyze`` found in one document. ``to_dict()`` is the JSON contract."""

    source: str
    format: str
    text: str
    title: str | None
    language: str
    languages: list[Segment]
    structure: Node
    norms: list[Norm]
    findings: list[Finding]
    detector: str
    pages: int | None = None
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    coverage: Coverage | None = None

    @property
    def analysed(self) -> bool:
        """Whether any unit was checked: a report with nothing analysed never reads as «no factors»."""
        return self.coverage is None or self.coverage.status != "none"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def summary(self) -> Summary:
        tax = load_taxonomy()
        by_code = {c: 0 for c in tax.codes}
        by_family = {f: 0 for f in FAMILIES}
        for f in self.findings:
            by_code[f.code] += 1
            by_family[f.family] += 1
        return {
            "norms": len(self.norms),
            "flagged_norms": len({f.norm_id for f in self.findings}),
            "findings": len(self.findings),
            "by_family": by_family,
            "by_code": by_code,
            "kpi_a_contribution": len(self.findings),
            "coverage": (self.coverage or Coverage("complete", len(self.norms), len(self.norms))).to_dict(),
        }

    def to_dict(self, include_text: bool = False) -> ActReportJSON:
        tax = load_taxonomy()
        d: ActReportJSON = {
            "schema": "lexpert.act_report/1",
            "generator": {"name": "lexpert", "version": __version__, "detector": self.detector,
                          "taxonomy_version": tax.version},
            "document": {
                "source": self.source, "format": self.format, "title": self.title,
                "language": self.language,
                "languages": [{"lang": s.lang, "start": s.start, "end": s.end} for s in self.languages],
                "pages": self.pages, "encoding": self.encoding, "chars": len(self.text), "sha256": self.sha256,
                "warnings": self.warnings, "meta": self.meta,
                "language_name": LANGUAGE_NAMES.get(self.language, self.language),
            },
            "structure": self.structure.to_dict(),
            "norms": [n.to_dict() for n in self.norms],
            "findings": [f.to_dict(f"f{i + 1}", tax[f.code].name(_lang_of(self, f)), tax[f.code].rec_kind)
                         for i, f in enumerate(self.findings)],
            "summary": self.summary(),
        }
        if include_text:
            d["text"] = self.text
        return d


def _lang_of(report: ActReport, f: Finding) -> str:
    for n in report.norms:
        if n.id == f.norm_id:
            return n.lang
    return report.language


def _looks_like_path(s: str) -> bool:
    return len(s) < 4096 and "\n" not in s and os.path.exists(s)


def load(source: str | Path | bytes, *, name: str | None = None, limits: Limits | None = None) -> RawDocument:
    """Read ``source`` (a path, raw text, or bytes of a file) into a :class:`RawDocument`."""
    if isinstance(source, Path) or (isinstance(source, str) and _looks_like_path(source)):
        return read_path(source, limits)
    if isinstance(source, (bytes, bytearray)):
        return read_bytes(bytes(source), name or "<bytes>", limits)
    return RawDocument(text=str(source), format="txt", source=name or "<text>")


def analyze(source: str | Path | bytes, *, name: str | None = None, lang: str | None = None,
            limits: Limits | None = None, detector: Detector | None = None,
            min_score: float | None = None, register: Any = None) -> ActReport:
    """Analyse one draft: a file path, the text itself, or the bytes of a file (give ``name``).

    ``lang`` forces the language ('ru' or 'kk') instead of detecting it per act and norm.
    ``register``: the Register of state services (a path or a loaded ``services.Register``;
    default ``LEXPERT_REGISTER``) against which hidden state services are checked.
    Raises :class:`lexpert.errors.InputError` subclasses for documents that cannot be read.
    """
    t0 = time.perf_counter()
    raw = load(source, name=name, limits=limits)
    log.info("%s: read as %s%s, %d characters%s in %.2f s", raw.source, raw.format,
             f" ({raw.encoding})" if raw.encoding else "", len(raw.text),
             f", {raw.pages} pages" if raw.pages else "", time.perf_counter() - t0)
    for w in raw.warnings:
        log.info("%s: %s", raw.source, w)
    check_deadline()
    text = normalize(raw.text)
    if not text.strip():
        from .errors import EmptyDocument

        raise EmptyDocument(f"{raw.source}: the document has no text")
    return analyze_text(text, raw=raw, lang=lang, detector=detector, min_score=min_score, register=register)


_ANALYSES = 0


def _settle_heap() -> None:
    """On a process's second analysis, collect once and freeze what is alive (models,
    lexicons, caches: loaded by the first) out of the garbage collector's sight. Its full
    collections otherwise walk those hundreds of thousands of objects again and again
    during an analysis, and a 100-page PDF took 0.45-0.64 s from run to run instead of a
    steady 0.45 s. A one-shot CLI call never pays the collection."""
    global _ANALYSES
    _ANALYSES += 1
    if _ANALYSES == 2:
        gc.collect()
        gc.freeze()


def analyze_text(text: str, *, raw: RawDocument | None = None, lang: str | None = None,
                 detector: Detector | None = None, min_score: float | None = None,
                 register: Any = None) -> ActReport:
    """Analyse already-normalized text (the part of :func:`analyze` after ingest)."""
    _settle_heap()
    raw = raw or RawDocument(text=text, format="txt", source="<text>")
    det = detector or default_detector()
    t0 = time.perf_counter()
    doc_lang, segments = document_language(text)
    tree = parse(text)
    if lang:
        for act in tree.children:
            act.lang = lang
    units = extract_norms(tree, text)
    if lang:
        for n in units:
            n.lang = lang
    check_deadline()
    title = next((a.title for a in tree.children if a.title), None)
    coverage = assess_coverage(text, units, title)
    checked = [n for n in units if n.lang in ANALYSED_LANGS]
    t1 = time.perf_counter()
    log.debug("%s: parsed into %d norms in %.2f s", raw.source, len(units), t1 - t0)
    findings = detect_findings(checked, det, min_score=min_score)
    check_deadline()
    log.debug("%s: %s detector: %d findings in %.2f s", raw.source, getattr(det, "name", "custom"), len(findings),
              time.perf_counter() - t1)
    from .detect import services  # hidden state services: add, explain, or clear by the register

    findings = services.apply(checked, findings, text, register)
    check_deadline()
    from .detect.context import context_findings  # the act as context: terms, referrals

    findings = context_findings(checked, findings, text)
    log.info("%s: %d norms (%d in ru/kk analysed), %d findings, coverage %s, in %.2f s", raw.source, len(units),
             len(checked), len(findings), coverage.status, time.perf_counter() - t0)
    return ActReport(
        source=raw.source, format=raw.format, text=text, title=title,
        language=lang or doc_lang,
        languages=segments,
        structure=tree, norms=units, findings=findings, detector=getattr(det, "name", "custom"),
        pages=raw.pages, encoding=raw.encoding,
        warnings=list(raw.warnings) + [r["message"] for r in coverage.reasons], meta=dict(raw.meta),
        coverage=coverage,
    )


def iter_norm_texts(report: ActReport) -> Iterable[tuple[Norm, list[Finding]]]:
    """Norms with their findings, in document order."""
    by = {}
    for f in report.findings:
        by.setdefault(f.norm_id, []).append(f)
    for n in report.norms:
        yield n, by.get(n.id, [])

