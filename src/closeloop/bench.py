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
"""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from closeloop import engine, mechanisms, reference
from closeloop.errors import bad_value
from closeloop.params import COUPLE_SPECS, couple_params

SCENARIO = "avoidant-anxious"
"""The scenario every implementation runs (one couple kind, all mechanisms on)."""
OTHER_SCENARIO = "secure-secure"
"""Tables of another scenario, for the recompilation check."""
TARGETS = {"engine_over_numpy": 10.0, "engine_over_loop": 200.0}
"""The issue's targets for the speed ratios."""
STREAMING_LIMIT_BYTES = 1 << 30
"""Target for the peak memory of a streaming run of 10,000 couples x 10 years."""
DAILY_BYTES = 82
"""Bytes of one couple-day of the engine's daily record (4 per couple, 39 per member)."""
QUICK_COUPLES, QUICK_DAYS, QUICK_LOOP_COUPLES, QUICK_LOOP_DAYS = 64, 60, 2, 20
"""A tiny setting, for tests and smoke runs (``main(..., quick=True)``)."""
MAX_COUPLES = 10_000_000

_COMPILE_EVENTS = (
    "/jax/core/compile/jaxpr_trace_duration",
    "/jax/core/compile/jaxpr_to_mlir_module_duration",
    "/jax/core/compile/backend_compile_duration",
)


def _log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def _inputs(scenario: str = SCENARIO) -> tuple[dict, dict, Any, np.ndarray]:
    """Tables of both members, relationship settings and flags of a couple scenario."""
    import closeloop as cl
    from closeloop.simulation import population_tables

    sc = cl.scenario(scenario)
    ta = population_tables(sc.a, sc.traits, sc.traits_a)
    tb = population_tables(sc.b, sc.traits, sc.traits_b)
    return ta, tb, couple_params(**sc.relationship), mechanisms.flags(sc.ablate)


def _cache_size() -> int | None:
    """Executables the engine has compiled (private JAX API underneath; None if it is gone)."""
    try:
        return engine.compiled_count()
    except AttributeError:
        return None


def _timed(f: Callable[[], Any]) -> tuple[Any, float]:
    t = time.perf_counter()
    out = jax.block_until_ready(f())
    return out, time.perf_counter() - t


# ------------------------------------------------------------------------ memory, in a child


def _rss_now() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _memory_child(couples: int, days: int, daily: bool, seed: int) -> dict[str, Any]:
    """Run the engine once in this (fresh) process; report its peak resident memory."""
    import jax.numpy as jnp

    ta, tb, cp, fl = _inputs()
    jax.block_until_ready(jnp.zeros(1) + 1)  # start the backend before the baseline
    baseline = _rss_now()
    t = time.perf_counter()
    out = engine.run_couples(couples, seed, ta, tb, cp, fl, days=days, daily=daily)
    seconds = time.perf_counter() - t
    kept = sum(a.nbytes for a in jax.tree.leaves(out))
    daily_bytes = sum(a.nbytes for a in jax.tree.leaves(out.get("daily", {})))
    return {
        "peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "baseline_bytes": baseline,
        "result_bytes": kept,
        "daily_record_bytes": daily_bytes,
        "seconds": seconds,
    }


def _spawn(couples: int, days: int, daily: bool, seed: int) -> subprocess.Popen[str]:
    code = (
        "import json, sys\n"
        "from closeloop.bench import _memory_child\n"
        "print(json.dumps(_memory_child(*json.loads(sys.argv[1]))))\n"
    )
    args = json.dumps([couples, days, daily, seed])
    return subprocess.Popen(
        [sys.executable, "-c", code, args], stdout=subprocess.PIPE, text=True, env=os.environ
    )


