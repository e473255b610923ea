"""Linear processes with known coefficients, simulated in NumPy, for the cross-checks of the
analysis machinery against published and nominal figures (tests/test_design_checks.py)."""

from __future__ import annotations

import numpy as np


def ar1_errors(rng: np.random.Generator, n: int, days: int, rho: float, sd: float) -> np.ndarray:
    """(n, days) stationary AR(1) series with autocorrelation ``rho`` and marginal SD ``sd``."""
    e = np.empty((n, days))
    e[:, 0] = rng.normal(0.0, sd, n)
    innov = rng.normal(0.0, sd * np.sqrt(1.0 - rho**2), (n, days))
    for t in range(1, days):
        e[:, t] = rho * e[:, t - 1] + innov[:, t]
    return e


def level2_study(
    n: int,
    days: int,
    seed: int,
    *,
    intercept: float,
    effect: float,
    sd_within: float,
    rho: float,
    sd_intercept: float,
    mean_w: float,
    sd_w: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lafit et al. 2021's Model 2 (a person-level predictor W of the mean level, AR(1) errors
    within each person, a random intercept), as (y, X = [1, W centred], groups, random-effects
    design) for ``closeloop.design.analyses.fit_mixed``."""
    rng = np.random.default_rng(seed)
    w = rng.normal(mean_w, sd_w, n)
    w = w - w.mean()  # their app's "centre the level-2 variable"
    y = intercept + effect * w[:, None] + ar1_errors(rng, n, days, rho, sd_within)
    y = y + rng.normal(0.0, sd_intercept, n)[:, None]
    groups = np.repeat(np.arange(n), days)
    X = np.column_stack([np.ones(n * days), np.repeat(w, days)])
    return y.ravel(), X, groups, np.ones((n * days, 1))


def dyadic_panel(
    couples: int,
    days: int,
    seed: int,
    *,
    actor: float,
    partner: float,
    sd_intercept: float = 1.0,
    burn_in: int = 50,
) -> np.ndarray:
    """(couple, day, person) series of a linear dyadic VAR(1): each partner's deviation from
    their own mean today is ``actor`` times their own and ``partner`` times the partner's
    deviation yesterday plus a standard normal shock, around a normal person mean."""
    rng = np.random.default_rng(seed)
    mean = rng.normal(0.0, sd_intercept, (couples, 2))
    x = np.zeros((couples, 2))
    out = np.empty((couples, days, 2))
    for t in range(burn_in + days):
        x = actor * x + partner * x[:, ::-1] + rng.standard_normal((couples, 2))
        if t >= burn_in:
            out[:, t - burn_in] = mean + x
    return out
