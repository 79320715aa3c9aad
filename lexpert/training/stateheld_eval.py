"""What the state-held documents check (``lexpert.detect.stateheld``) catches and costs.

    python -m lexpert.training.stateheld_eval            # real train+dev of rounds 1-2, authored dev

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


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m lexpert.training.stateheld_eval")
    ap.add_argument("--rounds", default="1,2", help="annotation rounds of the real norms (default 1,2)")
    ap.add_argument("--no-model", action="store_true", help="skip the shipped default's figures")
    ap.add_argument("--show", choices=("caught", "missed", "clean"), help="print the norms of one kind (local use)")
    a = ap.parse_args(argv)
    from . import corpora, realnorms
    from ..detect.classify import classify_texts

    rounds = [int(x) for x in a.rounds.split(",")]
    real = [r for s in ("train", "dev") for r in realnorms.load(s, rounds=rounds)]
    authored = corpora.load_norms("dev")
    report: dict[str, Any] = {}
    for name, rows in (("real_train_dev", real), ("authored_dev", authored)):
        base = None
        if not a.no_model:
            res = classify_texts([r["text"] for r in rows], [r["lang"] for r in rows],
                                 contexts=[r.get("context") for r in rows])
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
