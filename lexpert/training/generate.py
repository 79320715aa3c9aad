"""Generated corpora of drafts, for the batch benchmark and the tests.

Each draft is a well-formed order (ru or kk): heading, preamble, operative part, and an
annex of rules in chapters whose points are norms drawn (seeded) from the annotated corpus
(``corpora/norms``), so the detectors see the kind of text they were built for. Agency,
sphere and kind come from the metadata of the corpus's documents.

Planted families (for ``lexpert similar``): a family is one template draft and variants of
it — the agency and numbers changed, a share of the norms replaced, a few deleted or
inserted — so membership is known and precision/recall can be measured.
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from . import corpora

_NUM = re.compile(r"^\s*(?:\d+(?:-\d+)*(?:\.\d+)*[.)]|[а-яa-z]\))\s*")

CHAPTERS = {
    "ru": ["Общие положения", "Порядок подачи заявления", "Порядок рассмотрения", "Порядок принятия решения",
           "Требования к получателям", "Порядок выплаты", "Контроль и отчетность", "Порядок обжалования",
           "Заключительные положения", "Переходные положения"],
    "kk": ["Жалпы ережелер", "Өтінішті беру тәртібі", "Қарау тәртібі", "Шешім қабылдау тәртібі",
           "Алушыларға қойылатын талаптар", "Төлеу тәртібі", "Бақылау және есептілік", "Шағымдану тәртібі",
           "Қорытынды ережелер", "Өтпелі ережелер"],
}


@dataclass
class GeneratedDraft:
    """One generated draft: its manifest row, plus the planted family (None = a singleton)."""

    id: str
    path: str
    title: str
    agency: str
    sphere: str
    kind: str
    date: str
    lang: str
    family: str | None = None
    norms: int = 0


@lru_cache(maxsize=1)
def _pool() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"ru": [], "kk": []}
    seen = set()
    for r in corpora.load_norms():
        if r["norm_kind"] not in ("point", "part", "subpoint") or r["lang"] not in out:
            continue
        t = _NUM.sub("", r["text"]).strip()
        if len(t) < 25 or t in seen or t.endswith(":"):
            continue
        seen.add(t)
        out[r["lang"]].append(t)
    return out


@lru_cache(maxsize=1)
def _meta() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"ru": [], "kk": []}
    for d in corpora.documents():
        if d.lang in out and d.meta.get("agency"):
            out[d.lang].append({k: d.meta.get(k) for k in ("agency", "sphere", "kind")})
    return out


def _render(lang: str, title: str, agency: str, date: str, number: int, norms: list[str]) -> str:
    per = max(1, -(-len(norms) // len(CHAPTERS[lang])))
    body = []
    k = 0
    for c, name in enumerate(CHAPTERS[lang]):
        chunk = norms[c * per:(c + 1) * per]
        if not chunk:
            break
        body.append(f"Глава {c + 1}. {name}" if lang == "ru" else f"{c + 1}-тарау. {name}")
        body.append("")
        for t in chunk:
            k += 1
            body.append(f"      {k}. {t}")
            body.append("")
    if lang == "ru":
        head = [f"Об утверждении Правил {title}", "",
                f"Приказ руководителя ({agency}) от {date} года № {number}.", "",
                "      В соответствии с законодательством Республики Казахстан ПРИКАЗЫВАЮ:", "",
                f"      1. Утвердить прилагаемые Правила {title}.", "",
                "      2. Настоящий приказ вводится в действие по истечении десяти календарных дней после дня "
                "его первого официального опубликования.", "",
                "  Утверждены", f"приказом от {date} года № {number}", "", f"Правила {title}", ""]
    else:
        head = [f"{title} қағидаларын бекіту туралы", "",
                f"{agency} басшысының {date} жылғы № {number} бұйрығы.", "",
                "      Қазақстан Республикасының заңнамасына сәйкес БҰЙЫРАМЫН:", "",
                f"      1. Қоса беріліп отырған {title} қағидалары бекітілсін.", "",
                "      2. Осы бұйрық алғашқы ресми жарияланған күнінен кейін күнтізбелік он күн өткен соң "
                "қолданысқа енгізіледі.", "",
                "  Бекітілген", f"{date} жылғы № {number} бұйрықпен", "", f"{title} қағидалары", ""]
    return "\n".join(head + body) + "\n"


def generate_corpus(out_dir: str | Path, n: int, *, norms_per_draft: int = 300, families: int = 0,
                    family_size: int = 4, seed: int = 0, change: float | tuple[float, float] = 0.15,
                    langs: tuple[str, ...] = ("ru", "kk")) -> list[GeneratedDraft]:
    """Write ``n`` drafts (``.txt``) and ``manifest.jsonl`` into ``out_dir``; return their records.

    ``families`` planted families of ``family_size`` members each (counted in ``n``); a variant
    replaces about ``change`` of the template's norms (a (low, high) pair: drawn per family)
    and edits its numbers and agency.
    """
    rng = random.Random(seed)
    pool, meta = _pool(), _meta()
    out = Path(out_dir)
    (out / "drafts").mkdir(parents=True, exist_ok=True)
    drafts: list[GeneratedDraft] = []

    def emit(lang: str, norms: list[str], m: dict, family: str | None, title: str) -> None:
        i = len(drafts) + 1
        date = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        text = _render(lang, title, m["agency"], date, rng.randint(10, 999), norms)
        rel = f"drafts/d{i:05d}_{lang}.txt"
        (out / rel).write_text(text, encoding="utf-8")
        drafts.append(GeneratedDraft(id=f"d{i:05d}", path=rel, title=title, agency=m["agency"],
                                     sphere=m["sphere"] or "other", kind=m["kind"] or "order", date=date, lang=lang,
                                     family=family, norms=len(norms)))

    def title_for(lang: str) -> str:
        words = rng.sample(pool[lang], 1)[0].split()[:6]
        return " ".join(w.strip(",.;:«»\"") for w in words).lower()

    n_family_drafts = min(n, families * family_size)
    for f in range(families):
        lang = langs[f % len(langs)]
        template = rng.sample(pool[lang], norms_per_draft)
        title = title_for(lang)
        share = change if isinstance(change, (int, float)) else rng.uniform(*change)
        for _ in range(min(family_size, n_family_drafts - f * family_size)):
            norms = list(template)
            for j in range(len(norms)):
                if rng.random() < share:
                    norms[j] = rng.choice(pool[lang])
                else:
                    norms[j] = re.sub(r"\b\d{1,3}\b", lambda m_: str(rng.randint(1, 90)), norms[j])
            for _ in range(max(1, norms_per_draft // 50)):
                if rng.random() < 0.5 and len(norms) > 2:
                    del norms[rng.randrange(len(norms))]
                else:
                    norms.insert(rng.randrange(len(norms) + 1), rng.choice(pool[lang]))
            emit(lang, norms, rng.choice(meta[lang]), f"family-{f + 1}", title)
    while len(drafts) < n:
        lang = langs[len(drafts) % len(langs)]
        emit(lang, rng.sample(pool[lang], norms_per_draft), rng.choice(meta[lang]), None, title_for(lang))
    order = list(range(len(drafts)))
    rng.shuffle(order)             # family members are not adjacent in the manifest
    with (out / "manifest.jsonl").open("w", encoding="utf-8") as fh:
        for k in order:
            d = drafts[k]
            row = {x: y for x, y in asdict(d).items() if x not in ("family", "norms")}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    (out / "families.json").write_text(json.dumps({d.id: d.family for d in drafts}, indent=0), encoding="utf-8")
    return drafts
