"""The normative-unit classifier: features, training, evaluation on labelled real acts.

Labels are stand-off (``corpora/realunits/labels.jsonl``: act id, span in the act's
normalized text, a hash of the span's text, two annotators' labels and the adjudicated
one, the split by act); the text is read from the real acts at run time
(:mod:`lexpert.training.realacts`). ``lexpert units train`` fits the classifier on the train split
and writes it into the package (``lexpert/data/units/``); ``lexpert units eval`` measures
rules alone and rules + model on the test split, per language.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from ..records import UNIT_TYPES, Node
from ..structure.unitmodel import UnitClassifier
from ..structure.units import decide_units
from ..data import DATA
from ..settings import CHECKOUT

ROOT = CHECKOUT
LABELS = ROOT / "corpora" / "realunits" / "labels.jsonl"
FLAGGED_TRAIN = ROOT / "corpora" / "realunits" / "finding_units.jsonl"
FLAGGED_ROUNDS_TRAIN = (2, 3, 4, 5, 6, 7, 8, 9)  # rounds 10-12, drawn from acts of no earlier round, measure the shipped model (fitting on round 10 lost short list items such as «4) өзге де негіздер бойынша.»)
MODEL_DIR = DATA / "units"
AUTHORED_LIMIT = 1500         # authored norms added to the real train units (all labelled norm)


# ---------------------------------------------------------------- labelled data
def round_half(act: str) -> str:
    """Round 14 (the last fresh acts) is cut in two by act: ``dev``, the half the unit rules may
    be written from once the round has measured the code it was drawn with, and ``check``, the
    half that stays held out from those rules. A hash of the act id, so the cut is fixed."""
    import hashlib

    return "dev" if hashlib.blake2b(act.encode("utf-8"), digest_size=4).digest()[0] % 2 == 0 else "check"


def load_labels(path: Path = LABELS, retired: bool = False) -> list[dict[str, Any]]:
    """The labelled units. A label the parser no longer yields as a unit (a later parse splits or
    joins its span: a run-on act cut into its articles, a hard wrap joined) carries ``retired``
    (why, and when) and is left out unless ``retired``: it still counts for the annotators'
    agreement, which it was part of, but is never measured or fitted on again."""
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    return rows if retired else [r for r in rows if not r.get("retired")]


def labelled_items(rows: Iterable[dict[str, Any]]) -> tuple[list[tuple[Node, str, dict]], list[dict[str, Any]]]:
    """The labelled units as (node, text, context), found again by parsing their acts at run
    time; a label whose span no longer hashes to its text is an error (the text moved)."""
    from . import realacts
    from ..structure import parse
    from ..structure.units import contexts

    by_act: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_act.setdefault(r["act"], []).append(r)
    items, kept = [], []
    for act_id, rs in sorted(by_act.items()):
        text = realacts.act_text(act_id)
        doc = parse(text, units=False)
        at = {(n.text_start, n.text_end): (n, t, c) for a in doc.children for n, t, c in contexts(a, text)}
        for r in rs:
            s, e = r["span"]
            if realacts.span_hash(text[s:e]) != r["sha"]:
                raise ValueError(f"{act_id} {s}-{e}: the labelled span no longer holds the labelled text")
            hit = at.get((s, e))
            if hit is None:
                raise ValueError(f"{act_id} {s}-{e}: the labelled span is no longer a unit of the parse")
            items.append(hit)
            kept.append(r)
    return items, kept


def authored_norm_items(split: str = "train", limit: int | None = None, seed: int = 0
                        ) -> list[tuple[Node, str, dict]]:
    """Units of the authored corpus's ``split`` documents that hold an annotated sentence: all
    normative by construction (the corpus annotates norms). They keep the classifier from
    learning that the rare forms of real norms in the small real sample (short subpoints,
    quoted new wordings) are tables or budget lines."""
    import random

    from . import corpora
    from ..nlp.normalize import normalize
    from ..structure import parse
    from ..structure.units import contexts

    root = corpora.corpora_root(None)
    splits = json.loads((root / "splits.json").read_text(encoding="utf-8"))
    out = []
    for d in corpora.documents(root):
        if splits.get(d.id) != split or d.meta.get("provenance", "authored") != "authored":
            continue
        ann = root / "annotations" / "primary" / f"{d.id}.jsonl"
        if not ann.exists():
            continue
        text = normalize(d.text())
        cands = [x for a in parse(text, units=False).children for x in contexts(a, text)]
        starts = []
        for r in corpora._read_jsonl(ann):
            k = text.find(normalize(r["text"]).strip())
            if k >= 0:
                starts.append(k)
        seen = set()
        for node, t, c in cands:
            if node.kind in ("heading", "chapter", "section", "paragraph", "signature", "stamp"):
                continue
            if any(node.text_start <= k < node.text_end for k in starts) and id(node) not in seen:
                seen.add(id(node))
                out.append((node, t, c))
    if limit is not None and len(out) > limit:
        out = random.Random(seed).sample(out, limit)
    return out


def _binary_scores(gold: list[str], pred: list[str]) -> dict[str, float]:
    tp = sum(g == "norm" and p == "norm" for g, p in zip(gold, pred))
    fp = sum(g != "norm" and p == "norm" for g, p in zip(gold, pred))
    fn = sum(g == "norm" and p != "norm" for g, p in zip(gold, pred))
    tn = sum(g != "norm" and p != "norm" for g, p in zip(gold, pred))
    P = tp / (tp + fp) if tp + fp else 0.0
    R = tp / (tp + fn) if tp + fn else 0.0
    # the non-normative side: what keeps stamps and tables away from the detectors
    Pn = tn / (tn + fn) if tn + fn else 0.0
    Rn = tn / (tn + fp) if tn + fp else 0.0
    return {"n": len(gold), "norm_precision": round(P, 4), "norm_recall": round(R, 4),
            "norm_f1": round(2 * P * R / (P + R), 4) if P + R else 0.0,
            "nonnorm_precision": round(Pn, 4), "nonnorm_recall": round(Rn, 4),
            "type_accuracy": round(sum(g == p for g, p in zip(gold, pred)) / max(1, len(gold)), 4),
            "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def evaluate(model: UnitClassifier | None, split: str = "test", path: Path = LABELS) -> dict[str, Any]:
    rows = [r for r in load_labels(path) if r["split"] == split]
    items, rows = labelled_items(rows)
    gold = [r["label"] for r in rows]
    res: dict[str, Any] = {}
    for name, m in (("rules+heuristic", None), ("rules+model", model)):
        if name == "rules+model" and m is None:
            continue
        pred = decide_units(items, m)
        res[name] = {"all": _binary_scores(gold, pred)}
        for lang in ("ru", "kk"):
            idx = [i for i, r in enumerate(rows) if r["lang"] == lang]
            res[name][lang] = _binary_scores([gold[i] for i in idx], [pred[i] for i in idx])
    return res


def authored_recall(model: UnitClassifier | None, splits: tuple[str, ...] = ("dev", "test")) -> dict[str, Any]:
    """Share of the authored corpus's annotated norms (documents of ``splits``, never trained
    on) that the structure layer keeps as normative units."""
    items = [x for sp in splits for x in authored_norm_items(sp)]
    pred = decide_units(items, model)
    kept = sum(p == "norm" for p in pred)
    return {"units": len(items), "kept_as_norm": kept, "recall": round(kept / max(1, len(items)), 4),
            "lost_as": dict(Counter(p for p in pred if p != "norm"))}


def agreement(path: Path = LABELS) -> dict[str, Any]:
    """Cohen's kappa between the two annotators, binary (norm or not) and over all unit types."""
    rows = load_labels(path, retired=True)

    def kappa(pairs):
        n = len(pairs)
        po = sum(a == b for a, b in pairs) / n
        ca, cb = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
        pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / n / n
        return round((po - pe) / (1 - pe), 4), round(po, 4)

    out = {}
    for lang in ("all", "ru", "kk"):
        rs = [r for r in rows if lang == "all" or r["lang"] == lang]
        pairs = [(r["label_a"], r["label_b"]) for r in rs]
        kb, ab = kappa([(a == "norm", b == "norm") for a, b in pairs])
        kt, at = kappa(pairs)
        out[lang] = {"n": len(rs), "binary_kappa": kb, "binary_agreement": ab, "type_kappa": kt,
                     "type_agreement": at}
    return out


