"""The encoder as a teacher: its labels on unlabelled real norms train the fast model (issue 18).

Issue 18 names three ways to use the pretrained encoder: as the model, as a second stage on
candidates, or "as a teacher whose labels on the open real acts train the fast model". The first
two are measured by ``lexpert train --e5`` and ``scripts/e5_stage2.py``; this script measures the
third, every model fitted on train only:

1. the teacher is the best second stage of ``scripts/e5_stage2.py``: the ``fusion`` model fitted on
   authored train + real train (tuned on authored dev + real dev), and on its candidates (a norm
   with some code at ``p >= 0.5 * threshold``) the blend ``0.7 * p_fusion + 0.3 * p_e5`` with the
   encoder fine-tuned on the same train rows (``E5_DIR``), thresholds tuned on the same dev rows;
2. the unlabelled pool: norms of Kazakh acts of the real **train** split (by act group, as the
   labelled norms are split) that no annotation round drew: acts never labelled and the other
   norms of labelled train acts (never a norm that overlaps a labelled span), bare, as
   ``classify`` reads them. Acts of the dev and test splits and ``heldout/`` are never read;
3. the teacher labels the pool's candidates (the norms the encoder reads; on the rest the teacher
   is the first stage's own "no"); variants keep only its confident rows (no code whose blend
   lies within ``--band`` of its threshold, below or above), or add as many non-candidates as
   negatives;
4. the student is ``fusion`` refitted on the same rows plus the pseudo-labelled norms (each
   ``--weight`` times), tuned on the same dev rows; real dev and authored dev choose, real test
   and authored test are reported beside (never used to choose), with a paired bootstrap over
   acts against the plain refit.

Figures are taken through ``classify`` (its sentence checks on), as ``lexpert evaluate --real``.

    python scripts/teacher_experiment.py /tmp/teacher/e5 --pool-only     # the pool (a few minutes)
    python scripts/teacher_experiment.py /tmp/teacher/e5 --out /tmp/teacher/res.jsonl

An ``E5_DIR`` that holds no fine-tuned encoder yet is filled first: ``train_e5`` on authored train +
real train (bare) with the options of ``lexpert train --e5``'s candidate (about 20 min on 2 cores).

Measured on 2026-12-05 (rounds 1-11): see corpora/realnorms/README.md, "The encoder as a teacher".
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")     # sleeping OpenMP workers on 2 shared cores

import numpy as np

from lexpert.detect.classify import classify_texts
from lexpert.detect.model import e5
from lexpert.detect.model.classifier import FactorClassifier
from lexpert.detect.model.ensemble import EnsembleDetector
from lexpert.taxonomy import load_taxonomy
from lexpert.training import corpora, realacts, realnorms
from lexpert.training.corpora import bare
from lexpert.training.evaluation import evaluate_detector
from lexpert.training.e5_candidate import TRAIN_OPTS
from lexpert.training.train import CANDIDATES, real_rows_for_fit, real_splits, with_bare_copies

FUSION = CANDIDATES["fusion"]["params"]
GATE, WEIGHT_FUSION = 0.5, 0.7        # the second stage chosen on real dev by scripts/e5_stage2.py


def pool_norms(per_act: int, max_acts: int, max_chars: int, seed: int, log) -> list[dict]:
    """Unlabelled bare norms of Kazakh train-split acts (see the module doc)."""
    from lexpert.pipeline import analyze

    labelled: dict[str, list[tuple[int, int]]] = {}
    for r in realnorms.load_labels():
        labelled.setdefault(r["act"], []).append(tuple(r["span"]))
    acts = realacts.acts()
    ids = sorted(x for x, m in acts.items() if m.lang == "kk" and not m.parallel and m.chars < max_chars
                 and realnorms.split_of(x) == "train")
    rnd = random.Random(seed)
    rnd.shuffle(ids)
    ids = ids[:max_acts] if max_acts else ids
    out: list[dict] = []
    t = time.time()
    for k, x in enumerate(ids):
        try:
            rep = analyze(acts[x].path)
        except Exception as exc:                      # a bad act is skipped and said, never fatal
            log(f"  {x}: not read ({type(exc).__name__}: {exc})")
            continue
        spans = labelled.get(x, ())
        norms = [n for n in rep.norms if len(n.text.strip()) >= 15
                 and all(n.end <= s or n.start >= e for s, e in spans)]
        rnd.shuffle(norms)
        out += [{"id": f"{x}:{n.start}-{n.end}", "act": x, "text": n.text.strip(), "context": None, "lang": "kk",
                 "pseudo": True} for n in norms[:per_act or None]]
        if (k + 1) % 100 == 0:
            log(f"  {k + 1}/{len(ids)} acts, {len(out)} norms, {time.time() - t:.0f} s")
    return out


def fit_encoder(e5_dir: Path, data: dict, real: dict, seed: int, log) -> None:
    """``train_e5`` as ``lexpert train --e5`` runs it (lexpert.training.e5_candidate), train rows only."""
    fit = list(corpora.load_norms("train")) + bare(real["train"])
    e5.train_e5(fit, data["dev"] + data["real"]["dev"], e5_dir, epochs=3, seed=seed, log=log, **TRAIN_OPTS)


def teacher(fusion: FactorClassifier, scorer, sets: dict[str, list[dict]], codes: list[str], gate: float = GATE):
    """The blend on the fusion model's candidates: probabilities per set and thresholds tuned on
    authored dev + real dev (``ad``, ``rd``)."""
    th_tf = np.asarray(fusion.thresholds_, float)
    B, C = {}, {}
    for k, rows in sets.items():
        P = fusion.predict_proba(rows)
        cand = (P >= gate * th_tf).any(axis=1)
        Pe = np.zeros_like(P)
        idx = np.flatnonzero(cand)
        if len(idx):
            Pe[idx] = scorer.score([rows[i]["text"] for i in idx], [rows[i]["lang"] for i in idx])
        C[k] = cand
        B[k] = np.where(cand[:, None], WEIGHT_FUSION * P + (1 - WEIGHT_FUSION) * Pe, 0.0)
    dev_Y = np.vstack([e5._label_matrix(sets["ad"], codes), e5._label_matrix(sets["rd"], codes)])
    th = e5.tune_thresholds(np.vstack([B["ad"], B["rd"]]), dev_Y, default=0.99)
    return B, th, C


def fit_tuned(rows: list[dict], tune_rows: list[dict], seed: int) -> FactorClassifier:
    m = FactorClassifier(random_state=seed, **FUSION).fit(rows, [r["factors"] for r in rows])
    return m.tune(tune_rows, [r["factors"] for r in tune_rows], blends=(0.0,))


def measure(name: str, m: FactorClassifier, data: dict, extra: dict) -> tuple[dict, list[list[str]]]:
    det = EnsembleDetector(m)
    res, preds = {}, None
    for split in ("dev", "test"):
        rows = data["real"][split]
        p = [r["factors"] for r in classify_texts([r["text"] for r in rows], [r["lang"] for r in rows], det)]
        f = realnorms.real_figures(rows, p)
        res[f"real_{split}"] = {k: f[k]["family_f1"] for k in ("all", "kk", "ru")}
        res[f"real_{split}_pr"] = [f["all"]["family_precision"], f["all"]["family_recall"]]
        res[f"real_{split}_clean_flagged"] = f["all"].get("clean_flagged_rate_unbiased")
        preds = p if split == "test" else preds
    res["authored_dev"] = evaluate_detector(data["dev"], det)[0]["all"]["families"]["micro"]["f1"]
    res["authored_test"] = evaluate_detector(data["test"], det)[0]["all"]["families"]["micro"]["f1"]
    return {"model": name, **extra, **res}, preds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("e5_dir", help="the encoder fine-tuned on train (authored train + real train, bare); fitted there first if it holds none")
    ap.add_argument("--work", default="/tmp/teacher", help="where the pool of unlabelled norms is cached (their text: keep it outside the project)")
    ap.add_argument("--per-act", type=int, default=0, help="at most this many norms of one act (0: every norm)")
    ap.add_argument("--max-acts", type=int, default=0, help="at most this many pool acts (0: every train act)")
    ap.add_argument("--max-chars", type=int, default=400_000)
    ap.add_argument("--weights", default="1,2", help="times each pseudo-labelled norm counts in the fit")
    ap.add_argument("--band", type=float, default=0.1, help="confident: no code's blend within this of its threshold")
    ap.add_argument("--gate", type=float, default=GATE, help="a candidate: some code at p >= gate * its threshold")
    ap.add_argument("--variants", default="all,confident,negatives",
                    help="pseudo-labelled rows: every candidate, the confident ones, every candidate + as many negatives")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pool-only", action="store_true", help="read the pool into --work and stop")
    ap.add_argument("--out", help="one JSON line per model")
    a = ap.parse_args()
    log = lambda s: print(s, flush=True)
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    codes = list(load_taxonomy().codes)
    real = real_splits()
    data = {"real": {k: bare(v) for k, v in real.items()}, "dev": corpora.load_norms("dev"),
            "test": corpora.load_norms("test")}
    tune_rows = data["dev"] + data["real"]["dev"]
    fit_rows = with_bare_copies(corpora.load_norms("train")) + real_rows_for_fit(real["train"])
    lines: list[dict] = []

    def emit(rec: dict) -> None:
        lines.append(rec)
        log(json.dumps(rec, ensure_ascii=False))
        if a.out:
            with open(a.out, "w", encoding="utf-8") as f:
                f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in lines)

    pool_file = work / f"pool_{a.per_act}_{a.max_acts}_{a.seed}.jsonl"
    if pool_file.is_file():
        pool = [json.loads(x) for x in pool_file.open(encoding="utf-8")]
    else:
        t = time.time()
        pool = pool_norms(a.per_act, a.max_acts, a.max_chars, a.seed, log)
        pool_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in pool), encoding="utf-8")
        log(f"pool: {len(pool)} norms of {len({r['act'] for r in pool})} acts in {time.time() - t:.0f} s")
    if a.pool_only:
        return 0
    if not (Path(a.e5_dir) / e5.META).is_file():
        fit_encoder(Path(a.e5_dir), data, real, a.seed, log)
    t = time.time()
    plain = fit_tuned(fit_rows, tune_rows, a.seed)
    base, base_preds = measure("fusion (train only)", plain, data, {"seconds": round(time.time() - t)})
    emit(base)
    t = time.time()
    scorer = e5.E5Scorer.load(a.e5_dir, num_threads=2)
    sets = {"ad": bare(data["dev"]), "rd": data["real"]["dev"], "rt": data["real"]["test"], "pool": pool}
    B, th, C = teacher(plain, scorer, sets, codes, a.gate)
    log(f"teacher scores in {time.time() - t:.0f} s")
    tp = lambda P: [[c for c, p, q in zip(codes, row, th) if p >= q] for row in P]
    for k in ("rd", "rt"):
        f = realnorms.real_figures(sets[k], tp(B[k]))
        log(f"teacher on {k} (no sentence checks): F1 {f['all']['family_f1']:.3f} P {f['all']['family_precision']:.3f} "
            f"R {f['all']['family_recall']:.3f}")
    labels = tp(B["pool"])
    cand = C["pool"]
    near = cand & (np.abs(B["pool"] - th) < a.band).any(axis=1)
    flagged = sum(bool(x) for x in labels)
    log(f"teacher on the pool: {int(cand.sum())} of {len(pool)} norms are candidates, {flagged} flagged; "
        f"{int(near.sum())} within the band")
    # the teacher adds what the first stage alone does not know only on its candidates: the rest of
    # the pool is the first stage's own confident negatives (a variant adds as many of them)
    rnd = np.random.default_rng(a.seed)
    others = set(rnd.choice(np.flatnonzero(~cand), size=min(int(cand.sum()), int((~cand).sum())), replace=False).tolist())
    variants = {"all": (False, False), "confident": (True, False), "negatives": (False, True)}
    for conf, neg in (variants[v] for v in a.variants.split(",")):
        rows = [{**r, "factors": sorted(lab)} for i, (r, lab, nb) in enumerate(zip(pool, labels, near))
                if (cand[i] and not (conf and nb)) or (neg and i in others)]
        for w in (int(x) for x in a.weights.split(",")):
            t = time.time()
            m = fit_tuned(fit_rows + rows * w, tune_rows, a.seed)
            rec, preds = measure("fusion + teacher labels", m, data, {
                "gate": a.gate, "confident_only": conf, "with_negatives": neg, "weight": w, "pseudo_norms": len(rows),
                "pseudo_flagged": sum(bool(r["factors"]) for r in rows), "seconds": round(time.time() - t)})
            rec["paired_real_test"] = realnorms.paired_difference(data["real"]["test"], base_preds, preds)
            emit(rec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
