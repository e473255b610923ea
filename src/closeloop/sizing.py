"""What a run will need, from its shape alone, before anything is simulated.

``estimate`` gives the peak memory, the disk space of the report folder and the time of a run
of ``n`` units (people or couples) over ``days``. ``check_run`` refuses a run that cannot fit in
the memory this machine has, in one line that says how much it needs, how much there is and how
to split it, and returns a warning for one that will take long; ``check_disk`` does the same for
the free space where the report goes; ``check_result`` for the Dataset ``simulate`` returns.

The constants were measured with ``tools/measure_sizes.py`` (``closeloop.run.run_scenario``,
10-year couple and 3-year person runs of 512 and 2,048 units, each in a fresh process, on two
CPU cores): the slope between the two sizes, per unit and month of results (memory, disk) or
per unit-day (time). Memory and time grow with the months kept and the days run, so both are
scaled from those. This module imports nothing heavy, so that a refusal is instant.
"""

from __future__ import annotations

import math
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

MAX_UNITS = 10_000_000
"""The largest population ``simulate`` takes (the check here decides what fits)."""
SNAP_DAYS = 30
"""Days per snapshot month (``closeloop.engine.SNAP_DAYS``; a test keeps the two equal)."""
CHUNK = 1024
"""Units per engine chunk (``closeloop.engine.CHUNK``), one chunk per device (core) at a time: a
daily record holds this many per core whatever the number asked for."""

FIXED_BYTES = 950_000_000
"""Peak memory of a tiny run: Python, JAX, a compiled engine and one call's working set
(measured 0.94 GB for couples, 0.90 GB for people)."""
BYTES_PER_UNIT_MONTH = {"couple": 1050, "person": 450}
"""Peak memory per unit and month of results, the report's copies included (measured 1,050 and
446: a 10-year couple run keeps about 128 KB per couple at its peak)."""
DISK_PER_UNIT_MONTH = {"couple": 133, "person": 118}
"""Bytes per unit and month in the report folder, almost all ``results.nc`` and the CSV
tables (measured 132.9 and 117.5)."""
RESULT_BYTES_PER_UNIT_MONTH = {"couple": 147, "person": 123}
"""Bytes per unit and month of the Dataset ``simulate`` returns (measured ``ds.nbytes``): what
any run must at least hold."""
DAILY_RESULT_BYTES_PER_UNIT_DAY = {"couple": 90, "person": 29}
"""Bytes per unit-day of the daily variables ``simulate(..., daily=True)`` adds (measured)."""
DAILY_BYTES_PER_COUPLE_DAY = 180
"""Peak memory per couple-day of the diary's daily run: twice the engine's 90-byte daily record
(``closeloop.bench.DAILY_BYTES``), for the record and its copy on the host."""
DAILY_DISK_PER_COUPLE_DAY = 117
"""Bytes per couple-day of the diary table on disk, Parquet and CSV together (measured 117)."""
SECONDS_PER_UNIT_DAY = {"couple": 1.8e-6, "person": 3.1e-6}
"""Simulation time per unit-day on two cores (measured 1.74e-6 and 3.05e-6)."""
MEASURED_CORES = 2
WARN_SECONDS = 600.0
"""Runs expected to take longer than this get a warning before they start."""
MARGIN = 1.1
"""Estimates are measured slopes; ask for a little more than them before saying a run fits."""


@dataclass(frozen=True)
class Estimate:
    """What a run needs: peak memory and disk in bytes, time in seconds."""

    memory: int
    disk: int
    seconds: float


def estimate(kind: str, n: int, days: int, diary_couples: int = 0, cores: int = 0) -> Estimate:
    """The needs of a run of ``n`` units of ``kind`` over ``days`` days.

    Example:
        >>> e = estimate("couple", 10_000_000, 3650, cores=2)
        >>> round(e.memory / 1e12, 1), round(e.disk / 1e9), round(e.seconds / 3600)
        (1.3, 162, 18)
    """
    months = math.ceil(days / SNAP_DAYS)
    cores = cores or _cores()
    memory = FIXED_BYTES + n * months * BYTES_PER_UNIT_MONTH[kind]
    disk = n * months * DISK_PER_UNIT_MONTH[kind]
    seconds = n * days * SECONDS_PER_UNIT_DAY[kind] * MEASURED_CORES / cores
    if diary_couples:
        padded = max(diary_couples, CHUNK * cores)
        memory = max(memory, FIXED_BYTES + padded * days * DAILY_BYTES_PER_COUPLE_DAY)
        disk += diary_couples * days * DAILY_DISK_PER_COUPLE_DAY
        seconds += padded * days * SECONDS_PER_UNIT_DAY[kind] * MEASURED_CORES / cores
    return Estimate(int(memory), int(disk), seconds)


