"""Documents the state already holds (lexpert.detect.stateheld): a demand of one is
``burden.requirements`` in the act-as-context layer. Synthetic text only."""
import pytest

from lexpert.detect import stateheld
from lexpert.detect.context import context_findings
from lexpert.pipeline import analyze
from lexpert.records import Finding, Norm
from lexpert.training.stateheld_eval import figures


def ids(text, lang, context=None):
    return [d.id for d, _, _ in stateheld.find(text, lang, context)]


@pytest.mark.parametrize("text,lang,context,doc", [
    ("Заявитель представляет копию документа, удостоверяющего личность, и заявление.", "ru", None, "identity_copy"),
    ("3) справка об отсутствии налоговой задолженности;", "ru", "5. К заявлению прилагаются:", "tax_debt"),
    ("2) справка о наличии либо отсутствии судимости;", "ru", None, "no_criminal_record"),
    ("К заявке прилагается справка о государственной регистрации (перерегистрации) юридического лица.", "ru", None,
     "legal_entity_registration"),
    ("4) копия свидетельства о рождении ребенка;", "ru", None, "civil_status"),
    ("1) адресная справка;", "ru", "Для получения выплаты гражданин представляет:", "address"),
    ("правоустанавливающий документ на земельный участок;", "ru", "Перечень документов:", "real_estate"),
    ("Өтініш беруші жеке басын куәландыратын құжаттың көшірмесін ұсынады.", "kk", None, "identity_copy"),
    ("2) соттылығының болмауы туралы анықтама;", "kk", "Өтінішке мынадай құжаттар қоса беріледі:", "no_criminal_record"),
    ("Өтінімге салық берешегінің жоқтығы туралы анықтама қоса беріледі.", "kk", None, "tax_debt"),
    ("3) заңды тұлғаны мемлекеттік тіркеу (қайта тіркеу) туралы анықтама;", "kk", None, "legal_entity_registration"),
    ("1) туу туралы куәліктің көшірмесі;", "kk", None, "civil_status"),
    # issued elsewhere, demanded here
    ("Өтінішке туу туралы куәліктің көшірмесі қоса беріледі.", "kk", None, "civil_status"),
    ("2) копия свидетельства о рождении, выданного до 2008 года;", "ru", "Заявитель представляет:", "civil_status"),
    # a title document asked for as such (its copy, or itself in a list)
    ("3) жер учаскесіне құқық белгілейтін құжаттың көшірмесі;", "kk", "Өтінішке мынадай құжаттар қоса беріледі:",
     "real_estate"),
    ("Өтінімге үй-жайға құқық белгілейтін құжаттар қоса беріледі.", "kk", None, "real_estate"),
])
def test_a_demanded_state_held_document_is_found(text, lang, context, doc):
    assert ids(text, lang, context) == [doc]


