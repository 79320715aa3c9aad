"""KPI A and KPI B exactly as docs/kpi.md defines them, for any period, as of any date.

Every figure is computed by replaying the append-only audit log up to ``as_of``: a
finding's decision, a draft's status and a recommendation's incorporation are the last
recorded values at that moment. Adding later events never changes a past figure.

KPI A — factors per draft: confirmed findings in the first (examined) version of the
drafts examined in the period / number of drafts examined in the period. Examined = the
expertise of the first version was completed in the period. Lower is better.

KPI B — share of recommendations taken in: recommendations incorporated in the adopted
acts / recommendations issued on the drafts (examined in the period) that were adopted,
x 100. Reported with the four fields of seed 001 and the denominator.
"""
from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .db.models import AuditEvent, Draft, Finding, Recommendation, Version, utcnow
from ..taxonomy import FAMILIES, load_taxonomy
from ..data import strings

DEFINITIONS = strings("kpi")["definitions"]
GROUPS = ("agency", "sphere", "kind", "none")


@dataclass
class _State:
    draft_status: dict[int, str] = field(default_factory=dict)
    draft_reason: dict[int, str | None] = field(default_factory=dict)
    version_completed: dict[int, dt.datetime] = field(default_factory=dict)
    finding_decision: dict[int, str] = field(default_factory=dict)
    finding_exists: set[int] = field(default_factory=set)
    rec_exists: set[int] = field(default_factory=set)
    rec_incorporation: dict[int, str] = field(default_factory=dict)


def _replay(s: Session, as_of: dt.datetime) -> _State:
    st = _State()
    for e in s.scalars(select(AuditEvent).where(AuditEvent.at <= as_of).order_by(AuditEvent.at, AuditEvent.id)):
        if e.entity == "draft" and e.field == "status":
            st.draft_status[e.entity_id] = e.new
        elif e.entity == "draft" and e.field == "status_reason":
            st.draft_reason[e.entity_id] = e.new
        elif e.entity == "version" and e.field == "expertise_completed":
            st.version_completed[e.entity_id] = e.at
        elif e.entity == "finding" and e.field == "created":
            st.finding_exists.add(e.entity_id)
            st.finding_decision.setdefault(e.entity_id, "pending")
        elif e.entity == "finding" and e.field == "decision":
            st.finding_decision[e.entity_id] = e.new
        elif e.entity == "recommendation" and e.field == "created":
            st.rec_exists.add(e.entity_id)
        elif e.entity == "recommendation" and e.field == "incorporation":
            st.rec_incorporation[e.entity_id] = e.new
    return st


def _quarter(d: dt.datetime) -> str:
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def _distribution(counts: list[int]) -> dict[str, Any]:
    if not counts:
        return {"mean": None, "median": None, "min": None, "max": None, "histogram": {}}
    return {"mean": round(sum(counts) / len(counts), 3), "median": statistics.median(counts),
            "min": min(counts), "max": max(counts),
            "histogram": {str(k): v for k, v in sorted(Counter(counts).items())}}


