"""Phrasing helpers shared by every text: lists, percentages, dates and spans in words."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from closeloop.analysis.couple_events import MONTH_DAYS, month_of


def and_list(items: Sequence[str]) -> str:
    """Items joined as in a sentence: "a", "a and b", "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def pct(x: float) -> str:
    """A share as a whole percentage, "n/a" when it is not finite."""
    return f"{x:.0%}" if np.isfinite(x) else "n/a"


def cap(text: str) -> str:
    """``text`` with its first letter capitalised."""
    return text[:1].upper() + text[1:]


def profile_word(items: Sequence[object]) -> str:
    """ "profile" or "profiles", by how many items there are."""
    return "profile" if len(items) == 1 else "profiles"


_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _count(n: int) -> str:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


def years_phrase(day: int) -> str:
    """How long into the relationship a day is, in rounded years ("" under about a year).

    Example:
        >>> years_phrase(560), years_phrase(730), years_phrase(100)
        ('about a year and a half in', 'about two years in', '')
    """
    halves = round(day / 365.25 * 2)
    if halves < 2:
        return ""
    whole, half = divmod(halves, 2)
    if whole == 1:
        span = "a year and a half" if half else "a year"
    else:
        span = f"{_count(whole)} {'and a half ' if half else ''}years"
    return f"about {span} in"


def when(day: int) -> str:
    """A date in a story: "in month 3", or "in month 20, about a year and a half in".

    Example:
        >>> when(45)
        'in month 2'
        >>> when(600)
        'in month 21, about a year and a half in'
    """
    years = years_phrase(day)
    return f"in month {month_of(day)}" + (f", {years}" if years else "")


def duration(months: float) -> str:
    """A number of months in words: "5 months", "about two years (25 months)"."""
    m = round(months)
    if m < 1:
        return "less than a month"
    if m < 12:
        return f"{m} month" + ("" if m == 1 else "s")
    return f"{years_phrase(m * MONTH_DAYS).removesuffix(' in')} ({m} months)"


def run_span(days: int) -> str:
    """The length of a run in words: "ten years", "a year and a half", "12 months"."""
    if days < 540:
        months = max(1, round(days / MONTH_DAYS))
        return f"{months} month" + ("" if months == 1 else "s")
    return years_phrase(days).removeprefix("about ").removesuffix(" in")
