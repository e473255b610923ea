"""Claims D1-D6: the couple and the cycle (see ../shared/design/claims.md).

Every check runs shipped couple scenarios with default parameters; a claim chooses which
scenarios and which members it compares, never its own parameter values.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from closeloop.claims.registry import Claim, Condition, Evidence, Settings, register
from closeloop.engine import SNAP_DAYS
from closeloop.model.couple import AGAINST, AWAY, NONE
from closeloop.model.person import K
from closeloop.scenario import scenario
from closeloop.simulation import simulate
from closeloop.stats import bootstrap_ci, d_to_odds_ratio, diff_ci, logit_odds_ratio, mean_ci
from closeloop.trajectory import DECLINE, PURSUIT

A, B = 0, 1  # in the shipped avoidant-X scenarios member a is the avoidant one
SMALL_BETA = 0.03
"""A small cross-lagged effect once stability is controlled for (Adachi & Willoughby 2015,
Interpreting effect sizes when controlling for stability effects in longitudinal autoregressive
models)."""
SMALL_OR = round(d_to_odds_ratio(0.2), 2)
"""An odds ratio of Cohen's small effect (d = 0.2) by the logistic conversion, about 1.44."""


def _run(
    name: str, s: Settings, days: int | None = None, daily: bool = False, salt: int = 0
) -> xr.Dataset:
    sc = scenario(name)
    if days is not None:
        sc = sc.replace(days=days)
    return simulate(
        sc, n=s.n, seed=s.seed + 7919 * salt, ablate=s.ablate, variant=s.variant, daily=daily
    )


def _cond(
    name: str, est: tuple[float, float, float], threshold: float, direction: str = ">="
) -> Condition:
    return Condition(name, est[0], est[1], est[2], threshold, direction)


def _ols_beta(y: np.ndarray, X: np.ndarray) -> float:
    """Standardised coefficient of the first column of X in an OLS of y on [1, X]."""
    if len(y) < 10 or np.std(X[:, 0]) == 0 or np.std(y) == 0:
        return float("nan")
    Xc = np.column_stack([np.ones(len(y)), X])
    coef, *_ = np.linalg.lstsq(Xc, y, rcond=None)
    return float(coef[1] * np.std(X[:, 0]) / np.std(y))


def _cluster_ci(rows: list[tuple[np.ndarray, np.ndarray]], seed: int) -> tuple[float, float, float]:
    """Within-couple standardised beta, pooled over couples, with a couple-clustered bootstrap
    interval. Each couple's series is centred on its own means first, so that differences
    between couples (a couple that withdraws a lot also pursues a lot) cannot pass for the
    day-to-day coupling (Hamaker, Kuiper & Grasman 2015, A critique of the cross-lagged panel
    model)."""
    rows = [(y - y.mean(), X - X.mean(axis=0)) for y, X in rows if len(y) > 1]
    idx = np.arange(len(rows))

    def stat(ix: np.ndarray) -> float:
        ys = [rows[i][0] for i in ix]
        Xs = [rows[i][1] for i in ix]
        if not ys:
            return float("nan")
        return _ols_beta(np.concatenate(ys), np.concatenate(Xs))

    v, lo, hi = bootstrap_ci(stat, idx, seed=seed, n_boot=300)
    return (v, lo, hi) if np.isfinite(v) else (float("nan"),) * 3


def _calm_pull(ds: xr.Dataset, member: int) -> np.ndarray:
    """(couple, day) probability that the member's automatic route closes the door at the depth
    offered that day with no pressure at all: what their own template and habit alone would do
    (docs/model.md, the automatic route, with pressure set to 0)."""
    t = ds.traits.isel(member=member)
    thr = t.sel(param="threshold").values[:, None]
    soft = t.sel(param="auto_softness").values[:, None]
    drive = ds.daily_threat.values[:, :, member] + ds.daily_habit.values[:, :, member]
    return 1.0 / (1.0 + np.exp(-(drive - thr) / soft))