def compute(s: Session, date_from: dt.date | dt.datetime | None = None, date_to: dt.date | dt.datetime | None = None,
            by: str = "agency", as_of: dt.datetime | None = None, agency: str | None = None) -> dict[str, Any]:
    """Both KPIs for drafts examined in [date_from, date_to] (inclusive dates), grouped ``by``
    (agency, sphere, kind, quarter or none), optionally for one ``agency`` only."""
    if by not in GROUPS and by != "quarter":
        raise ValueError(f"by must be one of {', '.join(GROUPS + ('quarter',))}")
    as_of = as_of or utcnow()
    lo = _as_dt(date_from) if date_from else dt.datetime.min
    hi = _as_dt(date_to, end=True) if date_to else dt.datetime.max
    st = _replay(s, as_of)
    drafts = {d.id: d for d in s.scalars(select(Draft))}
    first_version = {v.draft_id: v for v in s.scalars(select(Version).where(Version.number == 1))}
    findings_by_version: dict[int, list[Finding]] = defaultdict(list)
    for f in s.scalars(select(Finding)):
        findings_by_version[f.version_id].append(f)
    recs_by_draft: dict[int, list[Recommendation]] = defaultdict(list)
    for r in s.scalars(select(Recommendation)):
        recs_by_draft[r.draft_id].append(r)

    examined = []
    for d_id, v in first_version.items():
        when = st.version_completed.get(v.id)
        if when is not None and lo <= when <= hi and (agency is None or drafts[d_id].agency == agency):
            examined.append((drafts[d_id], v, when))

    groups: dict[str, list] = defaultdict(list)
    for d, v, when in examined:
        key = {"agency": d.agency, "sphere": d.sphere, "kind": d.kind, "none": "all",
               "quarter": _quarter(when)}[by] or "(unknown)"
        groups[key].append((d, v, when))

    def block(items) -> dict[str, Any]:
        per_draft, fam = [], Counter()
        b = {"examined": len(items), "adopted": 0, "not_adopted": 0, "withdrawn": 0, "under_expertise": 0,
             "not_adopted_reasons": Counter(), "issued_on_adopted": 0, "incorporated": 0}
        for d, v, _ in items:
            conf = [f for f in findings_by_version[v.id]
                    if f.id in st.finding_exists and st.finding_decision.get(f.id) == "confirmed"]
            per_draft.append(len(conf))
            fam.update(f.family for f in conf)
            status = st.draft_status.get(d.id, "under_expertise")
            b[status] += 1
            if status == "not_adopted":
                b["not_adopted_reasons"][st.draft_reason.get(d.id) or "(none)"] += 1
            if status == "adopted":
                recs = [r for r in recs_by_draft[d.id] if r.id in st.rec_exists]
                b["issued_on_adopted"] += len(recs)
                b["incorporated"] += sum(st.rec_incorporation.get(r.id) == "incorporated" for r in recs)
        n = len(items)
        kpi_a = {"drafts_examined": n, "confirmed_findings": sum(per_draft),
                 "factors_per_draft": round(sum(per_draft) / n, 3) if n else None,
                 "distribution": _distribution(per_draft),
                 "by_family": {f: {"confirmed_findings": fam[f], "per_draft": round(fam[f] / n, 3) if n else None}
                               for f in FAMILIES}}
        b["not_adopted_reasons"] = dict(b["not_adopted_reasons"])
        kpi_b = {"drafts_passed_expertise": b["examined"], "adopted": b["adopted"], "not_adopted": b["not_adopted"],
                 "not_adopted_reasons": b["not_adopted_reasons"], "withdrawn": b["withdrawn"],
                 "still_under_consideration": b["under_expertise"],
                 "recommendations_incorporated": b["incorporated"],
                 "recommendations_issued_on_adopted": b["issued_on_adopted"],
                 "recommendations_share_percent": round(100 * b["incorporated"] / b["issued_on_adopted"], 2)
                 if b["issued_on_adopted"] else None}
        return {"kpi_a": kpi_a, "kpi_b": kpi_b}

    return {
        "definitions": DEFINITIONS,
        "period": {"from": date_from.isoformat() if date_from else None, "to": date_to.isoformat() if date_to else None},
        "as_of": as_of.isoformat(timespec="seconds"),
        "by": by,
        "groups": [{"key": k, **block(v)} for k, v in sorted(groups.items())],
        "total": block(examined),
    }


def _as_dt(d, end: bool = False) -> dt.datetime:
    if isinstance(d, dt.datetime):
        return d
    return dt.datetime.combine(d, dt.time.max if end else dt.time.min)


