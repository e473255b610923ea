"""Claims D1-D6: the couple and the cycle (docs/claims-protocol.md, section 2).

Every check runs shipped couple scenarios with default parameters; a claim chooses which
scenarios and which members it compares, never its own parameter values. In the shipped
avoidant-X scenarios member a is the avoidant one. Thresholds come from ``claims.yardstick``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from closeloop.claims.common import run
from closeloop.claims.registry import Claim, Evidence, Settings, register
from closeloop.claims.yardstick import (
    MEDIUM_R,
    MEDIUM_XLAG,
    MOST,
    Estimate,
    absence,
    d_between,
    d_paired,
    effect,
    negative_effect,
    statistic_ci,
    wording,
)
from closeloop.engine import SNAP_DAYS
from closeloop.model.couple import AGAINST, AWAY, NONE
from closeloop.scenario import scenario
from closeloop.stats import bootstrap_ci
from closeloop.trajectory import DECLINE, PURSUIT

A, B = 0, 1
WEEK = 7
LOW_CONFLICT = 0.5
"""'Low-conflict' in the article's words: at most one conflict every two months."""
YEARS_NOT_WEEKS = 12.0
"""'Years' in the article's words: at least twelve months."""


def _run(
    name: str, s: Settings, days: int | None = None, daily: bool = False, salt: int = 0
) -> xr.Dataset:
    sc = scenario(name)
    if days is not None:
        sc = sc.replace(days=days)
    return run(sc, s, daily=daily, salt=salt)


def _ols_beta(y: np.ndarray, X: np.ndarray) -> float:
    """Standardised coefficient of the first column of X in an OLS of y on [1, X]."""
    if len(y) < 10 or np.std(X[:, 0]) == 0 or np.std(y) == 0:
        return float("nan")
    Xc = np.column_stack([np.ones(len(y)), X])
    coef, *_ = np.linalg.lstsq(Xc, y, rcond=None)
    return float(coef[1] * np.std(X[:, 0]) / np.std(y))


def _within_beta(rows: list[tuple[np.ndarray, np.ndarray]], seed: int) -> Estimate:
    """Within-couple standardised beta, pooled over couples, with a couple-clustered bootstrap
    interval. Each couple's series is centred on its own means first, so that differences
    between couples cannot pass for the coupling over time (Hamaker, Kuiper & Grasman 2015, A
    critique of the cross-lagged panel model)."""
    rows = [(y - y.mean(), X - X.mean(axis=0)) for y, X in rows if len(y) > 1]
    idx = np.arange(len(rows))

    def stat(ix: np.ndarray) -> float:
        if not len(ix):
            return float("nan")
        return _ols_beta(
            np.concatenate([rows[i][0] for i in ix]), np.concatenate([rows[i][1] for i in ix])
        )

    v, lo, hi = bootstrap_ci(stat, idx, seed=seed)  # N_BOOT, as docs/claims-protocol.md says
    return (v, lo, hi) if np.isfinite(v) else (float("nan"),) * 3


