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

from closeloop.errors import check_int
from closeloop.io import staged
from closeloop.scenario import Scenario, check_pair, scenario
from closeloop.sizing import MAX_UNITS, check_disk, check_run

# The engine (JAX) is imported only after every argument, the output folder and the run's size
# are checked, so that bad input is refused at once instead of after JAX has loaded.

DIARY_COUPLES = 100
"""Couples in the diary table by default: the size of a large daily-diary study."""
MAX_DIARY_COUPLES = 10_000


def _status(show: bool, message: str) -> contextlib.AbstractContextManager[Any]:
    # A spinner on stderr while files are written, so that stdout carries only the result.
    if not show:
        return contextlib.nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(message)


def _warn(message: str | None) -> None:
    if message:
        print(f"warning: {message}", file=sys.stderr)


def run_scenario(
    sc: Scenario | str,
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
        sc: the scenario, or its name or .toml path.
        out: the output folder, written whole and swapped in at the end
            (``closeloop.io.staged``): a folder closeloop wrote before is replaced, never mixed;
            a non-empty folder closeloop did not write is refused unless ``force`` is given.
        n: population size (people, or couples).
        seed: run seed.
        force: write into a non-empty folder closeloop did not write (its files are kept).
        diary_couples: couples in ``diary.parquet`` / ``diary.csv`` (couple scenarios; capped
            at ``n``; 0 writes no diary).
        owner: the command named in error messages.

    Returns:
        The path of ``report.html``.

    Raises:
        InputError: a bad ``sc``, ``n``, ``seed``, ``diary_couples`` or ``out``, or a run too
            large for this machine's memory or disk, before anything is simulated.
    """
    sc = scenario(sc)
    n = check_int("n", n, 1, MAX_UNITS, owner)
    seed = check_int("seed", seed, 0, 2**31 - 1, owner)
    diary_couples = check_int("diary_couples", diary_couples, 0, MAX_DIARY_COUPLES, owner)
    m = min(diary_couples, n) if sc.kind == "couple" else 0
    _warn(check_run(sc.kind, n, sc.days, m, owner))
    with staged(out, force=force) as folder:  # refuses an unwritable out before simulating
        check_disk(sc.kind, n, sc.days, out, m, owner)
        from closeloop.observation import diary, write_diary
        from closeloop.report import write_report
        from closeloop.simulation import simulate

        show = sys.stderr.isatty()
        ds = simulate(sc, n=n, seed=seed, progress=show)
        with _status(show, "writing the report"):
            name = write_report(ds, folder).name
        if m > 0:
            daily = simulate(sc, n=m, seed=seed, daily=True)
            with _status(show, "writing the diary table"):
                write_diary(diary(daily, seed=seed), folder)
    return Path(out) / name


def compare_scenarios(
    sc_a: Scenario | str,
    sc_b: Scenario | str,
    out: str | Path,
    n: int = 1000,
    seed: int = 0,
    *,
    force: bool = False,
    owner: str = "run --compare",
) -> Path:
    """Simulate two scenarios with the same seed and size and write their comparison.

    Arguments:
        sc_a: the scenario compared from (the baseline), or its name or .toml path.
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
        InputError: a bad ``n``, ``seed`` or ``out``, scenarios of different kinds or days, or
            a pair too large for this machine, before anything is simulated.
    """
    sc_a, sc_b = scenario(sc_a), scenario(sc_b)
    n = check_int("n", n, 1, MAX_UNITS, owner)
    seed = check_int("seed", seed, 0, 2**31 - 1, owner)
    check_pair(sc_a.model_dump(), sc_b.model_dump(), owner)
    # Two runs held at once: twice one run's size.
    _warn(check_run(sc_a.kind, 2 * n, sc_a.days, 0, owner))
    with staged(out, force=force) as folder:
        check_disk(sc_a.kind, 2 * n, sc_a.days, out, 0, owner)
        from closeloop.report.comparison import write_comparison
        from closeloop.simulation import simulate

        show = sys.stderr.isatty()
        ds_a = simulate(sc_a, n=n, seed=seed, progress=show)
        ds_b = simulate(sc_b, n=n, seed=seed, progress=show)
        with _status(show, "writing the comparison"):
            name = write_comparison(ds_a, ds_b, folder, force=force).name
    return Path(out) / name