COLUMNS = [
    ("key", lambda g: g["key"]),
    ("drafts_examined", lambda g: g["kpi_a"]["drafts_examined"]),
    ("confirmed_findings", lambda g: g["kpi_a"]["confirmed_findings"]),
    ("factors_per_draft", lambda g: g["kpi_a"]["factors_per_draft"]),
    ("median_per_draft", lambda g: g["kpi_a"]["distribution"]["median"]),
    *[(f"{f}_per_draft", (lambda f: lambda g: g["kpi_a"]["by_family"][f]["per_draft"])(f)) for f in FAMILIES],
    ("adopted", lambda g: g["kpi_b"]["adopted"]),
    ("not_adopted", lambda g: g["kpi_b"]["not_adopted"]),
    ("not_adopted_reasons", lambda g: "; ".join(f"{k}: {v}" for k, v in g["kpi_b"]["not_adopted_reasons"].items())),
    ("withdrawn", lambda g: g["kpi_b"]["withdrawn"]),
    ("recommendations_incorporated", lambda g: g["kpi_b"]["recommendations_incorporated"]),
    ("recommendations_issued_on_adopted", lambda g: g["kpi_b"]["recommendations_issued_on_adopted"]),
    ("recommendations_share_percent", lambda g: g["kpi_b"]["recommendations_share_percent"]),
]


def headers(lang: str = "en") -> list[str]:
    """The column headers: the English keys (``en``, for machines), or the Russian or Kazakh
    names an official reads (the same names as the KPI page of the web UI)."""
    if lang == "en":
        return [c for c, _ in COLUMNS]
    names = strings("kpi")["columns"][lang]
    return [names.get(c, c) for c, _ in COLUMNS]


def rows(res: dict[str, Any], lang: str = "en") -> list[list[Any]]:
    out = [[fn(g) for _, fn in COLUMNS] for g in res["groups"]]
    total_key = "TOTAL"
    if lang != "en":
        total_key = strings("kpi")["columns"][lang]["TOTAL"]
    total = dict(res["total"], key=total_key)
    out.append([fn(total) for _, fn in COLUMNS])
    return out


def write_csv(res: dict[str, Any], fh, lang: str = "en") -> None:
    import csv

    w = csv.writer(fh)
    w.writerow(headers(lang))
    w.writerows(rows(res, lang))


def write_xlsx(res: dict[str, Any], path, lang: str = "en") -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "KPI"
    ws.append(headers(lang))
    for r in rows(res, lang):
        ws.append(r)
    d = wb.create_sheet("definitions")
    for k, v in res["definitions"].items():
        d.append([k, v])
    d.append(["period", f"{res['period']['from']} .. {res['period']['to']}"])
    d.append(["as_of", res["as_of"]])
    wb.save(path)


PLOT_TEXT = strings("kpi")["plot"]


