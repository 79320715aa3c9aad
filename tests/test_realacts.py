"""Real acts read as an expert reads them (issue 12): normative units, tables, stamps, forms,
citation style, parallel consistency, coverage warnings. The acts are read at run time from
``../shared/realacts`` (``LEXPERT_REALACTS``); nothing of their text is in the repository."""
import json

import pytest

from lexpert.training import realacts
from lexpert.pipeline import analyze, analyze_text
from lexpert.ingest.markdown import markdown_to_text
from lexpert.nlp.normalize import normalize
from lexpert.structure import norms, parse

RU_SERVICE = "kzl-ru-minjust_order_2020-06-19_144367"      # order approving state-service Rules, standard table, forms
KK_SERVICE = "kzl-kk-minjust_order_2020-06-19_144367"
KK_BUDGET = "lre-00415"                                      # maslikhat budget decision: stamp, budget tables


def _units(act_id):
    text = realacts.act_text(act_id)
    doc = parse(text)
    return text, doc, [n for n in doc.walk() if n.unit]


def test_heldout_acts_are_never_listed():
    acts = realacts.acts()
    assert len(acts) > 2900
    assert not any(a.file.startswith("heldout") for a in acts.values())
    held = [json.loads(x)["id"] for x in open(realacts.root() / "manifest.jsonl", encoding="utf-8")
            if json.loads(x).get("split") == "heldout"]
    with pytest.raises(realacts.RealActsUnavailable):
        realacts.get(held[0])


def test_service_rules_standard_table_stamp_and_forms():
    text, doc, units = _units(RU_SERVICE)
    by_text = {text[n.text_start:n.text_end]: n for n in units}
    # the approval stamp and its body are a stamp, never a norm
    assert by_text["«СОГЛАСОВАН»"].unit == "stamp"
    assert by_text["М. Бекетаев"].unit == "signature"
    # the standard's value cells are normative units, cited by row and column name
    cells = [n for n in units if n.kind == "cell" and n.unit == "norm"]
    refusal = [n for n in cells if "строка 9" in n.locator]
    assert refusal and refusal[0].locator.startswith("приложение 1 к Правилам, строка 9, графа «Основания для отказа")
    # row labels and row numbers are not
    assert all(n.unit != "norm" for n in units if n.kind == "cell" and text[n.text_start:n.text_end] in ("8.", "9."))
    # everything in an annex that is a blank form is `form`
    form_annexes = [a for a in doc.children[0].children if a.kind == "annex" and a.cite == "приложение 2 к Правилам"]
    assert form_annexes
    assert {n.unit for n in form_annexes[0].walk() if n.unit and n.kind != "heading"} <= {"form", "empty"}
    # the Rules' own points are cited as the act cites them
    ns = norms(doc, text)
    assert any(n.locator == "Правила, глава 2, пункт 3" for n in ns)
    assert not any(n.text.startswith(("«СОГЛАСОВАН", "Министр юстиции")) for n in ns)


def test_kazakh_budget_decision_has_no_findings_on_tables_or_stamps():
    rep = analyze(realacts.get(KK_BUDGET).path)
    text = rep.text
    cells = [n for n in rep.structure.walk() if n.kind == "cell"]
    assert len(cells) > 300
    assert all(n.unit != "norm" for n in cells)                  # budget rows are figures, codes, names
    stamps = [n for n in rep.structure.walk() if n.kind == "stamp"]
    assert stamps and text[stamps[0].text_start:stamps[0].text_end].startswith("КЕЛІСІЛДІ")
    norm_ids = {n.id for n in rep.norms}
    assert all(f.norm_id in norm_ids for f in rep.findings)
    assert not any("|" in n.text for n in rep.norms)
    assert len(rep.findings) <= 3


def test_run_together_points_are_split():
    text = realacts.act_text(KK_BUDGET)
    doc = parse(text)
    op = next(c for a in doc.children for c in a.children if c.kind == "operative")
    assert [p.number for p in op.children if p.kind == "point"][:2] == ["1", "2"]


def test_parallel_russian_and_kazakh_acts_give_the_same_points():
    from lexpert.training.realeval import parallel_alignment

    res = parallel_alignment()
    assert res["pairs"] >= 19
    assert res["share"] >= 0.95, res


def test_markdown_tables_stamps_forms_and_escaped_numbers():
    md = """# Об утверждении Правил

ПРИКАЗЫВАЮ:

1\\. Утвердить Правила.

> *«СОГЛАСОВАН»*  
> *Министерство финансов*

<table>
<tr><td colspan="2">Стандарт</td></tr>
<tr><td>1.</td><td>Срок</td><td rowspan="2">пять рабочих
дней</td></tr>
<tr><td>2.</td><td>Плата</td></tr>
</table>

```
Заявитель ______________ (подпись)
```
"""
    text = normalize(markdown_to_text(md))
    lines = text.split("\n")
    assert "1. Утвердить Правила." in lines
    assert "«СОГЛАСОВАН»" in lines and "Министерство финансов" in lines
    assert "1. | Срок | пять рабочих дней" in lines                 # a cell's lines joined, one row a line
    assert "2. | Плата" in lines                                    # a rowspan cell written once
    assert "Заявитель ______________ (подпись)" in lines           # form blanks survive normalization
    doc = parse(text)
    assert [n.unit for n in doc.walk() if n.kind == "stamp"] == ["stamp", "stamp"]
    assert [n.unit for n in doc.walk() if n.unit and "подпись" in text[n.text_start:n.text_end]] == ["form"]


