"""Effect sizes and intervals: each recovers a known value within its stated interval."""

from __future__ import annotations

import math

import numpy as np
import pytest

from closeloop import stats


def test_mean_and_difference_intervals_cover_the_truth():
    rng = np.random.default_rng(0)
    a, b = rng.normal(1.0, 2.0, 4000), rng.normal(0.5, 1.0, 3000)
    m, lo, hi = stats.mean_ci(a)
    assert lo < 1.0 < hi and lo < m < hi
    d, lo, hi = stats.diff_ci(a, b)
    assert lo < 0.5 < hi and lo < d < hi
    # the half-width is what the normal approximation says (Welch standard error)
    se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    assert hi - lo == pytest.approx(2 * stats.Z95 * se)


def test_bootstrap_is_seeded_and_quiet_when_undefined():
    x = np.arange(50.0)
    assert stats.bootstrap_ci(np.mean, x, seed=3) == stats.bootstrap_ci(np.mean, x, seed=3)
    v, lo, hi = stats.bootstrap_ci(lambda z: float("nan"), x, n_boot=20)
    assert math.isnan(v) and math.isnan(lo) and math.isnan(hi)


def test_logit_odds_ratio_recovers_a_known_effect_with_clusters():
    """y depends on x with log-odds slope 0.5 per unit, x has sd 2: the odds ratio per SD is
    exp(1.0); clusters share a random intercept, which the cluster-robust interval allows for."""
    rng = np.random.default_rng(1)
    groups = np.repeat(np.arange(400), 25)
    x = rng.normal(0.0, 2.0, groups.size)
    intercept = rng.normal(0.0, 0.3, 400)[groups]
    z = rng.normal(size=groups.size)  # an unrelated covariate
    p = 1.0 / (1.0 + np.exp(-(0.5 * x + intercept)))
    y = (rng.random(groups.size) < p).astype(float)
    v, lo, hi = stats.logit_odds_ratio(y, np.column_stack([x, z]), groups)
    # the random intercept attenuates the marginal slope a little; the interval is still tight
    assert lo < v < hi and 2.3 < v < 2.9 and hi / lo < 1.3


def test_logit_odds_ratio_is_nan_without_variation():
    y = np.zeros(100)
    x = np.random.default_rng(2).normal(size=(100, 1))
    assert all(math.isnan(t) for t in stats.logit_odds_ratio(y, x, np.arange(100)))
    assert all(math.isnan(t) for t in stats.logit_odds_ratio(y + 1, np.ones((100, 1)), y))


def test_d_to_odds_ratio():
    assert stats.d_to_odds_ratio(0.0) == 1.0
    assert stats.d_to_odds_ratio(0.2) == pytest.approx(1.437, abs=1e-3)
    assert stats.d_to_odds_ratio(0.5) == pytest.approx(math.exp(0.5 * math.pi / math.sqrt(3)))
