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
    if np.isnan(reps).all():  # an undefined statistic (e.g. a mechanism ablated): no interval
        return value, float("nan"), float("nan")
    lo, hi = np.nanpercentile(reps, [2.5, 97.5])
    return value, float(lo), float(hi)


def ratio_of_sums(num: np.ndarray, den: np.ndarray) -> float:
    """Pooled share: sum(num) / sum(den) (e.g. automatic withdrawals / all withdrawals)."""
    d = float(np.sum(den))
    return float(np.sum(num)) / d if d > 0 else float("nan")


def logit_odds_ratio(
    y: np.ndarray, X: np.ndarray, groups: np.ndarray
) -> tuple[float, float, float]:
    """Odds ratio per standard deviation of the first column of ``X`` in a logistic regression of
    the 0/1 outcome ``y`` on [1, X], with a 95% interval from cluster-robust standard errors
    (``groups``: one cluster per couple or person; Liang & Zeger 1986, Longitudinal data analysis
    using generalized linear models). NaN when the fit is impossible (no variation).

    Example:
        >>> rng = np.random.default_rng(0)
        >>> x = rng.normal(size=(2000, 1))
        >>> y = (rng.random(2000) < 1 / (1 + np.exp(-x[:, 0]))).astype(float)
        >>> v, lo, hi = logit_odds_ratio(y, x, np.arange(2000) // 10)
        >>> lo < np.e < hi
        True
    """
    import statsmodels.api as sm

    y = np.asarray(y, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    sd = float(X[:, 0].std())
    nan = (float("nan"),) * 3
    if len(y) < 10 or sd == 0 or y.min() == y.max():
        return nan
    X = X.copy()
    X[:, 0] = (X[:, 0] - X[:, 0].mean()) / sd
    design = sm.add_constant(X, has_constant="add")
    try:
        fit = sm.GLM(y, design, family=sm.families.Binomial()).fit(
            cov_type="cluster", cov_kwds={"groups": np.asarray(groups)}
        )
    except (np.linalg.LinAlgError, ValueError):
        return nan
    b, se = float(fit.params[1]), float(fit.bse[1])
    return float(np.exp(b)), float(np.exp(b - Z95 * se)), float(np.exp(b + Z95 * se))


def d_to_odds_ratio(d: float) -> float:
    """The odds ratio equivalent to a standardised mean difference ``d`` (logistic conversion:
    ln OR = d * pi / sqrt(3); Hasselblad & Hedges 1995, Meta-analysis of screening and
    diagnostic tests)."""
    return float(np.exp(d * np.pi / np.sqrt(3.0)))
