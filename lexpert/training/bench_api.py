"""``lexpert bench api``: the service under load, against a real ``lexpert serve``, as JSON.

Starts ``lexpert serve`` on a free loopback port with a throw-away ``LEXPERT_HOME`` (SQLite)
and measures, with an HTTP client:

- ``concurrent_uploads``: N uploads of one real-size draft at once (all must answer 201)
  while ``/healthz`` is polled every 100 ms; the figure tracked is the health check's
  worst latency (target under 2 s: the server keeps answering while it analyses);
- ``lists``: with D drafts in the database (inserted directly through the workflow with one
  small analysed text, not uploaded), R concurrent GETs of the first page of ``/api/drafts``
  and R of ``/api/drafts/{id}``: p50/p95/max (target p95 under 1 s);
- ``first_upload_s``: one upload on the fresh server (its workers may still be loading the
  detector), made before the rest, so that they measure a warm server;
- ``sequential_uploads``: p50/p95 of S uploads one after another, the latency of a single
  upload on an idle server;
- ``big_act`` (with ``big`` characters, on the server of ``lists``): one upload of a synthetic
  act that large (:func:`synthetic_act`; 4.4 M characters is the largest act seen) while
  ``/healthz``, the list and a draft are polled every 200 ms: the upload's status and time and
  each poll's worst latency (target under 2 s: the server answers while it analyses and stores).

The pieces (:func:`server`, :func:`concurrent_uploads`, :func:`concurrent_gets`,
:func:`seed_drafts`) are also what ``tests/test_load.py`` runs, on a smaller scale.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from ..settings import CHECKOUT, child_environment

USER, PASSWORD = "bench", "bench-password"
DEFAULT_FILE = CHECKOUT / "corpora" / "seeds" / "002_22a94156ead23eb2.txt"
SMALL_TEXT = ("Об утверждении Правил выдачи разрешений\n\n1. Уполномоченный орган вправе продлить срок "
              "рассмотрения заявления.\n2. Заявитель представляет иные документы по усмотрению органа.\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _q(values: list[float], q: float) -> float:
    v = sorted(values)
    return round(v[min(len(v) - 1, max(0, int(round(q * len(v))) - 1))], 3)


def _stats(values: list[float]) -> dict[str, float]:
    return {"p50_s": round(statistics.median(values), 3), "p95_s": _q(values, 0.95), "max_s": round(max(values), 3)}


@contextmanager
def server(prepare: Callable[[str], None] | None = None, env: dict[str, str | None] | None = None,
           start_timeout: float = 180) -> Iterator[tuple[str, dict[str, str]]]:
    """A ``lexpert serve`` of its own (throw-away home, SQLite); yields its base URL and the
    bearer header of an expert user. ``prepare(db_url)`` fills the database before the start."""
    import httpx

    home = tempfile.mkdtemp(prefix="lexpert-bench-")
    run_env = child_environment({"LEXPERT_HOME": home, "LEXPERT_SECRET": "bench-" + "z" * 40,
                                 "LEXPERT_DATABASE_URL": None, **(env or {})})
    proc = None
    try:
        subprocess.run([sys.executable, "-m", "lexpert", "users", "add", USER, "--role", "expert"],
                       input=PASSWORD + "\n", text=True, env=run_env, check=True, capture_output=True)
        if prepare is not None:
            prepare(f"sqlite:///{Path(home) / 'lexpert.sqlite'}")
        port = _free_port()
        proc = subprocess.Popen([sys.executable, "-m", "lexpert", "serve", "--port", str(port)], env=run_env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"lexpert serve did not start (exit code {proc.poll()})")
            time.sleep(0.2)
        r = httpx.post(base + "/api/token", data={"username": USER, "password": PASSWORD}, timeout=30)
        r.raise_for_status()
        yield base, {"Authorization": f"Bearer {r.json()['access_token']}"}
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(home, ignore_errors=True)


async def _get(base: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One GET over a connection of its own: a bare HTTP/1.1 client on asyncio streams, so that
    hundreds of concurrent requests cost the measuring process little (httpx's async pool costs
    more CPU than the server's answer, and it shares the machine's cores with the server)."""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        head = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{head}Connection: close\r\n\r\n".encode("latin-1"))
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    top, _, body = raw.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in fields.items()}, body


async def _poll_health(base: str, stop: asyncio.Event, every: float, out: list[float]) -> None:
    while not stop.is_set():
        t = time.perf_counter()
        await _get(base, "/healthz")
        dt = time.perf_counter() - t
        out.append(dt)
        await asyncio.sleep(max(0.0, every - dt))


