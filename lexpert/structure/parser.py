"""Structure parser: a normalized act -> a tree of located nodes, in ru, kk and en.

It reads one paragraph per line (what :func:`lexpert.normalize.normalize` gives) and
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

from ..lang import detect, detect_segments
from ..records import NORM_KINDS, Node, Norm

# ---------------------------------------------------------------- line patterns
_NUM = r"\d+(?:-\d+)?"
P_CHAPTER = [
    re.compile(rf"^(?:Глава|ГЛАВА)\s+({_NUM}|[IVXLC]+)\.?(?:\s+(.*))?$"),
    re.compile(rf"^({_NUM})\s*-\s*(?:тарау|ТАРАУ)\.?(?:\s+(.*))?$"),
    re.compile(rf"^(?:Chapter|CHAPTER)\s+({_NUM}|[IVXLC]+)\.?(?:\s+(.*))?$"),
]
P_SECTION = [
    re.compile(rf"^(?:Раздел|РАЗДЕЛ)\s+({_NUM}|[IVXLC]+)\.?(?:\s+(.*))?$"),
    re.compile(rf"^({_NUM})\s*-\s*(?:бөлім|БӨЛІМ)\.?(?:\s+(.*))?$"),
    re.compile(rf"^(?:Section|SECTION)\s+({_NUM}|[IVXLC]+)\.?(?:\s+(.*))?$"),
    re.compile(r"^([IVX]{1,5})\.\s+(\S.{0,150})$"),
]
P_PARAGRAPH = [
    re.compile(rf"^(?:Параграф|ПАРАГРАФ|§)\s*({_NUM})\.?(?:\s+(.*))?$"),
    re.compile(rf"^({_NUM})\s*-\s*(?:параграф|ПАРАГРАФ)\.?(?:\s+(.*))?$"),
    re.compile(rf"^(?:Paragraph|PARAGRAPH)\s+({_NUM})\.(?:\s+(.*))?$"),
]
P_ARTICLE = [
    re.compile(rf"^(?:Статья|СТАТЬЯ)\s+({_NUM})\.?(?:\s+(.*))?$"),
    re.compile(rf"^({_NUM})\s*-\s*(?:бап|БАП)\.?(?:\s+(.*))?$"),
    re.compile(rf"^(?:Article|ARTICLE)\s+({_NUM})\.?(?:\s+(.*))?$"),
]
P_POINT = re.compile(r"^(\d+(?:-\d+)?(?:\.\d+)*)\.(?:\s+(.*)|$)")
P_SUBPOINT = re.compile(rf"^({_NUM})\)(?:\s*(.*)|$)")
P_ITEM = re.compile(r"^([а-яәa-z])\)\s+(.*)$")
P_NOTE = re.compile(r"^(?:Ескерту|Примечание|Сноска|Footnote|Ескертпе)\s*[.:]", re.I)
P_OPERATIVE = re.compile(
    r"(ПРИКАЗЫВАЮ|ПОСТАНОВЛЯЕТ|ПОСТАНОВЛЯЮ|РЕШИЛ|РЕШИЛА|РЕШИЛО|ПРИКАЗЫВАЕМ|"
    r"БҰЙЫРАМЫН|БҰЙЫРАМЫЗ|ҚАУЛЫ\s+ЕТЕДІ|ҚАУЛЫ\s+ЕТЕМІН|ШЕШІМ\s+ҚАБЫЛДАДЫ|ШЕШТІ|"
    r"HEREBY\s+ORDER|ORDER|DECREES|RESOLVES|DECIDED)\s*:\s*$"
)
P_ANNEX_START = re.compile(
    r"^(?:Утвержден[аоы]?|УТВЕРЖДЕН[АОЫ]?|Приложение|ПРИЛОЖЕНИЕ|Approved\s+by|APPROVED|Annex|ANNEX|Appendix)\b"
)
P_ANNEX_END_KK = re.compile(r"(?:бекітілген|бекітілді|БЕКІТІЛГЕН|қосымша|қосымшасы|ҚОСЫМША)\s*$")
P_ANNEX_DONE = re.compile(r"№\s*\S+|\d{4}\s+(?:года|г\.)|жылғы|No\.\s*\d+|\b\d{4}\b")
P_SIGNATURE = re.compile(
    r"^(?:[А-ЯӘҒҚҢӨҰҮҺІA-Z][^\d.;:]{0,110}\s)?[А-ЯӘҒҚҢӨҰҮҺІA-Z]\.\s?(?:[А-ЯӘҒҚҢӨҰҮҺІA-Z]\.\s?)?[А-ЯӘҒҚҢӨҰҮҺІA-Z][а-яәғқңөұүһіa-z]+(?:-[А-ЯA-Z][а-яa-z]+)?$"
)
P_AMEND_INTRO = re.compile(
    r"(редакции|содержания|редакцияда\s+жазылсын|жазылсын|мазмұндағы|мазмұнда|толықтырылсын|wording|as follows|read as)\s*:\s*$", re.I
)
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
PATH_ORDER = ("annex", "section", "chapter", "paragraph", "article", "point", "subpoint", "item", "part", "text")


def render_locator(path: dict[str, str], lang: str) -> str:
    """Render a structured path as the act's own words, outer to inner."""
    w = WORDS.get(lang, WORDS["ru"])
    parts = [w[k].format(n=path[k]) for k in PATH_ORDER if path.get(k)]
    return ", ".join(p for p in parts if p)


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


