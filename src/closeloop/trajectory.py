"""Trajectory classes of a couple's history, by documented thresholds on the last year.

The classes, tested in this order (the first that fits is the label):

- ``ended``: the relationship has ended.
- ``high-conflict``: over the last 12 months, at least ``HIGH_CONFLICT`` conflicts a month, most
  of them unrepaired.
- ``pursue-withdraw``: over the last 12 months, one member's mean pursuit is at least
  ``PURSUIT`` while the other declines at least ``DECLINE`` of the bids they receive.
- ``functional-but-empty``: low conflict (fewer than ``LOW_CONFLICT`` a month) and low intimacy
  (mean depth to which the two are known below ``DEEP``), with no pursue-withdraw loop (a
  pursuit whose bids are not turned away does not make a loop).
- ``deepening``: what is left: known to each other at depth ``DEEP`` or more, without high
  conflict or a pursue-withdraw loop.

Thresholds are stated on the scales of the model's state (see docs/model.md).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

CLASSES = ("deepening", "pursue-withdraw", "functional-but-empty", "high-conflict", "ended")
WINDOW = 12
"""Months the classification looks back over."""
HIGH_CONFLICT = 1.0
"""Conflicts a month for high conflict (about one every four weeks)."""
LOW_CONFLICT = 0.5
"""Conflicts a month below which a couple counts as low in conflict."""
PURSUIT = 0.25
"""Mean pursuit (0-1) that counts as pursuing."""
DECLINE = 0.3
"""Share of received bids declined that counts as withdrawing."""
DEEP = 3.0
"""Mean depth (of 0-5) to which the two are known that counts as intimate: past everyday
feelings, into fears and needs."""


def classify_arrays(
    ended: np.ndarray,
    conflicts: np.ndarray,
    repaired: np.ndarray,
    pursuit: np.ndarray,
    offered: np.ndarray,
    declined: np.ndarray,
    known: np.ndarray,
) -> np.ndarray:
    """Label couples from their last WINDOW months.

    Arguments (the last WINDOW months; ``couple`` first, ``member`` last where present):
        ended: (couple,) bool at the last month.
        conflicts, repaired: (couple, month) counts a month.
        pursuit: (couple, month, member) pursuit at month end.
        offered, declined: (couple, month, member) bids received and declined a month.
        known: (couple, month, member) depth to which each is known.

    Returns:
        (couple,) array of class names.
    """
    conf = conflicts.mean(axis=1)
    unrepaired = conflicts.sum(axis=1) - repaired.sum(axis=1)
    mostly_unrepaired = unrepaired > 0.5 * conflicts.sum(axis=1)
    purs = pursuit.mean(axis=1)  # (couple, member)
    decline = declined.sum(axis=1) / np.maximum(offered.sum(axis=1), 1.0)
    # One pursues while the other (the member opposite) declines.
    loop = ((purs >= PURSUIT) & (decline[:, ::-1] >= DECLINE)).any(axis=1)
    intimate = known.mean(axis=(1, 2)) >= DEEP
    label = np.where(
        ended,
        "ended",
        np.where(
            (conf >= HIGH_CONFLICT) & mostly_unrepaired,
            "high-conflict",
            np.where(
                loop,
                "pursue-withdraw",
                np.where((conf < LOW_CONFLICT) & ~intimate, "functional-but-empty", "deepening"),
            ),
        ),
    )
    # Moderate conflict without intimacy falls through to neither; call it by its intimacy.
    label = np.where((label == "deepening") & ~intimate, "functional-but-empty", label)
    return label.astype(object).astype(str)


def classify(ds: xr.Dataset, at_month: int | None = None) -> np.ndarray:
    """Label every couple of a couple Dataset by its last year (up to ``at_month``, exclusive
    index; default: the end of the run)."""
    end = ds.sizes["month"] if at_month is None else at_month
    sl = slice(max(0, end - WINDOW), end)

    def last(name: str) -> np.ndarray:
        # One variable at a time: selecting months of the whole Dataset cost every result
        # (and each of the explorer's runs) tens of milliseconds.
        return np.asarray(ds[name].isel(month=sl).values)

    return classify_arrays(
        ended=last("ended")[:, -1],
        conflicts=last("conflicts"),
        repaired=last("repaired"),
        pursuit=last("pursuit"),
        offered=last("offered"),
        declined=last("declined"),
        known=last("known"),
    )
