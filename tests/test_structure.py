import pytest

from lexpert.nlp.normalize import normalize
from lexpert.structure import amendment_target, norms, own_text_spans, parse


def _acts(text):
    return parse(text).children


def _annexes(act):
    return [c for c in act.children if c.kind == "annex"]


def _count(node, kind):
    return sum(1 for n in node.walk() if n.kind == kind)


@pytest.mark.parametrize("seed,lang", [("000", "kk"), ("003", "en")])
def test_monitoring_rules_three_chapters_21_points_and_annex_form(seed_text, seed, lang):
    act = _acts(seed_text(seed))[0]
    assert act.lang == lang
    rules, form = _annexes(act)[:2]
    assert _count(rules, "chapter") == 3
    points = [n for n in rules.walk() if n.kind == "point"]
    assert [p.number for p in points] == [str(i) for i in range(1, 22)]
    # the annex form of the analytical report, with its three sections I, II, III
    assert [n.number for n in form.walk() if n.kind == "section"] == ["I", "II", "III"]
    # the order itself has 5 operative points
    operative = next(c for c in act.children if c.kind == "operative")
    assert [p.number for p in operative.children if p.kind == "point"] == ["1", "2", "3", "4", "5"]


def test_seed_000_kk_and_en_versions_are_separate_acts(seed_text):
    acts = _acts(seed_text("000"))
    assert [a.lang for a in acts] == ["kk", "en"]
    assert acts[0].title.startswith("Сыбайлас жемқорлыққа қарсы мониторинг")
    assert acts[1].title.startswith("On approval of the Anti-Corruption Monitoring Rules")


def test_kazakh_locators(seed_text):
    act = _acts(seed_text("000"))[0]
    rules = _annexes(act)[0]
    sub = next(n for n in rules.walk() if n.kind == "subpoint" and n.path.get("point") == "7" and n.number == "6")
    # the Rules are cited as the act cites them, not as «1-қосымша»
    assert sub.locator == "Қағидалар, 1-тарау, 7-тармақ, 6) тармақша"
    assert "өзге де ақпарат көздері" in seed_text("000")[sub.text_start:sub.text_end]


@pytest.mark.parametrize("seed", ["000", "001", "002", "003"])
def test_no_text_lost(seed_text, seed):
    """The own-text spans of the nodes cover every non-blank line (its first and last word
    character: a table row's « | » separators are markup), and never overlap."""
    text = seed_text(seed)
    spans = own_text_spans(parse(text))
    covered = bytearray(len(text))
    for a, b in spans:
        for k in range(a, b):
            assert covered[k] == 0, f"overlap at {k}"
            covered[k] = 1
    pos = 0
    for line in text.split("\n"):
        if line.strip(" |"):
            first = pos + len(line) - len(line.lstrip(" |"))
            last = pos + len(line.rstrip(" |")) - 1
            assert covered[first] and covered[last], f"line not covered: {line[:80]!r}"
        pos += len(line) + 1


def test_norm_spans_index_the_text(seed_text):
    text = seed_text("002")
    ns = norms(parse(text), text)
    assert len(ns) > 500
    for n in ns:
        assert text[n.start:n.end] == n.text
    assert {n.lang for n in ns} >= {"ru", "kk"}


RU_ORDER = """Об утверждении Правил выдачи разрешений

Приказ Министра транспорта Республики Казахстан от 12 марта 2024 года № 87.

В соответствии с подпунктом 1) статьи 10 Закона Республики Казахстан «О государственных услугах» ПРИКАЗЫВАЮ:

1. Утвердить прилагаемые Правила выдачи разрешений.

2. Департаменту обеспечить:

1) государственную регистрацию настоящего приказа;

2) размещение настоящего приказа на интернет-ресурсе.

3. Настоящий приказ вводится в действие по истечении десяти календарных дней.

Министр транспорта А. Сауранбаев

Утверждены приказом Министра транспорта
Республики Казахстан
от 12 марта 2024 года № 87

Правила выдачи разрешений

Глава 1. Общие положения

1. Настоящие Правила определяют порядок выдачи разрешений.

Глава 2. Порядок выдачи

Параграф 1. Подача заявления

2. Заявитель подает заявление.

Разрешение выдается в течение пяти рабочих дней.

3. К заявлению прилагаются:

1) копия устава;

а) для юридических лиц;

2) иные документы.
"""


