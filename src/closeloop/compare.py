"""The what-if comparison: two simulated scenarios side by side, unit by unit.

``compare(ds_a, ds_b)`` turns two Datasets from ``closeloop.simulate`` (same kind, days, size and
seed) into a small frozen ``Comparison``: what differs between the two scenarios, and one
``Effect`` per outcome with a 95% interval. ``write_comparison(ds_a, ds_b, out)`` writes it as a
folder:

- ``report.html``: one self-contained page (figures embedded as PNG), both scenarios side by side;
- ``comparison.csv``: one row per outcome (value in A, value in B, B minus A, 95% interval, unit);
- ``story.txt``: the main differences in words, with numbers;
- ``run.json``: both scenarios' metadata, the seed and the population size;
- ``<name-a>/`` and ``<name-b>/``: each scenario's own full report (``closeloop.write_report``).

Why paired: a unit's random key depends only on the run seed and its index, so unit i of both
runs is the same person (or couple) until the scenarios make their lives differ. The difference
of unit i between the runs is the change's alone, and the interval comes from resampling units
with both of their results together (a paired percentile bootstrap, ``closeloop.stats``).
"""

from __future__ import annotations

import html
import json
import math
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from closeloop import figures, report, story, trajectory
from closeloop.errors import bad_value
from closeloop.io import staged, write_bytes, write_text
from closeloop.params import COUPLE_SPECS, WORLD_SPECS
from closeloop.scenario import KINDS, check_pair
from closeloop.simulation import NOTICE
from closeloop.stats import N_BOOT, Z95, bootstrap_ci, ratio_of_sums

IGNORED = ("name", "description")
"""Scenario fields that never count as a difference: they label a scenario, not change it."""
COLOURS = (figures.OKABE_ITO["blue"], figures.OKABE_ITO["orange"])
"""Scenario A and B in every comparison figure (colour-blind safe, distinct in greyscale too)."""
DASHES = ("-", "--")
FILES = ("report.html", "comparison.csv", "story.txt", "run.json")
TOP = 6
"""At most this many clear differences are told in words; the table has them all."""
LEAD = ("kind", "name")
"""Keys shown first in a record (an intervention, say)."""
WHOLE = ("population", "a", "b")
"""Scenario tables that are one value (a mix of presets), shown whole when they differ."""
DEFAULTS = {
    "world": {s.name: s.default for s in WORLD_SPECS},
    "relationship": {s.name: s.default for s in COUPLE_SPECS},
}
"""The single default of each setting, shown for the side that leaves it unset (traits have
none: their defaults come from the preset)."""


@dataclass(frozen=True)
class Effect:
    """One outcome under both scenarios, and the paired difference.

    Attributes:
        outcome: short key, e.g. ``"ended"`` or ``"sat_a"``.
        label: what it is, in words.
        unit: ``"share"`` (0-1, shown as %), ``"0-1"`` (a scale), ``"months"``, ``"depth"``
            (depth levels, 0-5) or ``"count"``.
        a, b: the population value under scenario A and under scenario B.
        diff: b - a.
        low, high: the 95% paired-bootstrap interval of ``diff`` (NaN when undefined).
    """

    outcome: str
    label: str
    unit: str
    a: float
    b: float
    diff: float
    low: float
    high: float

    @property
    def clear(self) -> bool:
        """Whether the 95% interval leaves out zero."""
        return bool(self.low > 0 or self.high < 0)


@dataclass(frozen=True)
class Comparison:
    """Two scenarios compared.

    Attributes:
        kind: "person" or "couple".
        names: (name of A, name of B).
        n: units (people or couples) in each run.
        seed: the run seed (also the bootstrap's).
        days: length of both runs.
        changes: what differs between the two scenarios, one line each (``scenario_changes``).
        effects: one Effect per outcome, in table order.
    """

    kind: str
    names: tuple[str, str]
    n: int
    seed: int
    days: int
    changes: tuple[str, ...]
    effects: tuple[Effect, ...]

    def effect(self, outcome: str) -> Effect:
        """The effect with this outcome key."""
        return next(e for e in self.effects if e.outcome == outcome)


# ---------------------------------------------------------------------------------------------
# What differs between the scenarios


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


