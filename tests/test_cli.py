import json
import os
import subprocess
import sys
from importlib import resources

import jsonschema
import pytest

from lexpert.detect.base import default_detector
from lexpert.taxonomy import load_taxonomy

from .conftest import SEEDS


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "lexpert", *args], input=stdin, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def schema():
    return json.loads(resources.files("lexpert.data").joinpath("report.schema.json").read_text("utf-8"))


def test_analyze_bundled_sample_for_a_person():
    r = run("analyze")
    assert r.returncode == 0, r.stderr
    assert "Правил субсидирования" in r.stdout
    assert "Итого по группам факторов" in r.stdout
    r = run("analyze", "--sample", "kk")
    assert r.returncode == 0 and "Фактор топтары бойынша жиыны" in r.stdout


def test_analyze_json_follows_the_schema(tmp_path, schema):
    out = tmp_path / "r.json"
    r = run("analyze", "--format", "json", "--include-text", "-o", str(out))
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    text = data["text"]
    assert data["findings"], "the sample has findings"
    for f in data["findings"]:
        assert text[f["evidence"]["start"]:f["evidence"]["end"]] == f["evidence"]["text"]
        assert f["code"] in load_taxonomy()
    norms = {n["id"]: n for n in data["norms"]}
    for f in data["findings"]:
        n = norms[f["norm_id"]]
        assert n["span"][0] <= f["evidence"]["start"] < f["evidence"]["end"] <= n["span"][1]
    s = data["summary"]
    assert s["findings"] == len(data["findings"]) == s["kpi_a_contribution"] == sum(s["by_family"].values())


@pytest.mark.parametrize("detector", ["auto", "rules"])
def test_analyze_mixed_language_seed(schema, tmp_path, detector):
    # every finding is named in the language of the norm it sits in; the rule layer is run too
    # because it flags norms of the Kazakh part, where the trained default may flag none
    r = subprocess.run([sys.executable, "-m", "lexpert", "analyze", "--format", "json",
                        str(next(SEEDS.glob("002_*.txt")))], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "LEXPERT_DETECTOR": detector})
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    jsonschema.validate(data, schema)
    assert data["document"]["language"] == "mixed"
    assert [s["lang"] for s in data["document"]["languages"]] == ["ru", "kk"]
    names = {(x.code, lang): x.names[lang] for x in load_taxonomy().factors for lang in ("ru", "kk")}
    lang_of = {n["id"]: n["lang"] for n in data["norms"]}
    assert data["findings"]
    for f in data["findings"]:
        assert f["name"] == names[(f["code"], lang_of[f["norm_id"]])], f
    if detector == "rules":
        assert any(lang_of[f["norm_id"]] == "kk" for f in data["findings"]), "the Kazakh part is flagged"


@pytest.mark.parametrize("content,name,needle", [
    (b"", "empty.txt", "empty"),
    (b"%PDF-1.4 broken", "broken.pdf", "not a valid PDF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.doc", ".docx"),
])
def test_errors_are_one_line_exit_2(tmp_path, content, name, needle):
    p = tmp_path / name
    p.write_bytes(content)
    r = run("analyze", str(p))
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and needle in r.stderr
    assert "Traceback" not in r.stderr


def test_classify_contract(tmp_path):
    lines = [
        {"id": "a", "text": "Уполномоченный орган вправе по своему усмотрению продлить срок.", "lang": "ru"},
        {"id": "b", "text": "Настоящий приказ вводится в действие по истечении десяти календарных дней.", "lang": None},
        {"id": "c", "text": "Уәкілетті орган қажет болған жағдайда тексеру жүргізуге құқылы.", "lang": "kk"},
        {"id": "d", "text": "Заявитель вправе обжаловать решение в суд.", "lang": "ru"},
    ]
    inp = tmp_path / "in.jsonl"
    inp.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = run("classify", str(inp), "-o", str(out))
    assert r.returncode == 0, r.stderr
    res = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    codes = set(load_taxonomy().codes)
    assert [x["id"] for x in res] == ["a", "b", "c", "d"]
    for x in res:
        assert set(x) == {"id", "factors", "scores"}
        assert set(x["factors"]) <= codes and set(x["scores"]) == codes
        assert all(0.0 <= v <= 1.0 for v in x["scores"].values())
        # a code is a factor when its calibrated score reaches that code's threshold
        thresholds = getattr(default_detector(), "thresholds", None) or {c: 0.5 for c in codes}
        assert x["factors"] == [c for c in load_taxonomy().codes if x["scores"][c] >= thresholds[c]]
    assert {"discretion.broad", "discretion.may"} <= set(res[0]["factors"])
    assert res[1]["factors"] == []
    assert "discretion.broad" in res[2]["factors"]
    assert "discretion.may" not in res[3]["factors"]


