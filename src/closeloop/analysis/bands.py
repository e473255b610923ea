"""Percentile bands across a population and trajectory classes month by month, from NumPy
arrays: the pieces the report's timeline (``analysis.timeline``) and the explorer's page share.

Both once worked through slower paths: ``np.nanpercentile``, which falls back to a column-by-
column loop once any value is NaN, and a Dataset selection per month for the classes. The
functions here give the same numbers bit for bit (``tests/test_explore_api.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import xarray as xr

from closeloop import trajectory

# The monthly variables the trajectory classifier reads (``trajectory.classify_arrays``).
CLASS_VARS = ("ended", "conflicts", "repaired", "pursuit", "offered", "declined", "known")


def nan_percentiles(v: np.ndarray, qs: Iterable[float]) -> np.ndarray:
    """``np.nanpercentile(v, qs, axis=0)`` (linear method, the same interpolation bit for bit)
    by one sort, for a 2-D ``v``.

    Example:
        >>> nan_percentiles(np.array([[1.0, np.nan], [3.0, 2.0]]), (50,))
        array([[2., 2.]])
    """
    qs = tuple(qs)
    s = np.sort(v, axis=0)  # NaN sorts last
    k = np.isfinite(v).sum(axis=0)
    cols = np.arange(v.shape[1])
    out = np.full((len(qs), v.shape[1]), np.nan)
    top = np.maximum(k - 1, 0)
    for i, q in enumerate(qs):
        pos = q / 100 * top
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, top)
        t = pos - lo
        a, b = s[lo, cols], s[hi, cols]
        d = b - a
        # NumPy's lerp: from below under one half, from above at and over it.
        val = np.where(t >= 0.5, b - d * (1 - t), a + d * t)
        out[i] = np.where(k > 0, val, np.nan)
    return out


def series_bands(
    series: Mapping[str, np.ndarray],
    together: np.ndarray,
    qs: Iterable[float],
    min_share: float,
    keys: Iterable[str] | None = None,
) -> dict[str, np.ndarray]:
    """Percentiles across units of each (unit, month) series, NaN at months where fewer than
    ``min_share`` of the units still together (at least one) have a value.

    Arguments:
        series: key -> (unit, month) float array, NaN where a unit has no value.
        together: (unit, month) bool, the units still together.
        qs: the percentiles.
        min_share: the share of units still together a band needs at a month.
        keys: the series to compute (default: all, in order).

    Returns:
        Key -> (len(qs), month) array.
    """
    qs = tuple(qs)
    need = np.maximum(min_share * together.sum(axis=0), 1)
    out = {}
    for k in series if keys is None else keys:
        v = series[k]
        ok = np.isfinite(v).sum(axis=0) >= need
        out[k] = np.where(ok, nan_percentiles(v, qs), np.nan)
    return out


def class_labels(ds: xr.Dataset, index: np.ndarray) -> np.ndarray:
    """The trajectory class of every couple at the end of each month in ``index`` (0-based),
    as ``trajectory.classify(ds, at_month=j + 1)`` gives it, from NumPy slices.

    Returns:
        (couple, len(index)) array of class names.
    """
    arrays = {v: np.moveaxis(ds[v].values, ds[v].dims.index("month"), 1) for v in CLASS_VARS}
    if not len(index):
        return np.empty((ds.sizes["couple"], 0), dtype=str)
    labels = [
        trajectory.classify_arrays(
            ended=arrays["ended"][:, j],
            **{
                k: a[:, max(0, j + 1 - trajectory.WINDOW) : j + 1]
                for k, a in arrays.items()
                if k != "ended"
            },
        )
        for j in (int(x) for x in index)
    ]
    return np.stack(labels, axis=1)
