"""A scenario as TOML text that ``closeloop.load_scenario`` reads back to an equal scenario."""

from __future__ import annotations

import re
from typing import Any

from closeloop.scenario_check import COUPLE_ONLY, PERSON_ONLY
from closeloop.scenario_events import toml_lines

TABLES = (
    "population",
    "a",
    "b",
    "world",
    "traits",
    "traits_a",
    "traits_b",
    "relationship",
    "history",
    "change",
)
"""A scenario's tables of name = number, in the order written."""


def toml_value(v: Any) -> str:
    """A TOML value: a basic string, an exact float, or as Python writes it."""
    if isinstance(v, str):
        # A TOML basic string: quote and backslash escaped, control characters (DEL too) as \u.
        body = "".join(
            "\\" + c if c in '"\\' else f"\\u{ord(c):04x}" if ord(c) < 32 or ord(c) == 127 else c
            for c in v
        )
        return f'"{body}"'
    if isinstance(v, float):
        return repr(v)  # repr round-trips every float exactly
    return str(v)


def toml_key(k: str) -> str:
    """A TOML key: bare where TOML allows, else quoted."""
    # Preset names hold hyphens, which bare TOML keys allow; anything else is quoted.
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else toml_value(k)


def to_toml(sc: Any) -> str:
    """TOML text for ``sc`` (a ``closeloop.Scenario``): only the keys its kind allows, every
    number exact."""
    lines = [f"{k} = {toml_value(getattr(sc, k))}" for k in ("name", "description", "kind", "days")]
    skip = PERSON_ONLY if sc.kind == "couple" else COUPLE_ONLY
    if sc.ablate:
        lines.append("ablate = [" + ", ".join(toml_value(x) for x in sc.ablate) + "]")
    for key in TABLES:
        t = getattr(sc, key)
        if key in skip or not t:
            continue
        lines += ["", f"[{key}]"] + [f"{toml_key(k)} = {toml_value(x)}" for k, x in t.items()]
    for iv in sc.interventions:
        lines += ["", "[[interventions]]"]
        lines += [f"{k} = {toml_value(x)}" for k, x in iv.model_dump().items() if k != "who" or x]
    lines += toml_lines(sc.events, toml_value)
    return "\n".join(lines) + "\n"
