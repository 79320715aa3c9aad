"""Domain adaptation of the default's configuration (``fusion``) to real text, fitted on train only.

The rule layer's hits mean something else in real acts than in the authored corpus (a rule that
fires on 70% factor norms in the authored corpus may fire on 2% in real acts), and the model
learns the authored meaning from the larger corpus. ``FactorClassifier(domain=...)`` fits with
feature augmentation (Daumé III, 2007): the labelled real norms fill a second copy of the rule
block (``rules``) or of every block (``all``), so the fit learns a shared weight and a correction
only real text supports; ``domain_weight`` (alpha) is how much of the correction the fitted model
keeps (``w_shared + alpha * w_real``), folded into a plain model of the same size and speed.

This script measures it cleanly, as ``lexpert train`` measures its candidates:

1. each model is fitted on authored train (with bare copies) + real train (real norms weigh 2)
   and tuned (per-code thresholds) on authored dev + real dev (bare norms);
2. plain ``fusion`` (the shipped configuration), then ``domain=all`` and ``domain=rules``, each
   fitted once and folded with every alpha of ``--alphas``;
3. figures: real dev family F1 (per language) and authored dev family micro-F1, which choose;
   real test (every round) and authored test, which never choose, reported beside them.

    python scripts/domain_experiment.py --out /tmp/domain.jsonl      # about 25 min on 2 cores
    python scripts/domain_experiment.py --domains all --alphas 1 --per-code   # about 25 min

Measured on 2026-12-05 (rounds 1-11): see corpora/realnorms/README.md, "Domain adaptation".
"""
from __future__ import annotations

import argparse
import copy
import json
import time

from lexpert.detect.model.classifier import FactorClassifier
from lexpert.detect.model.ensemble import EnsembleDetector
from lexpert.training import corpora
from lexpert.training.corpora import bare
from lexpert.training.evaluation import evaluate_detector
from lexpert.training.train import _real, real_rows_for_fit, real_splits, with_bare_copies

FUSION = {"use_rules": True, "C": 10.0, "rule_weight": 0.5}


def _figures(m: FactorClassifier, data: dict, name: str, alpha: float | None) -> dict:
    rd, rt = _real(m, data["real"]["dev"]), _real(m, data["real"]["test"])
    det = EnsembleDetector(m)
    ad = evaluate_detector(data["dev"], det)[0]["all"]
    at = evaluate_detector(data["test"], det)[0]["all"]
    return {"model": name, "alpha": alpha,
            "real_dev": {k: rd[k]["family_f1"] for k in ("all", "kk", "ru")},
            "real_dev_pr": [rd["all"]["family_precision"], rd["all"]["family_recall"]],
            "authored_dev": ad["families"]["micro"]["f1"],
            "real_test": {k: rt[k]["family_f1"] for k in ("all", "kk", "ru")},
            "real_test_pr": [rt["all"]["family_precision"], rt["all"]["family_recall"]],
            "authored_test": at["families"]["micro"]["f1"],
            "authored_test_hard_negative_fp": at.get("hard_negative_fp_rate")}


def _tuned(m: FactorClassifier, data: dict) -> FactorClassifier:
    rows = data["tune"]
    return m.tune(rows, [r["factors"] for r in rows], blends=(0.0,))


def _fit_augmented(domain: str, rows: list, seed: int) -> tuple[FactorClassifier, int]:
    """A ``domain`` model whose real-text copy is not folded yet (and the plain width), so each
    alpha folds a copy of it without refitting."""
    m = FactorClassifier(random_state=seed, domain=domain, **FUSION)
    width: list[int] = []
    m._fold_domain = width.append                      # type: ignore[method-assign]  # fold later
    m.fit(rows, [r["factors"] for r in rows])
    del m._fold_domain
    return m, width[0]


def _hybrid(plain: FactorClassifier, adapted: FactorClassifier, codes: set[str]) -> FactorClassifier:
    """``plain`` with the estimators of ``codes`` taken from ``adapted`` (same features: both read
    the same fit rows, and the augmentation is added after the blocks)."""
    m = copy.deepcopy(plain)
    for name in ("_fast_cache", "_coef_cache"):
        m.__dict__.pop(name, None)
    m.estimators_ = [adapted.estimators_[j] if c in codes else e for j, (c, e) in enumerate(zip(m.codes_, m.estimators_))]
    return m


def per_code(plain: FactorClassifier, adapted: FactorClassifier, data: dict, emit) -> None:
    """Keep the real-text correction only for the codes where it helps: greedily, code by code, the
    adapted code's estimator replaces the plain one when real dev family F1 + authored dev family
    micro-F1 rises (thresholds re-tuned on dev each time); test figures of the result beside."""
    assert plain.word_vec_.vocabulary_ == adapted.word_vec_.vocabulary_ and plain.n_features_ == adapted.n_features_

    def score(codes: set[str]) -> tuple[float, FactorClassifier]:
        m = _tuned(_hybrid(plain, adapted, codes), data)
        return _real(m, data["real"]["dev"])["all"]["family_f1"] + evaluate_detector(
            data["dev"], EnsembleDetector(m))[0]["all"]["families"]["micro"]["f1"], m

    chosen: set[str] = set()
    best, m = score(chosen)
    for c in plain.codes_:
        s, mc = score(chosen | {c})
        print(f"  {c}: {s:.4f} against {best:.4f}", flush=True)
        if s > best + 1e-9:
            chosen, best, m = chosen | {c}, s, mc
    emit({**_figures(m, data, "fusion, adapted codes: " + ",".join(sorted(chosen)), 1.0), "codes": sorted(chosen)})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--alphas", default="0,0.25,0.5,0.75,1", help="domain_weight values to fold with")
    ap.add_argument("--domains", default="all,rules")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--per-code", action="store_true",
                    help="also keep the correction (domain=all, alpha 1) only for the codes where it raises real + "
                         "authored dev F1, chosen greedily code by code")
    ap.add_argument("--out", help="write one JSON line per model here")
    a = ap.parse_args()
    real = real_splits()
    data = {"real": real, "dev": corpora.load_norms("dev"), "test": corpora.load_norms("test")}
    data["tune"] = data["dev"] + bare(real["dev"])
    fit_rows = with_bare_copies(corpora.load_norms("train")) + real_rows_for_fit(real["train"])
    lines = []

    def emit(rec: dict) -> None:
        lines.append(rec)
        print(json.dumps(rec, ensure_ascii=False), flush=True)

    t0 = time.time()
    plain = FactorClassifier(random_state=a.seed, **FUSION).fit(fit_rows, [r["factors"] for r in fit_rows])
    emit({**_figures(_tuned(plain, data), data, "fusion", None), "seconds": round(time.time() - t0)})
    for domain in a.domains.split(","):
        t0 = time.time()
        aug, width = _fit_augmented(domain, fit_rows, a.seed)
        for alpha in (float(x) for x in a.alphas.split(",")):
            m = copy.deepcopy(aug)
            m.domain_weight = alpha
            m._fold_domain(width)
            emit({**_figures(_tuned(m, data), data, f"fusion domain={domain}", alpha),
                  "seconds": round(time.time() - t0)})
            if a.per_code and domain == "all" and alpha == 1.0:
                per_code(plain, m, data, emit)
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in lines)


if __name__ == "__main__":
    main()