def test_labels_still_point_at_their_text_and_split_by_act():
    from lexpert.training.units import labelled_items, load_labels

    rows = load_labels()
    assert len(rows) >= 1000
    assert {r["lang"] for r in rows} == {"ru", "kk"}
    assert not ({r["act"] for r in rows if r["split"] == "train"} & {r["act"] for r in rows if r["split"] == "test"})
    items, kept = labelled_items(rows[:200])          # raises if a span no longer holds its labelled text
    assert len(kept) == 200


def test_unit_classifier_scores_reproduce_the_shipped_metrics():
    from lexpert.structure.unitmodel import default_unit_model
    from lexpert.training.units import MODEL_DIR, evaluate

    metrics = json.loads((MODEL_DIR / "metrics.json").read_text("utf-8"))
    res = evaluate(default_unit_model(), "test")
    assert res["rules+model"]["all"] == metrics["test"]["rules+model"]["all"]
    assert res["rules+model"]["all"]["norm_recall"] >= 0.95
    assert res["rules+model"]["all"]["nonnorm_recall"] >= 0.9


def test_a_document_in_english_is_reported_as_not_analysed(tmp_path):
    rep = analyze_text(normalize("ORDER\n\n1. The authorized body may, if necessary, extend the term at its discretion.\n"))
    assert rep.coverage.status == "none"
    assert not rep.analysed and not rep.findings
    d = rep.to_dict()
    assert d["summary"]["coverage"]["reasons"][0]["code"] == "language_not_analysed"
    assert any("not checked" in w for w in d["document"]["warnings"])


def test_the_cli_never_says_no_factors_for_what_it_did_not_analyse(tmp_path):
    from click.testing import CliRunner

    from lexpert.cli.commands import main

    p = tmp_path / "en.txt"
    p.write_text("ORDER\n\n1. The authorized body may, if necessary, extend the term.\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["analyze", str(p)]).output
    assert "не выявлены" not in out and "не проанализирован" in out


def test_a_form_only_document_has_no_normative_units():
    rep = analyze_text(normalize("Форма\n\nЗаявление\n\n____________________\n\n(подпись)\n\n(Ф.И.О.)\n"))
    assert rep.coverage.status == "none"
    assert {r["code"] for r in rep.coverage.reasons} == {"no_normative_units"}


def test_plan_of_measures_cells_and_quoted_register_rows_are_not_norms():
    # a national project's plan (lre-04063): the measure stays for the reader and the model,
    # its form of completion, term, source of funds and executors are a plan's list
    text, doc, units = _units("lre-04063")
    executors = [n for n in units if n.kind == "cell"
                 and text[n.text_start:n.text_end].strip().startswith("тиісті әкімшілік-аумақтық бірліктің ЖАО")]
    assert len(executors) >= 10 and all(n.unit == "list" for n in executors)
    terms = [n for n in units if n.kind == "cell" and "тоқсан" in text[n.text_start:n.text_end]
             and len(text[n.text_start:n.text_end].split()) < 8]
    assert terms and all(n.unit == "list" for n in terms)
    # rows of the Register quoted whole in an amendment (lre-08486): «64. | … беру | Әділетмині»
    text, doc, units = _units("lre-08486")
    rows = [n for n in units if text[n.text_start:n.text_end].rstrip().endswith("| Әділетмині")]
    assert len(rows) >= 5 and all(n.unit == "list" for n in rows)
    # a standard's value cell naming its provider stays a norm (the standard table decides first)
    text, doc, units = _units(RU_SERVICE)
    assert any(n.unit == "norm" and n.kind == "cell" for n in units)


def test_unit_classifier_fast_features_equal_scikit_learn():
    # the per-word cached char n-gram TF-IDF is the same matrix as TfidfVectorizer.transform
    from lexpert.structure.units import contexts
    from lexpert.structure.unitmodel import default_unit_model

    model = default_unit_model()
    text = realacts.act_text(KK_BUDGET) + "\n" + realacts.act_text(RU_SERVICE)
    doc = parse(text)
    texts = [t.lower()[:400] for act in doc.children for _, t, _ in contexts(act, text)]
    assert len(texts) > 200
    fast, ref = model._featurizer().transform(texts), model.tf_.transform(texts)
    assert (fast.indptr == ref.indptr).all() and (fast.indices == ref.indices).all()
    assert abs(fast - ref).max() < 1e-6


def test_language_cues_are_the_same_counted_once_per_word():
    from lexpert.nlp import lang

    def reference(text):             # the per-word loop the cached version replaced
        s = {"ru": 0.0, "kk": 0.0, "en": 0.0}
        for w in lang._WORDS.findall(text):
            lw = w.lower()
            if any(ch in lang.KK_LETTERS for ch in w):
                s["kk"] += 1.0
            elif "a" <= lw[0] <= "z":
                s["en"] += 1.0 + (lw in lang.EN_FUNC)
            elif lw in lang.KK_FUNC:
                s["kk"] += 1.5
            elif lw in lang.RU_FUNC:
                s["ru"] += 1.5
            elif lw.endswith(("ого", "ому", "ыми", "ими", "ость", "ения", "ании", "ение", "ться", "ется", "ются", "ых", "ий")):
                s["ru"] += 1.0
            elif lw.endswith(("лар", "лер", "дар", "дер", "тар", "тер", "ның", "нің", "ды", "ді", "ға", "ге", "да", "де")):
                s["kk"] += 0.7
            else:
                s["ru"] += 0.3
                s["kk"] += 0.2
        return s

    text = realacts.act_text(KK_SERVICE)[:20000] + realacts.act_text(RU_SERVICE)[:20000] + " the Law shall"
    for line in text.split("\n"):
        assert lang.score(line) == reference(line)
