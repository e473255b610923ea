"""The couple population over time, and the example couple drawn over it.

``timeline(ds)`` gives the bands (percentiles across couples still together) of every monthly
series, the share ended and the trajectory classes month by month; ``example_couple(ds)`` picks
the couple the report tells the story of, by a fixed rule (``EXAMPLE_RULE``), and ``example``
gathers its series and dated events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from closeloop import trajectory
from closeloop.analysis.bands import class_labels, series_bands
from closeloop.analysis.couple_events import (
    MEMBER_KEYS,
    NAMES,
    CoupleFacts,
    couple_facts,
)
from closeloop.analysis.measures import turned_away_share
from closeloop.errors import InputError

COUPLE_REQUIRED = (
    "preset",
    "sat",
    "stability",
    "pursuit",
    "known",
    "offered",
    "declined",
    "offered_depth",
    "declined_depth",
    "ruptures",
    "ended",
    "conflicts",
    "repaired",
    "talks",
    "first_decline",
    "gave_up_day",
    "first_talk",
    "escalation",
    "end_day",
    "trajectory",
)
QUANTILES = (5, 25, 50, 75, 95)
"""Percentiles of the couple figures' bands: the middle 90% and 50% of couples, and the median."""
POOL = 5
"""Months (centred) over which the withdrawal share and the depths pool their bids."""
MIN_BIDS = 3
"""Bids a couple needs in the pooled window for its withdrawal share and depths to count."""
MIN_SHARE = 0.1
"""Share of the couples still together that must have a value at a month for its band to be
drawn (and written to timeline.csv)."""
SERIES = (
    "sat",
    "stability",
    "pursuit",
    "received",
    "withdrawal",
    "offered_depth",
    "declined_depth",
)
"""Per-member monthly series of the couple report (see ``couple_series``)."""
SERIES_VARS = ("ended", "offered", "declined", "offered_depth", "declined_depth", "ruptures")
"""The Dataset's variables ``couple_series`` reads besides those named in SERIES."""

EXAMPLE_RULE = (
    "its final pattern is the most common one in the run, and its satisfaction month by month "
    "(both partners) stays closest to that group's median path (ties go to the lower couple "
    "number)."
)
"""How the example couple is chosen (``example_couple``), in words."""
# Short labels of the example's events on the figures (kept with the events they name).
EVENT_LABELS = {
    "pullback": "{who} first pulls back",
    "escalation": "{who}'s pursuit escalates",
    "talk": "first 'where is this going' talk",
    "gave_up": "{who} gives up reaching",
    "also_gave_up": "{who} stops reaching too",
    "ended": "the relationship ends",
}


@dataclass(frozen=True, eq=False)
class Timeline:
    """The population over time, as the couple figures and ``timeline.csv`` show it.

    Attributes:
        days: (M,) day at the end of each month.
        years: (M,) the same in years.
        together: (M,) couples still together at the end of each month.
        ended_share: (M,) share of couples that have ended by then.
        bands: series key (``f"{name}_{member}"`` for SERIES, and "ruptures") -> (5, M) array of
            the QUANTILES across couples still together (NaN where fewer than ``MIN_SHARE`` of
            them have a value).
        class_index: (J,) month indices (0-based) at whose end the trajectory classes were taken
            (from the twelfth month on: the classifier looks back a year).
        class_shares: class -> (J,) share of all couples in it.
        final_shares: class -> share of couples in it at the end.
        withdrawer: the member (0 a, 1 b) who turned away the larger share of the bids they
            received, over all couples and months.
        members: (a, b) labels, e.g. ("A (avoidant)", "B (anxious)").
        presets: (a, b) the profile each member was drawn from, or "" for a mix.
    """

    days: np.ndarray
    years: np.ndarray
    together: np.ndarray
    ended_share: np.ndarray
    bands: dict[str, np.ndarray]
    class_index: np.ndarray
    class_shares: dict[str, np.ndarray]
    final_shares: dict[str, float]
    withdrawer: int
    members: tuple[str, str]
    presets: tuple[str, str]


@dataclass(frozen=True, eq=False)
class Example:
    """The example couple drawn over the bands.

    Attributes:
        couple: its index.
        series: the same keys as ``Timeline.bands`` -> (M,) its values (NaN once it has ended).
        events: (years, month, label) of its key events, in order.
        facts: its story facts.
    """

    couple: int
    series: dict[str, np.ndarray]
    events: list[tuple[float, int, str]]
    facts: CoupleFacts


