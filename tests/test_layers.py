"""The package's import graph: arrows only point down the layers, no cycles, no private names.

The graph is read from the source with ``ast`` (every ``import`` and ``from ... import``, at the
top of a module or inside a function or an ``if TYPE_CHECKING:`` block), so it needs no import
of the package. Each module gets a layer; an import may point to the same layer or a lower one.

Known violations outside the surface packages are listed below as expected entries: the tests
pass with them today and fail on any new one, and on any listed one that has gone (remove its
entry, so the list only shrinks).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "closeloop"
PACKAGE = "closeloop"

LAYERS = {
    # L0 base
    "errors": 0,
    "io": 0,
    "sizing": 0,
    "markdown": 0,  # what a run needs (memory, disk, time), checked before the engine loads
    # L1 parameters: declarations
    "params": 1,
    "mechanisms": 1,
    "presets": 1,
    "scenario": 1,
    "scenario_events": 1,
    "scenario_check": 1,
    "scenario_interventions": 1,
    "scenario_toml": 1,
    # L2 model: the kernels
    "model": 2,
    # L3 engine
    "engine": 3,
    "reference": 3,
    # L4 results
    "simulation": 4,
    "results": 4,
    # L5 analysis: numbers
    "analysis": 5,
    "stats": 5,
    "trajectory": 5,
    "observation": 5,
    "claims": 5,
    "sweep": 5,
    "calibration": 5,  # published figures and the calibration search; only commands import it
    # L6 surfaces: words, figures, pages
    "narrative": 6,
    "figures": 6,
    "report": 6,
    # L7 commands, tools and the public API
    "compare": 7,
    "run": 7,
    "demo": 7,
    "cli": 7,
    "cli_errors": 7,  # the command line's one-line usage errors
    "bench": 7,
    "explore": 7,  # the local web page: a command's surface over simulate and the report words
    "docs": 7,
    "fit": 7,  # fitting to diaries: a command-level package over simulate, diary and report
    "design": 7,  # study design: synthetic diary studies and power, over sweep's execution and fit
    "": 7,  # closeloop/__init__.py: the public names, loaded lazily
}
"""Layer of each top-level module or subpackage of closeloop (a subpackage's modules share it)."""

KNOWN_UPWARD = {
    # The caregiving and event tables are declarations but live in the model module.
    ("closeloop.presets", "closeloop.model.history"),
    # The intervention vocabulary and its encoding live beside the kernels.
    ("closeloop.scenario", "closeloop.model.healing"),
    ("closeloop.scenario_interventions", "closeloop.model.healing"),
    # So do the adult events' (their table is the history's acute events).
    ("closeloop.scenario_events", "closeloop.model.events"),
    # The results builder classifies couple trajectories (lazy import).
    ("closeloop.simulation", "closeloop.trajectory"),
}
"""(importer, imported) arrows that point up a layer today."""

KNOWN_PRIVATE: set[tuple[str, str]] = set()
"""(importer, imported name) pairs that import a private name across modules today."""

KNOWN_CYCLES: set[frozenset[str]] = set()
"""Groups of modules that import each other today (none)."""

MAX_LINES = 450
"""No module over about 400 lines; this test allows up to this many."""
KNOWN_LONG: set[str] = set()
"""Modules over ``MAX_LINES`` lines today, to be split."""


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join((PACKAGE, *parts))] = path
    return out


MODULES = _modules()


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    # A relative import counts from the importer's package.
    is_package = MODULES[importer].name == "__init__.py"
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(importer: str) -> Iterator[tuple[str, str | None]]:
    """(module imported, name used from it or None) for every import in a module.

    A private attribute of an imported module (``engine._draws`` after ``from closeloop import
    engine``) counts as a name imported from it.
    """
    tree = ast.parse(MODULES[importer].read_text(encoding="utf-8"))
    bound: dict[str, str] = {}  # local name -> the package module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
                if alias.asname:
                    bound[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            module = _resolve(importer, node)
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                # "from closeloop import engine" imports a module, not a name.
                if sub in MODULES:
                    yield sub, None
                    bound[alias.asname or alias.name] = sub
                else:
                    yield module, alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in bound
            and _private(node.attr)
        ):
            yield bound[node.value.id], node.attr


