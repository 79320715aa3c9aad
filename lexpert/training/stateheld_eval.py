"""What the state-held documents check (``lexpert.detect.stateheld``) catches and costs.

    python -m lexpert.training.stateheld_eval            # real train+dev of every round, authored dev

Per language: the labelled ``burden.requirements`` norms it catches, the clean norms it flags
(all strata, and the unbiased ones that estimate the share on real text), the norms it flags that
carry another factor; and the share of clean unbiased norms the shipped default flags through
``classify`` (with the lead-in) with and without the check added. Real test is never read here:
the choice whether the check runs in ``analyze`` is made on these figures.
"""
from __future__ import annotations

import argparse
import json
from typing import Any

from ..detect import stateheld

CODE = stateheld.CODE


def figures(rows: list[dict[str, Any]], base: list[list[str]] | None = None) -> dict[str, Any]:
    """The check's figures on ``rows`` (dicts with text, context, lang, factors, stratum);
    ``base``: the codes another detector gives each row, to show the check added to it."""
    out: dict[str, Any] = {}
    unbiased = ("all_ru", "random")
    for lang in ("ru", "kk", "all"):
        idx = [i for i, r in enumerate(rows) if lang == "all" or r["lang"] == lang]
        if not idx:
            continue
        hit = {i: bool(stateheld.find(rows[i]["text"], rows[i]["lang"], rows[i].get("context"))) for i in idx}
        pos = [i for i in idx if CODE in rows[i]["factors"]]
        clean = [i for i in idx if not rows[i]["factors"]]
        other = [i for i in idx if rows[i]["factors"] and CODE not in rows[i]["factors"]]
        unb = [i for i in clean if rows[i].get("stratum", "random") in unbiased]
        f: dict[str, Any] = {
            "norms": len(idx), "positives": len(pos), "caught": sum(hit[i] for i in pos),
            "clean": len(clean), "clean_flagged": sum(hit[i] for i in clean),
            "clean_unbiased": len(unb), "clean_unbiased_flagged": sum(hit[i] for i in unb),
            "other_factor_flagged": sum(hit[i] for i in other),
            "flagged": sum(hit.values()),
        }
        f["precision"] = round(f["caught"] / f["flagged"], 3) if f["flagged"] else None
        f["recall"] = round(f["caught"] / f["positives"], 3) if f["positives"] else None
        if base is not None:
            before = sum(bool(base[i]) for i in unb)
            after = sum(bool(base[i]) or hit[i] for i in unb)
            n = max(1, len(unb))
            f["default_clean_flagged_unbiased"] = round(before / n, 4)
            f["default_plus_check_clean_flagged_unbiased"] = round(after / n, 4)
            f["default_requirements_caught"] = sum(CODE in base[i] for i in pos)
            f["default_plus_check_requirements_caught"] = sum(CODE in base[i] or hit[i] for i in pos)
        out[lang] = f
    return out


def card_lines(root=None) -> list[str]:
    """The model card's section on the check: its figures alone on real train+dev (every round)
    and on the authored dev split (computed now; [] where the real acts are not at hand)."""
    from . import corpora, realacts, realnorms

    if not realacts.available():
        return []
    real = figures([r for s in ("train", "dev") for r in realnorms.load(s, root)])
    authored = figures(corpora.load_norms("dev", root))
    lines = ["", "## Documents the state already holds (`analyze` and `classify`, after this model)", "",
             "`analyze` adds `burden.requirements` where a norm (or the lead-in of its list) makes a person submit a "
             "document the state already holds or issues itself: a copy of an identity document, a certificate of "
             "state registration, of no criminal record, of no tax debt, an address or civil-status certificate, a "
             "title document, a licence, data of a state information system (`lexpert.detect.stateheld`, lexicon "
             "`lexpert/data/lexicons/state_held.yaml`; ANNOTATION.md 3.8 and 7.1). Its reason names the document, "
             "the register that holds it and the ground: the Law \"On state services\" forbids demanding what "
             "can be obtained from information systems. The check alone, measured by "
             "`python -m lexpert.training.stateheld_eval` (real test is not used for this choice):", "",
             "| set | lang | `burden.requirements` caught | clean norms flagged | clean flagged (unbiased strata) |",
             "|---|---|---|---|---|"]
    for name, figs in (("real train+dev", real), ("authored dev", authored)):
        for lang in ("ru", "kk"):
            f = figs[lang]
            lines.append(f"| {name} | {lang} | {f['caught']} of {f['positives']} | {f['clean_flagged']} of "
                         f"{f['clean']} | {f['clean_unbiased_flagged']} of {f['clean_unbiased']} |")
    share = {lang: 100 * real[lang]["clean_unbiased_flagged"] / max(1, real[lang]["clean_unbiased"]) for lang in ("ru", "kk")}
    lines += ["", "It runs on the default `analyze` path: on the unbiased strata of real train+dev it adds at most "
              f"{share['ru']:.2f} (ru) and {share['kk']:.2f} (kk) percentage points to the share of clean norms "
              "flagged (the issue's bound is 3%). `classify` runs it on each sentence too (with the model's score "
              "raised to the check's 0.8), so the figures of this card, all taken through `classify`, include it."]
    return lines


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m lexpert.training.stateheld_eval")
    ap.add_argument("--rounds", default="", help="annotation rounds of the real norms, e.g. 1,2 (default: every round)")
    ap.add_argument("--no-model", action="store_true", help="skip the shipped default's figures")
    ap.add_argument("--show", choices=("caught", "missed", "clean"), help="print the norms of one kind (local use)")
    a = ap.parse_args(argv)
    from . import corpora, realnorms
    from ..detect.classify import classify_texts

    rounds = [int(x) for x in a.rounds.split(",") if x.strip()] or None
    real = [r for s in ("train", "dev") for r in realnorms.load(s, rounds=rounds)]
    authored = corpora.load_norms("dev")
    report: dict[str, Any] = {}
    for name, rows in (("real_train_dev", real), ("authored_dev", authored)):
        base = None
        if not a.no_model:
            res = classify_texts([r["text"] for r in rows], [r["lang"] for r in rows],
                                 contexts=[r.get("context") for r in rows], checks=False)     # the model alone
            base = [x["factors"] for x in res]
        report[name] = figures(rows, base)
        if a.show and name == "real_train_dev":
            for r in rows:
                got = stateheld.find(r["text"], r["lang"], r.get("context"))
                pos = CODE in r["factors"]
                if (a.show == "caught" and got and pos) or (a.show == "missed" and pos and not got) \
                        or (a.show == "clean" and got and not r["factors"]):
                    print("--", r["lang"], r["factors"], [d.id for d, _, _ in got], "|", (r.get("context") or "")[:120],
                          "|", r["text"][:300])
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