def _plain(value: Any) -> Any:
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
    fa = _flatten({k: _plain(v) for k, v in a.items() if k not in ignore})
    fb = _flatten({k: _plain(v) for k, v in b.items() if k not in ignore})
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


def _scenario_dict(ds: xr.Dataset) -> dict[str, Any]:
    sc = report.run_metadata(ds)["scenario"]
    return dict(sc) if isinstance(sc, Mapping) else {}


def _check_datasets(ds_a: xr.Dataset, ds_b: xr.Dataset) -> tuple[str, int, int]:
    for ds in (ds_a, ds_b):
        if not isinstance(ds, xr.Dataset) or ds.attrs.get("closeloop_kind") not in KINDS:
            raise bad_value("ds", type(ds).__name__, "a Dataset from closeloop.simulate", "compare")
    sa, sb = _scenario_dict(ds_a), _scenario_dict(ds_b)
    sa.setdefault("kind", ds_a.attrs["closeloop_kind"])
    sb.setdefault("kind", ds_b.attrs["closeloop_kind"])
    check_pair(sa, sb)
    for field in ("n", "seed"):
        va, vb = ds_a.attrs.get(field), ds_b.attrs.get(field)
        if va != vb:
            raise bad_value(field, vb, f"{va!r}, the {field} of the first run", "compare")
    return str(sa["kind"]), int(ds_a.attrs["n"]), int(ds_a.attrs["seed"])


# ---------------------------------------------------------------------------------------------
# Outcomes per unit, and their population values

Stat = Callable[[np.ndarray], float]


def _quiet(f: Callable[[], float]) -> float:
    # An all-NaN column (no couple has a value) gives NaN; the warning says nothing more.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(f())


def mean_of(x: np.ndarray) -> float:
    """Population value of a per-unit column: the mean over units with a value."""
    return _quiet(lambda: np.nanmean(x[:, 0]))


def pooled(x: np.ndarray) -> float:
    """Population value of a per-unit (numerator, denominator) pair: the pooled share."""
    return ratio_of_sums(x[:, 0], x[:, 1])


@dataclass(frozen=True)
class Outcome:
    """One outcome: per-unit columns and how they make the population value.

    Attributes:
        key, label, unit: as in ``Effect``.
        columns: (unit, k) per-unit values (NaN: no value for that unit).
        stat: (rows of ``columns``) -> the population value: ``mean_of`` or ``pooled``.
    """

    key: str
    label: str
    unit: str
    columns: np.ndarray
    stat: Stat


def _col(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64).reshape(-1, 1)


def _member(m: int, w: int) -> str:
    return f"partner {story.NAMES[m]}" + (" (who pulled back more)" if m == w else "")


def couple_outcomes(ds: xr.Dataset, withdrawer: int) -> list[Outcome]:
    """The couple outcomes compared, per couple.

    Arguments:
        ds: a couple-level Dataset.
        withdrawer: the member (0 a, 1 b) named as the one who pulled back more (taken from the
            first scenario, so that both runs name the same person).

    Returns:
        Share ended; share in each trajectory class; each partner's final satisfaction; each
        partner's felt threat at the deepest levels (depths 3-4) at the end; months in the
        reach-and-retreat cycle (``story.cycle_months``; 0 if never); the mean depth known at
        the end; the share of couples where a partner gave up reaching.
    """
    traj = ds["trajectory"].values.astype(str)
    first, last = story.cycle_months(ds)
    rows: list[tuple[str, str, str, Any]] = [
        ("ended", "share of relationships that ended", "share", ds["ended"].values[:, -1])
    ]
    rows += [
        (f"class_{c}", f"share {story.CLASS_WORDS.get(c, c)} at the end", "share", traj == c)
        for c in trajectory.CLASSES
        if c != "ended"
    ]
    rows += [
        (f"sat_{key}", f"final satisfaction, {_member(m, -1)}", "0-1", ds["sat"].values[:, -1, m])
        for m, key in enumerate(report.MEMBER_KEYS)
    ]
    rows += [
        (
            f"threat_deep_{key}",
            f"felt threat at the deepest levels at the end, {_member(m, withdrawer)}",
            "0-1",
            ds["threat_deep"].values[:, -1, m],
        )
        for m, key in enumerate(report.MEMBER_KEYS)
    ]
    rows += [
        (
            "cycle_months",
            "months in the reach-and-retreat cycle",
            "months",
            np.where(first > 0, last - first + 1, 0),
        ),
        (
            "known",
            "depth to which the two know each other at the end",
            "depth",
            ds["known"].values[:, -1].mean(axis=-1),
        ),
        (
            "gave_up",
            "share where a partner gave up reaching",
            "share",
            (ds["gave_up_day"].values >= 0).any(axis=1),
        ),
    ]
    return [Outcome(key, label, unit, _col(x), mean_of) for key, label, unit, x in rows]


