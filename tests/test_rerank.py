"""The second stage (lexpert.detect.model.rerank): it decides the first stage's candidate flags,
keeps the first stage's contract (a score per code that flags at the code's threshold), is fitted
by cross-validation over acts, and travels inside the saved model."""
import numpy as np
import pytest

from lexpert.detect.model.classifier import FactorClassifier
from lexpert.detect.model.ensemble import EnsembleDetector
from lexpert.detect.model.rerank import Reranker
from lexpert.taxonomy import load_taxonomy
from lexpert.training import corpora
from lexpert.training.rerank import fit_reranker

TAX = load_taxonomy()
CODES = list(TAX.codes)
J = CODES.index("burden.requirements")


def _synthetic(n=400, seed=0):
    """Norms whose first-stage score for burden.requirements is noise around its threshold, and whose
    label is said by one word: what a second stage reading the words can learn and the first cannot."""
    rng = np.random.default_rng(seed)
    texts, langs, y = [], [], []
    for i in range(n):
        bad = bool(rng.random() < 0.4)
        word = "көшірмесін талап етеді" if bad else "ақпараттық жүйеден алады"
        texts.append(f"Көрсетілетін қызметті беруші {word} {i % 7} құжат")
        langs.append("kk" if i % 4 else "ru")
        y.append(bad)
    P = np.zeros((n, len(CODES)))
    P[:, J] = rng.uniform(0.3, 0.9, n)
    return texts, langs, P, np.zeros_like(P), np.full(len(CODES), 0.5), np.array(y)


def test_rescore_flags_a_candidate_exactly_when_the_reranker_says_so():
    texts, langs, P, R, thr, y = _synthetic()
    rr = Reranker(low=0.6)
    ci, cj = rr.candidates(P, thr)
    assert set(cj) == {J} and len(ci) == int((P[:, J] >= 0.3).sum())
    fams = [TAX.family_of(c) for c in CODES]
    rr.fit(texts, langs, P, R, thr, fams, ci, cj, y[ci].astype(int))
    rr.cut_ = {"kk": 0.5, "ru": None}
    out = rr.rescore(texts, langs, P, R, thr)
    q = rr.proba(texts, langs, P, R, thr, ci, cj)
    for (i, j), qq in zip(zip(ci, cj), q):
        if langs[i] == "kk":
            assert (out[i, j] >= thr[j]) == (qq >= 0.5)
        else:                       # a language the reranker does not serve keeps the first stage
            assert out[i, j] == P[i, j]
    others = np.ones_like(P, dtype=bool)
    others[ci, cj] = False
    np.testing.assert_array_equal(out[others], P[others])
    # the words decide: on the served language it now flags what the first stage's noise could not
    kk = [i for i in range(len(texts)) if langs[i] == "kk"]
    assert np.mean([(out[i, J] >= 0.5) == y[i] for i in kk]) > 0.95
    assert np.mean([(P[i, J] >= 0.5) == y[i] for i in kk]) < 0.8


@pytest.fixture(scope="module")
def model_and_rows():
    rows = corpora.load_norms("train")[:600]
    m = FactorClassifier(C=4.0).fit(rows, [r["factors"] for r in rows])
    m.tune_thresholds(rows, [r["factors"] for r in rows])
    # the same norms presented as real ones of 12 acts (fit_reranker serves and folds by act)
    real = [dict(r, real=True, act=f"test-act-{k % 12}") for k, r in enumerate(rows)]
    return m, real


def test_fit_chooses_its_decision_point_by_cross_validation_and_round_trips(tmp_path, model_and_rows):
    m, rows = model_and_rows
    P = m.predict_proba(rows)
    rr, rep = fit_reranker(rows, P, m, log=lambda *_: None)
    assert rr is not None and rep["candidates"] > 50 and rep["folds"] == 4
    for lang, x in rep["languages"].items():
        # served only where its cross-validated F1 beats the first stage's on the same norms
        assert (x["cut"] is not None) == (x["reranked"]["f1"] > x["first_stage"]["f1"] + 0.005)
        assert rr.cut_[lang] == x["cut"]
    rr.cut_ = {"kk": 0.5, "ru": 0.5}            # serve both, so the saved copy is exercised
    m.reranker_ = rr
    texts = [r["text"] for r in rows[:80]]
    before = EnsembleDetector(m).score(texts, "ru")
    m.save(tmp_path / "m.skops")
    m2 = FactorClassifier.load(tmp_path / "m.skops")
    assert m2.reranker_.vec_.vocabulary_ == rr.vec_.vocabulary_ and m2.reranker_.cut_ == rr.cut_
    assert EnsembleDetector(m2).score(texts, "ru") == before
    # the reranker changed some score (else this test would not see it at all)
    del m.reranker_
    assert EnsembleDetector(m).score(texts, "ru") != before
    # a refit drops a reranker fitted on another first stage's scores
    m2.fit(rows[:300], [r["factors"] for r in rows[:300]])
    assert getattr(m2, "reranker_", None) is None


def test_fit_with_authored_rows_reports_them_and_decides_on_the_real_ones(model_and_rows):
    """Fitted on authored and real candidates (as ``lexpert train`` fits it), the report gives the
    authored norms' cross-validated F1 beside the real ones, and a language is served only where the
    real F1 beats the first stage's, whose real figures the authored rows do not change."""
    m, real = model_and_rows
    authored = [dict(r, real=False, act=None, doc_id=f"doc-{k % 10}") for k, r in enumerate(real[:300])]
    rows = real + authored
    P = m.predict_proba(rows)
    rr, rep = fit_reranker(rows, P, m, log=lambda *_: None, authored=True)
    assert rr is not None
    for lang, x in rep["languages"].items():
        n_auth = sum(1 for r in authored if (r.get("lang") or "ru") == lang)
        assert x["authored_norms"] == n_auth > 0
        assert 0 <= x["authored_first_stage"]["f1"] <= 1 and 0 <= x["authored_reranked"]["f1"] <= 1
        assert (x["cut"] is not None) == (x["reranked"]["f1"] > x["first_stage"]["f1"] + 0.005)
        # the first stage's real figures do not depend on the authored rows
        assert x["first_stage"] == fit_reranker(real, P[:len(real)], m, log=lambda *_: None)[1]["languages"][lang]["first_stage"]
