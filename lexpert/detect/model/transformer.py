"""The transformer path: multi-label fine-tuning of any local Hugging Face checkpoint.

    lexpert train-transformer --base-model PATH -o models/transformer

``PATH`` is a folder with a ``config.json``, weights and a tokenizer (nothing is
downloaded: ``local_files_only=True``). The head is a 12-way multi-label classifier
(sigmoid per code, BCE loss with per-code positive weights); the fine-tuned model is saved
with safetensors, with per-code thresholds tuned on dev in ``lexpert_meta.json``.

``build_small_encoder`` makes a small BERT-style checkpoint from a config and a WordPiece
tokenizer trained on the corpus (no pretrained weights exist here): the CI tests use a
tiny one, and the model card reports whether a small encoder trained from the corpus
earns its place against the TF-IDF ensemble.
"""
from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ...taxonomy import load_taxonomy
from .classifier import as_matrix

META = "lexpert_meta.json"


def _torch():
    import torch

    return torch


def build_small_encoder(out_dir: str | Path, texts: Sequence[str], hidden: int = 128, layers: int = 2,
                        heads: int = 2, vocab_size: int = 8000, max_len: int = 128, seed: int = 0) -> Path:
    """A randomly initialised BERT-style encoder + a WordPiece tokenizer trained on ``texts``."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import BertConfig, BertForMaskedLM, PreTrainedTokenizerFast

    torch = _torch()
    torch.manual_seed(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    tok.train_from_iterator(list(texts), trainer)
    from tokenizers.processors import TemplateProcessing

    tok.post_processor = TemplateProcessing(single="[CLS] $A [SEP]", special_tokens=[
        ("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]", model_max_length=max_len)
    fast.save_pretrained(out)
    cfg = BertConfig(vocab_size=fast.vocab_size, hidden_size=hidden, num_hidden_layers=layers,
                     num_attention_heads=heads, intermediate_size=hidden * 4, max_position_embeddings=max_len + 2)
    BertForMaskedLM(cfg).save_pretrained(out, safe_serialization=True)
    return out


class TransformerFactorClassifier:
    """scikit-learn-style wrapper: ``fit(X, Y)``, ``predict_proba(X)``, ``predict(X)``.

    ``X``: norms ``{"text", "lang", "context"}`` (the lead-in is prepended as a second
    segment when present). ``Y``: (n, 12) 0/1 or code lists.
    """

    def __init__(self, base_model: str | Path, epochs: int = 3, batch_size: int = 16, lr: float = 5e-5,
                 max_length: int = 128, seed: int = 0, device: str | None = None):
        self.base_model = str(base_model)
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.max_length = max_length
        self.seed = seed
        self.device = device
        self.codes_ = list(load_taxonomy().codes)
        self.thresholds_ = np.full(len(self.codes_), 0.5)

    def _dev(self):
        torch = _torch()
        return self.device or ("cuda" if torch.cuda.is_available() else "cpu")

    def _encode(self, X):
        texts = [x["text"] for x in X]
        ctx = [x.get("context") or "" for x in X]
        if any(ctx):
            return self.tokenizer_(ctx, texts, truncation="longest_first", max_length=self.max_length,
                                   padding=True, return_tensors="pt")
        return self.tokenizer_(texts, truncation=True, max_length=self.max_length, padding=True, return_tensors="pt")

    def fit(self, X, Y, log=None) -> "TransformerFactorClassifier":
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        torch = _torch()
        random.seed(self.seed)
        np.random.seed(self.seed)
        torch.manual_seed(self.seed)
        X = list(X)
        Ym = as_matrix(Y, self.codes_).astype(np.float32)
        self.tokenizer_ = AutoTokenizer.from_pretrained(self.base_model, local_files_only=True)
        self.model_ = AutoModelForSequenceClassification.from_pretrained(
            self.base_model, local_files_only=True, num_labels=len(self.codes_),
            problem_type="multi_label_classification",
            id2label=dict(enumerate(self.codes_)), label2id={c: i for i, c in enumerate(self.codes_)})
        self.max_length = min(self.max_length, getattr(self.model_.config, "max_position_embeddings", 512) - 2)
        dev = self._dev()
        self.model_.to(dev)
        pos = Ym.sum(0)
        pos_weight = torch.tensor(np.clip((len(Ym) - pos) / np.maximum(pos, 1), 1, 30), dtype=torch.float32, device=dev)
        loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
        opt = torch.optim.AdamW(self.model_.parameters(), lr=self.lr, weight_decay=0.01)
        steps = self.epochs * math.ceil(len(X) / self.batch_size)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / max(1, steps * 0.1)) *
                                                  max(0.0, (steps - s) / max(1, steps * 0.9)))
        order = np.arange(len(X))
        self.model_.train()
        for ep in range(self.epochs):
            np.random.shuffle(order)
            total = 0.0
            for k in range(0, len(order), self.batch_size):
                idx = order[k:k + self.batch_size]
                enc = {a: b.to(dev) for a, b in self._encode([X[i] for i in idx]).items()}
                logits = self.model_(**enc).logits
                loss = loss_fn(logits, torch.tensor(Ym[idx], device=dev))
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model_.parameters(), 1.0)
                opt.step()
                sched.step()
                opt.zero_grad()
                total += loss.item() * len(idx)
            if log:
                log(f"epoch {ep + 1}/{self.epochs}: loss {total / len(X):.4f}")
        self.model_.eval()
        return self

    def predict_proba(self, X) -> np.ndarray:
        torch = _torch()
        X = list(X)
        out = []
        dev = self._dev()
        with torch.no_grad():
            for k in range(0, len(X), 64):
                enc = {a: b.to(dev) for a, b in self._encode(X[k:k + 64]).items()}
                out.append(torch.sigmoid(self.model_(**enc).logits).float().cpu().numpy())
        return np.vstack(out) if out else np.zeros((0, len(self.codes_)))

    def predict(self, X) -> np.ndarray:
        return (self.predict_proba(X) >= self.thresholds_).astype(np.int8)

    def tune_thresholds(self, X, Y) -> "TransformerFactorClassifier":
        from .classifier import FactorClassifier

        helper = FactorClassifier.__new__(FactorClassifier)
        helper.codes_ = self.codes_
        helper.predict_proba = self.predict_proba  # reuse the same F1 threshold search
        FactorClassifier.tune_thresholds(helper, X, Y)
        self.thresholds_ = helper.thresholds_
        return self

    def save(self, out_dir: str | Path) -> Path:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.model_.save_pretrained(out, safe_serialization=True)
        self.tokenizer_.save_pretrained(out)
        (out / META).write_text(json.dumps({"codes": self.codes_, "thresholds": [float(t) for t in self.thresholds_],
                                            "max_length": self.max_length, "base_model": self.base_model},
                                           ensure_ascii=False, indent=1), encoding="utf-8")
        return out

    @classmethod
    def load(cls, directory: str | Path) -> "TransformerFactorClassifier":
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        d = Path(directory)
        meta = json.loads((d / META).read_text(encoding="utf-8"))
        self = cls(d, max_length=meta["max_length"])
        self.tokenizer_ = AutoTokenizer.from_pretrained(d, local_files_only=True)
        self.model_ = AutoModelForSequenceClassification.from_pretrained(d, local_files_only=True, use_safetensors=True)
        self.model_.to(self._dev()).eval()
        self.codes_ = meta["codes"]
        self.thresholds_ = np.array(meta["thresholds"])
        return self


def train_transformer(base_model: str | Path, out_dir: str | Path, train_rows: list[dict[str, Any]],
                      dev_rows: list[dict[str, Any]], test_rows: list[dict[str, Any]] | None = None,
                      epochs: int = 3, batch_size: int = 16, lr: float = 5e-5, seed: int = 0, log=print) -> dict:
    """Fine-tune, tune thresholds on dev, save with safetensors, evaluate on test."""
    from ..metrics import evaluate_predictions

    t0 = time.time()
    m = TransformerFactorClassifier(base_model, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)
    m.fit(train_rows, [r["factors"] for r in train_rows], log=log)
    m.tune_thresholds(dev_rows, [r["factors"] for r in dev_rows])
    m.save(out_dir)
    res: dict[str, Any] = {"fit_seconds": round(time.time() - t0, 1), "base_model": str(base_model), "epochs": epochs}
    for name, rows in (("dev", dev_rows), ("test", test_rows or [])):
        if rows:
            pred = m.predict(rows)
            res[name] = evaluate_predictions(rows, [[c for c, v in zip(m.codes_, row) if v] for row in pred])
    t = time.perf_counter()
    m.predict_proba(dev_rows[:500])
    res["norms_per_s"] = round(min(500, len(dev_rows)) / (time.perf_counter() - t), 1)
    (Path(out_dir) / "metrics.json").write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    return res
