"""The analytical report on the results of anti-corruption monitoring, from a batch OUTDIR.

The document follows the form annexed to the Rules of anti-corruption monitoring (order of
the Agency No. 22 of 28.01.2020; corpora/seeds/000 in Kazakh, 003 in English): the type of
monitoring; I. Introduction (scope: spheres and bodies; who conducted it; the period);
II. Information-analytical part (quantitative and qualitative indicators); III. Final part
(conclusions and the decision under paragraph 16 of the Rules). The indicators are computed
from ``acts.parquet`` and ``findings.parquet`` of ``lexpert batch``; the three plots
(factors per draft by agency, shares of factor families, agency x family heatmap) are
embedded as pictures. Findings of a batch are the detector's, not yet confirmed by an
expert: the report says so.
"""
from __future__ import annotations

import datetime as dt
import statistics
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..version import __version__
from ..errors import ContractError
from ..taxonomy import FAMILIES, load_taxonomy, sphere_name
from ..data import strings
from .docx_layout import a4, fit_table, official_styles, official_wording

NATIONAL_BASELINE = 2.7        # corruption factors per draft, seed 002 (the Concept 2022-2026)

T: dict[str, dict[str, str]] = strings("monitoring")


@dataclass
class MonitoringData:
    """The indicators of the report, from a batch OUTDIR (:func:`load`) or the expertise record
    (:func:`load_record`)."""

    drafts: int
    ok: int
    errors: int
    norms: int
    flagged_norms: int
    findings: int
    per_draft: list[int]
    by_lang: Counter
    by_family: Counter
    by_code: Counter
    drafts_with_code: Counter
    agencies: dict[str, dict[str, Any]]
    spheres: list[str]
    dates: list[str]
    detector: str
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    duplicates: int = 0
    basis: str = "batch"            # batch: the detector's signals; record: factors confirmed by an expert


def _examples(by_code: dict[str, list[dict[str, Any]]], lang: str) -> dict[str, list[dict[str, Any]]]:
    """The two highest-scored findings of each code, from drafts in the report's language where
    there are any (a Russian report does not quote Kazakh reasons)."""
    return {c: sorted([f for f in v if f["lang"] == lang] or v, key=lambda f: -f["score"])[:2]
            for c, v in by_code.items()}


def load(outdir: str | Path, lang: str = "ru") -> MonitoringData:
    """Read acts.parquet and findings.parquet of a batch OUTDIR into :class:`MonitoringData`.

    A draft that arrived more than once (the same text: the same SHA-256) is counted once,
    with its findings; ``duplicates`` says how many copies were folded. Examples of norms are
    taken from drafts in the report's language ``lang`` where there are any, so a Russian
    report does not quote Kazakh reasons."""
    import pyarrow.parquet as pq

    out = Path(outdir)
    for name in ("acts.parquet", "findings.parquet"):
        if not (out / name).exists():
            raise ContractError(f"{out}: not a finished batch folder ({name} is missing; run `lexpert batch` first)")
    acts = pq.read_table(out / "acts.parquet").to_pylist()
    fnd = pq.read_table(out / "findings.parquet", columns=["id", "code", "family", "score", "locator", "evidence",
                                                            "reason", "lang"]).to_pylist()
    seen_text: set[str] = set()
    ok, duplicates = [], 0
    for a in acts:
        if a["status"] != "ok":
            continue
        if a["sha256"] and a["sha256"] in seen_text:
            duplicates += 1
            continue
        seen_text.add(a["sha256"])
        ok.append(a)
    kept = {a["id"] for a in ok}
    fnd = [f for f in fnd if f["id"] in kept]
    title = {a["id"]: a["title"] or a["id"] for a in ok}
    agencies: dict[str, dict[str, Any]] = defaultdict(lambda: {"drafts": 0, "findings": 0, "family": Counter()})
    unknown = T.get(lang, T["ru"])["unknown_agency"]
    for a in ok:
        g = agencies[a["agency"] or unknown]
        g["drafts"] += 1
        g["findings"] += a["findings"]
        for f in FAMILIES:
            g["family"][f] += a[f"findings_{f}"]
    by_code, drafts_with = Counter(), Counter()
    seen = set()
    best: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in fnd:
        by_code[f["code"]] += 1
        if (f["id"], f["code"]) not in seen:
            seen.add((f["id"], f["code"]))
            drafts_with[f["code"]] += 1
        if f["id"] in title:
            best[f["code"]].append(f)
    examples = _examples(best, lang)
    for c in examples:
        for f in examples[c]:
            f["title"] = title.get(f["id"], f["id"])
    return MonitoringData(
        drafts=len(acts), ok=len(ok), errors=sum(1 for a in acts if a["status"] != "ok"), norms=sum(a["norms"] for a in ok),
        flagged_norms=sum(a["flagged_norms"] for a in ok), findings=sum(a["findings"] for a in ok),
        per_draft=[a["findings"] for a in ok], by_lang=Counter(a["language"] for a in ok),
        by_family=Counter({f: sum(a[f"findings_{f}"] for a in ok) for f in FAMILIES}), by_code=by_code,
        drafts_with_code=drafts_with, agencies=dict(agencies),
        spheres=sorted({a["sphere"] for a in ok if a["sphere"]}), dates=sorted(a["date"] for a in ok if a["date"]),
        detector=next((a["detector"] for a in ok if a["detector"]), "—"), examples=examples, duplicates=duplicates)


