"""``lexpert bench analyze``: the whole ``analyze`` on real acts, from text and from PDF, the
CLI's cold start, and the ratios the speed targets are stated in. JSON.

- **text vs PDF**: each act (open acts of the real-act folder, never ``heldout/``) is
  analysed from its text file, then printed to a PDF (A4, 11 pt DejaVu Sans, a running head
  and page numbers, as a draft is printed; fpdf2) and analysed from that PDF. Best of
  ``repeat`` warm runs each; ``pdf_to_text`` is the ratio. ``analyze_text_new_process_s``: the
  same act from text by ``lexpert analyze`` in a new process (imports, models, the encoder stage
  where a norm needs it), best of 2.
- **tokenization**: raw spaCy tokenization of the same normative units, with a fresh
  tokenizer (``cold``: what the words of a new act cost) and again on the same texts
  (``warm``: spaCy's token cache filled by the cold pass); ``analyze_to_tokenization_*`` is
  the analysis time over each. ``detector_s`` is the default detector alone on the same units
  (best of ``repeat``), and ``detector_to_tokenization_warm`` its ratio: a floor under the warm
  ratio that no change to parsing or assembly can lower.
- **scaling**: a flat draft of ``n`` distinct points (no chapters: one scope for every
  neighbour search) and of ``4n``, from text; ``per_point_4n_to_n`` is the time per point of the
  longer over the shorter (1.0: linear; the hidden-service layer's neighbour reading was once
  quadratic here, 21 s for 6,000 points).
- **cold start**: wall time of a new process running ``lexpert analyze`` on the bundled
  sample, against ``python -c "import spacy, sklearn"``; best of ``starts`` runs each, with
  whether PyTorch is installed (the test and transformer extras bring it).
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _font() -> str:
    import matplotlib

    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")


DRAFT_HEAD = "Нормативтік құқықтық актінің жобасы / Проект нормативного правового акта"


def act_pdf(text: str, path: Path, head: str = DRAFT_HEAD, line_mm: float = 5.5, gap_mm: float = 2,
            password: str | None = None, font: str | None = None) -> Path:
    """Print ``text`` to a PDF as a draft is printed: A4, 11 pt, a running head, page numbers;
    each non-empty line a paragraph, ``gap_mm`` after it (``password``: encrypted)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", font or _font())

    def header():
        pdf.set_font("DejaVu", size=8)
        pdf.cell(0, 6, head, align="C")
        pdf.ln(8)
        pdf.set_font("DejaVu", size=11)

    def footer():
        pdf.set_y(-15)
        pdf.set_font("DejaVu", size=8)
        pdf.cell(0, 6, str(pdf.page_no()), align="C")
        pdf.set_font("DejaVu", size=11)

    pdf.header, pdf.footer = header, footer
    pdf.set_font("DejaVu", size=11)
    pdf.set_auto_page_break(True, margin=20)
    if password:
        pdf.set_encryption(owner_password="owner-" + password, user_password=password)
    pdf.add_page()
    for para in text.split("\n"):
        if para.strip():
            pdf.multi_cell(0, line_mm, para, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(gap_mm)
    pdf.output(str(path))
    return path


def default_acts() -> list[str]:
    """The largest open Russian act, and the open Kazakh act nearest 250,000 characters
    (about 100 printed pages)."""
    from . import realacts

    acts = list(realacts.acts().values())
    ru = max((a for a in acts if a.lang == "ru"), key=lambda a: a.chars)
    kk = min((a for a in acts if a.lang == "kk"), key=lambda a: abs(a.chars - 250_000))
    return [ru.id, kk.id]


def _best(fn, repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _tokenization(report) -> dict[str, float]:
    import spacy

    from ..nlp import kazakh  # noqa: F401  (registers kk)

    by_lang: dict[str, list[str]] = {}
    for n in report.norms:
        by_lang.setdefault(n.lang if n.lang in ("ru", "kk") else "ru", []).append(n.text)
    nlps = {lg: spacy.blank(lg) for lg in by_lang}
    t = time.perf_counter()
    for lg, texts in by_lang.items():
        for _ in nlps[lg].tokenizer.pipe(texts, batch_size=1000):
            pass
    cold = time.perf_counter() - t
    t = time.perf_counter()
    for lg, texts in by_lang.items():
        for _ in nlps[lg].tokenizer.pipe(texts, batch_size=1000):
            pass
    return {"cold_s": cold, "warm_s": time.perf_counter() - t}


def measure_act(act_id: str, repeat: int = 2) -> dict[str, Any]:
    from . import realacts
    from ..pipeline import analyze

    act = realacts.get(act_id)
    analyze(act.path)                                        # load models, fill caches
    t_text, rep = _best(lambda: analyze(act.path), repeat)
    tok = _tokenization(rep)
    t_det = _detector_time(rep, repeat)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = act_pdf(realacts.act_text(act_id), Path(tmp) / f"{act_id}.pdf")
        t_pdf, rep_pdf = _best(lambda: analyze(pdf), repeat)
        size = pdf.stat().st_size
    return {
        "act": act_id, "lang": act.lang, "chars": len(rep.text), "normative_units": len(rep.norms),
        "findings_text": len(rep.findings), "pages": rep_pdf.pages, "pdf_bytes": size,
        "findings_pdf": len(rep_pdf.findings), "normative_units_pdf": len(rep_pdf.norms),
        "analyze_text_s": round(t_text, 3), "analyze_pdf_s": round(t_pdf, 3),
        "analyze_text_new_process_s": round(_wall([sys.executable, "-m", "lexpert", "analyze", str(act.path),
                                                   "--format", "json"], 2), 3),
        "pdf_to_text": round(t_pdf / t_text, 3),
        "tokenize_cold_s": round(tok["cold_s"], 4), "tokenize_warm_s": round(tok["warm_s"], 4),
        "analyze_to_tokenization_cold": round(t_text / tok["cold_s"], 2) if tok["cold_s"] else None,
        "analyze_to_tokenization_warm": round(t_text / tok["warm_s"], 2) if tok["warm_s"] else None,
        "detector_s": round(t_det, 4),
        "detector_to_tokenization_warm": round(t_det / tok["warm_s"], 2) if tok["warm_s"] else None,
    }


def _detector_time(report, repeat: int) -> float:
    """The default detector alone on the act's analysed norms (with their lead-ins), as ``analyze``
    runs it: the part of ``analyze`` that no parsing change can remove."""
    from ..detect.base import default_detector, detect_findings
    from ..pipeline import ANALYSED_LANGS

    det = default_detector()
    checked = [n for n in report.norms if n.lang in ANALYSED_LANGS]
    t, _ = _best(lambda: detect_findings(checked, det), repeat)
    return t


def flat_draft(points: int) -> str:
    """A Russian draft of ``points`` distinct numbered points under one title (no chapters): the
    terms, bodies and cross-references vary, so nothing is read once for many."""
    subjects = ("Уполномоченный орган", "Местный исполнительный орган", "Комиссия", "Заявитель", "Оператор")
    verbs = ("вправе продлить срок рассмотрения заявления на {n} рабочих дней",
             "представляет копию документа № {n} и иные документы",
             "рассматривает обращение в течение {n} календарных дней",
             "принимает решение по согласованию с органом № {n}",
             "направляет уведомление не позднее {n} дней")
    return "Об утверждении Правил выдачи разрешений\n\n" + "".join(
        f"{i}. {subjects[i % 5]} {verbs[(i // 5) % 5].format(n=i + 3)} в порядке, установленном пунктом {i % 97 + 1}.\n\n"
        for i in range(1, points + 1))


def scaling(points: int = 1000, repeat: int = 2) -> dict[str, Any]:
    from ..pipeline import analyze

    with tempfile.TemporaryDirectory() as tmp:
        times = {}
        for n in (points, 4 * points):
            path = Path(tmp) / f"flat{n}.txt"
            path.write_text(flat_draft(n), encoding="utf-8")
            analyze(path)
            times[n], _ = _best(lambda: analyze(path), repeat)
    return {"points": points, "analyze_n_s": round(times[points], 3), "analyze_4n_s": round(times[4 * points], 3),
            "per_point_4n_to_n": round(times[4 * points] / (4 * times[points]), 3)}


def _wall(cmd: list[str], starts: int) -> float:
    best = float("inf")
    for _ in range(starts):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - t)
    return best


def cold_start(starts: int = 3) -> dict[str, Any]:
    import importlib.util

    base = _wall([sys.executable, "-c", "import spacy, sklearn"], starts)
    cli = _wall([sys.executable, "-m", "lexpert", "analyze", "--format", "json"], starts)
    help_ = _wall([sys.executable, "-m", "lexpert", "--help"], starts)
    return {"import_spacy_sklearn_s": round(base, 3), "lexpert_analyze_sample_s": round(cli, 3),
            "lexpert_help_s": round(help_, 3), "analyze_to_import": round(cli / base, 3),
            "torch_installed": importlib.util.find_spec("torch") is not None}


def run(acts: list[str] | None = None, repeat: int = 2, starts: int = 3) -> dict[str, Any]:
    out: dict[str, Any] = {"acts": [measure_act(a, repeat) for a in (acts or default_acts())]}
    out["scaling"] = scaling(repeat=repeat)
    out["cold_start"] = cold_start(starts)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["targets"] = {
        "pdf_to_text_max": 1.5, "analyze_to_tokenization_max": 10, "analyze_to_import_max": 2.0,
        "pdf_to_text_met": all(a["pdf_to_text"] <= 1.5 for a in out["acts"]),
        "analyze_to_tokenization_cold_met": all(a["analyze_to_tokenization_cold"] <= 10 for a in out["acts"]),
        "analyze_to_tokenization_warm_met": all(a["analyze_to_tokenization_warm"] <= 10 for a in out["acts"]),
        "cold_start_met": out["cold_start"]["analyze_to_import"] <= 2.0,
        "per_point_4n_to_n_max": 1.5, "scaling_met": out["scaling"]["per_point_4n_to_n"] <= 1.5,
    }
    return out
