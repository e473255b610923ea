"""Person-level numbers of a population run: one ``ProfileStats`` per profile (preset).

``profile_stats(ds)`` computes what the person report shows: acceptance by depth with a partner,
the threat learned before adulthood, the routes withdrawals took, where people pull back, unmet
longing and how the felt threat of the deepest levels changed over the run.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from closeloop.analysis.measures import quiet
from closeloop.errors import InputError
from closeloop.model.person import DEPTH_NAMES
from closeloop.presets import PRESET_NAMES

CONTEXT = "partner"
"""The relationship the report's acceptance, routes and pull-back numbers are about."""
BAND = (5.0, 95.0)
"""Percentiles of the population band in figures (a) and (b): the middle 90% of people."""
PULLBACK_RATIO = 0.5
"""A person pulls back at the first depth where acceptance falls below this share of depth 0."""
DEEP = 2
"""Felt threat over time is averaged over this many of the deepest depths."""
REQUIRED = (
    "preset",
    "template0",
    "offers",
    "shares",
    "automatic",
    "behaviour_count",
    "mean_longing",
    "threat_partner",
)


@dataclass(frozen=True, eq=False)
class ProfileStats:
    """The numbers the report shows for one profile (one ``preset`` value).

    Attributes:
        name: the profile.
        n: people in it.
        acceptance: (K,) mean over people of the share of a partner's offers shared, by depth.
        acceptance_low, acceptance_high: (K,) 5th and 95th percentile across people.
        threat0: (K,) mean threat a partner's closeness carried at the start of adulthood.
        threat0_low, threat0_high: (K,) 5th and 95th percentile across people.
        withdrawals_per_person: mean number of a partner's offers not taken up.
        automatic_share: share of those withdrawals closed by the automatic route (NaN if none).
        pullback: median pull-back depth (``statistics.median_low``, so always a real depth);
            K when the median person never pulls back, NaN when nobody's can be measured.
        pullback_share: share of measurable people who pull back at some depth.
        longing: mean over people of the day-averaged unmet longing, in [0, 1].
        deep_days: (T,) days of the threat snapshots, starting with 0 (start of adulthood).
        deep_q: (3, T) 25th, 50th and 75th percentile across people of the felt threat at the
            deepest levels with a partner.
        behaviours: (B,) shares of the forms withdrawal took (sharing excluded), NaN if none.
    """

    name: str
    n: int
    acceptance: np.ndarray
    acceptance_low: np.ndarray
    acceptance_high: np.ndarray
    threat0: np.ndarray
    threat0_low: np.ndarray
    threat0_high: np.ndarray
    withdrawals_per_person: float
    automatic_share: float
    pullback: float
    pullback_share: float
    longing: float
    deep_days: np.ndarray
    deep_q: np.ndarray
    behaviours: np.ndarray


def check_dataset(ds: xr.Dataset) -> None:
    """Raise the standard one-line error unless ``ds`` is a person-level simulate() result.

    Arguments:
        ds: the Dataset to check.
    """
    kind = ds.attrs.get("closeloop_kind") if isinstance(ds, xr.Dataset) else type(ds).__name__
    missing = [v for v in REQUIRED if not isinstance(ds, xr.Dataset) or v not in ds]
    if kind != "person" or missing:
        got = f"kind {kind!r}" + (f" without {', '.join(missing)}" if missing else "")
        raise InputError(
            "The 'ds' parameter of write_report must be a person- or couple-level Dataset "
            f"from closeloop.simulate. Got {got} instead."
        )


def acceptance_by_depth(ds: xr.Dataset, context: str = CONTEXT) -> np.ndarray:
    """Per person, the share of offers shared at each depth in one context.

    Arguments:
        ds: a simulate() Dataset.
        context: the relationship.

    Returns:
        (unit, K) float array, NaN where a person had no offer at that depth.
    """
    offers = ds["offers"].sel(context=context).sum("importance").values.astype(float)
    shares = ds["shares"].sel(context=context).sum("importance").values.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(offers > 0, shares / np.where(offers > 0, offers, 1.0), np.nan)


def pullback_depth(acc: np.ndarray, ratio: float = PULLBACK_RATIO) -> np.ndarray:
    """Per person, the first depth where acceptance falls below ``ratio`` x depth-0 acceptance.

    A depth with no offers cannot show a fall and is skipped. A person who never shared small
    talk (or was never offered it) has no baseline to fall from, so the depth is NaN for them.

    Arguments:
        acc: (unit, K) acceptance, as from ``acceptance_by_depth``.
        ratio: the share of depth-0 acceptance below which a depth counts as pulled back.

    Returns:
        (unit,) float array: the depth in [1, K), K when the person never pulls back, or NaN.

    Example:
        >>> pullback_depth(np.array([[0.9, 0.8, 0.4, 0.1, 0.0], [0.9] * 5]))
        array([2., 5.])
    """
    k = acc.shape[1]
    base = acc[:, 0]
    below = acc[:, 1:] < ratio * base[:, None]  # NaN compares False: skipped
    first = np.where(below.any(axis=1), below.argmax(axis=1) + 1, k).astype(float)
    return np.where(np.isfinite(base) & (base > 0), first, np.nan)


def withdrawal_forms(ds: xr.Dataset) -> np.ndarray:
    """(behaviour,) bool: every observable response except sharing, the forms withdrawal takes."""
    return np.asarray(ds["behaviour"].values != "shares")


