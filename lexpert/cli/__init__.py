"""The command line: ``lexpert`` and its command groups."""
from .main import main

__all__ = ["main"]
