"""Detectors: the rule layer (and, later, trained models) behind ``analyze()``."""
from .rules import RuleSet, best_hits, ruleset

__all__ = ["RuleSet", "ruleset", "best_hits"]