def check_couple_dataset(ds: xr.Dataset) -> None:
    """Raise the standard one-line error unless ``ds`` is a couple-level simulate() result."""
    missing = [v for v in COUPLE_REQUIRED if v not in ds]
    if missing or ds.attrs.get("closeloop_kind") != "couple":
        raise InputError(
            "The 'ds' parameter of write_report must be a Dataset from closeloop.simulate. Got "
            f"a couple Dataset without {', '.join(missing)} instead."
        )


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = num.astype(float)
    den = den.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def pool_months(x: np.ndarray, width: int = POOL) -> np.ndarray:
    """Sum monthly counts over ``width`` months centred on each month (axis 1), with the window
    cut short at the ends of the run.

    Example:
        >>> pool_months(np.array([[1.0, 2.0, 3.0, 4.0]]), width=3)
        array([[3., 6., 9., 7.]])
    """
    half = width // 2
    c = np.cumsum(x, axis=1)
    c = np.concatenate([np.zeros_like(c[:, :1]), c], axis=1)
    n = x.shape[1]
    hi = np.minimum(np.arange(n) + half + 1, n)
    lo = np.maximum(np.arange(n) - half, 0)
    return c[:, hi] - c[:, lo]


def couple_series(ds: xr.Dataset, names: tuple[str, ...] = SERIES) -> dict[str, np.ndarray]:
    """Every couple's monthly series, NaN once the couple has ended.

    Keys ``f"{name}_{member}"`` for each name in SERIES and member in ("a", "b"):
    ``sat`` and ``stability`` (0-1, at the end of the month), ``pursuit`` (0-1), ``received``
    (bids the member received from the other that month), ``withdrawal`` (share of the other's
    bids the member turned away), ``offered_depth`` (mean depth of the bids the member received,
    0-4) and ``declined_depth`` (mean depth of those the member turned away); and ``ruptures``
    (unrepaired ruptures on the books). The last three pool the bids of the ``POOL`` months
    centred on each month while the couple was together, since a single month holds only a few
    bids; with fewer than ``MIN_BIDS`` bids in the window (or, for the depth turned away, none
    turned away) they are NaN.

    Arguments:
        ds: a couple-level Dataset.
        names: the SERIES to compute (the explorer draws a few); "ruptures" comes only with
            all of them.

    Returns:
        Key -> (couple, month) float array.
    """
    together = ~ds["ended"].values.astype(bool)
    live = together[..., None]

    def pooled(name: str) -> np.ndarray:
        return pool_months(np.where(live, ds[name].values.astype(float), 0.0))

    bids: dict[str, np.ndarray] = {}

    def pooled_bids(name: str) -> np.ndarray:  # pooled once, only if a series needs it
        if name not in bids:
            bids[name] = pooled(name)
        return bids[name]

    def series(name: str) -> np.ndarray:
        if name in ("sat", "stability", "pursuit"):
            return ds[name].values.astype(float)
        if name == "received":
            return ds["offered"].values.astype(float)
        offered, declined = pooled_bids("offered"), pooled_bids("declined")
        enough = offered >= MIN_BIDS
        if name == "withdrawal":
            return np.where(enough, _ratio(declined, offered), np.nan)
        if name == "offered_depth":
            return np.where(enough, _ratio(pooled("offered_depth"), offered), np.nan)
        deep = _ratio(pooled("declined_depth"), declined)
        return np.where(enough & (declined > 0), deep, np.nan)

    out: dict[str, np.ndarray] = {}
    for name in (n for n in SERIES if n in names):
        values = series(name)
        for m, key in enumerate(MEMBER_KEYS):
            out[f"{name}_{key}"] = np.where(together, values[..., m], np.nan)
    if set(names) >= set(SERIES):
        out["ruptures"] = np.where(together, ds["ruptures"].values.astype(float), np.nan)
    return out


def population_withdrawer(ds: xr.Dataset) -> int:
    """The member (0 a, 1 b) who turned away the larger share of bids over all couples."""
    offered = ds["offered"].values.sum(axis=(0, 1)).astype(float)
    declined = ds["declined"].values.sum(axis=(0, 1)).astype(float)
    share = turned_away_share(declined, offered)
    return int(share[1] > share[0])


def _member_presets(ds: xr.Dataset) -> tuple[str, str]:
    out = []
    for m in range(2):
        names = np.unique(ds["preset"].values[:, m].astype(str))
        out.append(str(names[0]) if len(names) == 1 else "")
    return out[0], out[1]


