"""Sweeps and global sensitivity: many parameter settings of one scenario, run in blocks (one
engine call each) in-process or on a Dask cluster, with Sobol' and Morris indices (SALib).

    import closeloop as cl
    table = cl.sweep("examples/sweep-bid-rate.toml", out="sweep-out")

See docs/sweeps.md.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pandas as pd

from closeloop.errors import bad_value
from closeloop.sweep.execute import INLINE, LOCAL, Progress, run_sweep
from closeloop.sweep.spec import SweepSpec, load_sweep, parse_sweep

__all__ = ["SweepSpec", "load_sweep", "parse_sweep", "run_sweep", "sweep"]


def sweep(
    spec: str | Path | dict[str, Any] | SweepSpec,
    out: str | Path | None = None,
    *,
    scheduler: str = LOCAL,
    workers: int = 1,
    resume: bool = False,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Run a sweep and return its table: one row per point (parameter values, then outputs).

    Arguments:
        spec: a sweep file's path, its parsed table (a dict), or a ``SweepSpec``.
        out: results folder (see ``run_sweep``); None: a temporary one, removed afterwards,
            and the sweep runs in a plain loop here unless a scheduler is given.
        scheduler, workers, resume, progress: as ``run_sweep``.

    Example:
        >>> import closeloop as cl
        >>> t = cl.sweep({"scenario": "avoidant-anxious", "points": 2, "couples": 2,
        ...               "days": 30, "parameters": {"bid_rate": {}}})  # doctest: +SKIP
    """
    if isinstance(spec, str | Path):
        spec = load_sweep(spec)
    elif isinstance(spec, dict):
        spec = parse_sweep(spec)
    elif not isinstance(spec, SweepSpec):
        raise bad_value("spec", spec, "a sweep file path, a table or a SweepSpec", "sweep")
    if out is not None:
        return run_sweep(
            spec, out, scheduler=scheduler, workers=workers, resume=resume, progress=progress
        )
    import tempfile

    with tempfile.TemporaryDirectory(prefix="closeloop-sweep-") as tmp:
        chosen = INLINE if scheduler == LOCAL else scheduler
        return run_sweep(spec, tmp, scheduler=chosen, workers=workers, progress=progress)


class _Callable(types.ModuleType):
    """This package called as a function is ``sweep``: importing a submodule binds the package,
    not the function, to ``closeloop.sweep``, and ``cl.sweep(spec)`` must work either way."""

    def __call__(self, *args: Any, **kwargs: Any) -> pd.DataFrame:
        return sweep(*args, **kwargs)


sys.modules[__name__].__class__ = _Callable