def load_record(session, lang: str = "ru", date_from: dt.date | None = None,
                date_to: dt.date | None = None) -> MonitoringData:
    """The indicators from the expertise record: the drafts whose expertise was completed in
    [``date_from``, ``date_to``] (inclusive; open ends when None), with the factors an expert
    confirmed on the version examined (as KPI A counts them). Drafts still under expertise are
    counted (``errors`` holds them: not reported on) but their findings are not; a text
    examined twice (the same SHA-256) is counted once."""
    from sqlalchemy import select

    from ..expertise.db.models import Draft

    lo = dt.datetime.combine(date_from, dt.time.min) if date_from else dt.datetime.min
    hi = dt.datetime.combine(date_to, dt.time.max) if date_to else dt.datetime.max
    unknown = T[lang]["unknown_agency"]
    seen: set[str] = set()
    done, pending, duplicates, detectors = [], 0, 0, Counter()
    for d in session.scalars(select(Draft).order_by(Draft.id)):
        v = d.versions[0] if d.versions else None
        if v is None:
            continue
        if v.expertise_completed_at is None:
            pending += lo <= v.created_at <= hi
            continue
        if not lo <= v.expertise_completed_at <= hi:
            continue
        if v.sha256 in seen:
            duplicates += 1
            continue
        seen.add(v.sha256)
        done.append((d, v, [f for f in v.findings if f.decision == "confirmed"]))
        detectors[((v.report or {}).get("generator") or {}).get("detector") or "—"] += 1
    agencies: dict[str, dict[str, Any]] = defaultdict(lambda: {"drafts": 0, "findings": 0, "family": Counter()})
    by_code, drafts_with, best = Counter(), Counter(), defaultdict(list)
    for d, v, conf in done:
        g = agencies[d.agency or unknown]
        g["drafts"] += 1
        g["findings"] += len(conf)
        g["family"].update(f.family for f in conf)
        by_code.update(f.code for f in conf)
        drafts_with.update({f.code for f in conf})
        for f in conf:
            best[f.code].append({"id": d.id, "code": f.code, "locator": f.locator, "evidence": f.norm_text,
                                 "reason": f.reason, "lang": d.lang or "ru", "title": d.title, "score": f.score or 0})
    examples = _examples(best, lang)
    return MonitoringData(
        drafts=len(done) + duplicates + pending, ok=len(done), errors=pending,
        norms=sum(((v.report or {}).get("summary") or {}).get("norms", 0) for _, v, _ in done),
        flagged_norms=sum(len({f.norm_id or f.locator for f in conf}) for *_, conf in done),
        findings=sum(len(conf) for *_, conf in done), per_draft=[len(conf) for *_, conf in done],
        by_lang=Counter(d.lang for d, _, _ in done), by_family=Counter(f.family for *_, conf in done for f in conf),
        by_code=by_code, drafts_with_code=drafts_with, agencies=dict(agencies),
        spheres=sorted({d.sphere for d, _, _ in done if d.sphere}),
        dates=[x.strftime("%d.%m.%Y") for x in sorted(v.expertise_completed_at for _, v, _ in done)],
        detector=detectors.most_common(1)[0][0] if detectors else "—", examples=examples, duplicates=duplicates,
        basis="record")


