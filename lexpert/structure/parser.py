"""Structure parser: a normalized act -> a tree of located nodes, in ru, kk and en.

It reads one paragraph per line (what :func:`lexpert.nlp.normalize.normalize` gives) and
recognises the parts of Kazakhstan's acts as adilet.zan.kz and the "Открытые НПА"
portal print them: title and preamble, the operative word («ПРИКАЗЫВАЮ:»,
«ПОСТАНОВЛЯЕТ:», «БҰЙЫРАМЫН:», «ҚАУЛЫ ЕТЕДІ:» …), annexes with their headers
(«Утверждены приказом …», «… бұйрығымен бекітілген», «Приложение к …»), sections,
chapters («Глава N» / «N-тарау»), paragraphs, articles («Статья N» / «N-бап»),
points «N.», subpoints «N)», letter items «а)», unnumbered parts, editorial notes
(«Ескерту.», «Примечание.»), and the quoted new wording of amendment acts, which is
located at the unit it amends. A document holding the same act in two languages
(the seeds) becomes one ``act`` node per language.

Every node keeps its span and its own text span in the normalized text; every
non-blank line is the own text of exactly one node, so nothing is lost.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..nlp.anchors import Anchored
from ..nlp.lang import detect, detect_segments
from ..records import Node, Norm
from .units import classify_units

# ---------------------------------------------------------------- line patterns
_NUM = r"\d+(?:-\d+)?"
P_CHAPTER = [
    re.compile(rf"^(?:Глава|ГЛАВА)\s+({_NUM}|[IVXLC]+)\.?(?:\s+(.*))?$"),
    re.compile(rf"^({_NUM})\s*-?\s*(?:тарау|ТАРАУ)\.?(?:\s+(.*))?$"),
    re.compile(rf"^(?:Chapter|CHAPTER)\s+({_NUM}|[IVXLC]+)\.?(?:\s+(.*))?$"),
]
P_SECTION = [
    re.compile(rf"^(?:Раздел|РАЗДЕЛ)\s+({_NUM}|[IVXLC]+)\.?(?:\s+(.*))?$"),
    re.compile(rf"^({_NUM})\s*-?\s*(?:бөлім|БӨЛІМ)\.?(?:\s+(.*))?$"),
    re.compile(rf"^(?:Section|SECTION)\s+({_NUM}|[IVXLC]+)\.?(?:\s+(.*))?$"),
    re.compile(r"^([IVX]{1,5})\.\s+(\S.{0,150})$"),
]
P_PARAGRAPH = [
    re.compile(rf"^(?:Параграф|ПАРАГРАФ|§)\s*({_NUM})\.?(?:\s+(.*))?$"),
    re.compile(rf"^({_NUM})\s*-?\s*(?:параграф|ПАРАГРАФ)\.?(?:\s+(.*))?$"),
    re.compile(rf"^(?:Paragraph|PARAGRAPH)\s+({_NUM})\.(?:\s+(.*))?$"),
]
P_ARTICLE = [
    re.compile(rf"^(?:Статья|СТАТЬЯ)\s+({_NUM})\.?(?:\s+(.*))?$"),
    re.compile(rf"^({_NUM})\s*-?\s*(?:бап|БАП)\.?(?:\s+(.*))?$"),
    re.compile(rf"^(?:Article|ARTICLE)\s+({_NUM})\.?(?:\s+(.*))?$"),
]
# «3.», «3-1.», «3.1.», and a decimal point with no closing full stop «3.1 борышкерден …» (a letter
# follows, not a unit of measure: «2.5 млн теңге» is no point)
P_POINT = re.compile(r"^(\d+(?:-\d+)?(?:\.\d+)*)\.(?:\s+(.*)|$)"
                     r"|^(\d{1,3}\.\d{1,2})\s+(?!(?:мың|млн|млрд|тыс|%|есе|раз|га|км|кг|м|см|мм|т|л|сағ|ч)\b)([^\W\d_].*)$")
P_SUBPOINT = re.compile(rf"^({_NUM})\)(?:\s*(.*)|$)")


def _point_number(m: re.Match) -> str:
    """The number of a :data:`P_POINT` match, whichever of its two forms matched."""
    return m.group(1) or m.group(3)


P_ITEM = re.compile(r"^([а-яәa-z])\)\s+(.*)$")
P_NOTE = re.compile(r"^(?:Ескерту|Примечание|Сноска|Footnote|Ескертпе)\s*[.:]", re.I)
P_OPERATIVE = re.compile(
    r"(ПРИКАЗЫВАЮ|ПОСТАНОВЛЯЕТ|ПОСТАНОВЛЯЮ|РЕШИЛ|РЕШИЛА|РЕШИЛО|ПРИКАЗЫВАЕМ|"
    r"БҰЙЫРАМЫН|БҰЙЫРАМЫЗ|ҚАУЛЫ\s+ЕТЕДІ|ҚАУЛЫ\s+ЕТЕМІН|ШЕШІМ\s+ҚАБЫЛДАДЫ|ШЕШТІ|"
    r"HEREBY\s+ORDER|ORDER|DECREES|RESOLVES|DECIDED)\s*:\s*$"
    r"|^(?:қаулы\s+етеді|постановляет|постановил|шешті|шешім\s+қабылдады|бұйырамын|приказываю)\s*:\s*$"
)
P_ANNEX_START = re.compile(
    r"^(?:Утвержден[аоы]?|УТВЕРЖДЕН[АОЫ]?|Приложение|ПРИЛОЖЕНИЕ|Approved\s+by|APPROVED|Annex|ANNEX|Appendix)\b"
)
P_ANNEX_END_KK = re.compile(r"(?:бекітілген|бекітілді|БЕКІТІЛГЕН|қосымша|қосымшасы|ҚОСЫМША)\s*$")
P_COURT = re.compile(r"Конституциялық\s+Сот|Конституцияның\s+сақталуы|Конституционн\w+\s+(?:Суд|Совет)|"
                     r"Жоғарғы\s+Сотының|Верховн\w+\s+Суд", re.I)
P_HEADER_NO = re.compile(r"^№\s*\S{1,20}$")           # the act's number on a line of its own, after the date
P_HEADER_CONT = re.compile(
    r"^(?:к\s|от\s|№|Республики|Министр|Председател|Премьер|приказ|постановлени|решени|распоряжени|"
    r"маслихат|акимат|Правительств|[а-яё])")
P_ANNEX_DONE = re.compile(r"№\s*\S+|\d{4}\s+(?:года|г\.)|жылғы|No\.\s*\d+|\b\d{4}\b")
P_SIGNATURE = re.compile(
    r"^(?:[А-ЯӘҒҚҢӨҰҮҺІA-Z][^\d.;:]{0,110}\s)?[А-ЯӘҒҚҢӨҰҮҺІA-Z]\.\s?(?:[А-ЯӘҒҚҢӨҰҮҺІA-Z]\.\s?)?[А-ЯӘҒҚҢӨҰҮҺІA-Z][а-яәғқңөұүһіa-z]+(?:-[А-ЯA-Z][а-яa-z]+)?$"
)
P_AMEND_INTRO = re.compile(
    r"(редакции|содержания|редакцияда\s+жазылсын|жазылсын|мазмұндағы|мазмұнда|толықтырылсын|wording|as follows|read as)\s*:\s*$", re.I
)
P_STAMP = re.compile(
    r"^[«\"“]?\s*(?:СОГЛАСОВАН[ОАЫ]?|Согласовано|Согласован[оаы]?|КЕЛІСІЛДІ|Келісілді|КЕЛІСІЛГЕН|"
    r"УТВЕРЖДАЮ|Утверждаю|БЕКІТЕМІН|Бекітемін)\s*[»\"”]?\s*[:.]?\s*$")
P_ROW = re.compile(r"(?:^\|\s)|(?:\s\|\s)|(?:\s\|$)|^\|$")
# Speed only: patterns read on every line skip a line holding none of the literals every match
# contains (nlp.anchors.Anchored: the same answers; tests/test_anchors.py checks them)
P_AMEND_INTRO, P_OPERATIVE, P_ANNEX_END_KK, P_COURT, P_STAMP, P_NOTE, P_ANNEX_START = map(
    Anchored, (P_AMEND_INTRO, P_OPERATIVE, P_ANNEX_END_KK, P_COURT, P_STAMP, P_NOTE, P_ANNEX_START))
P_ROW = Anchored(P_ROW, ("|",))
_QUOTE_OPEN = "«\"“„"
_QUOTE_CLOSE = re.compile(r"[»\"”][.;,:]?\s*$")

LEVEL = {"section": 1, "chapter": 2, "paragraph": 3, "article": 4, "point": 5, "subpoint": 6, "item": 7}

# ---------------------------------------------------------------- locator words
WORDS = {
    "ru": {"annex": "приложение {n}", "section": "раздел {n}", "chapter": "глава {n}",
           "paragraph": "параграф {n}", "article": "статья {n}", "point": "пункт {n}",
           "subpoint": "подпункт {n})", "item": "подпункт {n})", "part": "часть {n}",
           "text": "абзац {n}", "operative": "", "preamble": "преамбула", "new": "новая редакция: {t}"},
    "kk": {"annex": "{n}-қосымша", "section": "{n}-бөлім", "chapter": "{n}-тарау",
           "paragraph": "{n}-параграф", "article": "{n}-бап", "point": "{n}-тармақ",
           "subpoint": "{n}) тармақша", "item": "{n}) тармақша", "part": "{n}-бөлік",
           "text": "{n}-абзац", "operative": "", "preamble": "кіріспе", "new": "жаңа редакция: {t}"},
    "en": {"annex": "Annex {n}", "section": "Section {n}", "chapter": "Chapter {n}",
           "paragraph": "Paragraph {n}", "article": "Article {n}", "point": "point {n}",
           "subpoint": "subpoint {n})", "item": "subpoint {n})", "part": "part {n}",
           "text": "paragraph {n}", "operative": "", "preamble": "preamble", "new": "new wording: {t}"},
}
for _lg, _w in (("ru", ("таблица {n}", "строка {n}", "графа {n}", "графа «{n}»")),
                ("kk", ("{n}-кесте", "{n}-жол", "{n}-баған", "«{n}» бағаны")),
                ("en", ("table {n}", "row {n}", "column {n}", "column “{n}”"))):
    WORDS[_lg].update({"table": _w[0], "row": _w[1], "cell": _w[2], "cell_name": _w[3]})
PATH_ORDER = ("annex", "section", "chapter", "paragraph", "article", "point", "subpoint", "item", "part", "text",
              "table", "row", "cell")


def render_locator(path: dict[str, str], lang: str) -> str:
    """Render a structured path as the act's own words, outer to inner. An annex is cited
    as the act cites it where its header says so («Правила», «приложение 2 к Правилам»,
    «Қағидалар»); a table cell by its row and its column's name where it has one."""
    items = tuple(path.items())
    try:
        return _render(items, lang)
    except TypeError:            # a value that cannot be hashed: rendered uncached
        return _render.__wrapped__(items, lang)


