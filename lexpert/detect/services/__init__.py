"""Hidden state services (issue 8): service-like obligations of a draft, the Register of
state services, and the ``hidden_service`` layer on top of the detectors.

    from lexpert import services
    recs = services.extract(units, text)              # ServiceObligation records, ru and kk
    reg = services.load_register("register.xlsx")     # the Register (CSV/XLSX), or the env LEXPERT_REGISTER
    reg.match(recs[0])                                # best register entry and its score
    findings = services.apply(units, findings, text, reg)   # the hook analyze() calls

The records are plain dataclasses tied to the norm's locator; ``report`` renders them as
the table an analyst sends to the ministry that keeps the register (``lexpert services``).
"""
from __future__ import annotations

from .extract import ServiceObligation, extract
from .layer import apply, hidden_service_finding
from .register import Match, Register, RegisterEntry, load_register, resolve_register

__all__ = ["ServiceObligation", "extract", "apply", "hidden_service_finding", "Register", "RegisterEntry",
           "Match", "load_register", "resolve_register"]
