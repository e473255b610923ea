"""``closeloop bench``: how fast the engine runs couples, beside the same model run by NumPy.

Measured in one run, on the avoidant-anxious couple scenario (the pursue-withdraw cycle):

- the engine (``engine.run_couples``): compile time (first call, one chunk) and couple-days per
  second after compilation (a second call over the whole population);
- the vectorised NumPy reference (``reference.numpy_couples``: the same ``couple_day``, with
  ``xp=numpy``, looping over days in Python), timed over as many days as fit a time budget and
  scaled;
- the per-couple loop (``reference.loop_couples``: one Python object per couple, the way
  agent-based toolkits run), timed on a few couples and days and scaled;
- the ratios engine / NumPy and engine / loop, against the targets (10x and 200x);
- peak memory (max RSS) of the engine streaming its summaries vs keeping every daily state, each
  measured in a fresh process;
- whether new parameter values, population tables and mechanism flags recompile the engine.

The references start from the engine's own adult couples (``reference.adult_start``), so they
run the adult couple-days only. The engine's run also samples the couples and runs both members'
childhood histories; its adult rate is estimated by subtracting the time of those (measured by
``adult_start`` on the same couples), and its whole-run rate is reported beside it.

No number here is asserted by the tests: timings depend on the machine and on what else it runs
(the load average is recorded with the results).

Modules: ``common`` (the scenario, targets, inputs, log), ``speed`` (the timed runs), ``memory``
(peak memory in fresh processes), ``recompile`` (the jit cache check) and ``table`` (what is
printed); this one validates the settings, runs the parts in order and gathers their results.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import jax

from closeloop import engine
from closeloop.bench import recompile
from closeloop.bench.common import (
    DAILY_BYTES,
    MAX_COUPLES,
    OTHER_SCENARIO,
    QUICK_COUPLES,
    QUICK_DAYS,
    QUICK_LOOP_COUPLES,
    QUICK_LOOP_DAYS,
    SCENARIO,
    STREAMING_LIMIT_BYTES,
    TARGETS,
    inputs,
)
from closeloop.bench.memory import measure
from closeloop.bench.speed import time_engine, time_loop, time_numpy, time_start
from closeloop.bench.table import render
from closeloop.errors import bad_value

__all__ = [
    "DAILY_BYTES",
    "MAX_COUPLES",
    "OTHER_SCENARIO",
    "QUICK_COUPLES",
    "QUICK_DAYS",
    "QUICK_LOOP_COUPLES",
    "QUICK_LOOP_DAYS",
    "SCENARIO",
    "STREAMING_LIMIT_BYTES",
    "TARGETS",
    "main",
    "render",
    "run_bench",
]


def run_bench(
    couples: int = 10_000,
    years: float = 10,
    loop_couples: int = 20,
    loop_days: int = 365,
    numpy_days: int | None = None,
    seed: int = 0,
    *,
    days: int | None = None,
    numpy_budget_s: float = 120.0,
    memory: bool = True,
) -> dict[str, Any]:
    """Measure the engine beside the NumPy and per-couple references, in this process.

    Arguments:
        couples: couples in the engine and NumPy runs.
        years: years of relationship (365 days each); ``days`` overrides it.
        loop_couples, loop_days: the per-couple loop's sample (its rate is scaled).
        numpy_days: days the NumPy reference runs; None: all of them, or as many as fit
            ``numpy_budget_s`` seconds (then scaled, and ``numpy.scaled`` says so).
        seed: run seed.
        days: adult days, instead of ``years``.
        numpy_budget_s: time budget of the NumPy reference when ``numpy_days`` is None.
        memory: measure peak memory (two fresh processes); False leaves ``memory`` None.

    Returns:
        A JSON-ready dict: ``setup``, ``engine``, ``numpy``, ``loop``, ``ratios``, ``memory``,
        ``recompile`` and ``targets_met`` (see ``render`` for what each means).

    Example:
        >>> r = run_bench(64, days=30, loop_couples=1, loop_days=5, memory=False)  # doctest: +SKIP
        >>> r["recompile"]["no_recompile"]  # doctest: +SKIP
        True
    """
    if (
        isinstance(couples, bool)
        or not isinstance(couples, int)
        or not (1 <= couples <= MAX_COUPLES)
    ):
        raise bad_value("couples", couples, f"an integer in [1, {MAX_COUPLES}]", "bench")
    if days is None:
        if not isinstance(years, int | float) or not (0 < years <= 100):
            raise bad_value("years", years, "a number in (0, 100]", "bench")
        days = max(1, round(years * 365))
    if not isinstance(days, int) or not (1 <= days <= 36_500):
        raise bad_value("days", days, "an integer in [1, 36500]", "bench")
    for name, v in (("loop_couples", loop_couples), ("loop_days", loop_days)):
        if not isinstance(v, int) or v < 1:
            raise bad_value(name, v, "a positive integer", "bench")

    from closeloop.simulation import versions

    load0 = os.getloadavg()
    ta, tb, cp, fl = inputs()
    t_all = time.perf_counter()
    eng = time_engine(couples, days, seed, ta, tb, cp, fl)
    st, start_s = time_start(couples, seed, ta, tb, cp, fl)
    cd = couples * days
    adult_s = eng["run_s"] - start_s
    eng.update(
        {
            "history_s": start_s,
            "adult_s_est": adult_s,
            "couple_days_per_s": cd / adult_s if adult_s > 0 else float("nan"),
            "couple_days_per_s_incl_history": cd / eng["run_s"],
        }
    )
    npy = time_numpy(st, fl, days, numpy_days, numpy_budget_s, seed)
    loop = time_loop(st, fl, days, loop_couples, loop_days, seed)
    rate = eng["couple_days_per_s"]
    ratios = {
        "engine_over_numpy": rate / npy["couple_days_per_s"],
        "engine_over_loop": rate / loop["couple_days_per_s"],
        "engine_incl_history_over_numpy": eng["couple_days_per_s_incl_history"]
        / npy["couple_days_per_s"],
        "engine_incl_history_over_loop": eng["couple_days_per_s_incl_history"]
        / loop["couple_days_per_s"],
    }
    rec = recompile.check(days, seed, ta, tb, cp, fl)
    mem = measure(couples, days, seed) if memory else None
    met = {k: bool(ratios[k] >= v) for k, v in TARGETS.items()}
    if mem is not None:
        met["streaming_memory"] = bool(mem["streaming_peak_bytes"] < STREAMING_LIMIT_BYTES)
    met["no_recompile"] = bool(rec["no_recompile"])
    return {
        "setup": {
            "scenario": SCENARIO,
            "couples": couples,
            "days": days,
            "years": days / 365,
            "couple_days": cd,
            "seed": seed,
            "chunk": engine.CHUNK,
            "jax_devices": jax.device_count(),
            "cpu_count": os.cpu_count(),
            "load_average_start": list(load0),
            "load_average_end": list(os.getloadavg()),
            "wall_s": time.perf_counter() - t_all,
            "versions": versions(),
        },
        "engine": eng,
        "numpy": npy,
        "loop": loop,
        "ratios": ratios,
        "targets": dict(TARGETS),
        "memory": mem,
        "recompile": rec,
        "targets_met": met,
    }


def main(
    couples: int = 10_000, years: float = 10, json_out: bool = False, quick: bool = False
) -> dict[str, Any]:
    """Entry point of ``closeloop bench``: results to stdout (a table, or JSON), progress to
    stderr. ``quick`` runs the tiny ``QUICK_*`` setting instead of ``couples`` x ``years``."""
    if quick:
        result = run_bench(
            QUICK_COUPLES,
            days=QUICK_DAYS,
            loop_couples=QUICK_LOOP_COUPLES,
            loop_days=QUICK_LOOP_DAYS,
        )
    else:
        result = run_bench(couples, years)
    if json_out:
        print(json.dumps(result, indent=2))
    else:
        render(result)
    return result
