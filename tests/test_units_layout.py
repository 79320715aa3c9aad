"""The unit rules written from flagged-unit rounds 11-12 (lexpert.structure.units.LAYOUT_RULES),
on synthetic acts: each rule fires on the layout it names and leaves the same words alone
where the layout differs."""
from lexpert.nlp.normalize import normalize
from lexpert.structure import parse
from lexpert.structure.units import LAYOUT_RULES, SIGNED_NAME, TREATY_SIGN, _is_code_row, contexts
from lexpert.records import Node

HEAD = """БҰЙЫРАМЫН:

1. Қоса беріліп отырған құжат бекітілсін.

2. Осы бұйрық қол қойылған күннен бастап қолданысқа енгізіледі.

Министр | А. Әкімов

Бұйрыққа қосымша

"""


def _units(text):
    text = normalize(text)
    return {" ".join(text[n.text_start:n.text_end].split()): n.unit for n in parse(text).walk() if n.unit}


def test_every_layout_rule_is_named_once():
    names = [n for n, _ in LAYOUT_RULES]
    assert len(names) == len(set(names)) and {"answer_table", "code_row", "treaty_signature", "signed_name",
                                               "budget_line", "money_table", "report_table", "field_table",
                                               "form_caption", "tick_hint", "template_table", "numbered_header"} <= set(names)


CHECKLIST = HEAD + """Тексеру парағы

| № | Тексерілетін талаптар | Сай | Сай емес
| 1 | 2 | 3 | 4
| 1 | қоймада өрт сөндіргіштің болуы
| 2 | жүк тасымалдау журналын жүргізу
| 3 | қызметкерлерді нұсқаулықпен таныстыру
"""


def test_a_checklist_whose_answer_columns_are_empty_is_a_form():
    u = _units(CHECKLIST)
    assert u["қоймада өрт сөндіргіштің болуы"] == "form"
    assert u["жүк тасымалдау журналын жүргізу"] == "form"
    assert u["Сай емес"] == "form"
    assert u["2. Осы бұйрық қол қойылған күннен бастап қолданысқа енгізіледі."] == "norm"
    # the answer columns filled in every row: not a sheet to tick
    filled = CHECKLIST.replace("болуы\n", "болуы | иә | жоқ\n").replace("жүргізу\n", "жүргізу | иә | жоқ\n") \
        .replace("таныстыру\n", "таныстыру | иә | жоқ\n")
    rule = dict(LAYOUT_RULES)["answer_table"]
    text = normalize(filled)
    cells = [n for n in parse(text, units=False).walk() if n.kind == "cell"
             and text[n.text_start:n.text_end] == "қоймада өрт сөндіргіштің болуы"]
    from lexpert.structure.units import contexts
    act = parse(text, units=False).children[0]
    ctx = {(n.text_start, n.text_end): c for n, _, c in contexts(act, text)}
    assert cells and not rule(cells[0], "қоймада өрт сөндіргіштің болуы", ctx[(cells[0].text_start, cells[0].text_end)])


def _row(*cells):
    text = " | ".join(cells)
    row = Node(kind="row", number=None, start=0, end=len(text), text_start=0, text_end=len(text))
    pos = 0
    for i, c in enumerate(cells):
        row.children.append(Node(kind="cell", number=str(i + 1), start=pos, end=pos + len(c),
                                 text_start=pos, text_end=pos + len(c)))
        pos += len(c) + 3
    return row, text


def test_a_row_of_options_with_running_codes():
    row, text = _row("жалдамалы жұмыскер", "1", "өз бетінше жұмыс істейтін", "2", "оқушы", "3", "басқа", "4")
    assert _is_code_row(row, text)
    row, text = _row("мектептер", "12", "ауруханалар", "40", "кітапханалар", "7", "басқа", "9")
    assert not _is_code_row(row, text)           # counts, not running codes
    row, text = _row("оқушы", "1", "басқа", "2")
    assert not _is_code_row(row, text)           # too short to tell


