"""lexpert: anti-corruption expertise of draft normative legal acts of Kazakhstan (ru, kk).

    from lexpert import analyze
    report = analyze("draft.docx")
    for f in report.findings:
        print(f.locator, f.code, f.evidence)

The names below are imported on first use, so ``lexpert --help`` and the commands that do not
analyse do not load spaCy and the models.
"""
import logging

from . import _torchguard

from .version import __version__
__all__ = ["analyze", "analyze_text", "ActReport", "LexpertError", "__version__"]

_torchguard.install()
logging.getLogger(__name__).addHandler(logging.NullHandler())   # a library: where logs go is the program's choice


def __getattr__(name):
    if name in ("analyze", "analyze_text", "ActReport"):
        from . import pipeline as analysis

        return getattr(analysis, name)
    if name == "LexpertError":
        from .errors import LexpertError

        return LexpertError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
