from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "corpora" / "seeds"
DOCS = ROOT / "corpora" / "documents"
SAMPLE_RU = ROOT / "lexpert" / "data" / "samples" / "sample_ru.txt"
SAMPLE_KK = ROOT / "lexpert" / "data" / "samples" / "sample_kk.txt"


@pytest.fixture(scope="session")
def seed_text():
    from lexpert.nlp.normalize import normalize

    cache = {}

    def get(prefix: str) -> str:
        if prefix not in cache:
            path = next(SEEDS.glob(f"{prefix}_*.txt"))
            cache[prefix] = normalize(path.read_text(encoding="utf-8"))
        return cache[prefix]

    return get
