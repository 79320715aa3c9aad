"""Normative units: which nodes of an act state a rule, and which are what an act also holds.

Every node whose own text a reader sees (points, subpoints, parts, free text, table cells,
notes, headings, stamps, signatures) gets ``node.unit``: ``"norm"`` for a normative unit, or
the kind of non-normative text it is (:data:`lexpert.records.UNIT_TYPES`): the act's
``title``, a ``heading``, a ``toc`` line, a table's ``figures``, an approval ``stamp``, a
``signature`` block, a blank ``form`` or form field, a publisher's ``editorial`` note, a
``footnote`` (abbreviations, asterisks), a ``repealed`` list, a ``list`` of names or
addresses, an ``empty`` unit (a bare «34.»).

Two layers, as the forms allow:

1. rules where the form is certain (the node's kind, an annex that is a blank form, also one
   whose header the export left in a table cell, an editorial note's opening words, a row of
   figures, a line of underscores and the caption above it, a form speaking to its reader
   («Сізге», «Ваше»), a section's number set among the points, a heading quoted under
   «тақырыбы … редакцияда жазылсын:», the line above a signature);
2. for the rest, a small learned classifier (:mod:`lexpert.structure.unitmodel`, trained by
   ``lexpert units train`` on real acts labelled by two annotators) when it is shipped,
   else the conservative heuristic :func:`heuristic_unit`.

Detectors, findings, KPI counts and the similarity engine see ``norm`` units only; the rest
stays in the structure for reading.
"""
from __future__ import annotations

import re
from collections import Counter
from itertools import accumulate
from typing import Any

from ..nlp.anchors import Anchored
from ..records import Node
from .measures import digit_share, letters

EDITORIAL = re.compile(
    r"^(?:Ескерту|Ескертпе|Сноска|ЗҚАИ-ның\s+ескертпесі|ҚР\s*ЗАИ-ның\s+ескертпесі|"
    r"Примечание\s+(?:ИЗПИ|РЦПИ)|Примечание\s+РЦПИ)\b", re.I)
EDITORIAL_BODY = re.compile(
    r"(?:өзгеріс|толықтыру|енгізілді|алып\s+тасталды|күші\s+жойыл|редакцияда|внесен|изменени|дополнени|"
    r"исключен|утратил|редакци|ЗҚАИ|ИЗПИ|РЦПИ|қолданысқа\s+енгізіледі\)|вводится\s+в\s+действие\))", re.I)
FORM_LINE = re.compile(r"_{4,}|\.{8,}|…{3,}")
FORM_FIELD = re.compile(
    r"^\(\s*(?:подпись|қолы|Ф\.?\s?И\.?\s?О|ФИО|фамилия|тегі|аты|дата|күні|мөр|печат|"
    r"должность|лауазым|наименование|атауы)\b.{0,160}\)$|^(?:М\.\s?П\.?|М\.\s?О\.?|мөр\s+орны|место\s+печати)\b",
    re.I)
FORM_HINT = re.compile(       # the instructions of a blank form to whoever fills it in
    r"\((?:тиісті\s+тор\w*|нужное\s+(?:отметить|подчеркнуть)|қажеттісінің\s+астын\s+сызу\w*|"
    r"заполняется\s+\w+|толтырылады)[^)]{0,80}\)\s*:?\s*$", re.I)
FORM_TITLE = re.compile(r"^(?:Форма|ФОРМА|Нысан|НЫСАН)\b.{0,60}$|\b(?:нысаны|форма)$|\S\s+нысан$|^\d+\s*-\s*(?:нысан|НЫСАН)\b.{0,40}$|"
                        r"^Форма\s*№?\s*\d+\S*$")
FORM_BLANK_END = re.compile(r"_{4,}\s*[;.,)]?\s*$")   # a line ending in a blank to fill in
FIRST_PERSON = re.compile(    # the applicant speaks: acts do not say «мен (біз)», «прошу», «подтверждаю»
    r"\bмен\s*\(біз\)|\(біз\)\s|^Я,|\bЯ,\s|\bсұраймын\b|\bрастаймын\b|\bкелісім\s+беремін\b|\bкелісемін\b|"
    r"\bобязуюсь\b|\bподтверждаю\b|\bдаю\s+согласие\b|\bпрошу\b|\bкепілдік\s+беремін\b|\bтаныстым\b|"
    r"\bознакомлен\(а\)|\bмiндеттенемін\b|\bміндеттенемін\b", re.I)
# a plan's or a programme's direction row: «5-бағыт: … Мақсаты: … Міндеттері: …», «Направление 2. … Цель: … Задачи:»
DIRECTION = re.compile(r"^\s*(?:\d+\s*-\s*бағыт\b|направление\s+\d+\b)|мақсаты:.{0,400}міндеттері:|цель:.{0,400}задачи:", re.I | re.S)
REPEALED_TITLE = re.compile(
    r"утративш\w+\s+силу|утрачивающ\w+\s+силу|признан\w*\s+утратившим|күші\s+жойыл\w*|күшін\s+жой\w*", re.I)
FOOTNOTE = re.compile(r"^(?:\*{1,3}|¹|²|³|\(\*\))\s*\S|^(?:Расшифровка\s+аббревиатур|Аббревиатуралард\w+\s+толық|"
                      r"Примечание:\s*\*|Ескертпе:\s*\*|Аббревиатуралардың)", re.I)
TOC = re.compile(r"\.{5,}\s*\d+\s*$|…{2,}\s*\d+\s*$")
POSITION = re.compile(
    r"(?:Министр|Премьер|Аким|Әкім|Председател|Төраға|Секретар|Хатшы|Руководител|Басшы|Директор|"
    r"Президент|сессиясының|мәслихатының|маслихата|Вице|Заместител|орынбасары|Глава|Бастығы|Начальник)",
    re.I)
_END = tuple(".;:!?")
FIGURE_SWAP = re.compile(      # an amendment that only replaces amounts: «"3 768 343" сандары "2 279 204" сандарымен ауыстырылсын»
    r"^[^«\"]{0,80}[«\"][\d\s,.\-]+[»\"]\s+сандары\s+[«\"][\d\s,.\-]+[»\"]\s+сандарымен|"
    r"^[^«\"]{0,80}цифр\w*\s+[«\"][\d\s,.\-]+[»\"]\s+заменить\s+цифрами\s+[«\"][\d\s,.\-]+[»\"]", re.I)
