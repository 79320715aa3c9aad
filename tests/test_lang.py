from lexpert.nlp.lang import detect, document_language


def test_detect_single_sentences():
    assert detect("Уполномоченный орган рассматривает заявление в течение пяти рабочих дней.") == "ru"
    assert detect("Уәкілетті орган өтінішті бес жұмыс күні ішінде қарайды.") == "kk"
    assert detect("The authorized body shall consider the application.") == "en"


def test_seed_002_is_russian_then_kazakh(seed_text):
    lang, segs = document_language(seed_text("002"))
    assert lang == "mixed"
    assert [s.lang for s in segs] == ["ru", "kk"]
    # the Kazakh text starts at seed line 1842 («Қазақстан Республикасының сыбайлас жемқорлыққа қарсы...»)
    kk_start = segs[1].start
    assert "Қазақстан" in seed_text("002")[kk_start:kk_start + 400]


def test_kazakh_and_english_seeds(seed_text):
    assert document_language(seed_text("001"))[0] == "kk"
    assert document_language(seed_text("003"))[0] == "en"
    lang, segs = document_language(seed_text("000"))
    assert [s.lang for s in segs] == ["kk", "en"]   # 000 carries its English translation at the end
