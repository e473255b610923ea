"""Measures more than one analysis computes, written once.

Not yet shared: ``closeloop.trajectory.classify`` and ``closeloop.claims.couple`` compute the
same share of bids turned away (declined / max(offered, 1)) with their own line; they could call
``turned_away_share`` when those modules are next changed. ``analysis.timeline.couple_series``
computes a different share on purpose: NaN where no bid was received, pooled over months.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np


def quiet(f: Callable[..., Any], *args: Any, **kwargs: Any) -> np.ndarray:
    """``f(*args, **kwargs)`` as a float array, without NumPy's all-NaN warnings.

    nan-aware reductions warn on all-NaN slices (a depth nobody was offered in a short run, a
    column no unit has a value in); NaN is the right answer there and the warning is noise.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(f(*args, **kwargs), dtype=float)


def turned_away_share(declined: np.ndarray, offered: np.ndarray) -> np.ndarray:
    """The share of the bids received that were turned away: ``declined / max(offered, 1)``.

    Zero (not NaN) where no bid was received: nothing was turned away.

    Example:
        >>> turned_away_share(np.array([1.0, 0.0]), np.array([4.0, 0.0]))
        array([0.25, 0.  ])
    """
    return declined / np.maximum(offered, 1.0)