def person_outcomes(ds: xr.Dataset) -> list[Outcome]:
    """The person outcomes compared, per person, about offers of closeness from a partner.

    Returns:
        Felt threat at the deepest levels (the last ``report.DEEP`` depths) at the end, and its
        change since the start of adult life; the share of withdrawals closed by the automatic
        route (pooled); the share of offers at the deepest levels taken up (pooled);
        withdrawals per person; the share of people who pull back at some depth
        (``report.pullback_depth``); mean unmet longing.
    """
    ctx = report.CONTEXT
    k = ds.sizes["depth"]
    deep = list(range(max(k - report.DEEP, 0), k))
    start = ds["template0"].sel(context=ctx).isel(depth=deep).mean("depth").values
    end = ds["threat_partner"].isel(month=-1, depth=deep).mean("depth").values
    offers = ds["offers"].sel(context=ctx).sum("importance")
    shares = ds["shares"].sel(context=ctx).sum("importance")
    withdrawals = (offers - shares).sum("depth").values.astype(float)
    auto = ds["automatic"].sel(context=ctx).sum("depth").values
    deep_off = offers.isel(depth=deep).sum("depth").values
    deep_sh = shares.isel(depth=deep).sum("depth").values
    pb = report.pullback_depth(report.acceptance_by_depth(ds))
    pulls = np.where(np.isfinite(pb), pb < k, np.nan)

    means = [
        ("threat_deep_end", "felt threat at the deepest levels at the end", "0-1", end),
        (
            "threat_deep_change",
            "change in felt threat at the deepest levels since the start of adult life",
            "0-1",
            end - start,
        ),
        ("withdrawals", "offers not taken up, per person", "count", withdrawals),
        ("pullback_share", "share of people who pull back at some depth", "share", pulls),
        ("longing", "unmet longing, averaged over the days", "0-1", ds["mean_longing"].values),
    ]
    shares_of = [
        (
            "automatic_share",
            "share of withdrawals closed by the automatic route",
            auto,
            withdrawals,
        ),
        ("acceptance_deep", "share of offers at the deepest levels taken up", deep_sh, deep_off),
    ]
    out = [Outcome(key, label, unit, _col(x), mean_of) for key, label, unit, x in means]
    pooled_out = [
        Outcome(key, label, "share", np.column_stack([x, y]).astype(np.float64), pooled)
        for key, label, x, y in shares_of
    ]
    # Table order: the threat first, then how people responded, then longing.
    return [*out[:2], *pooled_out, *out[2:]]


def paired_effect(oa: Outcome, ob: Outcome, seed: int = 0, n_boot: int = N_BOOT) -> Effect:
    """The difference B - A of one outcome, with a paired percentile-bootstrap 95% interval.

    Units are resampled with both of their results together (unit i under A and under B), so
    what the two runs share (the same people) cancels out of the interval.

    Arguments:
        oa, ob: the same outcome computed from run A and from run B (same units, same order).
        seed: the bootstrap seed.
        n_boot: resamples.

    Returns:
        The Effect (labelled as ``oa``).
    """
    k = oa.columns.shape[1]
    both = np.concatenate([oa.columns, ob.columns], axis=1)
    stat = oa.stat

    def diff(rows: np.ndarray) -> float:
        return stat(rows[:, k:]) - stat(rows[:, :k])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        d, lo, hi = bootstrap_ci(diff, both, seed=seed, n_boot=n_boot)
    return Effect(oa.key, oa.label, oa.unit, stat(oa.columns), stat(ob.columns), d, lo, hi)


