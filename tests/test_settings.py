"""The settings object: every LEXPERT_* variable is one typed field, read and checked in one
place, documented in the README's table, and a malformed value is one line, not a traceback."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from lexpert import settings
from lexpert.errors import ConfigError
from lexpert.settings import Limits, Settings, get_settings, markdown_table, reset_settings, variables

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "lexpert"


def _env_of_field() -> dict[str, str]:
    return {v["env"]: v["field"] for v in variables()}


def test_every_lexpert_variable_in_the_package_is_a_settings_field():
    mentioned: dict[str, set[str]] = {}
    for f in PKG.rglob("*"):
        if not f.is_file() or f.suffix in (".skops", ".safetensors", ".bin", ".parquet", ".pyc", ".png", ".docx"):
            continue
        try:
            text = f.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for name in re.findall(r"LEXPERT_[A-Z_]+[A-Z]", text):
            mentioned.setdefault(name, set()).add(str(f.relative_to(ROOT)))
    known = _env_of_field()
    unknown = {n: sorted(w) for n, w in mentioned.items() if n not in known}
    assert not unknown, f"LEXPERT_* variables that are not fields of lexpert.settings.Settings: {unknown}"
    outside = {n for n, w in mentioned.items() if w - {"lexpert/settings.py"}}
    assert len(outside) >= 15, sorted(outside)               # the scan does find them outside settings.py


def test_only_settings_reads_the_environment():
    readers = []
    for f in PKG.rglob("*.py"):
        if f.name == "settings.py" and f.parent == PKG:
            continue
        for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"os\.environ|getenv\(|envvar=", line):
                readers.append(f"{f.relative_to(ROOT)}:{i}: {line.strip()}")
    assert not readers, "read the environment through lexpert.settings.get_settings():\n" + "\n".join(readers)


def test_the_readme_table_is_the_settings_fields():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme
    rows = re.findall(r"^\| `(LEXPERT_[A-Z_]+)` \|", readme, re.M)
    assert sorted(rows) == sorted(_env_of_field()), "one README row per variable, no other"


def test_names_are_unique_and_documented():
    vs = variables()
    assert len({v["env"] for v in vs}) == len(vs)
    assert all(v["env"].startswith("LEXPERT_") and v["shown"] and v["meaning"] for v in vs)


def test_defaults_with_an_empty_environment():
    s = Settings.from_env({})
    assert s == Settings()
    assert s.limits == Limits() and s.limits.max_bytes == 50 * 1024 * 1024 and s.limits.doc_timeout == 600
    assert (s.detector, s.services, s.allow_torch_import) == ("auto", True, False)
    assert s.home is s.model is s.register is s.database_url is s.secret is s.user is s.torch_threads is None


def test_values_are_parsed_and_typed():
    s = Settings.from_env({"LEXPERT_MAX_PAGES": " 7 ", "LEXPERT_OCR_LANGS": "kaz", "LEXPERT_DETECTOR": "rules",
                           "LEXPERT_SERVICES": "OFF", "LEXPERT_MODEL": "/m", "LEXPERT_TORCH_THREADS": "3",
                           "LEXPERT_ALLOW_TORCH_IMPORT": "1", "LEXPERT_HOME": "~/lx", "LEXPERT_USER": "anna",
                           "LEXPERT_MAX_BYTES": ""})                       # empty: unset
    assert s.limits.max_pages == 7 and s.limits.ocr_langs == "kaz" and s.limits.max_bytes == Limits().max_bytes
    assert (s.detector, s.services, s.torch_threads, s.allow_torch_import, s.user) == ("rules", False, 3, True, "anna")
    assert s.model == Path("/m") and s.home == Path.home() / "lx"
    for on in ("on", "1", "yes", "true", "True"):
        assert Settings.from_env({"LEXPERT_SERVICES": on}).services is True


@pytest.mark.parametrize("name,value,needle", [
    ("LEXPERT_MAX_PAGES", "many", "LEXPERT_MAX_PAGES must be an integer, got 'many'"),
    ("LEXPERT_TORCH_THREADS", "4.5", "LEXPERT_TORCH_THREADS must be an integer"),
    ("LEXPERT_DETECTOR", "rule", "LEXPERT_DETECTOR must be one of auto, rules, got 'rule'"),
    ("LEXPERT_SERVICES", "maybe", "LEXPERT_SERVICES must be on or off"),
    ("LEXPERT_ALLOW_TORCH_IMPORT", "yes", "LEXPERT_ALLOW_TORCH_IMPORT must be 1 or 0"),
])
def test_a_malformed_value_is_a_one_line_config_error(name, value, needle):
    with pytest.raises(ConfigError) as e:
        Settings.from_env({name: value})
    assert needle in str(e.value) and "\n" not in str(e.value)


def test_the_cache_follows_the_environment(monkeypatch):
    monkeypatch.delenv("LEXPERT_MAX_PAGES", raising=False)
    reset_settings()
    a = get_settings()
    assert get_settings() is a                               # cached while nothing changed
    monkeypatch.setenv("LEXPERT_MAX_PAGES", "3")
    b = get_settings()
    assert b.limits.max_pages == 3 and Limits.from_env().max_pages == 3
    monkeypatch.setenv("LEXPERT_MAX_PAGES", "bad")
    with pytest.raises(ConfigError):
        get_settings()
    monkeypatch.delenv("LEXPERT_MAX_PAGES")
    assert get_settings().limits.max_pages == Limits().max_pages
    reset_settings()
    assert settings._CACHE is None and get_settings() == a


def test_readers_see_variables_set_at_run_time(monkeypatch, tmp_path):
    from lexpert.detect.model.ensemble import default_model_dir
    from lexpert.expertise.db.session import default_url
    from lexpert.training.corpora import corpora_root

    monkeypatch.setenv("LEXPERT_MODEL", str(tmp_path / "m"))
    monkeypatch.setenv("LEXPERT_CORPORA", str(tmp_path / "c"))
    monkeypatch.setenv("LEXPERT_HOME", str(tmp_path / "h"))
    monkeypatch.delenv("LEXPERT_DATABASE_URL", raising=False)
    assert default_model_dir() == tmp_path / "m" and corpora_root() == tmp_path / "c"
    assert default_url() == f"sqlite:///{tmp_path / 'h' / 'lexpert.sqlite'}"
    monkeypatch.setenv("LEXPERT_DATABASE_URL", "sqlite:///x.db")
    assert default_url() == "sqlite:///x.db"


def _cli(*args, env):
    e = {k: v for k, v in os.environ.items() if not k.startswith("LEXPERT_")}
    return subprocess.run([sys.executable, "-m", "lexpert", *args], capture_output=True, text=True, timeout=300,
                          env={**e, **env})


@pytest.mark.parametrize("env,needle", [
    ({"LEXPERT_MAX_BYTES": "12MB"}, "LEXPERT_MAX_BYTES must be an integer, got '12MB'"),
    ({"LEXPERT_DETECTOR": "ensemble"}, "LEXPERT_DETECTOR must be one of auto, rules"),
])
def test_the_cli_says_a_malformed_setting_in_one_line(tmp_path, env, needle):
    r = _cli("analyze", env={"LEXPERT_HOME": str(tmp_path), **env})
    assert r.returncode == 2, r.stderr
    assert r.stderr == f"lexpert: error: {r.stderr.split('lexpert: error: ', 1)[1]}" and r.stderr.count("\n") == 1
    assert needle in r.stderr and "Traceback" not in r.stderr and r.stdout == ""


def test_a_malformed_setting_never_breaks_import(tmp_path):
    r = subprocess.run([sys.executable, "-c", "import lexpert, lexpert.cli; print('ok')"], capture_output=True,
                       text=True, timeout=120, env={**os.environ, "LEXPERT_ALLOW_TORCH_IMPORT": "yes"})
    assert r.returncode == 0 and r.stdout == "ok\n", r.stderr


def test_limits_fields_all_have_a_variable():
    assert all("env" in f.metadata for f in fields(Limits))
    assert [f.name for f in fields(Settings) if "env" not in f.metadata] == ["limits"]
