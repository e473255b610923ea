"""The one summary function: a diary table (docs/diary.md) in, a fixed-length vector of
statistics per couple out, the same code for simulated and real tables.

Only the diary's observed columns are read; the simulation's labels (``preset``,
``partner_preset``) and any latent columns are never used, so a fit cannot lean on the
simulation's truth. Statistics are means and smoothed shares over the first ``days`` days, so a
relationship that ended early (its last row has ``ended`` = 1) is summarised over the days it
lasted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from closeloop.observation import RATINGS

SMOOTH = 1.0
"""Pseudo-count of a smoothed share (k + SMOOTH * prior share) / (n + SMOOTH): defined when a
person never met the event (no bids received, say) and pulled to a neutral value then."""
RESPONSES = ("toward", "away", "against")
AUTOMATIC = ("deflects with a joke", "shuts down", "leaves early")
"""The withdrawal forms of the automatic route (the deliberate ones: gets busy, less available)."""
READ = (
    "couple",
    "person",
    "day",
    "bids_made",
    "bid_depth",
    "bids_received",
    "response",
    "withdrew",
    "behaviour",
    "talk",
    "conflict",
    "repaired",
    *RATINGS,
    "ended",
)
"""The columns the summaries read (no simulation labels, no latent values)."""


def _member_names() -> tuple[str, ...]:
    per = [
        "bid_rate",
        "bid_depth_mean",
        "bid_deep_share",
        "bid_trend",
        "away_share",
        "against_share",
        "away_d0",
        "away_d1",
        "away_d2",
        "received_deep",
        "automatic_share",
        "withdrew_rate",
        "conflict_withdraw",
    ]
    for r in RATINGS:
        per += [f"{r}_mean", f"{r}_sd", f"{r}_trend", f"{r}_after_away"]
    return tuple(per)


MEMBER_STATS = _member_names()
COUPLE_STATS = ("conflict_rate", "repair_share", "talk_rate", "ended", "observed_share")
NAMES = (
    *(f"{s}_{m}" for m in ("a", "b") for s in MEMBER_STATS),
    *COUPLE_STATS,
)
"""Names of the summary vector's entries, in order."""


@dataclass(frozen=True)
class Dense:
    """A diary table as arrays (couple, day, person); NaN where a value is missing or the day
    was not observed."""

    couples: np.ndarray
    observed: np.ndarray  # (C, D) bool
    cols: dict[str, np.ndarray]

    @property
    def n_days(self) -> np.ndarray:
        """(C,) days observed."""
        return self.observed.sum(axis=1)


def dense(table: pd.DataFrame, days: int) -> Dense:
    """The first ``days`` days of each couple as (couple, day, person) float arrays."""
    t = table[table["day"].to_numpy(np.int64) < days]
    couples, cidx = np.unique(t["couple"].to_numpy(np.int64), return_inverse=True)
    d = t["day"].to_numpy(np.int64)
    p = (t["person"].astype(str).to_numpy() == "b").astype(np.int64)
    shape = (len(couples), days, 2)
    cols: dict[str, np.ndarray] = {}
    for c in READ[3:]:
        s = t[c]
        v: np.ndarray
        if isinstance(s.dtype, pd.CategoricalDtype):
            v = s.cat.codes.to_numpy(np.float64)
            v[v < 0] = np.nan
        else:
            v = s.astype("Float64").to_numpy(np.float64, na_value=np.nan)
        a = np.full(shape, np.nan)
        a[cidx, d, p] = v
        cols[c] = a
    observed = np.zeros(shape[:2], bool)
    observed[cidx, d] = True
    # Category codes follow the schema's value order; keep the names the statistics use.
    cols["behaviour_auto"] = np.isin(
        cols["behaviour"], [_code(t, "behaviour", b) for b in AUTOMATIC]
    ).astype(np.float64)
    return Dense(couples, observed, cols)


def _code(t: pd.DataFrame, col: str, value: str) -> int:
    return int(list(t[col].cat.categories).index(value))


def _share(k: np.ndarray, n: np.ndarray, base: float) -> np.ndarray:
    return (k + SMOOTH * base) / (n + SMOOTH)


def _mean(x: np.ndarray, w: np.ndarray, fill: float) -> np.ndarray:
    """Weighted mean over the day axis; ``fill`` where there is no weight."""
    n = w.sum(axis=1)
    s = np.where(w > 0, np.nan_to_num(x), 0.0).sum(axis=1)
    return np.where(n > 0, s / np.maximum(n, 1), fill)


