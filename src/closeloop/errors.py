"""One error type for bad input, worded one way everywhere.

Every boundary (parameters, scenario files, CLI options, data files, web requests) raises
:class:`InputError`; the CLI prints its message on one line and exits non-zero, without a
traceback. The wording follows scikit-learn's: the field, what is allowed, what was received.
"""

from __future__ import annotations

from collections.abc import Iterable


class InputError(ValueError):
    """Bad input: a one-line message naming the field, the value and what is allowed."""


def bad_value(field: str, value: object, allowed: str, owner: str | None = None) -> InputError:
    """Build the standard one-line error.

    Example:
        >>> str(bad_value("threshold", 1.7, "a number in [0, 1]", "person"))
        "The 'threshold' parameter of person must be a number in [0, 1]. Got 1.7 instead."
    """
    where = f" of {owner}" if owner else ""
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        value = value.item()  # show np.float64(1.7) as 1.7
    return InputError(f"The '{field}' parameter{where} must be {allowed}. Got {value!r} instead.")


def one_of(names: Iterable[str]) -> str:
    """Render a closed set of allowed names, e.g. "one of 'a', 'b'"."""
    return "one of " + ", ".join(repr(n) for n in names)
