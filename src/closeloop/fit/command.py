"""What ``closeloop fit`` does, behind the thin wrapper in ``closeloop.cli``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from closeloop.errors import InputError, check_int

MAX_SIMS = 1_000_000


def run_command(
    diary: Path | None,
    out: Path | None,
    *,
    draws: int,
    seed: int,
    population: bool,
    force: bool,
    train: bool,
    sims: int | None,
    network: Path | None,
) -> str:
    """Fit a diary (or, with ``train``, retrain the network) and return the line to print.

    Raises:
        InputError: a missing or contradictory argument, a bad diary, a bad output folder.
    """
    if train:
        if diary is not None:
            raise InputError(
                "The 'DIARY' argument of fit must be left out with --train (training simulates "
                f"its own couples). Got {str(diary)!r} instead."
            )
        from closeloop.fit.train import SIMS
        from closeloop.fit.train import train as train_network

        n = check_int("sims", SIMS if sims is None else sims, 1024, MAX_SIMS, "fit --train")
        t0 = time.perf_counter()
        man = train_network(
            sims=n, out=network, progress=lambda s: print(s, file=sys.stderr, flush=True)
        )
        folder = network or Path(__file__).resolve().parent / "weights"
        return (
            f"Network trained on {man['simulations']} couples in "
            f"{time.perf_counter() - t0:.0f} s, written to {folder}"
        )
    if diary is None:
        raise InputError(
            "The 'DIARY' argument of fit must be a .parquet or .csv diary file (or use --train). "
            "Got nothing instead."
        )
    if out is None:
        raise InputError(
            "The '--out' option of fit must be a folder for the results. Got nothing instead."
        )
    from closeloop.fit.api import fit
    from closeloop.fit.output import write_fit
    from closeloop.io import check_out

    check_out(out, force)  # refuse an unwritable or foreign folder before any work
    res = fit(diary, draws=draws, seed=seed, population=population, network=network)
    path = write_fit(res, out, force=force)
    return f"Fit written to {path}"