def parse_act(text: str, start: int = 0, end: int | None = None, lang: str | None = None) -> Node:
    """Parse one act occupying ``text[start:end]`` into an ``act`` node."""
    end = len(text) if end is None else end
    lang = lang or detect(text[start:end])
    b = _Builder(text, lang)
    lines = _lines(text, start, end)
    act = Node("act", None, start, end, start, start, lang=lang)
    n = len(lines)

    # ---- find the operative word; everything before it (or before the first structural line) is the preamble
    op_idx = next((i for i, ln in enumerate(lines) if ln.text and P_OPERATIVE.search(ln.text)), None)
    first_struct = next((i for i, ln in enumerate(lines) if ln.text and (
        _match_any(P_CHAPTER, ln.text) or _match_any(P_ARTICLE, ln.text) or _match_any(P_SECTION, ln.text)
        or P_POINT.match(ln.text) or _annex_header_at(lines, i))), n)
    body_from = op_idx + 1 if op_idx is not None and op_idx <= first_struct + 2 else first_struct
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

    def attach(node: Node, level: int | None):
        nonlocal stack
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
            hdr_lines = [x for x in lines[i:hdr_end] if x.text]
            annex = Node("annex", str(annex_no), hdr_lines[0].start, end, hdr_lines[0].start, hdr_lines[0].start,
                         lang=lang)
            for x in hdr_lines:
                annex.children.append(b.node("heading", x))
            j = hdr_end
            while j < n and not lines[j].text:
                j += 1
            if j < n and _is_annex_title(lines[j].text):
                annex.title = lines[j].text
                annex.children.append(b.node("heading", lines[j]))
                j += 1
            act.children.append(annex)
            stack = [annex]
            i = j
            continue
        if P_NOTE.match(t):
            attach(b.node("note", ln), None)
        elif m := _match_any(P_SECTION, t):
            attach(b.node("section", ln, m.group(1), m.group(2)), LEVEL["section"])
        elif m := _match_any(P_CHAPTER, t):
            attach(b.node("chapter", ln, m.group(1), m.group(2)), LEVEL["chapter"])
        elif m := _match_any(P_PARAGRAPH, t):
            attach(b.node("paragraph", ln, m.group(1), m.group(2)), LEVEL["paragraph"])
        elif m := _match_any(P_ARTICLE, t):
            attach(b.node("article", ln, m.group(1), m.group(2)), LEVEL["article"])
        elif m := P_POINT.match(t):
            node = b.node("point", ln, m.group(1))
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
            # an unnumbered paragraph: a part of the current point/article, or free text
            while len(stack) > 1 and stack[-1].kind in ("subpoint", "item"):
                stack.pop()
            top = stack[-1]
            if top.kind in ("point", "article"):
                k = sum(1 for c in top.children if c.kind == "part") + 2
                node = b.node("part", ln, str(k))
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
            if P_AMEND_INTRO.search(t):
                amend_intro = node
        i += 1

    _close_spans(act)
    return act


