"""Language pipelines (spaCy) for Russian and Kazakh."""
from .kazakh import Kazakh, stem
from .pipeline import get_nlp, lemma

__all__ = ["Kazakh", "stem", "get_nlp", "lemma"]