def train(path: Path = LABELS, out_dir: Path = MODEL_DIR, seed: int = 0) -> dict[str, Any]:
    """Fit on the train split (threshold chosen by act-grouped cross-validation on train only),
    measure on test, write the model and its metrics into the package."""
    from sklearn.model_selection import GroupKFold

    all_rows = load_labels(path)
    test_acts = {r["act"] for r in all_rows if r["split"] == "test"}
    rows = [r for r in all_rows if r["split"] == "train"]
    if FLAGGED_TRAIN is not None and FLAGGED_TRAIN.exists():
        # the flagged-unit round (units that carried findings, labelled by two annotators) of
        # the rounds listed in FLAGGED_ROUNDS_TRAIN; never an act of the test split
        rows += [{**r, "split": "train"} for r in load_labels(FLAGGED_TRAIN)
                 if r.get("round") in FLAGGED_ROUNDS_TRAIN and r["act"] not in test_acts]
    items, rows = labelled_items(rows)
    labels = [r["label"] for r in rows]
    groups = [r["act"] for r in rows]
    authored = authored_norm_items("train", limit=AUTHORED_LIMIT, seed=seed)
    # out-of-fold P(norm) on the real train units for the threshold (the authored norms always
    # in the fitting part): never the test split
    oof = np.zeros(len(rows))
    for tr, va in GroupKFold(n_splits=5).split(items, labels, groups):
        m = UnitClassifier(seed=seed).fit([items[i] for i in tr] + authored,
                                          [labels[i] for i in tr] + ["norm"] * len(authored))
        k = list(m.lr_.classes_).index("norm")
        oof[va] = m.proba([items[i] for i in va])[:, k]
    gold = np.array([lab == "norm" for lab in labels])
    # F0.5 of `norm`: a unit read as a norm is scored by the detectors, so a non-norm read as one
    # (a signature line, a route list) costs more than the rare norm read as a caption
    # the grid stops at 0.6: above it short list items that complete a lead-in («4) өзге де
    # негіздер бойынша.», the open list of grounds itself) fall below the threshold
    best = max((float(th) for th in np.arange(0.3, 0.61, 0.05)),
               key=lambda th: (_fbeta(gold, oof >= th, 0.5), -abs(th - 0.5)))
    model = UnitClassifier(seed=seed, threshold=round(best, 2)).fit(items + authored,
                                                                    labels + ["norm"] * len(authored))
    model.save(out_dir)
    metrics = {"threshold": model.threshold, "train_units": len(rows), "train_acts": len(set(groups)),
               "flagged_rounds_in_train": list(FLAGGED_ROUNDS_TRAIN),
               "authored_train_norms": len(authored),
               "train_labels": dict(Counter(labels)), "test": evaluate(model, "test", path),
               "authored_dev_test": authored_recall(model),
               "flagged_heldout": flagged_heldout(model),
               "agreement": agreement(path)}
    (out_dir / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out_dir / "MODEL_CARD.md").write_text(model_card(metrics), encoding="utf-8")
    return metrics


