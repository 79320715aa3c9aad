"""Guards on the model's scores: wording that can never carry a code, whatever its n-grams say.

One guard for now. ``discretion.may`` is an official's power written as a right («вправе»,
«құқылы», «мүмкін»). A person's right to appeal («может быть обжаловано», «шағым берілуі
мүмкін», «шағымдануға құқылы») is written with the same modal words but is no power of the
state; the rule layer already skips it (the ``unless`` of the ``may`` rules), and the model,
reading n-grams, did not always (on realnorms rounds 1-11, train and dev: 16 norms whose only
modal is an appeal, none labelled ``discretion.may``). Where the appeal is the only modal of the
norm, the model's ``discretion.may`` score is set to 0; a norm that also gives an official a
power keeps its score. Going to court is not guarded: a body that «вправе обратиться в суд» to
end a contract uses a power of its own (labelled so in the authored corpus).
"""
from __future__ import annotations

import re

import numpy as np

MAY = "discretion.may"

_APPEAL = re.compile(
    r"шағым\s+(?:жасалуы|берілуі)\s+мүмкін|шағым\s+(?:беруге|жасауға)\s+(?:құқылы|құқығы\s+бар)"
    r"|шағымдан\w*\s+(?:мүмкін|құқылы|құқығы\s+бар)"
    r"|сотқа\s+шағымдануға\s+құқылы"
    r"|(?:может|могут)\s+быть\s+обжалован\w*"
    r"|(?:вправе|может|могут|имеет\s+право|имеют\s+право)\s+обжаловать",
    re.IGNORECASE)
_MODAL = re.compile(
    r"мүмкін|құқылы|құқығы\s+бар|қалауы\s+бойынша"
    r"|вправе|может|могут|имеет\s+право|имеют\s+право|по\s+своему\s+усмотрению|допускается",
    re.IGNORECASE)


def appeal_only(text: str) -> bool:
    """True when every modal word of ``text`` belongs to a person's right to appeal."""
    t = text.replace("ё", "е").replace("Ё", "Е")
    if not _APPEAL.search(t):
        return False
    return not _MODAL.search(_APPEAL.sub(" ", t))


def apply_guards(texts: list[str], codes: list[str], P: np.ndarray) -> np.ndarray:
    """``P`` (rows: ``texts``; columns: ``codes``) with the guarded scores set to 0."""
    if MAY not in codes or not len(P):
        return P
    rows = [i for i, t in enumerate(texts) if appeal_only(t)]
    if not rows:
        return P
    P = P.copy()
    P[rows, codes.index(MAY)] = 0.0
    return P