def test_treaty_closing_formula_and_a_signed_name():
    assert TREATY_SIGN.search("Тараптардың уәкілетті өкілдері осы хаттамаға өз қолдарын қойды.")
    assert TREATY_SIGN.search("ОСЫНЫ КУӘЛЕНДІРУ ҮШІН тараптар өкілдері қол қойды")
    assert TREATY_SIGN.search("В удостоверение чего уполномоченные лица поставили свои подписи.")
    assert not TREATY_SIGN.search("Тараптар хаттамаға қол қою тәртібін келіседі.")
    text = HEAD.replace("Министр | А. Әкімов\n\nБұйрыққа қосымша\n\n", "") + "Ауыл округінің әкімі Беркінов Т.С.\n"
    u = _units(text)
    assert u["Ауыл округінің әкімі Беркінов Т.С."] == "signature"
    assert SIGNED_NAME.search("Ауыл округінің әкімі Беркінов Т.С.")
    long = "3. Бұйрықтың орындалуын бақылау ауыл округі әкімінің орынбасары Беркінов Т.С. жүктелсін."
    assert _units(HEAD.replace("2. Осы бұйрық", long + "\n\n4. Осы бұйрық"))[long] == "norm"


def test_budget_lines_and_sums():
    text = HEAD + "Аудан бюджетінің түсімдері\n\n1 Салықтық емес түсімдер 4512300\n\n2 Мүлікті сатудан түсімдер 1 204 500\n"
    u = _units(text)
    assert u["1 Салықтық емес түсімдер 4512300"] == "figures"
    amend = HEAD.replace("Бұйрыққа қосымша\n\n", "") + (
        "3. Шешімге өзгеріс енгізілсін:\n\n3-тармақтың 2) тармақшасы жаңа редакцияда жазылсын:\n\n"
        '"2) ауылдық жолдарды жөндеуге 41 250 мың теңге.";\n')
    assert _units(amend)['"2) ауылдық жолдарды жөндеуге 41 250 мың теңге.";'] == "figures"
    money = HEAD + "| Атауы | Сомасы (мың теңге)\n| Барлығы | 900 100\n| 650 спорт алаңдарын жөндеуге | 320\n" \
        "| 2020 жылы басталған құрылысты аяқтау және пайдалануға беру | 15\n"
    u = _units(money)
    assert u["650 спорт алаңдарын жөндеуге"] == "figures"
    rule = dict(LAYOUT_RULES)["money_table"]
    n = Node(kind="cell", number="1", start=0, end=10, text_start=0, text_end=10)
    assert not rule(n, "2020 жылы басталған құрылысты аяқтау", {"money_table": True})   # a year, not a sum


def test_report_and_field_tables_captions_and_tick_hints():
    report = HEAD + "| Көрсеткіш | жол коды | барлығы | әйелдер\n| А | Б | 1 | 2\n| Кезең басында тіркелгендер | 1\n" \
        "| Кезең ішінде шыққандар | 2\n"
    assert _units(report)["Кезең ішінде шыққандар"] == "form"
    fields = HEAD + "Баланың денсаулық картасы\n\n" + "".join(
        f"| {c}\n" for c in ("Жалпы жағдайы:", "Бойы мен салмағы", "Көру өткірлігі", "Тістері:", "Қорытынды:",
                             "Дәрігердің ұсынымдары", "Егу күнтізбесі"))
    assert _units(fields)["Тістері:"] == "form"
    blank = "Тіркеген маман ____ жылғы «__» ______ сағат __ қабылдады.\n"
    caption = HEAD + "Өтінім нысаны\n\nӨтініш беруші: Аты-жөні\n\nӨтінімді тіркеу белгісі:\n\n" + blank
    assert _units(caption)["Өтінімді тіркеу белгісі:"] == "form"
    # an amendment's lead-in keeps its place even when the new wording below it is a form line
    amend = HEAD.replace("Бұйрыққа қосымша\n\n", "") + "3. 5-тармақ мынадай редакцияда жазылсын:\n\n" + blank
    assert _units(amend)["3. 5-тармақ мынадай редакцияда жазылсын:"] == "norm"
    tick = HEAD.replace("Бұйрыққа қосымша\n\n", "") + (
        "3. Жауапты алу тәсілі (тиісті жолға Х қою қажет):\n\n1) қағаз түрінде;\n\n2) электрондық түрде.\n")
    u = _units(tick)
    assert u["3. Жауапты алу тәсілі (тиісті жолға Х қою қажет):"] == "form"
    assert _units(tick.replace(" (тиісті жолға Х қою қажет)", ""))["3. Жауапты алу тәсілі:"] == "norm"


