"""The transformer path, on a tiny BERT built from a config (no checkpoint can be downloaded)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the transformer extra (torch) is part of the test install")

from lexpert.training import corpora  # noqa: E402
from lexpert.detect.model.transformer import TransformerFactorClassifier, build_small_encoder, train_transformer  # noqa: E402


def test_fine_tune_tiny_checkpoint_save_and_reload(tmp_path):
    rows = corpora.load_norms("train")
    rng = np.random.default_rng(0)
    pick = [rows[i] for i in rng.choice(len(rows), 160, replace=False)]
    base = build_small_encoder(tmp_path / "tiny", [r["text"] for r in rows], hidden=32, layers=1, heads=2,
                               vocab_size=2000, max_len=64)
    assert (base / "config.json").exists() and (base / "model.safetensors").exists()
    res = train_transformer(base, tmp_path / "ft", pick[:120], pick[120:], pick[120:], epochs=1, batch_size=16,
                            log=lambda m: None)
    assert (tmp_path / "ft" / "model.safetensors").exists()
    assert not list((tmp_path / "ft").glob("*.bin"))           # safetensors, never pickle
    assert "dev" in res and res["norms_per_s"] > 0
    m = TransformerFactorClassifier.load(tmp_path / "ft")
    P = m.predict_proba(pick[:5])
    assert P.shape == (5, 12) and ((P >= 0) & (P <= 1)).all()
    assert m.predict(pick[:5]).shape == (5, 12)


def test_loss_decreases_on_a_learnable_signal(tmp_path):
    rows = corpora.load_norms("train")
    base = build_small_encoder(tmp_path / "tiny", [r["text"] for r in rows], hidden=32, layers=1, heads=2,
                               vocab_size=2000, max_len=64)
    data = [{"text": "по своему усмотрению орган решает", "lang": "ru", "factors": ["discretion.broad"]},
            {"text": "заявитель подает заявление", "lang": "ru", "factors": []}] * 24
    losses = []
    m = TransformerFactorClassifier(base, epochs=6, batch_size=8, lr=3e-3)
    m.fit(data, [d["factors"] for d in data], log=lambda s: losses.append(float(s.rsplit(" ", 1)[1])))
    assert losses[-1] < losses[0]
    P = m.predict_proba(data[:2])
    assert P[0, 0] > P[1, 0]     # discretion.broad is the first code
