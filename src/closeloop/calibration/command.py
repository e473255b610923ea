"""``closeloop validate``: the calibration table, or the calibration search, from the command's
options; bad combinations raise one-line InputErrors for the command to print."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from closeloop.errors import InputError


def run_command(
    *,
    json_out: bool,
    quick: bool,
    params: Path | None,
    seed: int,
    calibrate: bool,
    out: Path | None,
    budget: int,
    force: bool,
    variant: str,
    told: Callable[[int, float], None],
) -> str:
    """The text the command prints: the table (or JSON), or where the search was written."""
    from closeloop.calibration import load_params
    from closeloop.model.variants import DEFAULT, check

    relationship = load_params(params) if params is not None else None
    variant = check(variant)
    if calibrate and variant != DEFAULT:
        raise InputError(
            f"validate --calibrate searches closeloop's parameters; got --variant {variant!r} "
            "(allowed with --calibrate: closeloop)."
        )
    if out is not None and not calibrate:
        raise InputError("validate --out is for --calibrate's results; add --calibrate.")
    if calibrate:
        if out is None:
            raise InputError("validate --calibrate needs --out, a folder for its results.")
        from closeloop.calibration import calibrate as run_calibration

        path = run_calibration(
            out, budget=budget, seed=seed, quick=quick, force=force, progress=told
        )
        return f"Calibration written to {path}\n"
    from closeloop.calibration import render_json, render_text
    from closeloop.calibration import validate as validate_rows

    rows = validate_rows(relationship, quick=quick, seed=seed, variant=variant)
    return render_json(rows, relationship, variant) if json_out else render_text(rows, variant)
