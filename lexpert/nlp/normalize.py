"""Text normalization: the text every later stage (and every char span) refers to.

What it fixes, in order: Unicode NFC; line ends; BOM, zero-width and soft hyphens;
exotic spaces and NBSP; Markdown / bookmark residue; Latin and other look-alike
letters typed inside Cyrillic words (Kazakh «і» typed as Latin «i», Latin «C» in
«Cыбайлас», «ə» for «ә»); hyphenation at line ends; lines broken inside a sentence;
indentation and runs of blank lines; a numbered list printed as one long line is split
into one line per point. The result has one paragraph per line.
"""
from __future__ import annotations

import re
import unicodedata

CYR = "А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі"
_CYR_RE = re.compile(f"[{CYR}]")
_LAT_RE = re.compile("[A-Za-z]")

# Latin letters that look like Cyrillic ones, and the Cyrillic letter meant.
LAT2CYR = str.maketrans({
    "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у", "i": "і", "h": "һ",
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р",
    "T": "Т", "X": "Х", "I": "І",
})
CYR2LAT = str.maketrans({v: k for k, v in {
    "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у", "i": "і",
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р",
    "T": "Т", "X": "Х", "I": "І"}.items()})
_LAT_HOMO = set("acepxyihABCEHKMOPTXI")
_CYR_HOMO = set("асерхуіАВСЕНКМОРТХІ")
# Kazakh letters typed with look-alikes from other alphabets or old fonts.
KK_LOOKALIKE = str.maketrans({
    "ə": "ә", "Ə": "Ә", "ɵ": "ө", "Ɵ": "Ө", "ӊ": "ң", "Ӊ": "Ң", "ӈ": "ң", "Ӈ": "Ң",
    "ӻ": "ғ", "Ӻ": "Ғ", "ҥ": "ң", "Ҥ": "Ң",
})
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad"), None)
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]+")
_MD = [
    (re.compile(r"\*\*|(?<![_\w])__(?=[^\W_])|(?<=[^\W_])__(?![_\w])"), ""),  # bold markers (not form blanks)
    (re.compile(r"^\s{0,3}#{1,6}\s+", re.M), ""),                  # heading hashes
    (re.compile(r"\[([^\]\n]+)\]\((?:[^)\s]+)\)"), r"\1"),         # links -> text
    (re.compile(r"\{#[^}\n]*\}"), ""),                              # {#bookmark}
    (re.compile(r"<a\s+(?:name|id)=[^>]*>\s*</a>", re.I), ""),      # html anchors
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|])"), r"\1"),            # markdown escapes
    (re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$", re.M), ""),       # horizontal rules
]
_WORD = re.compile(rf"[{CYR}A-Za-z]+")
_STRUCT_START = re.compile(
    r"^(?:\d+(?:-\d+)*[.)]\s|[а-яa-z]\)\s|Глава\s|Статья\s|Параграф\s|Раздел\s|Приложение\s|\d+-(?:тарау|бап|параграф|бөлім)|Chapter\s|Article\s|Annex|[IVXLC]+\.\s|[«\"])"
)
_END_PUNCT = tuple(".;:!?»\"”)")


def _fix_word(m: re.Match) -> str:
    return _fix(m.group(0))


def _fix(w: str) -> str:
    if not (_CYR_RE.search(w) and _LAT_RE.search(w)):
        return w
    lat = [ch for ch in w if "A" <= ch <= "z" and ch.isalpha()]
    cyr = [ch for ch in w if _CYR_RE.match(ch)]
    if all(ch in _LAT_HOMO for ch in lat):
        return w.translate(LAT2CYR)
    if all(ch in _CYR_HOMO for ch in cyr):
        return w.translate(CYR2LAT)
    return w


_LAT_RUN = re.compile("[A-Za-z]+")
_SPACE_RUN = re.compile(r" {2,}")
_WORD_CHARS = frozenset(chr(c) for c in (*range(0x41, 0x7B), *range(0x400, 0x500)) if _WORD.match(chr(c)))
_KK_LOOKALIKE_RE = re.compile("[" + "".join(map(chr, KK_LOOKALIKE)) + "]")
_INVISIBLE_RE = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")
# a literal every match of each _MD pattern holds: a text without one is left as it is
_MD_NEEDS = [("**", "__"), ("#",), ("](",), ("{#",), ("<a", "<A"), ("\\",), ("---", "***", "___")]