def compare(ds_a: xr.Dataset, ds_b: xr.Dataset, *, n_boot: int = N_BOOT) -> Comparison:
    """Compare two runs unit by unit.

    Arguments:
        ds_a, ds_b: Datasets from ``closeloop.simulate`` of two scenarios of the same kind and
            days, with the same ``n`` and ``seed`` (so that unit i is the same in both).
        n_boot: bootstrap resamples per outcome.

    Returns:
        The Comparison: what differs between the scenarios, and B - A for every outcome.

    Raises:
        InputError: the runs differ in kind, days, size or seed.

    Example:
        >>> import closeloop as cl
        >>> sc = cl.scenario("warm-partner").replace(days=60)
        >>> a = cl.simulate(sc, n=20)
        >>> b = cl.simulate(sc.replace(world={"warmth": 0.5}), n=20)
        >>> compare(a, b).changes
        ('world.hurt_rate: 0.01 -> 0.03 (default)', 'world.warmth: 0.95 -> 0.5')
    """
    kind, n, seed = _check_datasets(ds_a, ds_b)
    if kind == "couple":
        w = report.population_withdrawer(ds_a)
        outs_a, outs_b = couple_outcomes(ds_a, w), couple_outcomes(ds_b, w)
    else:
        outs_a, outs_b = person_outcomes(ds_a), person_outcomes(ds_b)
    effects = tuple(
        paired_effect(oa, ob, seed=seed, n_boot=n_boot)
        for oa, ob in zip(outs_a, outs_b, strict=True)
    )
    sa, sb = _scenario_dict(ds_a), _scenario_dict(ds_b)
    return Comparison(
        kind=kind,
        names=(str(ds_a.attrs.get("scenario_name")), str(ds_b.attrs.get("scenario_name"))),
        n=n,
        seed=seed,
        days=int(sa.get("days", ds_a["month"].values[-1])),
        changes=tuple(scenario_changes(sa, sb)),
        effects=effects,
    )


def comparison_frame(c: Comparison) -> pd.DataFrame:
    """The table written to ``comparison.csv``: one row per outcome.

    Columns: outcome (key), description, value_a, value_b, difference (b - a), ci_low and
    ci_high (the 95% paired-bootstrap interval of the difference) and unit.
    """
    rows = [
        {
            "outcome": e.outcome,
            "description": e.label,
            "value_a": e.a,
            "value_b": e.b,
            "difference": e.diff,
            "ci_low": e.low,
            "ci_high": e.high,
            "unit": e.unit,
        }
        for e in c.effects
    ]
    return pd.DataFrame(rows).round(5)


