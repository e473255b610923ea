"""A person population over time: felt threat by depth with a partner, and the pull-back point,
month by month from the start of adulthood; and the example person drawn over the bands.

The pull-back point is where the automatic route's drive reaches the alarm threshold: the first
depth at which felt threat, plus the avoidance habit's pull there, is at least the person's
``threshold``, without pressure (docs/model.md 6.1 and 6.2). There the fast route closes the
door at least half of the time. It is the number of depths (``K``) when no depth reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from closeloop.analysis.profiles import CONTEXT, DEEP, acceptance_by_depth

EXAMPLE_RULE = (
    "they come from the run's most common profile, and their felt threat at the deepest levels, "
    "month by month, stays closest to that profile's median path (ties go to the lower number)."
)
"""How the example person is chosen (``example_person``), in words."""


@dataclass(frozen=True, eq=False)
class PersonTimeline:
    """Per-person series over the run, starting at the start of adulthood (day 0).

    Attributes:
        days: (T,) day of each point: 0, then the end of each month.
        threat: (unit, T, K) felt threat with a partner by depth.
        pullback: (unit, T) the pull-back point (a depth index; K: none).
        deep: (unit, T) felt threat averaged over the ``DEEP`` deepest depths.
        threshold: (unit,) each person's alarm threshold.
        acceptance: (unit, K) share of a partner's offers taken up, by depth (NaN: none offered).
        offers: (unit, K) a partner's offers received, by depth.
        profiles: (unit,) each person's profile.
        automatic: whether the automatic route was on (``automatic_route`` not switched off).
    """

    days: np.ndarray
    threat: np.ndarray
    pullback: np.ndarray
    deep: np.ndarray
    threshold: np.ndarray
    acceptance: np.ndarray
    offers: np.ndarray
    profiles: np.ndarray
    automatic: bool = True


def _trait(ds: xr.Dataset, name: str) -> np.ndarray:
    params = [str(x) for x in ds["param"].values]
    return ds["traits"].values[:, params.index(name)].astype(float)


def pullback_points(
    threat: np.ndarray, habit: np.ndarray, threshold: np.ndarray, weight: np.ndarray
) -> np.ndarray:
    """The first depth (last axis) where ``threat + weight * habit >= threshold``, or K.

    Arguments:
        threat, habit: (unit, ..., K).
        threshold, weight: (unit,).

    Example:
        >>> pullback_points(np.array([[0.1, 0.5, 0.9]]), np.zeros((1, 3)), np.array([0.4]),
        ...                 np.array([0.25]))
        array([1])
    """
    extra = (None,) * (threat.ndim - 1)
    drive = threat + weight[(slice(None), *extra)] * habit
    over = drive >= threshold[(slice(None), *extra)]
    k = threat.shape[-1]
    return np.where(over.any(axis=-1), over.argmax(axis=-1), k)


def person_timeline(ds: xr.Dataset) -> PersonTimeline:
    """The population's series, from a person-level simulate() Dataset."""
    t0 = ds["template0"].sel(context=CONTEXT).values.astype(float)  # (unit, K)
    threat = np.concatenate([t0[:, None], ds["threat_partner"].values.astype(float)], axis=1)
    habit = np.concatenate(
        [ds["habit0"].values[:, None].astype(float), ds["habit_t"].values.astype(float)], axis=1
    )
    off = {x for x in str(ds.attrs.get("ablate", "")).split(",") if x}
    # With the automatic route switched off nothing closes the door fast: no pull-back point.
    threshold = _trait(ds, "threshold")
    weight = _trait(ds, "habit_weight") * float("relief_habit" not in off)
    if "automatic_route" in off:
        threshold = np.full_like(threshold, np.inf)
    k = threat.shape[-1]
    acc = acceptance_by_depth(ds)
    offers = ds["offers"].sel(context=CONTEXT).sum("importance").values.astype(float)
    return PersonTimeline(
        days=np.concatenate([[0.0], ds["month"].values.astype(float)]),
        threat=threat,
        pullback=pullback_points(threat, habit, threshold, weight),
        deep=threat[:, :, max(k - DEEP, 0) :].mean(axis=2),
        threshold=_trait(ds, "threshold"),
        acceptance=acc,
        offers=offers,
        profiles=ds["preset"].values.astype(str),
        automatic="automatic_route" not in off,
    )


def example_person(pt: PersonTimeline) -> int:
    """The person the page tells the story of, by ``EXAMPLE_RULE``. Deterministic."""
    names, counts = np.unique(pt.profiles, return_counts=True)
    top = names[np.lexsort((names, -counts))[0]]
    idx = np.flatnonzero(pt.profiles == top)
    median = np.median(pt.deep[idx], axis=0)
    dist = np.sqrt(np.mean((pt.deep[idx] - median) ** 2, axis=1))
    return int(idx[int(np.argmin(dist))])