def check_result(
    kind: str, n: int, days: int, daily: bool = False, owner: str = "simulate"
) -> None:
    """Refuse a ``simulate`` call whose returned Dataset alone exceeds the available memory.

    Raises:
        InputError: naming the size needed, the memory available and how to split the run.
    """
    from closeloop.errors import InputError

    per_unit = math.ceil(days / SNAP_DAYS) * RESULT_BYTES_PER_UNIT_MONTH[kind]
    per_unit += days * DAILY_RESULT_BYTES_PER_UNIT_DAY[kind] if daily else 0
    need = n * per_unit
    mem = available_memory()
    if mem is not None and need > mem:
        unit = "couples" if kind == "couple" else "people"
        fit = int(mem / per_unit)
        raise InputError(
            f"The 'n' parameter of {owner} asks for {n:,} {unit} over {days:,} days, whose "
            f"results alone need {_size(need)} of memory; {_size(mem)} is available. Fewer than "
            f"{fit:,} {unit} fit: split it into several calls with different seeds, or shorten "
            "'days'."
        )


def _cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)


def available_memory() -> int | None:
    """Memory this process can still use: the kernel's MemAvailable, or the cgroup's limit if
    lower; None where neither can be read."""
    found = []
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup/memory.max") as fh:
            limit = fh.read().strip()
        if limit != "max":
            with open("/sys/fs/cgroup/memory.current") as fh:
                found.append(int(limit) - int(fh.read().strip()))
    except (OSError, ValueError):
        pass
    return min(found) if found else None


def free_disk(out: str | Path) -> int | None:
    """Free bytes where ``out`` would be written (its nearest existing folder); None if unknown."""
    path = Path(os.path.abspath(out))
    for p in [path, *path.parents]:
        if p.is_dir():
            try:
                usage = shutil.disk_usage(p)
            except OSError:
                return None
            # A pseudo file system (/proc, /sys) reports no size; writing there fails on its own.
            return usage.free if usage.total > 0 else None
    return None


def _size(b: float) -> str:
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if b >= scale:
            return f"{b / scale:.1f} {unit}"
    return f"{b / 1e3:.0f} kB"


def _duration(s: float) -> str:
    if s >= 2 * 86400:
        return f"{s / 86400:.0f} days"
    if s >= 2 * 3600:
        return f"{s / 3600:.0f} hours"
    return f"{s / 60:.0f} minutes"


def _fits(kind: str, days: int, budget: float, per: str) -> int:
    """The largest n whose ``per`` need (memory or disk) stays within ``budget``."""
    months = math.ceil(days / SNAP_DAYS)
    if per == "memory":
        return max(0, int((budget / MARGIN - FIXED_BYTES) / (months * BYTES_PER_UNIT_MONTH[kind])))
    return max(0, int(budget / MARGIN / (months * DISK_PER_UNIT_MONTH[kind])))


def _split(owner: str) -> str:
    if owner.startswith(("run", "demo")):
        return "split it into several runs with different --seed values, or shorten 'days'"
    return "split it into several calls with different seeds, or shorten 'days'"


def check_run(
    kind: str, n: int, days: int, diary_couples: int = 0, owner: str = "run"
) -> str | None:
    """Refuse a run that cannot fit in memory; return a warning for one that will take long.

    Raises:
        InputError: the estimated peak memory exceeds the memory available.
    """
    from closeloop.errors import InputError

    need = estimate(kind, n, days, diary_couples)
    unit = "couples" if kind == "couple" else "people"
    mem = available_memory()
    if mem is not None and need.memory * MARGIN > mem:
        fit = _fits(kind, days, mem, "memory")
        if diary_couples and fit >= n:
            raise InputError(
                f"The 'diary_couples' parameter of {owner} asks for a daily record of "
                f"{diary_couples:,} couples over {days:,} days, which needs about "
                f"{_size(need.memory)} of memory; {_size(mem)} is available. Ask for fewer "
                "diary couples (--diary-couples)."
            )
        raise InputError(
            f"The 'n' parameter of {owner} asks for {n:,} {unit} over {days:,} days, which needs "
            f"about {_size(need.memory)} of memory; {_size(mem)} is available. At most about "
            f"{fit:,} {unit} fit: {_split(owner)}."
        )
    if need.seconds > WARN_SECONDS:
        return (
            f"{n:,} {unit} over {days:,} days will take about {_duration(need.seconds)} on "
            f"{_cores()} cores (and about {_size(need.memory)} of memory, {_size(need.disk)} of "
            "disk); interrupt with Ctrl-C to stop without writing anything."
        )
    return None


def check_disk(
    kind: str, n: int, days: int, out: str | Path, diary_couples: int = 0, owner: str = "run"
) -> None:
    """Refuse a run whose report folder would not fit in the free space where ``out`` is.

    Raises:
        InputError: naming the space needed, the space free and where to write instead.
    """
    from closeloop.errors import InputError

    need = estimate(kind, n, days, diary_couples).disk
    free = free_disk(out)
    if free is not None and need * MARGIN > free:
        unit = "couples" if kind == "couple" else "people"
        raise InputError(
            f"The 'n' parameter of {owner} asks for {n:,} {unit} over {days:,} days, whose report "
            f"needs about {_size(need)} of disk; {_size(free)} is free at {str(out)!r}. At most "
            f"about {_fits(kind, days, free, 'disk'):,} {unit} fit there: write elsewhere "
            f"(--out) or {_split(owner)}."
        )
