"""The public contracts, recorded: ``analyze --format json``, ``classify``, ``compare --format json``,
``batch`` outputs and the API's paths and upload answer, each reduced to a SHA-256 of its exact
bytes (tables: of their rows in order), so a move of the code can be checked to change none of them.

    python -m tests.contracts            # print the digests
    python -m tests.contracts --record   # write tests/data/contracts.json (only when a change is meant)

Inputs: every authored corpus document, the bundled samples, the corpus version pairs, the
corpus test norms, and a few open real acts read from the realacts folder at run time (their text
is never stored; only the digest of lexpert's output is).
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "tests" / "data" / "contracts.json"
DOCS = ROOT / "corpora" / "documents"
VERSIONS = ROOT / "corpora" / "versions"
SAMPLES = ROOT / "lexpert" / "data" / "samples"
REAL = (("law/ru", 6), ("law/kk", 4), ("kk", 8))     # the first N open acts of each folder, by name


def _sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def real_act_paths() -> list[Path]:
    root = Path(os.environ.get("LEXPERT_REALACTS") or ROOT.parent / "shared" / "realacts")
    out = []
    for sub, n in REAL:
        folder = root / sub
        if folder.is_dir():
            out += sorted(p for p in folder.iterdir() if p.suffix in (".txt", ".md"))[:n]
    return out


def _cli(args: list[str]) -> bytes:
    from click.testing import CliRunner

    from lexpert.cli.commands import main

    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0, (args, res.output[-2000:])
    return res.stdout_bytes


def analyze_digests() -> dict[str, str]:
    paths = sorted(DOCS.glob("*.txt")) + sorted(SAMPLES.glob("*.txt"))
    out = {f"analyze:{p.name}": _sha(_cli(["analyze", str(p), "--format", "json"])) for p in paths}
    for p in real_act_paths():
        out[f"analyze:real:{p.parent.name}/{p.name}"] = _sha(_cli(["analyze", str(p), "--format", "json"]))
    return out


def classify_digest(tmp: Path) -> dict[str, str]:
    src = tmp / "in.jsonl"
    with src.open("w", encoding="utf-8") as f:
        for line in (ROOT / "corpora" / "norms" / "test.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            f.write(json.dumps({"id": row["id"], "text": row["text"], "lang": row["lang"]}, ensure_ascii=False) + "\n")
    return {"classify:corpus-test": _sha(_cli(["classify", str(src)]))}


def compare_digests() -> dict[str, str]:
    return {f"compare:{d.name}": _sha(_cli(["compare", str(d / "draft.txt"), str(d / "adopted.txt"), "--format", "json"]))
            for d in sorted(VERSIONS.iterdir()) if (d / "draft.txt").exists()}


def batch_digests(tmp: Path) -> dict[str, str]:
    import shutil

    import pyarrow.parquet as pq

    inp = tmp / "batch-in"
    inp.mkdir()
    for p in sorted(DOCS.glob("*_b1_0[1-4]*.txt")):
        shutil.copy(p, inp / p.name)
    out = tmp / "batch-out"
    _cli(["batch", str(inp), "-o", str(out), "--workers", "1"])
    res = {}
    for name in ("acts", "findings", "norms"):
        rows = pq.read_table(out / f"{name}.parquet").to_pylist()
        for r in rows:
            r.pop("seconds", None)                           # wall time
            if r.get("source"):
                r["source"] = Path(r["source"]).name          # where the test put the folder
        res[f"batch:{name}"] = _sha(json.dumps(rows, ensure_ascii=False, sort_keys=True, default=str))
    res["batch:errors"] = _sha((out / "errors.jsonl").read_bytes())
    return res


def api_digests(tmp: Path) -> dict[str, str]:
    from fastapi.testclient import TestClient

    from lexpert.web.app import create_app

    os.environ["LEXPERT_SECRET"] = os.environ.get("LEXPERT_SECRET") or "contracts-" + "z" * 32
    app = create_app(f"sqlite:///{tmp / 'api.db'}")
    def flat(routes):          # an included router is one entry of app.routes in newer FastAPI
        for r in routes:
            inner = getattr(r, "original_router", None)
            yield from flat(inner.routes) if inner is not None else [r]

    paths = sorted(f"{m} {r.path}" for r in flat(app.routes) for m in sorted(getattr(r, "methods", None) or ()))
    spec = app.openapi()
    api_paths = sorted(f"{m.upper()} {p}" for p, ops in spec["paths"].items() for m in ops)
    from lexpert.expertise.db import session_scope
    from lexpert.web.auth import add_user

    with session_scope(f"sqlite:///{tmp / 'api.db'}") as s:
        add_user(s, "expert1", "contract-password", "expert", None)
    with TestClient(app) as c:
        tok = c.post("/api/token", data={"username": "expert1", "password": "contract-password"}).json()["access_token"]
        r = c.post("/api/drafts", headers={"Authorization": f"Bearer {tok}"},
                   files={"file": ("sample_kk.txt", (SAMPLES / "sample_kk.txt").read_bytes())},
                   data={"agency": "Министерство"})
        assert r.status_code == 201, r.text
    return {"api:routes": _sha("\n".join(paths)), "api:openapi-paths": _sha("\n".join(api_paths)),
            "api:upload": _sha(r.content)}


def produce() -> dict[str, str]:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        os.environ["LEXPERT_HOME"] = str(tmp / "home")
        out = {}
        out.update(analyze_digests())
        out.update(classify_digest(tmp))
        out.update(compare_digests())
        out.update(batch_digests(tmp))
        out.update(api_digests(tmp))
    return out


if __name__ == "__main__":
    got = produce()
    if "--record" in sys.argv:
        RECORD.parent.mkdir(parents=True, exist_ok=True)
        RECORD.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"recorded {len(got)} digests -> {RECORD}")
    else:
        print(json.dumps(got, indent=1, sort_keys=True))