def test_a_template_table_with_placeholders_is_a_form():
    tpl = HEAD + "| Жергілікті атқарушы орган | | Жергілікті атқарушы орган\n" \
        "| [уәкілетті органның атауы] | | [уәкілетті органның деректемелері]\n" \
        "| [хабарлама нөмірі] | [хабарламаны беру күні]\n"
    u = _units(tpl)
    assert u["Жергілікті атқарушы орган"] == "form"
    assert u["[хабарлама нөмірі]"] == "form"
    # one bracketed reference in a table of rules does not make it a template
    rules = HEAD + "| 1 | Көрсетілетін қызметті беруші | Жергілікті атқарушы орган [аудан әкімдігі]\n" \
        "| 2 | Мерзімі | құжаттарды тапсырған күннен бастап бес жұмыс күні ішінде көрсетіледі.\n" \
        "| 3 | Бас тарту үшін негіздер | ұсынылған құжаттардың дұрыс еместігі анықталған жағдайда бас тартылады.\n" \
        "| 4 | Құны | тегін\n"
    assert _units(rules)["құжаттарды тапсырған күннен бастап бес жұмыс күні ішінде көрсетіледі."] == "norm"


def test_the_row_above_the_column_numbers_is_the_header():
    table = HEAD + "| р/с № | Біліктілік талаптары | Сәйкестігін растайтын құжаттар\n| 1 | 2 | 3\n" \
        "| 1 | Есепті автоматтандыру жабдығының болуы | Жабдықтың болуын растайтын құжаттардың көшірмелері\n" \
        "| 2 | Білікті қызметкерлердің болуы | Қызметкерлердің біліктілігін растайтын құжаттар\n"
    u = _units(table)
    assert u["Сәйкестігін растайтын құжаттар"] == "heading"
    assert u["Жабдықтың болуын растайтын құжаттардың көшірмелері"] != "heading"
    # numbers that do not run 1, 2, 3 are a body row, not column numbers
    assert dict(LAYOUT_RULES)["numbered_header"](
        Node(kind="cell", number="3", start=0, end=5, text_start=0, text_end=5), "x", {"header_cells": frozenset()}) is None


def test_an_annex_header_cell_with_the_forms_blanks_opens_a_form():
    head = "2. Осы бұйрық қол қойылған күннен бастап қолданысқа енгізіледі.\n\n"
    text = ("БҰЙЫРАМЫН:\n\n1. Қоса беріліп отырған Қағидалар бекітілсін.\n\n" + head +
            "| Мәліметтерді сәйкес келтіру қағидаларына5-қосымша_______________(оператордың атауы)______________(мекенжайы)\n\n"
            "Сұрау салу\n\n1. ______________ (бөлімшенің атауын көрсету) мәліметтерді сәйкес келтіруді сұрайды.\n\n"
            "Қосымша (құжаттардың электрондық көшірмелері):\n\n1) ____________ (өтініш берушінің жеке басын\n\n"
            "куәландыратын құжаттың көшірмесі, ал өкілі – өкілеттігін растайтын құжаттар);\n")
    u = _units(text)
    assert u["куәландыратын құжаттың көшірмесі, ал өкілі – өкілеттігін растайтын құжаттар);"] == "form"
    # the blanks of a draft's own date and number before «қосымша» open no form
    draft = text.replace("| Мәліметтерді сәйкес келтіру қағидаларына5-қосымша_______________(оператордың атауы)______________(мекенжайы)",
                         "| Әкімдіктің 2024 жылғы \"__\" ________ № _____ қаулысына қосымша") \
        .replace("Сұрау салу\n\n1. ______________ (бөлімшенің атауын көрсету) мәліметтерді сәйкес келтіруді сұрайды.\n\n"
                 "Қосымша (құжаттардың электрондық көшірмелері):\n\n1) ____________ (өтініш берушінің жеке басын\n\n"
                 "куәландыратын құжаттың көшірмесі, ал өкілі – өкілеттігін растайтын құжаттар);\n",
                 "Басқарма туралы ереже\n\n1. Басқарма облыстың мәдениет саласындағы атқарушы орган болып табылады.\n")
    assert _units(draft)["1. Басқарма облыстың мәдениет саласындағы атқарушы орган болып табылады."] == "norm"