@lru_cache(maxsize=20_000)
def _render(items: tuple[tuple[str, str], ...], lang: str) -> str:
    """:func:`render_locator` of ``dict(items)`` (cached: the nodes of an act share their paths)."""
    path = dict(items)
    w = WORDS.get(lang, WORDS["ru"])
    parts = []
    for k in PATH_ORDER:
        v = path.get(k)
        if not v:
            continue
        if k == "annex" and path.get("annex_name"):
            parts.append(path["annex_name"])
        elif k == "cell" and path.get("cell_name"):
            parts.append(w["cell_name"].format(n=path["cell_name"]))
        else:
            parts.append(w[k].format(n=v))
    return ", ".join(p for p in parts if p)


# ---------------------------------------------------------------- how an act cites its annexes
_DOC_RU = (r"Типов(?:ые|ое|ая)\s+\w+|Правила|Положение|Инструкция|Порядок|Регламент|Методика|Требования|"
           r"Стандарт|Перечень|Список|Критерии|Тарифы|Нормы|Нормативы|Программа|План|Состав|Схема")
_GEN_RU = {"Правил": "Правила", "Положения": "Положение", "Инструкции": "Инструкция", "Порядка": "Порядок",
           "Перечня": "Перечень", "Требований": "Требования", "Стандарта": "Стандарт", "Методики": "Методика",
           "Регламента": "Регламент", "Критериев": "Критерии"}