def test_russian_order_with_annex_paragraph_parts_and_items():
    text = normalize(RU_ORDER)
    act = _acts(text)[0]
    assert act.title == "Об утверждении Правил выдачи разрешений"
    kinds = [c.kind for c in act.children]
    assert kinds == ["preamble", "operative", "annex"]
    annex = _annexes(act)[0]
    assert annex.title == "Правила выдачи разрешений"
    by_loc = {n.locator: n for n in annex.walk()}
    # the approved Rules are cited as the act cites them («Правила …, глава 2, пункт 5»)
    assert "Правила, глава 2, параграф 1, пункт 2, часть 2" in by_loc
    assert "Правила, глава 2, параграф 1, пункт 3, подпункт 1), подпункт а)" in by_loc
    assert "Правила, глава 2, параграф 1, пункт 3, подпункт 2)" in by_loc
    sig = [n for n in act.walk() if n.kind == "signature"]
    assert len(sig) == 1
    ns = norms(parse(text), text)
    assert not any("ПРИКАЗЫВАЮ" in n.text for n in ns)     # the preamble is not a norm
    assert not any(n.text.startswith("Министр") for n in ns)


AMEND_RU = """О внесении изменений в приказ Министра сельского хозяйства Республики Казахстан от 5 мая 2020 года № 150

ПРИКАЗЫВАЮ:

1. Внести в приказ Министра сельского хозяйства Республики Казахстан от 5 мая 2020 года № 150 «Об утверждении Правил субсидирования» следующие изменения:

в Правилах субсидирования, утвержденных указанным приказом:

пункт 5 изложить в следующей редакции:

«5. Услугодатель при необходимости вправе продлить срок рассмотрения заявки.»;

подпункт 3) пункта 7 изложить в следующей редакции:

«3) иные документы по требованию услугодателя;»;

дополнить пунктом 9-1 следующего содержания:

«9-1. Решение комиссии является окончательным.».

2. Настоящий приказ вводится в действие по истечении десяти календарных дней.
"""

AMEND_KK = """Қазақстан Республикасы Ауыл шаруашылығы министрінің 2020 жылғы 5 мамырдағы № 150 бұйрығына өзгерістер енгізу туралы

БҰЙЫРАМЫН:

1. «Субсидиялау қағидаларын бекіту туралы» бұйрыққа мынадай өзгерістер енгізілсін:

1) 5-тармақ мынадай редакцияда жазылсын:

«5. Көрсетілетін қызметті беруші қажет болған жағдайда мерзімді ұзартуға құқылы.»;

2) 7-тармақтың 3) тармақшасы мынадай редакцияда жазылсын:

«3) өзге де құжаттар;».

2. Осы бұйрық алғашқы ресми жарияланған күнінен бастап он күн өткен соң қолданысқа енгізіледі.
"""


def test_amendment_new_wording_located_at_its_target_ru():
    text = normalize(AMEND_RU)
    quotes = [n for n in parse(text).walk() if n.kind == "quote"]
    assert [q.target for q in quotes] == [{"point": "5"}, {"point": "7", "subpoint": "3"}, {"point": "9-1"}]
    assert quotes[0].locator.startswith("пункт 5 (новая редакция")
    assert quotes[1].locator.startswith("пункт 7, подпункт 3) (новая редакция")
    ns = norms(parse(text), text)
    assert any(n.kind == "quote" and "при необходимости" in n.text for n in ns)


def test_amendment_new_wording_located_at_its_target_kk():
    text = normalize(AMEND_KK)
    quotes = [n for n in parse(text).walk() if n.kind == "quote"]
    assert [q.target for q in quotes] == [{"point": "5"}, {"point": "7", "subpoint": "3"}]
    assert quotes[0].locator.startswith("5-тармақ (жаңа редакция")


