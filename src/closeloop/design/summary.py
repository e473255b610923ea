"""From replications to what a design point achieves: power with its Monte Carlo error, bias,
RMSE, interval width, coverage, fit outcomes, assurance, and the cheapest design that reaches the
target.

Definitions (docs/design.md):

- power: the share of ALL replications whose test rejects at ``alpha`` in the direction of the
  true value (a failed fit counts as no detection, never dropped); its Monte Carlo error is the
  binomial sqrt(p (1 - p) / R). ``power_fitted`` is the same share among fits that gave a value.
- bias, RMSE, interval width and coverage: over the fits that gave a value, against the true
  value of the same analysis at the same diary length (``replicate.truth``).
- recovery analyses (``recovery``): bias, RMSE, width and coverage over every fitted couple
  against its own true value; power only with a stated null (``recovery.metrics``).
- assurance: power over the replications whose relationship parameters were drawn from their
  priors (O'Hagan, Stevens & Campbell 2005, Assurance in clinical trial design).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from closeloop.design.analyses import BOUNDARY, FAILED, NOT_CONVERGED, OK
from closeloop.design.recovery import metrics
from closeloop.design.spec import StudySpec


def grid_table(spec: StudySpec) -> pd.DataFrame:
    """One row per design point: its settings and its cost."""
    rows = [{"point": i, **vars(p), "cost": spec.cost(p)} for i, p in enumerate(spec.points)]
    return pd.DataFrame(rows)


def _significant(g: pd.DataFrame, truth: float, alpha: float) -> np.ndarray:
    sig = (g["p"].to_numpy() < alpha) & (g["status"].to_numpy() != FAILED)
    if np.isfinite(truth) and truth != 0:
        sig &= np.sign(g["estimate"].to_numpy()) == np.sign(truth)
    return sig


def _share(k: float, m: int) -> tuple[float, float]:
    if m == 0:
        return float("nan"), float("nan")
    p = k / m
    return p, math.sqrt(p * (1 - p) / m)


def point_table(spec: StudySpec, reps: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """One row per design point and analysis: power, assurance, bias, RMSE, width, coverage and
    the counts of each fit outcome."""
    grid = grid_table(spec)
    alpha = {a.name: a.alpha for a in spec.analyses}
    recovery = {a.name: a for a in spec.analyses if a.kind == "recovery"}
    if truth.empty:  # only recovery analyses: their true values are each couple's own
        truth = pd.DataFrame(columns=["days", "analysis", "truth", "truth_se"])
    true = truth.set_index(["days", "analysis"])["truth"]
    true_se = truth.set_index(["days", "analysis"])["truth_se"]
    rows: list[dict[str, Any]] = []
    for key, g in reps.groupby(["point", "analysis"], sort=True):
        k: tuple[Any, ...] = tuple(key)
        point, name = int(k[0]), str(k[1])
        setting = {str(c): v for c, v in grid.iloc[point].to_dict().items()}
        t = float(true.get((int(setting["days"]), name), float("nan")))
        base = g[~g["assurance"]]
        fitted = base[base["status"] != FAILED]
        sig = _significant(base, t, alpha[name])
        power, power_se = _share(float(sig.sum()), len(base))
        err = fitted["estimate"].to_numpy() - t
        covered = (fitted["lo"] <= t) & (t <= fitted["hi"])
        cover, cover_se = _share(float(covered.sum()), len(fitted))
        drawn = g[g["assurance"]]
        assurance, assurance_se = _share(
            float(_significant(drawn, t, alpha[name]).sum()), len(drawn)
        )
        rows.append(
            {
                **setting,
                "analysis": name,
                "truth": t,
                "truth_se": float(true_se.get((int(setting["days"]), name), float("nan"))),
                "replications": len(base),
                "power": power,
                "power_mcse": power_se,
                "power_fitted": float(sig.sum() / len(fitted)) if len(fitted) else float("nan"),
                "mean_estimate": float(fitted["estimate"].mean()) if len(fitted) else float("nan"),
                "bias": float(err.mean()) if len(err) else float("nan"),
                "bias_mcse": float(err.std(ddof=1) / math.sqrt(len(err)))
                if len(err) > 1
                else float("nan"),
                "rmse": float(math.sqrt(np.mean(err**2))) if len(err) else float("nan"),
                "width": float((fitted["hi"] - fitted["lo"]).mean())
                if len(fitted)
                else float("nan"),
                "coverage": cover,
                "coverage_mcse": cover_se,
                "ok": int((base["status"] == OK).sum()),
                "boundary": int((base["status"] == BOUNDARY).sum()),
                "not_converged": int((base["status"] == NOT_CONVERGED).sum()),
                "failed": int((base["status"] == FAILED).sum()),
                "assurance_replications": len(drawn),
                "assurance": assurance,
                "assurance_mcse": assurance_se,
                "days_reported": float(base["days_reported"].mean()),
            }
        )
        if name in recovery:
            rows[-1].update(metrics(base, recovery[name], drawn))
    return pd.DataFrame(rows)


def cheapest(spec: StudySpec, points: pd.DataFrame) -> dict[str, Any]:
    """The least costly design point whose power for the target analysis reaches the target
    (its estimate; the Monte Carlo error is given beside it) within the budget; ties go to fewer
    couples. ``found`` is False when none does."""
    t = points[points["analysis"] == spec.target_analysis]
    ok = t[(t["power"] >= spec.target_power) & (t["cost"] <= spec.budget)]
    out: dict[str, Any] = {
        "analysis": spec.target_analysis,
        "target_power": spec.target_power,
        "budget": None if math.isinf(spec.budget) else spec.budget,
        "found": bool(len(ok)),
        "best_power": float(t["power"].max()) if len(t) else float("nan"),
    }
    if len(ok):
        row = ok.sort_values(["cost", "couples", "days", "point"]).iloc[0]
        keys = ("point", "couples", "days", "prompts", "compliance", "compliance_decay", "breakup")
        out.update({k: row[k].item() if hasattr(row[k], "item") else row[k] for k in keys})
        out.update(
            cost=float(row["cost"]), power=float(row["power"]), power_mcse=float(row["power_mcse"])
        )
    return out