def _is_annex_title(t: str) -> bool:
    return (len(t) < 400 and not P_POINT.match(t) and not P_SUBPOINT.match(t)
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
        while j < len(lines) and j - i < 10:
            x = lines[j].text
            if not x:
                break
            if j > i and (len(x) > 160 or P_POINT.match(x) or _match_any(P_CHAPTER, x)):
                break
            if seen_done and j > i:
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


def _assign_locators(act: Node, text: str) -> None:
    lang = act.lang or "ru"

    def rec(node: Node, path: dict[str, str], annex_count: int):
        p = dict(path)
        k = node.kind
        if k == "annex":
            p = {"annex": node.number}
        elif k in ("section", "chapter", "paragraph", "article", "point", "subpoint", "item", "part", "text"):
            if k in ("point",):
                for d in ("subpoint", "item", "part", "text"):
                    p.pop(d, None)
            p[k] = node.number or ""
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


def parse(text: str) -> Node:
    """Parse a whole normalized document into a ``document`` node with one ``act`` per language version."""
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
    langs = {c.lang for c in doc.children}
    doc.lang = langs.pop() if len(langs) == 1 else "mixed"
    return doc


def _resolve_targets(act: Node, text: str) -> None:
    lang = act.lang or "ru"
    for node in act.walk():
        quotes = [c for c in node.children if c.kind == "quote"]
        if not quotes:
            continue
        base = amendment_target(text[node.text_start:node.text_end], lang)
        for q in quotes:
            body = text[q.text_start:q.text_end].lstrip(_QUOTE_OPEN).strip()
            m_p = P_POINT.match(body)
            m_s = P_SUBPOINT.match(body)
            tgt = dict(base)
            if m_p and "article" not in tgt:
                tgt = {"point": m_p.group(1)}
            elif m_s:
                tgt["subpoint"] = m_s.group(1)
            q.number = (m_p or m_s).group(1) if (m_p or m_s) else None
            q.target = tgt or None


def norms(doc: Node, text: str) -> list[Norm]:
    """The units that can carry factors, in document order: own texts of points, subpoints,
    parts, free text and quoted new wording, outside preambles, headings, notes and signatures."""
    out: list[Norm] = []

    def rec(node: Node, lang: str, skip: bool, lead: str | None):
        if node.kind == "preamble":
            return
        own = text[node.text_start:node.text_end]
        if (node.kind in NORM_KINDS or _is_norm_article(node)) and not skip and node.text_end > node.text_start:
            out.append(Norm(id=f"n{len(out) + 1}", kind=node.kind, locator=node.locator, path=node.path,
                            start=node.text_start, end=node.text_end, text=own,
                            lang=detect(own, default=lang) if lang == "mixed" else lang,
                            target=node.target, context=lead if node.kind in ("subpoint", "item", "quote") else None))
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


def _is_norm_article(node: Node) -> bool:
    """An article line that is itself a rule, not a heading: «Статья 1. Внести в Закон ...
    следующие изменения:», «2-бап. Осы Заң ... қолданысқа енгізіледі.»"""
    t = (node.title or "").strip()
    return node.kind == "article" and t.endswith((".", ":", ";")) and len(t.split()) > 6


def own_text_spans(doc: Node) -> list[tuple[int, int]]:
    """Own-text spans of every node, in document order: together they cover every non-blank line."""
    return sorted((n.text_start, n.text_end) for n in doc.walk() if n.text_end > n.text_start)
