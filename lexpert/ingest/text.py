"""Plain text: UTF-8, UTF-16 (with or without BOM) and CP1251 / KOI8-R detected."""
from __future__ import annotations

import re

from ..errors import UnreadableDocument

_CYR = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")


def _cyr_share(text: str) -> float:
    letters = sum(ch.isalpha() for ch in text[:20000]) or 1
    return len(_CYR.findall(text[:20000])) / letters


def decode_text(data: bytes, name: str = "input") -> tuple[str, str]:
    """Decode bytes of a text document; returns (text, encoding)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    sample = data[:4096]
    if sample and b"\x00" in sample:
        odd_nuls = sample[1::2].count(0)
        even_nuls = sample[0::2].count(0)
        enc = "utf-16-le" if odd_nuls >= even_nuls else "utf-16-be"
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            raise UnreadableDocument(f"{name}: looks like UTF-16 but cannot be decoded") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = []
    for enc in ("cp1251", "koi8-r", "cp866"):
        try:
            t = data.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((_cyr_share(t) + _lower_share(t), enc, t))
    if candidates:
        _, enc, t = max(candidates)
        return t, enc
    return data.decode("utf-8", errors="replace"), "utf-8 (with replacements)"


def _lower_share(text: str) -> float:
    # in real text most Cyrillic letters are lower case; a wrong 8-bit code page flips that
    cyr = _CYR.findall(text[:20000])
    if not cyr:
        return 0.0
    return sum(c.islower() for c in cyr) / len(cyr)