BUDGET = re.compile(r"(?:мың|млн\.?|млрд\.?|тыс\.|миллион\w*)\s+(?:теңге|тенге)", re.I)
# a plan of measures: rows «7-іс-шара. …», «Мероприятие 3. …»; columns «Аяқталу нысаны», «Срок исполнения»
PLAN_ROW = re.compile(r"^\s*(?:\d+\s*[-‑–]\s*іс-шара|іс-шара\s*№?\s*\d|мероприятие\s*№?\s*\d|\d+\.\s*мероприятие)", re.I)
PLAN_HEAD = re.compile(
    r"аяқта\w*\s*нысаны|форма\s+завершения|орындау\s+мерзім|срок\w*\s+(?:исполнения|реализации)|"
    r"іске\s+асыру\s+мерзім|жауапты\s+(?:орындаушы|мемлекеттік)|ответственн\w+\s+(?:исполнител|за\s+исполнение)|"
    r"қаржыландыру\s+көзі|источник\w*\s+финансирования|болжамды\s+(?:сома|шығыс)|предполагаемые\s+расходы", re.I)
# a cell that only names bodies: «ДСМ», «тиісті әкімшілік-аумақтық бірліктің ЖАО, ДСМ», «Әділетмині», «МИО (по согласованию)»
_ACRONYM = re.compile(r"(?<![\w-])[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]{2,}[а-яәғқңөұүһі]{0,4}(?![\w-])")
_BODY_WORD = re.compile(r"министрлі\w*|министерств\w*|\w*мині\b|әкімдіг\w*|акимат\w*|әкімшілік-аумақтық|"
                        r"ведомств\w*|келісу\s+бойынша|по\s+согласованию|облыстардың|областей|городов|қалалардың", re.I)


def _names_bodies(t: str) -> bool:
    t = t.strip()
    if not t or len(t.split()) > 10 or _sentence_like(t) or t.endswith((".", ";", ":")):
        return False
    rest = _BODY_WORD.sub(" ", _ACRONYM.sub(" ", t))
    named = bool(_ACRONYM.search(t) or _BODY_WORD.search(t))
    return named and letters(rest) <= 0.6 * letters(t)


# an annex that is a document template: a protocol, an act of acceptance, an application, a notice,
# a certificate, a pass — named so at the head of its title (ru) or at its end (kk)
FORM_DOC = re.compile(
    r"^(?:протокол|акт|заявление|уведомление|справка|журнал|ведомость|бланк|свидетельство|удостоверение|"
    r"пропуск|доверенность|анкета|расписка|направление|запрос)\b|"
    r"\b(?:хаттама\w*|актісі|акті|өтініш\w*|хабарлама\w*|анықтама\w*|журнал\w*|рұқсаттама\w*|бланк\w*|"
    r"куәлі\w*|сенімхат\w*|сауалнама\w*|қолхат\w*|жолдама\w*|бағалау\s+парағы|оценочный\s+лист|"
    r"туралы\s+қорытынды(?:сы)?|туралы\s+мәліметтер)\s*(?:\([^)]*\))?\s*$|^(?:заключение|сведения)\s+(?:о|об|по)\b", re.I)
# the header of an administrative data form: «Кезеңділігі:», «Қайда ұсынылады:», «Периодичность:», «Куда представляется:»
ADMIN_FORM_HEAD = re.compile(r"^\s*(?:Кезеңділігі?|Периодичность|Индексі?|Қайда\s+ұсынылады|Куда\s+представляется|"
                             r"Ақпарат\s+ұсынатын\s+тұлғалар\s+тобы|Круг\s+лиц,?\s+представляющих|Ұсыну\s+мерзімі|"
                             r"Срок\s+представления)\b[^:\n]{0,40}:", re.I | re.M)
# a treaty's «… agreed as follows:» closes its recitals
AGREED = re.compile(r"(?:туралы|бойынша)\s+келісті\s*:\s*$|договорились\s+о\s+(?:нижеследующем|следующем)\s*:\s*$", re.I)
# a new heading quoted in an amendment: «"2-тарау. …"», «"Глава 3. …"»
QUOTED_HEADING = re.compile(r'^[«"]\s*(?:\d+(?:-\d+)?\s*-?\s*(?:тарау|бөлім|параграф)\b|(?:Глава|Раздел|Параграф)\s+\d)', re.I)
# a member of a commission's composition: «… президенті (келісім бойынша);», «… (по согласованию);»
MEMBER = re.compile(r"\((?:келісім|келісу)\s+бойынша\)\s*[;.,]?\s*$|\(по\s+согласованию\)\s*[;.,]?\s*$", re.I)

# the form speaks to whoever receives or fills it in: «Сізге …», «Ваше обращение», «… біреуін таңдаңыз:»
# (case-sensitive: the polite capital of a letter or a notice; acts speak of persons in the third person)
ADDRESSEE = re.compile(
    r"(?<!\w)(?:Сіз(?:ге|дің|ді|ден)?|Вы|Вам|Вас|Ваш\w*)(?!\w)|"
    r"(?<!\w)(?:таңдаңыз|көрсетіңіз|толтырыңыз|белгілеңіз|выберите|укажите|заполните|отметьте|подчеркните)(?!\w)")
# an amendment's lead-in to a new heading or title: «6-тараудың тақырыбы мынадай редакцияда жазылсын:»,
# «заголовок главы 2 изложить в следующей редакции:»; the quoted line under it is that heading or title
RENAME_LEADIN = re.compile(
    r"(?:(?P<head>тақырыб\w*|заголов\w*)|(?P<title>атау\w*|наименовани\w*|названи\w*))\s[^:]{0,60}"
    r"(?:редакцияда\s+жазылсын|изложить\s+в\s+(?:следующей|новой)\s+редакции|в\s+следующей\s+редакции)[^:]{0,40}:\s*$", re.I)
# the address fields of a polling station or a district: «Орналасқан жері: …», «Шекаралары: …», «Границы: …»
PLACE_FIELD = re.compile(r"^\s*(?:Орналасқан\s+жері|Шекаралары|Местонахождение|Границы)\s*:", re.I)
# an act's title under its draft mark or in a bulletin: «… туралы Қазақстан Республикасының МӘЛІМДЕМЕСІ», «… ҚАҒИДАСЫ»
TITLE_END = re.compile(r"[a-zа-яёәғқңөұүһі»\"]\s+[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]{5,}\s*$")
_POINT_NO = re.compile(r"\s*[«\"]?(\d{1,3})\.\s")
_DECREE_END = re.compile(r"(?:сын|сін|ть|ться)[»\"]?\s*$")    # an operative point: «… деп танылсын», «… признать утратившим силу»
# the header of an annex that the export left in a one-cell table row, its lines glued:
# «…№ 275 бұйрығына1-қосымшаҚазақстан…», «…Бұйрыққақосымша…», «Приложение 2 к приказу …»
ANNEX_CELL = re.compile(
    r"(?:\d+\s*-\s*|[а-яәғқңөұүһі](?:ға|ге|қа|ке|на|не)\s*)[Ққ]осымша(?:сы)?(?:нысан|(?![а-яәғқңөұүһі]))|"
    r"^\s*Приложение\s*№?\s*\d*\s*(?:к\s|$)")
