"""What differs between two scenarios, as readable lines.

``scenario_changes(a, b)`` works on any field, known or not. Whether two scenarios can be
compared unit by unit at all is ``scenario.check_pair`` (checked before anything is simulated).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from closeloop.params import CHANGE_SPECS, COUPLE_SPECS, HISTORY_SPECS, WORLD_SPECS

IGNORED = ("name", "description")
"""Scenario fields that never count as a difference: they label a scenario, not change it."""
LEAD = ("kind", "name")
"""Keys shown first in a record (an intervention, say)."""
WHOLE = ("population", "a", "b")
"""Scenario tables that are one value (a mix of presets), shown whole when they differ."""
DEFAULTS = {
    "world": {s.name: s.default for s in WORLD_SPECS},
    "relationship": {s.name: s.default for s in COUPLE_SPECS},
    "history": {s.name: s.default for s in HISTORY_SPECS},
    "change": {s.name: s.default for s in CHANGE_SPECS},
}
"""The single default of each setting, shown for the side that leaves it unset (traits have
none: their defaults come from the preset)."""


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    # Nested tables become dotted keys; anything else (numbers, strings, lists) is one leaf, so a
    # field of unknown shape (a list of interventions, say) still compares and prints whole. A
    # mix of presets is one leaf too: "b: anxious -> secure" reads better than two half-lines.
    if isinstance(value, Mapping) and value and prefix not in WHOLE:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


def _show(value: Any, key: str = "") -> str:
    if value is _UNSET:
        table, _, name = key.partition(".")
        spec = DEFAULTS.get(table, {}).get(name)
        return f"{spec:g} (default)" if spec is not None else "(not set)"
    if isinstance(value, str):
        return value or '""'
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{value:g}"
    if isinstance(value, Mapping | list) and not value:
        return "none"
    if isinstance(value, Mapping) and list(value.values()) == [1]:
        return str(next(iter(value)))  # a mix of one preset is that preset
    if isinstance(value, Mapping):
        # What a record is ("kind") leads, whatever order it was stored in.
        keys = sorted(value, key=lambda k: k not in LEAD)
        return "{" + ", ".join(f"{k}: {_show(value[k])}" for k in keys) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return json.dumps(value, default=str)


class _Unset:
    pass


_UNSET = _Unset()


def _json_value(value: Any) -> Any:
    # Tuples and lists are the same value once written to JSON; compare them that way.
    return json.loads(json.dumps(value, default=str))


def scenario_changes(
    a: Mapping[str, Any], b: Mapping[str, Any], ignore: Sequence[str] = IGNORED
) -> list[str]:
    """What differs between two scenarios, as readable lines.

    Works on any field, known or not: tables of settings are compared key by key, every other
    value (a preset mix, a list, a number) whole. A setting present in one scenario only reads
    as its default on the other side ("(not set)" where there is no single default).

    Arguments:
        a, b: the scenarios as dicts (``Scenario.model_dump()``, or the ``scenario`` attribute
            of a simulated Dataset, parsed).
        ignore: top-level fields that never count (the name and the description).

    Returns:
        Lines such as ``"world.warmth: 0.85 -> 0.95"`` or ``"interventions: added {kind:
        therapy, ...}"``, sorted by field (a list's removals before its additions).

    Example:
        >>> scenario_changes({"name": "x", "world": {"warmth": 0.85}, "b": {"anxious": 1.0}},
        ...                  {"name": "y", "world": {"warmth": 0.95}, "b": {"secure": 1.0},
        ...                   "interventions": ["t"]})
        ['b: anxious -> secure', 'interventions: added t', 'world.warmth: 0.85 -> 0.95']
    """
    fa = _flatten({k: _json_value(v) for k, v in a.items() if k not in ignore})
    fb = _flatten({k: _json_value(v) for k, v in b.items() if k not in ignore})
    lines = []
    for key in sorted(set(fa) | set(fb)):
        va, vb = fa.get(key, _UNSET), fb.get(key, _UNSET)
        # An empty table or list and a missing one mean the same: nothing set.
        if va == vb or all(v is _UNSET or v in ({}, []) for v in (va, vb)):
            continue
        lines += _list_changes(key, va, vb) or [f"{key}: {_show(va, key)} -> {_show(vb, key)}"]
    return lines


def _list_changes(key: str, va: Any, vb: Any) -> list[str]:
    # A list (of interventions, of mechanisms switched off) reads best as what was added and
    # what was removed; a list only reordered falls back to the whole (empty result).
    la = [] if va is _UNSET else va
    lb = [] if vb is _UNSET else vb
    if not (isinstance(la, list) and isinstance(lb, list)):
        return []
    added = [f"{key}: added {_show(x)}" for x in lb if x not in la]
    removed = [f"{key}: removed {_show(x)}" for x in la if x not in lb]
    return removed + added
