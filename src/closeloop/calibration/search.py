"""Calibration by procedure: a scrambled Sobol' design over the searched parameters' priors,
then rounds of local refinement around the best points, every point's loss recorded
(docs/calibration.md 5). Deterministic for a seed."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

from closeloop.calibration.rows import Row, total_loss
from closeloop.calibration.runs import (
    PEOPLE_RUNS,
    Runs,
    run_children,
    run_couple_points,
    run_people_points,
    setting_for,
)
from closeloop.calibration.table import SEARCHED_FIGURES, rows_for
from closeloop.claims.robustness import prior_value
from closeloop.params import SPECS

SEARCHED = (
    "hazard_base",
    "hazard_slope",
    "alternatives",
    "support_pull",
    "support_rate",
    "investment_rate",
    "sat_rate",
    "base_quality",
    "criticism",
    "warmth_sat",
)
"""Relationship parameters the couple figures inform jointly (docs/calibration.md 5)."""

HISTORY_SEARCHED = (
    "home_until",
    "exposure_drop",
    "peer_warm_deep",
    "peer_hurt_deep",
    "peer_partner_share",
)
"""Early-history parameters that set how much of the adult template the caregiving decides (how
long it lasts, how soon the child can hide a need, what peers and first partners teach after it):
K3 with K1, K4 and, through the templates couples start from, K5, K10 and K11 (docs/calibration.md
7, the amendment of 2 December 2026)."""

NAMES = SEARCHED + HISTORY_SEARCHED
"""Every searched parameter, in the order of the unit cube's axes."""

DESIGN_SHARE = 2 / 3
"""Share of the budget spent on the space-filling design (the rest refines)."""

ROUNDS = 4
"""Rounds of local refinement."""

CENTRES = 4
"""Best points so far that each refinement round draws around."""

STEP = 0.1
"""First refinement round's Gaussian scale in the unit cube (halved every round)."""

UNITS_PER_CALL = 2048
"""Couples per engine call in the search. Fixed, not read from the machine's device count, so
that which couples a point gets, and so the search's result, is the same on every machine (two
chunks of 1024 on a 2-core machine)."""

REPORT_EVERY = 32
"""Design points evaluated between progress reports (a multiple of the points one engine call
holds, so reporting never changes which couples a point gets)."""

Evaluate = Callable[[list[dict[str, float]]], list[tuple[float, list[Row]]]]
"""Loss and rows of each of a list of relationship settings."""


@dataclass(frozen=True)
class Point:
    """One evaluated point: where it came from, its unit-cube position, values and loss."""

    phase: str
    round: int
    u: tuple[float, ...]
    values: dict[str, float]
    loss: float
    rows: tuple[Row, ...]


def to_values(u: np.ndarray, names: tuple[str, ...] = NAMES) -> dict[str, float]:
    """Map a unit-cube point to parameter values through each parameter's prior quantile
    (uniform over the declared range unless the specification narrows it with a source)."""
    return {
        name: prior_value(SPECS[name].prior, float(x)) for x, name in zip(u, names, strict=True)
    }


def engine_evaluate(m: int, seed: int, reps: int) -> Evaluate:
    """Evaluate points on the searched figures with ``m`` couples and ``m`` people each,
    ``UNITS_PER_CALL // m`` points per engine call."""
    per_call = max(1, UNITS_PER_CALL // m)

    def run(points: list[dict[str, float]]) -> list[tuple[float, list[Row]]]:
        out = []
        for i in range(0, len(points), per_call):
            batch = points[i : i + per_call]
            cs = run_couple_points(batch, m, seed, therapy=False)
            ts = run_couple_points(batch, m, seed, therapy=True)
            kids = run_children(batch, m, seed)
            folks = {key: run_people_points(batch, m, seed, sc) for key, sc in PEOPLE_RUNS.items()}
            for j, (p, c, t, kid) in enumerate(zip(batch, cs, ts, kids, strict=True)):
                mine = {key: parts[j] for key, parts in folks.items()}
                runs = Runs(setting_for(p, m, m, seed, reps), c, t, mine, kid)
                rows = rows_for(runs, SEARCHED_FIGURES)
                out.append((total_loss(rows), rows))
        return out

    return run


def search(
    budget: int,
    seed: int,
    evaluate: Evaluate,
    progress: Callable[[int, float], None] | None = None,
) -> list[Point]:
    """Sobol' design then local refinement; every evaluated point, in order. ``progress`` is
    told the number of points evaluated and the best loss so far after each batch."""

    def told(points: list[Point]) -> list[Point]:
        if progress is not None:
            progress(len(points), best_point(points).loss)
        return points

    d = len(NAMES)
    n_design = 2 ** max(math.floor(math.log2(max(budget * DESIGN_SHARE, 1))), 0)
    n_design = min(n_design, budget)
    sobol = qmc.Sobol(d, scramble=True, seed=np.random.default_rng(seed))
    design = sobol.random_base2(int(math.log2(n_design)))
    points: list[Point] = []
    for i in range(0, n_design, REPORT_EVERY):
        points = told(points + _evaluate("design", 0, design[i : i + REPORT_EVERY], evaluate))
    rng = np.random.default_rng([seed, 1])
    left = budget - n_design
    for r in range(ROUNDS):
        k = left // (ROUNDS - r)
        left -= k
        if k <= 0:
            continue
        best = sorted(points, key=lambda p: _finite(p.loss))[:CENTRES]
        centres = np.array([best[i % len(best)].u for i in range(k)])
        u = np.clip(centres + STEP / 2**r * rng.standard_normal((k, d)), 0.0, 1.0)
        points = told(points + _evaluate("refine", r + 1, u, evaluate))
    return points


def _finite(x: float) -> float:
    return x if math.isfinite(x) else math.inf


def _evaluate(phase: str, rnd: int, u: np.ndarray, evaluate: Evaluate) -> list[Point]:
    values = [to_values(x) for x in u]
    res = evaluate(values)
    return [
        Point(phase, rnd, tuple(float(a) for a in x), v, loss, tuple(rows))
        for x, v, (loss, rows) in zip(u, values, res, strict=True)
    ]


def best_point(points: list[Point]) -> Point:
    """The point of least loss (the first such, so ties resolve the same way every time)."""
    return min(points, key=lambda p: _finite(p.loss))


def points_table(points: list[Point]) -> dict[str, list[object]]:
    """Columns of the points table: phase, round, the values, the loss, every measure's value."""
    cols: dict[str, list[object]] = {"point": [], "phase": [], "round": []}
    for name in NAMES:
        cols[name] = []
    cols["loss"] = []
    measure_names = [f"{r.id} {m.name}" for r in points[0].rows for m in r.measures]
    for name in measure_names:
        cols[name] = []
    for i, p in enumerate(points):
        cols["point"].append(i)
        cols["phase"].append(p.phase)
        cols["round"].append(p.round)
        for name in NAMES:
            cols[name].append(p.values[name])
        cols["loss"].append(p.loss)
        got = {f"{r.id} {m.name}": m.value for r in p.rows for m in r.measures}
        for name in measure_names:
            cols[name].append(got.get(name, math.nan))
    return cols


def relationship_of(p: Point | Mapping[str, float]) -> dict[str, float]:
    """The relationship values of a point, rounded for a readable file (6 significant digits)."""
    values = p.values if isinstance(p, Point) else p
    return {k: float(f"{v:.6g}") for k, v in values.items()}
