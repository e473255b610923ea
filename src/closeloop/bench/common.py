"""What every part of ``closeloop bench`` shares: the scenario it runs, the targets, the tiny
setting, the inputs of a couple scenario, the progress log and a timer."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from closeloop import mechanisms
from closeloop.params import couple_params

SCENARIO = "avoidant-anxious"
"""The scenario every implementation runs (one couple kind, all mechanisms on)."""
OTHER_SCENARIO = "secure-secure"
"""Tables of another scenario, for the recompilation check."""
TARGETS = {"engine_over_numpy": 10.0, "engine_over_loop": 200.0}
"""The issue's targets for the speed ratios."""
STREAMING_LIMIT_BYTES = 1 << 30
"""Target for the peak memory of a streaming run of 10,000 couples x 10 years."""
DAILY_BYTES = 90
"""Bytes of one couple-day of the engine's daily record (4 per couple, 43 per member)."""
QUICK_COUPLES, QUICK_DAYS, QUICK_LOOP_COUPLES, QUICK_LOOP_DAYS = 64, 60, 2, 20
"""A tiny setting, for tests and smoke runs (``main(..., quick=True)``)."""
MAX_COUPLES = 10_000_000


def log(msg: str) -> None:
    """Progress, to stderr (stdout carries the results)."""
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def inputs(scenario: str = SCENARIO) -> tuple[dict, dict, Any, np.ndarray]:
    """Tables of both members, relationship settings and flags of a couple scenario."""
    import closeloop as cl
    from closeloop.simulation import population_tables

    sc = cl.scenario(scenario)
    ta = population_tables(sc.a, sc.traits, sc.traits_a)
    tb = population_tables(sc.b, sc.traits, sc.traits_b)
    return ta, tb, couple_params(**sc.relationship), mechanisms.flags(sc.ablate)


def timed(f: Callable[[], Any]) -> tuple[Any, float]:
    """``f()``'s result, once every array of it is ready, and the seconds it took."""
    t = time.perf_counter()
    out = jax.block_until_ready(f())
    return out, time.perf_counter() - t
