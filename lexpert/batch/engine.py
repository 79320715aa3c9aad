"""Run a batch: read INPUT, skip what OUTDIR already holds, analyse the rest in parallel,
commit each chunk atomically, consolidate. Engines: ``local`` (processes) and ``ray``.

Both engines run the same function, :func:`process_chunk`, in long-lived workers that
load the detector once (a ``ProcessPoolExecutor`` initializer, or a Ray actor's
constructor). A worker that dies (a crash inside a parser, the OOM killer) costs only its
documents: the chunks it held are retried one document at a time, alone, and a document
that kills its worker again is recorded as an error row.
"""
from __future__ import annotations

import fcntl
import json
import logging
import multiprocessing as mp
import os
import time
from collections import deque
from contextlib import contextmanager
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..version import __version__
from ..errors import LexpertError
from .inputs import input_kind, read_input
from .records import DraftRecord
from .store import PartStore, atomic_write_bytes, write_part
from .worker import WorkerOptions, error_result, init_local_worker, init_worker, process_record

ENGINES = ("local", "ray")
log = logging.getLogger(__name__)


class BatchError(LexpertError):
    """A batch cannot run as asked (engine missing, OUTDIR of another input, ...)."""

    code = "batch"


@dataclass
class BatchOptions:
    """How to run a batch. ``workers`` defaults to the number of CPU cores."""

    workers: int | None = None
    engine: str = "local"
    ray_address: str | None = None
    chunk_size: int = 8
    doc_timeout: float = 300.0
    keep_norms: bool = True
    progress: bool = True


@dataclass
class ChunkStats:
    """What a worker reports back for one committed chunk (the rows themselves are in the part)."""

    part: str
    drafts: int
    ok: int
    errors: int
    norms: int
    findings: int


@dataclass
class Chunk:
    records: list[DraftRecord]
    suspect: bool = False          # was in flight when a worker died: run alone


@dataclass
class BatchSummary:
    """The outcome of :func:`run_batch` (also written to OUTDIR/run.json)."""

    input: str
    outdir: str
    engine: str
    workers: int
    inputs: int                    # input records, duplicates included
    ids: int                       # distinct input ids (= rows of acts.parquet)
    already_done: int              # ids found committed in OUTDIR before this run
    processed: int                 # ids analysed in this run
    ok: int                        # rows of acts.parquet with status ok
    errors: int                    # lines of errors.jsonl (error rows + duplicate ids)
    duplicates: int
    norms: int                     # norms analysed in this run
    findings: int                  # findings found in this run
    seconds: float                 # wall time of this run's analysis (worker start included)
    drafts_per_minute: float
    norms_per_second: float
    counts: dict[str, int] = field(default_factory=dict)


def process_chunk(records: list[DraftRecord], outdir: str, opts: WorkerOptions) -> ChunkStats:
    """Analyse ``records`` and commit them as one part of ``outdir``."""
    results = [process_record(r, opts) for r in records]
    part = write_part(outdir, results)
    return ChunkStats(part=part, drafts=len(results), ok=sum(r.act.status == "ok" for r in results),
                      errors=sum(r.act.status == "error" for r in results),
                      norms=sum(r.act.norms for r in results), findings=sum(r.act.findings for r in results))


def _died(outdir: str, rec: DraftRecord) -> ChunkStats:
    log.warning("%s: the worker process died on this document twice: recorded as an error row", rec.id)
    res = error_result(rec, f"{rec.id}: the worker process died while analysing this document (twice)",
                       "worker_died")
    return ChunkStats(part=write_part(outdir, [res]), drafts=1, ok=0, errors=1, norms=0, findings=0)


def _split(chunk: Chunk) -> list[Chunk]:
    return [Chunk([r], suspect=True) for r in chunk.records]


