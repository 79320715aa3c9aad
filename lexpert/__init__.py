"""lexpert: anti-corruption expertise of draft normative legal acts of Kazakhstan (ru, kk).

    from lexpert import analyze
    report = analyze("draft.docx")
    for f in report.findings:
        print(f.locator, f.code, f.evidence)
"""
__version__ = "0.1.0"

from .analysis import ActReport, analyze, analyze_text  # noqa: E402
from .errors import LexpertError  # noqa: E402

__all__ = ["analyze", "analyze_text", "ActReport", "LexpertError", "__version__"]
