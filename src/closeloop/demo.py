"""``closeloop demo``: the representative run, from nothing to a report in one call.

It simulates the ``rising-closeness`` scenario (people from each shipped early history meet a
partner's offers of closeness that deepen over six months) and writes the report with
``closeloop.report.write_report``. The defaults take well under half a minute on a laptop.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

from closeloop.errors import bad_value
from closeloop.io import prepare_out
from closeloop.report import write_report
from closeloop.scenario import scenario
from closeloop.simulate import MAX_UNITS, simulate

SCENARIO = "rising-closeness"
"""The scenario the demo runs."""


def _check_n(n: Any, profiles: int) -> int:
    high = MAX_UNITS // profiles
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= high:
        raise bad_value("n", n, f"an integer in [1, {high}] (people per profile)", "demo")
    return n


def _status(show: bool, message: str) -> contextlib.AbstractContextManager[Any]:
    # A spinner while the figures are drawn; on stderr, so that stdout carries only the result.
    if not show:
        return contextlib.nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(message)


def run_demo(
    out: str | Path = "closeloop-report", n: int = 300, seed: int = 0, force: bool = False
) -> Path:
    """Run the representative scenario and write its report.

    Arguments:
        out: the folder for the report; a non-empty folder closeloop did not write is refused
            unless ``force`` is given.
        n: people per profile (the scenario mixes its profiles equally, so about ``n`` each;
            ``n`` times the number of profiles in all).
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
    sc = scenario(SCENARIO)
    units = _check_n(n, len(sc.population)) * len(sc.population)
    # Validate the folder before the run, so that a bad --out fails at once, not after it.
    folder = prepare_out(out, force=force)
    show = sys.stderr.isatty()
    ds = simulate(sc, n=units, seed=seed, progress=show)
    with _status(show, "writing the report"):
        return write_report(ds, folder)