def test_an_annex_that_opens_with_a_block_of_fields_is_a_form():
    fields = "".join(f"{c} ______________\n\n" for c in (
        "Тапсырыс берушінің атауы", "Ұйымдастырушының атауы", "Конкурстың №", "Лоттың №", "Лоттың атауы"))
    body = ("1. Соңғы он жылда сатып алынатын тауарлардың мәніне сәйкес келетін жұмыс тәжірибесінің болуы.\n\n"
            "2. Растаушы құжаттардың электрондық көшірмелерін қоса бере отырып, еңбек ресурстарының болуы туралы мәліметтер.\n")
    text = HEAD + "Біліктілік талаптары туралы мәліметтер\n\n" + fields + body
    u = _units(text)
    assert u["1. Соңғы он жылда сатып алынатын тауарлардың мәніне сәйкес келетін жұмыс тәжірибесінің болуы."] == "form"
    # a model contract opening with blanks keeps its points as rules
    # (a contract runs on with its parties' duties, so its block does not read as a form either)
    duties = "".join(f"{k}. Өнім беруші тауарды шартта белгіленген мерзімде жеткізуге міндетті.\n\n" for k in range(3, 15))
    contract = HEAD.replace("Бұйрыққа қосымша", "Бұйрыққа қосымша\n\nТауарларды сатып алу туралы үлгілік шарт") + fields + body + "\n" + duties
    assert _units(contract)["1. Соңғы он жылда сатып алынатын тауарлардың мәніне сәйкес келетін жұмыс тәжірибесінің болуы."] == "norm"
    # the blanks of a draft's own date and number are no block of fields
    dated = HEAD + "Қағидалар\n\n" + "".join(f"{c}\n\n" for c in (
        "2024 жылғы \"__\" ________", "№ ______ шешіміне қосымша", "Әкімдіктің 20__ жылғы «__» ____ қаулысына",
        "2024 жылғы \"__\" ______ № ___ бұйрығымен бекітілген")) + body
    assert _units(dated)["1. Соңғы он жылда сатып алынатын тауарлардың мәніне сәйкес келетін жұмыс тәжірибесінің болуы."] == "norm"


def test_a_blanks_hint_cut_across_lines_is_a_form():
    text = HEAD + "Тізбе\n\n| _______________ басшысы\n| (жергілікті атқарушы органның\n| атауы)\n\n" \
        "1. Мемлекеттік грант қаражатын қайтару туралы хабарлама он жұмыс күні ішінде жіберіледі.\n"
    u = _units(text)
    assert u["(жергілікті атқарушы органның"] == "form"
    assert _units(HEAD + "3. Комиссия (жергілікті атқарушы органның\n\nшешімімен құрылады) жұмыс істейді.\n").get(
        "(жергілікті атқарушы органның") != "form"


def test_a_register_table_with_codes_is_a_list():
    basis = ("Әділет министрінің 2015 жылғы 25 ақпандағы № 112 бұйрығы. Нормативтік құқықтық актілерді "
             "мемлекеттік тіркеу тізілімінде № 10764 болып тіркелді.")
    rows = "".join(f"| {i}. | 002010{i:02d} | {name} | Әділетмині | {basis}\n" for i, name in enumerate((
        "Туу туралы қайталама куәлік беру", "Неке қию туралы қайталама куәлік беру",
        "Қайтыс болу туралы қайталама куәлік беру", "Әкелікті анықтау туралы анықтама беру",
        "Тегін ауыстыру туралы анықтама беру"), 1))
    u = _units(HEAD + "Мемлекеттік көрсетілетін қызметтердің тізілімі\n\n| № | Коды | Атауы | Орган | Негіз\n" + rows)
    assert u["Неке қию туралы қайталама куәлік беру"] == "list"
    # four coded rows are not yet a register
    from lexpert.structure.units import _is_register_table
    few = normalize(HEAD + "| № | Коды | Атауы | Орган | Негіз\n" + "".join(r + "\n" for r in rows.splitlines()[:4]))
    five = normalize(HEAD + "| № | Коды | Атауы | Орган | Негіз\n" + rows)
    table = lambda t: [n for n in parse(t, units=False).walk() if n.kind == "table"][-1]
    assert not _is_register_table(table(few), few) and _is_register_table(table(five), five)


