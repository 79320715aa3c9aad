"""lexpert monitoring-report: the analytical report form (seeds 000/003), from a real batch OUTDIR."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from lexpert.batch import BatchOptions, run_batch
from lexpert.training.generate import generate_corpus
from lexpert.cli.commands import main


@pytest.fixture(scope="module")
def outdir(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("LEXPERT_DETECTOR", "rules")      # the shipped rule layer: a shorter worker start-up
    try:
        d = tmp_path_factory.mktemp("mon")
        generate_corpus(d / "c", 14, norms_per_draft=25, seed=5)
        (d / "c" / "drafts" / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
        run_batch(d / "c" / "drafts", d / "out", BatchOptions(workers=2, progress=False))
    finally:
        mp.undo()
    return d / "out"


@pytest.mark.parametrize("lang,heads", [
    ("ru", ["Аналитический отчет по итогам антикоррупционного мониторинга", "I. Вводная часть",
            "II. Информационно-аналитическая часть", "III. Заключительная часть"]),
    ("kk", ["Сыбайлас жемқорлыққа қарсы мониторинг қорытындылары бойынша талдамалық есеп", "I. Кіріспе бөлім",
            "II. Ақпараттық-талдамалық бөлім", "III. Қорытынды бөлім"]),
])
def test_report_docx_has_form_sections_and_plots(outdir, tmp_path, lang, heads):
    import docx

    out = tmp_path / f"report_{lang}.docx"
    r = CliRunner().invoke(main, ["monitoring-report", str(outdir), "-o", str(out), "--lang", lang,
                                  "--period", "2026-01-01..2026-12-31", "--plots", str(tmp_path / "plots")])
    assert r.exit_code == 0, r.output
    d = docx.Document(str(out))
    text = [p.text for p in d.paragraphs]
    for h in heads:
        assert h in text, h
    assert heads.index(heads[1]) < heads.index(heads[3])
    assert text.index(heads[1]) < text.index(heads[2]) < text.index(heads[3])
    assert len(d.inline_shapes) == 3                       # the three plots are embedded pictures
    assert any("2026-01-01" in t and "2026-12-31" in t for t in text)
    body = "\n".join(text + [c.text for t in d.tables for row in t.rows for c in row.cells])
    assert "14" in body and "15" in body                     # 14 analysed of 15 submitted (one broken PDF)
    assert len(d.tables) == 4
    assert sorted(x.name for x in (tmp_path / "plots").iterdir()) == [
        "factors_per_draft_by_agency.png", "family_shares.png", "heatmap_agency_family.png"]


def test_report_needs_a_batch_folder(tmp_path):
    r = CliRunner().invoke(main, ["monitoring-report", str(tmp_path), "-o", str(tmp_path / "r.docx")])
    assert r.exit_code == 2 and "acts.parquet is missing" in r.output and r.output.count("\n") == 1


def test_sphere_codes_are_named_in_the_report_language():
    from lexpert.taxonomy import sphere_name

    assert sphere_name("land", "kk") == "Жер қатынастары" and sphere_name("land", "ru") == "Земельные отношения"
    assert sphere_name("Земельные отношения", "kk") == "Земельные отношения"    # free text stays as given


def test_duplicates_are_folded_and_each_report_keeps_its_language(outdir, tmp_path):
    import shutil

    from lexpert.reports.monitoring import load

    data = load(outdir, "ru")
    for code, exs in data.examples.items():           # quoted examples come from drafts in the report's language
        if any(f["lang"] == "ru" for f in exs):
            assert all(f["lang"] == "ru" for f in exs), code
    assert data.duplicates == 0
    # the same drafts submitted twice: counted once, with their findings once
    src = outdir.parent / "c" / "drafts"
    twice = tmp_path / "twice"
    twice.mkdir()
    for f in sorted(src.glob("*.txt"))[:3]:
        shutil.copy(f, twice / f.name)
        shutil.copy(f, twice / ("copy_" + f.name))
    mp = pytest.MonkeyPatch()
    mp.setenv("LEXPERT_DETECTOR", "rules")
    try:
        run_batch(twice, tmp_path / "out", BatchOptions(workers=1, progress=False))
    finally:
        mp.undo()
    folded = load(tmp_path / "out", "kk")
    assert folded.drafts == 6 and folded.ok == 3 and folded.duplicates == 3 and folded.errors == 0
    import pyarrow.parquet as pq

    every = pq.read_table(tmp_path / "out" / "acts.parquet").to_pylist()
    assert folded.findings > 0 and 2 * folded.findings == sum(a["findings"] for a in every)   # each copy once
    assert sum(g["drafts"] for g in folded.agencies.values()) == 3


def test_report_from_the_record_counts_confirmed_factors_only(tmp_path):
    """--record: only drafts whose expertise was completed in the period, only confirmed findings;
    the same text examined twice once; a draft still under expertise is counted apart. The batch
    report does not compare its unconfirmed signals with the national baseline."""
    import datetime as dt

    import docx

    from lexpert import analyze
    from lexpert.data import DATA
    from lexpert.expertise.db import init_db, session_scope
    from lexpert.expertise.db.models import Draft
    from lexpert.expertise.workflow import add_draft, complete_expertise, decide
    from lexpert.reports.monitoring import load_record, report

    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    init_db(url)
    rep = analyze(DATA / "samples" / "sample_ru.txt")
    assert len(rep.findings) >= 3
    at = dt.datetime(2026, 3, 2)
    with session_scope(url) as s:
        ids = []
        for agency in ("Орган А", "Орган А", "Орган Б"):          # the second is the same text again
            d = add_draft(s, b"", report=rep, agency=agency, at=at)
            ids.append(d.id)
        for did, n_conf in zip(ids[:2], (2, 2)):
            fs = s.get(Draft, did).versions[0].findings
            for i, f in enumerate(fs):
                decide(s, f.id, "confirmed" if i < n_conf else "rejected", reason=None if i < n_conf else "нет",
                       at=at)
            complete_expertise(s, did, at=dt.datetime(2026, 3, 10))
    with session_scope(url) as s:
        data = load_record(s, "ru", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        late = load_record(s, "ru", dt.date(2026, 4, 1), None)
    assert data.basis == "record" and data.ok == 1 and data.duplicates == 1 and data.errors == 1
    assert data.findings == 2 and data.per_draft == [2] and sum(data.by_family.values()) == 2
    assert late.ok == 0 and late.findings == 0
    out = report(data, tmp_path / "r.docx", lang="ru")
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "подтвержденным экспертом" in text and "2,00" in text and "2,7" in text
    assert "предварительн" not in text


def test_batch_report_calls_its_signals_preliminary(outdir, tmp_path):
    import docx

    out = tmp_path / "b.docx"
    r = CliRunner().invoke(main, ["monitoring-report", str(outdir), "-o", str(out)])
    assert r.exit_code == 0, r.output
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "предварительный показатель" in text and "выше базового" not in text and "не превышает базового" not in text
    both = CliRunner().invoke(main, ["monitoring-report", str(outdir), "--record", "-o", str(out)])
    assert both.exit_code == 2 and "either a batch OUTDIR or --record" in both.output