_DOC_KK = {"қағидалары": "Қағидалар", "қағидасы": "Қағида", "ережесі": "Ереже", "нұсқаулығы": "Нұсқаулық",
           "нұсқаулық": "Нұсқаулық", "тәртібі": "Тәртіп", "тізбесі": "Тізбе", "тізімі": "Тізім",
           "талаптары": "Талаптар", "стандарты": "Стандарт", "әдістемесі": "Әдістеме", "өлшемшарттары": "Өлшемшарттар",
           "регламенті": "Регламент", "құрамы": "Құрам", "нормалары": "Нормалар", "жоспары": "Жоспар",
           "бағдарламасы": "Бағдарлама"}
_TO_RU = re.compile(r"(?:Приложение|ПРИЛОЖЕНИЕ)\s*(?:№\s*)?(\d+(?:-\d+)?)?\s+к\s+((?:Типов\w+\s+)?[А-ЯA-Z]?[а-яa-z]+(?:ам|ию|ии|ку|ту|ике|ям|ню|ку|ми))\b")
_TO_KK = re.compile(r"(\w+(?:ларына|леріне|ларға|лерге|сына|сіне|ына|іне|на|не))\s+(?:№\s*)?(\d+(?:-\d+)?)?\s*-?\s*қосымша",
                    re.I)
_NUM_RU = re.compile(r"(?:Приложение|ПРИЛОЖЕНИЕ|Annex|Appendix)\s*(?:№\s*)?(\d+(?:-\d+)?)")
_NUM_KK = re.compile(r"(\d+(?:-\d+)?)\s*-?\s*(?:қосымша|ҚОСЫМША)")


def annex_citation(header: str, title: str | None, lang: str) -> tuple[str | None, str | None]:
    """(number, name) of an annex as the act cites it, from its header block and title:
    ('2', 'приложение 2 к Правилам'), (None, 'Правила'), ('2', 'Қағидаларына 2-қосымша'), or (n, None)."""
    if lang == "kk":
        m = _TO_KK.search(header)
        num = m.group(2) if m and m.group(2) else (mm.group(1) if (mm := _NUM_KK.search(header)) else None)
        if m and m.group(1).lower().startswith(tuple(k[:5] for k in _DOC_KK)):
            word = m.group(1)
            return num, f"{word[0].upper()}{word[1:]} {num + '-' if num else ''}қосымша"
        if title:
            last = re.findall(r"\w+", title.lower())
            if last and last[-1] in _DOC_KK and not re.search(r"туралы$", title.strip().lower()):
                return num, _DOC_KK[last[-1]]
        return num, None
    m = _TO_RU.search(header)
    num = m.group(1) if m and m.group(1) else (mm.group(1) if (mm := _NUM_RU.search(header)) else None)
    if m:
        return num, f"приложение {num + ' ' if num else ''}к {m.group(2)}"
    if title:
        mt = re.match(rf"\s*[«\"]?({_DOC_RU})\b", title)
        if mt:
            return num, mt.group(1)
        mg = re.match(r"\s*[«\"]?Об\s+утверждении\s+(\w+)", title)     # a title printed as the order's
        if mg and mg.group(1) in _GEN_RU:
            return num, _GEN_RU[mg.group(1)]
    return num, None


