"""The report of all service-like obligations of one draft or a batch of drafts: the table an
analyst sends to the ministry that keeps the Register of state services.

``rows = collect(paths, register)`` analyses each draft (the one analysis path) and returns
one row per obligation; ``write(rows, fmt, out)`` renders it as a text table, CSV, XLSX or JSON.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Iterable

from ..detect.services.extract import KIND_NAMES, extract
from ..detect.services.register import Register, resolve_register
from ..data import strings

SUFFIXES = {".txt", ".docx", ".pdf", ".html", ".htm"}

COLUMNS = ("n", "document", "locator", "obligor", "kind", "object", "provider", "purpose", "documents", "term", "fee",
           "result", "refusal", "register_code", "register_name", "register_score", "verdict", "missing", "norm")
HEADERS = strings("services")["headers"]
_VALUES = strings("services")["values"]


def iter_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files given, and the drafts inside folders given (recursively, sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in SUFFIXES)
        else:
            out.append(p)
    return out


def rows_for(report: Any, register: Register | None) -> list[dict[str, Any]]:
    """One row per obligation of an analysed draft (an ``ActReport``)."""
    recs = extract(report.norms, report.text)
    out = []
    for r in recs:
        m = register.match(r) if register is not None else None
        registered = m is not None and m.score >= register.threshold
        missing = ([] if registered else (["register"] if register is not None else []) + r.missing())
        out.append({
            "document": report.source, "locator": r.locator, "lang": r.lang, "obligor": r.obligor, "kind": r.kind,
            "object": r.object, "provider": r.provider, "purpose": r.purpose, "documents": r.documents,
            "term": r.term, "fee": r.fee, "result": r.result, "refusal": r.refusal,
            "refusal_grounds": r.refusal_grounds,
            "register_code": m.entry.code if registered else None,
            "register_name": (m.entry.name_kk if r.lang == "kk" else m.entry.name_ru) if registered else None,
            "register_score": round(m.score, 3) if m is not None else None,
            "register_best": m.to_dict() if m is not None else None,
            "verdict": "registered" if registered else "hidden",
            "missing": missing, "norm": " ".join(r.text.split()), "sources": r.sources,
        })
    return out


def collect(paths: Iterable[str | Path], register: "str | Register | None" = None,
            lang: str | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """Analyse every draft and gather its obligations; returns (rows, errors)."""
    from ..pipeline import analyze
    from ..errors import LexpertError

    reg = resolve_register(register)
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    for p in iter_inputs(paths):
        try:
            rep = analyze(p, lang=lang, register=reg)
        except LexpertError as exc:
            errors.append(f"{p}: {exc}")
            continue
        rows += rows_for(rep, reg)
    for i, r in enumerate(rows, 1):
        r["n"] = i
    return rows, errors


def _cell(row: dict[str, Any], col: str, lang: str) -> str:
    v = row.get(col)
    V = _VALUES[lang]
    if col == "kind":
        return KIND_NAMES[lang].get(v, v or "")
    if col in ("fee", "refusal", "verdict"):
        s = V.get(v, v or "")
        if col == "refusal" and row.get("refusal_grounds"):
            s += ": " + "; ".join(row["refusal_grounds"])
        return s
    if col == "missing":
        return ", ".join(V.get(x, x) for x in v or [])
    if col == "documents":
        return "; ".join(v or [])
    if col == "term":
        return v or V[None]
    return "" if v is None else str(v)


def table(rows: list[dict[str, Any]], lang: str = "ru") -> list[list[str]]:
    H = HEADERS[lang]
    return [[H[c] for c in COLUMNS]] + [[_cell(r, c, lang) for c in COLUMNS] for r in rows]


def write(rows: list[dict[str, Any]], fmt: str, out: str | Path | None = None, lang: str = "ru") -> str | None:
    """Render ``rows`` as ``table`` (text), ``csv``, ``xlsx`` (needs ``out``) or ``json``; returns the text
    when ``out`` is None (xlsx always goes to a file)."""
    lang = "kk" if lang == "kk" else "ru"
    if fmt == "json":
        s = json.dumps({"schema": "lexpert.services/1", "obligations": rows}, ensure_ascii=False, indent=1) + "\n"
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        for line in table(rows, lang):
            w.writerow(line)
        s = buf.getvalue()
    elif fmt == "xlsx":
        if out is None:
            raise ValueError("xlsx needs an output file (-o)")
        _xlsx(rows, Path(out), lang)
        return None
    else:
        s = _text(rows, lang)
    if out is None:
        return s
    Path(out).write_text(s, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
    return None


def _xlsx(rows: list[dict[str, Any]], out: Path, lang: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "услуги" if lang == "ru" else "қызметтер"
    for line in table(rows, lang):
        ws.append(line)
    for c in ws[1]:
        c.font = Font(bold=True)
    widths = {"n": 5, "document": 28, "locator": 30, "object": 40, "provider": 30, "norm": 60, "documents": 40,
              "refusal": 30, "register_name": 40}
    for i, col in enumerate(COLUMNS, 1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = widths.get(col, 18)
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    wb.save(out)


def _text(rows: list[dict[str, Any]], lang: str) -> str:
    if not rows:
        return ("Услугоподобных обязанностей не найдено.\n" if lang == "ru"
                else "Қызмет сипатындағы міндеттер табылмады.\n")
    H = HEADERS[lang]
    lines = []
    for r in rows:
        lines.append(f"{r['n']}. {r['document']} — {r['locator']}")
        for col in ("obligor", "kind", "object", "provider", "purpose", "documents", "term", "fee", "result", "refusal",
                    "register_name", "register_score", "verdict", "missing"):
            v = _cell(r, col, lang)
            if v:
                lines.append(f"   {H[col]}: {v}")
        lines.append("")
    hidden = sum(r["verdict"] == "hidden" for r in rows)
    lines.append((f"Всего: {len(rows)}; из них скрытых государственных услуг: {hidden}" if lang == "ru"
                  else f"Барлығы: {len(rows)}; оның ішінде жасырын мемлекеттік көрсетілетін қызметтер: {hidden}"))
    return "\n".join(lines) + "\n"
