"""Time the engine on the explorer's run: 200 couples x 3,650 days, 100 couples per device.

Run in a fresh process (the first call's compile is reported on its own); every later call
takes new relationship settings (no recompile) and a new seed, as a slider move does. Prints
one JSON line: first call (with compile), median and fastest later call, their CPU time (less
sensitive to what else the machine runs), the load average, and a hash of the first call's
result (equal hashes: the same bits). For an A/B, run two trees (PYTHONPATH=<other>/src)
alternately, each several times.

    uv run python tools/explore_engine_time.py [CALLS] [COUPLES] [DAYS] [CHUNK]
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time

if "XLA_FLAGS" not in os.environ:
    # As the command line does (cli.use_every_core): one XLA CPU device per core.
    os.environ["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={os.cpu_count() or 1}"

import jax
import numpy as np

from closeloop import engine
from closeloop.bench.common import inputs
from closeloop.params import COUPLE_SPECS, couple_params


def main(calls: int = 20, n: int = 200, days: int = 3650, chunk: int = 100) -> dict:
    ta, tb, cp, fl = inputs()
    t = time.perf_counter()
    out = engine.run_couples(n, 0, ta, tb, cp, fl, days=days, chunk=chunk)
    first = time.perf_counter() - t
    h = hashlib.sha256()
    for a in jax.tree.leaves(out):
        h.update(np.ascontiguousarray(a).tobytes())
    rng = np.random.default_rng(1)
    wall, cpu = [], []
    for i in range(calls):
        # Each setting a little off its default, within its bounds: new values, same program.
        vals = {
            s.name: float(
                np.clip(s.default + rng.uniform(-0.05, 0.05) * (s.high - s.low), s.low, s.high)
            )
            for s in COUPLE_SPECS
        }
        t, c = time.perf_counter(), time.process_time()
        engine.run_couples(n, i + 1, ta, tb, couple_params(**vals), fl, days=days, chunk=chunk)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return {
        "couples": n,
        "days": days,
        "chunk": chunk,
        "devices": len(engine.devices()),
        "first_call_s": round(first, 3),
        "p50_ms": round(1000 * float(np.median(wall)), 1),
        "min_ms": round(1000 * min(wall), 1),
        "cpu_p50_ms": round(1000 * float(np.median(cpu)), 1),
        "programs": engine.compiled_count(),
        "hash": h.hexdigest()[:16],
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "xla_flags": os.environ.get("XLA_FLAGS"),
    }


if __name__ == "__main__":
    print(json.dumps(main(*(int(a) for a in sys.argv[1:]))))
