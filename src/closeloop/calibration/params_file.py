"""A parameters file for ``closeloop validate --params``: TOML ``[relationship]`` and
``[history]`` tables of parameter values (what ``--calibrate`` writes), checked against the
specification and read as one flat table (the names of the two groups never overlap)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path

from closeloop.errors import InputError, bad_value
from closeloop.params import COUPLE_SPECS, HISTORY_SPECS, check_values

TABLES = {"relationship": COUPLE_SPECS, "history": HISTORY_SPECS}
"""The tables a parameters file may hold (the groups the searched parameters come from)."""


def load_params(path: str | Path) -> dict[str, float]:
    """The values of a parameters file, each checked against its declared range.

    Raises:
        InputError: a missing or unreadable file, malformed TOML, an unknown table or parameter,
            or a value out of range (one line naming the field, the value and what is allowed).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else type(e).__name__
        raise InputError(f"Cannot read the parameters file {str(p)!r}: {reason}.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"The parameters file {str(p)!r} is not valid TOML: {e}.") from None
    return params_from(data, str(p))


def params_from(data: Mapping[str, object], owner: str = "the parameters file") -> dict[str, float]:
    """Check a parsed parameters table (see ``load_params``)."""
    out: dict[str, float] = {}
    for key, value in data.items():
        if key not in TABLES or not isinstance(value, dict):
            allowed = "a [relationship] or [history] table of parameter values"
            raise bad_value(key, value, allowed, owner)
        out.update(check_values(value, TABLES[key], key, owner))
    return out


def to_toml(values: Mapping[str, float], comment: str = "") -> str:
    """A parameters file for ``values`` (relationship and history names, each under its own
    table; round-trips through ``load_params``)."""
    lines = [f"# {c}" for c in comment.splitlines()]
    for table, specs in TABLES.items():
        names = {s.name for s in specs}
        mine = sorted((k, v) for k, v in values.items() if k in names)
        if table != "relationship" and not mine:
            continue  # an empty [relationship] table is written, as before
        lines += ([""] if table != "relationship" else []) + [f"[{table}]"]
        lines += [f"{k} = {float(v)!r}" for k, v in mine]
    return "\n".join(lines) + "\n"