AMEND_KK_POINTS = """Қазақстан Республикасы Көлік министрінің бұйрығы

БҰЙЫРАМЫН:

1. «Сертификаттау қағидаларын бекіту туралы» бұйрыққа мынадай өзгерістер енгізілсін:

1) 19, 20 және 21-тармақтар мынадай редакцияда жазылсын:

"19. Түзету іс-қимылдарының жоспарын уәкілетті орган бекіткен күннен бастап сертификаттау тоқтатыла тұрады.

Жоспарда белгіленген мерзімде сәйкес келмеушіліктер жойылғаннан кейін сертификаттау жалғастырылады.

20. Сәйкес келмеушіліктер болмаған кезде сертификат беріледі:

1) бірінші санаттағы сәйкес келмеушіліктер болмаса;

21. Екінші санаттағы сәйкес келмеушіліктер болған кезде уәкілетті орган шешім қабылдайды.".

2. Осы бұйрық қол қойылған күнінен бастап қолданысқа енгізіледі.
"""


def test_unnumbered_quoted_paragraph_belongs_to_the_point_quoted_before_it():
    # «19, 20 және 21-тармақтар … жазылсын»: the second paragraph of point 19 is point 19's, and the
    # subpoint after point 20 is point 20's, not the instruction's last point (21)
    text = normalize(AMEND_KK_POINTS)
    quotes = [n for n in parse(text).walk() if n.kind == "quote"]
    assert [q.target for q in quotes] == [{"point": "19"}, {"point": "19"}, {"point": "20"},
                                          {"point": "20", "subpoint": "1"}, {"point": "21"}]
    assert quotes[1].locator.startswith("19-тармақ (жаңа редакция")


def test_amendment_target_phrases():
    assert amendment_target("подпункт 2) пункта 14 изложить в следующей редакции:", "ru") == {"point": "14", "subpoint": "2"}
    assert amendment_target("статью 12 изложить в следующей редакции:", "ru") == {"article": "12"}
    assert amendment_target("12-бап мынадай редакцияда жазылсын:", "kk") == {"article": "12"}


LAW_KK = """Жер пайдалану туралы Қазақстан Республикасының Заңы (жоба).

1-тарау. Жалпы ережелер

1-бап. Негізгі ұғымдар

1. Осы Заңда мынадай негізгі ұғымдар пайдаланылады:

1) жер учаскесі – жер бөлігі;

2-бап. Уәкілетті органның құзыреті

1. Уәкілетті орган қажет болған жағдайда тексеру жүргізуге құқылы.
"""


def test_kazakh_law_articles():
    text = normalize(LAW_KK)
    locs = [n.locator for n in parse(text).walk() if n.kind in ("point", "subpoint")]
    assert locs == ["1-тарау, 1-бап, 1-тармақ", "1-тарау, 1-бап, 1-тармақ, 1) тармақша", "1-тарау, 2-бап, 1-тармақ"]


def _unit_of(text, start):
    """The unit type of the first unit of ``text`` (parsed with the shipped unit layer) whose own
    text starts with ``start``."""
    text = normalize(text)
    doc = parse(text)
    return next(n.unit for n in doc.walk() if n.unit and text[n.text_start:n.text_end].startswith(start))


HEADER_CELL_FORM = """БҰЙЫРАМЫН:

1. Қоса беріліп отырған хабарламаның нысаны бекітілсін.

2. Осы бұйрық алғашқы ресми жарияланған күнінен бастап он күн өткен соң қолданысқа енгізіледі.

Қаржы министрі | Е. Министров

| Қаржы министрінің2021 жылғы 31 наурыздағы№ 275 бұйрығына1-қосымшанысан

Анықталған бұзушылықтарды жою туралы хабарлама нысаны

Хабарлама орындалмаған кезде мемлекеттік кірістер органы кедендік тексеруді тағайындауға құқылы.

| Қаржы министрінің2021 жылғы 31 наурыздағы№ 275 бұйрығына2-қосымша

Тексеру жүргізу қағидалары

1. Тексеру жоспар бойынша жүргізіледі.
"""