# … saying the annex is a form: «…11-қосымшанысан», «… Форма»
ANNEX_CELL_FORM = re.compile(r"[Ққ]осымша(?:сы)?\s*(?:нысан|Нысан|НЫСАН)(?![а-яәғқңөұүһі])|(?<![а-яё])(?:Форма|ФОРМА)(?![а-яё])")

# Speed only: the patterns read on every unit skip a text that holds none of the literals every
# match contains (nlp.anchors.Anchored: the same answers; tests/test_structure.py checks them).
(EDITORIAL_BODY, FIRST_PERSON, ADDRESSEE, PLAN_HEAD, POSITION, FORM_DOC, FORM_TITLE, BUDGET, _BODY_WORD,
 ANNEX_CELL, ANNEX_CELL_FORM, RENAME_LEADIN, DIRECTION, AGREED, REPEALED_TITLE, FIGURE_SWAP, MEMBER, PLACE_FIELD,
 FORM_HINT, QUOTED_HEADING, PLAN_ROW, EDITORIAL) = map(Anchored, (
    EDITORIAL_BODY, FIRST_PERSON, ADDRESSEE, PLAN_HEAD, POSITION, FORM_DOC, FORM_TITLE, BUDGET, _BODY_WORD,
    ANNEX_CELL, ANNEX_CELL_FORM, RENAME_LEADIN, DIRECTION, AGREED, REPEALED_TITLE, FIGURE_SWAP, MEMBER, PLACE_FIELD,
    FORM_HINT, QUOTED_HEADING, PLAN_ROW, EDITORIAL))
FORM_LINE = Anchored(FORM_LINE, ("____", "........", "………"))
FORM_BLANK_END = Anchored(FORM_BLANK_END, ("____",))
TOC = Anchored(TOC, (".....", "……"))


# ---------------------------------------------------------------- rules of rounds 11-12
# the answer columns of a table an inspector or a respondent fills in: «Талаптарға сай | Талаптарға сай емес»,
# «Соответствует | Не соответствует», «Иә | Жоқ», «Да | Нет», «Выполнено | Не выполнено»
ANSWER_HEAD = re.compile(
    r"(?:талаптарға\s+)?(?:сай|сәйкес(?:\s+келеді)?)(?:\s*/\s*(?:сай|сәйкес)?\s*(?:емес|келмейді))?|"
    r"(?:талаптарға\s+)?(?:сай\s+емес|сәйкес\s+келмейді)|(?:не\s+)?соответству\w*(?:\s*/\s*не\s+соответству\w*)?|"
    r"(?:требованиям\s+)?(?:не\s+)?соответству\w*(?:\s+требованиям)?|иә|ия|жоқ|да|нет|(?:не\s+)?выполнено|орындалды|орындалмады",
    re.I)
# a treaty's closing formula: «… тиісті Өкілетті өкілдер (өз) қолдарын қойды.», «ОСЫНЫ КУӘЛЕНДІРУ ҮШІН …»,
# «В удостоверение чего нижеподписавшиеся … подписали настоящее Соглашение»
TREATY_SIGN = re.compile(
    r"\bқолдарын\s+қойды\b|^ОСЫНЫ\s+КУӘЛЕНДІРУ\s+ҮШІН\b|^Осыны\s+куәландыру\s+үшін\b|"
    r"^В\s+(?:УДОСТОВЕРЕНИЕ|удостоверение)\s+(?:ЧЕГО|чего)\b|\bнижеподписавшиеся\b.{0,200}\bподписали\b", re.S)
TREATY_SIGN = Anchored(TREATY_SIGN)         # case-sensitive: its literals, lower-cased, are still in any match
# a closing signature line of a position and a name: «Тамды селолық округінің әкімі Султанов Т.Б.»
_CAP = "А-ЯЁӘҒҚҢӨҰҮҺІ"
SIGNED_NAME = re.compile(rf"[{_CAP}][а-яёәғқңөұүһі]+(?:-[{_CAP}][а-яёәғқңөұүһі]+)?\s+[{_CAP}]\.\s?[{_CAP}]\.?\s*$|"
                         rf"\s[{_CAP}]\.\s?[{_CAP}]\.\s?[{_CAP}][а-яёәғқңөұүһі]+\s*$")
MONEY_HEAD = re.compile(r"(?:мың|млн\.?|млрд\.?|тыс\.?)\s*(?:теңге|тенге)", re.I)
LEAD_AMOUNT = re.compile(r"\s*\d[\d\s]{2,}(?:[,.]\d+)?\s+(?!жыл|год|ж\.|г\.)[^\d\s]", re.I)     # «500 спорт ұйымдарының …»: a sum glued to its line
# a hint to tick a line: «(тиісті жолға Х қою қажет)», «(отметить знаком Х)»
TICK_HINT = re.compile(r"\((?:тиісті\s+жол\w*|тиістісіне)\s+[XХ]\s+(?:белгісін\s+)?қою\w*[^)]{0,40}\)|"
                       r"\((?:нужное\s+)?отметить\s+(?:знаком\s+)?[«\"]?[XХV][»\"]?[^)]{0,40}\)", re.I)
TICK_BOX = re.compile(r"[☐□⬜❑]")     # a box to tick: «5) Спорттық ☐.»
AMEND_VERB = re.compile(r"толықтырылсын|редакцияда|жазылсын|ауыстырылсын|алып\s+тасталсын|изложить|дополнить|"
                        r"заменить|исключить|редакции", re.I)
# a budget line flattened into text: «1 Салыққа жатпайтын өзге де түсімдер 5763525» (code, name, amount)
BUDGET_LINE = re.compile(r"^\s*\d{1,3}\s+[^\d\s][^\d]{3,200}?\s(?:\d{1,3}(?:\s\d{3})+|\d{4,})(?:[,.]\d+)?\s*$")
# an amended budget subpoint that only states a sum: «"4) … көмекке 98998 мың теңге.";»
SUM_END = re.compile(r"\d[\d\s]*(?:[,.]\d+)?\s*(?:мың|млн\.?|млрд\.?|тыс\.|миллион\w*)\s+(?:теңге|тенге)\W*$", re.I)


def _cell_text(c: Node, text: str) -> str:
    return " ".join(text[c.text_start:c.text_end].split()).strip(" .:;*")


def _is_answer_form(table: Node, text: str) -> bool:
    """A table to fill in with ticks (a checklist, a questionnaire; GUIDELINES rule 13): a header
    row among the first three that names answer columns («Талаптарға сай | … сай емес»,
    «Соответствует | Не соответствует», «Иә | Жоқ»), and body rows that mostly leave those
    columns empty (the parse gives them fewer cells than the header)."""
    rows = table.children
    for i, h in enumerate(rows[:3]):
        answers = sum(1 for c in h.children if ANSWER_HEAD.fullmatch(_cell_text(c, text)))
        if not answers or len(h.children) < 2:
            continue
        body = [r for r in rows[i + 1:] if not all(_ROWNUM.fullmatch(_cell_text(c, text) or "x") for c in r.children)]
        return len(body) >= 2 and sum(1 for r in body if len(r.children) <= len(h.children) - answers) >= 0.6 * len(body)
    return False


