"""lexpert's spaCy components as ``Pipe`` classes: typed factory configs, and pipelines that
survive ``to_disk`` / ``spacy.load`` and ``to_bytes`` / ``from_bytes`` with identical annotations."""
import pytest
import spacy
from confection import ConfigValidationError
from spacy.pipeline import Pipe

import lexpert  # noqa: F401  registers "kk" and the factories
from lexpert.detect.rules import SPANS_KEY, RuleComponent, lexicon_text
from lexpert.nlp.pipeline import LegalLemmatizer, LegalSentencizer, build_nlp

from .conftest import SAMPLE_KK, SAMPLE_RU

TEXTS = {
    "ru": [
        "Уполномоченный орган вправе по своему усмотрению продлить срок. См. ст. 5 Закона. "
        "Иванов И. И. принимает решение (в т. ч. об отказе). Заявитель представляет документы!",
        "Основаниями для отказа являются: 1) непредставление документов; 2) иные основания. "
        "Решение комиссии является окончательным и обжалованию не подлежит.",
        SAMPLE_RU.read_text(encoding="utf-8"),
    ],
    "kk": [
        "Уәкілетті орган өз қалауы бойынша шешім қабылдайды. Көрсетілетін қызметті беруші "
        "өтінішті қайтаруға құқылы. Уәкілетті орган қажет болған жағдайда тексеру жүргізеді.",
        SAMPLE_KK.read_text(encoding="utf-8"),
    ],
}


def full_nlp(lang: str):
    nlp = build_nlp(lang)
    nlp.add_pipe("lexpert_rules", config={"lang": lang})
    return nlp


def annotations(doc):
    return {
        "sents": [(s.start, s.end) for s in doc.sents] if doc.has_annotation("SENT_START") else None,
        "lemmas": [t.lemma_ for t in doc],
        "spans": [(s.start, s.end, s.label_) for s in doc.spans[SPANS_KEY]],
        "hits": list(doc._.factor_hits),
    }


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_disk_round_trip_gives_identical_annotations(lang, tmp_path):
    nlp = full_nlp(lang)
    nlp.to_disk(tmp_path / "pipe")
    assert (tmp_path / "pipe" / "lexpert_rules" / "lexicon.yaml").read_text("utf-8") == lexicon_text(lang)
    loaded = spacy.load(tmp_path / "pipe")
    assert loaded.lang == lang and loaded.pipe_names == nlp.pipe_names
    assert [type(p) for _, p in loaded.pipeline] == [LegalSentencizer, LegalLemmatizer, RuleComponent]
    for text in TEXTS[lang]:
        before, after = annotations(nlp(text)), annotations(loaded(text))
        assert before == after
        # not vacuous: several sentences, real lemmas, rule hits
        assert len(before["sents"]) > 1 and before["hits"] and before["spans"]
        assert any(lm != t.lower_ for lm, t in zip(before["lemmas"], nlp.make_doc(text)))


def test_bytes_round_trip_carries_settings():
    nlp = spacy.blank("ru")
    nlp.add_pipe("lexpert_sentencizer", config={"abbreviations": ["вх"]})
    nlp.add_pipe("lexpert_lemmatizer", config={"lang": "kk"})
    nlp.add_pipe("lexpert_rules", config={"lang": "kk"})
    other = spacy.blank("ru")
    for name in ("lexpert_sentencizer", "lexpert_lemmatizer", "lexpert_rules"):
        other.add_pipe(name)
    other.from_bytes(nlp.to_bytes())
    assert other.get_pipe("lexpert_sentencizer").abbreviations == {"вх"}
    assert other.get_pipe("lexpert_lemmatizer").lang == "kk"
    assert other.get_pipe("lexpert_rules").rules.lang == "kk"
    text = "Хат вх. Бұл құжат. Иванов напр. Уәкілетті орган өз қалауы бойынша шешім қабылдайды."
    assert annotations(other(text)) == annotations(nlp(text))
    # «вх.» is an abbreviation here, «напр.» no longer is
    assert [s.text for s in nlp(text).sents] == [
        "Хат вх. Бұл құжат.", "Иванов напр.", "Уәкілетті орган өз қалауы бойынша шешім қабылдайды."]
    assert [s.text for s in build_nlp("ru")(text).sents] == [
        "Хат вх.", "Бұл құжат.", "Иванов напр. Уәкілетті орган өз қалауы бойынша шешім қабылдайды."]


def test_config_shows_factories_and_settings():
    nlp = full_nlp("kk")
    comps = nlp.config["components"]
    assert comps["lexpert_sentencizer"] == {"factory": "lexpert_sentencizer", "punct_chars": None, "abbreviations": None}
    assert comps["lexpert_lemmatizer"] == {"factory": "lexpert_lemmatizer", "lang": None, "overwrite": True}
    assert comps["lexpert_rules"] == {"factory": "lexpert_rules", "lang": "kk", "lexicon": None}
    assert nlp.get_pipe_meta("lexpert_rules").default_config == {"lang": "ru", "lexicon": None}
    assert all(isinstance(p, Pipe) for _, p in nlp.pipeline)
    assert nlp.get_pipe("lexpert_lemmatizer").lang == "kk"          # lang None: the pipeline's
    assert "discretion.may" in nlp.get_pipe("lexpert_rules").labels
    with pytest.raises(ConfigValidationError):
        spacy.blank("ru").add_pipe("lexpert_rules", config={"lang": 3})
    with pytest.raises(ConfigValidationError):
        spacy.blank("ru").add_pipe("lexpert_lemmatizer", config={"cache": 10})


def test_custom_lexicon_is_saved_with_the_pipeline(tmp_path):
    """A pipeline saved with a lexicon file keeps its rules after the file is gone."""
    custom = tmp_path / "mini.yaml"
    bundled = lexicon_text("ru")
    # the bundled lexicon with one more rule
    custom.write_text(bundled.replace("rules:\n", "rules:\n"
                                      "  - id: test.pomidor\n    code: vague.term\n    pattern: помидор\n"
                                      "    score: 0.9\n    reason: test rule\n", 1), encoding="utf-8")
    nlp = spacy.blank("ru")
    nlp.add_pipe("lexpert_rules", config={"lexicon": str(custom)})
    text = "Заявитель приносит помидор."
    assert "test.pomidor" in {h.rule for h in nlp(text)._.factor_hits}
    nlp.to_disk(tmp_path / "pipe")
    custom.unlink()
    loaded = spacy.load(tmp_path / "pipe")
    assert loaded.config["components"]["lexpert_rules"]["lexicon"] == str(custom)
    assert annotations(loaded(text)) == annotations(nlp(text))


def test_lemmatizer_overwrite_setting():
    nlp = spacy.blank("ru")
    nlp.add_pipe("lexpert_lemmatizer", config={"overwrite": False})
    doc = nlp.make_doc("органы приняли")
    doc[0].lemma_ = "ОРГАН"
    doc = nlp.get_pipe("lexpert_lemmatizer")(doc)
    assert [t.lemma_ for t in doc] == ["ОРГАН", "принять"]
    assert [t.lemma_ for t in build_nlp("ru")("органы приняли")] == ["орган", "принять"]
