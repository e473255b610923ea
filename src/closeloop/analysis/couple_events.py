"""Facts of couple runs: one couple's story facts, the population's, and the per-couple table.

``couple_facts(ds, i)`` reads one couple of a couple-level Dataset into a frozen ``CoupleFacts``
(who pulled back and who reached, the days of the key events, the state at those moments);
``population_facts(ds)`` does the same for the whole population (``PopulationFacts``). Who is
"the one who pulls back" is read from the data (who turned away more of the other's bids; ties
go to the one who pursued less), never assumed from the labels a and b.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from closeloop.analysis.measures import turned_away_share
from closeloop.trajectory import CLASSES, DECLINE, PURSUIT

MONTH_DAYS = 30
"""Days in a story month: the Dataset's monthly blocks are 30 days, so month m covers days
30 (m - 1) to 30 m - 1 and its state is the one recorded at the end of that block."""
ESCALATION = 0.5
"""Pursuit (0-1) at which the engine records escalation."""
PULLBACK_DEPTH = 2
"""The engine records a first pull-back when a bid at this depth or deeper is turned away."""
NAMES = ("A", "B")
"""How the story names member a and member b."""
MEMBER_KEYS = ("a", "b")
"""How files and series keys name member a and member b."""
CLASS_WORDS = {
    "deepening": "growing closer",
    "pursue-withdraw": "still caught in the reach-and-retreat cycle",
    "functional-but-empty": "together and calm but not close (functional but empty)",
    "high-conflict": "in frequent conflict that was seldom repaired",
    "ended": "no longer together",
}
"""Plain words for each trajectory class (``closeloop.trajectory.CLASSES``)."""
EVENT_KINDS = ("pullback", "escalation", "talk", "gave_up", "also_gave_up", "ended")
"""The dated events a story can hold, in the order used to break ties on the same day."""


@dataclass(frozen=True)
class Event:
    """One dated event in a couple's story.

    Attributes:
        kind: one of ``EVENT_KINDS``.
        day: day of the relationship on which it happened (0 is the first day).
        member: index (0 for A, 1 for B) of the partner it is about.
    """

    kind: str
    day: int
    member: int

    @property
    def month(self) -> int:
        """The month of the relationship (1-based) the day falls in."""
        return month_of(self.day)


@dataclass(frozen=True)
class CoupleFacts:
    """What the story of one couple is told from. Per-member pairs are (A, B).

    Attributes:
        couple: index of the couple in the Dataset.
        presets: the profile each partner was drawn from.
        withdrawer, reacher: index of the partner who turned away more of the other's bids, and
            of the other one.
        clear: whether the roles were clear: the withdrawer turned away at least ``DECLINE`` of
            the bids they received and the reacher's pursuit reached ``PURSUIT``.
        decline_share: share of the other's bids each turned away over the whole relationship.
        peak_pursuit: highest monthly pursuit of each (0-1).
        first_decline, gave_up_day: day each first turned away a deeper bid, and first stopped
            reaching (-1: never).
        first_talk, escalation, end_day: day of the first "where is this going" talk, of the
            first time a partner's pursuit reached ``ESCALATION``, and of the ending (-1: never).
        escalator: who was pursuing more in the month of escalation.
        talker: who was pursuing more in the month of the first talk (the one who raised it).
        talks: how many such talks there were in all.
        days: length of the run in days.
        months: number of months recorded.
        trajectory: the couple's final trajectory class.
        cycle: (first, last) month (1-based) in which one partner pursued at least ``PURSUIT``
            while the other turned away at least ``DECLINE`` of their bids; None if never.
        gave_up_sat: the reacher's satisfaction at the end of the month they gave up (NaN if
            they never did).
        gave_up_stability: the withdrawer's felt stability at the end of that month (NaN if not).
        end_stability: the withdrawer's felt stability at the end of the month of the ending
            (NaN if the couple did not end).
        final_sat, final_stability: each partner's satisfaction and felt stability at the last
            month (for a couple that ended: as they were when it ended).
        final_known: mean depth (0 to 5 depth levels) to which the two knew each other at the
            end.
    """

    couple: int
    presets: tuple[str, str]
    withdrawer: int
    reacher: int
    clear: bool
    decline_share: tuple[float, float]
    peak_pursuit: tuple[float, float]
    first_decline: tuple[int, int]
    gave_up_day: tuple[int, int]
    first_talk: int
    escalation: int
    end_day: int
    escalator: int
    talker: int
    talks: int
    days: int
    months: int
    trajectory: str
    cycle: tuple[int, int] | None
    gave_up_sat: float
    gave_up_stability: float
    end_stability: float
    final_sat: tuple[float, float]
    final_stability: tuple[float, float]
    final_known: float

    def events(self) -> list[Event]:
        """The dated events that happened, in order (ties in ``EVENT_KINDS`` order).

        The withdrawer's first pull-back, escalation, the first talk, the reacher giving up,
        the withdrawer also giving up, and the ending; events that never happened are left out.
        """
        w, r = self.withdrawer, self.reacher
        candidates = [
            Event("pullback", self.first_decline[w], w),
            Event("escalation", self.escalation, self.escalator),
            Event("talk", self.first_talk, self.talker),
            Event("gave_up", self.gave_up_day[r], r),
            Event("also_gave_up", self.gave_up_day[w], w),
            Event("ended", self.end_day, w),
        ]
        happened = [e for e in candidates if e.day >= 0]
        return sorted(happened, key=lambda e: (e.day, EVENT_KINDS.index(e.kind)))


@dataclass(frozen=True)
class PopulationFacts:
    """What the population paragraph is told from.

    Attributes:
        n: couples.
        days: length of the run in days.
        profiles: each member's profiles, the most common first (one name, or a mix).
        shares: final trajectory class -> share of couples, in ``CLASSES`` order.
        cycle_share: share of couples in which the reach-and-retreat cycle showed at all.
        cycle_months: median number of months from the first month it showed to the last, among
            those couples (NaN if none).
        gave_up_share: share of couples in which the partner who reached more gave up reaching.
        gave_up_month: median month in which they did (NaN if none).
        ended_share: share of couples that ended; ended_month: median month of the ending.
        pullback_share: share of couples in which the partner who pulled back turned away a
            deeper bid at all; pullback_month: median month of the first time.
    """

    n: int
    days: int
    profiles: tuple[tuple[str, ...], tuple[str, ...]]
    shares: dict[str, float]
    cycle_share: float
    cycle_months: float
    gave_up_share: float
    gave_up_month: float
    ended_share: float
    ended_month: float
    pullback_share: float
    pullback_month: float


def month_of(day: int) -> int:
    """The month of the relationship (1-based) in which a day (0-based) falls.

    Example:
        >>> month_of(0), month_of(29), month_of(30)
        (1, 1, 2)
    """
    return int(day) // MONTH_DAYS + 1


def decline_shares(ds: xr.Dataset) -> np.ndarray:
    """(couple, member) share of the other's bids each member turned away over the run."""
    offered = ds["offered"].values.sum(axis=1).astype(float)
    declined = ds["declined"].values.sum(axis=1).astype(float)
    return turned_away_share(declined, offered)