# ----------------------------------------------------------------------------------- local
def run_local(chunks: list[Chunk], outdir: str, opts: WorkerOptions, workers: int,
              on_done: Callable[[ChunkStats], None]) -> None:
    """Process pool engine (spawned processes, each loading the detector once)."""
    from ..settings import configured_log_level

    queue = deque(chunks)
    ctx = mp.get_context("spawn")
    while queue:
        ex = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init_local_worker,
                                 initargs=(configured_log_level(),))
        pending: dict[Any, Chunk] = {}
        try:
            try:
                for f in [ex.submit(os.getpid) for _ in range(workers)]:   # start all workers at once
                    f.result()
            except BrokenProcessPool as exc:
                raise BatchError("the batch worker processes could not start (see the messages above; "
                                 "a script using run_batch needs an `if __name__ == '__main__':` guard)") from exc
            while queue or pending:
                while queue and len(pending) < 2 * workers:
                    if queue[0].suspect and pending:
                        break
                    ch = queue[0]
                    pending[ex.submit(process_chunk, ch.records, outdir, opts)] = ch
                    queue.popleft()
                    if ch.suspect:
                        break
                done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for fut in done:
                    stats = fut.result()          # BrokenProcessPool propagates to the handler below
                    pending.pop(fut)
                    on_done(stats)
        except BrokenProcessPool:
            retried = sum(len(ch.records) for ch in pending.values() if not ch.suspect)
            if retried:
                log.warning("a batch worker process died (a crash or out of memory); the %d document(s) in flight "
                            "are retried one at a time", retried)
            for ch in pending.values():
                if ch.suspect:
                    on_done(_died(outdir, ch.records[0]))
                else:
                    queue.extendleft(reversed(_split(ch)))
        finally:
            ex.shutdown(wait=True, cancel_futures=True)


# ------------------------------------------------------------------------------------- ray
class _RayWorker:
    """A Ray actor: loads the detector once in its constructor, then analyses chunks."""

    def __init__(self, opts: WorkerOptions):
        init_worker(watch_parent=False)
        self.opts = opts

    def run(self, records: list[DraftRecord], outdir: str) -> ChunkStats:
        return process_chunk(records, outdir, self.opts)


def run_ray(chunks: list[Chunk], outdir: str, opts: WorkerOptions, workers: int, address: str | None,
            on_done: Callable[[ChunkStats], None]) -> int:
    """Ray engine: ``workers`` actors on the Ray instance at ``address`` (or an existing
    ``ray.init`` of this process, or a new local one with ``workers`` CPUs). OUTDIR must be on a
    filesystem every Ray node sees. Returns the number of actors used."""
    try:
        import ray
        from ray.exceptions import RayActorError
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise BatchError("--engine ray needs the 'ray' package (pip install 'ray[data]')") from exc
    started = False
    if not ray.is_initialized():
        kw: dict[str, Any] = {"address": address} if address else {"num_cpus": workers}
        ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False, **kw)
        started = True
    try:
        cpus = int(ray.cluster_resources().get("CPU", workers))
        n = max(1, min(workers, cpus))
        Actor = ray.remote(num_cpus=1)(_RayWorker)
        idle = [Actor.remote(opts) for _ in range(n)]
        actors = list(idle)
        queue = deque(chunks)
        inflight: dict[Any, tuple[Any, Chunk]] = {}
        while queue or inflight:
            while queue and idle:
                if queue[0].suspect and inflight:
                    break
                ch = queue.popleft()
                a = idle.pop()
                inflight[a.run.remote(ch.records, outdir)] = (a, ch)
                if ch.suspect:
                    break
            ready, _ = ray.wait(list(inflight), num_returns=1)
            for ref in ready:
                a, ch = inflight.pop(ref)
                try:
                    stats = ray.get(ref)
                except RayActorError:
                    log.warning("a Ray worker died (a crash or out of memory); its %d document(s) are %s",
                                len(ch.records), "recorded as an error row" if ch.suspect else "retried one at a time")
                    a = Actor.remote(opts)
                    actors.append(a)
                    if ch.suspect:
                        on_done(_died(outdir, ch.records[0]))
                    else:
                        queue.extendleft(reversed(_split(ch)))
                    idle.append(a)
                    continue
                idle.append(a)
                on_done(stats)
        for a in actors:
            ray.kill(a)
        return n
    finally:
        if started:
            ray.shutdown()


# ---------------------------------------------------------------------------------- driver
def _progress(total: int, enabled: bool):
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task):
            return Text(f"{(task.speed or 0) * 60:,.0f} drafts/min", style="progress.data.speed")

    return Progress(TextColumn("[bold]batch"), BarColumn(), MofNCompleteColumn(), Rate(),
                    TextColumn("{task.fields[norms_s]:,.0f} norms/s"), TextColumn("{task.fields[errors]} errors"),
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                    console=Console(stderr=True), disable=not enabled, transient=False, speed_estimate_period=60)


def _check_outdir(outdir: Path, source: Path) -> None:
    meta = outdir / "batch.json"
    ident = {"input": str(source.resolve()), "kind": input_kind(source)}
    if meta.exists():
        old = json.loads(meta.read_text(encoding="utf-8"))
        if old.get("input") != ident["input"]:
            raise BatchError(f"{outdir} holds the batch of {old.get('input')}, not of {ident['input']}; "
                             f"use another OUTDIR")
        return
    outdir.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(meta, json.dumps({**ident, "lexpert": __version__}, ensure_ascii=False, indent=1).encode())


