"""The layout of ARCHITECTURE.md, enforced: who may import whom (imports inside functions
count), no import cycle among lexpert's modules, no function over 150 lines."""
from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "lexpert"

# lower layers never import higher ones; a part may import itself and anything below it
LAYERS = [
    {"version", "errors", "settings", "records", "taxonomy", "budget", "_torchguard", "data"},
    {"ingest", "nlp"},
    {"structure"},
    {"detect"},
    {"pipeline", "align", "compare"},
    {"expertise"},
    {"reports", "batch"},
    {"training"},
    {"web", "cli"},
    {"", "__main__"},             # the package's front door: lexpert/__init__.py, python -m lexpert
]
MAX_FUNCTION_LINES = 150


def _modules() -> dict[str, Path]:
    out = {}
    for f in PKG.rglob("*.py"):
        parts = list(f.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


def _graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, f in mods.items():
        pkg = m if f.name == "__init__.py" else m.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.split(".")[0] == "lexpert"]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = pkg.split(".")
                    base = base[:len(base) - (node.level - 1)]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                if mod.split(".")[0] != "lexpert":
                    continue
                targets = [mod + "." + a.name if mod + "." + a.name in mods else mod for a in node.names]
            for t in targets:
                while t not in mods and "." in t:
                    t = t.rsplit(".", 1)[0]
                if t != m:
                    graph[m].add(t)
    return graph


def _part(mod: str) -> str:
    parts = mod.split(".")
    return parts[1] if len(parts) > 1 else ""


def _layer(mod: str) -> int:
    part = _part(mod)
    for i, layer in enumerate(LAYERS):
        if part in layer:
            return i
    raise AssertionError(f"{mod}: its part {part!r} has no layer in ARCHITECTURE.md / this test")


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:                       # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_every_module_has_a_layer_and_imports_only_downwards():
    mods = _modules()
    graph = _graph(mods)
    bad = sorted(f"{m} -> {t}" for m, ts in graph.items() for t in ts
                 if _part(m) != _part(t) and _layer(t) > _layer(m))
    assert not bad, "imports against the layers of ARCHITECTURE.md:\n" + "\n".join(bad)


def test_no_import_cycle():
    cycles = _cycles(_graph(_modules()))
    assert not cycles, f"import cycles: {cycles}"


def test_no_function_over_150_lines():
    long = []
    for m, f in _modules().items():
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{m}.{node.name}: {n} lines")
    assert not long, long


def test_the_checks_catch_what_they_look_for():
    """The cycle finder and the layer rule on a made-up graph: they are not vacuous."""
    g = {"lexpert.a": {"lexpert.b"}, "lexpert.b": {"lexpert.c"}, "lexpert.c": {"lexpert.a"}, "lexpert.d": set()}
    assert _cycles(g) == [["lexpert.a", "lexpert.b", "lexpert.c"]]
    assert _layer("lexpert.detect.rules") < _layer("lexpert.pipeline") < _layer("lexpert.web.app")
    assert _layer("lexpert.structure.parser") > _layer("lexpert.nlp.lang")