def _owner(module: str) -> str:
    """The package's module a dotted import path lands in (the longest known prefix)."""
    parts = module.split(".")
    while parts and ".".join(parts) not in MODULES:
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else ""
    if top not in LAYERS:
        pytest.fail(f"{module} has no layer: add its top-level name to LAYERS in {__file__}")
    return LAYERS[top]


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _graph() -> tuple[dict[str, set[str]], set[tuple[str, str]]]:
    """The import graph between the package's modules, and the private names imported."""
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    private = set()
    for importer in MODULES:
        for module, name in _imports(importer):
            if module != PACKAGE and not module.startswith(PACKAGE + "."):
                continue
            target = _owner(module)
            if target != importer:
                edges[importer].add(target)
            if name is not None and _private(name):
                private.add((importer, f"{module}.{name}"))
            # A private module (closeloop.figures._style) is for its own package only.
            parts = module.split(".")
            for i, part in enumerate(parts):
                parent = ".".join(parts[:i])
                inside = importer == parent or importer.startswith(parent + ".")
                if _private(part) and not inside:
                    private.add((importer, ".".join(parts[: i + 1])))
    return edges, private


def _cycles(edges: dict[str, set[str]]) -> set[frozenset[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                found.add(frozenset(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


EDGES, PRIVATE = _graph()
UPWARD = {(a, b) for a, targets in EDGES.items() for b in targets if _layer(b) > _layer(a)}
CYCLES = _cycles(EDGES)


def test_the_graph_is_read() -> None:
    # The reader must see imports inside functions and TYPE_CHECKING blocks, or it proves nothing.
    assert "closeloop.report" in EDGES["closeloop.run"]  # imported inside run_scenario
    assert "closeloop.engine" in EDGES["closeloop.simulation"]
    # imported inside a renderer
    assert "closeloop.claims.matrix" in EDGES["closeloop.docs.recorded"]
    assert all(_layer(m) >= 0 for m in MODULES)


def test_arrows_only_point_down() -> None:
    new = sorted(UPWARD - KNOWN_UPWARD)
    assert not new, "imports that point up a layer (see LAYERS): " + ", ".join(
        f"{a} -> {b}" for a, b in new
    )


def test_no_import_cycles() -> None:
    new = [sorted(c) for c in CYCLES - KNOWN_CYCLES]
    assert not new, f"modules that import each other: {new}"


def test_no_private_names_across_modules() -> None:
    new = sorted(PRIVATE - KNOWN_PRIVATE)
    assert not new, "private names imported from another module: " + ", ".join(
        f"{a} imports {b}" for a, b in new
    )


def test_known_violations_are_still_there() -> None:
    # A fixed violation must leave its list, so that the lists only shrink.
    gone = sorted(KNOWN_UPWARD - UPWARD) + sorted(KNOWN_PRIVATE - PRIVATE)
    gone += [sorted(c) for c in KNOWN_CYCLES - CYCLES]
    assert not gone, f"fixed: remove these entries from test_layers.py: {gone}"


def _lines() -> dict[str, int]:
    return {
        path.relative_to(SRC.parent).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in MODULES.values()
    }


def test_no_module_is_too_long() -> None:
    long = {name for name, n in _lines().items() if n > MAX_LINES}
    new = sorted(f"{name} ({_lines()[name]} lines)" for name in long - KNOWN_LONG)
    assert not new, f"modules over {MAX_LINES} lines: {new}"
    gone = sorted(KNOWN_LONG - long)
    assert not gone, f"now short enough: remove these from KNOWN_LONG: {gone}"


@pytest.mark.parametrize(
    ("source", "expect"),
    [
        ("from closeloop.a import b\n", ("closeloop.a", "b")),
        ("def f():\n    from closeloop.a import _b\n", ("closeloop.a", "_b")),
        ("import closeloop.a.b\n", ("closeloop.a.b", None)),
    ],
)
def test_the_reader_sees_every_kind_of_import(
    source: str, expect: tuple[str, str | None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.py"
    path.write_text(source, encoding="utf-8")
    monkeypatch.setitem(MODULES, "closeloop.m", path)
    assert list(_imports("closeloop.m")) == [expect]


def test_the_reader_sees_private_attributes_of_imported_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.py"
    path.write_text("from closeloop import engine\n\nengine._draws(engine.public)\n", "utf-8")
    monkeypatch.setitem(MODULES, "closeloop.m", path)
    assert list(_imports("closeloop.m")) == [
        ("closeloop.engine", None),
        ("closeloop.engine", "_draws"),
    ]