async def _uploads(base: str, headers: dict[str, str], data: bytes, name: str, n: int, every: float) -> dict:
    import httpx

    health: list[float] = []
    stop = asyncio.Event()
    poller = asyncio.create_task(_poll_health(base, stop, every, health))
    limits = httpx.Limits(max_connections=n + 10, max_keepalive_connections=n + 10)
    async with httpx.AsyncClient(base_url=base, timeout=900, limits=limits) as c:
        async def one() -> tuple[int, float]:
            t = time.perf_counter()
            r = await c.post("/api/drafts", headers=headers, files={"file": (name, data)})
            return r.status_code, time.perf_counter() - t

        t0 = time.perf_counter()
        res = await asyncio.gather(*(one() for _ in range(n)))
        wall = time.perf_counter() - t0
    stop.set()
    await poller
    codes = [c for c, _ in res]
    return {"uploads": n, "succeeded": codes.count(201),
            "statuses": {str(k): codes.count(k) for k in sorted(set(codes))},
            "wall_s": round(wall, 3), "upload": _stats([t for _, t in res]),
            "healthz_polls": len(health), "healthz_max_s": round(max(health), 3) if health else None,
            "healthz_p50_s": round(statistics.median(health), 3) if health else None}


def concurrent_uploads(base: str, headers: dict[str, str], data: bytes, name: str, n: int,
                       every: float = 0.1) -> dict[str, Any]:
    """``n`` uploads at once, ``/healthz`` polled every ``every`` s meanwhile."""
    return asyncio.run(_uploads(base, headers, data, name, n, every))


async def _gets(base: str, headers: dict[str, str], paths: list[str]) -> list[tuple[int, float, str]]:
    async def one(p: str) -> tuple[int, float, str]:
        t = time.perf_counter()
        code, fields, _ = await _get(base, p, headers)
        return code, time.perf_counter() - t, fields.get("x-total-count", "")

    return await asyncio.gather(*(one(p) for p in paths))


def concurrent_gets(base: str, headers: dict[str, str], path: str, n: int) -> dict[str, Any]:
    """``n`` GETs of ``path`` at once: statuses, p50/p95/max, the X-Total-Count seen."""
    res = asyncio.run(_gets(base, headers, [path] * n))
    codes = [c for c, _, _ in res]
    return {"path": path, "requests": n, "ok": codes.count(200), **_stats([t for _, t, _ in res]),
            "total_count": res[0][2] or None}


def seed_drafts(db_url: str, n: int, text: str = SMALL_TEXT) -> None:
    """``n`` drafts of one small analysed text, straight into the database (one transaction)."""
    from ..expertise import workflow as X
    from ..expertise.db import init_db, session_scope
    from ..pipeline import analyze

    init_db(db_url)
    report = analyze(text.encode("utf-8"), name="seed.txt")
    with session_scope(db_url) as s:
        for i in range(n):
            X.add_draft(s, b"", report=report, title=f"Проект {i + 1}", agency=f"Ведомство {i % 7 + 1}",
                        actor="bench")


NORMS = ("Уполномоченный орган вправе продлить срок рассмотрения заявления на {n} рабочих дней.",
         "Заявитель представляет иные документы по усмотрению органа в течение {n} дней.",
         "Решение принимается в порядке, установленном уполномоченным органом, не позднее {n} числа.",
         "Должностное лицо может отказать в выдаче разрешения в случаях, предусмотренных пунктом {n}.")


def synthetic_act(chars: int) -> str:
    """A synthetic act of about ``chars`` characters: a title and numbered norms from four
    invented templates (each with a discretion the detector flags), no real act's text."""
    out, n, size = ["Об утверждении Правил выдачи разрешений\n\n"], 0, 0
    while size < chars:
        n += 1
        line = f"{n}. " + NORMS[n % len(NORMS)].format(n=n) + "\n"
        out.append(line)
        size += len(line)
    return "".join(out)


async def _poll(base: str, headers: dict[str, str], path: str, stop: asyncio.Event, every: float,
                out: list[tuple[int, float]]) -> None:
    while not stop.is_set():
        t = time.perf_counter()
        code, _, _ = await _get(base, path, headers)
        dt = time.perf_counter() - t
        out.append((code, dt))
        await asyncio.sleep(max(0.0, every - dt))


