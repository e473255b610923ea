"""No behaviour-changing number hides in the model's code: every numeric literal in the model
modules is structural (on the short lists below) or sits in a declared data table whose ranges
are checked here. Everything else that changes behaviour is a declared parameter
(``closeloop.params``), with its range, meaning and source.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from closeloop import presets
from closeloop.model import history
from closeloop.model.person import K
from closeloop.params import PERSON_SPECS

SRC = Path(__file__).resolve().parents[1] / "src" / "closeloop"


def _dotted(module: str) -> str:
    """closeloop.model.X for the model's kernels, closeloop.X for the declarations beside them."""
    return "model." + module[:-3] if (SRC / "model" / module).exists() else module[:-3]


ALLOWED = {
    0: "zero: empty sums, lower clips, false, the first index",
    1: "one: probabilities' complement, upper clips, unit salience, the next index or depth",
    2: "two members of a couple; 2x - 1 maps [0, 1] onto [-1, 1] (seeking, commitment ablated)",
    1e-12: "epsilon guarding log(0) in the arousal noise",
    1e-9: "tolerance of a population's weights already summing to 1 (presets.check_mix)",
}
"""Values allowed anywhere (as int or float; -1 is the unary minus of 1: the outcome 'hurt')."""

STRUCTURAL = {
    "person.py": {
        "K": "depths of closeness (a shape)",
        "C": "contexts (a shape)",
        "HOME": "context indices",
        "DAYS_PER_WEEK": "days in a step of the early history (a unit of time)",
    },
    "response.py": {
        "N_PERSON_DRAWS": "draws per person step (a shape)",
        "TINY": "floor of a probability inside a logarithm",
    },
    "decisions.py": {
        "COUPLE_LAYOUT": "how many of the couple-day's draws each decision takes (a layout)",
    },
    "couple.py": {
        "QUIET": "day-moment codes",
        "NONE": "bid-response codes",
        "HERE": "row of the partner context in the couple kernel",
        "THERAPY_ROW": "row of the therapy context in the couple kernel",
    },
    "world.py": {"W_OFFER": "positions in the draws", "N_WORLD_DRAWS": "draws per step"},
    "history.py": {
        "WEEKS_PER_YEAR": "history steps per year",
        "ADULT_AGE": "sets the number of steps of the history's scan (a shape)",
        "MAX_EVENTS": "events per person (a shape)",
        "H_DEPTH": "positions in the draws",
        "WARM_SHALLOW": "columns of the caregiving table",
        "EV_DEPTH": "columns of the events table",
        "N_HISTORY_DRAWS": "draws per history step",
        "N_CONTINGENCY": "running sums of the protest contingency (a shape)",
    },
    "healing.py": {
        "MAX_INTERVENTIONS": "rows of the schedule array (a shape)",
        "DAYS_PER_WEEK": "therapy comes at most weekly",
        "DAYS_PER_YEAR": "years in the words of a report",
    },
    "linear.py": {
        "NOISE": "positions in the draws",
        "N_LINEAR_DRAWS": "draws per linear couple-day",
    },
    "variants.py": {
        "ADULT_LEARNING": "positions in the switch vector",
        "N_SWITCHES": "length of the switch vector (a shape)",
    },
    "events.py": {},
    "life.py": {
        "LOGISTIC_SD": "spread of the standard logistic (a unit conversion)",
        "HALF_GRID": "half the spacing of the float32 uniforms (centres the draws)",
    },
    "presets.py": {},
    "observation/measure.py": {},
    "observation/questionnaire.py": {
        "ECR_LOW": "the ECR-R's item scale (1-7) and items per subscale (the instrument's)",
        "CSI_HIGH": "the CSI-16's highest total (the instrument's)",
        "DEEP_FROM": "first deep level (fears and needs), a depth index",
        "STREAM": "tag of the questionnaire's random stream",
    },
}
"""Module-level names whose assignments may hold numbers: shapes, layouts and codes."""

DATA_TABLES = {
    "history.py": {"STYLES", "EVENTS"},
    "presets.py": {"PRESETS", "DEFAULT_MIX", "TRAIT_SD"},
}
"""Declared data tables: rows of numbers per named style, event or preset (each with its own
reference or rationale), checked by the range tests below."""

