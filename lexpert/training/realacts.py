"""The real published acts lexpert is measured and trained on, read at run time.

The acts are not part of the project: they live in a folder of their own (in a checkout,
``../shared/realacts``; anywhere else, ``LEXPERT_REALACTS=/path/to/realacts``) with a
``manifest.jsonl`` of one line per act (``id``, ``file``, ``lang``, ``split`` …). lexpert
refers to them by act id and character span only; their text is never copied into the
project. Acts whose ``split`` is ``heldout`` are refused here: they measure the product from
outside and nothing in lexpert reads them.

Spans of stand-off annotations index :func:`act_text`: the act's text after lexpert's
ingest and normalization (what ``analyze`` and every locator refer to).

Attribution: the Kazakh acts under ``kk/`` come from "Textual Foundations of Justice:
Kazakhstani Laws and Jurisprudence Dataset" (Akhmetov et al., 2024, Mendeley Data,
doi:10.17632/jdpc5658nh.3), CC BY 4.0; the ``law/`` acts are official texts
(adilet.zan.kz / zan.gov.kz) in the markdown of the public ``kazakhstan-law`` collection.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import InputError
from ..settings import CHECKOUT, get_settings

ATTRIBUTION = ("Kazakh acts: Akhmetov et al. (2024), Textual Foundations of Justice: Kazakhstani Laws and "
               "Jurisprudence Dataset, Mendeley Data, doi:10.17632/jdpc5658nh.3, CC BY 4.0 (texts from "
               "adilet.zan.kz); Russian/Kazakh parallel acts: official texts (adilet.zan.kz / zan.gov.kz) "
               "from the public kazakhstan-law collection.")


class RealActsUnavailable(InputError):
    """The folder of real acts is not where lexpert looks for it."""


@dataclass(frozen=True)
class RealAct:
    id: str
    file: str
    lang: str
    title: str
    kind: str
    chars: int
    parallel: str | None
    topics: tuple[str, ...]

    @property
    def path(self) -> Path:
        return root() / self.file


def root() -> Path:
    """The folder of real acts: ``LEXPERT_REALACTS``, else ``../shared/realacts`` beside the checkout."""
    env = get_settings().realacts
    if env:
        return env
    here = CHECKOUT
    for cand in (here.parent / "shared" / "realacts", Path.cwd().parent / "shared" / "realacts",
                 Path.cwd() / "shared" / "realacts"):
        if (cand / "manifest.jsonl").is_file():
            return cand
    return here.parent / "shared" / "realacts"


def available() -> bool:
    return (root() / "manifest.jsonl").is_file()


@lru_cache(maxsize=4)
def _manifest(path: str) -> dict[str, RealAct]:
    out: dict[str, RealAct] = {}
    with open(Path(path) / "manifest.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            m = json.loads(line)
            if m.get("split") != "open" or str(m.get("file", "")).startswith("heldout"):
                continue                      # held-out acts are never read, not even listed
            out[m["id"]] = RealAct(
                id=m["id"], file=m["file"], lang=m.get("lang", ""), title=m.get("title") or "",
                kind=m.get("kind") or m.get("kind_guess") or "", chars=int(m.get("chars") or 0),
                parallel=m.get("parallel"), topics=tuple(m.get("topics") or ()))
    return out


def acts() -> dict[str, RealAct]:
    """The open acts by id (held-out ones are left out)."""
    if not available():
        raise RealActsUnavailable(
            f"no real acts at {root()} (set LEXPERT_REALACTS to the folder that holds manifest.jsonl)")
    return _manifest(str(root()))


def get(act_id: str) -> RealAct:
    a = acts().get(act_id)
    if a is None:
        raise RealActsUnavailable(f"{act_id}: not an open real act (held-out acts are never read)")
    return a


@lru_cache(maxsize=64)
def act_text(act_id: str) -> str:
    """The act's normalized text: what spans of lexpert's stand-off annotations index."""
    from ..ingest import read_path
    from ..nlp.normalize import normalize

    return normalize(read_path(get(act_id).path).text)


def span_hash(text: str) -> str:
    """A short hash of an annotated span's text: a stand-off label checks it still points at the same words."""
    import hashlib

    return hashlib.blake2b(" ".join(text.split()).encode("utf-8"), digest_size=6).hexdigest()
