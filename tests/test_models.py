"""The shipped model: reproducible numbers, skops round trip, evidence, default wiring."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lexpert import analyze
from lexpert.training import corpora
from lexpert.errors import LexpertError
from lexpert.detect.model.classifier import FactorClassifier
from lexpert.detect.model.ensemble import EnsembleDetector, default_model_dir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small_model():
    rows = corpora.load_norms("train")[:600]
    return FactorClassifier(C=4.0).fit(rows, [r["factors"] for r in rows]), rows


def test_model_card_numbers_are_reproduced_by_evaluate():
    metrics = json.loads((default_model_dir() / "metrics.json").read_text(encoding="utf-8"))
    r = subprocess.run([sys.executable, "-m", "lexpert", "evaluate", "--format", "json"], capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    ev = json.loads(r.stdout)
    shipped = metrics["shipped"]["test"]
    for scope in ("all", "ru", "kk"):
        assert ev[scope]["families"]["micro"] == shipped[scope]["families"]["micro"]
        assert ev[scope]["codes"]["macro"] == shipped[scope]["codes"]["macro"]
    card = (default_model_dir() / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert f"micro-F1 {shipped['all']['families']['micro']['f1']:.3f}" in card
    assert metrics["data_version"] in card


def test_sklearn_api_and_skops_round_trip(tmp_path, small_model):
    m, rows = small_model
    P = m.predict_proba(rows[:20])
    assert P.shape == (20, 12) and ((P >= 0) & (P <= 1)).all()
    m.tune_thresholds(rows[:200], [r["factors"] for r in rows[:200]])
    assert m.predict(rows[:20]).shape == (20, 12)
    m.save(tmp_path / "m.skops")
    m2 = FactorClassifier.load(tmp_path / "m.skops")
    np.testing.assert_allclose(m2.predict_proba(rows[:20]), P, rtol=1e-6)
    np.testing.assert_array_equal(m2.thresholds_, m.thresholds_)


def test_refuses_model_files_that_ask_for_foreign_types(tmp_path, small_model, monkeypatch):
    import skops.io as sio

    m, _ = small_model
    m.save(tmp_path / "m.skops")
    monkeypatch.setattr(sio, "get_untrusted_types", lambda file: ["builtins.eval", "os.system"])
    with pytest.raises(LexpertError, match="refusing"):
        FactorClassifier.load(tmp_path / "m.skops")


def test_model_only_findings_carry_evidence_inside_the_norm(small_model):
    m, _ = small_model
    det = EnsembleDetector(m)
    det.thresholds = {c: 0.0 for c in det.thresholds}       # force every code through, to see evidence
    text = "Комиссия по своему усмотрению определяет размер субсидии."
    hits = det.detect([text], "ru")[0]
    assert {h.code for h in hits} == set(m.codes_)
    for h in hits:
        assert 0 <= h.start < h.end <= len(text)
        assert h.rule == "model" or text[h.start:h.end]


def test_analyze_uses_the_shipped_ensemble_by_default():
    rep = analyze(ROOT / "lexpert" / "data" / "samples" / "sample_kk.txt")
    assert rep.detector == "ensemble"
    assert rep.findings and all(0 <= f.score <= 1 for f in rep.findings)


def test_error_analysis_notebook_runs_top_to_bottom():
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "notebooks" / "error_analysis.ipynb", as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "hard negatives flagged" in outputs


def test_fast_inference_path_equals_scikit_learn(small_model):
    """The cached featurizer and the stacked calibrated regressions give scikit-learn's numbers."""
    from lexpert.detect.model.fastpath import StackedCalibratedLR
    from lexpert.nlp.tfidf import TfidfFeaturizer
    from lexpert.detect.model.features import lemma_string

    m, _ = small_model
    rows = corpora.load_norms("dev")[:400] + [{"text": "  пробелы\tи  ТАБЫ  ", "lang": "ru", "context": None},
                                              {"text": "", "lang": "kk", "context": None}]
    lemmas = [lemma_string(r["text"], r["lang"], r.get("context")) for r in rows]
    low = [r["text"].lower().replace("ё", "е") for r in rows]
    for vec, docs in ((m.word_vec_, lemmas), (m.char_vec_, low)):
        want = vec.transform(docs)
        got = TfidfFeaturizer(vec).transform(docs)
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_array_equal(got.indptr, want.indptr)
        np.testing.assert_array_equal(got.indices, want.indices)
        np.testing.assert_allclose(got.data, want.data, rtol=1e-5)
    F = m._features(rows)
    assert StackedCalibratedLR.supports(m.estimators_)
    want = np.column_stack([est.predict_proba(F)[:, 1] for est in m.estimators_])
    np.testing.assert_allclose(StackedCalibratedLR(m.estimators_).predict_proba(F), want, rtol=1e-9, atol=1e-12)


