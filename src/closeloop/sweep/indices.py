"""Global sensitivity indices with SALib: Sobol' (Saltelli design) and Morris, as tidy tables."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

BOOTSTRAP = 1000
"""Bootstrap resamples for the indices' confidence intervals."""
CONF = 0.95


def sobol_table(
    problem: dict[str, Any], y: np.ndarray, output: str = "y", seed: int = 0
) -> pd.DataFrame:
    """First and total order Sobol' indices of one output, with bootstrap 95% half-widths.

    ``y`` must follow SALib's Saltelli order without second-order terms (N (D + 2) values).
    """
    from SALib.analyze import sobol

    y = np.asarray(y, dtype=np.float64)
    if np.ptp(y) == 0.0:
        # A constant output has no variance to share out: every index is 0, exactly.
        zeros = np.zeros(problem["num_vars"])
        res: dict[str, Any] = {"S1": zeros, "S1_conf": zeros, "ST": zeros, "ST_conf": zeros}
    else:
        with warnings.catch_warnings():
            # Some resamples of a coarse output tie; SALib warns, the intervals show it.
            warnings.simplefilter("ignore", UserWarning)
            res = sobol.analyze(
                problem,
                y,
                calc_second_order=False,
                num_resamples=BOOTSTRAP,
                conf_level=CONF,
                seed=seed,
            )
    return pd.DataFrame(
        {
            "output": output,
            "parameter": problem["names"],
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    )


def morris_table(
    problem: dict[str, Any], x: np.ndarray, y: np.ndarray, output: str = "y", seed: int = 0
) -> pd.DataFrame:
    """Morris elementary-effect statistics of one output: mu, mu* (with its 95% half-width)
    and sigma, in the output's units per whole range of each parameter."""
    from SALib.analyze import morris

    from closeloop.sweep.design import MORRIS_LEVELS

    res = morris.analyze(
        problem,
        np.asarray(x, dtype=np.float64),
        np.asarray(y, dtype=np.float64),
        num_resamples=BOOTSTRAP,
        conf_level=CONF,
        num_levels=MORRIS_LEVELS,
        seed=seed,
    )
    return pd.DataFrame(
        {
            "output": output,
            "parameter": problem["names"],
            "mu": np.asarray(res["mu"], dtype=np.float64),
            "mu_star": np.asarray(res["mu_star"], dtype=np.float64),
            "mu_star_conf": np.asarray(res["mu_star_conf"], dtype=np.float64),
            "sigma": np.asarray(res["sigma"], dtype=np.float64),
        }
    )


def indices(
    design: str, problem: dict[str, Any], table: pd.DataFrame, outputs: list[str], seed: int
) -> pd.DataFrame | None:
    """The design's indices for every output column of a sweep's table (None: no indices)."""
    if design not in ("saltelli", "morris"):
        return None
    table = table.sort_values("point")
    x = table[problem["names"]].to_numpy(dtype=np.float64)
    parts = []
    for out in outputs:
        y = table[out].to_numpy(dtype=np.float64)
        if design == "saltelli":
            parts.append(sobol_table(problem, y, out, seed))
        else:
            parts.append(morris_table(problem, x, y, out, seed))
    return pd.concat(parts, ignore_index=True)