# ---------------------------------------------------------------- amendment targets
_T_RU = [
    ("subpoint", re.compile(rf"подпункт\w*\s+({_NUM})\)\s+пункт\w*\s+({_NUM})", re.I)),
    ("point", re.compile(rf"пункт\w*\s+({_NUM})(?!\))", re.I)),
    ("article", re.compile(rf"стать\w*\s+({_NUM})", re.I)),
    ("chapter", re.compile(rf"глав\w*\s+({_NUM})", re.I)),
]
_T_KK = [
    ("subpoint", re.compile(rf"({_NUM})-тармақ\w*\s+({_NUM})\)\s*тармақша", re.I)),
    ("point", re.compile(rf"({_NUM})-тармақ", re.I)),
    ("article", re.compile(rf"({_NUM})-бап", re.I)),
    ("chapter", re.compile(rf"({_NUM})-тарау", re.I)),
]
_T_EN = [
    ("subpoint", re.compile(rf"subparagraph\s+({_NUM})\)\s+of\s+paragraph\s+({_NUM})", re.I)),
    ("point", re.compile(rf"paragraph\s+({_NUM})", re.I)),
    ("article", re.compile(rf"article\s+({_NUM})", re.I)),
]


def amendment_target(instruction: str, lang: str) -> dict[str, str]:
    """The unit an amendment instruction points at: {'point': '5'} or {'point': '5', 'subpoint': '3'}."""
    pats = {"kk": _T_KK, "en": _T_EN}.get(lang, _T_RU)
    for kind, pat in pats:
        m = pat.search(instruction)
        if m:
            if kind == "subpoint":
                if lang == "kk":
                    return {"point": m.group(1), "subpoint": m.group(2)}
                return {"point": m.group(2), "subpoint": m.group(1)}
            return {kind: m.group(1)}
    return {}


# ---------------------------------------------------------------- the parser
@dataclass
class _Line:
    text: str
    start: int
    end: int


def _lines(text: str, start: int, end: int) -> list[_Line]:
    out = []
    pos = start
    for raw in text[start:end].split("\n"):
        s = pos
        pos += len(raw) + 1
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            out.append(_Line(stripped, s + lead, s + lead + len(stripped)))
        else:
            out.append(_Line("", s, s))
    return out


def _match_any(pats, line: str):
    for p in pats:
        m = p.match(line)
        if m:
            return m
    return None


class _Builder:
    def __init__(self, text: str, lang: str):
        self.text = text
        self.lang = lang

    def node(self, kind, line: _Line, number=None, title=None, **kw) -> Node:
        return Node(kind=kind, number=number, title=title, start=line.start, end=line.end,
                    text_start=line.start, text_end=line.end, lang=self.lang, **kw)


def _is_heading_like(line: str) -> bool:
    return len(line) <= 200 and not line.endswith((";", ",")) and not P_POINT.match(line)


def _list_after_lead(lines: list, i: int) -> bool:
    """A first subpoint «1) …» right after a lead-in that ends with a colon: an act whose
    operative part is a list, with no operative word and no numbered point (an amending law:
    «… Заңына мынадай толықтырулар енгізілсін: 1) 11-баптың …»)."""
    if not (lines[i].text and P_SUBPOINT.match(lines[i].text)) or not lines[i].text.startswith("1)"):
        return False
    prev = next((ln.text for ln in reversed(lines[:i]) if ln.text), "")
    return prev.rstrip().endswith(":")


def _preamble(b: "_Builder", act: Node, text: str, lines: list, start: int, end: int, lang: str) -> int:
    """Find the operative word; everything before it (or before the first structural line) is
    the preamble, added to ``act`` with the act's title. Returns the index of the body's first line."""
    n = len(lines)
    op_idx = next((i for i, ln in enumerate(lines) if ln.text and P_OPERATIVE.search(ln.text)), None)
    first_struct = next((i for i, ln in enumerate(lines) if ln.text and (
        _match_any(P_CHAPTER, ln.text) or _match_any(P_ARTICLE, ln.text) or _match_any(P_SECTION, ln.text)
        or P_POINT.match(ln.text) or _annex_header_at(lines, i))), n)
    if first_struct == n and op_idx is None:
        # no numbered point, chapter or article at all: a list and its lead-in start the body (the
        # lead-in stays the title where it is the act's first line)
        first = next((i for i in range(n) if _list_after_lead(lines, i)), n)
        lead = next((k for k in range(first - 1, -1, -1) if lines[k].text), None) if first < n else None
        top = next((k for k, ln in enumerate(lines) if ln.text), n)
        first_struct = lead if lead is not None and lead > top else first
    body_from = op_idx + 1 if op_idx is not None and op_idx <= first_struct + 2 else first_struct
    if op_idx is not None and op_idx > first_struct + 2 and P_COURT.search(text[start:min(end, start + 3000)]):
        # a normative resolution of the Constitutional or Supreme Court: its numbered reasoning
        # comes before «ҚАУЛЫ ЕТЕДІ:» / «ПОСТАНОВЛЯЕТ:» and is the preamble, not the operative part
        body_from = op_idx + 1
    nonblank_before = sum(1 for ln in lines[:body_from] if ln.text)
    if op_idx is None and nonblank_before > 12:
        # no operative word and no structure near the top: not an act's preamble,
        # only the title line is; the rest is the body (instructions, concepts, reports)
        body_from = next(k for k, ln in enumerate(lines) if ln.text) + 1
    pre_lines = [ln for ln in lines[:body_from] if ln.text]
    title_line = pre_lines[0] if pre_lines else None
    act.title = title_line.text if title_line else None
    if pre_lines:
        pre = Node("preamble", None, pre_lines[0].start, pre_lines[-1].end, pre_lines[0].start,
                   pre_lines[0].start, lang=lang)
        for ln in pre_lines:
            kind = "note" if P_NOTE.match(ln.text) else ("heading" if ln is title_line else "text")
            pre.children.append(b.node(kind, ln))
        act.children.append(pre)
    return body_from


