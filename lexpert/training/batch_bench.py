"""``lexpert bench batch``: batch throughput at 1 and 2 workers on a generated corpus.

A corpus of ``n`` drafts of about ``norms_per_draft`` norms each is generated
(:mod:`lexpert.training.generate`), then run through :func:`lexpert.batch.run_batch` once per
worker count into a fresh OUTDIR. For each run it reports:

- ``wall_s``: the whole run (worker start, detector load, analysis, consolidation);
- ``steady_*``: drafts/min and norms/s between the first and the last committed chunk
  (worker start-up excluded) — the rate that decides a long run;
- ``peak_rss_mb``: the highest total resident memory of the driver and its workers
  (sampled every 0.2 s with psutil);
- ``workers_cpu_s`` and ``cpu_share_of_wall`` (CPU seconds of the workers / (wall x
  workers)): well below 1 means the workers waited for a core — other load on the machine,
  which the 1-minute load average before the run also shows.

The extrapolation to 10,000 drafts is ``startup + 10,000 / steady drafts per second`` with
the measured 2-worker figures; ``speedup`` is the ratio of the steady norms/s.
"""
from __future__ import annotations

import os
import resource
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from ..batch.engine import BatchOptions, ChunkStats, run_batch
from .generate import generate_corpus


class _Peak:
    """Samples the RSS of this process and its children until stopped."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            try:
                procs = [me] + me.children(recursive=True)
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs if p.is_running()))
            except Exception:  # a child may exit between listing and reading
                pass
            self._stop.wait(0.2)

    def __enter__(self) -> "_Peak":
        self._t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._t.join()


def _one(corpus: Path, outdir: Path, workers: int, chunk_size: int, engine: str = "local") -> dict[str, Any]:
    stamps: list[tuple[float, int, int]] = []

    def on_chunk(st: ChunkStats) -> None:
        stamps.append((time.perf_counter(), st.drafts, st.norms))

    load_before = os.getloadavg()[0]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with _Peak() as peak:
        s = run_batch(corpus / "manifest.jsonl", outdir, BatchOptions(workers=workers, engine=engine,
                                                                        chunk_size=chunk_size, progress=False),
                      on_chunk=on_chunk)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    out: dict[str, Any] = {"workers": workers, "drafts": s.processed, "norms": s.norms, "errors": s.errors,
                           "wall_s": round(wall, 2),
                           "drafts_per_min": round(60 * s.processed / wall, 1), "norms_per_s": round(s.norms / wall, 1),
                           "peak_rss_mb": round(peak.peak / 2**20, 1),
                           "workers_cpu_s": round(cpu, 1),
                           "cpu_share_of_wall": round(cpu / (wall * workers), 3),
                           "load_avg_1min_before": round(load_before, 2)}
    if len(stamps) > 1:
        span = stamps[-1][0] - stamps[0][0]
        d = sum(x[1] for x in stamps[1:])
        nn = sum(x[2] for x in stamps[1:])
        out.update(startup_s=round(stamps[0][0] - t0, 2), steady_drafts_per_min=round(60 * d / span, 1),
                   steady_norms_per_s=round(nn / span, 1))
    return out


def run(n: int = 500, norms_per_draft: int = 300, workers: tuple[int, ...] = (1, 2), chunk_size: int = 8,
        seed: int = 0, keep: str | Path | None = None, target_drafts: int = 10_000) -> dict[str, Any]:
    """Measure; see the module docstring. ``keep`` keeps the corpus and outputs in that folder."""
    root = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="lexpert-bench-batch-"))
    try:
        corpus = root / "corpus"
        if corpus.exists():
            shutil.rmtree(corpus)
        generate_corpus(corpus, n, norms_per_draft=norms_per_draft, seed=seed)
        runs = []
        for w in workers:
            out = root / f"out_w{w}"
            if out.exists():
                shutil.rmtree(out)
            runs.append(_one(corpus, out, w, chunk_size))
        res: dict[str, Any] = {"drafts": n, "norms_per_draft_target": norms_per_draft,
                               "mean_norms_per_draft": round(runs[0]["norms"] / max(1, runs[0]["drafts"]), 1),
                               "cpu_count": os.cpu_count(), "chunk_size": chunk_size, "runs": runs}
        by = {r["workers"]: r for r in runs}
        if 1 in by and 2 in by and "steady_norms_per_s" in by[1] and "steady_norms_per_s" in by[2]:
            res["speedup_2_vs_1"] = round(by[2]["steady_norms_per_s"] / by[1]["steady_norms_per_s"], 3)
            res["speedup_2_vs_1_wall"] = round(by[2]["norms_per_s"] / by[1]["norms_per_s"], 3)
        best = by.get(2) or runs[-1]
        if "steady_drafts_per_min" in best:
            secs = best["startup_s"] + target_drafts / (best["steady_drafts_per_min"] / 60)
            res["extrapolation"] = {
                "drafts": target_drafts, "workers": best["workers"],
                "norms": round(target_drafts * res["mean_norms_per_draft"]),
                "minutes": round(secs / 60, 1), "target_minutes": 30, "meets_target": secs <= 30 * 60}
        return res
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