@pytest.mark.parametrize("text,lang,context", [
    # the body obtains it itself
    ("Сведения о государственной регистрации юридического лица услугодатель получает из государственных "
     "информационных систем через шлюз «электронного правительства».", "ru", None),
    ("2) справка об отсутствии налоговой задолженности;", "ru",
     "Услугодатель получает из информационных систем следующие сведения:"),
    ("Заңды тұлғаны мемлекеттік тіркеу туралы мәліметтерді көрсетілетін қызметті беруші «электрондық үкімет» "
     "шлюзі арқылы мемлекеттік ақпараттық жүйелерден алады.", "kk", None),
    # shown to be identified, not handed in
    ("Документ, удостоверяющий личность, предъявляется для идентификации и возвращается заявителю.", "ru", None),
    ("Жеке басын куәландыратын құжат сәйкестендіру үшін көрсетіледі.", "kk", None),
    # asked for only where the system lacks it; a digital document may replace it
    ("4) копия свидетельства о рождении (при отсутствии сведений в информационной системе);", "ru", None),
    ("1) копия свидетельства о рождении ребенка либо сведения о нем из информационной системы;", "ru", None),
    # foreign documents: no Kazakh system holds them
    ("2) копия паспорта иностранца;", "ru", "Работодатель представляет:"),
    ("3) шетелдік заңды тұлғаны мемлекеттік тіркеу туралы анықтама;", "kk", None),
    # the body issues it (the service's result), or a demand is forbidden
    ("Услугодатель выдает справку об отсутствии судимости в течение пяти рабочих дней.", "ru", None),
    ("Истребование у заявителя справки о составе семьи не допускается.", "ru", None),
    ("Мемлекеттік органдар жеке тұлғалардан мемлекеттік ақпараттық жүйелерде қамтылған мәліметтерді растайтын "
     "құжаттарды талап етпейді.", "kk", None),
    # the document is what the body issues, in a list of terms or functions, or what a record is made from
    ("2) туу туралы куәлікті беру кезінде – 2 (екі) жұмыс күні ішінде;", "kk", "Мемлекеттік қызметті көрсету мерзімі:"),
    ("29) туу туралы куәліктерді беру кезінде жеке сәйкестендіру нөмірлерін қалыптастыру;", "kk", "20. Функциялары:"),
    ("С бағанында – құқық белгілейтін құжаттар негізінде мүліктің сәйкестендіру нөмірі;", "kk", None),
    ("3) выдача свидетельства о рождении – в день обращения;", "ru", "Срок оказания услуги:"),
    # a certificate of a rural akim is a hidden service (ANNOTATION.md M4), not this
    ("4) справку с места жительства, выданную акимом сельского округа;", "ru", None),
    # a technical passport of a building is no identity document
    ("2) копия технического паспорта жилого дома;", "ru", "Заявитель представляет:"),
    # title documents to movable things (equipment, vehicles) are private papers, not the real-estate cadastre
    ("1) жабдықтарға құқық белгілеуші құжаттардың көшірмелері;", "kk", "Өнім беруші мынадай құжаттарды ұсынады:"),
    ("1) правоустанавливающие документы на оборудование;", "ru", "Поставщик представляет:"),
    # the body's own steps with a title or identification document: signing it, registering it, receiving it
    ("5) көрсетілетін қызметті берушінің басшысы жер учаскесінің сәйкестендіру құжатына қол қояды және оны "
     "кеңсеге тапсырады;", "kk", None),
    ("7) құқық белгілейтін құжаттарды мемлекеттік тіркеу;", "kk", None),
    ("Егер құқық белгілейтін құжаттың электрондық көшірмесі құқықтық кадастрдың ақпараттық жүйесіне келіп "
     "түссе, тіркеу жүргізіледі.", "kk", None),
    # a definition of the document, not a demand of it
    ("12) құқық белгілейтін құжаттар – мүлікке құқықтың туындағанын растайтын құжаттар;", "kk", None),
    ("5) свидетельство о рождении (далее – свидетельство) – документ, подтверждающий факт рождения;", "ru", None),
    # its details, not the document
    ("4) қайтыс болу туралы куәліктің нөмірі мен берілген күні;", "kk", None),
    # the safety passport of a product is no identity document
    ("6) өнімнің қауіпсіздік паспортының көшірмесі;", "kk", "Өтінішке мынадай құжаттар қоса беріледі:"),
    # named, but nobody is asked for it
    ("Государственная корпорация ведет учет выданных справок о составе семьи в электронном виде и хранит их "
     "в архиве не менее пяти лет после того, как услуга оказана, в соответствии с номенклатурой дел организации, "
     "утвержденной руководителем, и правилами документооборота органа.", "ru", None),
])
def test_no_demand_of_a_state_held_document(text, lang, context):
    assert ids(text, lang, context) == []


def test_information_system_data_needs_an_express_demand():
    # a definition naming the systems is not a list of documents
    assert ids("4) проактивная услуга – услуга, оказываемая на основании сведений из государственных "
               "информационных систем;", "ru") == []
    assert ids("Заявитель представляет выписку из государственной базы данных о недвижимости.", "ru") == [
        "information_system"]


def test_lexicon_is_compiled_once_and_names_every_document_in_both_languages():
    assert stateheld.lexicon("ru") is stateheld.lexicon("ru")
    assert stateheld.lexicon("en") is stateheld.lexicon("ru")
    ru, kk = stateheld.lexicon("ru"), stateheld.lexicon("kk")
    assert [d.id for d in ru.documents] == [d.id for d in kk.documents]
    assert len(ru.documents) >= 10
    for d in ru.documents + kk.documents:
        assert d.name and d.holder
    assert "О государственных услугах" in ru.ground and "Мемлекеттік көрсетілетін қызметтер" in kk.ground


def test_the_reason_names_the_document_the_register_and_the_ground():
    d = next(d for d in stateheld.lexicon("ru").documents if d.id == "no_criminal_record")
    r = stateheld.reason(d, "ru")
    assert "судимости" in r and "правовой статистики" in r and "информационных систем" in r
    dk = next(d for d in stateheld.lexicon("kk").documents if d.id == "no_criminal_record")
    assert "соттылық" in stateheld.reason(dk, "kk") and "Заңы" in stateheld.reason(dk, "kk")


def _norm(i, text, lang="ru", context=None):
    return Norm(id=f"n{i}", kind="subpoint", locator=f"пп. {i}", path={}, start=100 * i, end=100 * i + len(text),
                text=text, lang=lang, context=context)


