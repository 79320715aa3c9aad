"""CLI of batch work: ``batch``, ``similar``, ``monitoring-report``, ``bench batch``, ``portal``."""
from __future__ import annotations

import json
from pathlib import Path

import click


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", "--out", "outdir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder: acts.parquet, findings.parquet, norms.parquet, errors.jsonl, run.json, parts/.")
@click.option("--workers", type=click.IntRange(1), default=None,
              help="Worker processes (Ray actors with --engine ray). Default: all CPU cores.")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: a process pool on this machine; ray: Ray actors (a new local Ray instance, or the "
                   "cluster at --ray-address; OUTDIR must then be on a filesystem every node sees).")
@click.option("--ray-address", default=None, help="Address of a running Ray cluster (e.g. ray://host:10001 or auto).")
@click.option("--chunk-size", type=click.IntRange(1), default=8, show_default=True,
              help="Drafts per committed part; a crash loses at most the chunks in flight.")
@click.option("--doc-timeout", type=click.FloatRange(0), default=300.0, show_default=True,
              help="Seconds one document may take before it becomes an error row (0 = no limit).")
@click.option("--no-norms", is_flag=True, help="Do not write norms.parquet (then `lexpert similar` needs INPUT).")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def batch(input_path, outdir, workers, engine, ray_address, chunk_size, doc_timeout, no_norms, no_progress):
    """Analyse many drafts: INPUT is a folder (recursive), a JSONL or CSV manifest, a Parquet file, or a
    Hugging Face dataset saved with save_to_disk.

    Manifest columns: id, path or text, title, agency, sphere, kind, date, url, lang (a relative path
    is relative to the folder holding INPUT). OUTDIR gets acts.parquet (one row per input id: status
    ok|error, language, norms, findings, findings per family, by_code), findings.parquet (one row per
    finding, with id and locator), norms.parquet (the located norms), errors.jsonl (id, code, one-line
    reason) and run.json.

    Resumable: rerun the same command after a crash and it finishes the rest; every input id is in
    acts.parquet exactly once. A bad document is an error row, never a stopped batch.
    """
    from ..batch import BatchOptions, run_batch

    s = run_batch(input_path, outdir, BatchOptions(workers=workers, engine=engine, ray_address=ray_address,
                                                   chunk_size=chunk_size, doc_timeout=doc_timeout,
                                                   keep_norms=not no_norms, progress=not no_progress))
    click.echo(f"{s.ids} drafts: {s.ok} ok, {s.errors} errors ({s.duplicates} duplicate ids); "
               f"{s.already_done} already done, {s.processed} analysed now in {s.seconds:.1f} s "
               f"({s.drafts_per_minute:.0f} drafts/min, {s.norms_per_second:.0f} norms/s, {s.workers} workers, "
               f"{s.engine}) -> {s.outdir}")


@click.command()
@click.argument("source", metavar="INPUT|OUTDIR", type=click.Path(exists=True, path_type=Path))
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.4,
              show_default=True, help="Jaccard similarity of two drafts' norm shingles to put them in one family.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("clusters.json"),
              show_default=True, help="Where to write the families (JSON, schema lexpert.similar/1).")
@click.option("--reviewed", "reviewed_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Reviewed findings: JSONL, JSON list, CSV or Parquet, one finding a row with id "
                                 "(the draft's batch id), code, norm_id and/or locator, decision, and optionally "
                                 "evidence, recommendation, reason, family. Only decision=confirmed rows are used "
                                 "(e.g. a batch findings.parquet with a decision column added by the expert).")
@click.option("--reviewed-db", is_flag=True,
              help="Also take the findings confirmed in the expertise record (`lexpert finding confirm`), "
                   "matched to drafts by the SHA-256 of their normalized text.")