def _annex(b: "_Builder", act: Node, lines: list, i: int, hdr_end: int, end: int, lang: str,
           annex_no: int) -> tuple[Node, int]:
    """The annex whose header block is ``lines[i:hdr_end]`` (and its title line, if any), added
    to ``act``; returns it and the index of the line after its header."""
    n = len(lines)
    hdr_lines = [x for x in lines[i:hdr_end] if x.text]
    annex = Node("annex", str(annex_no), hdr_lines[0].start, end, hdr_lines[0].start, hdr_lines[0].start, lang=lang)
    for x in hdr_lines:
        annex.children.append(b.node("heading", x))
    j = hdr_end
    while j < n and not lines[j].text:
        j += 1
    if j < n and _is_annex_title(lines[j].text):
        annex.title = lines[j].text
        annex.children.append(b.node("heading", lines[j]))
        j += 1
    number, name = annex_citation(" ".join(x.text for x in hdr_lines), annex.title, lang)
    if number and not any(c.kind == "annex" and c.number == number for c in act.children):
        annex.number = number
    annex.cite = name
    act.children.append(annex)
    return annex, j


def parse_act(text: str, start: int = 0, end: int | None = None, lang: str | None = None) -> Node:
    """Parse one act occupying ``text[start:end]`` into an ``act`` node."""
    end = len(text) if end is None else end
    lang = lang or detect(text[start:end])
    b = _Builder(text, lang)
    lines = _lines(text, start, end)
    act = Node("act", None, start, end, start, start, lang=lang)
    n = len(lines)

    body_from = _preamble(b, act, text, lines, start, end, lang)

    # ---- body: operative part, then annexes
    container = Node("operative", None, lines[body_from].start if body_from < n else end, end,
                     lines[body_from].start if body_from < n else end,
                     lines[body_from].start if body_from < n else end, lang=lang)
    act.children.append(container)
    stack: list[Node] = [container]          # structural containers, outermost first
    annex_no = 0
    i = body_from
    amend_intro: Node | None = None          # the instruction whose quoted wording follows
    in_quote: Node | None = None
    text_counter: dict[int, int] = {}
    part_counter: dict[int, int] = {}        # parts under each point or article (only added below)

    def attach(node: Node, level: int | None):
        if level is not None:
            while len(stack) > 1 and LEVEL.get(stack[-1].kind, 0) >= level:
                stack.pop()
        stack[-1].children.append(node)
        if level is not None:
            stack.append(node)

    while i < n:
        ln = lines[i]
        t = ln.text
        if not t:
            i += 1
            continue
        # -- inside a quoted new wording of an amendment
        if in_quote is not None:
            in_quote.children.append(b.node("quote", ln))
            if _QUOTE_CLOSE.search(t):
                in_quote = None
            i += 1
            continue
        if amend_intro is not None and t[0] in _QUOTE_OPEN:
            amend_intro.children.append(b.node("quote", ln))
            if not _QUOTE_CLOSE.search(t) or len(t) < 3:
                in_quote = amend_intro
            i += 1
            continue
        amend_intro = None
        # -- annex header block
        hdr_end = _annex_header_at(lines, i)
        if hdr_end:
            annex_no += 1
            annex, i = _annex(b, act, lines, i, hdr_end, end, lang, annex_no)
            stack = [annex]
            continue
        if P_ROW.search(t):
            i = _table(b, lines, i, stack[-1])
            continue
        if P_STAMP.match(t):
            i = _stamp(b, lines, i, stack[-1])
            continue
        # «3-тарау мынадай редакцияда жазылсын:», «Главу 3 изложить в следующей редакции:» is an
        # instruction of the amending act, never the heading of a chapter (or section, article)
        instruction = bool(P_AMEND_INTRO.search(t))
        if P_NOTE.match(t):
            attach(b.node("note", ln), None)
        elif instruction and not P_POINT.match(t) and not P_SUBPOINT.match(t) and not P_ITEM.match(t):
            amend_intro = _paragraph(b, ln, stack, part_counter, text_counter)
        elif m := _match_any(P_SECTION, t):
            attach(b.node("section", ln, m.group(1), m.group(2)), LEVEL["section"])
        elif m := _match_any(P_CHAPTER, t):
            attach(b.node("chapter", ln, m.group(1), m.group(2)), LEVEL["chapter"])
        elif m := _match_any(P_PARAGRAPH, t):
            attach(b.node("paragraph", ln, m.group(1), m.group(2)), LEVEL["paragraph"])
        elif m := _match_any(P_ARTICLE, t):
            attach(b.node("article", ln, m.group(1), m.group(2)), LEVEL["article"])
        elif m := P_POINT.match(t):
            node = b.node("point", ln, _point_number(m))
            attach(node, LEVEL["point"])
            if P_AMEND_INTRO.search(t):
                amend_intro = node
        elif m := P_SUBPOINT.match(t):
            node = b.node("subpoint", ln, m.group(1))
            attach(node, LEVEL["subpoint"])
            if P_AMEND_INTRO.search(t):
                amend_intro = node
        elif m := P_ITEM.match(t):
            node = b.node("item", ln, m.group(1))
            attach(node, LEVEL["item"])
            if P_AMEND_INTRO.search(t):
                amend_intro = node
        elif P_SIGNATURE.match(t) and len(t) < 120 and not t.endswith("."):
            attach(b.node("signature", ln), None)
        else:
            node = _paragraph(b, ln, stack, part_counter, text_counter)
            if instruction:
                amend_intro = node
        i += 1

    _close_spans(act)
    return act


