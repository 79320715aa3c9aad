"""The batch's output folder: atomic per-chunk parts, the done-set, and consolidation.

Layout of OUTDIR::

    batch.json            the input this folder belongs to (a rerun must name the same INPUT)
    parts/<part>/         one committed chunk: acts.parquet, findings.parquet, norms.parquet
    acts.parquet          one row per input id (status ok | error), in input order
    findings.parquet      one row per finding (id, finding, norm_id, locator, code, ...)
    norms.parquet         one row per located norm of the drafts analysed (for ``lexpert similar``)
    errors.jsonl          {"id", "code", "reason"} per error row and per duplicate input id
    run.json              counts and timings of the last run

Exactly-once: a chunk is written into ``parts/.tmp-<part>/`` and then renamed to
``parts/<part>/`` with one ``os.replace`` (atomic on POSIX), so after a crash a part is
either complete or absent. On restart the done-set is the ids of the committed parts;
consolidation keeps, for every id, the first committed part that holds it, and takes its
findings and norms from that same part only.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .records import ACT_SCHEMA, FINDING_SCHEMA, NORM_SCHEMA, DraftResult, to_table

log = logging.getLogger(__name__)

TABLES = (("findings", FINDING_SCHEMA), ("norms", NORM_SCHEMA), ("acts", ACT_SCHEMA))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_part(outdir: str | Path, results: list[DraftResult]) -> str:
    """Commit one chunk of results as ``parts/<part>/`` (atomically); returns the part name."""
    parts = Path(outdir) / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    name = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
    tmp = parts / f".tmp-{name}"
    tmp.mkdir()
    tables = {
        "acts": to_table([r.act for r in results], ACT_SCHEMA),
        "findings": to_table([f for r in results for f in r.findings], FINDING_SCHEMA),
        "norms": to_table([n for r in results for n in r.norms], NORM_SCHEMA),
    }
    for key, table in tables.items():
        with open(tmp / f"{key}.parquet", "wb") as fh:
            pq.write_table(table, fh, compression="zstd")
            fh.flush()
            os.fsync(fh.fileno())
    os.replace(tmp, parts / name)
    return name


class PartStore:
    """Reads the committed parts of OUTDIR and consolidates them."""

    def __init__(self, outdir: str | Path):
        self.outdir = Path(outdir)
        self.parts = self.outdir / "parts"

    def committed(self) -> list[Path]:
        if not self.parts.exists():
            return []
        return sorted(p for p in self.parts.iterdir()
                      if p.is_dir() and not p.name.startswith(".") and (p / "acts.parquet").exists())

    def done_ids(self) -> set[str]:
        """Ids that already have a committed result (ok or error)."""
        done: set[str] = set()
        for p in self.committed():
            done.update(pq.read_table(p / "acts.parquet", columns=["id"]).column("id").to_pylist())
        return done

    def clean_tmp(self) -> None:
        """Remove half-written chunks and consolidation files left by a crash (never a
        committed part). Called only under the folder's lock (:func:`lexpert.batch.engine.run_batch`)."""
        if self.parts.exists():
            for p in self.parts.iterdir():
                if p.name.startswith(".tmp-"):
                    log.info("%s: a half-written chunk of an interrupted run removed", p)
                    shutil.rmtree(p, ignore_errors=True)
        if self.outdir.exists():
            for p in self.outdir.glob(".tmp-*"):
                try:
                    p.unlink()
                except OSError:
                    pass

    def consolidate(self, order: list[str], extra_errors: Iterable[dict[str, str | None]] = ()) -> dict[str, int]:
        """Write acts/findings/norms.parquet and errors.jsonl from the parts.

        ``order`` is the input's ids in input order: acts.parquet follows it, and ids not in it
        (a part of another input) are left out. All four files are written aside first and put
        in place together at the end: a full disk or a read-only folder leaves the previous
        consolidated files (or none) and the parts as they were. Returns counts."""
        staged: list[tuple[Path, Path]] = []
        try:
            counts = self._consolidate(order, extra_errors, staged)
            for tmp, final in staged:
                os.replace(tmp, final)
            staged.clear()
            return counts
        finally:
            for tmp, _ in staged:
                try:
                    tmp.unlink()
                except OSError:
                    pass

    def _consolidate(self, order, extra_errors, staged) -> dict[str, int]:
        wanted = {i: k for k, i in enumerate(order)}
        winner: dict[str, str] = {}
        acts = []
        for p in self.committed():
            t = pq.read_table(p / "acts.parquet")
            keep = [i for i, x in enumerate(t.column("id").to_pylist()) if x in wanted and x not in winner]
            for i in keep:
                winner[t.column("id")[i].as_py()] = p.name
            if keep:
                acts.append(t.take(pa.array(keep, pa.int64())))
        table = pa.concat_tables(acts) if acts else ACT_SCHEMA.empty_table()
        idx = pc.sort_indices(pa.array([wanted[x] for x in table.column("id").to_pylist()], pa.int64()))
        table = table.take(idx)
        staged.append((self._write(self.outdir / "acts.parquet", table), self.outdir / "acts.parquet"))
        counts = {"acts": table.num_rows}
        for key, schema in TABLES[:2]:
            counts[key] = self._stream(key, schema, winner, staged)
        errors = [{"id": r["id"], "code": r["error_code"], "reason": r["error"]}
                  for r in table.filter(pc.equal(table.column("status"), "error"))
                  .select(["id", "error_code", "error"]).to_pylist()]
        errors += list(extra_errors)
        final = self.outdir / "errors.jsonl"
        tmp = final.with_name(f".tmp-{uuid.uuid4().hex}-{final.name}")
        staged.append((tmp, final))
        with open(tmp, "wb") as fh:
            fh.write("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors).encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        counts["errors"] = len(errors)
        counts["ok"] = int(pc.sum(pc.equal(table.column("status"), "ok")).as_py() or 0)
        counts["missing"] = len(set(order) - set(winner))
        return counts

    def _stream(self, key: str, schema: pa.Schema, winner: dict[str, str], staged: list) -> int:
        """Copy ``key`` rows of the winning part of each id into OUTDIR/<key>.parquet (staged
        aside), part by part."""
        final = self.outdir / f"{key}.parquet"
        tmp = final.with_name(f".tmp-{uuid.uuid4().hex}-{final.name}")
        staged.append((tmp, final))
        n = 0
        with pq.ParquetWriter(tmp, schema, compression="zstd") as w:
            for p in self.committed():
                f = p / f"{key}.parquet"
                if not f.exists():
                    continue
                t = pq.read_table(f, schema=schema)
                if not t.num_rows:
                    continue
                mask = pa.array([winner.get(x) == p.name for x in t.column("id").to_pylist()], pa.bool_())
                t = t.filter(mask)
                if t.num_rows:
                    w.write_table(t)
                    n += t.num_rows
        return n

    @staticmethod
    def _write(path: Path, table: pa.Table) -> Path:
        tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
        pq.write_table(table, tmp, compression="zstd")
        return tmp
