"""The built wheel alone runs the shipped model (issue 13): no lookup in the source checkout."""
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_built_wheel_runs_the_shipped_model_and_register_sample(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", "corpora", "notebooks", "tests"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(wheels), str(src)], check=True, capture_output=True, timeout=600)
    (wheel,) = wheels.glob("lexpert-*.whl")
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=600)
    # a clean interpreter: no site processing (so no editable finder of this checkout), the wheel's
    # folder first, then this environment's dependencies; run far from the checkout
    deps = sysconfig.get_paths()["purelib"]
    code = ("import sys; sys.path[:0] = [sys.argv[1]]; sys.path.append(sys.argv[2]); sys.argv = sys.argv[3:]\n"
            "import lexpert, json\n"
            "assert lexpert.__file__.startswith(sys.path[0]), lexpert.__file__\n"
            "from lexpert.cli.commands import main\n"
            "main()\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXPERT_")}
    env["LEXPERT_HOME"] = str(tmp_path / "home")
    run = subprocess.run([sys.executable, "-S", "-c", code, str(target), deps, "lexpert", "analyze",
                          "--format", "json", "--register", "sample"],
                         capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout)
    assert report["generator"]["detector"] == "ensemble"       # the shipped model, not the rules alone
    assert report["findings"]
    assert (target / "lexpert" / "data" / "models" / "default" / "model.skops").is_file()
    assert (target / "lexpert" / "data" / "register" / "sample.csv").is_file()
