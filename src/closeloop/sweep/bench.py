"""Points per second of a sweep: a plain loop of engine calls, the sweep in-process, and the
sweep on a LocalCluster of 1 and 2 workers; Dask's overhead is the cluster's time against the
plain loop's. Run: ``python -m closeloop.sweep.bench [POINTS] [COUPLES] [DAYS]``.

Every run compiles the engine once per process (workers included), so each is timed twice in a
row where it can be: the first with compiling, the second warm (a JAX compilation cache shared
with the workers through ``JAX_COMPILATION_CACHE_DIR``).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from typing import Any

from closeloop.sweep.block import blocks, simulate_block
from closeloop.sweep.design import size
from closeloop.sweep.execute import INLINE, LOCAL, run_sweep
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


def measure(points: int = 256, couples: int = 16, days: int = 365) -> dict[str, Any]:
    """Seconds and points per second of each way of running the same sweep."""
    spec = bench_spec(points, couples, days)
    n = size(spec)
    every = blocks(spec, n)

    def loop() -> None:
        for a, b in every:
            simulate_block(spec, a, b)

    secs: dict[str, float] = {}
    secs["loop_cold"] = _timed(loop)
    secs["loop"] = _timed(loop)
    with tempfile.TemporaryDirectory() as tmp:
        secs["inline"] = _timed(lambda: run_sweep(spec, f"{tmp}/inline", scheduler=INLINE))
        for w in (1, 2):
            for i in (0, 1):
                out = f"{tmp}/local{w}-{i}"
                key = f"local{w}" + ("_cold" if i == 0 else "")
                secs[key] = _timed(
                    lambda o=out, w=w: run_sweep(spec, o, scheduler=LOCAL, workers=w)
                )
    return {
        "points": n,
        "couples_per_point": couples,
        "days": days,
        "blocks": len(every),
        "seconds": secs,
        "points_per_second": {k: n / v for k, v in secs.items()},
        "overhead_vs_loop": {k: secs[k] / secs["loop"] - 1.0 for k in ("inline", "local1")},
    }


def main() -> None:
    args = [int(a) for a in sys.argv[1:4]]
    import jax

    cache = os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", tempfile.mkdtemp(prefix="jax-"))
    jax.config.update("jax_compilation_cache_dir", cache)  # the env var is read at import
    print(json.dumps(measure(*args), indent=2))


if __name__ == "__main__":
    main()
