"""Peak memory of the engine, streaming its summaries vs keeping every daily state, each run in
a fresh process (``child``) so that neither run's peak, nor the benchmark's own, counts in the
other's."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

import jax

from closeloop import engine
from closeloop.bench.common import DAILY_BYTES, STREAMING_LIMIT_BYTES, inputs, log
from closeloop.sizing import available_memory


def rss_now() -> int:
    """This process's resident memory now, in bytes (0 where /proc is not there)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def child(couples: int, days: int, daily: bool, seed: int) -> dict[str, Any]:
    """Run the engine once in this (fresh) process; report its peak resident memory."""
    import jax.numpy as jnp

    ta, tb, cp, fl = inputs()
    jax.block_until_ready(jnp.zeros(1) + 1)  # start the backend before the baseline
    baseline = rss_now()
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


def spawn(couples: int, days: int, daily: bool, seed: int) -> subprocess.Popen[str]:
    """Start ``child`` in a fresh Python process."""
    code = (
        "import json, sys\n"
        "from closeloop.bench.memory import child\n"
        "print(json.dumps(child(*json.loads(sys.argv[1]))))\n"
    )
    args = json.dumps([couples, days, daily, seed])
    return subprocess.Popen(
        [sys.executable, "-c", code, args], stdout=subprocess.PIPE, text=True, env=os.environ
    )


def collect(p: subprocess.Popen[str]) -> dict[str, Any]:
    """What a spawned ``child`` reported (its last line of stdout)."""
    out, _ = p.communicate()
    if p.returncode != 0:
        raise RuntimeError(f"memory measurement failed with status {p.returncode}")
    return dict(json.loads(out.strip().splitlines()[-1]))


def daily_couples(couples: int, days: int) -> int:
    """Couples at which to measure the daily run: all of them if it fits comfortably, else the
    largest multiple of the chunk that does (the result is then extrapolated linearly)."""
    avail = available_memory()
    if avail is None:
        return couples
    # The chunks' records, then their concatenation: about twice the record, plus 1 GiB.
    budget = 0.5 * avail - (1 << 30)
    per_couple = 2.0 * DAILY_BYTES * days
    fit = int(budget // per_couple) // engine.CHUNK * engine.CHUNK
    return max(min(couples, fit), min(couples, engine.CHUNK))


def measure(couples: int, days: int, seed: int) -> dict[str, Any]:
    """Peak memory of a streaming and of a daily run, each in a fresh process, side by side."""
    n_daily = daily_couples(couples, days)
    log(f"memory: streaming ({couples} couples) and daily ({n_daily}) in fresh processes")
    ps = spawn(couples, days, False, seed)
    pd = spawn(n_daily, days, True, seed)
    stream, daily = collect(ps), collect(pd)
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
