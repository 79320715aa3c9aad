"""Check the raw corpus files that annotators write (documents + annotation JSONL).

Usage: python corpora/tools/check_raw.py [--dir primary|second] [DOC_ID_PREFIX ...]

For every corpora/annotations/<dir>/<doc_id>.jsonl it checks: the document and its
metadata exist, every line is valid JSON with the required keys, the line number is
inside the document, the quoted text is an exact substring of that line, and the
codes are from the taxonomy. Prints per-code counts; exits 1 on any error.
"""
import json
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CODES = {f["code"] for f in yaml.safe_load((ROOT.parent / "lexpert/data/taxonomy.yaml").read_text())["factors"]}
KINDS = {"order", "joint_order", "government_decree", "akimat_resolution", "maslikhat_decision",
         "law", "amendment_order", "amendment_decree", "amendment_law", "presidential_decree"}
META_KEYS = {"id", "title", "kind", "agency", "sphere", "lang", "date", "provenance"}


def main(argv):
    sub = "primary"
    if argv[:1] == ["--dir"]:
        sub, argv = argv[1], argv[2:]
    prefixes = argv
    errors, counts, langs, n, neg, hard = [], Counter(), Counter(), 0, 0, 0
    for ann in sorted((ROOT / "annotations" / sub).glob("*.jsonl")):
        doc_id = ann.stem
        if prefixes and not any(doc_id.startswith(p) for p in prefixes):
            continue
        txt = ROOT / "documents" / f"{doc_id}.txt"
        meta_p = ROOT / "documents" / f"{doc_id}.json"
        if not txt.exists() or not meta_p.exists():
            errors.append(f"{doc_id}: missing documents/{doc_id}.txt or .json")
            continue
        lines = txt.read_text(encoding="utf-8").split("\n")
        try:
            meta = json.loads(meta_p.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            errors.append(f"{doc_id}.json: {e}")
            continue
        missing = META_KEYS - set(meta)
        if missing:
            errors.append(f"{doc_id}.json: missing keys {sorted(missing)}")
        if meta.get("kind") not in KINDS:
            errors.append(f"{doc_id}.json: kind {meta.get('kind')!r} not in {sorted(KINDS)}")
        if meta.get("id") != doc_id:
            errors.append(f"{doc_id}.json: id {meta.get('id')!r} != file name")
        for i, raw in enumerate(ann.read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip():
                continue
            try:
                r = json.loads(raw)
            except json.JSONDecodeError as e:
                errors.append(f"{ann.name}:{i}: bad JSON: {e}")
                continue
            for k in ("doc_id", "line", "text", "factors"):
                if k not in r:
                    errors.append(f"{ann.name}:{i}: missing {k}")
            if r.get("doc_id") != doc_id:
                errors.append(f"{ann.name}:{i}: doc_id mismatch")
            ln = r.get("line")
            if not isinstance(ln, int) or not (1 <= ln <= len(lines)):
                errors.append(f"{ann.name}:{i}: line {ln} outside document")
            elif r.get("text", "") not in lines[ln - 1] or not r.get("text", "").strip():
                errors.append(f"{ann.name}:{i}: text not found in line {ln}: {r.get('text', '')[:60]!r}")
            bad = [c for c in r.get("factors", []) if c not in CODES]
            if bad:
                errors.append(f"{ann.name}:{i}: unknown codes {bad}")
            n += 1
            langs[meta.get("lang")] += 1
            counts.update(set(r.get("factors", [])))
            if not r.get("factors"):
                neg += 1
                hard += bool(r.get("hard_negative"))
    for e in errors[:200]:
        print("ERROR", e)
    print(f"norms={n} langs={dict(langs)} no_factor={neg} hard_negatives={hard} "
          f"({(hard / neg * 100 if neg else 0):.0f}% of no-factor)")
    for c in sorted(CODES):
        print(f"  {c:22s} {counts[c]}")
    print("errors:", len(errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