def _is_money_table(table: Node, text: str) -> bool:
    """A table whose header (its first row) says its figures are sums: «Сома, (мың теңге)», «тыс. тенге»."""
    return bool(table.children) and any(MONEY_HEAD.search(_cell_text(c, text)) for c in table.children[0].children)


def _is_field_table(table: Node, text: str) -> bool:
    """A one-column table of a form's field captions: «Клиникалық диагноз», «Денсаулық тобы:» …, a
    quarter or more of its cells ending with a colon (what to fill in follows), hardly a sentence."""
    cells = [_cell_text(c, text) for r in table.children for c in r.children]
    if len(cells) < 6 or any(len(r.children) > 1 for r in table.children):
        return False
    colon = sum(1 for r in table.children for c in r.children
                if text[c.text_start:c.text_end].rstrip().endswith(":"))
    sentences = sum(1 for r in table.children for c in r.children if _sentence_like(text[c.text_start:c.text_end]))
    return colon >= 0.25 * len(cells) and sentences <= 0.1 * len(cells)


def _is_report_table(table: Node, text: str) -> bool:
    """A statistical report's table: among its first three rows, the row of column codes «А | Б | 1 | 2 | 3»."""
    for r in table.children[:3]:
        cells = [_cell_text(c, text) for c in r.children]
        if len(cells) >= 4 and cells[0] in ("А", "A") and cells[1] in ("Б", "B") and all(
                c.isdigit() or c in ("В", "Г") for c in cells[2:]):
            return True
    return False


def _is_code_row(row: Node, text: str) -> bool:
    """A row of options or report lines, each followed by its running code: «… | 1 | … | 2 | … | 3»
    (a questionnaire's answer codes, a statistical report's line codes); bare numbers only, so that
    a numbered list glued into one row («1. | … | 2. | …») is not one."""
    cells = [text[c.text_start:c.text_end].strip() for c in row.children]     # «1», not «1.» (a numbered list)
    if len(cells) < 6:
        return False
    codes = [int(c) for c in cells[1::2] if c.isdigit() and len(c) <= 3]
    if len(codes) < 3 or len(codes) < 0.8 * len(cells[1::2]):
        codes = [int(c) for c in cells[0::2] if c.isdigit() and len(c) <= 3]
        if len(codes) < 3 or len(codes) < 0.8 * len(cells[0::2]):
            return False
    return all(b == a + 1 for a, b in zip(codes, codes[1:]))


# a placeholder of a template to fill in: «[уәкілетті органның атауы]», «[номер уведомления]»
PLACEHOLDER = re.compile(r"\[[^\]\[\d]{3,120}\]?")


def _is_template_table(table: Node, text: str) -> bool:
    """A template printed as a table (a notification, a certificate): a third or more of its
    non-empty cells hold a bracketed placeholder «[хабарлама нөмірі]» to fill in (three at least)."""
    cells = [text[c.text_start:c.text_end] for r in table.children for c in r.children]
    cells = [c for c in cells if c.strip()]
    held = sum(1 for c in cells if "[" in c and PLACEHOLDER.search(c))
    return held >= 3 and held >= len(cells) / 3


_CODE_CELL = re.compile(r"\d{6,9}")


def _is_register_table(table: Node, text: str) -> bool:
    """A register or classifier printed as a table: five or more rows carry a bare 6-9 digit code
    in a cell of their own before the row's last (the Register of state services' «00201009», a
    classifier's code; a sum closes a budget row instead); its cells name what is registered and
    set no rule of the act. A table of figures stays one (:func:`_register_table_rule`)."""
    return sum(1 for r in table.children
               if any(_CODE_CELL.fullmatch(text[c.text_start:c.text_end].strip()) for c in r.children[:-1])) >= 5


def _numbers_row(row: Node, text: str) -> bool:
    """A row that only numbers the columns: «1 | 2 | 3» (running from 1, three or more cells)."""
    cells = [text[c.text_start:c.text_end].strip(" .") for c in row.children]
    return len(cells) >= 3 and cells == [str(i) for i in range(1, len(cells) + 1)]


def _header_rows(table: Node, text: str) -> frozenset[int]:
    """Start offsets of the cells above a row of column numbers among a table's first four rows:
    the header, whatever the parse made of it (a row-label table reads its first row as a body row)."""
    for i, r in enumerate(table.children[:4]):
        if i and _numbers_row(r, text):
            return frozenset(c.text_start for h in table.children[:i] for c in h.children)
    return frozenset()


def layout_unit(node: Node, t: str, ctx: dict) -> str | None:
    """The rules written from rounds 11-12 (see :data:`LAYOUT_RULES`): the first that decides."""
    for _, rule in LAYOUT_RULES:
        u = rule(node, t, ctx)
        if u:
            return u
    return None


def _answer_table_rule(node: Node, t: str, ctx: dict) -> str | None:
    return "form" if ctx.get("answer_table") and node.kind in ("cell", "row") else None


def _code_row_rule(node: Node, t: str, ctx: dict) -> str | None:
    return "form" if ctx.get("code_row") and node.kind == "cell" else None


def _treaty_signature_rule(node: Node, t: str, ctx: dict) -> str | None:
    return "signature" if node.kind != "cell" and len(t) < 400 and TREATY_SIGN.search(t) else None


def _signed_name_rule(node: Node, t: str, ctx: dict) -> str | None:
    ok = (node.kind in ("part", "text") and len(t.split()) <= 8 and POSITION.search(t)
          and SIGNED_NAME.search(t) and not ctx.get("table"))
    return "signature" if ok else None


def _money_table_rule(node: Node, t: str, ctx: dict) -> str | None:
    ok = node.kind == "cell" and ctx.get("money_table") and not _sentence_like(t) and len(t.split()) <= 25 and LEAD_AMOUNT.match(t)
    return "figures" if ok else None


def _report_table_rule(node: Node, t: str, ctx: dict) -> str | None:
    return "form" if node.kind == "cell" and ctx.get("report_table") else None


def _field_table_rule(node: Node, t: str, ctx: dict) -> str | None:
    return "form" if node.kind == "cell" and ctx.get("field_table") and ctx.get("annex") else None


def _form_caption_rule(node: Node, t: str, ctx: dict) -> str | None:
    """The caption of a form's line below it: «Ұсыныстың қабылданғаны туралы хабарлама:» over
    «Жұмыс органы 20 жылғы "__" ______ сағат __ қабылдады.»; not a numbered point or an amendment's
    lead-in (its new wording may hold a form)."""
    nxt = ctx.get("next") or ""
    ok = (node.kind in ("part", "text") and t.rstrip().endswith(":") and len(t) < 150 and not t[:1].isdigit()
          and not AMEND_VERB.search(t) and len(nxt) < 300 and len(re.findall(r"_{2,}", nxt)) >= 2)
    return "form" if ok else None