async def _big(base: str, headers: dict[str, str], data: bytes, paths: list[str], every: float) -> dict:
    import httpx

    stop = asyncio.Event()
    seen: dict[str, list[tuple[int, float]]] = {p: [] for p in paths}
    pollers = [asyncio.create_task(_poll(base, headers, p, stop, every, seen[p])) for p in paths]
    t = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=1800) as c:
        r = await c.post("/api/drafts", headers=headers, files={"file": ("synthetic-act.txt", data)})
    took = time.perf_counter() - t
    stop.set()
    await asyncio.gather(*pollers)
    answer = r.json() if r.status_code != 201 else {"draft_id": r.json()["draft_id"],
                                                    "findings": len(r.json()["analysis"].get("findings", []))}
    polls = {p: {"polls": len(v), "ok": sum(c == 200 for c, _ in v),
                 "max_s": round(max((dt for _, dt in v), default=0), 3)} for p, v in seen.items()}
    return {"status": r.status_code, "answer": answer, "upload_s": round(took, 3), "polls": polls,
            "targets": {"others_under_2s": all(x["max_s"] < 2 and x["ok"] == x["polls"] for x in polls.values())}}


def big_act(base: str, headers: dict[str, str], chars: int, paths: list[str], every: float = 0.2) -> dict[str, Any]:
    """One upload of a :func:`synthetic_act` of ``chars`` characters while each of ``paths`` is
    polled every ``every`` s: the upload's status and time, each path's worst latency."""
    text = synthetic_act(chars)
    data = text.encode("utf-8")
    return {"chars": len(text), "bytes": len(data), **asyncio.run(_big(base, headers, data, paths, every))}


def warm_up(base: str, headers: dict[str, str], data: bytes, name: str) -> float:
    """One upload on the fresh server (its workers may still be loading): seconds it took."""
    import httpx

    t = time.perf_counter()
    r = httpx.post(base + "/api/drafts", headers=headers, files={"file": (name, data)}, timeout=900)
    if r.status_code != 201:
        raise RuntimeError(f"upload answered {r.status_code}: {r.text[:200]}")
    return round(time.perf_counter() - t, 3)


def sequential_uploads(base: str, headers: dict[str, str], data: bytes, name: str, n: int) -> dict[str, Any]:
    import httpx

    times = []
    with httpx.Client(base_url=base, timeout=900) as c:
        for _ in range(n):
            t = time.perf_counter()
            r = c.post("/api/drafts", headers=headers, files={"file": (name, data)})
            times.append(time.perf_counter() - t)
            if r.status_code != 201:
                raise RuntimeError(f"upload answered {r.status_code}: {r.text[:200]}")
    return {"requests": n, **_stats(times)}


def run(file: Path | None = None, uploads: int = 12, drafts: int = 1000, gets: int = 200,
        sequential: int = 5, big: int = 0) -> dict[str, Any]:
    """Every measurement, as one JSON-ready dict (see the module's docstring)."""
    path = Path(file) if file else DEFAULT_FILE
    if not path.is_file():
        from importlib import resources

        path = Path(str(resources.files("lexpert.data").joinpath("samples/sample_ru.txt")))
    data = path.read_bytes()
    out: dict[str, Any] = {"file": path.name, "bytes": len(data), "cpus": os.cpu_count()}
    with server() as (base, h):
        out["first_upload_s"] = warm_up(base, h, data, path.name)
        cu = concurrent_uploads(base, h, data, path.name, uploads)
        cu["targets"] = {"all_succeed": cu["succeeded"] == uploads, "healthz_max_under_2s": (cu["healthz_max_s"] or 0) < 2}
        out["concurrent_uploads"] = cu
        if sequential:
            out["sequential_uploads"] = sequential_uploads(base, h, data, path.name, sequential)
    with server(prepare=lambda url: seed_drafts(url, drafts)) as (base, h):
        warm_up(base, h, SMALL_TEXT.encode("utf-8"), "warm-up.txt")     # the workers loaded: the CPUs free
        page = concurrent_gets(base, h, "/api/drafts", gets)
        one = concurrent_gets(base, h, f"/api/drafts/{drafts // 2}", gets)
        out["lists"] = {"drafts": drafts, "list_first_page": page, "draft_detail": one,
                        "targets": {"p95_under_1s": page["p95_s"] < 1 and one["p95_s"] < 1,
                                    "all_ok": page["ok"] == gets and one["ok"] == gets}}
        if big:
            out["big_act"] = big_act(base, h, big, ["/healthz", "/api/drafts", f"/api/drafts/{drafts // 2}"])
    return out
