"""The planned analyses, fitted to one synthetic study's diary arrays with statsmodels MixedLM.

A study's diary is given as arrays (couple, day, person) of floats, NaN where nothing was
reported. Each analysis builds its rows (a day with yesterday's reports), centres the lagged
predictors on each person's own mean (so the coefficients are within-person effects) and fits a
linear mixed model with random intercepts:

- ``ar1``: y_t on the person-mean-centred y_{t-1}, one random intercept per person (the
  multilevel AR(1) of Lafit et al. 2021, Selection of the number of participants in intensive
  longitudinal studies).
- ``apim``: y_t on one's own (actor) and the partner's (partner) centred y_{t-1}, correlated random
  intercepts for the two members of each couple (a longitudinal actor-partner model; Kenny,
  Kashy & Cook 2006, Dyadic data analysis).
- ``cross-lagged``: today's withdrawal on the partner's pursuit (bids) yesterday and one's own
  withdrawal yesterday, or today's pursuit on the partner's withdrawal yesterday and one's own
  pursuit yesterday (a linear probability model of the 0/1 reports); ``same_day``: today's
  withdrawal on the partner's pursuit the same day, with one's own withdrawal yesterday (a day is
  the model's step, so a bid and the withdrawal it meets fall on the same day).

A fit that raises or gives a non-finite standard error is ``failed``; one statsmodels flags as not
converged is ``not-converged`` (kept, and counted).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

from closeloop.design.spec import Analysis

OK = "ok"
BOUNDARY = "boundary"
NOT_CONVERGED = "not-converged"
FAILED = "failed"
STATUSES = (OK, BOUNDARY, NOT_CONVERGED, FAILED)
"""A fit's outcome: converged; converged with a random-effect variance at zero (statsmodels warns
that the estimate is on the boundary: the fixed effects stand); the optimiser did not converge
(kept and counted); no estimate (counted as no detection)."""
MIN_ROWS = 10
"""Fewer rows than this, or fewer than two groups, cannot carry a mixed model: failed."""


@dataclass(frozen=True)
class Estimate:
    """One analysis of one study: the tested coefficient, its standard error, p and interval."""

    estimate: float
    se: float
    p: float
    lo: float
    hi: float
    status: str
    n_obs: int


def failed(n_obs: int) -> Estimate:
    """A fit that could not be made or gave no usable standard error."""
    nan = float("nan")
    return Estimate(nan, nan, nan, nan, nan, FAILED, n_obs)


def _centred(x: np.ndarray) -> np.ndarray:
    """Each value minus the person's own mean over the study (couple, day, person)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a person with no report: NaN mean
        return x - np.nanmean(x, axis=1, keepdims=True)


def _centred_lag(x: np.ndarray) -> np.ndarray:
    """Yesterday's centred value, aligned with days 1.. (couple, day - 1, person)."""
    return _centred(x)[:, :-1, :]


def _partner(x: np.ndarray) -> np.ndarray:
    return np.flip(x, axis=-1)


def design_rows(
    a: Analysis, arrays: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(y, X with a constant, groups, random-effects design) of an analysis; X's column 1 is the
    tested effect."""
    if a.kind == "cross-lagged":
        pursuit_first = a.effect != "withdrawal_to_pursuit"
        out, other = ("withdrew", "bids") if pursuit_first else ("bids", "withdrew")
        y = arrays[out][:, 1:, :]
        if a.effect == "same_day":
            # The partner's pursuit the same day (centred), beside one's own lag.
            cause = _centred(_partner(arrays[other]))[:, 1:, :]
        else:
            cause = _centred_lag(_partner(arrays[other]))
        cols = [cause, _centred_lag(arrays[out])]
    else:
        v = arrays[a.variable]
        y = v[:, 1:, :]
        own = _centred_lag(v)
        if a.kind == "ar1":
            cols = [own]
        else:
            part = _centred_lag(_partner(v))
            cols = [own, part] if a.effect == "actor" else [part, own]
    n = y.shape[0]
    couple = np.broadcast_to(np.arange(n)[:, None, None], y.shape)
    member = np.broadcast_to(np.arange(2)[None, None, :], y.shape)
    ok = np.isfinite(y)
    for c in cols:
        ok &= np.isfinite(c)
    X = np.column_stack([np.ones(int(ok.sum()))] + [c[ok] for c in cols])
    if a.kind == "ar1":
        groups = (couple * 2 + member)[ok]
        re = np.ones((len(groups), 1))
    else:
        # One group per couple with a random intercept for each member (correlated).
        groups = couple[ok]
        m = member[ok]
        re = np.column_stack([m == 0, m == 1]).astype(np.float64)
    return y[ok].astype(np.float64), X, groups, re


def fit_analysis(a: Analysis, arrays: dict[str, np.ndarray]) -> Estimate:
    """Fit one planned analysis to a study's arrays; never raises on a bad fit (``failed``)."""
    return fit_mixed(*design_rows(a, arrays), alpha=a.alpha)


def fit_mixed(
    y: np.ndarray, X: np.ndarray, groups: np.ndarray, re: np.ndarray, *, alpha: float
) -> Estimate:
    """A linear mixed model (REML) of ``y`` on ``X`` (a constant first) with random effects
    ``re`` per group: the estimate of X's column 1, its Wald test and (1 - alpha) interval."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    if len(y) < MIN_ROWS or len(np.unique(groups)) < 2 or np.ptp(X[:, 1]) == 0 or np.ptp(y) == 0:
        return failed(len(y))
    # Standardised outcome and predictors: the optimiser fails on raw scales far from 1
    # (e.g. a mean level of 43 with variances in the hundreds); the z statistics do not change.
    y_sd, x_sd = float(np.std(y)), np.std(X[:, 1:], axis=0)
    x_sd = np.where(x_sd > 0, x_sd, 1.0)
    y = (y - y.mean()) / y_sd
    X = np.column_stack([X[:, 0], (X[:, 1:] - X[:, 1:].mean(axis=0)) / x_sd])
    unit = y_sd / float(x_sd[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = None
        # statsmodels' own sequence (BFGS, L-BFGS, CG) first; Powell (no gradient) when the
        # gradient's matrix is singular. L-BFGS alone often stops at a degenerate point.
        for method in (None, ["powell"]):
            try:
                model = sm.MixedLM(y, X, groups=groups, exog_re=re)
                res = (
                    model.fit(reml=True) if method is None else model.fit(reml=True, method=method)
                )
                break
            except (np.linalg.LinAlgError, ValueError, IndexError, ZeroDivisionError):
                continue
        if res is None:
            return failed(len(y))
        b, se = float(res.fe_params[1]) * unit, float(res.bse_fe[1]) * unit
        converged = bool(res.converged)
        said = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    boundary = any("boundary" in m.lower() or "singular" in m.lower() for m in said)
    if not (np.isfinite(b) and np.isfinite(se) and se > 0):
        return failed(len(y))
    z = float(stats.norm.ppf(1 - alpha / 2))
    p = float(2 * stats.norm.sf(abs(b / se)))
    # statsmodels warns when one method of its sequence fails even if the next converges: the
    # result's own flag decides.
    status = NOT_CONVERGED if not converged else BOUNDARY if boundary else OK
    return Estimate(b, se, p, b - z * se, b + z * se, status, len(y))