def timeline(ds: xr.Dataset) -> Timeline:
    """The population bands, the share ended and the trajectory classes over time.

    Arguments:
        ds: a couple-level Dataset.

    Returns:
        Its Timeline.
    """
    check_couple_dataset(ds)
    days = ds["month"].values.astype(float)
    months = days.size
    together = ~ds["ended"].values.astype(bool)
    series = couple_series(ds)
    # A band is drawn only where enough of the couples still together have a value: late in a
    # run, a depth or a withdrawal share may rest on the few couples who still bid at all.
    bands = series_bands(series, together, QUANTILES, MIN_SHARE)
    index = np.arange(trajectory.WINDOW - 1, months)
    labels = class_labels(ds, index)
    final = ds["trajectory"].values.astype(str)
    presets = _member_presets(ds)
    members = tuple(f"{name} ({p})" if p else name for name, p in zip(NAMES, presets, strict=True))
    return Timeline(
        days=days,
        years=days / 365.25,
        together=together.sum(axis=0),
        ended_share=1.0 - together.mean(axis=0),
        bands=bands,
        class_index=index,
        class_shares={c: (labels == c).mean(axis=0) for c in trajectory.CLASSES},
        final_shares={c: float(np.mean(final == c)) for c in trajectory.CLASSES},
        withdrawer=population_withdrawer(ds),
        members=(members[0], members[1]),
        presets=presets,
    )


def example_couple(ds: xr.Dataset) -> int:
    """The couple the report tells the story of and draws over the bands.

    The rule (``EXAMPLE_RULE``): among the couples whose final trajectory class is the most
    common one (ties between classes go to the first in ``trajectory.CLASSES``), the one whose
    satisfaction path, both partners month by month, has the smallest root-mean-square distance
    to the class's median path; ties go to the lower couple number. Deterministic: the same
    Dataset always gives the same couple.

    Arguments:
        ds: a couple-level Dataset.

    Returns:
        The couple's index.
    """
    traj = ds["trajectory"].values.astype(str)
    names, counts = np.unique(traj, return_counts=True)
    rank = {c: i for i, c in enumerate(trajectory.CLASSES)}
    top = min(zip(names, counts, strict=True), key=lambda x: (-x[1], rank.get(x[0], 99), x[0]))[0]
    idx = np.flatnonzero(traj == top)
    sat = ds["sat"].values[idx].astype(float)  # (k, month, member)
    median = np.median(sat, axis=0)
    dist = np.sqrt(np.mean((sat - median) ** 2, axis=(1, 2)))
    return int(idx[int(np.argmin(dist))])


def example(ds: xr.Dataset, couple: int) -> Example:
    """The example couple's series, dated events and story facts."""
    facts = couple_facts(ds, couple)
    # Only the variables it reads: selecting one couple of the whole Dataset is slow.
    one = ds[[v for v in (*SERIES_VARS, *SERIES) if v in ds]].isel(couple=[couple])
    series = {k: v[0] for k, v in couple_series(one).items()}
    events = [
        (e.day / 365.25, e.month, EVENT_LABELS[e.kind].format(who=NAMES[e.member]))
        for e in facts.events()
    ]
    return Example(couple=couple, series=series, events=events, facts=facts)


def timeline_frame(tl: Timeline, ex: Example | None = None) -> pd.DataFrame:
    """The table written to ``timeline.csv``: one row per month.

    Columns: month (1-based), day, years, couples still together, share ended; for every series
    its percentiles across couples still together (``{key}_p05`` ... ``{key}_p95``, ``_p50``
    being the median); the share of all couples in each trajectory class (``class_{name}``,
    empty before the twelfth month); and the example couple's values (``example_{key}``).
    """
    data: dict[str, Any] = {
        "month": np.arange(1, tl.days.size + 1),
        "day": tl.days.astype(int),
        "years": tl.years,
        "together": tl.together,
        "share_ended": tl.ended_share,
    }
    for key, q in tl.bands.items():
        for i, p in enumerate(QUANTILES):
            data[f"{key}_p{p:02d}"] = q[i]
    for c, shares in tl.class_shares.items():
        col = np.full(tl.days.size, np.nan)
        col[tl.class_index] = shares
        data[f"class_{c}"] = col
    if ex is not None:
        for key, v in ex.series.items():
            data[f"example_{key}"] = v
    return pd.DataFrame(data).round(5)
