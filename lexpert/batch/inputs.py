"""Batch inputs -> :class:`DraftRecord` s.

INPUT may be:

- a folder of draft files, read recursively (hidden files and folders are skipped); the
  id of a file is its path relative to the folder, with ``/`` separators;
- a JSONL (``.jsonl``/``.ndjson``) or CSV (``.csv``) manifest, one draft a line/row with
  the columns ``id``, ``path`` or ``text``, ``title``, ``agency``, ``sphere``, ``kind``,
  ``date``, ``url``, ``lang`` (a relative ``path`` is relative to the folder that holds INPUT);
- a Parquet file (``.parquet``) with the same columns;
- a Hugging Face dataset saved with ``save_to_disk`` (a folder with ``state.json`` or
  ``dataset_dict.json``), with the same columns (all splits of a DatasetDict, in order).

A row that cannot be used (no ``path`` and no ``text``, a JSON line that does not parse)
still becomes a record, with ``error`` set, so it is reported as an error row.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any, Iterator

from ..errors import ContractError
from .records import MANIFEST_FIELDS, DraftRecord


class BatchInputError(ContractError):
    """The batch INPUT itself cannot be read (not a document-level problem)."""

    code = "batch_input"


def input_kind(path: str | Path) -> str:
    """'folder' | 'dataset' | 'jsonl' | 'csv' | 'parquet' for ``path``; raises BatchInputError otherwise."""
    p = Path(path)
    if not p.exists():
        raise BatchInputError(f"{p}: no such file or folder")
    if p.is_dir():
        if (p / "state.json").exists() or (p / "dataset_dict.json").exists():
            return "dataset"
        return "folder"
    suffix = p.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise BatchInputError(f"{p}: INPUT must be a folder, a .jsonl/.csv manifest, a .parquet file "
                          f"or a dataset saved with datasets.save_to_disk")


def read_input(path: str | Path) -> Iterator[DraftRecord]:
    """The drafts of INPUT, in a deterministic order (the same on every run)."""
    p = Path(path)
    kind = input_kind(p)
    if kind == "folder":
        yield from _folder(p)
    elif kind == "jsonl":
        yield from _jsonl(p)
    elif kind == "csv":
        yield from _csv(p)
    elif kind == "parquet":
        yield from _parquet(p)
    else:
        yield from _dataset(p)


def _folder(root: Path) -> Iterator[DraftRecord]:
    files = []
    for f in root.rglob("*"):
        rel = f.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or f.is_dir():
            continue          # a FIFO, a device, a socket or a broken link is an input: it gets its error row
        files.append(rel.as_posix())
    for rel in sorted(files):
        yield DraftRecord(id=rel, path=str(root / rel))


def _clean(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v != v:       # NaN from pandas / CSV
        return None
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    s = str(v)
    return s if s.strip() else None


def record_from_row(row: dict[str, Any], n: int, base: Path | None) -> DraftRecord:
    """A manifest row -> DraftRecord. ``n`` is the row's 1-based number (for ids and messages)."""
    vals = {k: _clean(row.get(k)) for k in MANIFEST_FIELDS}
    text = row.get("text")
    vals["text"] = text if isinstance(text, str) and text.strip() else None
    rid = vals["id"] or vals["path"] or f"row-{n}"
    rec = DraftRecord(**{**vals, "id": rid})
    if rec.path and base is not None and not Path(rec.path).is_absolute():
        rec.path = str(base / rec.path)
    if row.get("fetch_error"):                 # a portal row whose file could not be downloaded
        rec.error = f"{rid}: {_clean(row['fetch_error'])}"
    elif not rec.path and not rec.text:
        rec.error = f"row {n}: neither 'path' nor 'text' is given"
    if rec.lang and rec.lang not in ("ru", "kk"):
        rec.lang = None
    return rec


def _jsonl(p: Path) -> Iterator[DraftRecord]:
    with p.open(encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError("not a JSON object")
            except ValueError as exc:
                yield DraftRecord(id=f"line-{n}", error=f"{p.name} line {n}: not a JSON object ({exc})")
                continue
            yield record_from_row(row, n, p.parent)


def _csv(p: Path) -> Iterator[DraftRecord]:
    csv.field_size_limit(1 << 30)
    with p.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not ({"path", "text"} & set(reader.fieldnames)):
            raise BatchInputError(f"{p}: a CSV manifest needs a header with a 'path' or 'text' column")
        for n, row in enumerate(reader, 1):
            yield record_from_row(row, n, p.parent)


def _parquet(p: Path) -> Iterator[DraftRecord]:
    import pyarrow.parquet as pq

    try:
        f = pq.ParquetFile(p)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise BatchInputError(f"{p}: not a readable Parquet file ({exc})") from exc
    cols = [c for c in MANIFEST_FIELDS if c in f.schema_arrow.names]
    if not {"path", "text"} & set(cols):
        raise BatchInputError(f"{p}: a Parquet input needs a 'path' or 'text' column")
    n = 0
    for batch in f.iter_batches(columns=cols, batch_size=512):
        for row in batch.to_pylist():
            n += 1
            yield record_from_row(row, n, p.parent)


def _dataset(p: Path) -> Iterator[DraftRecord]:
    from datasets import Dataset, DatasetDict, load_from_disk

    try:
        ds = load_from_disk(str(p))
    except Exception as exc:
        raise BatchInputError(f"{p}: not a dataset saved with save_to_disk ({exc})") from exc
    parts = [ds] if isinstance(ds, Dataset) else [ds[k] for k in ds] if isinstance(ds, DatasetDict) else []
    n = 0
    for part in parts:
        if not {"path", "text"} & set(part.column_names):
            raise BatchInputError(f"{p}: the dataset needs a 'path' or 'text' column")
        for row in part:
            n += 1
            yield record_from_row(row, n, p.parent)
