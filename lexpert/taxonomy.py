"""The factor taxonomy (factors.md), loaded from ``lexpert/data/taxonomy.yaml``."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from .errors import TaxonomyError

LANGS = ("ru", "kk", "en")


@dataclass(frozen=True)
class Factor:
    code: str
    family: str
    names: dict[str, str]
    rec_kind: str
    rec_templates: dict[str, str]

    def name(self, lang: str | None) -> str:
        return self.names.get(lang or "ru") or self.names["ru"]

    def recommendation(self, lang: str | None, evidence: str = "") -> str:
        """The suggested fix in ``lang`` (ru for anything but kk), with the evidence quoted."""
        tpl = self.rec_templates.get("kk" if lang == "kk" else "ru")
        ev = " ".join(evidence.split())
        if len(ev) > 80:
            ev = ev[:77] + "…"
        return tpl.replace("{evidence}", ev or "…")


@dataclass(frozen=True)
class Taxonomy:
    version: int
    factors: tuple[Factor, ...]
    families: dict[str, dict[str, str]]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.factors)

    def __getitem__(self, code: str) -> Factor:
        for f in self.factors:
            if f.code == code:
                return f
        raise TaxonomyError(f"unknown factor code {code!r}; valid codes: {', '.join(self.codes)}")

    def __contains__(self, code: object) -> bool:
        return any(f.code == code for f in self.factors)

    def family_of(self, code: str) -> str:
        return self[code].family

    def family_name(self, family: str, lang: str | None) -> str:
        names = self.families[family]
        return names.get(lang or "ru") or names["ru"]

    def validate(self, codes) -> list[str]:
        """Return ``codes`` as a list, raising :class:`TaxonomyError` on any unknown code."""
        out = list(codes)
        for c in out:
            self[c]
        return out


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    raw = yaml.safe_load(resources.files("lexpert.data").joinpath("taxonomy.yaml").read_text("utf-8"))
    try:
        factors = tuple(
            Factor(
                code=f["code"],
                family=f["family"],
                names={k: f[k] for k in LANGS},
                rec_kind=f["recommendation"]["kind"],
                rec_templates={k: f["recommendation"][k] for k in ("ru", "kk")},
            )
            for f in raw["factors"]
        )
    except (KeyError, TypeError) as exc:
        raise TaxonomyError(f"taxonomy.yaml is malformed: {exc}") from exc
    fams = raw["families"]
    for f in factors:
        if f.family not in fams:
            raise TaxonomyError(f"factor {f.code} has unknown family {f.family}")
    return Taxonomy(version=raw["version"], factors=factors, families=fams)


FAMILIES = ("discretion", "vague", "burden", "hidden_service", "gap")


@lru_cache(maxsize=1)
def _spheres() -> dict[str, dict[str, str]]:
    return yaml.safe_load(resources.files("lexpert.data").joinpath("spheres.yaml").read_text("utf-8")) or {}


def sphere_name(sphere: str, lang: str = "ru") -> str:
    """The name of a sphere code (``land`` -> «Земельные отношения» / «Жер қатынастары»);
    a sphere given as free text is returned as it is."""
    names = _spheres().get(sphere)
    return names.get(lang, names.get("ru", sphere)) if names else sphere
