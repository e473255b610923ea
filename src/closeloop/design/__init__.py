"""Study design: synthetic diary studies of couples and simulation-based power from the
mechanistic model.

A study file (TOML) names the population, a grid of designs (couples, days, prompts a day,
compliance and its decay, what a break-up does), the planned analyses (a multilevel AR(1), a
longitudinal actor-partner model, a cross-lagged model of pursuit and withdrawal, parameter
recovery with the fit's posterior network), the target power and a budget. Every replication
simulates the population through the engine and the diary's measurement model, applies each
design, fits each analysis; the tables say, per design point, the power (with its Monte Carlo
error), bias, RMSE, interval width and coverage against the true value, how many fits failed or
did not converge, the assurance over the priors, and the cheapest design that reaches the
target.

    import closeloop as cl
    tables = cl.design("examples/diary-study.toml", out="study-out")

Modules: ``spec`` (the file), ``sample`` (simulated couples -> what a design records),
``analyses`` (the mixed models), ``replicate`` (one task), ``summary`` (per-point metrics),
``run`` (execution and files), ``report`` (the page), ``linear`` (linear processes with known
coefficients for the cross-checks), ``recovery`` (the fit's network on every couple) and
``window`` (the diary window it was trained on). See docs/design.md.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pandas as pd

from closeloop.design.run import Progress, run_study, simulate_study
from closeloop.design.spec import StudySpec, load_study, parse_study
from closeloop.errors import bad_value
from closeloop.sweep.execute import INLINE, LOCAL

__all__ = ["StudySpec", "design", "load_study", "parse_study", "run_study", "simulate_study"]


def design(
    spec: str | Path | dict[str, Any] | StudySpec,
    out: str | Path | None = None,
    *,
    scheduler: str = LOCAL,
    workers: int = 1,
    report: bool = True,
    progress: Progress | None = None,
) -> dict[str, pd.DataFrame]:
    """Run a study design; return its tables (``points``, ``replications``, ``truth``, ``grid``).

    Arguments:
        spec: a study file's path, its parsed table (a dict) or a ``StudySpec``.
        out: results folder (Parquet tables, run.json, report.html); None: nothing is written
            and the study runs in a plain loop here unless a scheduler address is given.
        scheduler: 'local' (a LocalCluster of ``workers`` processes), 'inline' (a plain loop
            here) or the address tcp://HOST:PORT of a running Dask scheduler.
        workers: worker processes of the LocalCluster.
        report: write report.html with the figures (only with ``out``).
        progress: called with (tasks done, tasks in all) after each task.

    Example:
        >>> import closeloop as cl
        >>> t = cl.design("examples/diary-study.toml")  # doctest: +SKIP
        >>> t["points"][["couples", "days", "analysis", "power"]]  # doctest: +SKIP
    """
    if isinstance(spec, str | Path):
        spec = load_study(spec)
    elif isinstance(spec, dict):
        spec = parse_study(spec)
    elif not isinstance(spec, StudySpec):
        raise bad_value("spec", spec, "a study file path, a table or a StudySpec", "design")
    if out is not None:
        return run_study(
            spec, out, scheduler=scheduler, workers=workers, report=report, progress=progress
        )
    chosen = INLINE if scheduler == LOCAL else scheduler
    return simulate_study(spec, scheduler=chosen, workers=workers, progress=progress)


class _Callable(types.ModuleType):
    """This package called as a function is ``design`` (as ``cl.sweep``): importing a submodule
    binds the package to ``closeloop.design``, and ``cl.design(spec)`` must work either way."""

    def __call__(self, *args: Any, **kwargs: Any) -> dict[str, pd.DataFrame]:
        return design(*args, **kwargs)


sys.modules[__name__].__class__ = _Callable
