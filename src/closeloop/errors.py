"""One error type for bad input, worded one way everywhere.

Every boundary (parameters, scenario files, CLI options, data files, web requests) raises
:class:`InputError`; the CLI prints its message on one line and exits non-zero, without a
traceback. The wording follows scikit-learn's: the field, what is allowed, what was received.
This module imports nothing heavy, so that bad input is refused before the engine loads.
"""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable
from pathlib import Path
from typing import Any


class InputError(ValueError):
    """Bad input: a one-line message naming the field, the value and what is allowed."""


class OutputError(InputError):
    """A file or folder that cannot be written: names the path and the operating system's reason.

    Example:
        >>> str(OutputError("out/report.html", "No space left on device"))
        "Cannot write 'out/report.html': No space left on device."
    """

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"Cannot write {str(path)!r}: {reason}.")


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


def did_you_mean(value: object, names: Iterable[str]) -> str:
    """ " (did you mean 'x'?)" for the closest of ``names`` to a mistyped ``value``, else "".

    Example:
        >>> did_you_mean("avoidant-anxous", ["avoidant-anxious", "secure-secure"])
        " (did you mean 'avoidant-anxious'?)"
    """
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, list(names), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def is_int(value: Any) -> bool:
    """True for an int or an integer-like scalar (``numpy.int64``), never for a bool."""
    # numpy.int64 registers as an Integral; numpy.bool_ does not, and bool is refused here.
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_int(name: str, value: Any, low: int, high: int, owner: str = "simulate") -> int:
    """``value`` as an int in [low, high], or the standard one-line error naming ``owner``.

    Integer-like NumPy scalars are accepted (``numpy.int64(30)`` is 30).
    """
    if not is_int(value) or not (low <= value <= high):
        raise bad_value(name, value, f"an integer in [{low}, {high}]", owner)
    return int(value)