def flagged_heldout(model: UnitClassifier | None) -> dict[str, dict[str, int]]:
    """The flagged-unit rounds the classifier was not fitted on (units that carried findings on acts
    of no earlier round), with the rules in front of it: per round, labelled norms kept and dropped,
    non-normative units dropped and kept (``non_norm_kept``: what the detectors would still score)."""
    from ..structure.units import decide_units

    rows = [r for r in load_labels(FLAGGED_TRAIN) if (r.get("round") or 0) >= 2
            and r["round"] not in FLAGGED_ROUNDS_TRAIN]
    items, rows = labelled_items(rows)
    out: dict[str, Counter] = {}
    for r, p in zip(rows, decide_units(items, model)):
        key = ("norm" if r["label"] == "norm" else "non_norm") + ("_kept" if p == "norm" else "_dropped")
        out.setdefault(str(r["round"]), Counter())[key] += 1
    return {k: dict(sorted(v.items())) for k, v in sorted(out.items(), key=lambda kv: int(kv[0]))}


def model_card(m: dict[str, Any]) -> str:
    """The unit classifier's card, from its metrics (so the card says what was measured)."""
    def row(name, d):
        return (f"| {name} | {d['n']} | {d['norm_precision']:.3f} | {d['norm_recall']:.3f} | "
                f"{d['nonnorm_precision']:.3f} | {d['nonnorm_recall']:.3f} | {d['type_accuracy']:.3f} |")

    lines = ["# Normative-unit classifier (lexpert/data/units)", "",
             "Decides, for the units of an act that no certain rule classifies, whether each is a normative",
             "unit (`norm`) or which kind of non-normative text it is (see `lexpert.structure.units`).",
             "Multinomial logistic regression (scikit-learn) over hand features of the unit's form, place",
             "and neighbours, how form-like its surroundings are (over its annex or the act's body, and over",
             "the six units on each side: the shares of form fields, of lines with a blank, of short lines",
             "and of lines that read as a rule) and character 2-4-grams; `norm` when P(norm) >= the",
             "threshold, else the most",
             "probable other type. Saved with skops (no pickle). Retrain: `lexpert units train`.", "",
             "## Data", "",
             f"- {m['train_units']} labelled units of {m['train_acts']} real acts (train split of",
             "  `corpora/realunits/labels.jsonl`, plus the flagged-unit round(s) "
             f"{m.get('flagged_rounds_in_train')} of `finding_units.jsonl`",
             "  outside the test acts), labelled by two annotators with adjudication; label counts:",
             f"  {m['train_labels']}.",
             f"- {m.get('authored_train_norms', 0)} units of the authored corpus's train documents that hold an",
             "  annotated norm (all `norm`), so that the rare forms of real norms are not learned as tables.",
             f"- Threshold {m['threshold']}, chosen by act-grouped 5-fold cross-validation on the train units only, for the best F0.5 of `norm` (a non-norm read as a norm is scored by the detectors, so precision counts double).",
             "- Real acts: the Kazakh acts of Akhmetov et al. (2024), *Textual Foundations of Justice:",
             "  Kazakhstani Laws and Jurisprudence Dataset*, Mendeley Data, doi:10.17632/jdpc5658nh.3,",
             "  **CC BY 4.0**, and official Russian/Kazakh texts from adilet.zan.kz (kazakhstan-law collection).",
             "", "## Measured on the test split (acts never trained on)", "",
             "| system | units | norm P | norm R | non-norm P | non-norm R | type accuracy |",
             "|---|---|---|---|---|---|---|"]
    for system, by in m["test"].items():
        for lang in ("all", "ru", "kk"):
            lines.append(row(f"{system}, {lang}", by[lang]))
    a = m["agreement"]
    lines += ["", "Annotator agreement on the labelled units (Cohen's kappa, norm vs not / all types):",
              f"all {a['all']['binary_kappa']} / {a['all']['type_kappa']}, ru {a['ru']['binary_kappa']} / "
              f"{a['ru']['type_kappa']}, kk {a['kk']['binary_kappa']} / {a['kk']['type_kappa']}.", "",
              f"Authored corpus (dev and test documents, never trained on): {m['authored_dev_test']['kept_as_norm']}"
              f" of {m['authored_dev_test']['units']} annotated norms kept as normative units.", "",
              "## Rules in front of the model", "",
              "The model decides only the units no rule of `lexpert.structure.units.rule_unit` decides. The",
              "rules written from flagged-unit rounds 11-12 (`LAYOUT_RULES`: checklist and questionnaire",
              "tables whose answer columns are empty, rows of options with running codes, statistical-report",
              "tables, one-column tables of field captions, tick hints, a treaty's closing formula, a closing",
              "position-and-name line, budget lines and sums) are audited on every labelled unit by",
              "`scripts/realunits_rule_audit.py`; round 13 was their held-out check (25 of 390 findings on",
              "non-normative units, 6.4%, with the code it was drawn with). The rules of rounds 13-14 (a form",
              "annex opened by a header cell with blanks or by a block of form fields, template tables, the",
              "header above a row of column numbers, blank hints cut across lines, register tables) were",
              "written from round 13 and round 14's `dev` half; round 14 (every open act no earlier round",
              "drew, any length) measured the code it was drawn with at 67 of 772 (8.7%), and its `check`",
              "half the rules of the `dev` half at 38 of 320 (11.9%) (`corpora/realunits/README.md`). The",
              "annex rules written last from all of round 14's errors (an annex titled as a conclusion, an",
              "information form or an application whatever its blanks' hints; the header of an administrative",
              "data form; a form header cell inside a parsed annex, up to a heading, a list of documents or",
              "the filling explanation; a box to tick) have no held-out check: every open act has been drawn.", "",
              f"## Flagged-unit rounds the classifier was not fitted on (rounds {sorted(int(k) for k in m.get('flagged_heldout', {}))})", "",
              "Units that carried findings on acts of no earlier round, labelled by two annotators; the rules",
              "in front of the model were written from some of them (rounds 11-14 dev), the classifier from",
              "none; the surroundings features were chosen after reading round 14's errors (one window,",
              "six units, set before any was measured; no other setting tried). `non-norm kept` is what the",
              "detectors would still score.", "",
              "| round | norms kept | norms dropped | non-norms dropped | non-norms kept |",
              "|---|---|---|---|---|"]
    for rnd, c in (m.get("flagged_heldout") or {}).items():
        lines.append(f"| {rnd} | {c.get('norm_kept', 0)} | {c.get('norm_dropped', 0)} | "
                     f"{c.get('non_norm_dropped', 0)} | {c.get('non_norm_kept', 0)} |")
    lines += ["",
              "## Limits", "",
              "- Trained on a few hundred real acts: court resolutions' reasoning (preamble), treaty signature",
              "  lines and lists of addresses are the most frequent errors left.",
              "- A blank form that is not titled «Форма»/«Нысан» is recognised by its fields and, for tables,",
              "  by their layout (empty answer columns, running option codes, the «А | Б | 1 | 2» code row).", ""]
    return "\n".join(lines)


def _fbeta(gold: np.ndarray, pred: np.ndarray, beta: float = 1.0) -> float:
    tp = float((gold & pred).sum())
    fp = float((~gold & pred).sum())
    fn = float((gold & ~pred).sum())
    b2 = beta * beta
    return (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp) if tp else 0.0


__all__ = ["UnitClassifier", "train", "evaluate", "agreement", "load_labels", "labelled_items",
           "UNIT_TYPES"]