def test_rule_prefilter_changes_no_hit():
    """The trigram-indexed anchor prefilter only skips rules that could not have fired."""
    from lexpert.detect.rules import ruleset

    for lang in ("ru", "kk"):
        rs = ruleset(lang)
        rows = [r for r in corpora.load_norms("dev") if r["lang"] == lang][:400]
        keys, always, dnf = rs._keys, rs._always, rs._dnf
        fast = [rs.find(r["text"], r.get("context")) for r in rows]
        try:
            rs._keys, rs._always, rs._dnf = frozenset(), list(range(len(rs.rules))), {}   # every rule on every sentence
            full = [rs.find(r["text"], r.get("context")) for r in rows]
        finally:
            rs._keys, rs._always, rs._dnf = keys, always, dnf
        assert fast == full and sum(map(len, fast)) > 50


def test_one_vs_rest_fit_equals_one_calibrated_regression_per_code(small_model):
    """``fit`` goes through OneVsRestClassifier; what it keeps is what a per-code loop fits."""
    import scipy.sparse as sp
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    from lexpert.detect.model.classifier import as_matrix
    from lexpert.detect.model.features import lemma_string

    m, rows = small_model
    F = sp.hstack([m.word_vec_.transform([lemma_string(r["text"], r["lang"], r.get("context")) for r in rows]),
                   m.char_vec_.transform([r["text"].lower().replace("ё", "е") for r in rows])], format="csr")
    Y = as_matrix([r["factors"] for r in rows], m.codes_)
    assert len(m.estimators_) == Y.shape[1] == 12
    for j, est in enumerate(m.estimators_):
        base = LogisticRegression(C=m.C, class_weight="balanced", max_iter=2000, solver="liblinear", random_state=0)
        want = CalibratedClassifierCV(base, method="sigmoid", cv=3, ensemble=False).fit(F, Y[:, j])
        np.testing.assert_allclose(est.calibrated_classifiers_[0].estimator.coef_,
                                   want.calibrated_classifiers_[0].estimator.coef_, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(est.predict_proba(F), want.predict_proba(F), rtol=1e-9, atol=1e-12)


def test_fit_refuses_a_code_without_positive_examples():
    rows = [r for r in corpora.load_norms("train")[:300] if "gap.control" not in r["factors"]]
    with pytest.raises(ValueError, match="gap.control"):
        FactorClassifier().fit(rows, [r["factors"] for r in rows])


def test_out_of_fold_probabilities_come_from_models_that_never_saw_the_document():
    """The shipped thresholds are tuned on out-of-fold probabilities: a document's rows (an act's
    norms) sit in one fold, and its probabilities are those of a model fitted on the other folds."""
    from lexpert.training import realnorms
    from lexpert.training.corpora import bare
    from lexpert.training.train import fold_of, out_of_fold, real_rows_for_fit, with_bare_copies

    authored = corpora.load_norms("train")[:500]
    real_rows = [r for r in realnorms.load("train") if r["factors"]][:40] + realnorms.load("train")[:80]
    params = {"use_rules": False, "C": 4.0}
    rows, P = out_of_fold(params, authored, real_rows, k=3, log=lambda *_: None, n_jobs=1)
    assert len(rows) == len(authored) + len(real_rows) and P.shape == (len(rows), 12)
    assert all(r.get("context") is None for r in rows if r.get("real"))
    folds = {}
    for r in authored:
        folds.setdefault(r["doc_id"], set()).add(fold_of("doc:" + str(r["doc_id"]), 3))
    assert all(len(f) == 1 for f in folds.values()) and len({f for s in folds.values() for f in s}) == 3
    # fold 0 again by hand: fitted without fold 0, scored on fold 0
    a_in = [r for r in authored if fold_of("doc:" + str(r["doc_id"]), 3) != 0]
    r_in = [r for r in real_rows if fold_of("act:" + realnorms.group_of(r["act"]), 3) != 0]
    fit_rows = with_bare_copies(a_in) + real_rows_for_fit(r_in)
    m = FactorClassifier(**params).fit(fit_rows, [r["factors"] for r in fit_rows])
    held = [r for r in authored if fold_of("doc:" + str(r["doc_id"]), 3) == 0] + \
        bare([r for r in real_rows if fold_of("act:" + realnorms.group_of(r["act"]), 3) == 0])
    np.testing.assert_allclose(P[:len(held)], m.predict_proba(held), rtol=1e-6)
    assert [r["text"] for r in rows[:len(held)]] == [r["text"] for r in held]
    # tuning on given probabilities picks, per code, the threshold that is best on them
    m.tune(rows, [r["factors"] for r in rows], blends=(0.0,), P_model=P)
    Y = np.array([[c in r["factors"] for c in m.codes_] for r in rows])
    for j in range(12):
        def f1(t):
            p = P[:, j] >= t
            tp = (p & Y[:, j]).sum()
            return 2 * tp / (2 * tp + (p & ~Y[:, j]).sum() + (~p & Y[:, j]).sum()) if tp else 0.0
        assert f1(m.thresholds_[j]) >= max(f1(t) for t in np.arange(0.1, 0.91, 0.025)) - 1e-9


def test_a_right_to_appeal_is_no_discretion_of_the_state():
    from lexpert.detect.classify import classify_texts
    from lexpert.detect.model.ensemble import load_default_ensemble
    from lexpert.detect.model.guards import appeal_only

    appeals = [("Уәкілетті органның лицензия беруден бас тартуына оның шешімін алған күннен бастап он бес күн "
                "ішінде шағым берілуі мүмкін.", "kk"),
               ("Решение уполномоченного органа об отказе может быть обжаловано в суд.", "ru")]
    powers = [("Уәкілетті орган лицензияның қолданылуын тоқтата тұруға құқылы.", "kk"),
              ("Уполномоченный орган вправе отказать в выдаче лицензии. Отказ может быть обжалован в суд.", "ru")]
    assert all(appeal_only(t) for t, _ in appeals) and not any(appeal_only(t) for t, _ in powers)
    det = load_default_ensemble()
    res = classify_texts([t for t, _ in appeals + powers], [lg for _, lg in appeals + powers])
    assert all(r["scores"]["discretion.may"] == 0.0 and "discretion.may" not in r["factors"] for r in res[:2])
    # a norm that also gives an official a power keeps the model's score, and the model flags it
    raw = [det.model.predict_proba([{"text": t, "lang": lg, "context": None}])[0] for t, lg in powers]
    j = det.model.codes_.index("discretion.may")
    assert all(r["scores"]["discretion.may"] > 0 for r in res[2:]) and all(p[j] > 0 for p in raw)
    assert any("discretion.may" in r["factors"] for r in res[2:])


def test_model_evidence_is_never_a_function_word_alone_nor_edged_by_one():
    from lexpert.detect.model.classifier import FUNCTION_WORDS, NEGATIONS, _lem, tokens
    from lexpert.detect.model.ensemble import _model_reason, load_default_ensemble

    model = load_default_ensemble().model
    cases = [("Решение комиссии является окончательным и не подлежит обжалованию.", "ru", "gap.control"),
             ("Оценка автотранспортных средств Дилера не производится и принимается по стоимости, "
              "определяемой Дилером.", "ru", "gap.control"),
             ("При наличии другой информации о нарушениях проводится внеплановая проверка.", "ru", "vague.term"),
             ("Уәкілетті орган қажет болған жағдайда және өз қалауы бойынша мерзімді ұзартады.", "kk",
              "discretion.broad")]
    for text, lang, code in cases:
        a, z = model.explain(text, lang, code)
        lems = [_lem(w, lang) for w, _, _ in tokens(text[a:z])]
        assert lems and any(lm not in FUNCTION_WORDS[lang] for lm in lems), (text, text[a:z])
        assert lems[-1] not in FUNCTION_WORDS[lang], text[a:z]
        assert lems[0] not in FUNCTION_WORDS[lang] or lems[0] in NEGATIONS, text[a:z]
    # the reason of a model-only finding names the factor, not one of its sub-types
    assert _model_reason("ru", "gap.control") == "Отсутствие контроля, ответственности, порядка обжалования (оценка модели)"
    assert _model_reason("kk", "burden.requirements").endswith("(модельдің бағасы)")


@pytest.mark.parametrize("domain", ["rules", "all"])
def test_domain_adaptation_folds_into_a_plain_model_that_scores_text_as_real(domain, monkeypatch):
    # feature augmentation: the rows with an ``act`` (labelled real norms) fill a second copy of the
    # rule block or of every block; after the fit that copy's weights are folded into the shared
    # ones, and the plain model scores any text exactly as the augmented model scores a real row
    import scipy.sparse as sp

    from lexpert.detect.model.features import rule_features

    rows = [dict(r) for r in corpora.load_norms("dev")[:500]]
    for i, r in enumerate(rows):
        if i % 2:
            r["act"] = f"act-{i % 7}"
    Y = [r["factors"] for r in rows]
    m = FactorClassifier(use_rules=True, domain=domain, cv=2)
    monkeypatch.setattr(m, "_fold_domain", lambda width: None)     # keep the augmented weights
    m.fit(rows, Y)
    X = rows[:40]
    F = m._features(X)                                             # plain: a fitted model never augments
    extra = m.estimators_[0].calibrated_classifiers_[0].estimator.coef_.shape[1] - F.shape[1]
    rule_width = rule_features(["x"], ["ru"]).shape[1]
    assert extra == (F.shape[1] if domain == "all" else rule_width)
    real_view = sp.hstack([F, F[:, F.shape[1] - extra:]]).tocsr()
    want = np.column_stack([e.predict_proba(real_view)[:, 1] for e in m.estimators_])
    monkeypatch.undo()
    folded = FactorClassifier(use_rules=True, domain=domain, cv=2).fit(rows, Y)
    assert folded.n_features_ == F.shape[1]
    assert all(e.calibrated_classifiers_[0].estimator.coef_.shape[1] == F.shape[1] for e in folded.estimators_)
    np.testing.assert_allclose(folded.predict_proba(X), want, atol=1e-9)
    # domain_weight 0.5 keeps half the correction: the augmented model on half a real row's copy
    half_view = sp.hstack([F, 0.5 * F[:, F.shape[1] - extra:]]).tocsr()
    want_half = np.column_stack([e.predict_proba(half_view)[:, 1] for e in m.estimators_])
    half = FactorClassifier(use_rules=True, domain=domain, domain_weight=0.5, cv=2).fit(rows, Y)
    np.testing.assert_allclose(half.predict_proba(X), want_half, atol=1e-9)
    assert np.abs(want_half - want).max() > 1e-3
    # the real norms' correction is not nothing: the same fit without it scores otherwise
    plain = FactorClassifier(use_rules=True, cv=2).fit(rows, Y)
    assert np.abs(plain.predict_proba(X) - want).max() > 1e-3
    with pytest.raises(ValueError, match="domain must be"):
        FactorClassifier(use_rules=True, domain="real").fit(rows, Y)


def test_a_model_saved_before_a_constructor_parameter_reads_its_default(tmp_path):
    # the shipped default was saved before ``domain`` existed: get_params (sklearn's clone and repr)
    # must not fail on it, and the new parameter reads as its default
    rows = corpora.load_norms("dev")[:300]
    m = FactorClassifier(cv=2).fit(rows, [r["factors"] for r in rows])
    del m.__dict__["domain"], m.__dict__["domain_weight"]
    m.save(tmp_path / "old.skops")
    old = FactorClassifier.load(tmp_path / "old.skops")
    assert old.get_params()["domain"] == "" and old.get_params()["domain_weight"] == 1.0
    np.testing.assert_allclose(old.predict_proba(rows[:20]), m.predict_proba(rows[:20]))
