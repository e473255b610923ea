"""Checking a scenario's input: tables of name = number, names from a closed set, and pydantic's
validation errors turned into the standard one-line message (field, value, what is allowed)."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from closeloop.errors import InputError, bad_value, did_you_mean, one_of

KINDS = ("person", "couple")
"""The kinds of scenario."""
PERSON_ONLY = ("population", "world")
"""Keys of person scenarios only."""
COUPLE_ONLY = ("a", "b", "traits_a", "traits_b", "relationship")
"""Keys of couple scenarios only."""


def table(v: Any, field: str | None) -> dict[str, Any]:
    """A table of name = number, checked before pydantic would coerce true to 1.0 or "1" to 1."""
    if not isinstance(v, dict):
        raise bad_value(str(field), v, "a table of name = number", "scenario")
    for key, x in v.items():
        if not is_number(x):
            raise bad_value(f"{field}.{key}", x, "a number", "scenario")
    # NumPy scalars (numpy.int64, numpy.float32) as plain numbers, so they validate and hash alike.
    return {k: x if isinstance(x, int | float) else float(x) for k, x in v.items()}


def is_number(x: Any) -> bool:
    """A real number (NumPy scalars included), never a bool."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and type(x).__name__ != "bool_"


def named(field: str, value: Any, names: Any, owner: str | None = None) -> InputError:
    """The standard error for a name outside a closed set, with the closest name suggested."""
    hint = did_you_mean(value, names)
    return bad_value(field, value, one_of(names) + hint, owner)


PHRASES = {
    "string_type": "a string",
    "dict_type": "a table of name = number",
    "float_type": "a number",
    "float_parsing": "a number",
    "tuple_type": "a list of mechanism names",
    "list_type": "a list",
}
"""What is allowed, in words, for pydantic's error types."""


def one_line(e: ValidationError, keys: Iterable[str], prefix: str = "") -> InputError:
    """The first error of ``e`` as the standard one-line message; ``keys``: the model's own
    keys (named when an unknown one is given); ``prefix``: the table it sits in
    (``interventions``), if any."""
    err = e.errors()[0]
    ctx = err.get("ctx") or {}
    inner = ctx.get("error")
    if isinstance(inner, InputError):
        return inner
    field = ".".join([prefix] * bool(prefix) + [str(x) for x in err["loc"]]) or "scenario"
    kind = err["type"]
    if kind == "extra_forbidden":
        keys = list(keys)
        listed = ", ".join(repr(k) for k in keys)
        hint = did_you_mean(str(err["loc"][-1]), keys)
        return InputError(f"Unknown key '{field}' in scenario{hint}: allowed keys are {listed}.")
    phrase = PHRASES.get(kind, "valid (" + str(err["msg"]).lower() + ")")
    return bad_value(field, err.get("input"), phrase, "scenario")


def at_most(values: Mapping[str, float], specs: Any, low: str, high: str, owner: str) -> None:
    """Refuse ``values[low] > values[high]`` (either at its default when not given)."""
    default = {sp.name: sp.default for sp in specs}
    lo, hi = (values.get(k, default[k]) for k in (low, high))
    if lo > hi:
        field = low if low in values else high
        allowed = f"{low} at most {high} ({lo:g} > {hi:g})"
        raise bad_value(f"{owner}.{field}", values[field], allowed, "scenario")


def check_pair(a: Mapping[str, Any], b: Mapping[str, Any], owner: str = "compare") -> None:
    """Raise the standard one-line error unless two scenarios can be compared unit by unit.

    Both must be the same kind (people with people, couples with couples) and run for the same
    number of days (so that month m means the same in both).

    Arguments:
        a: the first scenario as a dict; it sets what is allowed.
        b: the second.
        owner: the command or function named in the message.
    """
    for field in ("kind", "days"):
        va, vb = a.get(field), b.get(field)
        if va != vb:
            raise bad_value(
                field, vb, f"{va!r}, the {field} of scenario {a.get('name', 'A')!r}", owner
            )