def _collect(p: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = p.communicate()
    if p.returncode != 0:
        raise RuntimeError(f"memory measurement failed with status {p.returncode}")
    return dict(json.loads(out.strip().splitlines()[-1]))


def _available_bytes() -> int | None:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _daily_couples(couples: int, days: int) -> int:
    """Couples at which to measure the daily run: all of them if it fits comfortably, else the
    largest multiple of the chunk that does (the result is then extrapolated linearly)."""
    avail = _available_bytes()
    if avail is None:
        return couples
    # The chunks' records, then their concatenation: about twice the record, plus 1 GiB.
    budget = 0.5 * avail - (1 << 30)
    per_couple = 2.0 * DAILY_BYTES * days
    fit = int(budget // per_couple) // engine.CHUNK * engine.CHUNK
    return max(min(couples, fit), min(couples, engine.CHUNK))


def _memory(couples: int, days: int, seed: int) -> dict[str, Any]:
    n_daily = _daily_couples(couples, days)
    _log(f"memory: streaming ({couples} couples) and daily ({n_daily}) in fresh processes")
    ps = _spawn(couples, days, False, seed)
    pd = _spawn(n_daily, days, True, seed)
    stream, daily = _collect(ps), _collect(pd)
    extrapolated = n_daily < couples
    peak_daily = daily["peak_bytes"]
    if extrapolated:
        above = peak_daily - daily["baseline_bytes"]
        peak_daily = int(daily["baseline_bytes"] + above * couples / n_daily)
    return {
        "streaming_peak_bytes": int(stream["peak_bytes"]),
        "daily_peak_bytes": int(peak_daily),
        "daily_measured_couples": n_daily,
        "daily_measured_peak_bytes": int(daily["peak_bytes"]),
        "daily_extrapolated": extrapolated,
        "process_baseline_bytes": int(stream["baseline_bytes"]),
        "streaming_result_bytes": int(stream["result_bytes"]),
        "daily_record_bytes": int(daily["daily_record_bytes"] * couples / n_daily),
        "streaming_limit_bytes": STREAMING_LIMIT_BYTES,
    }


# ------------------------------------------------------------------------ the parts


def _engine(n: int, days: int, seed: int, ta: dict, tb: dict, cp: Any, fl: np.ndarray) -> dict:
    compile_s = 0.0

    def listen(event: str, duration_secs: float, **_: str | int) -> None:
        nonlocal compile_s
        if event in _COMPILE_EVENTS:
            compile_s += duration_secs

    def run(m: int) -> engine.Run:
        return engine.run_couples(m, seed, ta, tb, cp, fl, days=days)

    _log(f"engine: first call (one chunk of {engine.CHUNK} couples, compiles)")
    jax.monitoring.register_event_duration_secs_listener(listen)
    try:
        _, first = _timed(lambda: run(engine.CHUNK))
    finally:
        jax.monitoring.unregister_event_duration_listener(listen)
    _log(f"engine: {n} couples x {days} days")
    _, run_s = _timed(lambda: run(n))
    chunks = math.ceil(n / engine.CHUNK)
    return {
        "first_call_s": first,
        "compile_s": compile_s,
        "compile_est_s": max(first - run_s / chunks, 0.0),
        "run_s": run_s,
        "chunks": chunks,
    }


def _start(n: int, seed: int, ta: dict, tb: dict, cp: Any, fl: np.ndarray) -> tuple[Any, float]:
    _log("histories: compiling the adult start")
    reference.adult_start(min(n, engine.CHUNK), seed, ta, tb, cp, fl)
    _log(f"histories: {n} couples (sampling and both childhoods, as in the engine)")
    st, secs = _timed(lambda: reference.adult_start(n, seed, ta, tb, cp, fl))
    return st, secs


def _numpy(st: Any, fl: np.ndarray, days: int, numpy_days: int | None, budget_s: float, seed: int):
    n = st.state.ended.shape[0]
    want = days if numpy_days is None else max(1, min(numpy_days, days))
    block = engine.SNAP_DAYS
    s, done, elapsed = st.state, 0, 0.0
    _log(f"numpy: {n} couples, up to {want} days (budget {budget_s:.0f} s)")
    while done < want and (numpy_days is not None or elapsed < budget_s):
        m = min(block, want - done)
        t = time.perf_counter()
        r = reference.numpy_couples(st.pp, st.cp, s, fl, m, seed=seed + done, start_day=done)
        elapsed += time.perf_counter() - t
        s, done = r["state"], done + m
    return {
        "couples": n,
        "days_timed": done,
        "run_s": elapsed,
        "couple_days_per_s": n * done / elapsed,
        "scaled": done < days,
    }


def _loop(st: Any, fl: np.ndarray, days: int, couples: int, loop_days: int, seed: int) -> dict:
    m = max(1, min(couples, st.state.ended.shape[0]))
    d = max(1, min(loop_days, days))
    pp, cp, state = jax.tree.map(lambda a: a[..., :m], (st.pp, st.cp, st.state))
    _log(f"loop: {m} couple objects x {d} days")
    _, secs = _timed(lambda: reference.loop_couples(pp, cp, state, fl, d, seed=seed))
    return {"couples": m, "days_timed": d, "run_s": secs, "couple_days_per_s": m * d / secs}


def _other_couple_params() -> Any:
    """Valid relationship settings, each different from its default."""
    vals = {}
    for s in COUPLE_SPECS:
        hi = s.default + 0.25 * (s.high - s.default)
        vals[s.name] = hi if hi != s.default else s.default - 0.25 * (s.default - s.low)
    return couple_params(**vals)


def _recompile(n_days: int, seed: int, ta: dict, tb: dict, cp: Any, fl: np.ndarray) -> dict:
    """Run one chunk with new settings, tables and flags; did the engine's jit cache grow?"""
    before = _cache_size()
    ta2, tb2, _, _ = _inputs(OTHER_SCENARIO)
    fl2 = mechanisms.flags(("pursuit", "giving_up", "commitment"))
    cp2 = _other_couple_params()
    varied = {
        "couple_params": (ta, tb, cp2, fl),
        "tables": (ta2, tb2, cp, fl),
        "flags": (ta, tb, cp, fl2),
    }
    for name, (a, b, c, f) in varied.items():
        _log(f"recompile check: new {name}")
        engine.run_couples(engine.CHUNK, seed + 1, a, b, c, f, days=n_days)
    after = _cache_size()
    return {
        "varied": list(varied),
        "cache_size_before": before,
        "cache_size_after": after,
        "no_recompile": before is not None and before == after,
    }


# ------------------------------------------------------------------------ public


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
    ta, tb, cp, fl = _inputs()
    t_all = time.perf_counter()
    eng = _engine(couples, days, seed, ta, tb, cp, fl)
    st, start_s = _start(couples, seed, ta, tb, cp, fl)
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
    npy = _numpy(st, fl, days, numpy_days, numpy_budget_s, seed)
    loop = _loop(st, fl, days, loop_couples, loop_days, seed)
    rate = eng["couple_days_per_s"]
    ratios = {
        "engine_over_numpy": rate / npy["couple_days_per_s"],
        "engine_over_loop": rate / loop["couple_days_per_s"],
        "engine_incl_history_over_numpy": eng["couple_days_per_s_incl_history"]
        / npy["couple_days_per_s"],
        "engine_incl_history_over_loop": eng["couple_days_per_s_incl_history"]
        / loop["couple_days_per_s"],
    }
    rec = _recompile(days, seed, ta, tb, cp, fl)
    mem = _memory(couples, days, seed) if memory else None
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


def _rate(x: float) -> str:
    return f"{x / 1e6:.2f} M" if x >= 1e5 else f"{x:,.0f}"


def _gib(b: float) -> str:
    return f"{b / (1 << 30):.2f} GiB"


def render(result: dict[str, Any]) -> None:
    """Print the benchmark as tables (stdout)."""
    from rich.console import Console
    from rich.table import Table

    s, e, npy, lp, r = (result[k] for k in ("setup", "engine", "numpy", "loop", "ratios"))
    t = Table(
        title=f"closeloop bench: {s['couples']:,} couples x {s['days']:,} days "
        f"({s['couple_days']:,} couple-days), {s['scenario']}"
    )
    for col in ("implementation", "couple-days/s", "engine is", "timed on"):
        t.add_column(col)
    t.add_row(
        "engine (adult days)",
        _rate(e["couple_days_per_s"]),
        "",
        f"all; whole run {e['run_s']:.1f} s minus histories {e['history_s']:.1f} s",
    )
    t.add_row(
        "engine (whole run, with histories)",
        _rate(e["couple_days_per_s_incl_history"]),
        "",
        f"all, {e['chunks']} chunks of {s['chunk']}",
    )
    scaled = " (scaled)" if npy["scaled"] else ""
    t.add_row(
        "NumPy, vectorised over couples",
        _rate(npy["couple_days_per_s"]),
        f"{r['engine_over_numpy']:.1f}x (target {result['targets']['engine_over_numpy']:g}x)",
        f"{npy['couples']:,} couples x {npy['days_timed']:,} days{scaled}",
    )
    t.add_row(
        "Python, one object per couple",
        _rate(lp["couple_days_per_s"]),
        f"{r['engine_over_loop']:.0f}x (target {result['targets']['engine_over_loop']:g}x)",
        f"{lp['couples']} couples x {lp['days_timed']} days (scaled)",
    )
    o = Table(title="compilation and memory")
    o.add_column("measure")
    o.add_column("value")
    o.add_row("compile (trace + lower + XLA), first call", f"{e['compile_s']:.1f} s")
    o.add_row("first call (one chunk, with compile)", f"{e['first_call_s']:.1f} s")
    mem = result["memory"]
    if mem is not None:
        o.add_row(
            "peak memory, streaming summaries",
            f"{_gib(mem['streaming_peak_bytes'])} (limit {_gib(mem['streaming_limit_bytes'])})",
        )
        how = (
            f"extrapolated from {mem['daily_measured_couples']:,} couples"
            if mem["daily_extrapolated"]
            else "measured"
        )
        o.add_row("peak memory, every daily state", f"{_gib(mem['daily_peak_bytes'])} ({how})")
        o.add_row("process before the run (JAX loaded)", _gib(mem["process_baseline_bytes"]))
    rc = result["recompile"]
    o.add_row(
        "no recompile on new " + ", ".join(rc["varied"]),
        f"{rc['no_recompile']} (jit cache {rc['cache_size_before']} -> {rc['cache_size_after']})",
    )
    la = s["load_average_start"][0], s["load_average_end"][0]
    o.add_row(
        "machine",
        f"{s['cpu_count']} CPUs, {s['jax_devices']} JAX device(s), "
        f"load {la[0]:.1f} -> {la[1]:.1f}, jax {s['versions'].get('jax')}",
    )
    met = result["targets_met"]
    o.add_row("targets met", ", ".join(f"{k}: {v}" for k, v in met.items()))
    console = Console()
    console.print(t)
    console.print(o)


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