def test_classify_rejects_contract_violations(tmp_path):
    inp = tmp_path / "bad.jsonl"
    inp.write_text('{"id": 1, "text": "x"}\n', encoding="utf-8")
    r = run("classify", str(inp))
    assert r.returncode == 2 and "line 1" in r.stderr and "'id'" in r.stderr
    inp.write_text('{"id": "1", "text": "x", "lang": "en"}\n', encoding="utf-8")
    r = run("classify", str(inp))
    assert r.returncode == 2 and "lang" in r.stderr


def _info_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("INFO lexpert.")]


def test_verbose_logs_to_stderr_and_leaves_stdout_alone():
    sample = str(resources.files("lexpert.data").joinpath("samples/sample_ru.txt"))
    plain = run("analyze", "--format", "json", sample)
    verbose = run("-v", "analyze", "--format", "json", sample)
    assert plain.returncode == verbose.returncode == 0, verbose.stderr
    assert verbose.stdout == plain.stdout                      # the report is the same byte for byte
    assert not _info_lines(plain.stderr) and "DEBUG" not in plain.stderr
    info = _info_lines(verbose.stderr)
    assert any(ln.startswith("INFO lexpert.pipeline: sample_ru.txt: read as txt (utf-8)") for ln in info), info
    assert any("lexpert.detect.base: detector:" in ln for ln in info), info
    n = len(json.loads(plain.stdout)["findings"])
    assert any(f"{n} findings" in ln for ln in info), info
    assert "DEBUG" not in verbose.stderr
    debug = run("-vv", "analyze", "--format", "json", sample)
    assert debug.stdout == plain.stdout and "DEBUG lexpert.pipeline: sample_ru.txt: parsed into" in debug.stderr


def test_quiet_and_verbose_errors_stay_one_line_without_debug(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    for flags in ((), ("-q",), ("-v",)):
        r = run(*flags, "analyze", str(p))
        assert r.returncode == 2 and r.stderr == "lexpert: error: empty.txt: the file is empty\n", (flags, r.stderr)
    r = run("-vv", "analyze", str(p))                          # -vv: the traceback too, as a DEBUG record
    assert r.returncode == 2 and "DEBUG lexpert.cli.commands: EmptyDocument" in r.stderr and "Traceback" in r.stderr
    assert r.stderr.endswith("lexpert: error: empty.txt: the file is empty\n")


def test_verbose_reaches_the_batch_workers(tmp_path):
    # the workers are spawned processes: the level is handed to them, and a document that
    # cannot be analysed is logged where it happens
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text("1. Уполномоченный орган вправе продлить срок.\n", encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    env = {**os.environ, "LEXPERT_DETECTOR": "rules"}
    cmd = [sys.executable, "-m", "lexpert", "-v", "batch", str(d), "--out", str(tmp_path / "out"), "--workers", "1",
           "--no-progress"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr
    info = _info_lines(r.stderr)
    assert any(ln.startswith("INFO lexpert.batch.engine: batch of ") and "2 to analyse" in ln for ln in info), info
    assert "INFO lexpert.batch.worker: empty.txt: error row (empty): empty.txt: the file is empty" in info, info
    assert any(ln.startswith("INFO lexpert.pipeline: good.txt: ") for ln in info), info


def test_a_missing_model_is_a_warning_and_the_rules_run(tmp_path):
    env = {**os.environ, "LEXPERT_MODEL": str(tmp_path / "no-model"), "LEXPERT_HOME": str(tmp_path)}
    env.pop("LEXPERT_DETECTOR", None)
    r = subprocess.run([sys.executable, "-m", "lexpert", "analyze", "--format", "json"], capture_output=True,
                       text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["generator"]["detector"] == "rules"
    assert r.stderr.startswith("WARNING lexpert.detect.base: no trained model (FileNotFoundError: ") \
        and r.stderr.count("\n") == 1, r.stderr
    q = subprocess.run([sys.executable, "-m", "lexpert", "-q", "analyze", "--format", "json"], capture_output=True,
                       text=True, timeout=300, env=env)
    assert q.returncode == 0 and q.stderr == "" and q.stdout == r.stdout


def test_verbose_says_when_the_database_is_migrated(tmp_path):
    env = {**os.environ, "LEXPERT_HOME": str(tmp_path)}
    env.pop("LEXPERT_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "lexpert", "-v", "db-upgrade"]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert first.returncode == 0 and first.stdout.startswith("database at head: "), first.stderr
    assert "INFO lexpert.expertise.db.session: database sqlite:///" in first.stderr
    assert "schema migrated from empty to " in first.stderr
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert again.returncode == 0 and again.stdout == first.stdout and "migrated" not in again.stderr