def weekly_diary(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """(couple, week) records a couple's diary would keep, from the daily records: the anxious
    partner's bids (talks included), the share of the bids the avoidant received that they
    turned away from or against (NaN in a week without one), the mean depth of those bids, and
    whether the relationship was still going at the week's end."""
    weeks = ds.sizes["day"] // WEEK
    cut = weeks * WEEK

    def by_week(x: np.ndarray) -> np.ndarray:
        return x[:, :cut].reshape(x.shape[0], weeks, WEEK)

    rec = ds.daily_received.values[:, :, A]
    got = rec != NONE
    away = (rec == AWAY) | (rec == AGAINST)
    depth = ds.daily_bid_depth.values[:, :, B].astype(np.float64)
    n_got = by_week(got).sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        withdrawal = np.where(n_got > 0, by_week(away).sum(-1) / n_got, np.nan)
        bid_depth = np.where(n_got > 0, by_week(np.where(got, depth, 0.0)).sum(-1) / n_got, np.nan)
    return {
        "pursuit": by_week(ds.daily_bid.values[:, :, B]).sum(-1).astype(np.float64),
        "withdrawal": withdrawal,
        "depth": bid_depth,
        "live": ~by_week(ds.daily_ended.values)[:, :, -1],
    }


def check_d1(s: Settings) -> Evidence:
    ds = _run("avoidant-anxious", s, days=730, daily=True)
    w = weekly_diary(ds)
    P, W, D, live = w["pursuit"], w["withdrawal"], w["depth"], w["live"]
    pw_rows, wp_rows = [], []
    for c in range(P.shape[0]):
        both = live[c, 1:] & live[c, :-1]
        # Pursuit this week -> withdrawal next week, with this week's withdrawal and next week's
        # bid depth held fixed (pursuit also pushes bids deeper, which alone raises withdrawal).
        ok = both & np.isfinite(W[c, :-1]) & np.isfinite(W[c, 1:])
        if ok.sum() > 1:
            X = np.column_stack([P[c, :-1], W[c, :-1], D[c, 1:]])[ok]
            pw_rows.append((W[c, 1:][ok], X))
        # Withdrawal this week -> pursuit next week, with this week's pursuit held fixed.
        ok = both & np.isfinite(W[c, :-1])
        if ok.sum() > 1:
            wp_rows.append((P[c, 1:][ok], np.column_stack([W[c, :-1], P[c, :-1]])[ok]))
    return Evidence(
        (
            effect(
                "pursuit this week -> withdrawal next week (within-couple cross-lagged beta; "
                "withdrawal this week and next week's bid depth held fixed)",
                _within_beta(pw_rows, s.seed),
                MEDIUM_XLAG,
            ),
            effect(
                "withdrawal this week -> pursuit next week (within-couple cross-lagged beta; "
                "pursuit this week held fixed)",
                _within_beta(wp_rows, s.seed),
                MEDIUM_XLAG,
            ),
        ),
        n=ds.sizes["couple"],
    )


def check_d2(s: Settings) -> Evidence:
    ds = _run("avoidant-anxious", s, days=365, salt=1)
    attr = ds.traits.sel(param="attribution").values[:, B]
    bids = ds.bids.isel(member=B).isel(month=slice(0, 12)).mean("month").values
    sat = ds.sat.isel(member=B).values
    loss = sat[:, 0] - sat[:, min(11, sat.shape[1] - 1)]

    def beta(y: np.ndarray) -> Estimate:
        both = np.column_stack([y, attr])
        return statistic_ci(lambda z: _ols_beta(z[:, 0], z[:, 1:]), both, seed=s.seed)

    return Evidence(
        (
            effect(
                "bids a month in the first year on the partner's attribution score "
                "(standardised beta; they try harder)",
                beta(bids),
                MEDIUM_R,
            ),
            effect(
                "satisfaction lost over the first year on the attribution score (standardised "
                "beta)",
                beta(loss),
                MEDIUM_R,
            ),
        ),
        n=ds.sizes["couple"],
    )


def _year_end(ds: xr.Dataset, var: str, year: int, member: int) -> np.ndarray:
    m = min(12 * year - 1, ds.sizes["month"] - 1)
    return ds[var].isel(month=m, member=member).values


def check_d3(s: Settings) -> Evidence:
    ds = _run("avoidant-anxious", s, salt=2)
    live = ~ds.ended.isel(month=-1).values
    share = (ds.trajectory.values[live] == "functional-but-empty").astype(float)
    # Changes are of the couples still together at the end of year 5: an ended relationship
    # stops bidding too, which is not giving up.
    five = ~ds.ended.isel(month=min(59, ds.sizes["month"] - 1)).values

    def bids(lo: int, hi: int) -> np.ndarray:
        return ds.bids.isel(member=B).isel(month=slice(lo, hi)).mean("month").values[five]

    def yr(var: str, year: int) -> np.ndarray:
        return _year_end(ds, var, year, B)[five]

    conflicts_late = ds.conflicts.isel(month=slice(-12, None)).mean("month").values[live]
    return Evidence(
        (
            wording(
                "share of couples still together after ten years that end functional-but-empty "
                "(most)",
                statistic_ci(lambda x: float(np.mean(x)), share, seed=s.seed),
                MOST,
            ),
            effect(
                "partner's hope of a response, year 1 vs year 5 (paired d)",
                d_paired(yr("expect", 1), yr("expect", 5), s.seed),
            ),
            effect(
                "partner's bids a month, year 1 vs year 5 (paired d)",
                d_paired(bids(0, 12), bids(48, 60), s.seed),
            ),
            effect(
                "partner's support found elsewhere, year 5 vs year 1 (paired d)",
                d_paired(yr("support", 5), yr("support", 1), s.seed),
            ),
            wording(
                "conflicts a month in the last year (low-conflict)",
                statistic_ci(lambda x: float(np.mean(x)), conflicts_late, seed=s.seed),
                LOW_CONFLICT,
                "<=",
            ),
        ),
        n=ds.sizes["couple"],
    )


def check_d4(s: Settings) -> Evidence:
    ds = _run("avoidant-anxious", s, salt=3)
    own = ds.sat.isel(member=A).values  # what the avoidant would report about the relationship
    gap = own - ds.sat.isel(member=B).values
    end = ds.end_day.values
    ended = np.flatnonzero(end >= 360)  # long enough to have a before
    last = end // SNAP_DAYS

    def before(x: np.ndarray) -> np.ndarray:
        """The three whole months before the one in which the relationship ended."""
        return np.array([x[c, last[c] - 3 : last[c]].mean() for c in ended])

    def early(x: np.ndarray) -> np.ndarray:
        return x[ended, :3].mean(axis=1)

    return Evidence(
        (
            effect(
                "gap between the avoidant's and the partner's satisfaction, the three months "
                "before a break-up vs the first three (paired d; the gap widens)",
                d_paired(before(gap), early(gap), s.seed),
            ),
            absence(
                "the avoidant's own satisfaction, the three months before a break-up vs the "
                "first three (paired d; they do not see it)",
                d_paired(before(own), early(own), s.seed),
            ),
        ),
        n=len(ended),
    )


def check_d5(s: Settings) -> Evidence:
    av = _run("avoidant-anxious", s, days=1825, salt=4)
    se = _run("secure-secure", s, days=1825, salt=4)

    def unrepaired(ds: xr.Dataset) -> np.ndarray:
        c = ds.conflicts.sum("month").values
        r = ds.repaired.sum("month").values
        keep = c > 0
        return 1.0 - r[keep] / c[keep]

    # Ruptures on the books predict lower satisfaction a month later (both partners, couples
    # still together), holding the couple's felt distance fixed.
    rup = av.ruptures.values[:, :-1]
    sat = av.sat.values[:, 1:, :].mean(-1)
    felt = av.felt.values[:, :-1, :].mean(-1)
    live = ~av.ended.values[:, 1:]
    rows = [
        (sat[c][live[c]], np.column_stack([rup[c], felt[c]])[live[c]])
        for c in range(av.sizes["couple"])
    ]
    return Evidence(
        (
            effect(
                "share of conflicts left unrepaired, avoidant-anxious vs secure-secure (d)",
                d_between(unrepaired(av), unrepaired(se), s.seed),
            ),
            negative_effect(
                "unrepaired ruptures -> satisfaction a month later (within-couple standardised "
                "beta, felt distance held fixed; shown negated)",
                _within_beta(rows, s.seed),
                MEDIUM_R,
            ),
        ),
        n=av.sizes["couple"] + se.sizes["couple"],
    )


def pursue_withdraw_months(ds: xr.Dataset) -> np.ndarray:
    """Per couple: months from the first to the last month in a pursue-withdraw loop (one member
    pursuing at least trajectory.PURSUIT while the other declines at least trajectory.DECLINE of
    their bids), while together; 0 if never."""
    p = ds.pursuit.values
    dec = ds.declined.values / np.maximum(ds.offered.values, 1.0)
    loop = ((p >= PURSUIT) & (dec[:, :, ::-1] >= DECLINE)).any(-1) & ~ds.ended.values
    out = np.zeros(ds.sizes["couple"])
    for c in range(len(out)):
        idx = np.flatnonzero(loop[c])
        out[c] = idx[-1] - idx[0] + 1 if len(idx) else 0
    return out


def check_d6(s: Settings) -> Evidence:
    ds = _run("avoidant-anxious", s, salt=5)
    months = pursue_withdraw_months(ds)
    had = months[months > 0]
    nan = float("nan")
    median = statistic_ci(np.median, had, seed=s.seed) if len(had) else (nan, nan, nan)
    return Evidence(
        (
            wording(
                "median length of the pursue-withdraw phase, in months (years, not weeks)",
                median,
                YEARS_NOT_WEEKS,
            ),
            wording(
                "share of couples that go through such a phase (most)",
                statistic_ci(lambda x: float(np.mean(x > 0)), months, seed=s.seed),
                MOST,
            ),
        ),
        n=ds.sizes["couple"],
    )


_MEDIUM = "a claimed effect must be at least medium"

register(
    Claim(
        "D1",
        "How it damages",
        "Pursuit and withdrawal feed each other in a couple's weekly diary: more bids this week "
        "predict more turning away next week, and more turning away more bids.",
        ("pressure", "pursuit"),
        f"{_MEDIUM}: a cross-lagged beta of 0.07 with stability controlled (Orth et al. 2024).",
        check_d1,
        n_quick=600,
        n_full=2000,
        negative_controls=("rupture_memory", "spontaneous_recovery"),
        expected_to_fail=(
            "In the weekly diary more bids do not predict more turning away the next week "
            "once that week's withdrawal and the next week's bid depth are held fixed "
            "(cross-lagged beta 0.013 [0.007, 0.020], quick, seed 0, below even a small "
            "effect); the loop shows one way only (turning away -> more bids, 0.11)."
        ),
    )
)
register(
    Claim(
        "D2",
        "How it damages",
        "Partners who read distance as being about themselves bid harder and lose satisfaction "
        "faster.",
        ("attribution",),
        f"{_MEDIUM}: a standardised beta of 0.3 (Cohen 1988).",
        check_d2,
        n_quick=400,
        n_full=2000,
        negative_controls=("repair_vulnerability", "spontaneous_recovery"),
        expected_to_fail=(
            "Attribution predicts the partner's bids (beta 0.21 [0.12, 0.30]) and "
            "satisfaction lost (0.26 [0.16, 0.34]) at under a medium effect (quick, seed "
            "0): the intervals' lower ends fall short of 0.3."
        ),
    )
)
register(
    Claim(
        "D3",
        "How it damages",
        "Under sustained unmet bids the partner's hope and bids fall and support elsewhere rises; "
        "couples settle into a low-conflict, low-intimacy state: functional but empty.",
        ("giving_up",),
        f"'Converge' is most (over half); {_MEDIUM} (d 0.5); low-conflict is at most one "
        "conflict in two months.",
        check_d3,
        n_quick=300,
        n_full=2000,
        negative_controls=("attribution", "spontaneous_recovery"),
        expected_to_fail=(
            "The partner's hope falls from year 1 to year 5 by d 0.48 [0.34, 0.64] (quick, "
            "seed 0), short of a clear fall; bids, outside support, the functional-but-empty "
            "share and low conflict hold."
        ),
    )
)
register(
    Claim(
        "D4",
        "How it damages",
        "The avoidant partner does not see the hollowing: before a break-up the gap between "
        "their own and the partner's satisfaction widens while their own barely moves.",
        ("threat_learning",),
        f"{_MEDIUM} (d 0.5); a claimed absence stays below small (|d| 0.2).",
        check_d4,
        n_quick=400,
        n_full=2000,
        negative_controls=("giving_up", "attribution"),
        expected_to_fail=(
            "Before a break-up the avoidant's own satisfaction falls more clearly than the "
            "gap widens (paired d 4.22 against 1.69, quick, seed 0): in the model the "
            "avoidant does see the hollowing, because their satisfaction follows the "
            "partner's withdrawing responses and their picture of the partner's "
            "satisfaction (docs/model.md 12.15)."
        ),
    )
)
register(
    Claim(
        "D5",
        "How it damages",
        "Conflicts with an avoidant partner end unrepaired more often; unrepaired ruptures "
        "accumulate and predict lower satisfaction.",
        ("repair_vulnerability", "rupture_memory"),
        f"{_MEDIUM}: d 0.5 between couples, a standardised beta of -0.3 over time.",
        check_d5,
        n_quick=300,
        n_full=2000,
        negative_controls=("attribution", "giving_up"),
    )
)
register(
    Claim(
        "D6",
        "How it damages",
        "Without intervention the pursue-withdraw phase lasts years, not weeks.",
        ("pursuit", "commitment"),
        "'Years' is a median of at least twelve months; the phase is typical (most couples).",
        check_d6,
        n_quick=300,
        n_full=2000,
        negative_controls=("repair_vulnerability", "spontaneous_recovery"),
    )
)