def check_d1(s: Settings) -> Evidence:
    ds = _run("avoidant-anxious", s, days=730, daily=True)
    purs = ds.daily_pursuit.values[:, :, B]  # end-of-day pursuit of the reaching partner
    rec = ds.daily_received.values[:, :, A]  # how the avoidant met a bid that day
    depth = ds.daily_bid_depth.values[:, :, B]
    ended = ds.daily_ended.values
    pull = _calm_pull(ds, A)
    w_x, w_y, w_g, p_rows = [], [], [], []
    for c in range(ds.sizes["couple"]):
        got = (rec[c] != NONE) & ~ended[c]
        withdrew = ((rec[c] == AWAY) | (rec[c] == AGAINST)).astype(float)
        # Pursuit yesterday -> withdrawal today, on days with a bid to respond to. Pursuit is
        # itself the echo of earlier withdrawals, so centring each couple on its own means would
        # bias the estimate downwards (Nickell 1981, Biases in dynamic models with fixed
        # effects); instead the avoidant's own pull that day is held fixed: the bid's depth (one
        # indicator per level: the effect of depth is a step at the pull-back point, not a line)
        # and the log-odds that their template and habit alone would close the door there.
        # Bids at the deepest level are left out: there the door is all but always closed.
        t1 = np.flatnonzero(got[1:] & (depth[c, 1:] < K - 1)) + 1
        if len(t1):
            levels = (depth[c, t1][:, None] == np.arange(1, K - 1)).astype(float)
            q = np.clip(pull[c, t1], 1e-6, 1.0 - 1e-6)
            w_x.append(np.column_stack([purs[c, t1 - 1], levels, np.log(q / (1.0 - q))]))
            w_y.append(withdrew[t1])
            w_g.append(np.full(len(t1), c))
        t = np.arange(len(withdrew) - 1)
        live = ~ended[c, 1:]
        # Withdrawal today -> rise of pursuit by tomorrow, holding today's pursuit fixed.
        Xp = np.column_stack([withdrew[t] * got[t], purs[c, t]])[live]
        p_rows.append(((purs[c, 1:] - purs[c, :-1])[live], Xp))
    return Evidence(
        (
            _cond(
                "pursuit yesterday -> withdrawal today (odds ratio per SD of pursuit; the bid's "
                "depth and the avoidant's own pull at that depth held fixed)",
                logit_odds_ratio(*(np.concatenate(v) for v in (w_y, w_x, w_g))),
                SMALL_OR,
            ),
            _cond(
                "withdrawal today -> more pursuit tomorrow (standardised beta, within couples, "
                "pursuit held fixed)",
                _cluster_ci(p_rows, s.seed),
                SMALL_BETA,
            ),
        ),
        n=ds.sizes["couple"],
    )


def check_d2(s: Settings) -> Evidence:
    ds = _run("avoidant-anxious", s, days=365, salt=1)
    attr = ds.traits.sel(param="attribution").values[:, B]
    purs = ds.pursuit.isel(member=B).max("month").values
    sat = ds.sat.isel(member=B).values
    loss = sat[:, 0] - sat[:, min(11, sat.shape[1] - 1)]

    def beta(y: np.ndarray) -> tuple[float, float, float]:
        both = np.column_stack([y, attr])
        return bootstrap_ci(lambda z: _ols_beta(z[:, 0], z[:, 1:]), both, seed=s.seed)

    return Evidence(
        (
            _cond(
                "how much harder partners pursue in the first year the more personally they read "
                "distance (standardised beta of peak pursuit on attribution)",
                beta(purs),
                0.1,
            ),
            _cond(
                "how much more satisfaction they lose in the first year (standardised beta of "
                "satisfaction lost on attribution)",
                beta(loss),
                0.1,
            ),
        ),
        n=ds.sizes["couple"],
    )


def _year(ds: xr.Dataset, var: str, year: int, member: int) -> np.ndarray:
    m = min(12 * year - 1, ds.sizes["month"] - 1)
    return ds[var].isel(month=m, member=member).values


def check_d3(s: Settings) -> Evidence:
    ds = _run("avoidant-anxious", s, salt=2)
    live = ~ds.ended.isel(month=-1).values
    label = ds.trajectory.values[live]
    share = (label == "functional-but-empty").astype(float)
    # The year-1 vs year-5 changes are of the couples still together at the end of year 5: an
    # ended relationship stops bidding too, which is not giving up.
    five = ~ds.ended.isel(month=min(59, ds.sizes["month"] - 1)).values
    y1_bids = ds.bids.isel(member=B).isel(month=slice(0, 12)).mean("month").values[five]
    y5_bids = ds.bids.isel(member=B).isel(month=slice(48, 60)).mean("month").values[five]
    conflicts_late = ds.conflicts.isel(month=slice(-12, None)).mean("month").values[live]

    def change(var: str) -> tuple[float, float, float]:
        return mean_ci(_year(ds, var, 5, B)[five] - _year(ds, var, 1, B)[five])

    fall = change("expect")
    return Evidence(
        (
            _cond(
                "share of couples still together after ten years that end functional-but-empty",
                bootstrap_ci(lambda x: float(np.mean(x)), share, seed=s.seed),
                0.5,
            ),
            _cond(
                "partner's expectation of a response, year 1 minus year 5 (couples together)",
                (-fall[0], -fall[2], -fall[1]),
                0.0,
            ),
            _cond(
                "partner's bids a month, year 1 minus year 5 (couples together)",
                mean_ci(y1_bids - y5_bids),
                1.0,
            ),
            _cond(
                "partner's support found elsewhere, year 5 minus year 1 (couples together)",
                change("support"),
                0.2,
            ),
            _cond(
                "conflicts a month in the last year (low)",
                mean_ci(conflicts_late),
                0.5,
                "<=",
            ),
        ),
        n=ds.sizes["couple"],
    )


