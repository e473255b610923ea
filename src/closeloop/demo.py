"""``closeloop demo``: the representative run, from nothing to a report in one call.

It simulates the ``avoidant-anxious`` couple scenario (one partner whose early history taught
that closeness hurts, with one who learned to reach harder when closeness feels uncertain; ten
years of a relationship) for ``N`` couples and writes the couple report with
``closeloop.report.write_report``: figures over the years with the population's bands and one
example couple, that couple's story with its dates, the data, and a daily-diary table of the
first ``run.DIARY_COUPLES`` couples. The defaults take under a minute on two cores (most of it the
one-off compilation of the engine and the ten years of days).
"""

from __future__ import annotations

from pathlib import Path

from closeloop.run import run_scenario
from closeloop.scenario import scenario

SCENARIO = "avoidant-anxious"
"""The scenario the demo runs."""
N = 1000
"""Couples the demo simulates by default."""


def run_demo(
    out: str | Path = "closeloop-report", n: int = N, seed: int = 0, force: bool = False
) -> Path:
    """Run the representative couple scenario and write its report and diary table.

    Arguments:
        out: the folder for the report, written whole and swapped in at the end: a folder
            closeloop wrote before is replaced, a non-empty folder closeloop did not write is
            refused unless ``force`` is given.
        n: couples to simulate.
        seed: run seed.
        force: write into a non-empty folder closeloop did not write (its files are kept).

    Returns:
        The path of ``report.html``.

    Raises:
        InputError: for a bad or unwritable ``out``, a bad ``n`` or ``seed``, or a run too
            large for this machine, before anything is simulated.

    Example:
        >>> from closeloop.demo import run_demo
        >>> run_demo("demo-out", n=24).name  # doctest: +SKIP
        'report.html'
    """
    return run_scenario(scenario(SCENARIO), out, n=n, seed=seed, force=force, owner="demo")
