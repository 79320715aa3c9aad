"""Package data: taxonomy, lexicons, ru/kk strings, samples, the register sample and the shipped models."""
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def strings(name: str) -> dict:
    """A table of ru/kk strings (``data/strings/NAME.yaml``): the words of the UI and the reports."""
    import yaml

    return yaml.safe_load((DATA / "strings" / f"{name}.yaml").read_text(encoding="utf-8"))
