"""Plain text: UTF-8, UTF-16 (with or without BOM) and CP1251 / KOI8-R detected."""
from __future__ import annotations

import logging
import re

from ..errors import UnreadableDocument

log = logging.getLogger(__name__)
_CYR = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")


def _cyr_share(text: str) -> float:
    letters = sum(ch.isalpha() for ch in text[:20000]) or 1
    return len(_CYR.findall(text[:20000])) / letters


def decode_text(data: bytes, name: str = "input") -> tuple[str, str]:
    """Decode bytes of a text document; returns (text, encoding)."""
    text, enc, _ = decode_text_checked(data, name)
    return text, enc


def decode_text_checked(data: bytes, name: str = "input") -> tuple[str, str, list[str]]:
    """Decode bytes of a text document; returns (text, encoding, warnings).

    Never garbage in silence: a few stray NUL bytes (not UTF-16, whose every other byte is
    NUL) are removed and reported; a file whose lines are partly UTF-8 and partly an 8-bit
    Cyrillic code page is decoded line by line, each line in its own encoding, and reported."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig", []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError as exc:
            raise UnreadableDocument(f"{name}: has a UTF-16 mark but cannot be decoded as UTF-16") from exc
    warnings: list[str] = []
    nuls = data.count(b"\x00")
    if nuls:
        enc = _utf16_without_mark(data)
        if enc:
            try:
                return data.decode(enc), enc, []
            except UnicodeDecodeError as exc:
                raise UnreadableDocument(f"{name}: looks like UTF-16 but cannot be decoded") from exc
        data = data.replace(b"\x00", b"")
        warnings.append(f"{nuls} NUL byte(s) removed from the text")
    if _control_share(data) > 0.05:
        raise UnreadableDocument(f"{name}: binary data, not text (control bytes throughout)")
    try:
        return data.decode("utf-8"), "utf-8", warnings
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    utf8: dict[int, str] = {}
    for i, ln in enumerate(lines):
        try:
            utf8[i] = ln.decode("utf-8")
        except UnicodeDecodeError:
            pass
    rest = b"\n".join(ln for i, ln in enumerate(lines) if i not in utf8)
    candidates = []
    for enc in ("cp1251", "koi8-r", "cp866"):
        try:
            t = rest.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((_cyr_share(t) + _lower_share(t), enc))
    enc = max(candidates)[1] if candidates else "cp1251"
    log.debug("%s: not UTF-8; %d line(s) read as %s (candidates %s)", name, len(lines) - len(utf8), enc,
              ", ".join(f"{e} {score:.2f}" for score, e in sorted(candidates, reverse=True)) or "none")
    out = [utf8[i] if i in utf8 else ln.decode(enc, errors="replace") for i, ln in enumerate(lines)]
    if not candidates:
        warnings.append(f"some bytes are not valid in {enc} and were replaced")
    mixed = sum(1 for t in utf8.values() if not t.isascii())
    if mixed:
        warnings.append(f"mixed encodings: {mixed} line(s) read as UTF-8, {len(lines) - len(utf8)} as {enc}")
        return "\n".join(out), f"utf-8+{enc}", warnings
    return "\n".join(out), enc, warnings


def _control_share(data: bytes) -> float:
    """Share of C0 control bytes other than tab, newline, carriage return and form feed in a sample."""
    sample = data[:65536]
    if not sample:
        return 0.0
    ctrl = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13))
    return ctrl / len(sample)


def _plausible(ch: str) -> bool:
    return ((ch.isascii() and (ch.isprintable() or ch in "\n\r\t")) or "\u0400" <= ch <= "\u04ff"
            or "\u00a0" <= ch <= "\u00ff" or "\u2000" <= ch <= "\u206f" or ch == "\u2116")


def _utf16_without_mark(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: every NUL byte of the sample on one side of the byte
    pairs (the high byte of ASCII characters), and the text it decodes to made of Cyrillic,
    Latin, digits and punctuation. Stray NULs in UTF-8 text fail one test or the other."""
    sample = data[:8192]
    sample = sample[: len(sample) // 2 * 2]
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    for enc, here, there in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if here and there <= 0.02 * here:
            try:
                t = sample.decode(enc)
            except UnicodeDecodeError:
                continue
            if t and sum(map(_plausible, t)) >= 0.9 * len(t):
                return enc
    return None


def _lower_share(text: str) -> float:
    # in real text most Cyrillic letters are lower case; a wrong 8-bit code page flips that
    cyr = _CYR.findall(text[:20000])
    if not cyr:
        return 0.0
    return sum(c.islower() for c in cyr) / len(cyr)
