"""Designs: the points of a sweep, as a (points, parameters) float32 array in the given bounds.

Every design is a pure function of the spec (its seed included): the same spec gives the same
points on any machine, which is what lets a block be recomputed anywhere.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import numpy as np

from closeloop.sweep.spec import SweepSpec


def problem(spec: SweepSpec) -> dict[str, Any]:
    """The SALib problem: names and bounds of the varied parameters."""
    return {
        "num_vars": len(spec.parameters),
        "names": [v.column for v in spec.parameters],
        "bounds": [[v.low, v.high] for v in spec.parameters],
    }


def size(spec: SweepSpec) -> int:
    """Number of points the design has (saltelli: N (D + 2); morris: N (D + 1))."""
    return spec.size


MORRIS_LEVELS = 4


def unit_design(spec: SweepSpec) -> np.ndarray:
    """The design on [0, 1]^d (float64)."""
    d = len(spec.parameters)
    unit = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}
    if spec.design == "grid":
        axis = np.linspace(0.0, 1.0, spec.levels)
        return np.array(list(itertools.product(axis, repeat=d)), dtype=np.float64)
    if spec.design == "lhs":
        from SALib.sample import latin

        return np.asarray(latin.sample(unit, spec.points, seed=spec.seed))
    if spec.design == "sobol":
        from scipy.stats import qmc

        return np.asarray(qmc.Sobol(d, scramble=True, seed=spec.seed).random(spec.points))
    if spec.design == "saltelli":
        from SALib.sample import sobol

        return np.asarray(sobol.sample(unit, spec.points, calc_second_order=False, seed=spec.seed))
    from SALib.sample import morris

    return np.asarray(morris.sample(unit, spec.points, num_levels=MORRIS_LEVELS, seed=spec.seed))


@functools.lru_cache(maxsize=8)
def design(spec: SweepSpec) -> np.ndarray:
    """The design in the parameters' own bounds, as the float32 values the engine gets.

    Kept per process (read-only): every block of a sweep slices the same design, and a large
    Latin hypercube costs tens of milliseconds to draw again for each block."""
    u = np.clip(unit_design(spec), 0.0, 1.0)
    low = np.array([v.low for v in spec.parameters])
    high = np.array([v.high for v in spec.parameters])
    x = (low + u * (high - low)).astype(np.float32)
    # Rounding to float32 must not step outside the bounds the specification checks.
    x = np.clip(x, low.astype(np.float32), high.astype(np.float32))
    x.setflags(write=False)
    return x
