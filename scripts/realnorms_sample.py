"""Draw real norms of the open acts for factor annotation (issue 18), deterministically.

Round 1: every norm of every open Russian act (``law/ru``), and Kazakh norms in three
strata: norms the shipped model flags (its false positives are the real hard negatives),
norms with a cue of the rule layer that the model does not flag, and a random sample (so
that prevalence can be estimated). Round 2 and later draw fresh Kazakh acts the same way
with the model retrained on the rounds before. Round 3 sets the strata by count
(``--strata flag=220,cue=230,random=150``), reads every norm of the chosen acts for the
``flag`` and ``cue`` pools (``--pool-per-act 0``: flagged norms are rare on real text) and
also avoids the acts of corpora/realunits (``--avoid-realunits``).

Writes corpora/realnorms/sample_rN.jsonl (stand-off: act id, character span of the act's
normalized text, BLAKE2 hash; no text) and, for the annotators only, OUT/items.jsonl with
the text and its neighbours (never committed).

    python scripts/realnorms_sample.py --round 1 --seed 181 --kk 1300 --out /tmp/rn/r1
    python scripts/realnorms_sample.py --round 3 --seed 183 --kk-acts 2000 --per-act 6 --pool-per-act 0 \
        --max-chars 100000000 --strata flag=220,cue=230,random=150 --avoid-realunits --out /tmp/annot18
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from lexpert.training import realacts
from lexpert.detect.base import RuleDetector
from lexpert.detect.services.candidates import find_candidates
from lexpert.pipeline import analyze
from lexpert.structure.units import contexts

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpora" / "realnorms"
SHARES = {"flag": 0.4, "cue": 0.3, "random": 0.3}
# ``hs`` (round 11 on): norms where the service extractor finds a thing obtained from a body
# (an approval, a permit, a conclusion, a certificate) and the model raises no ``hidden_service``;
# drawn only when asked for, so the strata of earlier rounds are rebuilt as they were
STRATA = ("flag", "hs", "cue", "random")


def labelled_spans(this_round: int) -> dict[str, list[tuple[int, int]]]:
    """The spans drawn in earlier rounds, per act: a round never returns to these acts, or with
    ``--reuse-acts`` never draws a norm overlapping one of these spans."""
    out: dict[str, list[tuple[int, int]]] = {}
    for p in CORPUS.glob("sample_r*.jsonl"):
        if p.name == f"sample_r{this_round}.jsonl":
            continue
        for line in p.open(encoding="utf-8"):
            d = json.loads(line)
            out.setdefault(d["act"], []).append(tuple(d["span"]))
    return out


def realunits_acts() -> set[str]:
    """Acts of the unit-classifier corpus (corpora/realunits), which a factor round may avoid."""
    out: set[str] = set()
    for p in (ROOT / "corpora" / "realunits").glob("*.jsonl"):
        out |= {json.loads(line)["act"] for line in p.open(encoding="utf-8") if line.strip()}
    return out


def strata_counts(spec: str | None, kk: int) -> dict[str, int]:
    """``flag=220,cue=230,random=150`` -> counts; without a spec, ``kk`` split by SHARES."""
    if not spec:
        return {k: round(kk * v) for k, v in SHARES.items()}
    out = {k: 0 for k in STRATA}
    for part in spec.split(","):
        k, _, v = part.partition("=")
        if k.strip() not in STRATA:
            raise SystemExit(f"--strata: unknown stratum {k!r} (one of {', '.join(STRATA)})")
        out[k.strip()] = int(v)
    return out


_RULES: RuleDetector | None = None


def act_norms_job(x: str):
    """:func:`act_norms` in a worker process (one rule layer per process)."""
    global _RULES
    if _RULES is None:
        _RULES = RuleDetector()
    return x, act_norms(x, _RULES)


def act_norms(x: str, rules: RuleDetector):
    """(norm, neighbours, model codes, rule cue?, service cue?) for each norm of act ``x``."""
    rep = analyze(realacts.get(x).path)
    flagged: dict[str, set[str]] = {}
    for f in rep.findings:
        flagged.setdefault(f.norm_id, set()).add(f.code)
    ctx = {(n.text_start, n.text_end): c for act in rep.structure.children for n, _, c in contexts(act, rep.text)}
    norms = [n for n in rep.norms if len(n.text.strip()) >= 15]
    lang = realacts.get(x).lang
    cues = rules.detect([n.text for n in norms], lang, [n.context for n in norms]) if norms else []
    return [(n, ctx.get((n.start, n.end), {}), sorted(flagged.get(n.id, ())), bool(h),
             bool(find_candidates(n.text, lang)) and "hidden_service" not in flagged.get(n.id, ()))
            for n, h in zip(norms, cues)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--round", type=int, required=True)
    ap.add_argument("--seed", type=int, default=181)
    ap.add_argument("--kk", type=int, default=1300, help="Kazakh norms to draw")
    ap.add_argument("--kk-acts", type=int, default=260, help="fresh Kazakh acts to read")
    ap.add_argument("--ru", action="store_true", help="take every norm of every open Russian act")
    ap.add_argument("--per-act", type=int, default=12, help="at most this many Kazakh norms from one act")
    ap.add_argument("--pool-per-act", type=int, default=-1,
                    help="norms of one act that enter the pools (default 3 x --per-act; 0: every norm)")
    ap.add_argument("--strata", default=None, help="counts per stratum, e.g. flag=220,cue=230,random=150 "
                    "or hs=320,random=80 (default: --kk split 40/30/30 over flag, cue, random)")
    ap.add_argument("--avoid-realunits", action="store_true", help="skip the acts of corpora/realunits too")
    ap.add_argument("--max-chars", type=int, default=200_000, help="skip Kazakh acts longer than this")
    ap.add_argument("--reuse-acts", action="store_true",
                    help="draw from acts of earlier rounds too, never a norm overlapping a labelled span "
                         "(the norms of an act keep its split)")
    ap.add_argument("--jobs", type=int, default=1, help="processes that read the acts")
    ap.add_argument("--out", default="/tmp/rn/r1")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    acts = realacts.acts()
    rules = RuleDetector()
    earlier = labelled_spans(a.round)
    used = (set() if a.reuse_acts else set(earlier)) | (realunits_acts() if a.avoid_realunits else set())
    spans = earlier if a.reuse_acts else {}

    def fresh(x: str, n) -> bool:
        return all(n.end <= s or n.start >= e for s, e in spans.get(x, ()))
    want_n = strata_counts(a.strata, a.kk)
    pool_n = a.per_act * 3 if a.pool_per_act < 0 else a.pool_per_act or None
    take: list[tuple] = []
    if a.ru:
        for x in sorted(x for x, m in acts.items() if m.lang == "ru" and x not in used):
            for n, c, codes, cue, _ in act_norms(x, rules):
                take.append((x, n, c, codes, "all_ru"))
    pool = sorted(x for x, m in acts.items() if m.lang == "kk" and x not in used and m.chars < a.max_chars
                  and not m.parallel)
    chosen = rnd.sample(pool, min(a.kk_acts, len(pool)))
    strata: dict[str, list] = {k: [] for k in STRATA}
    hs_on = want_n.get("hs", 0) > 0
    if a.jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(a.jobs) as ex:
            read = dict(ex.map(act_norms_job, chosen, chunksize=4))
    else:
        read = {x: act_norms(x, rules) for x in chosen}
    for x in chosen:
        rows = [r for r in read[x] if fresh(x, r[0])]
        rnd.shuffle(rows)
        for n, c, codes, cue, hs in rows[:pool_n]:
            name = "hs" if hs_on and hs else "flag" if codes else "cue" if cue else "random"
            strata[name].append((x, n, c, codes))
    # the random stratum is drawn from all norms of the chosen acts, flagged or not
    every = [z for k in STRATA for z in strata[k]]
    picked: set[tuple] = set()
    per_act: dict[str, int] = {}
    for name in STRATA:
        src = every if name == "random" else strata[name]
        src = src[:]
        rnd.shuffle(src)
        want = want_n.get(name, 0)
        got = 0
        for x, n, c, codes in src:
            key = (x, n.start, n.end)
            if got >= want or key in picked or per_act.get(x, 0) >= a.per_act:
                continue
            picked.add(key)
            per_act[x] = per_act.get(x, 0) + 1
            take.append((x, n, c, codes, name))
            got += 1
    take.sort(key=lambda z: (z[0], z[1].start))
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "items.jsonl", "w", encoding="utf-8") as fi, \
            open(CORPUS / f"sample_r{a.round}.jsonl", "w", encoding="utf-8") as fs:
        for i, (x, n, c, codes, stratum) in enumerate(take):
            uid = f"{x}:{n.start}-{n.end}"
            fs.write(json.dumps({"uid": uid, "act": x, "span": [n.start, n.end], "sha": realacts.span_hash(n.text),
                                 "kind": n.kind, "lang": acts[x].lang, "stratum": stratum, "model": codes,
                                 "round": a.round}, ensure_ascii=False) + "\n")
            fi.write(json.dumps({"i": i, "uid": uid, "act_title": (acts[x].title or "")[:200], "act_kind": acts[x].kind,
                                 "lang": acts[x].lang, "locator": n.locator, "lead_in": (n.context or "")[:400],
                                 "prev": (c.get("prev") or "")[:300], "text": n.text,
                                 "next": (c.get("next") or "")[:300]}, ensure_ascii=False) + "\n")
    from collections import Counter
    print(len(take), Counter((z[4], acts[z[0]].lang) for z in take))


if __name__ == "__main__":
    main()
