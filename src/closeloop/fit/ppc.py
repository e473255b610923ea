"""Posterior predictive checks: each couple's diary re-simulated from its posterior draws with
the engine (early histories and the unfitted parameters drawn as in training), compared with the
observed diary on a few summary statistics, and daily predictive bands of the ratings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from closeloop.fit import prior, simulate, summaries

STATISTICS = (
    "bid_rate_a",
    "bid_rate_b",
    "away_share_a",
    "away_share_b",
    "closeness_mean_a",
    "closeness_mean_b",
    "satisfaction_mean_a",
    "satisfaction_mean_b",
    "stress_mean_a",
    "stress_mean_b",
)
"""Summary statistics compared (names from ``summaries.NAMES``)."""
BAND_COUPLES = 4
"""Couples whose daily predictive bands go into the report."""
BAND_RATING = "satisfaction"
FIRST = 900_000_000
"""First couple index of the predictive simulations (apart from training and validation)."""


def check(
    x: np.ndarray,
    couples: np.ndarray,
    observed: np.ndarray,
    table: pd.DataFrame,
    days: int,
    per_couple: int,
    seed: int,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Re-simulate ``per_couple`` diaries per couple from its draws ``x`` (C, L, Q, natural
    units) and compare with the ``observed`` summaries (C, S).

    Returns the table (couple, statistic, observed, predictive mean, 5% and 95% quantiles,
    p-value: the share of re-simulated values at or above the observed one) and the daily
    bands of the first ``BAND_COUPLES`` couples.
    """
    c, l_draws, _ = x.shape
    k = min(per_couple, l_draws)
    pick = x[:, np.linspace(0, l_draws - 1, k).astype(int), :]  # (C, k, Q)
    flat = pick.reshape(c * k, -1)
    theta = {q.name: flat[:, j].astype(np.float32) for j, q in enumerate(prior.QUANTITIES)}
    theta = {q.name: theta[q.name] for q in prior.DRAWN}
    sim_table, _ = simulate.run(theta, seed, days, first=FIRST)
    _, sim, _ = summaries.summarise(sim_table, days)
    sim = sim.reshape(c, k, -1)
    rows = []
    for name in STATISTICS:
        j = summaries.NAMES.index(name)
        v = sim[:, :, j]
        for i in range(c):
            rows.append(
                {
                    "couple": int(couples[i]),
                    "statistic": name,
                    "observed": float(observed[i, j]),
                    "predicted_mean": float(v[i].mean()),
                    "predicted_q05": float(np.quantile(v[i], 0.05)),
                    "predicted_q95": float(np.quantile(v[i], 0.95)),
                    "p_value": float((v[i] >= observed[i, j]).mean()),
                }
            )
    return pd.DataFrame(rows), _bands(sim_table, table, couples, c, k, days)


def _bands(
    sim_table: pd.DataFrame, table: pd.DataFrame, couples: np.ndarray, c: int, k: int, days: int
) -> dict[str, Any]:
    m = min(BAND_COUPLES, c)
    sims = summaries.dense(sim_table[sim_table["couple"] < FIRST + m * k], days)
    r = sims.cols[BAND_RATING].reshape(m, k, days, 2)
    obs = summaries.dense(table[table["couple"].isin(couples[:m])], days).cols[BAND_RATING]
    return {
        "rating": BAND_RATING,
        "couples": couples[:m].tolist(),
        "q05": np.nanquantile(r, 0.05, axis=1),
        "q50": np.nanquantile(r, 0.5, axis=1),
        "q95": np.nanquantile(r, 0.95, axis=1),
        "observed": obs,
    }
