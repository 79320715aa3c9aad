"""The act as a tree: parser, norms and locators."""
from .parser import amendment_target, norms, own_text_spans, parse, parse_act, render_locator

__all__ = ["parse", "parse_act", "norms", "own_text_spans", "amendment_target", "render_locator"]
