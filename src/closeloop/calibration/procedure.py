"""``closeloop validate --calibrate``: the search, then every figure before and after, written
to one folder (docs/calibration.md 5)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from closeloop.calibration.params_file import to_toml
from closeloop.calibration.search import (
    best_point,
    engine_evaluate,
    points_table,
    relationship_of,
    search,
)
from closeloop.calibration.table import render_json, render_markdown, validate
from closeloop.errors import check_int
from closeloop.io import atomic_write, staged, write_text

DEFAULT_BUDGET = 384
"""Points evaluated by default (256 design, 128 refinement): well under 15 minutes on 2 cores."""

SEARCH_COUPLES = 256
"""Couples per point in the search (eight points fill one engine call of 2 x 1024 units)."""


def calibrate(
    out: str | Path,
    *,
    budget: int = DEFAULT_BUDGET,
    seed: int = 0,
    quick: bool = False,
    force: bool = False,
    progress: Callable[[int, float], None] | None = None,
) -> Path:
    """Run the search and write ``points.parquet`` (every point and its loss),
    ``calibrated.toml`` (the chosen values), ``before.json``/``after.json`` and ``table.md``
    (every figure with the defaults and with the chosen values) into ``out``."""
    budget = check_int("budget", budget, 1, 100_000, "validate --calibrate")
    seed = check_int("seed", seed, 0, 2**31 - 1, "validate --calibrate")
    with staged(out, force) as folder:
        m = 64 if quick else SEARCH_COUPLES
        points = search(budget, seed, engine_evaluate(m, seed, 50), progress)
        best = relationship_of(best_point(points))
        table = pd.DataFrame(points_table(points))
        atomic_write(folder / "points.parquet", lambda p: table.to_parquet(p, index=False))
        note = (
            f"closeloop validate --calibrate: best of {len(points)} points, seed {seed}, "
            f"loss {best_point(points).loss:.4g} on the search's population"
        )
        write_text(folder / "calibrated.toml", to_toml(best, note))
        before = validate(None, quick=quick, seed=seed)
        after = validate(best, quick=quick, seed=seed)
        write_text(folder / "before.json", render_json(before))
        write_text(folder / "after.json", render_json(after, best))
        md = ""
        for title, held in (("Calibration figures", False), ("Held-out figures", True)):
            for when, rows in (("before (defaults)", before), ("after (calibrated)", after)):
                sub = [r for r in rows if r.held_out == held]
                md += f"## {title}, {when}\n\n" + render_markdown(sub) + "\n"
        md += "## Loss per figure (before -> after)\n\n"
        for b, a in zip(before, after, strict=True):
            if b.expressible:
                mark = " (held out)" if b.held_out else ""
                md += f"- {b.id}{mark}: {b.loss():.3g} -> {a.loss():.3g}\n"
        write_text(folder / "table.md", md)
    return Path(out)
