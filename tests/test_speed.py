"""Start-up and speed machinery (issue 17): PyTorch kept out of runs that do not use it, and
`lexpert bench analyze`. Speed targets themselves live in the benchmark's JSON, not in
timed tests."""
import json
import os
import subprocess
import sys
from pathlib import Path


def test_analyze_does_not_import_torch_but_torch_still_imports(tmp_path):
    code = ("import json, sys\n"
            "import lexpert.cli.commands\n"
            "from lexpert import analyze\n"
            "r = analyze(lexpert.cli.commands.sample_path('kk'))\n"
            "print(json.dumps({'findings': len(r.findings), 'torch': 'torch' in sys.modules}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "LEXPERT_HOME": str(tmp_path)})
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["findings"] > 0 and res["torch"] is False
    import importlib.util

    if importlib.util.find_spec("torch") is not None:      # with the test extras: torch imports on demand
        out = subprocess.run([sys.executable, "-c", "import lexpert.pipeline, torch; print(torch.tensor([2]).item())"],
                             capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "2"


def test_bench_analyze_reports_text_pdf_tokenization_and_cold_start():
    from lexpert.training.bench_analyze import run

    res = run(["kzl-ru-minjust_order_2020-06-19_144367"], repeat=1, starts=1)
    (act,) = res["acts"]
    assert act["pages"] >= 2 and act["normative_units"] > 10
    assert abs(act["pdf_to_text"] - act["analyze_pdf_s"] / act["analyze_text_s"]) < 0.1 * act["pdf_to_text"]
    assert act["analyze_to_tokenization_cold"] > 0 and act["tokenize_warm_s"] <= act["tokenize_cold_s"]
    # the detector alone is a part of analyze: less time than the whole, more than nothing
    assert 0 < act["detector_s"] < act["analyze_text_s"]
    # a new process pays its imports and models on top of the warm analysis
    assert act["analyze_text_new_process_s"] > act["analyze_text_s"]
    # the ratio is of the unrounded times: within what rounding both to 4 decimals allows
    d, w, h = act["detector_s"], act["tokenize_warm_s"], 5e-5
    assert (d - h) / (w + h) - 0.005 <= act["detector_to_tokenization_warm"] <= (d + h) / max(w - h, 1e-6) + 0.005
    assert abs(act["normative_units_pdf"] - act["normative_units"]) <= 0.1 * act["normative_units"]
    cs = res["cold_start"]
    assert cs["lexpert_help_s"] < cs["lexpert_analyze_sample_s"]
    assert set(res["targets"]) >= {"pdf_to_text_met", "cold_start_met", "analyze_to_tokenization_cold_met", "scaling_met"}
    sc = res["scaling"]
    assert sc["analyze_4n_s"] > sc["analyze_n_s"] > 0
    assert abs(sc["per_point_4n_to_n"] - sc["analyze_4n_s"] / (4 * sc["analyze_n_s"])) < 0.01 * sc["per_point_4n_to_n"] + 0.001


def _unit_items(n_docs=12):
    from lexpert.nlp.normalize import normalize
    from lexpert.structure import parse
    from lexpert.structure.units import contexts
    from lexpert.training import corpora

    items = []
    for d in corpora.documents()[:n_docs]:
        text = normalize(d.path.read_text(encoding="utf-8"))
        for act in parse(text, units=False).children:
            items += contexts(act, text)
    return items


def test_unit_features_are_scikit_learns_bit_for_bit():
    """The unit classifier's fast featurizers give scikit-learn's matrices: the hand features
    exactly (DictVectorizer), the char n-gram counts exactly (the sparse product equals the
    counts of every n-gram id expanded), and the tf-idf values within float rounding."""
    import numpy as np
    import scipy.sparse as sp

    from lexpert.nlp.tfidf import TfidfFeaturizer, dict_transform
    from lexpert.structure.unitmodel import default_unit_model, features

    m = default_unit_model()
    items = _unit_items()
    feats = [features(n, t, c) for n, t, c in items]
    got, want = dict_transform(m.dv_, feats), m.dv_.transform(feats)
    assert got.shape == want.shape and got.nnz > 1000
    for k in ("data", "indices", "indptr"):
        np.testing.assert_array_equal(getattr(got, k), getattr(want, k))
    assert dict_transform(m.dv_, [{"kind=point": "x"}]).nnz == m.dv_.transform([{"kind=point": "x"}]).nnz
    docs = [t.lower()[:400] for _, t, _ in items] + ["", "  пробелы\tи  ТАБЫ  "]
    fast = TfidfFeaturizer(m.tf_)
    counts = fast._counts(docs)
    ids = [[k for w in d.lower().split() for k in fast._char_ids(w)] for d in docs]   # char_wb lower-cases
    ref = sp.csr_matrix((np.ones(sum(map(len, ids))), (np.repeat(np.arange(len(docs)), list(map(len, ids))),
                                                        [k for row in ids for k in row])), shape=counts.shape)
    ref.sum_duplicates()
    for k in ("data", "indices", "indptr"):
        np.testing.assert_array_equal(getattr(counts, k), getattr(ref, k))
    want = m.tf_.transform(docs)
    got = fast.transform(docs)
    np.testing.assert_array_equal(got.indices, want.indices)
    np.testing.assert_allclose(got.data, want.data, rtol=1e-9)


# ---------------------------------------------------------------- analyze's JSON unchanged by speed work
# Large and varied open real acts (the 100-page act of `bench analyze`, the largest Kazakh acts,
# a budget decision, the largest Russian act, an order with a standard table and forms), and two
# of them printed to PDF as `bench analyze` prints them. Only the SHA-256 of lexpert's JSON (the
# text included) is stored, recorded with the code before the speed work of issue 17; the acts
# are read from the real-act folder at run time. Re-record (``python -m tests.test_speed``)
# only for a change that is meant to change analyze's output.
DIGESTS = Path(__file__).parent / "data" / "analyze_real_digests.json"
DIGEST_ACTS = ("lre-07900", "lre-12279", "lre-08658", "lre-06024", "lre-00415",
               "kzl-ru-government_2018-02-12_118666", "kzl-ru-minjust_order_2020-06-19_144367",
               "kzl-kk-minjust_order_2020-06-19_144367")
DIGEST_PDFS = ("kzl-ru-government_2018-02-12_118666", "lre-00415")


def _report_digest(rep, act_id: str) -> str:
    import hashlib

    rep.source = act_id                    # not the path the act was read from
    return hashlib.sha256(json.dumps(rep.to_dict(include_text=True), ensure_ascii=False,
                                     sort_keys=True).encode("utf-8")).hexdigest()


def analyze_digests(tmp: Path) -> dict[str, str]:
    from lexpert.pipeline import analyze
    from lexpert.training import realacts
    from lexpert.training.bench_analyze import act_pdf

    out = {f"text:{a}": _report_digest(analyze(realacts.get(a).path), a) for a in DIGEST_ACTS}
    for a in DIGEST_PDFS:
        pdf = act_pdf(realacts.act_text(a), tmp / f"{a}.pdf")
        out[f"pdf:{a}"] = _report_digest(analyze(pdf), a)
    return out


def test_analyze_json_of_large_real_acts_is_unchanged(tmp_path):
    want = json.loads(DIGESTS.read_text(encoding="utf-8"))
    got = analyze_digests(tmp_path)
    assert set(got) == set(want) and len(got) == len(DIGEST_ACTS) + len(DIGEST_PDFS)
    assert {k: v for k, v in got.items() if want[k] != v} == {}


if __name__ == "__main__":          # python -m tests.test_speed: re-record the digests
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        DIGESTS.write_text(json.dumps(analyze_digests(Path(d)), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(DIGESTS)
