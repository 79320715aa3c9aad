"""The learned part of the normative-unit decision (see :mod:`lexpert.structure.units`)."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

MODEL_FILE = "unit_model.skops"


@lru_cache(maxsize=1)
def default_unit_model():
    """The shipped unit classifier (package data), or None when none is shipped."""
    ref = resources.files("lexpert.data").joinpath("units", MODEL_FILE)
    if not ref.is_file():
        return None
    from ..training.units import UnitClassifier

    return UnitClassifier.load(ref)