def run_batch(source: str | Path, outdir: str | Path, options: BatchOptions | None = None,
              on_chunk: Callable[[ChunkStats], None] | None = None) -> BatchSummary:
    """Analyse every draft of ``source`` into ``outdir``; resumable (see :mod:`lexpert.batch.store`)."""
    o = options or BatchOptions()
    if o.engine not in ENGINES:
        raise BatchError(f"unknown engine {o.engine!r} (use {' or '.join(ENGINES)})")
    if o.chunk_size < 1:
        raise BatchError("--chunk-size must be at least 1")
    workers = max(1, o.workers or os.cpu_count() or 1)
    source, out = Path(source), Path(outdir)
    records = list(read_input(source))
    try:
        with _locked(out):
            return _run(source, out, records, o, workers, on_chunk)
    except OSError as exc:        # a read-only folder, a full disk: the committed parts are kept
        raise BatchError(f"{out}: cannot write ({exc.strerror or exc}); the analysed parts in {out}/parts are "
                         f"kept: fix it and rerun to finish") from exc


@contextmanager
def _locked(out: Path):
    """An exclusive lock on OUTDIR for the whole run: a second run on the same folder is
    refused in one line instead of redoing the work and deleting the first one's parts in
    progress."""
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            raise BatchError(f"{out} is in use by another lexpert batch (pid {other}); wait for it to finish "
                             f"or use another OUTDIR") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)              # releases the lock


def _run(source: Path, out: Path, records: list[DraftRecord], o: BatchOptions, workers: int,
         on_chunk: Callable[[ChunkStats], None] | None) -> BatchSummary:
    _check_outdir(out, source)
    seen: set[str] = set()
    unique: list[DraftRecord] = []
    dups: list[dict[str, str | None]] = []
    for r in records:
        if r.id in seen:
            dups.append({"id": r.id, "code": "duplicate_id",
                         "reason": f"{r.id}: the id occurs more than once in the input; its first occurrence was analysed"})
            continue
        seen.add(r.id)
        unique.append(r)
    store = PartStore(out)
    store.clean_tmp()
    done = store.done_ids()
    todo = [r for r in unique if r.id not in done]
    chunks = [Chunk(todo[i:i + o.chunk_size]) for i in range(0, len(todo), o.chunk_size)]
    wopts = WorkerOptions(doc_timeout=o.doc_timeout, keep_norms=o.keep_norms)
    log.info("batch of %s: %d input records, %d duplicate ids, %d already in %s, %d to analyse in %d chunk(s) "
             "(%s engine, %d workers)", source, len(records), len(dups), len(unique) - len(todo), out, len(todo),
             len(chunks), o.engine, workers)
    totals = {"drafts": 0, "norms": 0, "findings": 0}
    t0 = time.perf_counter()
    used = workers
    with _progress(len(todo), o.progress and bool(todo)) as bar:
        task = bar.add_task("batch", total=len(todo), norms_s=0.0, errors=0)
        errs = 0

        def on_done(st: ChunkStats) -> None:
            nonlocal errs
            totals["drafts"] += st.drafts
            totals["norms"] += st.norms
            totals["findings"] += st.findings
            errs += st.errors
            bar.update(task, advance=st.drafts, errors=errs,
                       norms_s=totals["norms"] / max(1e-9, time.perf_counter() - t0))
            if on_chunk:
                on_chunk(st)

        if chunks:
            if o.engine == "ray":
                used = run_ray(chunks, str(out), wopts, workers, o.ray_address, on_done)
            else:
                run_local(chunks, str(out), wopts, workers, on_done)
    seconds = time.perf_counter() - t0
    counts = store.consolidate([r.id for r in unique], dups)
    if counts["missing"]:
        raise BatchError(f"{counts['missing']} input ids have no result after the run; rerun to finish them")
    summary = BatchSummary(
        input=str(source), outdir=str(out), engine=o.engine, workers=used, inputs=len(records), ids=len(unique),
        already_done=len(unique) - len(todo), processed=totals["drafts"], ok=counts["ok"], errors=counts["errors"],
        duplicates=len(dups), norms=totals["norms"], findings=totals["findings"], seconds=round(seconds, 3),
        drafts_per_minute=round(60 * totals["drafts"] / seconds, 1) if totals["drafts"] else 0.0,
        norms_per_second=round(totals["norms"] / seconds, 1) if totals["drafts"] else 0.0, counts=counts)
    atomic_write_bytes(out / "run.json", json.dumps(asdict(summary), ensure_ascii=False, indent=1).encode())
    return summary
