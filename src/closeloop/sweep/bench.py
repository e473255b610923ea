"""Points per second of a sweep: a plain loop of engine calls, the sweep in-process, and the
sweep on a LocalCluster of 1 and 2 workers; Dask's overhead is the cluster's time against the
plain loop's. Run: ``python -m closeloop.sweep.bench [POINTS] [COUPLES] [DAYS]``.

Wall time on a machine shared with other work is noisy, so the plain loop, the in-process sweep
and the warm cluster are also measured in CPU seconds (every process of the cluster together:
this one, which holds the scheduler, and the nannies and workers it started).

Every process compiles the engine once (workers included; a JAX compilation cache shared through
``JAX_COMPILATION_CACHE_DIR`` spares the workers XLA's compile but not JAX's tracing), so the
plain loop is timed cold and warm, and a running cluster is timed on its first and second sweep.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from typing import Any

from closeloop.errors import bad_value, check_int
from closeloop.sweep.block import blocks, simulate_block
from closeloop.sweep.design import size
from closeloop.sweep.execute import INLINE, local_cluster, run_sweep
from closeloop.sweep.spec import SweepSpec, parse_sweep


def bench_spec(points: int, couples: int, days: int) -> SweepSpec:
    return parse_sweep(
        {
            "scenario": "avoidant-anxious",
            "design": "lhs",
            "points": points,
            "couples": couples,
            "days": days,
            "parameters": {"bid_rate": {}, "criticism": {}, "threshold": {"member": "b"}},
        }
    )


def _timed(f: Any) -> float:
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def _cpu_timed(f: Any) -> tuple[float, float]:
    """Wall seconds and CPU seconds (this process's threads and its children) of ``f()``."""
    c, t = _tree_cpu(), time.perf_counter()
    f()
    return time.perf_counter() - t, _tree_cpu() - c


def _tree_cpu() -> float:
    """CPU seconds used so far by this process and every process it started (a LocalCluster's
    scheduler runs here; its nannies and workers are children), all threads included."""
    import psutil

    me = psutil.Process()
    total = 0.0
    for p in [me, *me.children(recursive=True)]:
        try:
            t = p.cpu_times()
        except psutil.Error:  # a process that ended meanwhile
            continue
        total += t.user + t.system
    return total


def _running_cluster(spec: SweepSpec, tmp: str) -> dict[str, float]:
    """Two sweeps on one running 2-worker cluster: the first warms the workers (JAX traces
    and loads the program), the second shows Dask's own cost per block, in wall seconds and in
    CPU seconds of every process of the cluster together."""
    with local_cluster(2) as cluster:
        address = cluster.scheduler_address
        first = _timed(lambda: run_sweep(spec, f"{tmp}/c1", scheduler=address))
        cpu = _tree_cpu()
        warm = _timed(lambda: run_sweep(spec, f"{tmp}/c2", scheduler=address))
        cpu = _tree_cpu() - cpu
    return {"first": first, "warm": warm, "warm_cpu": cpu}


def measure(points: int = 256, couples: int = 16, days: int = 365) -> dict[str, Any]:
    """Seconds and points per second of each way of running the same sweep."""
    spec = bench_spec(points, couples, days)
    n = size(spec)
    every = blocks(spec, n)

    def loop() -> None:
        for a, b in every:
            simulate_block(spec, a, b)

    secs: dict[str, float] = {}
    cpu: dict[str, float] = {}
    secs["loop_cold"] = _timed(loop)
    secs["loop"], cpu["loop"] = _cpu_timed(loop)
    with tempfile.TemporaryDirectory() as tmp:
        secs["inline"], cpu["inline"] = _cpu_timed(
            lambda: run_sweep(spec, f"{tmp}/inline", scheduler=INLINE)
        )
        for w in (1, 2):
            # A cluster started by the sweep: worker start-up and JAX tracing included.
            out = f"{tmp}/local{w}"
            secs[f"local{w}"] = _timed(lambda o=out, w=w: run_sweep(spec, o, workers=w))
        running = _running_cluster(spec, tmp)
        secs["cluster2_first"], secs["cluster2_warm"] = running["first"], running["warm"]
        cpu["cluster2_warm"] = running["warm_cpu"]
    return {
        "points": n,
        "couples_per_point": couples,
        "days": days,
        "blocks": len(every),
        "seconds": secs,
        "points_per_second": {k: n / v for k, v in secs.items()},
        "overhead_vs_loop": {
            k: secs[k] / secs["loop"] - 1.0 for k in ("inline", "local1", "cluster2_warm")
        },
        # CPU seconds of every process involved against the loop's: Dask's own work, which
        # wall time on a shared machine only shows through its noise.
        "cpu_seconds": cpu,
        "cpu_overhead_vs_loop": {
            k: cpu[k] / cpu["loop"] - 1.0 for k in ("inline", "cluster2_warm")
        },
    }


def report(points: int, couples: int, years: float, json_out: bool = False) -> None:
    """``closeloop bench --sweep POINTS``: the measurement as JSON or as a short table."""
    check_int("sweep", points, 1, 1_000_000, "bench")
    check_int("couples", couples, 1, 1_000_000, "bench")
    days = round(years * 365)
    if days < 1:
        raise bad_value("years", years, "a length of at least one day", "bench")
    cache = os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", tempfile.mkdtemp(prefix="jax-"))
    import jax

    jax.config.update("jax_compilation_cache_dir", cache)
    m = measure(points, couples, days)
    if json_out:
        print(json.dumps(m, indent=2))
        return
    print(f"sweep of {m['points']} points x {couples} couples x {days} days, {m['blocks']} blocks")
    for k, s in m["seconds"].items():
        print(f"  {k:16s} {s:9.2f} s  {m['points_per_second'][k]:9.2f} points/s")
    for k, o in m["overhead_vs_loop"].items():
        print(f"  overhead of {k} against the plain loop: {100 * o:+.1f}%")
    for k, o in m["cpu_overhead_vs_loop"].items():
        print(f"  CPU seconds of {k} against the plain loop's: {100 * o:+.1f}%")


def main() -> None:
    args = [int(a) for a in sys.argv[1:4]]
    import jax

    cache = os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", tempfile.mkdtemp(prefix="jax-"))
    jax.config.update("jax_compilation_cache_dir", cache)  # the env var is read at import
    print(json.dumps(measure(*args), indent=2))


if __name__ == "__main__":
    main()