def summarise(table: pd.DataFrame, days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The summary vector of every couple in a (validated) diary table.

    Arguments:
        table: a diary table with the schema's columns (extra columns are ignored).
        days: how many days from day 0 to summarise (later rows are not read).

    Returns:
        (couples,) couple ids, (couples, len(NAMES)) summaries, (couples,) days observed.
    """
    g = dense(table, days)
    c = g.cols
    obs = g.observed[..., None].astype(np.float64) * np.ones(2)
    n_obs = np.maximum(obs.sum(axis=1), 1)
    day = np.arange(days)[None, :, None]
    half = (day < days // 2).astype(np.float64) * obs
    late = (day >= days // 2).astype(np.float64) * obs
    bid = np.nan_to_num(c["bids_made"])
    recv = np.nan_to_num(c["bids_received"])
    resp = c["response"]  # 0 toward, 1 away, 2 against
    away = np.nan_to_num((resp >= 1).astype(np.float64)) * recv
    against = np.nan_to_num((resp == 2).astype(np.float64)) * recv
    depth_in = c["bid_depth"][:, :, ::-1]  # depth of the partner's bid one received
    withdrew = np.nan_to_num(c["withdrew"])
    conflict = np.nan_to_num(c["conflict"])
    stats: dict[str, np.ndarray] = {}
    stats["bid_rate"] = bid.sum(1) / n_obs
    stats["bid_depth_mean"] = _mean(c["bid_depth"], bid, 0.0)
    deep = (np.nan_to_num(c["bid_depth"]) >= 2).astype(np.float64) * bid
    stats["bid_deep_share"] = _share(deep.sum(1), bid.sum(1), 0.0)
    stats["bid_trend"] = _mean(bid, late, 0.0) - _mean(bid, half, 0.0)
    stats["away_share"] = _share(away.sum(1), recv.sum(1), 0.0)
    stats["against_share"] = _share(against.sum(1), recv.sum(1), 0.0)
    overall = stats["away_share"]
    for k, sel in (
        ("away_d0", depth_in == 0),
        ("away_d1", depth_in == 1),
        ("away_d2", depth_in >= 2),
    ):
        w = recv * sel
        stats[k] = (((away * w).sum(1)) + SMOOTH * overall) / (w.sum(1) + SMOOTH)
    stats["received_deep"] = np.log1p((recv * (depth_in >= 1)).sum(1))
    stats["automatic_share"] = _share((c["behaviour_auto"] * withdrew).sum(1), withdrew.sum(1), 0.5)
    stats["withdrew_rate"] = withdrew.sum(1) / n_obs
    stats["conflict_withdraw"] = _share((withdrew * conflict).sum(1), conflict.sum(1), 0.5)
    after_away = np.zeros_like(obs)
    after_away[:, :] = away[:, :, ::-1]  # the partner turned away from one's bid that day
    for r in RATINGS:
        x = (c[r] - 4.0) / 3.0  # the 1-7 scale onto [-1, 1]
        m = _mean(x, obs, 0.0)
        stats[f"{r}_mean"] = m
        dev = np.where(obs > 0, np.nan_to_num(x) - m[:, None, :], 0.0)
        stats[f"{r}_sd"] = np.sqrt((dev**2).sum(1) / n_obs)
        stats[f"{r}_trend"] = _mean(x, late, 0.0) - _mean(x, half, 0.0)
        stats[f"{r}_after_away"] = _mean(x, after_away, 0.0) - m
    member = np.concatenate([stats[s] for s in MEMBER_STATS], axis=1)  # stat-major (C, 2S)
    member = member.reshape(len(g.couples), len(MEMBER_STATS), 2).transpose(0, 2, 1)
    cobs = g.observed.astype(np.float64)
    n_c = np.maximum(cobs.sum(1), 1)
    conf = np.nan_to_num(c["conflict"][:, :, 0])
    rep = np.nan_to_num(c["repaired"][:, :, 0])
    couple = np.stack(
        [
            conf.sum(1) / n_c,
            _share(rep.sum(1), conf.sum(1), 0.5),
            np.nan_to_num(c["talk"][:, :, 0]).sum(1) / n_c,
            np.nan_to_num(c["ended"][:, :, 0]).max(1),
            cobs.sum(1) / days,
        ],
        axis=1,
    )
    out = np.concatenate([member.reshape(len(g.couples), -1), couple], axis=1)
    return g.couples, out.astype(np.float32), g.n_days
