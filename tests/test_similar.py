"""lexpert similar: planted families are found; reviewed findings are offered across a family."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lexpert.batch import similar as S
from lexpert.training.generate import generate_corpus
from lexpert.cli.commands import main


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    d = tmp_path_factory.mktemp("similar")
    # 10 families of 3 drafts: near duplicates (up to 3% of norms changed) to loose templates (35%),
    # plus 40 unrelated drafts drawn from the same pool of norms (shared boilerplate is common)
    drafts = []
    drafts += generate_corpus(d / "near", 12, norms_per_draft=40, families=4, family_size=3, change=(0.0, 0.03), seed=1)
    drafts += generate_corpus(d / "tpl", 18, norms_per_draft=40, families=6, family_size=3, change=(0.15, 0.35),
                              seed=2)
    drafts += generate_corpus(d / "single", 40, norms_per_draft=40, seed=3)
    rows, truth = [], {}
    for sub in ("near", "tpl", "single"):
        fams = json.loads((d / sub / "families.json").read_text())
        for line in (d / sub / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            r["path"] = f"{sub}/{r['path']}"
            r["id"] = f"{sub}-{r['id']}"
            truth[r["id"]] = f"{sub}-{fams[r['id'].split('-', 1)[1]]}" if fams[r["id"].split("-", 1)[1]] else None
            rows.append(r)
    (d / "manifest.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                      encoding="utf-8")
    return d, truth


def test_planted_families_precision_recall(planted, tmp_path):
    d, truth = planted
    out = tmp_path / "clusters.json"
    r = CliRunner().invoke(main, ["similar", str(d / "manifest.jsonl"), "-o", str(out)])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["schema"] == "lexpert.similar/1" and doc["drafts"] == 70 and not doc["skipped"]
    fams = [[m["id"] for m in f["members"]] for f in doc["families"]]
    sc = S.pairwise_scores(fams, truth)
    print("similar pairwise", sc)
    assert sc["precision"] >= 0.95 and sc["recall"] >= 0.85
    kinds = {f["kind"] for f in doc["families"]}
    assert "near_duplicate" in kinds and "template" in kinds
    near = [f for f in doc["families"] if all(m["id"].startswith("near-") for m in f["members"])]
    assert near and all(f["kind"] == "near_duplicate" for f in near)


def test_reviewed_findings_are_offered_at_aligned_norms(planted, tmp_path):
    from lexpert.pipeline import analyze

    d, truth = planted
    fam = [i for i, f in truth.items() if f == "near-family-1"]
    src = sorted(fam)[0]
    row = next(json.loads(x) for x in (d / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
               if json.loads(x)["id"] == src)
    rep = analyze(Path(d / row["path"]))
    assert rep.findings
    rev = tmp_path / "reviewed.jsonl"
    with rev.open("w", encoding="utf-8") as fh:
        for k, f in enumerate(rep.findings):
            fh.write(json.dumps({"id": src, "norm_id": f.norm_id, "locator": f.locator, "code": f.code,
                                 "family": f.family, "evidence": f.evidence, "recommendation": f.recommendation,
                                 "decision": "confirmed" if k % 2 == 0 else "rejected"}, ensure_ascii=False) + "\n")
    confirmed = len(rep.findings[::2])
    out = tmp_path / "c.json"
    r = CliRunner().invoke(main, ["similar", str(d / "manifest.jsonl"), "-o", str(out), "--reviewed", str(rev)])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["reviewed_findings"] == confirmed
    f = next(x for x in doc["families"] if src in [m["id"] for m in x["members"]])
    assert f["reference"] == src and sorted(m["id"] for m in f["members"]) == sorted(fam)
    others = [m["id"] for m in f["members"] if m["id"] != src]
    offers = f["offers"]
    assert {o["target"] for o in offers} == set(others)
    # a near duplicate: the findings of most confirmed norms land on a norm of each other member, most
    # quoting the same words (counted by norm: a norm the near duplicate changed takes all its findings
    # with it, and one norm may carry two codes)
    confirmed_norms = {f.norm_id for f in rep.findings[::2]}
    for t in others:
        mine = [o for o in offers if o["target"] == t]
        assert len({o["source_norm_id"] for o in mine}) >= 0.8 * len(confirmed_norms)
        assert all(o["source_norm_id"] in confirmed_norms for o in mine)
        assert sum(o["evidence_present"] for o in mine) >= 0.7 * len(mine)
        assert all(o["source"] == src and o["alignment"] >= 0.35 for o in mine)


def test_reviewed_file_contract_errors(planted, tmp_path):
    d, _ = planted
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "code": "vague.term", "decision": "confirmed"}) + "\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["similar", str(d / "manifest.jsonl"), "-o", str(tmp_path / "o.json"),
                                  "--reviewed", str(bad)])
    assert r.exit_code == 2 and "needs 'norm_id' or 'locator'" in r.output and r.output.count("\n") == 1
