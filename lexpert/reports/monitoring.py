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

NATIONAL_BASELINE = 2.7        # corruption factors per draft, seed 002 (the Concept 2022-2026)

T: dict[str, dict[str, str]] = strings("monitoring")


@dataclass
class MonitoringData:
    """The indicators of the report, computed from a batch OUTDIR."""

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
    examples = {c: sorted([f for f in v if f["lang"] == lang] or v, key=lambda f: -f["score"])[:2]
                for c, v in best.items()}
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
    ax.axvline(mean, color="black", linestyle=":", linewidth=1, label=f"{mean:.1f}")
    ax.axvline(NATIONAL_BASELINE, color="grey", linestyle="--", linewidth=1, label=f"{NATIONAL_BASELINE}")
    ax.legend(fontsize=8)
    ax.set_title(T[lang]["fig_agency"], fontsize=10)
    fig.tight_layout()
    files.append(out_dir / "factors_per_draft_by_agency.png")
    fig.savefig(files[-1], dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 3.6))
    total = max(1, sum(data.by_family.values()))
    shares = [100 * data.by_family[f] / total for f in FAMILIES]
    ax.barh(fam_names[::-1], shares[::-1], color="#c0392b")
    for i, v in enumerate(shares[::-1]):
        ax.text(v + 0.5, i, f"{v:.1f}%", va="center", fontsize=8)
    ax.set_xlim(0, max(shares + [1]) * 1.2)
    ax.set_title(T[lang]["fig_family"], fontsize=10)
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
            ax.text(j, i, f"{M[i, j]:.1f}", ha="center", va="center", fontsize=7)
    ax.set_title(T[lang]["fig_heat"], fontsize=10)
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


def _table(doc, header: list[str], rows: list[list[Any]]) -> None:
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    for i, h in enumerate(header):
        t.rows[0].cells[i].text = str(h)
        for r in t.rows[0].cells[i].paragraphs[0].runs:
            r.bold = True
    for row in rows:
        cells = t.add_row().cells
        for i, v in enumerate(row):
            cells[i].text = str(v)


