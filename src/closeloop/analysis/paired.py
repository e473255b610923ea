"""Two simulated scenarios compared unit by unit: paired outcomes and their differences.

``compare(ds_a, ds_b)`` turns two Datasets from ``closeloop.simulate`` (same kind, days, size and
seed) into a small frozen ``Comparison``: what differs between the two scenarios, and one
``Effect`` per outcome with a 95% interval.

Why paired: a unit's random key depends only on the run seed and its index, so unit i of both
runs is the same person (or couple) until the scenarios make their lives differ. The difference
of unit i between the runs is the change's alone, and the interval comes from resampling units
with both of their results together (a paired percentile bootstrap, ``closeloop.stats``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from closeloop import trajectory
from closeloop.analysis.couple_events import CLASS_WORDS, MEMBER_KEYS, NAMES, cycle_months
from closeloop.analysis.measures import quiet
from closeloop.analysis.profiles import CONTEXT, DEEP, acceptance_by_depth, pullback_depth
from closeloop.analysis.scenario_diff import scenario_changes
from closeloop.analysis.timeline import population_withdrawer
from closeloop.errors import bad_value
from closeloop.results.files import run_metadata
from closeloop.scenario import KINDS, check_pair
from closeloop.stats import N_BOOT, bootstrap_ci, ratio_of_sums


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


def _scenario_dict(ds: xr.Dataset) -> dict[str, Any]:
    sc = run_metadata(ds)["scenario"]
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


Stat = Callable[[np.ndarray], float]


def mean_of(x: np.ndarray) -> float:
    """Population value of a per-unit column: the mean over units with a value."""
    return float(quiet(np.nanmean, x[:, 0]))


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
    return f"partner {NAMES[m]}" + (" (who pulled back more)" if m == w else "")


def couple_outcomes(ds: xr.Dataset, withdrawer: int) -> list[Outcome]:
    """The couple outcomes compared, per couple.

    Arguments:
        ds: a couple-level Dataset.
        withdrawer: the member (0 a, 1 b) named as the one who pulled back more (taken from the
            first scenario, so that both runs name the same person).

    Returns:
        Share ended; share in each trajectory class; each partner's final satisfaction; each
        partner's felt threat at the deepest levels (depths 3-4) at the end; months in the
        reach-and-retreat cycle (``cycle_months``; 0 if never); the mean depth known at
        the end; the share of couples where a partner gave up reaching.
    """
    traj = ds["trajectory"].values.astype(str)
    first, last = cycle_months(ds)
    rows: list[tuple[str, str, str, Any]] = [
        ("ended", "share of relationships that ended", "share", ds["ended"].values[:, -1])
    ]
    rows += [
        (f"class_{c}", f"share {CLASS_WORDS.get(c, c)} at the end", "share", traj == c)
        for c in trajectory.CLASSES
        if c != "ended"
    ]
    rows += [
        (f"sat_{key}", f"final satisfaction, {_member(m, -1)}", "0-1", ds["sat"].values[:, -1, m])
        for m, key in enumerate(MEMBER_KEYS)
    ]
    rows += [
        (
            f"threat_deep_{key}",
            f"felt threat at the deepest levels at the end, {_member(m, withdrawer)}",
            "0-1",
            ds["threat_deep"].values[:, -1, m],
        )
        for m, key in enumerate(MEMBER_KEYS)
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
        Felt threat at the deepest levels (the last ``DEEP`` depths) at the end, and its
        change since the start of adult life; the share of withdrawals closed by the automatic
        route (pooled); the share of offers at the deepest levels taken up (pooled);
        withdrawals per person; the share of people who pull back at some depth
        (``pullback_depth``); mean unmet longing.
    """
    ctx = CONTEXT
    k = ds.sizes["depth"]
    deep = list(range(max(k - DEEP, 0), k))
    start = ds["template0"].sel(context=ctx).isel(depth=deep).mean("depth").values
    end = ds["threat_partner"].isel(month=-1, depth=deep).mean("depth").values
    offers = ds["offers"].sel(context=ctx).sum("importance")
    shares = ds["shares"].sel(context=ctx).sum("importance")
    withdrawals = (offers - shares).sum("depth").values.astype(float)
    auto = ds["automatic"].sel(context=ctx).sum("depth").values
    deep_off = offers.isel(depth=deep).sum("depth").values
    deep_sh = shares.isel(depth=deep).sum("depth").values
    pb = pullback_depth(acceptance_by_depth(ds))
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
        w = population_withdrawer(ds_a)
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