def similar(source, threshold, output, reviewed_path, reviewed_db):
    """Near-duplicate and template families of drafts, and reviewed findings offered across each family.

    INPUT is anything `lexpert batch` reads (structure only, no detection); OUTDIR is a finished batch
    folder (its norms.parquet). Drafts are compared by MinHash LSH over word 4-grams of their norms
    (point numbers dropped, digits as 0), pairs confirmed by exact Jaccard >= --threshold, then the
    norms of every member are aligned to a reference member. For each family the confirmed findings of
    a reviewed member are offered at the aligned norms of the others ("one expertise serving many
    drafts"), with the alignment similarity and whether the quoted evidence is still there.
    """
    from ..batch import similar as sim

    drafts, skipped = sim.load_drafts(source)
    reviewed = sim.load_reviewed(reviewed_path) if reviewed_path else []
    if reviewed_db:
        reviewed += sim.reviewed_from_record(drafts)
    fams = sim.similar(drafts, reviewed, threshold=threshold)
    doc = sim.to_json(fams, drafts, threshold, skipped, len(reviewed))
    output.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    click.echo(f"{doc['drafts']} drafts: {doc['families_count']} families ({doc['drafts_in_families']} drafts), "
               f"{doc['singletons']} singletons, {doc['offers_count']} offers from {len(reviewed)} reviewed "
               f"findings; {len(skipped)} skipped -> {output}")


@click.command("monitoring-report")
@click.argument("outdir", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--record", "from_record", is_flag=True,
              help="Report from the expertise record (the database) instead of a batch OUTDIR: drafts whose "
                   "expertise was completed in --from..--to, with the factors an expert confirmed.")
@click.option("--from", "date_from", default=None, help="With --record: first day (31.12.2026 or 2026-12-31).")
@click.option("--to", "date_to", default=None, help="With --record: last day (31.12.2026 or 2026-12-31).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The .docx to write.")
@click.option("--lang", type=click.Choice(["ru", "kk"]), default="ru", show_default=True)
@click.option("--period", default=None,
              help="Monitoring period as printed, 'FROM..TO' (any text is accepted); default: --from..--to, or "
                   "the range of the drafts' dates.")
@click.option("--type", "monitoring_type", default=None,
              help="Type of monitoring, the line above '(type of anti-corruption monitoring)'.")
@click.option("--conducted-by", default=None, help="Item 2 of the introduction: who conducted it, e-mail, phone.")
@click.option("--plots", "plots_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also keep the three PNG figures in this folder.")
def monitoring_report(outdir, from_record, date_from, date_to, output, lang, period, monitoring_type, conducted_by,
                      plots_dir):
    """The analytical report on the results of anti-corruption monitoring (the form annexed to the
    Rules of anti-corruption monitoring, order No. 22 of 28.01.2020), as DOCX (A4): I. Introduction,
    II. Information-analytical part (indicators, tables, three plots), III. Final part.

    From the expertise record (--record) it counts the factors experts confirmed; from a batch
    OUTDIR it reports the detector's signals and says they are preliminary, never comparing them
    with the national baseline as if they were confirmed factors."""
    from ..reports.monitoring import load_record, report
    from .record import _day, _session

    if from_record == (outdir is not None):
        raise click.UsageError("give either a batch OUTDIR or --record")
    if (date_from or date_to) and not from_record:
        raise click.UsageError("--from/--to select drafts of the record; with a batch OUTDIR use --period")
    source = outdir
    if from_record:
        lo, hi = _day(date_from), _day(date_to)
        if period is None and (lo or hi):
            period = f"{lo:%d.%m.%Y}" if lo else "—"
            period += f"..{hi:%d.%m.%Y}" if hi else "..—"
        with _session() as s:
            source = load_record(s, lang, lo, hi)
    out = report(source, output, lang=lang, period=period, monitoring_type=monitoring_type,
                 conducted_by=conducted_by, plots_dir=plots_dir)
    click.echo(f"wrote {out}")


@click.command("batch")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a line per run; json: the measurements as JSON.")
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.option("-n", "--drafts", "n", type=click.IntRange(1), default=500, show_default=True,
              help="Drafts in the generated corpus.")
