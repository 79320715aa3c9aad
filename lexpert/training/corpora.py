"""The annotated corpora: documents with provenance, annotated norms, splits, version pairs.

Layout of ``corpora/`` (see corpora/README.md, the dataset card):

    documents/<doc_id>.txt|.json        whole acts and their metadata (kind, agency, sphere, lang, provenance)
    annotations/primary/<doc_id>.jsonl  annotator A: one record per norm sentence (doc line + exact text)
    annotations/second/labels_*.jsonl   annotator B: independent labels of a sample, for agreement
    annotations/adjudicated.jsonl       the resolved labels where A and B disagreed
    splits.json                         document -> train | dev | test (never a document in two splits)
    norms/{train,dev,test}.jsonl        the built dataset (``lexpert corpus build``), loadable with `datasets`
    versions/<pair_id>/                 draft.txt, adopted.txt, truth.json for adoption tracking

``build()`` is deterministic: same inputs, same bytes out.
"""
from __future__ import annotations

import hashlib
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..errors import LexpertError
from ..settings import CHECKOUT, get_settings
from ..nlp.normalize import normalize
from ..structure import norms as extract_norms
from ..structure import parse
from ..taxonomy import FAMILIES, load_taxonomy

SPLITS = ("train", "dev", "test")
SPLIT_SEED = 20261121


def corpora_root(root: str | Path | None = None) -> Path:
    """The corpora folder: ``root``, else ``LEXPERT_CORPORA``, else the repository's ``corpora/``."""
    if root is not None:
        return Path(root)
    env = get_settings().corpora
    if env:
        return env
    return CHECKOUT / "corpora"


class CorpusError(LexpertError):
    code = "corpus"


@dataclass(frozen=True)
class Document:
    id: str
    meta: dict[str, Any]
    path: Path

    @property
    def lang(self) -> str:
        return self.meta["lang"]

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def documents(root: str | Path | None = None) -> list[Document]:
    r = corpora_root(root) / "documents"
    out = []
    for meta_p in sorted(r.glob("*.json")):
        meta = json.loads(meta_p.read_text(encoding="utf-8"))
        out.append(Document(meta["id"], meta, meta_p.with_suffix(".txt")))
    return out


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def assign_splits(docs: list[Document]) -> dict[str, str]:
    """Split by document: within each author's set (a language and a group of spheres),
    a seeded shuffle gives 60% train, 20% dev, 20% test. Real seed acts go to test."""
    groups: dict[str, list[str]] = defaultdict(list)
    out: dict[str, str] = {}
    for d in docs:
        if d.meta.get("provenance", "").startswith("seed"):
            out[d.id] = "test"
            continue
        groups[str(d.meta.get("author", d.lang))].append(d.id)
    for g in sorted(groups):
        ids = sorted(groups[g])
        # one generator per author group: adding a group never moves another group's documents
        random.Random(f"{SPLIT_SEED}:{g}").shuffle(ids)
        n = len(ids)
        n_test = max(1, round(n * 0.2))
        n_dev = max(1, round(n * 0.2))
        for i, doc_id in enumerate(ids):
            out[doc_id] = "test" if i < n_test else "dev" if i < n_test + n_dev else "train"
    return dict(sorted(out.items()))


