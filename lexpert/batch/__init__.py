"""Batch expertise of many drafts: ``run_batch(INPUT, OUTDIR)`` (see ``lexpert batch --help``).

Stages, each a plain function over typed records (:mod:`lexpert.batch.records`):
:mod:`~lexpert.batch.inputs` (folder / manifest / Parquet / dataset -> DraftRecord),
:mod:`~lexpert.batch.worker` (DraftRecord -> DraftResult through ``lexpert.pipeline.analyze``),
:mod:`~lexpert.batch.store` (atomic parts, done-set, consolidation),
:mod:`~lexpert.batch.engine` (local processes or Ray), :mod:`~lexpert.batch.portal`
(the "Открытые НПА" portal -> manifest), :mod:`~lexpert.training.generate` (test corpora)
and :mod:`~lexpert.training.batch_bench` (throughput).
"""
from .engine import BatchError, BatchOptions, BatchSummary, run_batch
from .inputs import BatchInputError, read_input
from .records import ActRow, DraftRecord, DraftResult, FindingRow, NormRow

__all__ = ["run_batch", "BatchOptions", "BatchSummary", "BatchError", "BatchInputError", "read_input",
           "DraftRecord", "DraftResult", "ActRow", "FindingRow", "NormRow"]
