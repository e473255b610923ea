"""Whether new parameter values, population tables and mechanism flags recompile the engine:
one chunk run with each, and the engine's jit cache counted before and after."""

from __future__ import annotations

from typing import Any

import numpy as np

from closeloop import engine, mechanisms
from closeloop.bench.common import OTHER_SCENARIO, inputs, log
from closeloop.params import COUPLE_SPECS, CoupleParams, couple_params


def cache_size() -> int | None:
    """Executables the engine has compiled (private JAX API underneath; None if it is gone)."""
    try:
        return engine.compiled_count()
    except AttributeError:
        return None


def other_couple_params() -> CoupleParams:
    """Valid relationship settings, each different from its default."""
    vals = {}
    for s in COUPLE_SPECS:
        hi = s.default + 0.25 * (s.high - s.default)
        vals[s.name] = hi if hi != s.default else s.default - 0.25 * (s.default - s.low)
    return couple_params(**vals)


def check(n_days: int, seed: int, ta: dict, tb: dict, cp: Any, fl: np.ndarray) -> dict[str, Any]:
    """Run one chunk with new settings, tables and flags; did the engine's jit cache grow?"""
    before = cache_size()
    ta2, tb2, _, _ = inputs(OTHER_SCENARIO)
    fl2 = mechanisms.flags(("pursuit", "giving_up", "commitment"))
    cp2 = other_couple_params()
    varied = {
        "couple_params": (ta, tb, cp2, fl),
        "tables": (ta2, tb2, cp, fl),
        "flags": (ta, tb, cp, fl2),
    }
    for name, (a, b, c, f) in varied.items():
        log(f"recompile check: new {name}")
        engine.run_couples(engine.CHUNK, seed + 1, a, b, c, f, days=n_days)
    after = cache_size()
    return {
        "varied": list(varied),
        "cache_size_before": before,
        "cache_size_after": after,
        "no_recompile": before is not None and before == after,
    }