def _profiles(ds: xr.Dataset) -> list[str]:
    # Shipped presets in their canonical order (secure first), then anything else by name.
    present = {str(p) for p in np.unique(ds["preset"].values)}
    return [p for p in PRESET_NAMES if p in present] + sorted(present - set(PRESET_NAMES))


def _deep_threat(g: xr.Dataset, deep: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    start = g["template0"].sel(context=CONTEXT).isel(depth=list(deep)).mean("depth").values
    later = g["threat_partner"].isel(depth=list(deep)).mean("depth").values  # (unit, month)
    series = np.column_stack([start, later]).astype(float)
    days = np.concatenate([[0.0], g["month"].values.astype(float)])
    return days, quiet(np.percentile, series, [25, 50, 75], axis=0)


def _one_profile(g: xr.Dataset, name: str) -> ProfileStats:
    k = g.sizes["depth"]
    acc = acceptance_by_depth(g)
    t0 = g["template0"].sel(context=CONTEXT).values.astype(float)
    offers = float(g["offers"].sel(context=CONTEXT).sum().values)
    shares = float(g["shares"].sel(context=CONTEXT).sum().values)
    withdrawals = offers - shares
    auto = float(g["automatic"].sel(context=CONTEXT).sum().values)
    pb = pullback_depth(acc)
    pb_known = pb[np.isfinite(pb)]
    forms = g["behaviour_count"].sum("unit").values.astype(float)[withdrawal_forms(g)]
    days, q = _deep_threat(g, range(max(k - DEEP, 0), k))
    n = g.sizes["unit"]
    return ProfileStats(
        name=name,
        n=n,
        acceptance=quiet(np.nanmean, acc, axis=0),
        acceptance_low=quiet(np.nanpercentile, acc, BAND[0], axis=0),
        acceptance_high=quiet(np.nanpercentile, acc, BAND[1], axis=0),
        threat0=t0.mean(axis=0),
        threat0_low=np.percentile(t0, BAND[0], axis=0),
        threat0_high=np.percentile(t0, BAND[1], axis=0),
        withdrawals_per_person=withdrawals / n,
        automatic_share=auto / withdrawals if withdrawals > 0 else float("nan"),
        pullback=float(statistics.median_low(pb_known)) if pb_known.size else float("nan"),
        pullback_share=float(np.mean(pb_known < k)) if pb_known.size else float("nan"),
        longing=float(g["mean_longing"].mean().values),
        deep_days=days,
        deep_q=q,
        behaviours=forms / forms.sum() if forms.sum() > 0 else np.full(forms.shape, np.nan),
    )


def profile_stats(ds: xr.Dataset) -> list[ProfileStats]:
    """The report's numbers, one entry per profile (``preset`` value) in the Dataset.

    Arguments:
        ds: a person-level simulate() Dataset.

    Returns:
        A list of ProfileStats, shipped presets first in their usual order.

    Example:
        >>> import closeloop as cl
        >>> ds = cl.simulate(cl.scenario("friends-and-partner").replace(days=30), n=8)
        >>> [s.name for s in profile_stats(ds)]
        ['secure', 'avoidant']
    """
    check_dataset(ds)
    groups = ds["preset"].values.astype(str)
    return [_one_profile(ds.isel(unit=groups == name), name) for name in _profiles(ds)]


def depth_names(ds: xr.Dataset) -> list[str]:
    """Names of the depths, from the Dataset's ``depth_name`` coordinate when it has one."""
    if "depth_name" in ds.coords:
        return [str(x) for x in ds["depth_name"].values]
    return list(DEPTH_NAMES[: ds.sizes["depth"]])


def _slug(name: str) -> str:
    return "_".join(name.lower().split())


def pullback_label(value: float, names: Sequence[str]) -> str:
    """A pull-back depth as words: the depth's name, "none" or "n/a" (not measurable)."""
    if not np.isfinite(value):
        return "n/a"
    return "none" if int(value) >= len(names) else names[int(value)]


def profiles_frame(stats: Sequence[ProfileStats], names: Sequence[str]) -> pd.DataFrame:
    """The per-profile table written to ``profiles.csv``.

    Arguments:
        stats: from ``profile_stats``.
        names: depth names.

    Returns:
        One row per profile: n, acceptance by depth with a partner, mean threat by depth at the
        start of adulthood, withdrawals per person, the automatic share, the median pull-back
        depth (index and name, or "none") and the mean unmet longing.
    """
    rows = []
    for s in stats:
        row: dict[str, Any] = {"profile": s.name, "n": s.n}
        row.update({f"acceptance_{_slug(d)}": a for d, a in zip(names, s.acceptance, strict=True)})
        row.update({f"threat_start_{_slug(d)}": t for d, t in zip(names, s.threat0, strict=True)})
        row["withdrawals_per_person"] = s.withdrawals_per_person
        row["automatic_share"] = s.automatic_share
        label = pullback_label(s.pullback, names)
        row["pullback_depth"] = str(int(s.pullback)) if label not in ("none", "n/a") else label
        row["pullback_depth_name"] = label
        row["pullback_share"] = s.pullback_share
        row["mean_longing"] = s.longing
        rows.append(row)
    return pd.DataFrame(rows).round(4)