def _locate(doc: Document, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attach to each annotated sentence the locator the structure parser gives its norm."""
    raw = doc.text()
    text = normalize(raw)
    ns = extract_norms(parse(text), text)
    raw_lines = raw.split("\n")
    # the normalized position of each raw line, found in order
    cursor = 0
    line_pos: dict[int, int] = {}
    for i, ln in enumerate(raw_lines, 1):
        key = normalize(ln).strip()
        if not key:
            continue
        j = text.find(key[:60], cursor)
        if j >= 0:
            line_pos[i] = j
            cursor = j
    out = []
    for r in records:
        sent = normalize(r["text"]).strip()
        start_at = line_pos.get(r["line"], 0)
        k = text.find(sent, start_at)
        if k < 0:
            k = text.find(sent)
        if k < 0:
            raise CorpusError(f"{doc.id}:{r['line']}: annotated text not found in the normalized document")
        norm = next((n for n in ns if n.start <= k < n.end), None)
        if norm is None:
            raise CorpusError(f"{doc.id}:{r['line']}: annotated text is not inside a norm the parser found: {sent[:60]!r}")
        out.append({**r, "locator": norm.locator, "norm_kind": norm.kind, "context": norm.context,
                    "char_start": k, "char_end": k + len(sent)})
    return out


def _adjudicated(root: Path) -> dict[str, dict[str, Any]]:
    p = root / "annotations" / "adjudicated.jsonl"
    return {r["key"]: r for r in _read_jsonl(p)} if p.exists() else {}


def build(root: str | Path | None = None, write: bool = True) -> dict[str, list[dict[str, Any]]]:
    """Build ``norms/{train,dev,test}.jsonl`` from documents, annotations, adjudication and splits."""
    root = corpora_root(root)
    tax = load_taxonomy()
    docs = documents(root)
    split_path = root / "splits.json"
    splits = json.loads(split_path.read_text(encoding="utf-8")) if split_path.exists() else {}
    missing = [d.id for d in docs if d.id not in splits]
    if missing:
        # new documents get the split the seeded rule gives them; existing ones never move
        fresh = assign_splits(docs)
        splits = dict(sorted({**{d: fresh[d] for d in missing}, **splits}.items()))
        if write:
            split_path.write_text(json.dumps(splits, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    adjud = _adjudicated(root)
    rows: dict[str, list[dict[str, Any]]] = {s: [] for s in SPLITS}
    for d in docs:
        ann = root / "annotations" / "primary" / f"{d.id}.jsonl"
        if not ann.exists():
            continue
        records = list(_read_jsonl(ann))
        for i, r in enumerate(records):
            r["key"] = f"{d.id}:{r['line']}:{i}"
        for r in _locate(d, records):
            factors = list(r["factors"])
            annot = "A"
            if r["key"] in adjud:
                factors = list(adjud[r["key"]]["factors"])
                annot = "A+B adjudicated"
            tax.validate(factors)
            factors = [c for c in tax.codes if c in set(factors)]
            prov = d.meta.get("provenance", "authored")
            rows[splits[d.id]].append({
                "id": hashlib.sha1(r["key"].encode()).hexdigest()[:12],
                "key": r["key"],
                "doc_id": d.id,
                "split": splits[d.id],
                "lang": d.lang,
                "text": normalize(r["text"]).strip(),
                "factors": factors,
                "families": sorted({tax.family_of(c) for c in factors}),
                "hard_negative": bool(r.get("hard_negative")) and not factors,
                "locator": r["locator"],
                "norm_kind": r["norm_kind"],
                "context": r["context"],
                "line": r["line"],
                "provenance": {"doc": d.id, "source": prov, "line": r["line"],
                               "seed_file": prov.split(":", 1)[1] if prov.startswith("seed:") else None},
                "authored": not prov.startswith("seed"),
                "annotation": annot,
                "kind": d.meta.get("kind"),
                "sphere": d.meta.get("sphere"),
                "agency": d.meta.get("agency"),
            })
    if write:
        out_dir = root / "norms"
        out_dir.mkdir(exist_ok=True)
        for s, rs in rows.items():
            with (out_dir / f"{s}.jsonl").open("w", encoding="utf-8") as fh:
                for r in rs:
                    fh.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
    return rows


def load_norms(split: str | None = None, root: str | Path | None = None) -> list[dict[str, Any]]:
    """The built norms of one split (or all), as dicts."""
    root = corpora_root(root)
    names = [split] if split else list(SPLITS)
    out = []
    for s in names:
        p = root / "norms" / f"{s}.jsonl"
        if not p.exists():
            raise CorpusError(f"{p} does not exist; run `lexpert corpus build`")
        out.extend(_read_jsonl(p))
    return out


def load_dataset(root: str | Path | None = None):
    """The norms as a Hugging Face ``DatasetDict`` (train/dev/test), read locally, no network."""
    import datasets

    root = corpora_root(root)
    files = {s: str(root / "norms" / f"{s}.jsonl") for s in SPLITS}
    return datasets.load_dataset("json", data_files=files, features=dataset_features())


def dataset_features():
    """The explicit schema of a norm row (so splits with all-null columns load alike)."""
    import datasets

    v = datasets.Value
    return datasets.Features({
        "id": v("string"), "key": v("string"), "doc_id": v("string"), "split": v("string"), "lang": v("string"),
        "text": v("string"), "factors": datasets.Sequence(v("string")), "families": datasets.Sequence(v("string")),
        "hard_negative": v("bool"), "locator": v("string"), "norm_kind": v("string"), "context": v("string"),
        "line": v("int64"),
        "provenance": {"doc": v("string"), "source": v("string"), "line": v("int64"), "seed_file": v("string")},
        "authored": v("bool"), "annotation": v("string"), "kind": v("string"), "sphere": v("string"),
        "agency": v("string"),
    })


def version_pairs(root: str | Path | None = None) -> list[dict[str, Any]]:
    """Draft/adopted pairs with the truth of which findings were taken in."""
    root = corpora_root(root)
    out = []
    for d in sorted((root / "versions").iterdir()):
        if (d / "truth.json").exists():
            truth = json.loads((d / "truth.json").read_text(encoding="utf-8"))
            out.append({"id": d.name, "dir": d, "draft": d / "draft.txt", "adopted": d / "adopted.txt", "truth": truth})
    return out


def cohen_kappa(a: list[bool], b: list[bool]) -> float:
    n = len(a)
    if n == 0:
        return float("nan")
    po = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if pe == 1 else (po - pe) / (1 - pe)


def agreement(root: str | Path | None = None) -> dict[str, Any]:
    """Cohen's kappa per family (presence of the family in a norm) between annotators A and B."""
    root = corpora_root(root)
    second = root / "annotations" / "second"
    b_labels: dict[str, list[str]] = {}
    for p in sorted(second.glob("labels_*.jsonl")):
        for r in _read_jsonl(p):
            b_labels[r["key"]] = r["factors"]
    a_labels: dict[str, list[str]] = {}
    langs: dict[str, str] = {}
    for p in sorted((root / "annotations" / "primary").glob("*.jsonl")):
        doc = p.stem
        for i, r in enumerate(_read_jsonl(p)):
            key = f"{doc}:{r['line']}:{i}"
            if key in b_labels:
                a_labels[key] = r["factors"]
    for p in sorted(second.glob("task_*.jsonl")):
        for r in _read_jsonl(p):
            langs[r["key"]] = r["lang"]
    keys = sorted(k for k in b_labels if k in a_labels)
    tax = load_taxonomy()
    res: dict[str, Any] = {"norms": len(keys), "by_lang": dict(Counter(langs.get(k) for k in keys)), "kappa": {}}
    for lang in (None, "ru", "kk"):
        ks = [k for k in keys if lang is None or langs.get(k) == lang]
        fam_k = {}
        for fam in FAMILIES:
            a = [any(tax.family_of(c) == fam for c in a_labels[k]) for k in ks]
            b = [any(tax.family_of(c) == fam for c in b_labels[k]) for k in ks]
            fam_k[fam] = round(cohen_kappa(a, b), 3)
        a_any = [bool(a_labels[k]) for k in ks]
        b_any = [bool(b_labels[k]) for k in ks]
        fam_k["any_factor"] = round(cohen_kappa(a_any, b_any), 3)
        fam_k["exact_code_set_agreement"] = round(sum(set(a_labels[k]) == set(b_labels[k]) for k in ks) / max(1, len(ks)), 3)
        res["kappa"][lang or "all"] = fam_k
    res["disagreements"] = [
        {"key": k, "lang": langs.get(k), "A": a_labels[k], "B": b_labels[k]}
        for k in keys if {tax.family_of(c) for c in a_labels[k]} != {tax.family_of(c) for c in b_labels[k]}
    ]
    return res


def stats(root: str | Path | None = None) -> dict[str, Any]:
    """Counts per code, family, language and split; documents by kind and sphere; agreement."""
    root = corpora_root(root)
    tax = load_taxonomy()
    rows = load_norms(root=root)
    docs = documents(root)
    out: dict[str, Any] = {"norms": len(rows), "documents": len(docs)}
    out["by_lang"] = dict(sorted(Counter(r["lang"] for r in rows).items()))
    out["by_split"] = {s: {"norms": sum(r["split"] == s for r in rows),
                           "documents": len({r["doc_id"] for r in rows if r["split"] == s}),
                           **{lang: sum(r["split"] == s and r["lang"] == lang for r in rows) for lang in ("ru", "kk")}}
                       for s in SPLITS}
    out["by_code"] = {c: sum(c in r["factors"] for r in rows) for c in tax.codes}
    out["by_code_lang"] = {c: {lang: sum(c in r["factors"] and r["lang"] == lang for r in rows) for lang in ("ru", "kk")}
                           for c in tax.codes}
    out["by_code_split"] = {c: {s: sum(c in r["factors"] and r["split"] == s for r in rows) for s in SPLITS}
                            for c in tax.codes}
    out["by_family"] = {f: sum(f in r["families"] for r in rows) for f in FAMILIES}
    neg = [r for r in rows if not r["factors"]]
    out["no_factor"] = len(neg)
    out["hard_negatives"] = sum(r["hard_negative"] for r in neg)
    out["hard_negative_share_of_no_factor"] = round(out["hard_negatives"] / max(1, len(neg)), 3)
    out["documents_by_kind"] = dict(sorted(Counter(d.meta["kind"] for d in docs).items()))
    out["documents_by_sphere"] = dict(sorted(Counter(d.meta["sphere"] for d in docs).items()))
    out["documents_by_lang"] = dict(sorted(Counter(d.lang for d in docs).items()))
    out["authored_documents"] = sum(not d.meta.get("provenance", "").startswith("seed") for d in docs)
    out["version_pairs"] = len(version_pairs(root))
    agr = root / "annotations" / "agreement.json"
    if agr.exists():
        a = json.loads(agr.read_text(encoding="utf-8"))
        out["agreement"] = {"norms": a["norms"], "kappa": a["kappa"]}
    return out


CARD_BEGIN = "<!-- stats:begin (generated by `lexpert corpus build`; do not edit by hand) -->"
CARD_END = "<!-- stats:end -->"


def card_stats_markdown(root: str | Path | None = None) -> str:
    """The statistics block of the dataset card, generated from the built files."""
    s = stats(root)
    out = [CARD_BEGIN, "",
           f"- **{s['norms']} annotated norms** in **{s['documents']} documents** "
           f"({s['authored_documents']} authored, {s['documents'] - s['authored_documents']} real seed act); "
           f"by language: " + ", ".join(f"{k} {v}" for k, v in s["by_lang"].items()) + ".",
           f"- No-factor norms: {s['no_factor']} ({s['no_factor'] / max(1, s['norms']):.0%}); of them hard negatives: "
           f"{s['hard_negatives']} ({s['hard_negative_share_of_no_factor']:.0%}).",
           f"- Version pairs (draft, adopted, truth): {s['version_pairs']}.", "",
           "| split | documents | norms | ru | kk |", "|---|---|---|---|---|"]
    for sp, v in s["by_split"].items():
        out.append(f"| {sp} | {v['documents']} | {v['norms']} | {v['ru']} | {v['kk']} |")
    out += ["", "| code | all | ru | kk | train | dev | test |", "|---|---|---|---|---|---|---|"]
    for c, n in s["by_code"].items():
        bl, bs = s["by_code_lang"][c], s["by_code_split"][c]
        out.append(f"| `{c}` | {n} | {bl['ru']} | {bl['kk']} | {bs['train']} | {bs['dev']} | {bs['test']} |")
    out += ["", "| family | norms |", "|---|---|"] + [f"| {k} | {v} |" for k, v in s["by_family"].items()]
    out += ["", "Documents by kind of act: " + ", ".join(f"{k} {v}" for k, v in s["documents_by_kind"].items()) + ".",
            "", "Documents by sphere: " + ", ".join(f"{k} {v}" for k, v in s["documents_by_sphere"].items()) + "."]
    if "agreement" in s:
        a = s["agreement"]
        out += ["", f"Inter-annotator agreement, Cohen's kappa per family on {a['norms']} norms annotated twice "
                    "(A = primary, B = independent second annotator):", "",
                "| scope | " + " | ".join(a["kappa"]["all"]) + " |", "|---|" + "---|" * len(a["kappa"]["all"])]
        for scope, ks in a["kappa"].items():
            out.append(f"| {scope} | " + " | ".join(str(v) for v in ks.values()) + " |")
    out += ["", CARD_END]
    return "\n".join(out)


def refresh_card(root: str | Path | None = None) -> bool:
    """Rewrite the statistics block of corpora/README.md; returns whether it changed."""
    card = corpora_root(root) / "README.md"
    text = card.read_text(encoding="utf-8")
    a, z = text.index(CARD_BEGIN), text.index(CARD_END) + len(CARD_END)
    new = text[:a] + card_stats_markdown(root) + text[z:]
    if new != text:
        card.write_text(new, encoding="utf-8")
    return new != text


def bare(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows as ``classify`` sees them: the sentence alone."""
    return [{**r, "context": None} for r in rows]