def check_d4(s: Settings) -> Evidence:
    ds = _run("avoidant-anxious", s, salt=3)
    gap = (ds.stability.isel(member=A) - ds.sat.isel(member=B)).values  # (couple, month)
    stab = ds.stability.isel(member=A).values
    end = ds.end_day.values
    ended = end >= 360  # long enough to have a before
    # The three whole months before the one in which the relationship ended.
    last = end // SNAP_DAYS

    def before(x: np.ndarray) -> np.ndarray:
        return np.array([x[c, last[c] - 3 : last[c]].mean() for c in np.flatnonzero(ended)])

    early = gap[ended, :3].mean(axis=1)
    return Evidence(
        (
            _cond(
                "gap between the avoidant's felt stability and the partner's satisfaction, the "
                "three months before a break-up minus the first three months",
                mean_ci(before(gap) - early),
                0.2,
            ),
            _cond(
                "the avoidant's felt stability in the three months before a break-up (stays high)",
                mean_ci(before(stab)),
                0.75,
            ),
        ),
        n=int(ended.sum()),
    )


def check_d5(s: Settings) -> Evidence:
    av = _run("avoidant-anxious", s, days=1825, salt=4)
    se = _run("secure-secure", s, days=1825, salt=4)

    def unrepaired(ds: xr.Dataset) -> np.ndarray:
        c = ds.conflicts.sum("month").values
        r = ds.repaired.sum("month").values
        keep = c > 0
        return 1.0 - r[keep] / c[keep]

    # Ruptures on the books predict lower satisfaction a month later (both partners, all
    # couples still together), holding the couple's felt distance fixed.
    rup = av.ruptures.values[:, :-1]
    sat = av.sat.values[:, 1:, :].mean(-1)
    felt = av.felt.values[:, :-1, :].mean(-1)
    live = ~av.ended.values[:, 1:]
    rows = [
        (sat[c][live[c]], np.column_stack([rup[c], felt[c]])[live[c]])
        for c in range(av.sizes["couple"])
    ]
    v, lo, hi = _cluster_ci(rows, s.seed)
    return Evidence(
        (
            _cond(
                "share of conflicts left unrepaired, avoidant-anxious minus secure-secure couples",
                diff_ci(unrepaired(av), unrepaired(se)),
                0.2,
            ),
            _cond(
                "unrepaired ruptures -> satisfaction a month later (standardised beta, felt "
                "distance held fixed; must be negative)",
                (-v, -hi, -lo),
                0.1,
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
    return Evidence(
        (
            _cond(
                "median length of the pursue-withdraw phase, in months",
                bootstrap_ci(lambda x: float(np.median(x)), had, seed=s.seed),
                12.0,
            ),
            _cond(
                "share of couples that go through such a phase",
                bootstrap_ci(lambda x: float(np.mean(x > 0)), months, seed=s.seed),
                0.5,
            ),
        ),
        n=ds.sizes["couple"],
    )


register(
    Claim(
        "D1",
        "How it damages",
        "Pursuit and withdrawal feed each other: more pursuit "
        "today predicts more withdrawal tomorrow, and more withdrawal more pursuit.",
        ("pressure", "pursuit"),
        "An odds ratio of 1.44 per SD is Cohen's small effect (d = 0.2, logistic conversion); "
        "0.03 is a small cross-lagged beta once stability is controlled for (Adachi & "
        "Willoughby 2015).",
        check_d1,
        n_quick=600,
        n_full=2000,
    )
)
register(
    Claim(
        "D2",
        "How it damages",
        "Partners who read distance as being about themselves "
        "pursue harder and lose satisfaction faster.",
        ("attribution",),
        "0.1 is a small standardised effect (Cohen 1988), clear of zero given the spread "
        "of attribution within a profile.",
        check_d2,
        n_quick=400,
        n_full=2000,
    )
)
register(
    Claim(
        "D3",
        "How it damages",
        "Under sustained unmet bids the partner's hope, pursuit "
        "and bids fall and support elsewhere rises; couples settle into a low-conflict, "
        "low-intimacy state: functional but empty.",
        ("giving_up",),
        "'Converge' means most couples still together: at least half labelled "
        "functional-but-empty.",
        check_d3,
        n_quick=300,
        n_full=2000,
    )
)
register(
    Claim(
        "D4",
        "How it damages",
        "The avoidant partner's felt stability stays high while "
        "the partner's satisfaction collapses; the gap widens before a break-up.",
        ("giving_up",),
        "A 0.2 wider gap on 0-1 scales is a change both would notice, if they looked.",
        check_d4,
        n_quick=400,
        n_full=2000,
    )
)
register(
    Claim(
        "D5",
        "How it damages",
        "Conflicts with an avoidant partner end unrepaired more "
        "often; unrepaired ruptures accumulate and predict lower satisfaction.",
        ("repair_vulnerability", "rupture_memory"),
        "20 points more unrepaired conflict is a visible difference; -0.1 is a small but "
        "real standardised effect on satisfaction.",
        check_d5,
        n_quick=300,
        n_full=2000,
    )
)
register(
    Claim(
        "D6",
        "How it damages",
        "Without intervention the pursue-withdraw phase lasts years, not weeks.",
        ("pursuit", "commitment"),
        "A median of a year or more is 'years, not weeks'.",
        check_d6,
        n_quick=300,
        n_full=2000,
    )
)