def _tick_hint_rule(node: Node, t: str, ctx: dict) -> str | None:
    return "form" if len(t) < 200 and (TICK_HINT.search(t) or TICK_BOX.search(t)) else None


def _template_table_rule(node: Node, t: str, ctx: dict) -> str | None:
    return "form" if node.kind in ("cell", "row") and ctx.get("template_table") else None


def _register_table_rule(node: Node, t: str, ctx: dict) -> str | None:
    return "list" if node.kind == "cell" and ctx.get("register_table") and not ctx.get("figures_table") else None


def _numbered_header_rule(node: Node, t: str, ctx: dict) -> str | None:
    return "heading" if node.kind == "cell" and node.text_start in ctx.get("header_cells", ()) else None


def _open_hint_rule(node: Node, t: str, ctx: dict) -> str | None:
    """A blank's hint that the export cut across lines: «(жергілікті атқарушы органның» under
    «_______________басшысы»: a short unit that opens a parenthesis it does not close, right after
    a line with a blank."""
    s = t.lstrip()
    ok = (s.startswith("(") and len(t) < 120 and t.count("(") > t.count(")")
          and FORM_LINE.search(ctx.get("prev") or ""))
    return "form" if ok else None


def _budget_line_rule(node: Node, t: str, ctx: dict) -> str | None:
    if node.kind in ("part", "text", "point", "subpoint") and BUDGET_LINE.match(t):
        return "figures"
    if node.kind in ("quote", "subpoint") and SUM_END.search(t) and len(t) < 300:
        return "figures"
    return None


LAYOUT_RULES = (("answer_table", _answer_table_rule), ("code_row", _code_row_rule),
                ("treaty_signature", _treaty_signature_rule), ("signed_name", _signed_name_rule), ("tick_hint", _tick_hint_rule),
                ("budget_line", _budget_line_rule), ("money_table", _money_table_rule), ("report_table", _report_table_rule),
                ("field_table", _field_table_rule), ("form_caption", _form_caption_rule),
                ("template_table", _template_table_rule), ("numbered_header", _numbered_header_rule),
                ("open_hint", _open_hint_rule), ("register_table", _register_table_rule))


def _pure_blank(t: str) -> bool:
    """A line that is only a blank to fill in: «______________;»."""
    return bool(FORM_LINE.search(t)) and letters(FORM_LINE.sub("", t)) < 3


def _section_heading(node: Node, t: str, nxt: str) -> bool:
    """A numbered section heading set among points: «3. … қызметін ұйымдастыру» with no end
    punctuation, followed by a point that skips ahead in the points' own count («19. …») or
    opens it («1. …»); not an operative point that lost its full stop («… деп танылсын»)."""
    m = _POINT_NO.match(nxt)
    if (node.kind != "point" or not (node.number or "").isdigit() or not m or t.rstrip().endswith(_END)
            or len(t.split()) > 40 or _DECREE_END.search(t)):
        return False
    k = int(m.group(1))
    return k > int(node.number) + 1 or k == 1


TREATY = re.compile(r"туралы\s+Хаттама$|^Протокол\s+(?:между|о\s+внесении|к\s+Соглашению)\b")   # a protocol to a treaty states rules


def _annex_is_form(annex: Node, text: str) -> bool:
    heads = [text[c.text_start:c.text_end] for c in annex.children if c.kind == "heading"]
    if annex.title:
        heads.append(annex.title)
    title = " ".join((annex.title or "").split())
    blank = FORM_LINE.search(title)        # «… ӨТІНІШ – САУАЛНАМА ______ полиция органының атауы»
    core = (title[:blank.start()] if blank else title).strip(" -–—:;,.")
    return any(FORM_TITLE.search(h.strip()) for h in heads) or bool(
        core and FORM_DOC.search(core) and not TREATY.search(core))


def _annex_is_repealed(annex: Node) -> bool:
    return bool(annex.title and REPEALED_TITLE.search(annex.title))


def _sentence_like(t: str) -> bool:
    """A cell that reads as a sentence of a rule, not a name: ends as a sentence and has words."""
    n = len(t.split())
    return n >= 8 and t.rstrip().endswith((".", ";", ":"))


BUDGET_CODE = re.compile(r"0\d{1,3}|\d{3}(?:\.\d{3}){0,2}")    # budget classification: «008», «467», «123.013.000»
AMOUNT = re.compile(r"-?\d[\d\s]*[,.]\d+|-?\d{4,}|\d{1,3}(?:\s\d{3})+")


def _table_is_figures(table: Node, text: str) -> bool:
    """A table of figures: a budget (codes, names of programmes and administrators, amounts),
    statistics. Amounts or budget codes in many cells and almost no cell that reads as a
    sentence; a table whose only numbers are its row numbers («1.», «2.») is not one."""
    cells = [text[c.text_start:c.text_end] for r in table.children for c in r.children]
    if not cells:
        return True
    numeric = sum(1 for c in cells if digit_share(c) > 0.5 or letters(c) < 2)
    amounts = sum(1 for c in cells if AMOUNT.fullmatch(c.strip()) or BUDGET_CODE.fullmatch(c.strip()))
    sentences = sum(1 for c in cells if _sentence_like(c))
    return (numeric / len(cells) > 0.35 and amounts / len(cells) >= 0.12
            and sentences / len(cells) < 0.1)


_ROWNUM = re.compile(r"\d{1,3}(?:[.-]\d+)*\.?")


def _is_standard(table: Node, text: str) -> bool:
    """A service standard's layout: numbered rows of three cells — number, what is set, its value."""
    rows = table.children
    if len(rows) < 4:
        return False
    std = sum(1 for r in rows if len(r.children) == 3
              and _ROWNUM.fullmatch(text[r.children[0].text_start:r.children[0].text_end].strip()))
    return std / len(rows) >= 0.6


def _is_plan(table: Node, text: str) -> bool:
    """A plan of measures: a header naming two of a plan's columns (form of completion, term,
    executors, source of funds), or rows that open «N-іс-шара» / «Мероприятие N»."""
    rows = table.children
    if not rows:
        return False
    for r in rows[:2]:
        if sum(1 for c in r.children if PLAN_HEAD.search(text[c.text_start:c.text_end])) >= 2:
            return True
    firsts = [text[r.children[0].text_start:r.children[0].text_end] for r in rows if r.children]
    return sum(1 for f in firsts if PLAN_ROW.match(f)) >= max(2, 0.3 * len(rows))


