"""Measure what one unit (a person or a couple) of a run costs: peak memory, disk and time.

Runs ``closeloop.run.run_scenario`` in a fresh process per setting (so that each peak is its
own) at two population sizes and prints the slopes per unit and per unit-month (memory, disk)
and per unit-day (time), the numbers ``closeloop.sizing`` uses. Usage:

    uv run python tools/measure_sizes.py            # prints one JSON object
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SETTINGS = [("avoidant-anxious", 3650), ("warm-partner", 1095)]
SIZES = (512, 2048)


def child(name: str, days: int, n: int) -> None:
    from closeloop.cli import use_every_core

    use_every_core()
    import closeloop as cl
    from closeloop.run import run_scenario

    sc = cl.scenario(name).replace(days=days)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    cl.simulate(sc.replace(days=31), n=8)  # compile and warm up outside the timing
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        run_scenario(sc, Path(d) / "o", n=n, diary_couples=0)
        wall = time.perf_counter() - t
        disk = sum(p.stat().st_size for p in (Path(d) / "o").rglob("*") if p.is_file())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"peak": peak, "base": base, "disk": disk, "wall": wall}))


def main() -> None:
    out = {}
    for name, days in SETTINGS:
        rows = []
        for n in SIZES:
            cmd = [sys.executable, __file__, "child", name, str(days), str(n)]
            res = subprocess.run(cmd, capture_output=True, text=True, check=True, env=os.environ)
            rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
        dn = SIZES[1] - SIZES[0]
        months = -(-days // 30)
        out[name] = {
            "days": days,
            "rows": rows,
            "mem_per_unit": (rows[1]["peak"] - rows[0]["peak"]) / dn,
            "mem_per_unit_month": (rows[1]["peak"] - rows[0]["peak"]) / dn / months,
            "disk_per_unit_month": (rows[1]["disk"] - rows[0]["disk"]) / dn / months,
            "s_per_unit_day": (rows[1]["wall"] - rows[0]["wall"]) / dn / days,
            "fixed_peak": rows[0]["peak"] - (rows[1]["peak"] - rows[0]["peak"]) / dn * SIZES[0],
        }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