def _cells(line: _Line) -> list[tuple[int, int]]:
    """Spans of the non-empty cells of a table-row line («a | b | c», «| a |»)."""
    out = []
    pos = line.start
    for part in re.split(r"(\s*\|\s*)", line.text):
        if part and not re.fullmatch(r"\s*\|\s*", part):
            lead = len(part) - len(part.lstrip())
            body = part.strip()
            if body:
                out.append((pos + lead, pos + lead + len(body)))
        pos += len(part)
    return out


def _table(b: _Builder, lines: list[_Line], i: int, parent: Node) -> int:
    """Read consecutive table-row lines from ``i`` into a ``table`` node under ``parent``;
    return the index after the table. Rows are numbered as the act numbers them when
    their first cell is a number («8.»), else in order; every non-empty cell is a node."""
    n_tables = sum(1 for c in parent.children if c.kind == "table") + 1
    table = Node("table", str(n_tables), lines[i].start, lines[i].end, lines[i].start, lines[i].start, lang=b.lang)
    parent.children.append(table)
    j = i
    k = 0
    while j < len(lines):
        ln = lines[j]
        if not ln.text:
            j += 1
            continue
        if not P_ROW.search(ln.text):
            break
        k += 1
        spans = _cells(ln)
        first = b.text[spans[0][0]:spans[0][1]] if spans else ""
        m = re.fullmatch(r"(\d{1,3}(?:[.-]\d+)*)\.?", first)
        row = Node("row", m.group(1) if m else str(k), ln.start, ln.end, ln.start, ln.start, lang=b.lang)
        for c, (a, z) in enumerate(spans, 1):
            row.children.append(Node("cell", str(c), a, z, a, z, lang=b.lang))
        table.children.append(row)
        j += 1
    return j


def _stamp(b: _Builder, lines: list[_Line], i: int, parent: Node) -> int:
    """An approval stamp («СОГЛАСОВАН», «КЕЛІСІЛДІ», «УТВЕРЖДАЮ») and the short lines that
    complete it (the body, the position, the name, the date): one ``stamp`` node."""
    stamp = Node("stamp", None, lines[i].start, lines[i].end, lines[i].start, lines[i].end, lang=b.lang)
    parent.children.append(stamp)
    j = i + 1
    taken = 0
    while j < len(lines) and taken < 8:
        x = lines[j].text
        if not x:
            j += 1
            continue
        if (len(x) > 250 or P_POINT.match(x) or P_SUBPOINT.match(x) or _match_any(P_CHAPTER, x)
                or _match_any(P_ARTICLE, x) or _annex_header_at(lines, j) or P_STAMP.match(x) or P_ROW.search(x)
                or P_OPERATIVE.search(x) or (x.endswith(".") and len(x.split()) > 12)):
            break
        stamp.children.append(Node("stamp", None, lines[j].start, lines[j].end, lines[j].start, lines[j].end,
                                   lang=b.lang))
        taken += 1
        j += 1
    return j


def _is_annex_title(t: str) -> bool:
    return (len(t) < 400 and not P_POINT.match(t) and not P_SUBPOINT.match(t) and not P_ROW.search(t)
            and not P_STAMP.match(t)
            and not _match_any(P_CHAPTER, t) and not _match_any(P_ARTICLE, t) and not P_NOTE.match(t))