def _repeated_cells(table: Node, text: str) -> frozenset[int]:
    """Start offsets of cells whose text recurs in 3 or more rows of the same column of a table of
    6 or more rows: a category value («қаржыландыру талап етілмейді», «орындалған жұмыстар
    актісі»), not a rule stated for its row."""
    if len(table.children) < 6:
        return frozenset()
    keyed = [(c.text_start, (c.number, " ".join(text[c.text_start:c.text_end].split()).lower()))
             for r in table.children for c in r.children]
    seen = Counter(key for _, key in keyed)
    return frozenset(start for start, key in keyed if seen[key] >= 3)


def rule_unit(node: Node, t: str, ctx: dict) -> str | None:
    """The unit type where the form says it for certain, else None."""
    k = node.kind
    if k == "stamp":
        return "stamp"
    if k == "signature":
        return "signature"
    if k == "heading":
        return "title" if ctx.get("preamble") else "heading"
    if k in ("chapter", "section", "paragraph"):
        return "heading"
    if ctx.get("preamble"):
        return "preamble"
    if letters(t) < 3:
        return "empty"
    if EDITORIAL.match(t) and (k == "note" or EDITORIAL_BODY.search(t)):
        return "editorial"
    if ctx.get("form_annex"):
        return "form"
    u = layout_unit(node, t, ctx)
    if u:
        return u
    if FORM_LINE.search(t) and letters(FORM_LINE.sub("", t)) < 40:
        return "form"
    # (below, the cheap tests of length and kind come before the patterns: the same answers)
    if len(t) < 200 and FORM_FIELD.match(t):
        return "form"
    if len(t) < 200 and not t.endswith((".", ";")) and FORM_HINT.search(t):
        return "form"
    if len(t) < 300 and FORM_BLANK_END.search(t):
        return "form"
    blanks = len(FORM_LINE.findall(t))
    if blanks >= 2 and len(t) < 300 or blanks >= 3:
        return "form"                    # «сенімхат көшірмесі _______ парақта ______ данада;»
    if FIRST_PERSON.search(t) or ADDRESSEE.search(t):
        return "form"
    nxt = ctx.get("next") or ""
    if ctx.get("annex") and k != "cell" and _pure_blank(nxt) and not t.rstrip().endswith((".", ";")):
        return "form"                    # the caption of a blank line below it: «2) сақтанушы» / «______;»
    if TOC.search(t):
        return "toc"
    if len(t) < 200 and AGREED.search(t):
        return "preamble"
    if k == "quote" and QUOTED_HEADING.match(t) and len(t) < 300 and not t.rstrip(' ";»').endswith((".", ";")):
        return "heading"
    if k in ("quote", "text", "part") and len(t) < 400:
        m = RENAME_LEADIN.search(ctx.get("prev") or "")
        if m:
            return "heading" if m.group("head") else "title"
    if k != "cell" and PLACE_FIELD.match(t):
        return "list"
    if k != "cell" and len(t) < 600 and TITLE_END.search(t):
        return "title"
    if _section_heading(node, t, nxt):
        return "heading"
    if k in ("point", "subpoint", "part", "text", "item") and MEMBER.search(t) and len(t.split()) <= 14:
        return "list"
    if k in ("text", "part", "cell", "row", "point") and not t.rstrip().endswith(";") and DIRECTION.search(t):
        return "heading"
    if FOOTNOTE.match(t):
        return "footnote"
    if ctx.get("repealed_annex") and k in ("point", "subpoint", "item", "part", "text"):
        return "repealed"
    if (BUDGET.search(t) and digit_share(t) > 0.2) or FIGURE_SWAP.search(t):
        return "figures"
    if k == "cell" and ctx.get("standard_table") and ctx.get("row_cells") == 3:
        if node.number == "2":
            return "heading"             # «Основания для отказа …»: the name of what the row sets
        if node.number == "3":
            return "norm"                # its value: the term, the fee, the documents, the grounds
    if k == "cell" and node.text_start in ctx.get("repeated", ()) and not _sentence_like(t):
        return "list"
    if k == "cell" and ctx.get("plan_table") and not PLAN_ROW.match(t) and len(t.split()) < 8:
        return "list"                    # a plan's form of completion, term, source, executors
    if k == "cell" and _names_bodies(t):
        return "list"
    if k != "cell" and " | " in t:       # a table row quoted whole in an amendment: «64. | Туу туралы анықтама беру | Әділетмині»
        cells = [c.strip() for c in t.split(" | ") if c.strip()]
        if len(cells) >= 2 and not any(_sentence_like(c) for c in cells) and _names_bodies(cells[-1]):
            return "list"
    if k == "cell":
        if ctx.get("figures_table") and not _sentence_like(t):
            return "figures"
        if digit_share(t) > 0.5:
            return "figures"
    if k == "article" and not _article_states_rule(node):
        return "heading"
    if (t.endswith(":") and k in ("point", "subpoint", "part", "text", "quote", "article")
            and re.match(r"[«\"]?(?:\d{1,3}|[а-яәa-z])\)\s", nxt) and not FIGURE_SWAP.search(nxt)
            and not (BUDGET.search(nxt) and digit_share(nxt) > 0.2)):
        return "norm"                    # the lead-in of a list of subpoints: «Тұтынушы:», «… мыналар:»
    if ctx.get("before_signature") and len(t) < 160 and not t.endswith(_END) and POSITION.search(t):
        return "signature"
    return None


def _article_states_rule(node: Node) -> bool:
    title = (node.title or "").strip()
    return title.endswith((".", ":", ";")) and len(title.split()) > 6


def heuristic_unit(node: Node, t: str, ctx: dict) -> str:
    """The fallback where no rule decides and no learned model is shipped."""
    words = len(t.split())
    if node.kind == "cell":
        if ctx.get("header_row") or (ctx.get("row_cells", 0) >= 2 and not ctx.get("last_cell") and words < 25):
            return "heading"             # a column's or a row's name
        if ctx.get("last_cell") and ctx.get("row_cells", 0) >= 2:
            return "norm"                # a value beside its name: what a standard sets
        return "norm" if words >= 4 else "list"
    if node.kind in ("text", "part", "note") and words <= 12 and not t.endswith(_END) and not t.startswith(("«", '"')):
        return "heading"
    return "norm"


