"""Start-up and speed machinery (issue 17): PyTorch kept out of runs that do not use it, and
`lexpert bench analyze`. Speed targets themselves live in the benchmark's JSON, not in
timed tests."""
import json
import os
import subprocess
import sys


def test_analyze_does_not_import_torch_but_torch_still_imports(tmp_path):
    code = ("import json, sys\n"
            "import lexpert.cli.commands\n"
            "from lexpert import analyze\n"
            "r = analyze(lexpert.cli.commands.sample_path('kk'))\n"
            "print(json.dumps({'findings': len(r.findings), 'torch': 'torch' in sys.modules}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "LEXPERT_HOME": str(tmp_path)})
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["findings"] > 0 and res["torch"] is False
    import importlib.util

    if importlib.util.find_spec("torch") is not None:      # with the test extras: torch imports on demand
        out = subprocess.run([sys.executable, "-c", "import lexpert.pipeline, torch; print(torch.tensor([2]).item())"],
                             capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "2"


def test_bench_analyze_reports_text_pdf_tokenization_and_cold_start():
    from lexpert.training.bench_analyze import run

    res = run(["kzl-ru-minjust_order_2020-06-19_144367"], repeat=1, starts=1)
    (act,) = res["acts"]
    assert act["pages"] >= 2 and act["normative_units"] > 10
    assert abs(act["pdf_to_text"] - act["analyze_pdf_s"] / act["analyze_text_s"]) < 0.1 * act["pdf_to_text"]
    assert act["analyze_to_tokenization_cold"] > 0 and act["tokenize_warm_s"] <= act["tokenize_cold_s"]
    assert abs(act["normative_units_pdf"] - act["normative_units"]) <= 0.1 * act["normative_units"]
    cs = res["cold_start"]
    assert cs["lexpert_help_s"] < cs["lexpert_analyze_sample_s"]
    assert set(res["targets"]) >= {"pdf_to_text_met", "cold_start_met", "analyze_to_tokenization_cold_met"}
