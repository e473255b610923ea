"""Run a sweep's blocks on Dask (or in a plain loop), keep each finished block as a file, and
gather them into the results: a tidy Parquet table, xarray in Zarr, indices, run.json.

A block is done when its Parquet file exists under its final name (written atomically), so a
killed sweep resumes from its files with nothing lost or duplicated.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from closeloop.errors import InputError, bad_value
from closeloop.io import atomic_write, prepare_out, write_text
from closeloop.sweep.block import blocks, run_block
from closeloop.sweep.design import problem, size
from closeloop.sweep.indices import indices
from closeloop.sweep.spec import SweepSpec

INLINE = "inline"
"""Scheduler name for a plain loop in this process, without Dask (the overhead baseline)."""
LOCAL = "local"
CONNECT_TIMEOUT = "5s"
Progress = Callable[[int, int], None]


def versions() -> dict[str, str]:
    from importlib import metadata

    from closeloop.simulation import versions as base

    out = base()
    for pkg in ("dask", "distributed", "SALib", "zarr", "pyarrow", "pandas"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "absent"
    return out


def block_path(out: Path, start: int, stop: int) -> Path:
    return out / "blocks" / f"points-{start:07d}-{stop:07d}.parquet"


def _write_parquet(path: Path, df: pd.DataFrame) -> None:
    atomic_write(path, lambda p: df.to_parquet(p, index=False))


def _prepare(spec: SweepSpec, out: Path, resume: bool) -> None:
    """Refuse a folder that holds something else, or another sweep; check a resumed one."""
    run = out / "run.json"
    if run.exists():
        try:
            old = json.loads(run.read_text(encoding="utf-8")).get("hash")
        except (OSError, ValueError):
            old = None
        if not resume:
            raise bad_value(
                "out", str(out), "a folder without a sweep (or pass --resume to continue it)"
            )
        if old != spec.digest():
            raise bad_value(
                "out", str(out), "a folder holding this same sweep to resume (its hash differs)"
            )
    prepare_out(out)


def _client(scheduler: str, workers: int) -> tuple[Any, Any]:
    """A Dask client: a LocalCluster of ``workers`` processes, or the scheduler at an address."""
    from distributed import Client, LocalCluster

    if scheduler == LOCAL:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        return Client(cluster), cluster
    if not scheduler.startswith("tcp://"):
        allowed = "'local', 'inline' or an address tcp://HOST:PORT"
        raise bad_value("scheduler", scheduler, allowed, "sweep")
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT), None
    except (OSError, TimeoutError):
        raise bad_value("scheduler", scheduler, "a reachable Dask scheduler", "sweep") from None


def _run_blocks(
    spec: SweepSpec,
    out: Path,
    todo: list[tuple[int, int]],
    scheduler: str,
    workers: int,
    progress: Progress | None,
    done: int,
    total: int,
) -> str:
    """Run the blocks not yet on disk; return the scheduler's address (or 'inline')."""

    def finished(start: int, stop: int, df: pd.DataFrame) -> None:
        nonlocal done
        _write_parquet(block_path(out, start, stop), df)
        done += stop - start
        if progress is not None:
            progress(done, total)

    if scheduler == INLINE:
        for start, stop in todo:
            finished(start, stop, run_block(spec, start, stop))
        return INLINE
    from distributed import as_completed

    client, cluster = _client(scheduler, workers)
    try:
        address = str(client.scheduler.address)
        futures = {
            client.submit(run_block, spec, a, b, pure=False, key=f"sweep-{a}-{b}"): (a, b)
            for a, b in todo
        }
        for fut in as_completed(futures):
            finished(*futures[fut], fut.result())
            fut.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return address


