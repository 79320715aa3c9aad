"""The record of one service-like obligation (:func:`lexpert.detect.services.extract`)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ServiceObligation:
    """One service-like obligation: who must obtain what from whom, and on what terms."""

    norm_id: str
    locator: str
    lang: str
    kind: str                       # approval | permit | conclusion | certificate | confirmation | registration | accreditation
    object: str                     # what must be obtained, as the draft writes it
    provider: str | None            # from whom (the state body)
    obligor: str | None             # who must obtain it
    purpose: str | None = None      # for what («для участия в конкурсе»)
    documents: list[str] = field(default_factory=list)
    term: str | None = None         # «в течение десяти рабочих дней»; None: no term in the draft
    fee: str | None = None          # free | paid | None (the draft says nothing)
    result: str | None = None       # the result and its form («выдает согласование либо мотивированный отказ»)
    refusal: str = "none"           # closed | open | none: grounds for refusal in the draft
    refusal_grounds: list[str] = field(default_factory=list)
    named_service: bool = False     # the draft names it as a state service
    standard: bool = False          # a service standard / rules of rendering are referred to
    start: int = 0                  # evidence span in the normalized text
    end: int = 0
    evidence: str = ""
    text: str = ""                  # the norm's text
    sources: dict[str, str] = field(default_factory=dict)   # field -> locator it was read from
    mentions: list[str] = field(default_factory=list)        # other norms that speak of the same thing

    def missing(self) -> list[str]:
        """The elements of a state service the draft does not give: standard, term, fee,
        closed grounds for refusal."""
        out = []
        if not (self.named_service or self.standard):
            out.append("standard")
        if not self.term:
            out.append("term")
        if self.refusal != "closed":
            out.append("refusal_grounds")
        if not self.fee:
            out.append("fee")
        return out

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("text", None)
        d["missing"] = self.missing()
        return d
