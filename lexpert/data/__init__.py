"""Package data: taxonomy, lexicons, samples, the register sample and the shipped models."""
from pathlib import Path

DATA = Path(__file__).resolve().parent
