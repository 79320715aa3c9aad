"""A refusal ground that points to the requirements of unnamed acts (lexpert.detect.unnamed_requirements):
``burden.refusal`` in analyze's context layer and in classify. Synthetic text only."""
import pytest

from lexpert.detect import unnamed_requirements as U
from lexpert.detect.classify import classify_texts
from lexpert.detect.context import context_findings
from lexpert.records import Norm


@pytest.mark.parametrize("text,lang", [
    ("2) несоответствие услугополучателя и (или) представленных материалов, объектов, данных и сведений, "
     "необходимых для оказания государственной услуги, требованиям, установленным нормативными правовыми "
     "актами Республики Казахстан;", "ru"),
    ("3) не соответствует требованиям, установленным нормативными правовыми актами;", "ru"),
    ("2) көрсетілетін қызметті алушының және (немесе) ұсынылған материалдардың, деректер мен мәліметтердің "
     "Қазақстан Республикасының нормативтік құқықтық актілерінде белгіленген талаптарға сәйкес келмеуі;", "kk"),
])
def test_the_unnamed_acts_wording_is_found(text, lang):
    span = U.find(text, lang)
    assert span is not None
    assert ("нормативными правовыми актами" if lang == "ru" else "белгіленген талаптарға") in text[span[0]:span[1]]


@pytest.mark.parametrize("text,lang", [
    # the ground names what it requires
    ("2) несоответствие представленных документов требованиям, установленным настоящими Правилами;", "ru"),
    ("2) ұсынылған құжаттардың осы Қағидаларда белгіленген талаптарға сәйкес келмеуі;", "kk"),
    # acts named, no mismatch
    ("Услугодатель проверяет документы в соответствии с нормативными правовыми актами.", "ru"),
])
def test_a_named_requirement_is_not_the_wording(text, lang):
    assert U.find(text, lang) is None


def _norm(i, text, lang="ru"):
    return Norm(id=f"n{i}", kind="subpoint", locator=f"пп. {i}", path={}, start=100 * i, end=100 * i + len(text),
                text=text, lang=lang, context="Основаниями для отказа в оказании государственной услуги являются:")


def test_analyze_context_layer_and_classify_both_raise_burden_refusal():
    texts = ["1) установление недостоверности документов, представленных услугополучателем;",
             "2) несоответствие услугополучателя требованиям, установленным нормативными правовыми актами;"]
    got = context_findings([_norm(1, texts[0]), _norm(2, texts[1])], [], "")
    assert [(f.norm_id, f.code, f.rule) for f in got] == [("n2", "burden.refusal", "context.unnamed_requirements")]
    f = got[0]
    assert f.evidence == texts[1][f.evidence_start - 200:f.evidence_end - 200]
    assert f.evidence.startswith("несоответствие") and "неназванных" in f.reason
    checked = classify_texts(texts, ["ru", "ru"])
    alone = classify_texts(texts, ["ru", "ru"], checks=False)
    assert checked[0] == alone[0]
    assert "burden.refusal" in checked[1]["factors"]
    assert checked[1]["scores"]["burden.refusal"] == max(alone[1]["scores"]["burden.refusal"], U.SCORE)
