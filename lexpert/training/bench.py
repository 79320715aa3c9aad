"""``lexpert bench``: throughput and memory of the detectors, as JSON.

Measures, on the same norms (the annotated corpus, repeated to ``n``): raw spaCy
tokenization (the reference), the rule layer alone, and the default detector, each on
one core and on all cores (one process per core), and the peak resident memory.
The figure tracked is ``ratio_to_tokenization`` of the default detector on one core.
"""
from __future__ import annotations

import os
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from . import corpora


def _norms(n: int) -> list[tuple[str, str, str | None]]:
    rows = corpora.load_norms()
    base = [(r["text"], r["lang"], r.get("context")) for r in rows]
    return (base * (n // len(base) + 1))[:n]


def _tokenize(items) -> int:
    import spacy

    nlps = {lang: spacy.blank(lang) for lang in ("ru",)}
    from ..nlp import kazakh  # noqa: F401

    nlps["kk"] = spacy.blank("kk")
    for lang in ("ru", "kk"):
        texts = [t for t, lg, _ in items if lg == lang]
        for _ in nlps[lang].tokenizer.pipe(texts, batch_size=1000):
            pass
    return len(items)


def _detect(args) -> int:
    items, which = args
    from ..detect.base import RuleDetector, default_detector

    det = RuleDetector() if which == "rules" else default_detector()
    for lang in ("ru", "kk"):
        sub = [(t, c) for t, lg, c in items if lg == lang]
        for k in range(0, len(sub), 512):
            chunk = sub[k:k + 512]
            det.detect([t for t, _ in chunk], lang, [c for _, c in chunk])
    return len(items)


def _warm(which: str) -> None:
    _detect((_norms(50), which))


def _rate(fn, items, repeat: int = 2) -> float:
    """Best of ``repeat`` runs (the first also fills the lemma caches)."""
    best = 0.0
    for _ in range(repeat):
        t = time.perf_counter()
        fn(items)
        best = max(best, len(items) / (time.perf_counter() - t))
    return best


def _parallel_rate(which: str, items, workers: int) -> float:
    chunks = [items[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm, initargs=(which,)) as ex:
        list(ex.map(_detect, [(c[:10], which) for c in chunks]))       # start and warm every worker
        t = time.perf_counter()
        list(ex.map(_detect, [(c, which) for c in chunks]))
        return len(items) / (time.perf_counter() - t)


def run(n: int = 5000, workers: int | None = None) -> dict[str, Any]:
    from ..detect.base import default_detector

    workers = workers or os.cpu_count() or 1
    items = _norms(n)
    _tokenize(items[:200])
    _warm("rules")
    t = time.perf_counter()
    _warm("default")
    first_load = time.perf_counter() - t           # the default detector's load (model file) + 50 norms
    tok = _rate(_tokenize, items)
    rules_1 = _rate(lambda x: _detect((x, "rules")), items)
    default_1 = _rate(lambda x: _detect((x, "default")), items)
    out: dict[str, Any] = {
        "norms": n,
        "cores": workers,
        "default_detector": getattr(default_detector(), "name", "custom"),
        "tokenization_norms_per_s": round(tok, 1),
        "rules": {"norms_per_s_1_core": round(rules_1, 1)},
        "default": {"norms_per_s_1_core": round(default_1, 1), "load_and_first_50_norms_s": round(first_load, 3)},
    }
    if workers > 1:
        out["rules"][f"norms_per_s_{workers}_cores"] = round(_parallel_rate("rules", items, workers), 1)
        out["default"][f"norms_per_s_{workers}_cores"] = round(_parallel_rate("default", items, workers), 1)
    out["rules"]["ratio_to_tokenization"] = round(rules_1 / tok, 4)
    out["default"]["ratio_to_tokenization"] = round(default_1 / tok, 4)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["peak_rss_mb_children"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    return out
