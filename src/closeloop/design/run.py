"""Run a study: the truth and every replication as tasks (in this process or on Dask, through
the sweep's machinery), then the tidy tables, run.json and the report, each file atomically."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from closeloop.design.replicate import replicate, truth
from closeloop.design.spec import StudySpec
from closeloop.design.summary import cheapest, grid_table, point_table
from closeloop.errors import bad_value
from closeloop.io import atomic_write, prepare_out, write_text
from closeloop.sweep.execute import INLINE, LOCAL, run_tasks, versions

TRUTH_TASK = -1
"""Task index of the large study that defines the true values."""
Progress = Callable[[int, int], None]


def task(spec: StudySpec, index: int) -> pd.DataFrame:
    """What one Dask task does: the truth (``TRUTH_TASK``) or replication ``index``."""
    return truth(spec) if index == TRUTH_TASK else replicate(spec, index)


def _parquet(path: Path, df: pd.DataFrame) -> None:
    atomic_write(path, lambda p: df.to_parquet(p, index=False))


def simulate_study(
    spec: StudySpec,
    *,
    scheduler: str = INLINE,
    workers: int = 1,
    progress: Progress | None = None,
) -> dict[str, pd.DataFrame]:
    """Every task of the study; return the tables: ``replications`` (one row per replication,
    design point and analysis), ``truth``, ``points`` (one row per design point and analysis)
    and ``grid``."""
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= 256:
        raise bad_value("workers", workers, "an integer in [1, 256]", "design")
    indices = [TRUTH_TASK, *range(spec.total_replications)]
    done: dict[int, pd.DataFrame] = {}

    def finished(i: int, df: pd.DataFrame) -> None:
        done[indices[i]] = df
        if progress is not None:
            progress(len(done), len(indices))

    address = run_tasks(
        task,
        [(spec, i) for i in indices],
        finished,
        scheduler=scheduler,
        workers=workers,
        name="design",
    )
    reps = pd.concat([done[i] for i in indices[1:]], ignore_index=True)
    reps = reps.sort_values(["replication", "point", "analysis"], ignore_index=True)
    tru = done[TRUTH_TASK]
    return {
        "replications": reps,
        "truth": tru,
        "points": point_table(spec, reps, tru),
        "grid": grid_table(spec),
        "cluster": pd.DataFrame({"address": [address]}),
    }


def run_study(
    spec: StudySpec,
    out: str | Path,
    *,
    scheduler: str = LOCAL,
    workers: int = 1,
    report: bool = True,
    progress: Progress | None = None,
) -> dict[str, pd.DataFrame]:
    """Run a study into ``out``: replications.parquet, truth.parquet, points.parquet, run.json
    (the spec, its hash, the cheapest design, versions) and, with ``report``, report.html."""
    folder = Path(prepare_out(out))
    tables = simulate_study(spec, scheduler=scheduler, workers=workers, progress=progress)
    for name in ("replications", "truth", "points"):
        _parquet(folder / f"{name}.parquet", tables[name])
    info: dict[str, Any] = {
        "spec": spec.to_dict(),
        "scenarios": [b.to_json() for b in spec.bases],
        "hash": spec.digest(),
        "cheapest": cheapest(spec, tables["points"]),
        "versions": versions(),
        "scheduler": scheduler,
        "cluster": str(tables["cluster"]["address"].iloc[0]),
    }
    write_text(folder / "run.json", json.dumps(info, indent=2, sort_keys=True, default=_json))
    if report:
        from closeloop.design.report import write_report

        write_report(spec, tables, info, folder)
    return tables


def _json(x: Any) -> Any:
    if hasattr(x, "item"):
        return x.item()
    if isinstance(x, float) and math.isinf(x):
        return None
    raise TypeError(type(x).__name__)