@click.option("--norms-per-draft", type=click.IntRange(5), default=300, show_default=True)
@click.option("--workers", "workers", default="1,2", show_default=True, help="Worker counts to measure, comma-separated.")
@click.option("--chunk-size", type=click.IntRange(1), default=8, show_default=True)
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep the generated corpus and the outputs in this folder.")
def bench_batch(fmt, as_json, n, norms_per_draft, workers, chunk_size, keep):
    """Batch throughput (drafts/min, norms/s) at 1 and 2 workers, peak memory, and the extrapolation
    to 10,000 drafts, on a generated corpus of N drafts (norms drawn from the annotated corpus)."""
    from ..training.batch_bench import run

    try:
        ws = tuple(int(x) for x in workers.split(",") if x.strip())
    except ValueError as exc:
        raise click.BadParameter("a comma-separated list of integers", param_hint="--workers") from exc
    res = run(n, norms_per_draft, ws, chunk_size, keep=keep)
    if as_json or fmt == "json":
        click.echo(json.dumps(res, indent=1))
        return
    for r in res["runs"]:
        click.echo(f"{r['workers']} workers: {r.get('steady_drafts_per_min', r['drafts_per_min'])} drafts/min, "
                   f"{r.get('steady_norms_per_s', r['norms_per_s'])} norms/s steady; wall {r['wall_s']} s; "
                   f"peak {r['peak_rss_mb']} MB")
    if "speedup_2_vs_1" in res:
        click.echo(f"speedup 2 vs 1: {res['speedup_2_vs_1']}")
    if "extrapolation" in res:
        e = res["extrapolation"]
        click.echo(f"{e['drafts']} drafts (~{e['norms']} norms): {e['minutes']} min at {e['workers']} workers "
                   f"(target {e['target_minutes']} min: {'met' if e['meets_target'] else 'NOT met'})")


@click.group()
def portal():
    """The "Открытые НПА" portal (legalacts.egov.kz): listing -> manifest + files for `lexpert batch`."""


@portal.command("fetch")
@click.option("-o", "--output", "--out", "dest", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for manifest.jsonl and files/.")
@click.option("--base-url", default="https://legalacts.egov.kz", show_default=True)
@click.option("--listing-path", default="/npa/search", show_default=True,
              help="Path of the listing pages (unverified against the live portal; see docs/portal.md).")
@click.option("--page-param", default="page", show_default=True)
@click.option("--pages", type=click.IntRange(1), default=1, show_default=True, help="Listing pages to read.")
@click.option("--draft-link", default=r"/npa/view\?id=(\d+)", show_default=True,
              help="Regular expression of a draft page's link; group 1 is the portal id.")
@click.option("--delay", type=click.FloatRange(0), default=1.0, show_default=True, help="Seconds between requests.")
@click.option("--allow-host", "allow_hosts", multiple=True,
              help="Only fetch from these hosts (repeatable); default: the host of --base-url.")
def portal_fetch(dest, base_url, listing_path, page_param, pages, draft_link, delay, allow_hosts):
    """Read listing pages and draft pages, download the attached files, write DEST/manifest.jsonl
    (id, path, title, agency, sphere, kind, date, url, status, ...), ready for `lexpert batch`."""
    import urllib.parse

    from ..batch.portal import PortalConfig, download, fetch_listing

    hosts = frozenset(allow_hosts) if allow_hosts else frozenset({urllib.parse.urlsplit(base_url).hostname or ""})
    cfg = PortalConfig(base_url=base_url, listing_path=listing_path, page_param=page_param, draft_link=draft_link,
                       delay=delay, allow_hosts=hosts)
    recs = fetch_listing(cfg, pages)
    rows = download(recs, dest, cfg)
    bad = sum(1 for r in rows if "fetch_error" in r)
    click.echo(f"{len(recs)} drafts, {len(rows)} manifest rows ({bad} without a file) -> {Path(dest) / 'manifest.jsonl'}")


COMMANDS = [batch, similar, monitoring_report, portal]