def test_context_layer_adds_one_finding_and_keeps_an_existing_one():
    units = [_norm(1, "1) заявление по форме согласно приложению;", context="Заявитель представляет:"),
             _norm(2, "2) справка об отсутствии налоговой задолженности;", context="Заявитель представляет:"),
             _norm(3, "3) копия удостоверения личности;", context="Заявитель представляет:")]
    got = context_findings(units, [], "")
    assert [(f.norm_id, f.code, f.rule, f.source) for f in got] == [
        ("n2", "burden.requirements", "context.state_held", "context"),
        ("n3", "burden.requirements", "context.state_held", "context")]
    f = got[0]
    assert f.evidence == units[1].text[f.evidence_start - units[1].start:f.evidence_end - units[1].start]
    assert f.evidence.startswith("справка об отсутствии") and f.details["document"] == "tax_debt"
    assert "налоговой задолженности" in f.reason and "О государственных услугах" in f.reason
    # a detector's own finding of the code on the norm is kept, not doubled
    mine = Finding(code="burden.requirements", family="burden", score=0.9, norm_id="n3", locator="пп. 3",
                   evidence_start=300, evidence_end=305, evidence="3) ко", reason="x", recommendation="y",
                   source="model", rule=None)
    got2 = context_findings(units, [mine], "")
    assert [(f.norm_id, f.source) for f in got2 if f.code == "burden.requirements"] == [("n2", "context"),
                                                                                        ("n3", "model")]


class _Silent:
    name = "silent"

    def detect(self, texts, lang, contexts=None):
        return [[] for _ in texts]


def test_analyze_flags_the_demand_with_its_lead_in(tmp_path):
    body = ("Правила выдачи разрешений\n\n1. Настоящие Правила определяют порядок выдачи разрешений.\n\n"
            "2. Для получения разрешения заявитель представляет в уполномоченный орган следующие документы:\n"
            "1) заявление по форме согласно приложению к настоящим Правилам;\n"
            "2) справку о наличии либо отсутствии судимости.\n\n"
            "3. Разрешение выдается в течение пяти рабочих дней.\n")
    p = tmp_path / "act.txt"
    p.write_text(body, encoding="utf-8")
    rep = analyze(p, detector=_Silent())     # a detector that finds nothing: the context layer alone
    hits = [f for f in rep.findings if f.rule == "context.state_held"]
    assert len(hits) == 1 and hits[0].code == "burden.requirements"
    assert rep.norms[[n.id for n in rep.norms].index(hits[0].norm_id)].text.startswith("2) справку")
    assert "судимости" in hits[0].evidence
    assert body[hits[0].evidence_start:hits[0].evidence_end] == hits[0].evidence


def test_figures_count_caught_positives_and_flagged_clean_norms():
    rows = [
        {"text": "1) справка об отсутствии налоговой задолженности;", "lang": "ru", "context": None,
         "factors": ["burden.requirements"], "stratum": "random"},
        {"text": "1) справка о составе семьи;", "lang": "ru", "context": None, "factors": [], "stratum": "random"},
        {"text": "Заявление рассматривается в течение десяти рабочих дней.", "lang": "ru", "context": None,
         "factors": [], "stratum": "flag"},
        {"text": "Иные документы прилагаются по требованию комиссии.", "lang": "ru", "context": None,
         "factors": ["burden.requirements"], "stratum": "cue"},
    ]
    f = figures(rows, base=[[], [], ["vague.term"], ["burden.requirements"]])["ru"]
    assert (f["positives"], f["caught"], f["clean"], f["clean_flagged"]) == (2, 1, 2, 1)
    assert (f["clean_unbiased"], f["clean_unbiased_flagged"], f["precision"], f["recall"]) == (1, 1, 0.5, 0.5)
    assert f["default_clean_flagged_unbiased"] == 0.0 and f["default_plus_check_clean_flagged_unbiased"] == 1.0
    assert (f["default_requirements_caught"], f["default_plus_check_requirements_caught"]) == (1, 2)


def test_classify_runs_the_check_as_analyze_does():
    # a demand of a state-held document is burden.requirements in classify too, at the check's
    # score where the model scored it lower; every other score is the model's own
    from lexpert.detect.classify import classify_texts

    texts = ["Өтінішке туу туралы куәліктің көшірмесі қоса беріледі.",
             "Заявитель представляет копию документа, удостоверяющего личность, и заявление.",
             "Уполномоченный орган рассматривает заявление в течение пяти рабочих дней."]
    langs = ["kk", "ru", "ru"]
    checked = classify_texts(texts, langs)
    alone = classify_texts(texts, langs, checks=False)
    for c, a in zip(checked[:2], alone[:2]):
        assert "burden.requirements" in c["factors"]
        assert c["scores"]["burden.requirements"] == max(a["scores"]["burden.requirements"], stateheld.SCORE)
        assert {k: v for k, v in c["scores"].items() if k != "burden.requirements"} == \
            {k: v for k, v in a["scores"].items() if k != "burden.requirements"}
    assert checked[2] == alone[2]
