"""Effect sizes with 95% intervals: analytic where the sampling distribution is simple, percentile
bootstrap over people otherwise. All randomness comes from an explicit seed."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import stats

Z95 = float(stats.norm.ppf(0.975))
N_BOOT = 1000


def mean_ci(x: np.ndarray) -> tuple[float, float, float]:
    """Mean and its normal-approximation 95% interval."""
    x = np.asarray(x, dtype=np.float64)
    m = float(x.mean())
    se = float(x.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else 0.0
    return m, m - Z95 * se, m + Z95 * se


def diff_ci(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Difference of means a - b with a Welch 95% interval."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    d = float(a.mean() - b.mean())
    se = float(np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)))
    return d, d - Z95 * se, d + Z95 * se


def bootstrap_ci(
    statistic: Callable[..., float], *groups: np.ndarray, seed: int = 0, n_boot: int = N_BOOT
) -> tuple[float, float, float]:
    """Statistic of the groups and its percentile-bootstrap 95% interval.

    Each group (people in rows) is resampled with replacement independently.

    Example:
        >>> v, lo, hi = bootstrap_ci(lambda x: x.mean(), np.arange(100.0))
        >>> lo < v < hi
        True
    """
    rng = np.random.default_rng(seed)
    value = float(statistic(*groups))
    reps = np.empty(n_boot)
    for i in range(n_boot):
        reps[i] = statistic(*(g[rng.integers(0, len(g), len(g))] for g in groups))
    lo, hi = np.nanpercentile(reps, [2.5, 97.5])
    return value, float(lo), float(hi)


def ratio_of_sums(num: np.ndarray, den: np.ndarray) -> float:
    """Pooled share: sum(num) / sum(den) (e.g. automatic withdrawals / all withdrawals)."""
    d = float(np.sum(den))
    return float(np.sum(num)) / d if d > 0 else float("nan")
