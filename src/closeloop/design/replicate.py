"""The work of one task: a replication (every design point and analysis of one simulated
population) or the truth (the analyses on one very large error-free study).

Everything random in a task comes from the study seed and the task's index, so a replication
gives the same bits in this process, in a LocalCluster or on any Dask worker.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from closeloop.design.analyses import fit_analysis
from closeloop.design.recovery import replication_rows
from closeloop.design.sample import (
    STREAM_PRIOR,
    STREAM_TRUTH,
    Kept,
    measure_draws,
    observe,
    population,
    seed_for,
    truth_arrays,
)
from closeloop.design.spec import StudySpec

STREAM_COUPLES = 0
"""Tag of a replication's population seed."""
TRUTH_COLUMNS = ("days", "analysis", "truth", "truth_se", "status", "n_obs")


def prior_draw(spec: StudySpec, rep: int) -> dict[str, float]:
    """The relationship parameters of an assurance replication, drawn from their priors
    (``closeloop.params``); empty for a replication at the design's values."""
    if rep < spec.replications:
        return {}
    from closeloop.claims.robustness import prior_value
    from closeloop.params import SPECS

    rng = np.random.default_rng(seed_for(spec.seed, STREAM_PRIOR, rep))
    u = rng.random(len(spec.assurance_parameters))
    return {
        name: prior_value(SPECS[name].prior, float(x))
        for name, x in zip(spec.assurance_parameters, u, strict=True)
    }


def replicate(spec: StudySpec, rep: int) -> pd.DataFrame:
    """One row per design point and analysis of replication ``rep``."""
    drawn = prior_draw(spec, rep)
    n = max(spec.couples)
    recover = any(a.kind == "recovery" for a in spec.analyses)
    kept: Kept | None = [] if recover else None
    pop = population(spec, n, seed_for(spec.seed, STREAM_COUPLES, rep), drawn, kept)
    fitted = replication_rows(spec, pop, kept, rep) if kept is not None else {}
    u, z = measure_draws(spec, rep, n)
    rows: list[dict[str, Any]] = []
    for i, p in enumerate(spec.points):
        arrays = observe(pop, u, z, p)
        reported = np.isfinite(arrays["bids"])
        for a in spec.analyses:
            if a.kind == "recovery":
                rows.append(
                    {
                        "replication": rep,
                        "assurance": rep >= spec.replications,
                        "point": i,
                        "analysis": a.name,
                        "days_reported": float(reported.sum() / max(1, reported.size)),
                        **fitted[(i, a.name)],
                        **{f"prior_{k}": v for k, v in drawn.items()},
                    }
                )
                continue
            e = fit_analysis(a, arrays)
            rows.append(
                {
                    "replication": rep,
                    "assurance": rep >= spec.replications,
                    "point": i,
                    "analysis": a.name,
                    "estimate": e.estimate,
                    "se": e.se,
                    "p": e.p,
                    "lo": e.lo,
                    "hi": e.hi,
                    "status": e.status,
                    "n_obs": e.n_obs,
                    "couples_analysed": len(reported),
                    "days_reported": float(reported.sum() / max(1, reported.size)),
                    **{f"prior_{k}": v for k, v in drawn.items()},
                }
            )
    return pd.DataFrame(rows)


def truth(spec: StudySpec) -> pd.DataFrame:
    """The true value of every analysis's effect at every diary length: the same analysis on
    ``truth_couples`` couples' error-free record (latent values, every day until a break-up)."""
    rows: list[dict[str, Any]] = []
    if all(a.kind == "recovery" for a in spec.analyses):
        # A recovery analysis's true values are each couple's own: no large study is needed.
        return pd.DataFrame(rows, columns=list(TRUTH_COLUMNS))
    pop = population(spec, spec.truth_couples, seed_for(spec.seed, STREAM_TRUTH))
    for d in spec.days:
        arrays = truth_arrays(pop, d)
        for a in spec.analyses:
            if a.kind == "recovery":
                continue  # its true values are each couple's own, known in every replication
            e = fit_analysis(a, arrays)
            rows.append(
                {
                    "days": d,
                    "analysis": a.name,
                    "truth": e.estimate,
                    "truth_se": e.se,
                    "status": e.status,
                    "n_obs": e.n_obs,
                }
            )
    return pd.DataFrame(rows)