def _strip_bold(text: str) -> str:
    """``_MD[0][0].sub("", text)``: every match starts with «**» or «__», so the pattern is
    tried only where one of them starts (the rest of a long text is never scanned)."""
    pat = _MD[0][0]
    cut: list[tuple[int, int]] = []
    pos = 0
    a, b = text.find("**"), text.find("__")     # the next of each at or after pos (-1: none left)
    while True:
        if 0 <= a < pos:
            a = text.find("**", pos)
        if 0 <= b < pos:
            b = text.find("__", pos)
        i = a if b < 0 or 0 <= a < b else b
        if i < 0:
            break
        m = pat.match(text, i)
        if m:
            cut.append(m.span())
            pos = m.end()
        else:
            pos = i + 1
    if not cut:
        return text
    parts, last = [], 0
    for a, z in cut:
        parts.append(text[last:a])
        last = z
    parts.append(text[last:])
    return "".join(parts)


def fix_lookalikes(text: str) -> str:
    """Replace look-alike letters inside words so each word is in one alphabet.

    The same as ``_WORD.sub(_fix_word, …)`` over every word: only a word with a Latin letter
    can change, so the words are found from the (few) runs of Latin letters."""
    if _KK_LOOKALIKE_RE.search(text):
        text = text.translate(KK_LOOKALIKE)
    parts: list[str] = []
    done = 0                                # text[:done] is in parts
    end = 0                                 # the end of the last word read
    n = len(text)
    for m in _LAT_RUN.finditer(text):
        if m.start() < end:
            continue                        # in the word already read
        a, z = m.start(), m.end()
        while a > 0 and text[a - 1] in _WORD_CHARS:
            a -= 1
        while z < n and text[z] in _WORD_CHARS:
            z += 1
        end = z
        w = text[a:z]
        fixed = _fix(w)
        if fixed != w:
            parts.append(text[done:a])
            parts.append(fixed)
            done = z
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


# hard-wrapped old texts break a sentence inside the state's name, where the next line starts with
# a capital: «… заңдарды бұзған адамдарға Қазақстан» / «Республикасының Үкіметі белгілеген …»
_NAME_HEAD = re.compile(r"\s(?:Қазақстан|Казахстан)$")
_NAME_TAIL = re.compile(r"Республик")