def _annex_header_at(lines: list[_Line], i: int) -> int:
    """If an annex header block starts at line ``i``, return the index after it, else 0.

    ru/en: the block starts with «Утверждены …», «Приложение …», «Approved by …» and
    ends at a blank line or after the line with the act's number/date. kk: the block
    of short lines ends with «… бекітілген» / «… қосымша»; it starts at line ``i``.
    """
    t = lines[i].text
    if not t or len(t) > 250:
        return 0
    if P_ANNEX_START.match(t) and not t.endswith((".", ";")) or (P_ANNEX_START.match(t) and len(t) < 40):
        j = i
        seen_done = False
        while j < len(lines) and j - i < 14:
            x = lines[j].text
            if not x:
                # a blank line between the header's own lines (DOCX paragraphs, adilet exports)
                k = j + 1
                while k < len(lines) and not lines[k].text and k - j < 3:
                    k += 1
                if k < len(lines) and ((not seen_done and len(lines[k].text) < 160
                                        and P_HEADER_CONT.match(lines[k].text)) or P_HEADER_NO.match(lines[k].text)):
                    j = k
                    continue
                break
            if j > i and (len(x) > 160 or P_POINT.match(x) or _match_any(P_CHAPTER, x)):
                break
            if seen_done and j > i and not P_HEADER_NO.match(x):
                break
            seen_done = bool(P_ANNEX_DONE.search(x)) and j > i or bool(re.search(r"№\s*\S+", x))
            j += 1
        return j
    # kk: short lines after a blank line, ending with a line that ends in «бекітілген» / «қосымша»
    if i > 0 and lines[i - 1].text:
        return 0
    j = i
    while j < len(lines) and lines[j].text and len(lines[j].text) <= 160 and j - i < 10:
        x = lines[j].text
        if P_POINT.match(x) or P_SUBPOINT.match(x) or P_OPERATIVE.search(x):
            return 0
        if P_ANNEX_END_KK.search(x):
            return j + 1
        j += 1
    return 0


def _close_spans(node: Node) -> None:
    """Set every container's span to cover its children (post-order)."""
    for c in node.children:
        _close_spans(c)
    if node.children:
        node.start = min(node.start, node.children[0].start) if node.kind != "act" else node.start
        node.end = max(node.end, max(c.end for c in node.children)) if node.kind != "act" else node.end
        if node.kind in ("operative", "annex", "preamble"):
            node.start = min(c.start for c in node.children)
            node.end = max(c.end for c in node.children)
    if node.kind in ("operative", "annex", "preamble") and not node.children:
        node.end = node.start