def contexts(act: Node, text: str) -> list[tuple[Node, str, dict]]:
    """Every candidate node of ``act`` with its own text and the context the rules and the
    model read: the annex kind, the table, the neighbouring lines."""
    from ..records import CANDIDATE_KINDS

    out: list[tuple[Node, str, dict]] = []

    def rec(node: Node, ctx: dict):
        k = node.kind
        c = dict(ctx)
        if k == "preamble":
            c["preamble"] = True
        elif k == "annex":
            c = {"annex": True, "_annex_at": node.text_start, "_annex_title": node.title or "",
                 "form_annex": _annex_is_form(node, text),
                 "repealed_annex": _annex_is_repealed(node), "_plan_widths": set()}
        elif k == "table":
            c["table"] = True
            c["figures_table"] = _table_is_figures(node, text)
            c["table_rows"] = len(node.children)
            widths = Counter(len(r.children) for r in node.children)
            c["table_width"] = max(widths, key=lambda w: (widths[w], w)) if widths else 0
            c["standard_table"] = _is_standard(node, text)
            c["repeated"] = _repeated_cells(node, text)
            c["answer_table"] = _is_answer_form(node, text)
            c["money_table"] = _is_money_table(node, text)
            c["report_table"] = _is_report_table(node, text)
            c["field_table"] = _is_field_table(node, text)
            c["template_table"] = _is_template_table(node, text)
            c["register_table"] = _is_register_table(node, text)
            c["header_cells"] = _header_rows(node, text)
            plan = _is_plan(node, text)
            holder = ctx.get("_plan_widths")
            if plan and holder is not None:
                holder.add(c["table_width"])   # the plan's header may be a table of its own
            c["plan_table"] = plan or (holder is not None and c["table_width"] in holder
                                       and c["table_width"] >= 4)
        elif k == "row":
            c["header_row"] = node is ctx.get("_first_row")
            c["row_cells"] = len(node.children)
            c["code_row"] = _is_code_row(node, text)
        if k == "table" and node.children:
            c["_first_row"] = node.children[0]
        if k == "cell":
            # the value column: the last cell of the row, where the row is as wide as the table's
            # rows mostly are (a standard's row «8. | Құжаттар тізбесі» whose value runs on below
            # has only its number and its label)
            c["last_cell"] = node.number == str(max(ctx.get("row_cells") or 0, ctx.get("table_width") or 0))
        if k in CANDIDATE_KINDS and node.text_end > node.text_start:
            out.append((node, text[node.text_start:node.text_end], c))
        for ch in node.children:
            rec(ch, c)

    rec(act, {"_plan_widths": set()})
    _header_cell_annexes(out)
    _field_block_annexes(out)
    _admin_form_annexes(out)
    _block_shares(out)
    # neighbours in reading order
    for idx, (node, t, c) in enumerate(out):
        nxt = out[idx + 1][0] if idx + 1 < len(out) else None
        c["before_signature"] = bool(nxt is not None and nxt.kind == "signature")
        c["prev"] = out[idx - 1][1] if idx else ""
        c["next"] = out[idx + 1][1] if nxt is not None else ""
        c["position"] = idx / max(1, len(out) - 1)
    return out


def _header_cell_annexes(out: list[tuple[Node, str, dict]]) -> None:
    """A blank form whose annex header the export left in a one-cell table row, its lines glued
    («…№ 275 бұйрығына1-қосымша…11-қосымшанысан», «Приложение 2 к приказу … Форма»): the parse
    has no annex node for it, so the units after that cell, up to the next such header cell or
    a parsed annex, are read as a form annex all the same. Only a header that says it is a form
    does this: «нысан» / «Форма» (:data:`ANNEX_CELL_FORM`), or two blanks to fill in glued after
    its «қосымша» (the form's own head: «…5-қосымша_______(мекенжайы)», «…1-қосымшаКімге ____»;
    not the blanks of a draft's date and number before it); the other annexes left in cells keep
    their context."""
    starts = [i for i, (n, t, c) in enumerate(out)
              if n.kind == "cell" and c.get("row_cells") == 1 and len(t) < 600
              and not t.rstrip().endswith((".", ";")) and ANNEX_CELL.search(t)]
    for j, i in enumerate(starts):
        head = out[i][1]
        if not ANNEX_CELL_FORM.search(head) and len(FORM_LINE.findall(head[ANNEX_CELL.search(head).end():])) < 2:
            continue
        stop = starts[j + 1] if j + 1 < len(starts) else len(out)
        block = out[i][2].get("_annex_at")
        if block is not None and any(LIST_TITLE.search(t) for _, t, _ in out[i + 1:i + 3]):
            continue                       # a list of documents to attach, headed «Нысан»: its items are rules
        for k in range(i + 1, stop):
            node, t, c = out[k]
            if c.get("_annex_at") != block:
                break                      # another parsed annex: its own context from here
            if block is not None and (node.kind in ("heading", "chapter", "section") or _form_ends(t)):
                break                      # inside a parsed annex that swallowed the form: up to the next heading
            c["annex"] = c["form_annex"] = True


def _form_ends(t: str) -> bool:
    """The form is over where the rules go on after it: a list of documents («… құжаттар тізбесі»),
    the explanation of how to fill it in («… толтыру бойынша түсіндірме»: rules, GUIDELINES rule 10)."""
    return len(t) < 300 and bool(LIST_TITLE.search(t) or FILL_TITLE.search(t))


FILL_TITLE = re.compile(r"толтыру\s+(?:бойынша|жөніндегі)\s+түсінді\w*|по\s+заполнению\b", re.I)
LIST_TITLE = re.compile(r"(?:тізбесі|тізімі)\s*$|^\s*(?:Перечень|Список)\b", re.I)


def _admin_form_annexes(out: list[tuple[Node, str, dict]], head: int = 15) -> None:
    """A parsed annex that opens with the header of an administrative data form (two or more of
    «Индексі:», «Кезеңділігі:», «Ақпарат ұсынатын тұлғалар тобы:», «Қайда ұсынылады:», «Ұсыну
    мерзімі:» among its first ``head`` units or its title) is a report form: its lines are what
    the reporting body fills in, not rules."""
    for units in _open_annexes(out).values():
        opening = [units[0][1].get("_annex_title") or ""] + [t for t, _ in units[:head]]
        found = {m.group(0).split()[0].lower() for m in ADMIN_FORM_HEAD.finditer("\n".join(opening))}
        if len(found) >= 2:
            for t, c in units:
                if _form_ends(t):
                    break
                c["form_annex"] = True


def _open_annexes(out: list[tuple[Node, str, dict]]) -> dict[int, list[tuple[str, dict]]]:
    """The units (text, context) of each parsed annex not yet read as a form, by the annex's start."""
    by_annex: dict[int, list[tuple[str, dict]]] = {}
    for _, t, c in out:
        if c.get("_annex_at") is not None and not c.get("form_annex"):
            by_annex.setdefault(c["_annex_at"], []).append((t, c))
    return by_annex


CONTRACT_TITLE = re.compile(r"\b(?:шарт\w*|келісім\w*|договор\w*|соглашени\w*|контракт\w*)\b", re.I)


_DATE_HEAD = re.compile(r"жыл|год|\bж\.|\bг\.|[«\"]\s*_+\s*[»\"]|қосымша|приложени|шешім|қаулы|бұйры|решени|постановлени|приказ", re.I)


