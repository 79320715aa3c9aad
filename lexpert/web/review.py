"""The review page's view of an act: its text as paragraphs, each split into plain and
highlighted runs by finding evidence, with what the structure parser said of the paragraph (a
heading, or a unit that is not a norm: a stamp, a table of figures, a form)."""
from __future__ import annotations

from typing import Any

from ..expertise.db.models import Finding
from ..records import NodeJSON

HEADING_KINDS = frozenset({"section", "chapter", "paragraph", "article", "heading"})


def structure_spans(structure: NodeJSON | None) -> tuple[list[tuple[int, int, str]], list[tuple[int, int]]]:
    """From a stored report's structure: (start, end, unit) of every node with own text, and the
    own-text spans of headings (sections, chapters, articles, titled headings)."""
    units: list[tuple[int, int, str]] = []
    headings: list[tuple[int, int]] = []
    stack = [structure] if structure else []
    while stack:
        n = stack.pop()
        a, z = n.get("text_span") or (None, None)
        if n.get("unit") and a is not None:
            units.append((a, z, n["unit"]))
        if n.get("kind") in HEADING_KINDS and a is not None and z > a:
            headings.append((a, z))
        stack.extend(n.get("children") or [])
    return sorted(units), sorted(headings)


def segments(text: str, findings: list[Finding], structure: NodeJSON | None = None) -> list[dict[str, Any]]:
    """The act's paragraphs with their runs; a paragraph that carries no finding and is a heading
    in the parsed structure is marked ``heading``; one none of whose units is normative is marked
    with its unit type, so the reader sees what the detectors did not read."""
    units, headings = structure_spans(structure)
    # two findings may share one evidence span (two factors in one phrase): order by span, then
    # by id, never by comparing the findings themselves
    spans = sorted(((f.evidence_start, f.evidence_end, f) for f in findings
                    if f.evidence_start is not None and f.evidence_end is not None),
                   key=lambda x: (x[0], x[1], x[2].id))
    norms: dict[tuple[int, int], list[Finding]] = {}
    for f in findings:
        if f.norm_start is not None:
            norms.setdefault((f.norm_start, f.norm_end), []).append(f)
    out = []
    pos = 0
    for line in text.split("\n"):
        a, z = pos, pos + len(line)
        pos = z + 1
        if not line.strip():
            continue
        runs, cur = [], a
        for s0, e0, f in spans:
            if e0 <= cur or s0 >= z:
                continue
            s1, e1 = max(s0, cur), min(e0, z)
            if s1 > cur:
                runs.append({"text": text[cur:s1]})
            runs.append({"text": text[s1:e1], "finding": f.id, "family": f.family})
            cur = e1
        if cur < z:
            runs.append({"text": text[cur:z]})
        fs = [f for (ns, ne), lst in norms.items() if ns < z and ne > a for f in lst]
        heading = not fs and any(ha < z and hz > a for ha, hz in headings)
        kinds = {u for ua, uz, u in units if ua < z and uz > a}
        nonnorm = sorted(kinds)[0] if kinds and "norm" not in kinds and not fs else None
        out.append({"runs": runs, "findings": sorted({f.id for f in fs}),
                    "families": sorted({f.family for f in fs}), "heading": heading, "unit": nonnorm})
    return out
