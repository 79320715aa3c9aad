from lexpert.nlp.normalize import fix_lookalikes, normalize


def test_latin_i_in_kazakh_word_becomes_kazakh_letter():
    assert fix_lookalikes("енгiзу Үкiметі актiлерiнiң") == "енгізу Үкіметі актілерінің"


def test_latin_capital_c_in_cyrillic_word():
    assert fix_lookalikes("Cыбайлас жемқорлыққа") == "Сыбайлас жемқорлыққа"


def test_cyrillic_letters_in_latin_word_become_latin():
    # seed 002 has «саll-центр» typed with Cyrillic «с» and «а»
    assert fix_lookalikes("саll-центр") == "call-центр"


def test_schwa_and_old_font_letters():
    assert fix_lookalikes("əкімдік ɵтініш ӊ") == "әкімдік өтініш ң"


def test_pure_words_untouched():
    s = "Закон Республики Казахстан, ISO 9001, Transparency International"
    assert fix_lookalikes(s) == s


def test_soft_hyphen_nbsp_and_markdown():
    raw = "**Глава\u00a01.** Общие\u00ad положения\r\n\r\n\r\n\r\n1. Текст [ссылка](http://x.kz) {#_Toc1}\n"
    assert normalize(raw) == "Глава 1. Общие положения\n\n1. Текст ссылка\n"


def test_broken_lines_and_hyphenation_joined():
    raw = "1. Услугодатель рассматривает за-\nявление и принимает\nрешение.\n2) следующий подпункт;\n"
    assert normalize(raw) == "1. Услугодатель рассматривает заявление и принимает решение.\n2) следующий подпункт;\n"


def test_structural_lines_are_not_joined():
    raw = "Правила выдачи разрешений\nГлава 1. Общие положения\n1. Настоящие Правила\n"
    out = normalize(raw).split("\n")
    assert out[:3] == ["Правила выдачи разрешений", "Глава 1. Общие положения", "1. Настоящие Правила"]


def test_idempotent(seed_text):
    t = seed_text("002")
    assert normalize(t) == t


def test_bold_markers_are_stripped_as_the_markdown_pattern_strips_them():
    """normalize tries the bold pattern only where «**» or «__» starts: the same text as its sub."""
    import random

    from lexpert.nlp.normalize import _MD, _strip_bold

    rnd = random.Random(1)
    alpha = ["_", "*", "a", "б", " ", "1", "\n", "__", "**", "x_y", "__", "____"]
    for _ in range(5000):
        t = "".join(rnd.choice(alpha) for _ in range(rnd.randint(0, 30)))
        assert _strip_bold(t) == _MD[0][0].sub("", t), repr(t)
    assert _strip_bold("**жирный** __курсив__ бланк ______ a__b") == "жирный курсив бланк ______ a__b"


def test_a_hard_wrap_inside_the_states_name_is_joined():
    wrapped = ("6) шетелдіктердің құқықтық жағдайы туралы заңдарды бұзған адамдарға Қазақстан \n"
               "Республикасының Үкіметі белгілеген тәртіппен бас тартылуы мүмкін.\n")
    assert normalize(wrapped) == ("6) шетелдіктердің құқықтық жағдайы туралы заңдарды бұзған адамдарға Қазақстан "
                                  "Республикасының Үкіметі белгілеген тәртіппен бас тартылуы мүмкін.\n")
    # a signature block keeps its lines: the line before is short, or ends the name already
    assert normalize("Қазақстан\nРеспубликасының Президенті\n") == "Қазақстан\nРеспубликасының Президенті\n"
    assert normalize("Осы заң қабылданды.\nҚазақстан Республикасының\nПрезиденті\n").count("\n") == 3


def test_a_whole_act_on_one_line_is_cut_at_its_formula_chapters_articles_and_points():
    body = " ".join(f"{k}-бап. Осы баптың мәтіні {'ұзын ' * 30}болып табылады. 1. Бірінші тармақ {'мәтін ' * 10}беріледі. "
                    f"2. Екінші тармақ {'мәтін ' * 10}беріледі." for k in (1, 2, 3))
    line = "Қазақстан Республикасының Үкіметі ҚАУЛЫ ЕТЕДІ: 1-тарау. Жалпы ережелер " + body + "\n"
    lines = normalize(line).splitlines()
    assert lines[0] == "Қазақстан Республикасының Үкіметі ҚАУЛЫ ЕТЕДІ:"
    assert lines[1] == "1-тарау. Жалпы ережелер"
    assert [ln.split(".")[0] for ln in lines[2:5]] == ["1-бап", "1", "2"]
    assert sum(ln.startswith(("1-бап.", "2-бап.", "3-бап.")) for ln in lines) == 3
    # the words are unchanged: only the spaces at the cuts became line breaks
    assert normalize(line).replace("\n", " ").strip() == line.strip()
    # a citation of an article inside a sentence is no cut
    cited = "Осы Заңның 5-бап. талаптары " + "мәтін " * 80 + "сақталады."
    assert len(normalize(cited).splitlines()) == 1


def test_an_amending_law_on_one_line_is_cut_into_its_subpoints_after_quotes():
    line = ("Заңына мынадай толықтырулар енгізілсін: 1) 11-баптың 4-тармағы мынадай мазмұндағы бөлікпен толықтырылсын: "
            "\"" + "Сақтандыру ұйымы төлемді жүзеге асырады. " * 6 + "\". 2) 37-баптың 1-тармағында \"табыс етуге тиіс.\" "
            "деген сөздер алып тасталсын. 3) 54-баптың 8) тармақшасы " + "мәтін " * 20 + "толықтырылсын.\n")
    lines = normalize(line).splitlines()
    assert [ln[:2] for ln in lines[1:]] == ["1)", "2)", "3)"]
    # a list whose first item follows a full stop: the looser cut, after the quoted «1)» that is no item
    listed = ("Тізбе " + "мәтін " * 60 + "«1) тармақшасы» деп аталады. 1) өтініш; 2) жеке куәліктің көшірмесі; "
              "3) салық төлеуші куәлігінің көшірмесі.\n")
    assert normalize(listed).splitlines()[-3:] == ["1) өтініш;", "2) жеке куәліктің көшірмесі;",
                                                   "3) салық төлеуші куәлігінің көшірмесі."]


def test_a_russian_law_on_one_line_is_cut_at_its_chapters_and_articles():
    body = " ".join(f"Статья {k}. Предмет {'регулирования ' * 20}настоящего Закона. 1. Первый пункт {'текст ' * 10}статьи. "
                    f"2. Второй пункт {'текст ' * 10}статьи." for k in (1, 2))
    line = "Глава 1. Общие положения " + body + " Глава 2. Заключительные положения Статья 3. Закон вводится в действие.\n"
    lines = normalize(line).splitlines()
    assert lines[0] == "Глава 1. Общие положения"
    assert sum(ln.startswith(("Статья 1.", "Статья 2.", "Статья 3.")) for ln in lines) == 3
    assert "Глава 2. Заключительные положения" in lines
    assert normalize(line).replace("\n", " ").strip() == line.strip()
