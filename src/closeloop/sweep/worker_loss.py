"""Check that a sweep survives losing a worker: a Dask scheduler and two workers started as
separate processes on 127.0.0.1, the sweep run once uninterrupted and once with one worker
SIGKILLed part-way, and the two tables compared bit for bit.

Run: ``python -m closeloop.sweep.worker_loss [POINTS] [COUPLES] [YEARS] [KILL_AT]`` (defaults
200 points x 200 couples x 5 years, the worker killed once 40% of the points are in); it prints
the wall times, the points in at the kill, the tasks the scheduler reran, and whether the bits
match, as JSON.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from closeloop.sweep.execute import run_sweep
from closeloop.sweep.spec import SweepSpec, parse_sweep

WORKERS = 2
WAIT_S = 300
"""Seconds to wait for the scheduler and the workers to come up (JAX imports are slow)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def local_processes(
    workers: int = WORKERS, env: dict[str, str] | None = None
) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """A scheduler and ``workers`` single-thread workers, each its own process; yields the
    address and the processes (scheduler first). All are killed on the way out."""
    dask = str(Path(sys.executable).parent / "dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet: dict[str, Any] = {
        "stdout": subprocess.DEVNULL,
        "stderr": subprocess.DEVNULL,
        "env": {**os.environ, **(env or {})},
    }
    procs = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            **quiet,
        )
    ]
    try:
        for _ in range(workers):
            procs.append(
                subprocess.Popen(
                    [dask, "worker", address, "--nthreads", "1", "--no-dashboard"], **quiet
                )
            )
        from distributed import Client

        with Client(address, timeout=f"{WAIT_S}s") as c:
            c.wait_for_workers(workers, timeout=WAIT_S)
        yield address, procs
    finally:
        # They hold nothing worth a graceful close (which takes seconds).
        for p in procs:
            p.kill()
            p.wait(timeout=60)


def killing(proc: subprocess.Popen[bytes], share: float) -> Any:
    """A progress callback that SIGKILLs ``proc`` once ``share`` of the points are in; its
    ``killed_at`` attribute holds the points in at that moment."""

    def progress(done: int, total: int) -> None:
        if done < total and done >= share * total and proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            progress.killed_at = done  # type: ignore[attr-defined]

    progress.killed_at = None  # type: ignore[attr-defined]
    return progress


def loss_spec(points: int, couples: int, years: float) -> SweepSpec:
    return parse_sweep(
        {
            "scenario": "avoidant-anxious",
            "design": "lhs",
            "points": points,
            "couples": couples,
            "years": years,
            "parameters": {"bid_rate": {}, "criticism": {}, "threshold": {"member": "b"}},
        }
    )


def check(points: int, couples: int, years: float, share: float = 0.4) -> dict[str, Any]:
    """Run the sweep uninterrupted, then with a worker killed, on the same processes."""
    spec = loss_spec(points, couples, years)
    cache = os.environ.get("JAX_COMPILATION_CACHE_DIR") or tempfile.mkdtemp(prefix="jax-")
    with (
        tempfile.TemporaryDirectory() as tmp,
        local_processes(env={"JAX_COMPILATION_CACHE_DIR": cache}) as (address, procs),
    ):
        t = time.perf_counter()
        whole = run_sweep(spec, f"{tmp}/whole", scheduler=address)
        t_whole = time.perf_counter() - t
        kill = killing(procs[2], share)
        t = time.perf_counter()
        lossy = run_sweep(spec, f"{tmp}/lossy", scheduler=address, progress=kill)
        t_lossy = time.perf_counter() - t
        killed = procs[2].poll() == -signal.SIGKILL
        run = json.loads(Path(f"{tmp}/lossy/run.json").read_text(encoding="utf-8"))
        try:
            pd.testing.assert_frame_equal(lossy, whole, check_exact=True)
            same = True
        except AssertionError:
            same = False
    return {
        "points": len(whole),
        "couples_per_point": couples,
        "days": spec.days,
        "blocks": -(-len(whole) // spec.block_points),
        "seconds_uninterrupted": t_whole,
        "seconds_with_a_worker_killed": t_lossy,
        "points_in_at_the_kill": kill.killed_at,
        "worker_killed": killed,
        "tasks_rerun": run.get("rerun_tasks"),
        "same_bits": same,
    }


def main() -> None:
    args = sys.argv[1:]
    points, couples = (int(args[0]) if args else 200), (int(args[1]) if len(args) > 1 else 200)
    years = float(args[2]) if len(args) > 2 else 5.0
    share = float(args[3]) if len(args) > 3 else 0.4
    print(json.dumps(check(points, couples, years, share), indent=2))


if __name__ == "__main__":
    main()