def _field_line(t: str) -> bool:
    """A form's field: a short caption with its blank «Конкурстың № ______», «Лоттың атауы ____»;
    not the blanks of a draft's own date and number («2024 жылғы "__" ____ № ___ шешіміне қосымша»)."""
    return (len(t) < 200 and bool(FORM_LINE.search(t)) and letters(FORM_LINE.sub("", t)) < 60
            and not _DATE_HEAD.search(t))


def _field_block_annexes(out: list[tuple[Node, str, dict]], head: int = 12, fields: int = 4,
                         max_units: int = 80) -> None:
    """A parsed annex that opens with a block of a form's fields (``fields`` or more field lines among
    its first ``head`` units: «Тапсырыс берушінің атауы ____», «Конкурстың № ____», «Лоттың № ____»)
    is a form filled in by whoever it names, its numbered points included (GUIDELINES rules 10 and
    15); not an annex titled as a contract or an agreement, nor one of more than ``max_units`` units
    (a model contract's or a model documentation's points are rules, whatever blanks open them). A
    service standard's table that the parse left inside such an annex keeps its own reading."""
    for units in _open_annexes(out).values():
        if CONTRACT_TITLE.search(units[0][1].get("_annex_title") or ""):
            continue
        if len(units) <= max_units and sum(1 for t, _ in units[:head] if _field_line(t)) >= fields:
            for _, c in units:
                if not c.get("standard_table"):     # a service standard the parse left inside the form
                    c["form_annex"] = True


DEONTIC = re.compile(
    r"\b(?:тиіс\w*|міндетті\w*|құқылы|жүзеге\s+асыр\w*|жол\s+берілмейді|рұқсат\s+етілмейді|болып\s+табылады|"
    r"долж\w+|обязан\w*|вправе|не\s+допуска\w+|осуществля\w+|является|являются)\b")   # on lowered text


def _block_shares(out: list[tuple[Node, str, dict]], window: int = 6) -> None:
    """How form-like the unit's surroundings are: over its block (the annex it sits in, or the
    act's body outside annexes) and over the ``window`` units on each side, the shares of form
    fields, of lines with a blank, of lines that read as a sentence of a rule (a deontic word, an
    end stop) and the block's size. A medical record form printed as sections, an application
    inside a service standard: its lines are norms in form, not in what surrounds them."""
    n = len(out)
    field, blank, rule, short = [0] * n, [0] * n, [0] * n, [0] * n
    for i, (_, t, _) in enumerate(out):
        end = t.rstrip()[-1:]
        blanks = FORM_LINE.search(t)
        if blanks or len(t) < 60:
            # a draft's own date and number («2024 жылғы "__" ____ № ___ бұйрығымен бекітілген»)
            # are neither a blank to fill in nor a form's short line
            head = bool(_DATE_HEAD.search(t))
            if blanks:
                field[i] = 1 if _field_line(t) else 0
                blank[i] = 0 if head else 1
            if len(t) < 60 and not head and end not in (".", ";", ":"):
                short[i] = 1
        if end in (".", ";") and DEONTIC.search(t.lower()):
            rule[i] = 1
    blocks: dict[Any, list[int]] = {}
    for i, (_, _, c) in enumerate(out):
        blocks.setdefault(c.get("_annex_at"), []).append(i)
    for idx in blocks.values():
        k = len(idx)
        sf, sb, sr, ss = (sum(v[i] for i in idx) / k for v in (field, blank, rule, short))
        for i in idx:
            c = out[i][2]
            c["blk_field"], c["blk_blank"], c["blk_rule"], c["blk_short"] = sf, sb, sr, ss
            c["blk_size"] = k
    cf, cb, cr, cs = (list(accumulate(v, initial=0)) for v in (field, blank, rule, short))
    for i, (_, _, c) in enumerate(out):
        lo, hi = max(0, i - window), min(n, i + window + 1)
        m = hi - lo - 1 or 1
        c["win_field"] = (cf[hi] - cf[lo] - field[i]) / m
        c["win_blank"] = (cb[hi] - cb[lo] - blank[i]) / m
        c["win_rule"] = (cr[hi] - cr[lo] - rule[i]) / m
        c["win_short"] = (cs[hi] - cs[lo] - short[i]) / m


def decide_units(items: list[tuple[Node, str, dict]], model=None) -> list[str]:
    """The unit type of each (node, text, context): the rules first, then ``model`` (a
    :class:`lexpert.training.units.UnitClassifier`) or, without one, :func:`heuristic_unit`."""
    out: list[str | None] = [rule_unit(n, t, c) for n, t, c in items]
    pending = [i for i, u in enumerate(out) if u is None]
    if pending:
        if model is not None:
            for i, u in zip(pending, model.predict_units([items[i] for i in pending])):
                out[i] = u
        else:
            for i in pending:
                out[i] = heuristic_unit(*items[i])
    _signature_tail(items, out)
    return [u or "norm" for u in out]


# the lines that follow an act's closing signature: who prepared it («Мамандар:», «Исп.:»,
# «Орындаған:») and their names alone («Сапаров А.Б.»), as old Adilet texts print them
STAFF_LABEL = re.compile(r"^(?:Мамандар|Маман|Орындаушы(?:лар)?|Орындаған|Дайындаған|Исполнител[ьи]|Исп\.?|"
                         r"Подготовил[аи]?|Специалист[ыа]?)\s*:?\s*$", re.I)
BARE_NAME = re.compile(rf"^[{_CAP}][а-яёәғқңөұүһі]+(?:-[{_CAP}][а-яёәғқңөұүһі]+)?\s+[{_CAP}]\.\s?(?:[{_CAP}]\.?)?\s*$|"
                       rf"^[{_CAP}]\.\s?(?:[{_CAP}]\.\s?)?[{_CAP}][а-яёәғқңөұүһі]+\s*$")


def _signature_tail(items: list[tuple[Node, str, dict]], out: list[str | None]) -> None:
    """After the act's closing signature (outside its annexes), a run of short lines that only
    name who prepared the act («Мамандар:», «Исп.:» and bare names) is the signature block too,
    not norms. The run must start at a staff label or a name and stop at the first other line."""
    tail = False                         # inside such a run, right after a signature outside the annexes
    for j, (_, t, c) in enumerate(items):
        if out[j] == "signature":
            tail = not c.get("annex")
            continue
        t = t.strip()
        tail = (tail and out[j] == "norm" and not c.get("annex") and not c.get("table") and len(t) <= 60
                and bool(STAFF_LABEL.match(t) or BARE_NAME.match(t)))
        if tail:
            out[j] = "signature"


def classify_units(doc: Node, text: str, model=None) -> None:
    """Set ``unit`` on every candidate node of ``doc`` (see the module docstring)."""
    if model is None:
        from .unitmodel import default_unit_model

        model = default_unit_model()
    for act in doc.children:
        items = contexts(act, text)
        for (node, _, _), u in zip(items, decide_units(items, model)):
            node.unit = u