def plots(data: MonitoringData, out_dir: Path, lang: str = "ru") -> list[Path]:
    """The three figures (PNG): factors per draft by agency, family shares, agency x family heatmap."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from ..expertise.kpi import _short

    tax = load_taxonomy()
    fam_names = [tax.family_name(f, lang) for f in FAMILIES]
    ags = sorted(data.agencies, key=lambda a: -data.agencies[a]["findings"] / max(1, data.agencies[a]["drafts"]))[:20]
    files = []
    fig, ax = plt.subplots(figsize=(9, 0.4 * max(3, len(ags)) + 1.4))
    vals = [data.agencies[a]["findings"] / max(1, data.agencies[a]["drafts"]) for a in ags]
    ax.barh([_short(a, 45) for a in ags][::-1], vals[::-1], color="#2a7ab0")
    mean = data.findings / max(1, data.ok)
    words = texts(lang, data.basis)                # the caption under the figure is its title
    ax.axvline(mean, color="black", linestyle=":", linewidth=1, label=words["legend_mean"].format(x=_num(mean, 1)))
    ax.axvline(NATIONAL_BASELINE, color="grey", linestyle="--", linewidth=1,
               label=words["legend_base"].format(x=_num(NATIONAL_BASELINE, 1)))
    ax.legend(fontsize=8)
    fig.tight_layout()
    files.append(out_dir / "factors_per_draft_by_agency.png")
    fig.savefig(files[-1], dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 3.6))
    total = max(1, sum(data.by_family.values()))
    shares = [100 * data.by_family[f] / total for f in FAMILIES]
    ax.barh(fam_names[::-1], shares[::-1], color="#c0392b")
    for i, v in enumerate(shares[::-1]):
        ax.text(v + 0.5, i, f"{_num(v, 1)}%", va="center", fontsize=8)
    ax.set_xlim(0, max(shares + [1]) * 1.2)
    fig.tight_layout()
    files.append(out_dir / "family_shares.png")
    fig.savefig(files[-1], dpi=110)
    plt.close(fig)

    M = np.array([[data.agencies[a]["family"][f] / max(1, data.agencies[a]["drafts"]) for f in FAMILIES] for a in ags])
    fig, ax = plt.subplots(figsize=(9, 0.45 * max(3, len(ags)) + 2))
    im = ax.imshow(M if M.size else np.zeros((1, len(FAMILIES))), cmap="Reds", aspect="auto")
    ax.set_xticks(range(len(FAMILIES)), fam_names, rotation=25, ha="right", fontsize=8)
    ax.set_yticks(range(len(ags)), [_short(a, 45) for a in ags], fontsize=8)
    for i in range(M.shape[0]):
        for j in range(M.shape[1]):
            ax.text(j, i, _num(M[i, j], 1), ha="center", va="center", fontsize=7)
    fig.colorbar(im, ax=ax)
    fig.tight_layout()
    files.append(out_dir / "heatmap_agency_family.png")
    fig.savefig(files[-1], dpi=110)
    plt.close(fig)
    return files


def _period(period: str | None, data: MonitoringData) -> tuple[str, str]:
    if period:
        for sep in ("..", "/", " - "):
            if sep in period:
                a, b = period.split(sep, 1)
                return a.strip(), b.strip()
        return period.strip(), period.strip()
    if data.dates:
        return data.dates[0], data.dates[-1]
    return "—", "—"


def _table(doc, header: list[str], rows: list[list[Any]], base_cm: tuple[float, ...]) -> None:
    """A table with a bold header row repeated on each page, its columns fitted to their words."""
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    for i, h in enumerate(header):
        t.rows[0].cells[i].text = str(h)
    for row in rows:
        cells = t.add_row().cells
        for i, v in enumerate(row):
            cells[i].text = str(v)
    fit_table(t, base_cm, 11)


def _caption(doc, text: str):
    """A bold caption kept on the page of the table that follows it."""
    p = doc.add_paragraph()
    p.add_run(text).bold = True
    p.paragraph_format.keep_with_next = True
    return p


def _num(x: float, digits: int = 2) -> str:
    """A decimal as Russian and Kazakh documents write it: with a comma (2,45)."""
    return f"{x:.{digits}f}".replace(".", ",")


def texts(lang: str, basis: str) -> dict[str, str]:
    """The report's words in ``lang`` for its ``basis``: ``record`` (factors confirmed by an expert)
    or ``batch`` (the detector's signals, before an expert has seen them)."""
    if lang not in ("ru", "kk"):
        raise ContractError(f"--lang must be ru or kk, not {lang!r}")
    return {**T[lang], **(T[f"{lang}_record"] if basis == "record" else {})}


def report(source: str | Path | MonitoringData, output: str | Path, *, lang: str = "ru", period: str | None = None,
           monitoring_type: str | None = None, conducted_by: str | None = None,
           plots_dir: str | Path | None = None) -> Path:
    """Write the analytical report (DOCX); returns its path. ``source`` is a batch OUTDIR (the
    detector's signals, reported as preliminary) or :class:`MonitoringData` read from the
    expertise record by :func:`load_record` (confirmed factors only).

    ``period`` is 'FROM..TO' (or any text); by default the range of the drafts' dates.
    ``plots_dir`` keeps the PNG figures (default: a temporary folder)."""
    import docx

    texts(lang, "batch")                                   # the language is checked before any work
    data = source if isinstance(source, MonitoringData) else load(source, lang)
    s = texts(lang, data.basis)
    d = docx.Document()
    a4(d)
    official_styles(d)
    _introduction(d, data, s, lang, period, monitoring_type, conducted_by)
    mean = _quantitative(d, data, s, lang)
    tmp = None
    if plots_dir is None:
        tmp = tempfile.TemporaryDirectory()
        pdir = Path(tmp.name)
    else:
        pdir = Path(plots_dir)
        pdir.mkdir(parents=True, exist_ok=True)
    try:
        _figures(d, plots(data, pdir, lang), s)
    finally:
        if tmp is not None:
            tmp.cleanup()
    _qualitative(d, data, s, lang)
    _final(d, data, s, lang, mean)
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    d.save(out)
    return out


def _introduction(d, data: MonitoringData, s: dict, lang: str, period, monitoring_type, conducted_by) -> None:
    """The form's head and I. Introduction: scope (spheres, bodies), who conducted it, the period."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = d.add_paragraph(s["form"])
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    h = d.add_heading(s["title"], level=0)
    h.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = d.add_paragraph(monitoring_type or s["type_default"])
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.runs[0].underline = True
    p = d.add_paragraph(s["type_caption"])
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_heading(s["I"], level=1)
    d.add_paragraph(s["I1"])
    d.add_paragraph(s["spheres"].format(x=", ".join(sorted({sphere_name(x, lang) for x in data.spheres})) or s["none"]))
    d.add_paragraph(s["bodies"].format(x="; ".join(sorted(data.agencies)) or s["none"]))
    d.add_paragraph(s["I2"])
    d.add_paragraph(conducted_by or s["by_default"].format(version=__version__, det=data.detector))
    a, b = _period(period, data)
    d.add_paragraph(s["I3"].format(a=a, b=b))


def _quantitative(d, data: MonitoringData, s: dict, lang: str) -> float:
    """II.1: the indicators, and the tables by family, by factor and by developer body. Returns
    the mean per draft."""
    tax = load_taxonomy()
    d.add_heading(s["II"], level=1)
    d.add_paragraph(s["II_lead"])
    d.add_paragraph(s["prelim"].format(det=f"lexpert {__version__}, {data.detector}", n=data.ok)).runs[0].italic = True
    d.add_heading(s["quant"], level=2)
    mean = data.findings / data.ok if data.ok else 0.0
    med = statistics.median(data.per_draft) if data.per_draft else 0
    share = 100 * data.flagged_norms / max(1, data.norms)
    _table(d, [s["ind"], s["val"]], [
        [s["r_drafts"], data.drafts], [s["r_dups"], data.duplicates], [s["r_ok"], data.ok], [s["r_err"], data.errors],
        [s["r_norms"], data.norms], [s["r_flagged"], f"{data.flagged_norms} ({_num(share, 1)}%)"],
        [s["r_findings"], data.findings], [s["r_per_draft"], f"{_num(mean)} / {_num(med, 1)}"],
        [s["r_clean"], sum(1 for x in data.per_draft if x == 0)],
        [s["r_lang"], f"{data.by_lang.get('ru', 0)} / {data.by_lang.get('kk', 0)}"],
    ], (12.0, 4.5))
    total = max(1, data.findings)
    d.add_paragraph()
    _caption(d, s["fam_table"])
    _table(d, [s["family"], s["count"], s["share"], s["per_draft"]],
           [[tax.family_name(f, lang), data.by_family[f], _num(100 * data.by_family[f] / total, 1),
             _num(data.by_family[f] / max(1, data.ok))] for f in FAMILIES], (7.5, 2.5, 3.0, 3.5))
    d.add_paragraph()
    _caption(d, s["code_table"])
    _table(d, [s["code"], s["count"], s["share"], s["drafts_with"]],
           [[tax[c].name(lang), n, _num(100 * n / total, 1), data.drafts_with_code[c]]
            for c, n in data.by_code.most_common()], (7.5, 2.5, 3.0, 3.5))
    d.add_paragraph()
    _caption(d, s["agency_table"])
    rows = []
    for ag in sorted(data.agencies, key=lambda x: -data.agencies[x]["findings"] / max(1, data.agencies[x]["drafts"])):
        g = data.agencies[ag]
        top = g["family"].most_common(1)
        rows.append([ag, g["drafts"], g["findings"], _num(g["findings"] / max(1, g["drafts"])),
                     tax.family_name(top[0][0], lang) if top and top[0][1] else s["none"]])
    _table(d, [s["agency"], s["drafts"], s["findings"], s["per_draft"], s["top_family"]], rows,
           (6.5, 2.5, 2.5, 2.5, 2.5))
    return mean


def _figures(d, files: list[Path], s: dict) -> None:
    """The three figures, each kept on the page of its caption."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    for f, cap in zip(files, ("fig_agency", "fig_family", "fig_heat")):
        d.add_picture(str(f), width=Cm(16))
        d.paragraphs[-1].paragraph_format.keep_with_next = True
        c = d.add_paragraph(s[cap])
        c.alignment = WD_ALIGN_PARAGRAPH.CENTER
        c.runs[0].italic = True


def _qualitative(d, data: MonitoringData, s: dict, lang: str) -> None:
    """II.2: the most frequent factors, each with up to two norms quoted as examples."""
    tax = load_taxonomy()
    d.add_heading(s["qual"], level=2)
    d.add_paragraph(s["qual_lead"])
    for c, n in data.by_code.most_common(5):
        d.add_paragraph(f"{tax[c].name(lang)} — {n}", style="List Bullet")
        for ex in data.examples.get(c, []):
            ev = " ".join((ex["evidence"] or "").split())
            # the reason in the report's language: a finding of a draft in the other language is
            # explained by the factor's name instead of its own reason
            reason = official_wording(ex["reason"]) if ex["lang"] == lang else tax[c].name(lang)
            d.add_paragraph(s["example"].format(title=ex["title"], loc=ex["locator"], ev=ev[:200], reason=reason),
                            style="List Bullet 2")


def _final(d, data: MonitoringData, s: dict, lang: str, mean: float) -> None:
    """III. Final part: the conclusions and the decision under paragraph 16 of the Rules."""
    tax = load_taxonomy()
    total = max(1, data.findings)
    d.add_heading(s["III"], level=1)
    d.add_paragraph(s["III_lead"])
    d.add_paragraph(s["c_rate"].format(x=_num(mean), b=_num(NATIONAL_BASELINE, 1),
                                       cmp=s["above"] if mean > NATIONAL_BASELINE else s["below"]), style="List Number")
    top_f = max(FAMILIES, key=lambda f: data.by_family[f])
    if data.by_code:
        c, n = data.by_code.most_common(1)[0]
        d.add_paragraph(s["c_family"].format(f=tax.family_name(top_f, lang),
                                             p=_num(100 * data.by_family[top_f] / total, 1), c=tax[c].name(lang), n=n),
                        style="List Number")
    high = [ag for ag, g in data.agencies.items() if g["drafts"] and g["findings"] / g["drafts"] > 1.2 * mean]
    d.add_paragraph(s["c_agency"].format(x="; ".join(sorted(high))) if high else s["c_agency_none"], style="List Number")
    d.add_paragraph(s["c_norms"].format(p=_num(100 * data.flagged_norms / max(1, data.norms), 1)), style="List Number")
    if data.errors:
        d.add_paragraph(s["c_errors"].format(n=data.errors), style="List Number")
    d.add_paragraph(s["decision"].format(f=tax.family_name(top_f, lang))).paragraph_format.keep_with_next = True
    d.add_paragraph(s["generated"].format(version=__version__, date=dt.date.today().strftime("%d.%m.%Y"))).runs[0].italic = True
