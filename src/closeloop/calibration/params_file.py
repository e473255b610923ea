"""A parameters file for ``closeloop validate --params``: a TOML ``[relationship]`` table of
relationship parameter values (what ``--calibrate`` writes), checked against the specification."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path

from closeloop.errors import InputError, bad_value
from closeloop.params import COUPLE_SPECS, check_values

TABLES = ("relationship",)
"""The tables a parameters file may hold (the searched parameters are relationship ones)."""


def load_params(path: str | Path) -> dict[str, float]:
    """The relationship values of a parameters file, each checked against its declared range.

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
    for key, value in data.items():
        if key not in TABLES or not isinstance(value, dict):
            raise bad_value(key, value, "a [relationship] table of parameter values", owner)
    rel = data.get("relationship", {})
    assert isinstance(rel, dict)
    return check_values(rel, COUPLE_SPECS, "relationship", owner)


def to_toml(relationship: Mapping[str, float], comment: str = "") -> str:
    """A parameters file for ``relationship`` (round-trips through ``load_params``)."""
    lines = [f"# {c}" for c in comment.splitlines()] + ["[relationship]"]
    lines += [f"{k} = {float(v)!r}" for k, v in sorted(relationship.items())]
    return "\n".join(lines) + "\n"