def test_block_and_window_shares_say_how_form_like_a_units_surroundings_are():
    from lexpert.structure.units import contexts

    rules = "".join(f"{k}. Уәкілетті орган өтінішті он жұмыс күні ішінде қарауға міндетті.\n\n" for k in range(1, 6))
    fields = "".join(f"{c} ______________\n\n" for c in (
        "Өтініш берушінің тегі, аты", "Тұрғылықты мекенжайы", "Телефоны", "Өтініш берілген күн", "Қолы"))
    text = normalize(HEAD.replace("Бұйрыққа қосымша", "Қағидалар\n\n" + rules + "Қағидаларға қосымша\n\nНысан")
                     + "Өтініш\n\n" + fields + "Өтініште көрсетілген мәліметтердің дұрыстығын растаймын.\n")
    items = [x for a in parse(text, units=False).children for x in contexts(a, text)]
    by = {" ".join(t.split()): c for _, t, c in items}
    rule = by["3. Уәкілетті орган өтінішті он жұмыс күні ішінде қарауға міндетті."]
    field = by["Телефоны ______________"]
    # the rules' block reads as rules; the form's block as fields and blanks
    assert rule["blk_rule"] > 0.3 and rule["blk_field"] == 0 and rule["win_rule"] > 0.3
    assert field["blk_field"] > 0.5 and field["blk_rule"] == 0 and field["win_field"] > 0.3
    assert rule["win_field"] < 0.2 < field["win_field"] and field["win_rule"] < rule["win_rule"]


def test_a_drafts_blank_date_and_number_do_not_make_its_rules_a_form():
    """A draft carries blanks where its date and number will go, above the order and above the
    Rules it approves; its points stay norms for the surroundings features too."""
    top = "ҚАЗАҚСТАН РЕСПУБЛИКАСЫ ДЕНСАУЛЫҚ САҚТАУ МИНИСТРІНІҢ БҰЙРЫҒЫ\n\n2025 жылғы «___» ___________ № ____\n\nАстана қаласы\n\n"
    rules = "".join(f"{k}. Уәкілетті орган өтінішті он жұмыс күні ішінде қарайды және шешім қабылдайды.\n\n"
                    for k in range(1, 4))
    annex = ("Қазақстан Республикасы Денсаулық сақтау министрінің 2025 жылғы «___» ________ № ___ бұйрығына қосымша\n\n"
             "Медициналық ұйымдарды аккредиттеу қағидалары\n\n1-тарау. Жалпы ережелер\n\n")
    u = _units(top + HEAD.replace("Бұйрыққа қосымша\n\n", "") + annex + rules)
    assert [u[f"{k}. Уәкілетті орган өтінішті он жұмыс күні ішінде қарайды және шешім қабылдайды."] for k in (1, 2, 3)] == ["norm"] * 3
    assert u["1. Қоса беріліп отырған құжат бекітілсін."] == "norm"


def test_an_annex_titled_as_a_conclusion_an_information_form_or_an_application_is_a_form():
    point = "2. Енгізілетін өзгерістер жаңа тіркеу куәлігін бере отырып тіркелуі мүмкін."
    for title in ("Сараптамаға мәлімделген дәрілік заттың қауіпсіздігі туралы қорытынды",
                  "Құрылтайшы – заңды тұлға туралы мәліметтер",
                  # the blank's hint after the title's blank is no part of what the title names
                  "ТҰРАҚТЫ ТҰРУҒА РҰҚСАТ БЕРУ ТУРАЛЫ ӨТІНІШ – САУАЛНАМА ____________ полиция органының атауы"):
        u = _units(HEAD + title + "\n\n1. Сараптама нәтижелері бойынша.\n\n" + point + "\n")
        assert u[point] == "form", title
    # the same point under an annex of rules is a rule
    assert _units(HEAD + "Дәрілік заттарды тіркеу қағидалары\n\n1. Жалпы ережелер.\n\n" + point + "\n")[point] == "norm"


ADMIN = HEAD + """Скрининг өткізу туралы ақпаратты ұсыну алгоритмі

Индексі: 1-СКР

Кезеңділігі: тоқсанына 1 рет.

Ақпарат ұсынатын тұлғалар тобы: медициналық ұйымдар.

Қайда ұсынылады:

уәкілетті орган айқындайтын ұйымға;

Ұсыну мерзімі: есепті кезеңнен кейінгі айдың 5-күніне дейін.

Әкімшілік деректер нысанын толтыру бойынша түсіндірме

1. 2-бағанда медициналық ұйымның атауы көрсетіледі.
"""


