"""A scenario from nothing to its report, data and (for couples) diary table, in one call.

``closeloop run`` and ``closeloop demo`` both come here, so that the two write the same files the
same way: the output folder is checked before anything is simulated (a non-empty folder closeloop
did not write is refused unless ``force``), the population is simulated with streaming summaries,
the report is written (``closeloop.report.write_report``), and for a couple scenario the first
``diary_couples`` couples are simulated again with their daily records and written as a
daily-diary table (``closeloop.diary``). A couple's key depends only on the seed and its index, so
these are exactly the report's first couples, day by day.

``closeloop run SCENARIO --compare OTHER`` comes to ``compare_scenarios``: both scenarios with the
same seed and size, so that unit i is the same person or couple in both, written as one
side-by-side report (``closeloop.report.comparison.write_comparison``).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

from closeloop.io import prepare_out
from closeloop.scenario import Scenario
from closeloop.simulation import MAX_UNITS, check_int, simulate

DIARY_COUPLES = 100
"""Couples in the diary table by default: the size of a large daily-diary study."""
MAX_DIARY_COUPLES = 10_000


def _status(show: bool, message: str) -> contextlib.AbstractContextManager[Any]:
    # A spinner on stderr while files are written, so that stdout carries only the result.
    if not show:
        return contextlib.nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(message)


def run_scenario(
    sc: Scenario,
    out: str | Path,
    n: int = 1000,
    seed: int = 0,
    *,
    force: bool = False,
    diary_couples: int = DIARY_COUPLES,
    owner: str = "run",
) -> Path:
    """Simulate a scenario and write its report (and diary table, for couples) into ``out``.

    Arguments:
        sc: the scenario.
        out: the output folder; a non-empty folder closeloop did not write is refused unless
            ``force`` is given.
        n: population size (people, or couples).
        seed: run seed.
        force: write into a non-empty folder closeloop did not write (its files are kept).
        diary_couples: couples in ``diary.parquet`` / ``diary.csv`` (couple scenarios; capped
            at ``n``; 0 writes no diary).
        owner: the command named in error messages.

    Returns:
        The path of ``report.html``.

    Raises:
        InputError: a bad ``n``, ``seed``, ``diary_couples`` or ``out``, before anything is
            simulated.
    """
    from closeloop.observation import diary, write_diary
    from closeloop.report import write_report

    n = check_int("n", n, 1, MAX_UNITS, owner)
    seed = check_int("seed", seed, 0, 2**31 - 1, owner)
    diary_couples = check_int("diary_couples", diary_couples, 0, MAX_DIARY_COUPLES, owner)
    folder = prepare_out(out, force=force)
    show = sys.stderr.isatty()
    ds = simulate(sc, n=n, seed=seed, progress=show)
    with _status(show, "writing the report"):
        path = write_report(ds, folder)
    m = min(diary_couples, n)
    if sc.kind == "couple" and m > 0:
        daily = simulate(sc, n=m, seed=seed, daily=True)
        with _status(show, "writing the diary table"):
            write_diary(diary(daily, seed=seed), folder)
    return path


def compare_scenarios(
    sc_a: Scenario,
    sc_b: Scenario,
    out: str | Path,
    n: int = 1000,
    seed: int = 0,
    *,
    force: bool = False,
    owner: str = "run --compare",
) -> Path:
    """Simulate two scenarios with the same seed and size and write their comparison.

    Arguments:
        sc_a: the scenario compared from (the baseline).
        sc_b: the scenario compared with (the what-if); same kind and days as ``sc_a``.
        out: the output folder, as for ``run_scenario``; each scenario's own report goes into a
            subfolder named after it.
        n: population size (people, or couples) of each run.
        seed: run seed of both runs.
        force: write into a non-empty folder closeloop did not write (its files are kept).
        owner: the command named in error messages.

    Returns:
        The path of the comparison's ``report.html``.

    Raises:
        InputError: a bad ``n``, ``seed`` or ``out``, or scenarios of different kinds or days,
            before anything is simulated.
    """
    from closeloop.analysis.scenario_diff import check_pair
    from closeloop.report.comparison import write_comparison

    n = check_int("n", n, 1, MAX_UNITS, owner)
    seed = check_int("seed", seed, 0, 2**31 - 1, owner)
    check_pair(sc_a.model_dump(), sc_b.model_dump(), owner)
    folder = prepare_out(out, force=force)
    show = sys.stderr.isatty()
    ds_a = simulate(sc_a, n=n, seed=seed, progress=show)
    ds_b = simulate(sc_b, n=n, seed=seed, progress=show)
    with _status(show, "writing the comparison"):
        return write_comparison(ds_a, ds_b, folder, force=force)