def report(outdir: str | Path, output: str | Path, *, lang: str = "ru", period: str | None = None,
           monitoring_type: str | None = None, conducted_by: str | None = None,
           plots_dir: str | Path | None = None) -> Path:
    """Write the analytical report (DOCX) for the batch in ``outdir``; returns its path.

    ``period`` is 'FROM..TO' (or any text); by default the range of the drafts' dates.
    ``plots_dir`` keeps the PNG figures (default: a temporary folder)."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    if lang not in T:
        raise ContractError(f"--lang must be ru or kk, not {lang!r}")
    s = T[lang]
    tax = load_taxonomy()
    data = load(outdir, lang)
    d = docx.Document()
    d.styles["Normal"].font.name = "Times New Roman"
    d.styles["Normal"].font.size = Pt(12)
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
    ags = sorted(data.agencies)
    d.add_paragraph(s["bodies"].format(x="; ".join(ags) or s["none"]))
    d.add_paragraph(s["I2"])
    d.add_paragraph(conducted_by or s["by_default"].format(version=__version__, det=data.detector))
    a, b = _period(period, data)
    d.add_paragraph(s["I3"].format(a=a, b=b))

    d.add_heading(s["II"], level=1)
    d.add_paragraph(s["II_lead"])
    d.add_paragraph(s["prelim"].format(det=f"lexpert {__version__}, {data.detector}")).runs[0].italic = True
    d.add_heading(s["quant"], level=2)
    mean = data.findings / data.ok if data.ok else 0.0
    med = statistics.median(data.per_draft) if data.per_draft else 0
    _table(d, [s["ind"], s["val"]], [
        [s["r_drafts"], data.drafts], [s["r_dups"], data.duplicates], [s["r_ok"], data.ok], [s["r_err"], data.errors],
        [s["r_norms"], data.norms],
        [s["r_flagged"], f"{data.flagged_norms} ({100 * data.flagged_norms / max(1, data.norms):.1f}%)"],
        [s["r_findings"], data.findings], [s["r_per_draft"], f"{mean:.2f} / {med:g}"],
        [s["r_clean"], sum(1 for x in data.per_draft if x == 0)],
        [s["r_lang"], f"{data.by_lang.get('ru', 0)} / {data.by_lang.get('kk', 0)}"],
    ])
    total = max(1, data.findings)
    d.add_paragraph()
    d.add_paragraph(s["fam_table"]).runs[0].bold = True
    _table(d, [s["family"], s["count"], s["share"], s["per_draft"]],
           [[tax.family_name(f, lang), data.by_family[f], f"{100 * data.by_family[f] / total:.1f}",
             f"{data.by_family[f] / max(1, data.ok):.2f}"] for f in FAMILIES])
    d.add_paragraph()
    d.add_paragraph(s["code_table"]).runs[0].bold = True
    _table(d, [s["code"], s["count"], s["share"], s["drafts_with"]],
           [[tax[c].name(lang), n, f"{100 * n / total:.1f}", data.drafts_with_code[c]]
            for c, n in data.by_code.most_common()])
    d.add_paragraph()
    d.add_paragraph(s["agency_table"]).runs[0].bold = True
    rows = []
    for ag in sorted(data.agencies, key=lambda x: -data.agencies[x]["findings"] / max(1, data.agencies[x]["drafts"])):
        g = data.agencies[ag]
        top = g["family"].most_common(1)
        rows.append([ag, g["drafts"], g["findings"], f"{g['findings'] / max(1, g['drafts']):.2f}",
                     tax.family_name(top[0][0], lang) if top and top[0][1] else s["none"]])
    _table(d, [s["agency"], s["drafts"], s["findings"], s["per_draft"], s["top_family"]], rows)
    tmp = None
    if plots_dir is None:
        tmp = tempfile.TemporaryDirectory()
        pdir = Path(tmp.name)
    else:
        pdir = Path(plots_dir)
        pdir.mkdir(parents=True, exist_ok=True)
    try:
        for f, cap in zip(plots(data, pdir, lang), ("fig_agency", "fig_family", "fig_heat")):
            d.add_picture(str(f), width=Cm(16))
            c = d.add_paragraph(s[cap])
            c.alignment = WD_ALIGN_PARAGRAPH.CENTER
            c.runs[0].italic = True
    finally:
        if tmp is not None:
            tmp.cleanup()

    d.add_heading(s["qual"], level=2)
    d.add_paragraph(s["qual_lead"])
    for c, n in data.by_code.most_common(5):
        d.add_paragraph(f"{tax[c].name(lang)} — {n}", style="List Bullet")
        for ex in data.examples.get(c, []):
            ev = " ".join((ex["evidence"] or "").split())
            # the reason in the report's language: a finding of a draft in the other language is
            # explained by the factor's name instead of its own reason
            reason = ex["reason"] if ex["lang"] == lang else tax[c].name(lang)
            d.add_paragraph(s["example"].format(title=ex["title"], loc=ex["locator"], ev=ev[:200], reason=reason),
                            style="List Bullet 2")

    d.add_heading(s["III"], level=1)
    d.add_paragraph(s["III_lead"])
    d.add_paragraph(s["c_rate"].format(x=f"{mean:.2f}", b=NATIONAL_BASELINE,
                                       cmp=s["above"] if mean > NATIONAL_BASELINE else s["below"]), style="List Number")
    top_f = max(FAMILIES, key=lambda f: data.by_family[f])
    if data.by_code:
        c, n = data.by_code.most_common(1)[0]
        d.add_paragraph(s["c_family"].format(f=tax.family_name(top_f, lang),
                                             p=f"{100 * data.by_family[top_f] / total:.1f}", c=tax[c].name(lang), n=n),
                        style="List Number")
    high = [ag for ag, g in data.agencies.items() if g["drafts"] and g["findings"] / g["drafts"] > 1.2 * mean]
    d.add_paragraph(s["c_agency"].format(x="; ".join(sorted(high))) if high else s["c_agency_none"], style="List Number")
    d.add_paragraph(s["c_norms"].format(p=f"{100 * data.flagged_norms / max(1, data.norms):.1f}"), style="List Number")
    if data.errors:
        d.add_paragraph(s["c_errors"].format(n=data.errors), style="List Number")
    d.add_paragraph(s["decision"].format(f=tax.family_name(top_f, lang)))
    d.add_paragraph(s["generated"].format(version=__version__, date=dt.date.today().isoformat())).runs[0].italic = True
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    d.save(out)
    return out