# ---------------------------------------------------------------------------------------------
# Words


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
        f"{story._cap(e.label)}: {fmt_value(e.a, e.unit)}{value_tail} with {names[0]} and "
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
        f"scenarios for {story.run_span(c.days)} each: '{c.names[0]}' and '{c.names[1]}'. Each "
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
            rest = story._and([e.label for e in clear[TOP:]])
            paras.append(f"Also clearly different (see the table): {rest}.")
        if unclear:
            paras.append(
                "No clear difference (the interval includes zero): "
                + story._and([e.label for e in unclear])
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
            + story._and(undefined)
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
        parts.append(story.helps_text())
    return "\n\n".join([*parts, NOTICE]) + "\n"


# ---------------------------------------------------------------------------------------------
# Figures


def _mean_band(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Mean over units (axis 0) with a normal-approximation 95% interval; NaN where no unit has a
    # value. The interval is of each run's mean, to show where the two runs separate.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        m = np.nanmean(x, axis=0)
        count = np.isfinite(x).sum(axis=0)
        se = np.nanstd(x, axis=0, ddof=1) / np.sqrt(np.maximum(count, 1))
    se = np.where(count > 1, se, 0.0)
    return m, m - Z95 * se, m + Z95 * se


def _time(days: np.ndarray) -> tuple[np.ndarray, str]:
    # Years for long runs, months for short ones, where years would crowd near zero.
    if days.size and days[-1] >= 730:
        return days / 365.25, "Years"
    return days / story.MONTH_DAYS, "Months"


def _draw(ax: Axes, x: np.ndarray, series: Sequence[np.ndarray], names: Sequence[str]) -> None:
    for i, (s, name) in enumerate(zip(series, names, strict=True)):
        m, lo, hi = _mean_band(s)
        ok = np.isfinite(m)
        ax.fill_between(x, lo, hi, where=ok, color=COLOURS[i], alpha=0.22, lw=0)
        ax.plot(x, m, color=COLOURS[i], linestyle=DASHES[i], linewidth=2.0, label=name)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e4e4e4", linewidth=0.8)
    ax.set_axisbelow(True)
    if x.size:
        ax.set_xlim(float(x[0]), float(x[-1]))


def _panels(title: str, count: int) -> tuple[Figure, list[Axes]]:
    fig = Figure(figsize=(figures.WIDTH, 3.9), layout="constrained")
    axes = fig.subplots(1, count, sharey=True, squeeze=False)[0]
    fig.suptitle(title, x=0.01, ha="left", fontsize=12)
    return fig, list(axes)


def couple_member_figure(
    ds_a: xr.Dataset, ds_b: xr.Dataset, var: str, title: str, ylabel: str, names: Sequence[str]
) -> Figure:
    """One panel per partner, both scenarios on the same axes: the mean of ``var`` (couple,
    month, member) over couples still together, with its 95% interval."""
    x, xlabel = _time(ds_a["month"].values.astype(float))
    fig, axes = _panels(title, 2)
    for m, ax in enumerate(axes):
        series = [
            np.where(~d["ended"].values.astype(bool), d[var].values[..., m].astype(float), np.nan)
            for d in (ds_a, ds_b)
        ]
        _draw(ax, x, series, names)
        ax.set_title(f"Partner {story.NAMES[m]}", fontsize=10, loc="left")
        ax.set_xlabel(xlabel)
        ax.set_ylim(0, 1)
    axes[0].set_ylabel(ylabel)
    axes[-1].legend(frameon=False, fontsize=8.5, loc="best")
    return fig


def class_figure(ds_a: xr.Dataset, ds_b: xr.Dataset, names: Sequence[str]) -> Figure:
    """The share of couples in each trajectory class at the end, both scenarios side by side."""
    fig = Figure(figsize=(figures.WIDTH, 3.9), layout="constrained")
    ax = fig.add_subplot()
    fig.suptitle("Where couples ended up", x=0.01, ha="left", fontsize=12)
    classes = list(trajectory.CLASSES)
    y = np.arange(len(classes))[::-1].astype(float)
    h = 0.38
    for i, d in enumerate((ds_a, ds_b)):
        traj = d["trajectory"].values.astype(str)
        shares = [float(np.mean(traj == c)) for c in classes]
        yi = y + (h / 2 if i == 0 else -h / 2)
        ax.barh(
            yi,
            shares,
            height=h,
            color=COLOURS[i],
            label=names[i],
            hatch="" if i == 0 else "//",
            edgecolor="white",
        )
        for yy, s in zip(yi, shares, strict=True):
            ax.text(s + 0.01, yy, f"{s:.0%}", va="center", fontsize=8)
    ax.set_yticks(y, figures.wrap_labels(classes, 16), fontsize=9)
    ax.set_xlim(0, 1.1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel("Share of all couples at the end of the run")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8.5, loc="lower right")
    return fig


def person_threat_figure(ds_a: xr.Dataset, ds_b: xr.Dataset, names: Sequence[str]) -> Figure:
    """Felt threat at the deepest levels with a partner and unmet longing over the run, both
    scenarios on the same axes (mean over people with a 95% interval)."""
    days = np.concatenate([[0.0], ds_a["month"].values.astype(float)])
    x, xlabel = _time(days)
    fig, axes = _panels("Felt threat of the deepest closeness, and unmet longing", 2)
    k = ds_a.sizes["depth"]
    deep = list(range(max(k - report.DEEP, 0), k))

    def threat(d: xr.Dataset) -> np.ndarray:
        start = d["template0"].sel(context=report.CONTEXT).isel(depth=deep).mean("depth").values
        later = d["threat_partner"].isel(depth=deep).mean("depth").values
        return np.column_stack([start, later]).astype(float)

    def longing(d: xr.Dataset) -> np.ndarray:
        later = d["longing_t"].values.astype(float)
        return np.column_stack([np.full(later.shape[0], np.nan), later])

    for ax, get, label in zip(
        axes, (threat, longing), ("Felt threat (0-1)", "Unmet longing (0-1)"), strict=True
    ):
        _draw(ax, x, [get(ds_a), get(ds_b)], names)
        ax.set_xlabel(xlabel)
        ax.set_title(label, fontsize=10, loc="left")
        ax.set_ylim(0, 1)
    axes[0].set_ylabel("Mean over people")
    axes[-1].legend(frameon=False, fontsize=8.5, loc="best")
    return fig


def person_acceptance_figure(ds_a: xr.Dataset, ds_b: xr.Dataset, names: Sequence[str]) -> Figure:
    """The share of a partner's offers taken up at each depth, both scenarios on the same axes
    (mean over people with a 95% interval)."""
    depth_names = report.depth_names(ds_a)
    fig, axes = _panels("Closeness taken up, by depth", 1)
    ax = axes[0]
    x = np.arange(len(depth_names), dtype=float)
    _draw(ax, x, [report.acceptance_by_depth(d) for d in (ds_a, ds_b)], names)
    ax.set_xticks(x, figures.wrap_labels(depth_names))
    ax.set_xlim(-0.2, len(depth_names) - 0.8)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel("Depth of closeness offered by a partner")
    ax.set_ylabel("Share of offers taken up")
    ax.legend(frameon=False, fontsize=8.5, loc="best")
    return fig


CAPTIONS = {
    "satisfaction": "Each partner's satisfaction with the relationship, month by month, under "
    "both scenarios: the mean over couples still together, shaded with its 95% interval.",
    "deep-threat": "Each partner's felt threat at the deepest levels of closeness (0 none, 1 "
    "sure hurt), under both scenarios: the mean over couples still together, with its 95% "
    "interval.",
    "trajectories": "The share of couples in each pattern at the end of the run, under both "
    "scenarios (each pattern judged over the last year).",
    "threat": "Left: the felt threat of the deepest levels of closeness with a partner, from the "
    "start of adult life on. Right: unmet longing, the wish for connection not yet met. Means "
    "over people with their 95% intervals, both scenarios on the same axes.",
    "acceptance": "How often people took up a partner's offer of closeness at each depth, under "
    "both scenarios: the mean over people with its 95% interval.",
}


def figure_pngs(ds_a: xr.Dataset, ds_b: xr.Dataset, names: Sequence[str]) -> dict[str, bytes]:
    """Draw the comparison's figures and render them as PNG (name -> bytes, in page order)."""
    if ds_a.attrs.get("closeloop_kind") == "couple":
        made = {
            "satisfaction": couple_member_figure(
                ds_a, ds_b, "sat", "Satisfaction", "Satisfaction (0-1)", names
            ),
            "deep-threat": couple_member_figure(
                ds_a,
                ds_b,
                "threat_deep",
                "Felt threat of the deepest closeness",
                "Felt threat (0-1)",
                names,
            ),
            "trajectories": class_figure(ds_a, ds_b, names),
        }
    else:
        made = {
            "threat": person_threat_figure(ds_a, ds_b, names),
            "acceptance": person_acceptance_figure(ds_a, ds_b, names),
        }
    return {k: figures.to_png(f) for k, f in made.items()}


# ---------------------------------------------------------------------------------------------
# Page and files


def _table_html(c: Comparison) -> str:
    esc = html.escape

    def row(e: Effect) -> str:
        k = decimals(e)
        diff = fmt_diff(e.diff, e.unit, k)
        return (
            f"<tr><td>{esc(e.label)}</td><td>{fmt_value(e.a, e.unit)}</td>"
            f"<td>{fmt_value(e.b, e.unit)}</td>"
            f"<td>{f'<strong>{diff}</strong>' if e.clear else diff}</td>"
            f"<td>{fmt_diff(e.low, e.unit, k)} to {fmt_diff(e.high, e.unit, k)}</td>"
            f"<td>{esc(e.unit)}</td></tr>"
        )

    rows = "".join(row(e) for e in c.effects)
    return (
        f"<table><thead><tr><th>outcome</th><th>{esc(c.names[0])}</th><th>{esc(c.names[1])}</th>"
        "<th>difference</th><th>95% interval</th><th>unit</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def comparison_html(
    c: Comparison, pngs: dict[str, bytes], meta: dict[str, Any], folders: tuple[str, str]
) -> str:
    """The self-contained comparison page (inline CSS, figures as data URIs, no scripts)."""
    esc = html.escape
    changes = (
        "<ul>" + "".join(f"<li><code>{esc(x)}</code></li>" for x in c.changes) + "</ul>"
        if c.changes
        else f"<p>{esc(changes_text(c))}</p>"
    )
    words = "".join(f"<p>{esc(p)}</p>" for p in differences_text(c))
    links = " and ".join(
        f'<a href="{esc(f)}/report.html">{esc(n)}</a>'
        for f, n in zip(folders, c.names, strict=True)
    )
    return report._page(
        meta,
        f'<p class="sub">{esc(intro_text(c))}</p>{report.NOTICE_HTML}'
        f"<h2>What differs between the scenarios</h2>{changes}"
        f"<h2>Differences in outcomes</h2>{words}"
        f"<p>Difference: {esc(c.names[1])} minus {esc(c.names[0])}; shares in percentage points."
        " In bold: the 95% interval leaves out zero.</p>"
        f"{_table_html(c)}<h2>Figures</h2>{report._figures_html(pngs, CAPTIONS)}"
        f"<h2>Each scenario on its own</h2><p>The full report of each run: {links}.</p>"
        f"<p>{esc(closing_text())}</p>",
    )


def folder_names(names: tuple[str, str]) -> tuple[str, str]:
    """The subfolders for the two scenarios' own reports: their names made safe for a path,
    or ``a`` and ``b`` when the names are the same (or nothing would be left)."""
    safe = tuple(re.sub(r"[^A-Za-z0-9._-]+", "-", n).strip(".-") for n in names)
    clash = any(s in FILES or s.endswith(".png") for s in safe)  # a file of the comparison
    if safe[0] == safe[1] or not all(safe) or clash:
        return "a", "b"
    return safe[0], safe[1]


def run_json(
    c: Comparison,
    ds_a: xr.Dataset,
    ds_b: xr.Dataset,
    folders: tuple[str, str],
    pngs: Sequence[str] = (),
) -> dict[str, Any]:
    """What ``run.json`` records: both runs' metadata, the comparison's settings, the notice."""
    return {
        "kind": c.kind,
        "seed": c.seed,
        "n": c.n,
        "days": c.days,
        "scenario_name": f"{c.names[0]} vs {c.names[1]}",
        "a": {**report.run_metadata(ds_a), "folder": folders[0]},
        "b": {**report.run_metadata(ds_b), "folder": folders[1]},
        "changes": list(c.changes),
        "difference": "b minus a",
        "interval": f"95% paired percentile bootstrap over units, {N_BOOT} resamples, "
        f"seed {c.seed}",
        "files": [*FILES, *(f"{k}.png" for k in pngs), f"{folders[0]}/", f"{folders[1]}/"],
        "notice": NOTICE,
    }


def write_comparison(
    ds_a: xr.Dataset, ds_b: xr.Dataset, out: str | Path, *, force: bool = False
) -> Path:
    """Write the comparison of two runs into a folder.

    Arguments:
        ds_a, ds_b: two runs as ``compare`` takes them.
        out: the folder; written whole and swapped in (``closeloop.io.staged``): a folder
            closeloop wrote before is replaced, a non-empty folder it did not write is refused
            unless ``force``. Each scenario's own report goes into a subfolder named after it
            (``a`` and ``b`` when the names are the same).
        force: write into a non-empty folder closeloop did not write (its files are kept).

    Returns:
        The path of ``report.html``.
    """
    c = compare(ds_a, ds_b)
    with staged(out, force=force) as folder:
        folders = folder_names(c.names)
        for ds, sub in zip((ds_a, ds_b), folders, strict=True):
            report.write_report(ds, folder / sub)
        pngs = figure_pngs(ds_a, ds_b, c.names)
        meta = run_json(c, ds_a, ds_b, folders, list(pngs))
        write_text(folder / "comparison.csv", comparison_frame(c).to_csv(index=False))
        write_text(folder / "story.txt", story_text(c))
        write_text(folder / "run.json", json.dumps(meta, indent=2, sort_keys=True) + "\n")
        for key, data in pngs.items():
            write_bytes(folder / f"{key}.png", data)
        page = comparison_html(c, pngs, meta, folders)
        name = write_text(folder / "report.html", page).name
    return Path(out) / name
