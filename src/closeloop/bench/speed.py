"""The timed runs of ``closeloop bench``: the engine (compile, then the whole population), the
engine's adult start alone (to subtract from its whole run), the vectorised NumPy reference and
the per-couple loop, all on the same couples."""

from __future__ import annotations

import math
import time
from typing import Any

import jax
import numpy as np

from closeloop import engine, reference
from closeloop.bench.common import log, timed

COMPILE_EVENTS = (
    "/jax/core/compile/jaxpr_trace_duration",
    "/jax/core/compile/jaxpr_to_mlir_module_duration",
    "/jax/core/compile/backend_compile_duration",
)
"""JAX's monitoring events whose durations add up to a compilation."""


def time_engine(
    n: int, days: int, seed: int, ta: dict, tb: dict, cp: Any, fl: np.ndarray
) -> dict[str, Any]:
    """The engine's first call (one chunk, with its compilation), then ``n`` couples."""
    compile_s = 0.0

    def listen(event: str, duration_secs: float, **_: str | int) -> None:
        nonlocal compile_s
        if event in COMPILE_EVENTS:
            compile_s += duration_secs

    def run(m: int) -> engine.Run:
        return engine.run_couples(m, seed, ta, tb, cp, fl, days=days)

    log(f"engine: first call (one chunk of {engine.CHUNK} couples, compiles)")
    jax.monitoring.register_event_duration_secs_listener(listen)
    try:
        _, first = timed(lambda: run(engine.CHUNK))
    finally:
        jax.monitoring.unregister_event_duration_listener(listen)
    log(f"engine: {n} couples x {days} days")
    _, run_s = timed(lambda: run(n))
    chunks = math.ceil(n / engine.CHUNK)
    return {
        "first_call_s": first,
        "compile_s": compile_s,
        "compile_est_s": max(first - run_s / chunks, 0.0),
        "run_s": run_s,
        "chunks": chunks,
    }


def time_start(
    n: int, seed: int, ta: dict, tb: dict, cp: Any, fl: np.ndarray
) -> tuple[reference.Start, float]:
    """The engine's adult couples (sampling and both childhoods), compiled first, then timed."""
    log("histories: compiling the adult start")
    reference.adult_start(min(n, engine.CHUNK), seed, ta, tb, cp, fl)
    log(f"histories: {n} couples (sampling and both childhoods, as in the engine)")
    st, secs = timed(lambda: reference.adult_start(n, seed, ta, tb, cp, fl))
    return st, secs


def time_numpy(
    st: reference.Start,
    fl: np.ndarray,
    days: int,
    numpy_days: int | None,
    budget_s: float,
    seed: int,
) -> dict[str, Any]:
    """The vectorised NumPy reference, a month at a time, for ``numpy_days`` days or as many
    as fit ``budget_s`` seconds (then ``scaled``)."""
    n = st.state.ended.shape[0]
    want = days if numpy_days is None else max(1, min(numpy_days, days))
    block = engine.SNAP_DAYS
    s, done, elapsed = st.state, 0, 0.0
    log(f"numpy: {n} couples, up to {want} days (budget {budget_s:.0f} s)")
    while done < want and (numpy_days is not None or elapsed < budget_s):
        m = min(block, want - done)
        t = time.perf_counter()
        r = reference.numpy_couples(st.pp, st.cp, s, fl, m, seed=seed + done, start_day=done)
        elapsed += time.perf_counter() - t
        s, done = reference.final_state(r), done + m
    return {
        "couples": n,
        "days_timed": done,
        "run_s": elapsed,
        "couple_days_per_s": n * done / elapsed,
        "scaled": done < days,
    }


def time_loop(
    st: reference.Start, fl: np.ndarray, days: int, couples: int, loop_days: int, seed: int
) -> dict[str, Any]:
    """The per-couple loop on the first ``couples`` couples for ``loop_days`` days."""
    m = max(1, min(couples, st.state.ended.shape[0]))
    d = max(1, min(loop_days, days))
    pp, cp, state = jax.tree.map(lambda a: a[..., :m], (st.pp, st.cp, st.state))
    log(f"loop: {m} couple objects x {d} days")
    _, secs = timed(lambda: reference.loop_couples(pp, cp, state, fl, d, seed=seed))
    return {"couples": m, "days_timed": d, "run_s": secs, "couple_days_per_s": m * d / secs}