def _join_broken_lines(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if out and out[-1] and line:
            prev = out[-1]
            first = line[0]
            if prev.endswith("-") and len(prev) > 1 and prev[-2].isalpha() and first.islower():
                out[-1] = prev[:-1] + line            # hyphenation at a line end
                continue
            if (first.islower() and not prev.endswith(_END_PUNCT)
                    and not _STRUCT_START.match(line)):
                out[-1] = prev + " " + line           # a sentence broken across lines
                continue
            if len(prev) >= 30 and _NAME_HEAD.search(prev) and _NAME_TAIL.match(line):
                out[-1] = prev + " " + line           # «… Қазақстан / Республикасының …»: a hard wrap inside the name
                continue
        out.append(line)
    return out


_RUN_POINT = re.compile(r"(?<=[.;:»\"”]) (?=(\d{1,3})(?:-\d+)?\. +[А-ЯӘҒҚҢӨҰҮҺІA-Z\"«“])")
_RUN_SUB = re.compile(r"(?<=[:;]) (?=(\d{1,3})(?:-\d+)?\) +\S)")
# where no subpoint follows a colon or a semicolon: after a closing quote or a full stop, before a
# lower-case word (an amending law's «… толықтырылсын: "…". 2) 37-баптың …»)
_RUN_SUB_LOOSE = re.compile(r"(?<=[:;.»\"”]) (?=(\d{1,3})(?:-\d+)?\) +[а-яәғқңөұүһі\d])")


def _split_sequence(line: str, pat: re.Pattern, mark: str) -> list[str]:
    """Split ``line`` before the numbers that ``pat`` finds, where they run 1, 2, 3 … (or go on
    from the number the line starts with): a numbered list printed as one line."""
    cuts: list[int] = []
    head = re.match(rf"\s*(\d{{1,3}})(?:-\d+)?{re.escape(mark)} ", line)
    expect = int(head.group(1)) + 1 if head else 1
    for m in pat.finditer(line):
        n = int(m.group(1))
        if n == expect:
            cuts.append(m.start() + 1)
            expect = n + 1
        elif cuts and n == 1:
            continue                     # a nested list starts inside a point: left to the subpoint pass
    if len(cuts) < (1 if head else 2):
        return [line]
    parts, prev = [], 0
    for c in cuts:
        parts.append(line[prev:c].strip())
        prev = c
    parts.append(line[prev:].strip())
    return [p for p in parts if p]


# a run-on act (a whole law or resolution printed as one line): its enacting formula, chapters and
# articles, each numbered in sequence
_RUN_FORMULA = re.compile(r"(?i:ҚАУЛЫ\s+ЕТЕДІ|ҚАУЛЫ\s+ЕТЕМІН|БҰЙЫРАМЫН|ШЕШІМ\s+ҚАБЫЛДАДЫ|ПОСТАНОВЛЯЕТ|ПОСТАНОВЛЯЮ|"
                          r"ПРИКАЗЫВАЮ)\s*:\s(?=\S)|РЕШИЛ[АИ]?\s*:\s(?=\S)")
_RUN_CHAPTER = re.compile(r"(?:(?<=\S) |^)(?=(\d{1,2})-(?:тарау|бөлім)\.\s|(?:Глава|Раздел)\s(\d{1,2})\.\s)")
_RUN_ARTICLE = re.compile(r"(?:(?<=\S) |^)(?=(\d{1,3})-бап\.\s|Статья\s(\d{1,3})\.\s)")


def _numbered_cuts(line: str, pat: re.Pattern) -> list[int]:
    """Where to cut ``line`` before the chapter or article markers ``pat`` finds: a marker whose
    neighbour among the markers runs on by one from it («1-бап.» … «2-бап.», or the quoted «21-бап.»
    … «22-бап.» of an amending law); a lone marker is a citation, never a cut."""
    found = [(m.end(), int(m.group(1) or m.group(2))) for m in pat.finditer(line)]   # «1-бап.» / «Статья 1.»
    return [pos for k, (pos, n) in enumerate(found)
            if (k and found[k - 1][1] == n - 1) or (k + 1 < len(found) and found[k + 1][1] == n + 1)]


def split_run_together(line: str) -> list[str]:
    """A long line holding several numbered points (and their subpoints), as some exports of
    adilet texts print a whole act: one line per point and subpoint, the words unchanged. A
    whole act printed as one line is cut first after its enacting formula («ҚАУЛЫ ЕТЕДІ:») and
    before its chapters and articles, then each piece into its points."""
    if len(line) < 400 or " | " in line:
        return [line]                    # a table row keeps its cells on one line
    cuts = set(_numbered_cuts(line, _RUN_CHAPTER) + _numbered_cuts(line, _RUN_ARTICLE))
    m = _RUN_FORMULA.search(line)
    if m and len(line) - m.end() >= 200:
        cuts.add(m.end())
    bounds = [0] + sorted(c for c in cuts if 0 < c < len(line)) + [len(line)]
    pieces = [q for q in (line[x:y].strip() for x, y in zip(bounds, bounds[1:])) if q]
    out: list[str] = []
    for piece in pieces:
        if len(piece) < 400 and len(pieces) == 1:
            out.append(piece)
            continue
        for part in _split_sequence(piece, _RUN_POINT, "."):
            if len(part) < 400 and len(pieces) == 1:
                out.append(part)
                continue
            subs = _split_sequence(part, _RUN_SUB, ")")
            out.extend(subs if len(subs) > 1 else _split_sequence(part, _RUN_SUB_LOOSE, ")"))
    return out


def normalize(text: str) -> str:
    """Return the normalized text (one paragraph per line, single blank lines)."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = text.replace("\u00ad\n", "")          # soft hyphen at a line end joins the word
    if _INVISIBLE_RE.search(text):
        text = text.translate(_INVISIBLE)
    text = _SPACES.sub(" ", text)
    text = _strip_bold(text)
    for (pat, rep), needs in zip(_MD[1:], _MD_NEEDS[1:]):
        if any(x in text for x in needs):
            text = pat.sub(rep, text)
    text = fix_lookalikes(text)
    lines = [(_SPACE_RUN.sub(" ", ln) if "  " in ln else ln).strip() for ln in text.split("\n")]
    lines = _join_broken_lines(lines)
    lines = [piece for ln in lines for piece in split_run_together(ln)]
    out: list[str] = []
    for ln in lines:
        if not ln and (not out or not out[-1]):
            continue
        out.append(ln)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + ("\n" if out else "")
