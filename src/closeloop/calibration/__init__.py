"""Calibration by procedure and validation against published figures (docs/calibration.md).

One function per figure (K1 to K11; ``people`` and ``couples``) simulates what the figure needs
and returns the model's value with a 95% interval beside the published target, its band and a
verdict, or says what the model lacks to express it. ``validate`` makes the table; ``calibrate``
runs the search (``search``) over the relationship parameters and writes every point, the chosen
values and the table before and after. An analysis-level package: only commands import it.
"""

from __future__ import annotations

import importlib
from typing import Any

from closeloop.calibration.params_file import load_params, params_from, to_toml

_LAZY = {
    "FIGURES": "closeloop.calibration.table",
    "HELD_OUT": "closeloop.calibration.table",
    "SEARCHED_FIGURES": "closeloop.calibration.table",
    "held_out_ids": "closeloop.calibration.table",
    "render_json": "closeloop.calibration.table",
    "render_markdown": "closeloop.calibration.table",
    "render_text": "closeloop.calibration.table",
    "validate": "closeloop.calibration.table",
    "Band": "closeloop.calibration.rows",
    "Measure": "closeloop.calibration.rows",
    "Row": "closeloop.calibration.rows",
    "total_loss": "closeloop.calibration.rows",
    "Setting": "closeloop.calibration.runs",
    "SEARCHED": "closeloop.calibration.search",
    "Point": "closeloop.calibration.search",
    "DEFAULT_BUDGET": "closeloop.calibration.procedure",
    "calibrate": "closeloop.calibration.procedure",
}
"""Names loaded on first use: reading a parameters file must not load the engine (JAX)."""

__all__ = ["load_params", "params_from", "to_toml", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'closeloop.calibration' has no attribute {name!r}")
