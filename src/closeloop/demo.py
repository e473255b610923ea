"""``closeloop demo``: the representative run, from nothing to a report in one call.

It simulates the ``avoidant-anxious`` couple scenario (one partner whose early history taught
that closeness hurts, with one who learned to reach harder when closeness feels uncertain; ten
years of a relationship) for ``N`` couples and writes the couple report with
``closeloop.report.write_report``: figures over the years with the population's bands and one
example couple, that couple's story with its dates, and the data. The defaults take about half a
minute on two cores (most of it the one-off compilation of the engine and the ten years of
days).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

from closeloop.errors import InputError, bad_value
from closeloop.io import prepare_out
from closeloop.report import write_report
from closeloop.scenario import Scenario, scenario
from closeloop.simulate import MAX_UNITS, simulate

SCENARIO = "avoidant-anxious"
"""The scenario the demo runs."""
N = 1000
"""Couples the demo simulates by default."""


def demo_scenario() -> Scenario:
    """The demo's scenario: the shipped ``avoidant-anxious``, or an equivalent built here if the
    library does not have it (an installation from before it shipped)."""
    try:
        return scenario(SCENARIO)
    except InputError:
        return Scenario(
            name=SCENARIO,
            description=(
                "One partner learned early that closeness hurts, the other that reaching harder "
                "brings a response: the pursue-withdraw cycle."
            ),
            kind="couple",
            days=3650,
            a="avoidant",
            b="anxious",
        )


def _check_n(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_UNITS:
        raise bad_value("n", n, f"an integer in [1, {MAX_UNITS}] (couples)", "demo")
    return n


def _status(show: bool, message: str) -> contextlib.AbstractContextManager[Any]:
    # A spinner while the figures are drawn; on stderr, so that stdout carries only the result.
    if not show:
        return contextlib.nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(message)


def run_demo(
    out: str | Path = "closeloop-report", n: int = N, seed: int = 0, force: bool = False
) -> Path:
    """Run the representative couple scenario and write its report.

    Arguments:
        out: the folder for the report; a non-empty folder closeloop did not write is refused
            unless ``force`` is given.
        n: couples to simulate.
        seed: run seed.
        force: write into a non-empty folder closeloop did not write.

    Returns:
        The path of ``report.html``.

    Raises:
        InputError: for a bad ``out``, ``n`` or ``seed``, before anything is simulated.

    Example:
        >>> from closeloop.demo import run_demo
        >>> run_demo("demo-out", n=24).name  # doctest: +SKIP
        'report.html'
    """
    n = _check_n(n)
    sc = demo_scenario()
    # Validate the folder before the run, so that a bad --out fails at once, not after it.
    folder = prepare_out(out, force=force)
    show = sys.stderr.isatty()
    ds = simulate(sc, n=n, seed=seed, daily=False, progress=show)
    with _status(show, "writing the report"):
        return write_report(ds, folder)