def withdrawers(ds: xr.Dataset) -> np.ndarray:
    """(couple,) index of the member who turned away more of the other's bids.

    Ties (for instance, neither turned any away) go to the member who pursued less on average,
    then to member a.
    """
    share = decline_shares(ds)
    pursuit = ds["pursuit"].values.mean(axis=1)
    by_pursuit = np.where(pursuit[:, 0] <= pursuit[:, 1], 0, 1)
    return np.where(
        share[:, 0] > share[:, 1], 0, np.where(share[:, 1] > share[:, 0], 1, by_pursuit)
    ).astype(int)


def cycle_months(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Per couple, the first and last month (1-based; 0 if never) of the reach-and-retreat cycle.

    A month counts when, while the couple is still together, one partner's pursuit at its end
    is at least ``trajectory.PURSUIT`` and the other turned away at least ``trajectory.DECLINE``
    of the bids they received in it (the thresholds of the pursue-withdraw class).
    """
    offered = ds["offered"].values.astype(float)
    ratio = turned_away_share(ds["declined"].values, offered)
    pursuit = ds["pursuit"].values
    together = ~ds["ended"].values.astype(bool)
    loop = ((pursuit >= PURSUIT) & (ratio[..., ::-1] >= DECLINE)).any(axis=-1) & together
    ever = loop.any(axis=1)
    first = np.where(ever, loop.argmax(axis=1) + 1, 0)
    last = np.where(ever, loop.shape[1] - loop[:, ::-1].argmax(axis=1), 0)
    return first, last


def _block(day: int, months: int) -> int:
    return min(max(int(day), 0) // MONTH_DAYS, months - 1)


def _more_pursuing(pursuit: np.ndarray, day: int, fallback: int) -> int:
    # pursuit: (month, member) of one couple.
    if day < 0:
        return fallback
    p = pursuit[_block(day, pursuit.shape[0])]
    return fallback if p[0] == p[1] else int(np.argmax(p))


_SERIES = ("preset", "offered", "declined", "pursuit", "ended", "sat", "stability", "known")
_DAYS = ("gave_up_day", "end_day", "first_decline", "first_talk", "escalation", "talks")
FACT_VARS = (*_SERIES, *_DAYS, "trajectory")
"""The variables ``couple_facts`` reads."""


def couple_facts(ds: xr.Dataset, couple: int) -> CoupleFacts:
    """The facts of one couple's story.

    Arguments:
        ds: a couple-level Dataset from ``closeloop.simulate``.
        couple: the couple's index.

    Returns:
        Its CoupleFacts.
    """
    # Only the variables the facts read: selecting one couple of the whole Dataset cost the
    # explorer tens of milliseconds a run.
    one = ds[[v for v in FACT_VARS if v in ds]].isel(couple=[couple])
    c = one.isel(couple=0)
    share = decline_shares(one)[0]
    w = int(withdrawers(one)[0])
    r = 1 - w
    pursuit = c["pursuit"].values.astype(float)
    months = pursuit.shape[0]
    peak = pursuit.max(axis=0)
    sat = c["sat"].values.astype(float)
    stab = c["stability"].values.astype(float)
    gave = c["gave_up_day"].values.astype(int)
    end = int(c["end_day"])
    first, last = cycle_months(one)
    nan = float("nan")
    return CoupleFacts(
        couple=int(couple),
        presets=(str(c["preset"].values[0]), str(c["preset"].values[1])),
        withdrawer=w,
        reacher=r,
        clear=bool(share[w] >= DECLINE and peak[r] >= PURSUIT),
        decline_share=(float(share[0]), float(share[1])),
        peak_pursuit=(float(peak[0]), float(peak[1])),
        first_decline=(int(c["first_decline"].values[0]), int(c["first_decline"].values[1])),
        gave_up_day=(int(gave[0]), int(gave[1])),
        first_talk=int(c["first_talk"]),
        escalation=int(c["escalation"]),
        end_day=end,
        escalator=_more_pursuing(pursuit, int(c["escalation"]), r),
        talker=_more_pursuing(pursuit, int(c["first_talk"]), r),
        talks=round(float(c["talks"].sum())),
        days=int(ds["month"].values[-1]),
        months=months,
        trajectory=str(c["trajectory"].values),
        cycle=(int(first[0]), int(last[0])) if first[0] > 0 else None,
        gave_up_sat=float(sat[_block(gave[r], months), r]) if gave[r] >= 0 else nan,
        gave_up_stability=float(stab[_block(gave[r], months), w]) if gave[r] >= 0 else nan,
        end_stability=float(stab[_block(end, months), w]) if end >= 0 else nan,
        final_sat=(float(sat[-1, 0]), float(sat[-1, 1])),
        final_stability=(float(stab[-1, 0]), float(stab[-1, 1])),
        final_known=float(c["known"].values[-1].mean()),
    )


def member_profiles(ds: xr.Dataset, member: int) -> tuple[str, ...]:
    """The profiles a member of the population was drawn from, the most common first."""
    names, counts = np.unique(ds["preset"].values[:, member].astype(str), return_counts=True)
    return tuple(str(names[i]) for i in np.argsort(-counts, kind="stable"))


def _median(x: np.ndarray) -> float:
    return float(np.median(x)) if x.size else float("nan")


def population_facts(ds: xr.Dataset) -> PopulationFacts:
    """The facts of the population paragraph.

    Arguments:
        ds: a couple-level Dataset from ``closeloop.simulate``.

    Returns:
        Its PopulationFacts.
    """
    n = ds.sizes["couple"]
    traj = ds["trajectory"].values.astype(str)
    w = withdrawers(ds)
    rows = np.arange(n)
    gave = ds["gave_up_day"].values[rows, 1 - w]
    pull = ds["first_decline"].values[rows, w]
    end = ds["end_day"].values
    first, last = cycle_months(ds)
    had = first > 0
    to_month = np.vectorize(month_of, otypes=[float])
    return PopulationFacts(
        n=n,
        days=int(ds["month"].values[-1]),
        profiles=(member_profiles(ds, 0), member_profiles(ds, 1)),
        shares={k: float(np.mean(traj == k)) for k in CLASSES},
        cycle_share=float(had.mean()),
        cycle_months=_median((last - first + 1)[had].astype(float)),
        gave_up_share=float(np.mean(gave >= 0)),
        gave_up_month=_median(to_month(gave[gave >= 0])) if (gave >= 0).any() else float("nan"),
        ended_share=float(np.mean(end >= 0)),
        ended_month=_median(to_month(end[end >= 0])) if (end >= 0).any() else float("nan"),
        pullback_share=float(np.mean(pull >= 0)),
        pullback_month=_median(to_month(pull[pull >= 0])) if (pull >= 0).any() else float("nan"),
    )


def couples_frame(ds: xr.Dataset, example_index: int | None = None) -> pd.DataFrame:
    """The table written to ``couples.csv``: one row per couple.

    Columns: couple; each member's profile; the final trajectory class; who pulled back more and
    who reached (by the story's rule, ``withdrawers``); each member's share of bids turned
    away and peak pursuit; event days (empty if the event never happened): each member's first
    pull-back and giving up, the first talk, escalation and the ending; the first and last month
    of the reach-and-retreat cycle and its length in months; each member's final satisfaction
    and felt stability (as they were at the ending for a couple that ended); the final mean
    depth known; conflicts, repaired conflicts and talks in all; the final unrepaired ruptures;
    and whether it is the report's example couple.
    """
    n = ds.sizes["couple"]
    w = withdrawers(ds)
    share = decline_shares(ds)
    peak = ds["pursuit"].values.max(axis=1)
    first, last = cycle_months(ds)

    def days(x: np.ndarray) -> pd.Series:
        return pd.Series(pd.array(x, dtype="Int64")).mask(x < 0)

    data: dict[str, Any] = {
        "couple": np.arange(n),
        "preset_a": ds["preset"].values[:, 0].astype(str),
        "preset_b": ds["preset"].values[:, 1].astype(str),
        "trajectory": ds["trajectory"].values.astype(str),
        "pulls_back": np.array(MEMBER_KEYS)[w],
        "reaches": np.array(MEMBER_KEYS)[1 - w],
    }
    for m, key in enumerate(MEMBER_KEYS):
        data[f"declined_share_{key}"] = share[:, m]
        data[f"peak_pursuit_{key}"] = peak[:, m]
    for m, key in enumerate(MEMBER_KEYS):
        data[f"first_pullback_day_{key}"] = days(ds["first_decline"].values[:, m])
    for m, key in enumerate(MEMBER_KEYS):
        data[f"gave_up_day_{key}"] = days(ds["gave_up_day"].values[:, m])
    data["first_talk_day"] = days(ds["first_talk"].values)
    data["escalation_day"] = days(ds["escalation"].values)
    data["end_day"] = days(ds["end_day"].values)
    data["cycle_first_month"] = days(np.where(first > 0, first, -1))
    data["cycle_last_month"] = days(np.where(first > 0, last, -1))
    data["cycle_months"] = np.where(first > 0, last - first + 1, 0)
    for m, key in enumerate(MEMBER_KEYS):
        data[f"final_sat_{key}"] = ds["sat"].values[:, -1, m]
    for m, key in enumerate(MEMBER_KEYS):
        data[f"final_stability_{key}"] = ds["stability"].values[:, -1, m]
    data["final_known"] = ds["known"].values[:, -1].mean(axis=-1)
    data["conflicts"] = ds["conflicts"].values.sum(axis=1).astype(int)
    data["repaired"] = ds["repaired"].values.sum(axis=1).astype(int)
    data["talks"] = ds["talks"].values.sum(axis=1).astype(int)
    data["final_ruptures"] = ds["ruptures"].values[:, -1]
    data["example"] = np.arange(n) == (-1 if example_index is None else example_index)
    return pd.DataFrame(data).round(4)
