"""What the claim checks share: running shipped scenarios and reading diary-level records.

Every check runs shipped presets and scenarios with default parameters through
``closeloop.simulate``; a claim chooses which profiles, scenarios and windows it compares, never
its own parameter values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from closeloop.claims.registry import Settings
from closeloop.errors import bad_value
from closeloop.params import COUPLE_SPECS, WORLD_SPECS, check_values
from closeloop.scenario import Scenario
from closeloop.simulation import simulate

PARTNER, FRIEND, THERAPY = "partner", "friend", "therapy"
SHALLOW, DEEP, PERSONAL = [0, 1], [3, 4], [2, 3, 4]
ALL = [0, 1, 2, 3, 4]
YEAR = 365
SALT = 7919
"""Seed offset per claim-specific number, so that one claim's population is not another's."""


Overrides = tuple[tuple[str, float], ...]


def check_overrides(values: Mapping[str, object], owner: str = "claims") -> Overrides:
    """World and relationship parameter values to check claims under, validated against the
    specification (an unknown name or a value out of bounds is a one-line InputError)."""
    out = check_values(values, WORLD_SPECS + COUPLE_SPECS, "overrides", owner)
    return tuple(sorted(out.items()))


def parse_overrides(items: Sequence[str], owner: str = "claims") -> Overrides:
    """``NAME=VALUE`` strings (the command line's ``--set``) as validated overrides."""
    out: dict[str, object] = {}
    for item in items:
        name, sep, text = item.partition("=")
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not sep or not name.strip() or not math.isfinite(value):
            raise bad_value("--set", item, "NAME=VALUE with a number, e.g. warmth=0.5", owner)
        out[name.strip()] = value
    return check_overrides(out, owner)


def with_overrides(sc: Scenario, overrides: Overrides) -> Scenario:
    """The scenario with the overrides as its world (person) or relationship (couple) settings.

    A value the scenario sets itself stays: it is the condition the claim compares (a warm
    world against the default one), while an override moves the default it is compared with.
    """
    if not overrides:
        return sc
    field, specs = ("world", WORLD_SPECS) if sc.kind == "person" else ("relationship", COUPLE_SPECS)
    names = {s.name for s in specs}
    own = dict(getattr(sc, field))
    extra = {k: v for k, v in overrides if k in names and k not in own}
    return sc.replace(**{field: {**extra, **own}}) if extra else sc


def run(
    sc: Scenario, s: Settings, groups: int = 1, daily: bool = False, salt: int = 0
) -> xr.Dataset:
    """``sc`` on ``groups`` x ``s.n`` units under the run's settings (seed, ablations, variant,
    overrides); ``salt`` offsets the seed so one claim's population is not another's."""
    return simulate(
        with_overrides(sc, s.overrides),
        n=groups * s.n,
        seed=s.seed + SALT * salt,
        ablate=s.ablate,
        variant=s.variant,
        daily=daily,
    )


def people(population: Mapping[str, float], days: int = YEAR, **world: float) -> Scenario:
    """A population of presets in the default adult world (or the given world settings)."""
    return Scenario(name="claim", population=dict(population), world=dict(world), days=days)


def select(ds: xr.Dataset, name: str, by: str = "preset") -> xr.Dataset:
    """The units whose ``by`` is ``name``; a comparison on a handful would be noise, so fewer
    than ten is an error."""
    idx = np.flatnonzero(ds[by].values == name)
    if len(idx) < 10:
        raise RuntimeError(f"claim population has {len(idx)} people with {by}={name!r}")
    return ds.isel(unit=idx)


def rate(num: xr.DataArray, den: xr.DataArray) -> xr.DataArray:
    """num / den where den > 0, NaN otherwise."""
    return num / den.where(den > 0)


def acceptance(ds: xr.Dataset, context: str = PARTNER) -> xr.DataArray:
    """Per person and depth: share of offers the person shared (NaN where none was offered)."""
    return rate(
        ds.shares.sel(context=context).sum("importance"),
        ds.offers.sel(context=context).sum("importance"),
    )


def tolerance(ds: xr.Dataset, context: str = PARTNER) -> np.ndarray:
    """Depth levels a person accepts: the area under their acceptance curve."""
    return acceptance(ds, context).fillna(0.0).sum("depth").values


def withdrawal_by_stakes(
    ds: xr.Dataset, context: str = PARTNER, depths: list[int] = PERSONAL
) -> tuple[np.ndarray, np.ndarray]:
    """Per person: share of offers at ``depths`` turned down when sharing mattered little and
    when it mattered much (a diary records the offer, how much it mattered, and the response).
    People with no offer of one kind get the population's mean, so they add no spread."""
    off = ds.offers.sel(context=context, depth=depths).sum("depth")
    sh = ds.shares.sel(context=context, depth=depths).sum("depth")
    w = 1.0 - rate(sh, off)
    low, high = w.sel(importance="low").values, w.sel(importance="high").values
    return _fill(low), _fill(high)


def _fill(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float64)
    m = np.nanmean(x) if np.isfinite(x).any() else 0.0
    return np.where(np.isfinite(x), x, m)


def fill_mean(x: np.ndarray) -> np.ndarray:
    """NaN (nothing observed) replaced by the mean of the rest, which adds no spread."""
    return _fill(x)


def mean_threat(
    ds: xr.Dataset, var: str = "template0", context: str = PARTNER, depths: list[int] | None = None
) -> np.ndarray:
    """Per person: felt threat in ``var`` (unit, context, depth), mean over ``depths``."""
    t = ds[var].sel(context=context)
    if depths is not None:
        t = t.sel(depth=depths)
    return t.mean("depth").values


def at_day(
    ds: xr.Dataset, day: int, var: str = "threat_partner", depths: list[int] = DEEP
) -> np.ndarray:
    """Per person: the monthly snapshot ``var`` (unit, month, depth) at the last month not after
    ``day``, mean over ``depths``."""
    months = ds.month.values
    i = int(np.flatnonzero(months <= day)[-1]) if (months <= day).any() else 0
    return ds[var].isel(month=i).sel(depth=depths).mean("depth").values


def days_mean(ds: xr.Dataset, var: str, lo: int, hi: int) -> np.ndarray:
    """Per person: the mean of a daily record over days [lo, hi)."""
    return ds[var].isel(day=slice(lo, hi)).mean("day").values


def paired_runs(s: Settings, *scs: Scenario, daily: bool = False) -> list[xr.Dataset]:
    """The same people (same seed) under each scenario, so that differences are paired."""
    return [run(sc, s, daily=daily) for sc in scs]


def start_threat(ds: xr.Dataset, context: str = PARTNER, depths: list[int] = DEEP) -> np.ndarray:
    """Threat (mean over ``depths``) at the start of adulthood (the template the history left)."""
    return mean_threat(ds, "template0", context, depths)


def declined_share(ds: xr.Dataset, lo: int, hi: int) -> np.ndarray:
    """Per person: share of personal offers (depth >= 2) turned down on days [lo, hi)."""
    win = slice(lo, hi)
    offered = ds.daily_offered.isel(day=win).values & (ds.daily_depth.isel(day=win).values >= 2)
    shared = ds.daily_shared.isel(day=win).values & offered
    n = offered.sum(1)
    return np.where(n > 0, 1.0 - shared.sum(1) / np.maximum(n, 1), 0.0)
