"""The command line: ``lexpert`` and its command groups."""
from .commands import main

__all__ = ["main"]
