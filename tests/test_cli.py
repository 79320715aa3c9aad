import json
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


def test_analyze_mixed_language_seed(schema, tmp_path):
    r = run("analyze", "--format", "json", str(next(SEEDS.glob("002_*.txt"))))
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    jsonschema.validate(data, schema)
    assert data["document"]["language"] == "mixed"
    assert [s["lang"] for s in data["document"]["languages"]] == ["ru", "kk"]
    kk_findings = [f for f in data["findings"] if f["name"] in {x.names["kk"] for x in load_taxonomy().factors}]
    assert kk_findings, "findings in the Kazakh part are named in Kazakh"


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