SCOPES = {
    "observation/measure.py": {
        "NOISE_SD",
        "KNOWN_WEIGHT",
        "DAY_CLOSENESS",
        "AROUSAL_WEIGHT",
        "latent_closeness",
        "latent_stress",
    }
}
"""Modules only partly about the model: the functions and module-level names scanned
(observation/measure.py: the diary's measurement model; ``to_rating``'s 1-7 scale is the
instrument's)."""

MODULES = tuple(STRUCTURAL)


def _exempt_spans(tree: ast.Module, module: str) -> list[tuple[int, int]]:
    names = set(STRUCTURAL[module]) | DATA_TABLES.get(module, set())
    spans = []
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            for t in node.targets:
                targets += t.elts if isinstance(t, ast.Tuple) else [t]
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id in names for t in targets):
            spans.append((node.lineno, node.end_lineno or node.lineno))
    return spans


def _defines(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {t.id for t in node.targets if isinstance(t, ast.Name)}
    return set()


def _scanned(tree: ast.Module, module: str) -> list[ast.AST]:
    if module not in SCOPES:
        return [tree]
    return [n for n in tree.body if _defines(n) & SCOPES[module]]


def literals(source: str, module: str) -> list[tuple[int, object]]:
    """(line, value) of every numeric literal in ``source`` that is neither allowed, nor in a
    structural assignment, nor in a data table."""
    tree = ast.parse(source)
    spans = _exempt_spans(tree, module)
    bad = []
    for root in _scanned(tree, module):
        for node in ast.walk(root):
            if not isinstance(node, ast.Constant) or isinstance(node.value, bool):
                continue
            if not isinstance(node.value, int | float | complex):
                continue
            if node.value in ALLOWED:
                continue
            if any(a <= node.lineno <= b for a, b in spans):
                continue
            bad.append((node.lineno, node.value))
    return bad


@pytest.mark.parametrize("module", MODULES)
def test_no_unexplained_literals(module: str):
    found = literals((SRC / (_dotted(module).replace(".", "/") + ".py")).read_text(), module)
    assert not found, (
        f"{module}: numbers outside the specification at (line, value) {found}; declare them as "
        "parameters in closeloop.params, or, if structural, name them on STRUCTURAL"
    )


def test_the_scan_finds_literals():
    src = "def f(x):\n    return 0.35 + x * 3\nK = 5\n"
    assert literals(src, "person.py") == [(2, 0.35), (2, 3)]
    assert literals("def g(x):\n    return x + 1.0 - 2 * 0\n", "couple.py") == []


def test_structural_names_exist():
    import importlib

    for module, names in STRUCTURAL.items():
        mod = importlib.import_module(f"closeloop.{_dotted(module).replace('/', '.')}")
        for name in names:
            assert hasattr(mod, name), f"{module}: {name} is listed but not defined"


def test_caregiving_table_ranges():
    for s in history.STYLES:
        for v in (s.warm_shallow, s.warm_deep, s.hurt_shallow, s.hurt_deep):
            assert 0.0 <= v <= 1.0, s.name
        assert s.warm_shallow + s.hurt_shallow <= 1.0 and s.warm_deep + s.hurt_deep <= 1.0
        assert -1.0 <= s.protest_gain <= 1.0, s.name
        assert s.reference and s.summary, s.name


def test_event_table_ranges():
    for e in history.EVENTS:
        assert 0 <= e.depth < K and 1 <= e.episodes <= 52 and 1.0 <= e.salience <= 10.0, e.name
        assert e.reference and e.summary, e.name


def test_preset_tables_ranges():
    by_name = {s.name: s for s in PERSON_SPECS}
    for name, sd in presets.TRAIT_SD.items():
        s = by_name[name]
        assert 0.0 < sd <= (s.high - s.low) / 4, name
    assert all(w >= 0 for w in presets.DEFAULT_MIX.values())
    assert sum(presets.DEFAULT_MIX.values()) == pytest.approx(1.0)
    for p in presets.PRESETS:
        for trait, value in p.traits.items():
            assert by_name[trait].low <= value <= by_name[trait].high, (p.name, trait)
        for _, age in p.events:
            assert 0.0 <= age < history.ADULT_AGE, p.name