def test_an_administrative_data_forms_header_makes_its_annex_a_form_up_to_the_filling_explanation():
    u = _units(ADMIN)
    assert u["уәкілетті орган айқындайтын ұйымға;"] == "form"
    # the explanation of how to fill it in states rules (GUIDELINES rule 10)
    assert u["1. 2-бағанда медициналық ұйымның атауы көрсетіледі."] == "norm"
    # one header field alone is no report form
    one = ADMIN.replace("Индексі: 1-СКР\n\n", "").replace("Ақпарат ұсынатын тұлғалар тобы: медициналық ұйымдар.\n\n", "") \
        .replace("Ұсыну мерзімі: есепті кезеңнен кейінгі айдың 5-күніне дейін.\n\n", "").replace("Кезеңділігі: тоқсанына 1 рет.\n\n", "")
    assert not _form_annex(one)["уәкілетті орган айқындайтын ұйымға;"]
    assert _form_annex(ADMIN)["уәкілетті орган айқындайтын ұйымға;"]


def _form_annex(text):
    """Whether the annex context of each unit says it is a form (the rules' reading, before the model)."""
    text = normalize(text)
    return {" ".join(t.split()): bool(c.get("form_annex")) for a in parse(text, units=False).children
            for _, t, c in contexts(a, text)}


def test_a_form_header_cell_inside_a_parsed_annex_opens_a_form_up_to_a_list_of_documents():
    rules = HEAD + "Гранттар беру қағидалары\n\n1. Грант конкурс негізінде беріледі.\n\n"
    form = ("| Гранттар беру қағидаларына3-қосымшаНысан\n\nЖоба туралы мәліметтер\n\n"
            "1. Жобаның атауы ______________________;\n\n9. Қосымша ақпарат:\n\n"
            "Грант алушы гранттың қаражатын қайтару туралы талаппен сотқа жүгінуге құқылы.\n\n")
    listed = "Өтінімге қоса берілетін құжаттар тізбесі\n\n1) жарғының көшірмесі;\n"
    u = _units(rules + form + listed)
    assert u["Грант алушы гранттың қаражатын қайтару туралы талаппен сотқа жүгінуге құқылы."] == "form"
    assert u["1. Грант конкурс негізінде беріледі."] == "norm"
    assert u["1) жарғының көшірмесі;"] == "norm"


def test_a_box_to_tick_is_a_form():
    u = _units(HEAD + "Қағидалар\n\n1. Пациент туралы мәліметтер:\n\n5) Спорттық ☐.\n\n2. Мәліметтер тексеріледі.\n")
    assert u["5) Спорттық ☐."] == "form"
    assert u["2. Мәліметтер тексеріледі."] == "norm"


def test_the_staff_who_prepared_an_act_after_its_signature_are_the_signature_block():
    act = ("Заң\n\n1. Көші-қон туралы заңға мынадай өзгерістер енгізілсін.\n\n"
           "2. Осы Заң ресми жарияланған күнінен бастап қолданысқа енгізіледі.\n\n"
           "Қазақстан Республикасының\n\nПрезиденті\n\n")
    u = _units(act + "Мамандар:\n\nСапаров А.Б.\n\nЕржанова Қ.М.\n")
    assert u["Мамандар:"] == u["Сапаров А.Б."] == u["Ержанова Қ.М."] == "signature"
    assert u["2. Осы Заң ресми жарияланған күнінен бастап қолданысқа енгізіледі."] == "norm"
    # a sentence after the signature is no staff line: the run stops there and the sentence stays a norm
    u = _units(act + "Мамандар:\n\nАуыл шаруашылығы министрлігі осы Заңның орындалуын бақылайды.\n")
    assert u["Ауыл шаруашылығы министрлігі осы Заңның орындалуын бақылайды."] == "norm"
    # the same names before any signature are left to the other rules
    u = _units("Заң\n\n1. Көші-қон туралы заңға өзгерістер енгізілсін.\n\nМамандар:\n\nСапаров А.Б.\n\n"
               "2. Осы Заң ресми жарияланған күнінен бастап қолданысқа енгізіледі.\n")
    assert u.get("Мамандар:") != "signature"
