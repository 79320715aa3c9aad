"""The annotated corpora: validity, provenance, splits, locators, counts, loading."""
import json
from collections import Counter

import pytest

from lexpert.training import corpora
from lexpert.nlp.normalize import normalize
from lexpert.structure import norms as extract_norms
from lexpert.structure import parse
from lexpert.taxonomy import load_taxonomy

ROOT = corpora.corpora_root()


@pytest.fixture(scope="module")
def rows():
    return corpora.load_norms()


@pytest.fixture(scope="module")
def docs():
    return {d.id: d for d in corpora.documents()}


def test_every_line_valid_with_taxonomy_codes_and_provenance(rows, docs):
    tax = load_taxonomy()
    required = {"id", "doc_id", "split", "lang", "text", "factors", "families", "hard_negative", "locator",
                "provenance", "authored", "kind", "sphere", "agency"}
    for r in rows:
        assert required <= set(r), r["id"]
        assert r["text"].strip()
        assert r["lang"] in ("ru", "kk")
        for c in r["factors"]:
            assert c in tax, c
        assert r["families"] == sorted({tax.family_of(c) for c in r["factors"]})
        prov = r["provenance"]
        assert prov["doc"] == r["doc_id"] in docs and isinstance(prov["line"], int) and prov["line"] >= 1
        src = docs[r["doc_id"]].meta["provenance"]
        assert src == prov["source"] and (src == "authored" or src.startswith("seed:"))
        assert r["authored"] == (src == "authored")
        # the text stands at the line the provenance names
        line = docs[r["doc_id"]].text().split("\n")[prov["line"] - 1]
        assert r["text"] in normalize(line)
    assert len({r["id"] for r in rows}) == len(rows)


def test_raw_annotation_files_pass_their_checker():
    import subprocess
    import sys

    res = subprocess.run([sys.executable, str(ROOT / "tools" / "check_raw.py")], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-2000:]


def test_no_document_in_two_splits(rows):
    seen = {}
    for r in rows:
        assert seen.setdefault(r["doc_id"], r["split"]) == r["split"]
    splits = json.loads((ROOT / "splits.json").read_text(encoding="utf-8"))
    assert all(splits[d] == s for d, s in seen.items())
    assert set(splits.values()) == {"train", "dev", "test"}


def test_splits_are_deterministic(docs):
    assert corpora.assign_splits(list(docs.values())) == json.loads((ROOT / "splits.json").read_text(encoding="utf-8"))


def test_every_locator_found_by_the_structure_parser(rows, docs):
    by_doc = {}
    for r in rows:
        by_doc.setdefault(r["doc_id"], []).append(r)
    for doc_id, rs in by_doc.items():
        text = normalize(docs[doc_id].text())
        ns = extract_norms(parse(text), text)
        locs = {n.locator for n in ns}
        for r in rs:
            assert r["locator"] in locs, (doc_id, r["locator"])
            assert any(r["text"] in n.text for n in ns if n.locator == r["locator"]), (doc_id, r["locator"])


def test_counts_hold(rows, docs):
    tax = load_taxonomy()
    assert len(rows) >= 3000
    assert sum(r["lang"] == "kk" for r in rows) >= 1000
    counts = Counter(c for r in rows for c in r["factors"])
    for code in tax.codes:
        assert counts[code] >= (15 if code == "gap.collision" else 40), code
    neg = [r for r in rows if not r["factors"]]
    assert len(neg) / len(rows) > 0.6                      # most norms carry no factor
    assert sum(r["hard_negative"] for r in neg) / len(neg) >= 0.30
    authored = [d for d in docs.values() if d.meta["provenance"] == "authored"]
    assert len({d.meta["sphere"] for d in authored}) >= 15
    assert len({d.meta["kind"] for d in authored}) >= 8
    assert {d.meta["lang"] for d in authored} == {"ru", "kk"}


def test_stats_match_the_files(rows):
    s = corpora.stats()
    assert s["norms"] == len(rows)
    assert s["by_code"]["gap.collision"] == sum("gap.collision" in r["factors"] for r in rows)
    assert s["version_pairs"] >= 20


def test_second_annotation_and_agreement():
    a = json.loads((ROOT / "annotations" / "agreement.json").read_text(encoding="utf-8"))
    assert a["norms"] >= 300
    assert set(a["kappa"]["all"]) >= {"discretion", "vague", "burden", "hidden_service", "gap"}
    recomputed = corpora.agreement()
    assert recomputed["kappa"] == a["kappa"]
    adj = [json.loads(x) for x in (ROOT / "annotations" / "adjudicated.jsonl").read_text(encoding="utf-8").splitlines()]
    keys = {d["key"] for d in a["disagreements"]}
    assert keys <= {x["key"] for x in adj}                # every family-level disagreement resolved


def test_loadable_with_datasets_offline(monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    ds = corpora.load_dataset()
    assert set(ds) == {"train", "dev", "test"}
    assert sum(len(ds[s]) for s in ds) == len(corpora.load_norms())
    assert "factors" in ds["train"].column_names


def test_version_pairs_truth_is_consistent():
    tax = load_taxonomy()
    pairs = corpora.version_pairs()
    assert len(pairs) >= 20
    for p in pairs:
        t = p["truth"]
        draft = p["draft"].read_text(encoding="utf-8").split("\n")
        adopted = p["adopted"].read_text(encoding="utf-8").split("\n")
        assert t["findings"], p["id"]
        for f in t["findings"]:
            assert f["code"] in tax
            assert f["quote"] in draft[f["draft_line"] - 1]
            assert isinstance(f["resolved"], bool) and isinstance(f["incorporated"], bool)
            if f["adopted_line"] is not None:
                assert 1 <= f["adopted_line"] <= len(adopted)
            else:
                assert f["resolved"]
        assert any(f["incorporated"] for f in t["findings"]) and not all(f["incorporated"] for f in t["findings"])


def test_dataset_card_statistics_are_current():
    card = (ROOT / "README.md").read_text(encoding="utf-8")
    assert corpora.card_stats_markdown() in card