def _short(t: str, limit: int = 60) -> str:
    t = " ".join(t.split()).strip(" :;.")
    if len(t) <= limit:
        return t
    cut = t[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def _column_names(act: Node, text: str) -> dict[int, str]:
    """Name of each table cell's column: the row's label cell (a standard's «Основания для
    отказа …» beside its value) or the table's header row."""
    names: dict[int, str] = {}
    for table in (n for n in act.walk() if n.kind == "table"):
        rows = table.children
        header = None
        if len(rows) >= 3 and rows[0].children and all(
                len(text[c.text_start:c.text_end]) < 120 and not re.search(r"\d{3}", text[c.text_start:c.text_end])
                for c in rows[0].children) and len(rows[0].children) >= 2:
            header = [text[c.text_start:c.text_end] for c in rows[0].children]
        for r in rows:
            cells = r.children
            for idx, c in enumerate(cells):
                label = None
                if idx > 0 and idx == len(cells) - 1:
                    prev = text[cells[idx - 1].text_start:cells[idx - 1].text_end]
                    if re.search(r"[^\W\d_]{3}", prev) and len(prev) <= 200:
                        label = prev
                if label is None and header and r is not rows[0] and len(cells) == len(header):
                    label = header[idx]
                if label:
                    names[id(c)] = _short(label)
    return names


def _assign_locators(act: Node, text: str) -> None:
    lang = act.lang or "ru"
    column_names = _column_names(act, text)
    parents = {id(c): n for n in act.walk() for c in n.children}

    def parent_children(node: Node) -> list[Node]:
        par = parents.get(id(node))
        return par.children if par else []

    def rec(node: Node, path: dict[str, str], annex_count: int):
        p = dict(path)
        k = node.kind
        if k == "annex":
            p = {"annex": node.number}
            if getattr(node, "cite", None):
                p["annex_name"] = node.cite
        elif k in ("section", "chapter", "paragraph", "article", "point", "subpoint", "item", "part", "text"):
            if k in ("point",):
                for d in ("subpoint", "item", "part", "text"):
                    p.pop(d, None)
            p[k] = node.number or ""
        elif k == "table":
            for d in ("subpoint", "item", "part", "text"):
                p.pop(d, None)
            if sum(1 for c in parent_children(node) if c.kind == "table") > 1:
                p["table"] = node.number or ""
        elif k == "row":
            p["row"] = node.number or ""
        elif k == "cell":
            p["cell"] = node.number or ""
            name = column_names.get(id(node))
            if name:
                p["cell_name"] = name
        node.path = {key: v for key, v in p.items() if v}
        node.locator = render_locator(node.path, lang)
        if k == "quote":
            tgt = node.target or {}
            new = render_locator(tgt, lang) if tgt else ""
            host = render_locator(path, lang)
            w = WORDS.get(lang, WORDS["ru"])["new"].format(t=host)
            node.locator = f"{new} ({w})" if new else w
            node.path = {**path, **{f"target_{a}": b for a, b in tgt.items()}}
        for c in node.children:
            rec(c, p, annex_count)

    for c in act.children:
        if c.kind == "preamble":
            c.locator = WORDS.get(lang, WORDS["ru"])["preamble"]
            for x in c.children:
                x.locator = c.locator
            continue
        rec(c, {}, 0)


def parse(text: str, units: bool = True) -> Node:
    """Parse a whole normalized document into a ``document`` node with one ``act`` per language
    version; ``units=False`` leaves the normative-unit decision out (``node.unit`` stays None)."""
    doc = Node("document", None, 0, len(text), 0, 0)
    segs = [s for s in detect_segments(text, min_chars=3000)]
    if len(segs) <= 1:
        bounds = [(0, len(text), segs[0].lang if segs else None)]
    else:
        bounds = []
        for k, s in enumerate(segs):
            a = 0 if k == 0 else s.start
            z = len(text) if k == len(segs) - 1 else segs[k + 1].start
            bounds.append((a, z, s.lang))
    for a, z, lang in bounds:
        act = parse_act(text, a, z, lang)
        _resolve_targets(act, text)
        _assign_locators(act, text)
        doc.children.append(act)
    if units:
        classify_units(doc, text)
    langs = {c.lang for c in doc.children}
    doc.lang = langs.pop() if len(langs) == 1 else "mixed"
    return doc


def _paragraph(b, ln, stack: list[Node], part_counter: dict[int, int], text_counter: dict[int, int]) -> Node:
    """An unnumbered paragraph: a part of the current point or article, the heading of a
    container that has none yet, or free text; appended to the innermost open container."""
    t = ln.text
    while len(stack) > 1 and stack[-1].kind in ("subpoint", "item"):
        stack.pop()
    top = stack[-1]
    if top.kind in ("point", "article"):
        k = part_counter[id(top)] = part_counter.get(id(top), 0) + 1
        node = b.node("part", ln, str(k + 1))
    elif (top.kind in ("chapter", "section", "paragraph", "annex") and _is_heading_like(t)
          and not any(c.kind in ("text", "point", "article") for c in top.children)
          and not top.title):
        node = b.node("heading", ln)
        top.title = t
    else:
        key = id(top)
        text_counter[key] = text_counter.get(key, 0) + 1
        node = b.node("text", ln, str(text_counter[key]))
    top.children.append(node)
    return node


def _resolve_targets(act: Node, text: str) -> None:
    lang = act.lang or "ru"
    for node in act.walk():
        quotes = [c for c in node.children if c.kind == "quote"]
        if not quotes:
            continue
        base = amendment_target(text[node.text_start:node.text_end], lang)
        last_point: dict | None = None       # the quoted point the lines after it continue
        for q in quotes:
            body = text[q.text_start:q.text_end].lstrip(_QUOTE_OPEN).strip()
            m_p = P_POINT.match(body)
            m_s = P_SUBPOINT.match(body)
            tgt = dict(base)
            if m_p and "article" not in tgt:
                tgt = last_point = {"point": _point_number(m_p)}
            elif m_s:
                tgt = {**(last_point or base), "subpoint": m_s.group(1)}
            elif last_point is not None:
                # «19, 20 және 21-тармақтар … жазылсын: "19. … Екінші абзац …"»: an unnumbered
                # paragraph belongs to the point quoted before it, not to the instruction's last one
                tgt = dict(last_point)
            q.number = _point_number(m_p) if m_p else (m_s.group(1) if m_s else None)
            q.target = tgt or None


def norms(doc: Node, text: str) -> list[Norm]:
    """The normative units, in document order: the nodes the unit classifier marked ``norm``
    (points, subpoints, parts, free text, quoted new wording, table cells that state a rule,
    notes that state one), outside preambles. A table cell's context is its column's name."""
    out: list[Norm] = []

    def rec(node: Node, lang: str, skip: bool, lead: str | None):
        if node.kind == "preamble":
            return
        own = text[node.text_start:node.text_end]
        if node.unit == "norm" and not skip and node.text_end > node.text_start:
            ctx = lead if node.kind in ("subpoint", "item", "quote") else None
            if node.kind == "cell":
                ctx = node.path.get("cell_name")
            out.append(Norm(id=f"n{len(out) + 1}", kind=node.kind, locator=node.locator, path=node.path,
                            start=node.text_start, end=node.text_end, text=own,
                            lang=detect(own, default=lang) if lang == "mixed" else lang,
                            target=node.target, context=ctx))
        child_lead = own if node.kind in ("point", "subpoint", "article", "quote") and own.rstrip().endswith(":") else lead
        if node.kind in ("annex", "chapter", "section", "paragraph", "operative"):
            child_lead = None
        sib_lead = child_lead
        for c in node.children:
            rec(c, node.lang or lang, skip, sib_lead)
            if c.kind == "quote" and text[c.text_start:c.text_end].rstrip().endswith(":"):
                sib_lead = text[c.text_start:c.text_end]   # «5. Основаниями для отказа являются:» leads the next quoted lines

    for act in doc.children:
        rec(act, act.lang or "ru", False, None)
    return out


def own_text_spans(doc: Node) -> list[tuple[int, int]]:
    """Own-text spans of every node, in document order: together they cover every non-blank line."""
    return sorted((n.text_start, n.text_end) for n in doc.walk() if n.text_end > n.text_start)
