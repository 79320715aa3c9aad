"""p50/p95 latency of POST /api/drafts with a real HTTP client against a running `lexpert serve`.

    python scripts/bench_api.py [--file corpora/seeds/002_22a94156ead23eb2.txt] [-n 20]

Starts its own server on a free loopback port with a throw-away LEXPERT_HOME, creates an
expert user, uploads FILE n times (after one warm-up) and prints JSON.
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", default=str(ROOT / "corpora/seeds/002_22a94156ead23eb2.txt"))
    ap.add_argument("-n", type=int, default=20)
    a = ap.parse_args()
    home = tempfile.mkdtemp()
    env = {**os.environ, "LEXPERT_HOME": home, "LEXPERT_SECRET": "bench-" + "z" * 40}
    env.pop("LEXPERT_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "lexpert", "users", "add", "bench", "--role", "expert"],
                   input="bench-password\n", text=True, env=env, check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "lexpert", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                httpx.get(base + "/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        data = Path(a.file).read_bytes()
        with httpx.Client(base_url=base, timeout=300) as c:
            tok = c.post("/api/token", data={"username": "bench", "password": "bench-password"}).json()["access_token"]
            h = {"Authorization": f"Bearer {tok}"}
            c.post("/api/drafts", headers=h, files={"file": (Path(a.file).name, data)})   # warm-up
            times = []
            for _ in range(a.n):
                t = time.perf_counter()
                r = c.post("/api/drafts", headers=h, files={"file": (Path(a.file).name, data)})
                times.append(time.perf_counter() - t)
                assert r.status_code == 201, r.text[:200]
            norms = len(r.json()["analysis"]["norms"])
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    times.sort()
    print(json.dumps({"file": Path(a.file).name, "bytes": len(data), "norms": norms, "requests": a.n,
                      "p50_s": round(statistics.median(times), 3),
                      "p95_s": round(times[max(0, int(round(0.95 * len(times))) - 1)], 3),
                      "max_s": round(times[-1], 3)}, indent=1))


if __name__ == "__main__":
    main()
