"""The what-if comparison in words: each difference with its interval, clearest first."""

from __future__ import annotations

import math

from closeloop.analysis.paired import Comparison, Effect
from closeloop.narrative._phrases import and_list, cap, run_span
from closeloop.narrative.couple_story import helps_text
from closeloop.simulation import NOTICE
from closeloop.stats import N_BOOT

TOP = 6
"""At most this many clear differences are told in words; the table has them all."""


def fmt_value(x: float, unit: str) -> str:
    """A value as the report shows it: shares as percentages, the rest as plain numbers."""
    if not math.isfinite(x):
        return "n/a"
    if unit == "share":
        return f"{x:.0%}"
    if unit in ("months", "count"):
        return f"{x:.1f}"
    return f"{x:.2f}"


def fmt_diff(x: float, unit: str, decimals: int | None = None) -> str:
    """A difference, signed: shares in percentage points (without the word)."""
    if not math.isfinite(x):
        return "n/a"
    if decimals is None:
        decimals = BASE_DECIMALS.get(unit, 2)
    return f"{x * 100 if unit == 'share' else x:+.{decimals}f}"


BASE_DECIMALS = {"share": 0, "months": 1, "count": 1}
"""Decimals of a difference by default (others: 2)."""


def decimals(e: Effect) -> int:
    """Decimals for an effect's difference: enough that its interval's width shows (a clear
    difference of 0.004 must not read as 0.00), at most three more than the default."""
    base = BASE_DECIMALS.get(e.unit, 2)
    half = (e.high - e.low) / 2 * (100.0 if e.unit == "share" else 1.0)
    if not (math.isfinite(half) and half > 0):
        return base
    return int(min(max(base, -math.floor(math.log10(half))), base + 3))


UNIT_WORDS = {"share": " points", "months": " months", "depth": " levels"}
"""What follows a difference in words (a share's difference is in percentage points)."""


def effect_sentence(e: Effect, names: tuple[str, str]) -> str:
    """One effect in words, e.g. "Share of relationships that ended: 30% with x and 12% with
    y, 18 points lower (95% interval of the difference -26 to -10 points)."."""
    way = "higher" if e.diff > 0 else "lower"
    tail = UNIT_WORDS.get(e.unit, "")
    k = decimals(e)
    size = fmt_diff(abs(e.diff), e.unit, k).lstrip("+")
    value_tail = "" if e.unit == "share" else tail
    return (
        f"{cap(e.label)}: {fmt_value(e.a, e.unit)}{value_tail} with {names[0]} and "
        f"{fmt_value(e.b, e.unit)}{value_tail} with {names[1]}, {size}{tail} {way} (95% "
        f"interval of the difference {fmt_diff(e.low, e.unit, k)} to "
        f"{fmt_diff(e.high, e.unit, k)}{tail})."
    )


def _strength(e: Effect) -> float:
    # How far the difference stands from zero in units of its own interval: ranks differences on
    # different scales (shares, months, 0-1) against each other.
    half = (e.high - e.low) / 2.0
    return abs(e.diff) / half if half > 0 else math.inf


def intro_text(c: Comparison) -> str:
    """Who was compared, and how."""
    who = "people" if c.kind == "person" else "couples"
    return (
        f"This comparison runs the same {c.n} simulated {who} (seed {c.seed}) through two "
        f"scenarios for {run_span(c.days)} each: '{c.names[0]}' and '{c.names[1]}'. Each "
        f"of the {who} is the same in both runs until the scenarios make their lives differ, so "
        "a difference between the two columns is the scenarios' doing, not luck of the draw. "
        f"Intervals are 95% paired-bootstrap intervals ({N_BOOT} resamples of the {who}, each "
        "with both of their results): they show how much a difference could move with another "
        "population of the same size, not how right the model is. Satisfaction, felt threat "
        "and longing are on scales from 0 to 1."
    )


def changes_text(c: Comparison) -> str:
    """What differs between the scenarios, as a sentence."""
    if not c.changes:
        return (
            "The two scenarios are the same apart from their names, so every difference below "
            "is zero."
        )
    return "What differs between the scenarios: " + "; ".join(c.changes) + "."


def differences_text(c: Comparison) -> list[str]:
    """The main differences in words: the clearest first, then what did not clearly change,
    then what cannot be compared (undefined in a run, e.g. a share of withdrawals where
    nobody withdrew)."""
    clear = sorted((e for e in c.effects if e.clear), key=lambda e: -_strength(e))
    defined = [e for e in c.effects if math.isfinite(e.diff)]
    unclear = [e for e in defined if not e.clear]
    undefined = [e.label for e in c.effects if not math.isfinite(e.diff)]
    paras = []
    if clear:
        lead = (
            "The clearest differences (their 95% intervals leave out zero), from "
            f"'{c.names[0]}' to '{c.names[1]}':"
        )
        paras.append(" ".join([lead, *(effect_sentence(e, c.names) for e in clear[:TOP])]))
        if len(clear) > TOP:
            rest = and_list([e.label for e in clear[TOP:]])
            paras.append(f"Also clearly different (see the table): {rest}.")
        if unclear:
            paras.append(
                "No clear difference (the interval includes zero): "
                + and_list([e.label for e in unclear])
                + "."
            )
    elif c.changes:
        paras.append(
            f"At this population size no outcome differs clearly between '{c.names[0]}' and "
            f"'{c.names[1]}': every 95% interval includes zero. A larger run (--n) can tell "
            "smaller differences apart."
        )
    if undefined:
        paras.append(
            "Not compared, because one of the runs gives it no value (nothing to count): "
            + and_list(undefined)
            + "."
        )
    return paras


def closing_text() -> str:
    """The reminder that goes with every comparison: same people, different surroundings."""
    return (
        "Both columns describe the same simulated people; only what they meet differs. The "
        "distance some of them keep was learned as a protection, and in the life that taught it "
        "that protection made sense. A difference here shows how much surroundings shape "
        "whether it eases, and how slowly; it says nothing about anyone's worth, and it is a "
        "result of a model, not a forecast for any real person or couple."
    )


def story_text(c: Comparison) -> str:
    """The whole of ``story.txt``: paragraphs separated by blank lines, ending with the
    notice."""
    parts = [intro_text(c), changes_text(c), *differences_text(c), closing_text()]
    if c.kind == "couple":
        parts.append(helps_text())
    return "\n\n".join([*parts, NOTICE]) + "\n"