def _zarr(out: Path, table: pd.DataFrame, chunk: int) -> str:
    """Write the table as xarray (dim point) to points.zarr, appending one chunk per block."""
    try:
        import xarray as xr
        import zarr  # noqa: F401
    except ImportError:
        return "skipped: zarr is not installed"
    ds = xr.Dataset.from_dataframe(table.set_index("point"))
    final = out / "points.zarr"
    tmp = Path(tempfile.mkdtemp(prefix=".points.zarr.", dir=out))
    try:
        enc = {k: {"chunks": (chunk,)} for k in ds.data_vars}
        for i, lo in enumerate(range(0, ds.sizes["point"], chunk)):
            part = ds.isel(point=slice(lo, lo + chunk))
            if i == 0:
                part.to_zarr(tmp, mode="w", encoding=enc, consolidated=False, zarr_format=2)
            else:
                part.to_zarr(tmp, append_dim="point", consolidated=False, zarr_format=2)
        if final.exists():
            shutil.rmtree(final)
        tmp.rename(final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return "points.zarr"


def gather(spec: SweepSpec, out: Path) -> pd.DataFrame:
    """All points from the block files, in order; every point present exactly once."""
    n_points = size(spec)
    parts = [pd.read_parquet(block_path(out, a, b)) for a, b in blocks(spec, n_points)]
    table = pd.concat(parts, ignore_index=True).sort_values("point", ignore_index=True)
    if not np.array_equal(table["point"].to_numpy(), np.arange(n_points)):
        raise InputError(f"The sweep in {str(out)!r} lost or duplicated points; rerun it.")
    return table


def output_columns(spec: SweepSpec, table: pd.DataFrame) -> list[str]:
    params = {"point"} | {v.column for v in spec.parameters}
    return [c for c in table.columns if c not in params]


def run_sweep(
    spec: SweepSpec,
    out: str | Path,
    *,
    scheduler: str = LOCAL,
    workers: int = 1,
    resume: bool = False,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Run a sweep into ``out``; return its table (one row per point).

    Arguments:
        spec: the validated sweep (``load_sweep``).
        out: results folder: blocks/, points.parquet, points.zarr, sobol.parquet or
            morris.parquet, run.json.
        scheduler: 'local' (a LocalCluster of ``workers`` processes), 'inline' (a plain loop
            here, no Dask) or the address tcp://HOST:PORT of a running Dask scheduler.
        workers: worker processes of the LocalCluster.
        resume: continue the sweep already in ``out`` (the same spec), running only the
            blocks not yet on disk.
        progress: called with (points done, points in all) after each block.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= 256:
        raise bad_value("workers", workers, "an integer in [1, 256]", "sweep")
    out = Path(out)
    _prepare(spec, out, resume)
    n_points = size(spec)
    every = blocks(spec, n_points)
    todo = [(a, b) for a, b in every if not block_path(out, a, b).exists()]
    done = n_points - sum(b - a for a, b in todo)
    if progress is not None:
        progress(done, n_points)
    info: dict[str, Any] = {
        "spec": spec.to_dict(),
        "scenario": spec.base.to_json() if spec.base is not None else None,
        "hash": spec.digest(),
        "points": n_points,
        "blocks": len(every),
        "versions": versions(),
        "scheduler": scheduler,
    }
    write_text(out / "run.json", json.dumps(info, indent=2, sort_keys=True))
    if todo:
        info["cluster"] = _run_blocks(spec, out, todo, scheduler, workers, progress, done, n_points)
    table = gather(spec, out)
    _write_parquet(out / "points.parquet", table)
    info["zarr"] = _zarr(out, table, spec.block_points)
    idx = indices(spec.design, problem(spec), table, output_columns(spec, table), spec.seed)
    if idx is not None:
        name = "sobol.parquet" if spec.design == "saltelli" else "morris.parquet"
        _write_parquet(out / name, idx)
        info["indices"] = name
    info["complete"] = True
    write_text(out / "run.json", json.dumps(info, indent=2, sort_keys=True))
    return table


def run_tasks(
    func: Callable[..., Any],
    args: list[tuple[Any, ...]],
    finished: Callable[[int, Any], None],
    *,
    scheduler: str = LOCAL,
    workers: int = 1,
    name: str = "task",
) -> str:
    """Run ``func(*args[i])`` for every i, in a plain loop ('inline') or on Dask (a LocalCluster
    of ``workers`` processes, or the scheduler at tcp://HOST:PORT), calling ``finished(i,
    result)`` here as each one ends; return the scheduler's address (or 'inline'). The same
    machinery as a sweep's blocks, for other commands (``closeloop design``)."""
    if scheduler == INLINE:
        for i, a in enumerate(args):
            finished(i, func(*a))
        return INLINE
    from distributed import as_completed

    client, cluster = _client(scheduler, workers)
    try:
        address = str(client.scheduler.address)
        futures = {
            client.submit(func, *a, pure=False, key=f"{name}-{i}"): i for i, a in enumerate(args)
        }
        for fut in as_completed(futures):
            finished(futures[fut], fut.result())
            fut.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return address