def test_units_form_annex_whose_header_was_left_in_a_table_cell():
    # the export glued the annex header into a one-cell row («…1-қосымшанысан»): the printed text
    # of the notice under it is the form's, even where it reads as a rule; the next annex is not a form
    assert _unit_of(HEADER_CELL_FORM, "Хабарлама орындалмаған") == "form"
    assert _unit_of(HEADER_CELL_FORM, "1. Тексеру жоспар") == "norm"
    assert _unit_of(HEADER_CELL_FORM, "2. Осы бұйрық") == "norm"
    # without «нысан» in its header the same annex keeps the model's decision
    plain = HEADER_CELL_FORM.replace("1-қосымшанысан", "1-қосымша")
    assert _unit_of(plain, "Хабарлама орындалмаған") == "norm"


def test_units_addressee_of_a_form_and_caption_of_a_blank():
    text = """БҰЙЫРАМЫН:

1. Нысан бекітілсін.

Министрдің 2021 жылғы 5 наурыздағы № 12 бұйрығымен бекітілген

Актуарлық есептің құрылымы

1. Актуарлық есепте мыналар көрсетіледі:

1) сақтанушы

________________________________________;

2) өтелетін тәуекелдердің тізбесі, ол Сізге жіберіледі

3) есеп жыл сайын ұсынылады;

4. Төмендегі нұсқалардың біреуін таңдаңыз:
"""
    assert _unit_of(text, "1) сақтанушы") == "form"           # the caption of the blank line below it
    assert _unit_of(text, "2) өтелетін") == "form"            # «Сізге»: the form speaks to its addressee
    assert _unit_of(text, "4. Төмендегі") == "form"           # «таңдаңыз»: an instruction to fill it in
    assert _unit_of(text, "1. Актуарлық есепте") == "norm"
    assert _unit_of(text, "3) есеп жыл сайын") == "norm"


def test_units_section_headings_among_points_renamed_headings_places_and_titles():
    rules = """ҚАУЛЫ ЕТЕДІ:

1. Қоса беріліп отырған Ереже бекітілсін.

2. Осы қаулы алғашқы ресми жарияланған күнінен бастап "Бөлім туралы ережені бекіту туралы" 2019 жылғы 25 желтоқсандағы № 175 әкімдік қаулысының күші жойылды деп танылсын

Аудан әкімі | А. Әкімов

Аудан әкімдігінің 2020 жылғы 5 наурыздағы № 12 қаулысымен бекітілген

"Аудан әкімдігінің бөлімі" мемлекеттік мекемесі туралы ереже

1. Жалпы ережелер

1. "Аудан әкімдігінің бөлімі" мемлекеттік мекемесі мемлекеттік орган болып табылады.

2. Мекеме өз қызметін Қазақстан Республикасының заңдарына сәйкес жүзеге асырады.

2. Мемлекеттік органның міндеттері мен өкілеттіктері

13. Мекеменің міндеттері: халықты жұмыспен қамтуды қамтамасыз ету.
"""
    # a section's number among the points («2. …» then «13. …», «1. …» then «1. …») is a heading;
    # an operative point that lost its full stop before the annex's own «2.» is not
    assert _unit_of(rules, "1. Жалпы ережелер") == "heading"
    assert _unit_of(rules, "2. Мемлекеттік органның") == "heading"
    assert _unit_of(rules, "2. Осы қаулы") == "norm"
    assert _unit_of(rules, "13. Мекеменің") == "norm"
    amend = """БҰЙЫРАМЫН:

1. Бұйрыққа мынадай өзгерістер енгізілсін:

6-тараудың тақырыбы мынадай редакцияда жазылсын:

"6. Құжаттарды сақтау тәртібі";

38-тармақ мынадай редакцияда жазылсын:

"38. Құжаттар бес жыл сақталады.";
"""
    assert _unit_of(amend, '"6. Құжаттарды') == "heading"
    assert _unit_of(amend, '"38. Құжаттар') == "norm"
    polling = """ШЕШІМ ҚАБЫЛДАДЫ:

1. Сайлау учаскелері құрылсын.

Орналасқан жері: Ақадыр ауылы, Атамекен көшесі, 5, мектеп ғимараты.

Шекаралары: Ақадыр ауылы.
"""
    assert _unit_of(polling, "Орналасқан жері") == "list"
    assert _unit_of(polling, "Шекаралары") == "list"
    assert _unit_of(polling, "1. Сайлау") == "norm"