def plots(s: Session, out_dir, date_from=None, date_to=None, as_of=None, fmt: str = "png",
          lang: str = "en", agency: str | None = None) -> list[str]:
    """KPI A by quarter per agency, KPI B by agency, and the agency x factor-family heatmap,
    labelled in ``lang`` (en, ru or kk); with ``agency``, of that one agency only (nothing of
    another agency is drawn, named or counted)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from pathlib import Path

    T = PLOT_TEXT.get(lang, PLOT_TEXT["en"])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    by_agency = compute(s, date_from, date_to, by="agency", as_of=as_of, agency=agency)
    agencies = [g["key"] for g in by_agency["groups"]]
    files = []
    # KPI A by quarter, one line per agency (the agencies with the most drafts, to stay readable)
    top = sorted(by_agency["groups"], key=lambda g: -g["kpi_a"]["drafts_examined"])[:8]
    series = {g["key"]: {q["key"]: q["kpi_a"]["factors_per_draft"]
                         for q in compute(s, date_from, date_to, by="quarter", as_of=as_of, agency=g["key"])["groups"]}
              for g in top}
    quarters = quarter_range({q for v in series.values() for q in v})
    fig, ax = plt.subplots(figsize=(11, 4.8))
    for ag, vals in series.items():
        # a quarter with no examined draft is a gap in the line, not a straight segment across it
        ys = [vals[q] if vals.get(q) is not None else float("nan") for q in quarters]
        ax.plot(range(len(quarters)), ys, marker="o", label=_short(ag))
    ax.set_xticks(range(len(quarters)), quarters, rotation=45, ha="right")
    title = T["a_title"]
    if len(by_agency["groups"]) > len(top):
        title += T["a_top"].format(n=len(top))
    ax.set_title(_wrap(title), fontsize=10)
    ax.set_ylabel(T["a_y"])
    ax.axhline(2.7, color="grey", linestyle="--", linewidth=1, label=T["baseline"])
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    files.append(str(out / f"kpi_a_by_quarter.{fmt}"))
    fig.savefig(files[-1])
    plt.close(fig)
    # KPI B by agency
    fig, ax = plt.subplots(figsize=(9, 4.5))
    bars = [kpi_b_bar(g["kpi_b"], T["b_none"]) for g in by_agency["groups"]]
    ax.barh([_short(a) for a in agencies], [v if v is not None else 0 for v, _ in bars], color="#2a7ab0")
    for i, (v, label) in enumerate(bars):         # an agency with nothing adopted has no bar, and says so
        ax.text((v or 0) + 1, i, label, va="center", fontsize=8, color="black" if v is not None else "grey")
    ax.set_xlim(0, 110)
    ax.set_xlabel(T["b_x"])
    ax.set_title(_wrap(T["b_title"]), fontsize=10)
    fig.tight_layout()
    files.append(str(out / f"kpi_b_by_agency.{fmt}"))
    fig.savefig(files[-1])
    plt.close(fig)
    # heatmap agency x family
    import numpy as np

    M = np.array([[g["kpi_a"]["by_family"][f]["per_draft"] or 0 for f in FAMILIES] for g in by_agency["groups"]])
    fig, ax = plt.subplots(figsize=(8, 0.5 * max(3, len(agencies)) + 1.5))
    im = ax.imshow(M if M.size else np.zeros((1, len(FAMILIES))), cmap="Reds", aspect="auto")
    fam_labels = list(FAMILIES) if lang not in ("ru", "kk") else [load_taxonomy().family_name(f, lang) for f in FAMILIES]
    ax.set_xticks(range(len(FAMILIES)), fam_labels, rotation=30, ha="right")
    ax.set_yticks(range(len(agencies)), [_short(a) for a in agencies])
    for i in range(M.shape[0]):
        for j in range(M.shape[1]):
            ax.text(j, i, f"{M[i, j]:.2f}", ha="center", va="center", fontsize=8)
    ax.set_title(_wrap(T["heat_title"], 60), fontsize=10)
    fig.colorbar(im, ax=ax)
    fig.tight_layout()
    files.append(str(out / f"heatmap_agency_family.{fmt}"))
    fig.savefig(files[-1])
    plt.close(fig)
    return files


def quarter_range(quarters) -> list[str]:
    """Every quarter from the first to the last of ``quarters`` («2026-Q1» …), none skipped, so
    an empty quarter keeps its place on the axis."""
    qs = sorted(quarters)
    if not qs:
        return []
    (y0, q0), (y1, q1) = (tuple(map(int, qs[0].split("-Q"))), tuple(map(int, qs[-1].split("-Q"))))
    out, y, q = [], y0, q0
    while (y, q) <= (y1, q1):
        out.append(f"{y}-Q{q}")
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out


def kpi_b_bar(b: dict[str, Any], none_label: str) -> tuple[float | None, str]:
    """The KPI B bar of one agency: (share, label); no bar (None) where nothing was adopted
    (0 of 0 is not 0%)."""
    if not b["recommendations_issued_on_adopted"]:
        return None, none_label
    return (b["recommendations_share_percent"] or 0.0,
            f"{b['recommendations_incorporated']}/{b['recommendations_issued_on_adopted']}")


def _wrap(title: str, width: int = 75) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(title, width))


def _short(name: str | None, n: int = 38) -> str:
    name = name or "(unknown)"
    return name if len(name) <= n else name[: n - 1] + "…"