AMEND_KK_CHAPTER = """Қазақстан Республикасы Қаржы министрінің бұйрығы

БҰЙЫРАМЫН:

1. «Мемлекеттік қызметтерді көрсету қағидаларын бекіту туралы» бұйрыққа мынадай өзгерістер енгізілсін:

3-тарау мынадай редакцияда жазылсын:

"3-тарау. Шағымдану тәртібі

8. Шағымды жоғары тұрған әкімшілік орган қарайды.

9. Шағым тіркелген күнінен бастап бес жұмыс күні ішінде қаралуға жатады.";

2. Осы бұйрық қол қойылған күнінен бастап қолданысқа енгізіледі.
"""


def test_an_instruction_that_names_a_chapter_is_no_chapter_of_the_amending_act():
    # «3-тарау мынадай редакцияда жазылсын:» opens a quote; the order's own point 2 after it is
    # «2-тармақ», not a point of a chapter 3 that never closes (found in lre-08547)
    text = normalize(AMEND_KK_CHAPTER)
    tree = parse(text)
    assert not [n for n in tree.walk() if n.kind == "chapter"]
    quotes = [n for n in tree.walk() if n.kind == "quote"]
    assert len(quotes) == 3 and quotes[1].locator.startswith("8-тармақ (жаңа редакция")
    own = {text[n.text_start:n.text_end][:12]: n.locator for n in tree.walk() if n.kind == "point"}
    assert own["2. Осы бұйры"] == "2-тармақ"


AMEND_LAW_LIST_ONLY = """"Сақтандыру қызметі туралы" 2000 жылғы 18 желтоқсандағы Қазақстан Республикасының Заңына мынадай толықтырулар енгізілсін:

1) 11-баптың 4-тармағы мынадай мазмұндағы екінші бөлікпен толықтырылсын: "Сақтандыру ұйымы төлемді бес жұмыс күні ішінде жүзеге асырады.";

2) 37-баптың 1-тармағында "табыс етуге тиіс." деген сөздер алып тасталсын.
"""


def test_an_act_whose_operative_part_is_a_list_after_its_lead_in_has_norms():
    # no operative word and no numbered point: the subpoints after the lead-in are the body, not
    # the preamble (lre-10429 gave no normative unit at all)
    text = normalize(AMEND_LAW_LIST_ONLY)
    assert [n.locator for n in norms(parse(text), text)] == ["1) тармақша", "2) тармақша"]
    # with a numbered point anywhere, the lead-in rule is not needed and not used
    with_point = AMEND_LAW_LIST_ONLY + "\n2. Осы Заң ресми жарияланған күнінен бастап қолданысқа енгізіледі.\n"
    text = normalize(with_point)
    assert "2-тармақ" in [n.locator for n in norms(parse(text), text)]


def test_a_decimal_point_with_no_closing_full_stop_is_a_point():
    text = normalize("Алгоритм\n\n3. Борышкерге хабарлама жіберілгеннен кейін мынадай іс-әрекеттер жүргізіледі:\n\n"
                     "3.1 борышкерден онлайн төлем алған кезде:\n\n1) іс жүргізу тоқтатылады;\n\n"
                     "3.2 күнтізбелік 5 күн өткен соң:\n\n1) іс сот орындаушысына беріледі.\n\n"
                     "2.5 млн теңге сомасы бюджетке қайтарылады.\n")
    locs = {text[n.text_start:n.text_end][:6]: n.locator for n in parse(text).walk() if n.kind in ("point", "subpoint", "part")}
    assert locs["3.1 бо"] == "3.1-тармақ" and locs["3.2 кү"] == "3.2-тармақ"
    # the subpoints of 3.1 and 3.2 no longer share one locator
    subs = [n.locator for n in parse(text).walk() if n.kind == "subpoint"]
    assert subs == ["3.1-тармақ, 1) тармақша", "3.2-тармақ, 1) тармақша"]
    # a sum is no point
    assert not any(n.kind == "point" and n.number == "2.5" for n in parse(text).walk())
