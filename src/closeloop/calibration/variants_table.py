"""The calibration figures on closeloop and the simpler models beside it, as a Markdown table.

Rendered from the JSON that ``tools/calibration_variants.py`` records
(docs/calibration-variants.json), never by rerunning the figures: docs/model.md section 22 (through
``closeloop.docs``) and docs/calibration.md (written by the tool) show what was measured, with
the size and seed it was measured at. Reads JSON only: rendering loads no engine.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from closeloop.markdown import table
from closeloop.model.variants import NAMES

RECORDED = Path(__file__).resolve().parents[3] / "docs" / "calibration-variants.json"
"""Where ``tools/calibration_variants.py`` records the results."""

NA = "n/a on this model: "
"""How a figure a simpler model cannot express begins its ``missing`` text."""


def _value(m: dict[str, Any]) -> str:
    v = m["value"]
    return "-" if v is None else f"{v:.3f}"


def cell(fig: dict[str, Any] | None) -> str:
    """'pass (0.26)', '**fail** (0.02, 0.03)', 'n/a: why', 'not expressible' or 'not run'."""
    if fig is None:
        return "not run"
    if not fig["measures"]:
        missing = fig.get("missing", "")
        return f"n/a: {missing[len(NA) :]}" if missing.startswith(NA) else "not expressible"
    values = ", ".join(_value(m) for m in fig["measures"])
    verdict = "**fail**" if fig["verdict"] == "fail" else fig["verdict"]
    return f"{verdict} ({values})"


def calibration_variants_table(path: Path = RECORDED) -> str | None:
    """Figures x models, held-out figures marked, with a count row; None when nothing is
    recorded."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    models = data.get("models", {})
    names = [v for v in NAMES if v in models]
    by_model = {v: {f["id"]: f for f in models[v]["figures"]} for v in names}
    ids = list(dict.fromkeys(f for v in names for f in by_model[v]))
    held = set(data.get("held_out", []))
    rows = [
        [
            f"**{i}**" + (" (held out)" if i in held else ""),
            *(cell(by_model[v].get(i)) for v in names),
        ]
        for i in ids
    ]
    count = []
    for v in names:
        cells = [cell(by_model[v].get(i)) for i in ids]
        count.append(
            f"{sum(c.startswith('pass') for c in cells)} pass, "
            f"{sum(c.startswith('**fail') for c in cells)} fail, "
            f"{sum(c.startswith('n/a') for c in cells)} n/a, "
            f"{sum(c == 'not expressible' for c in cells)} not expressible anywhere"
        )
    rows.append(["all", *count])
    head = table(["figure", *(f"`{v}`" for v in names)], rows)
    return (
        f"{head}\n\nEach cell: the figure's verdict (pass only when every measure is in its band) "
        "and the model's value of each measure, in the order of the calibration table; `n/a`: "
        "the simpler model cannot express the figure, with the reason; `not expressible`: no "
        f"model here can (section 2 of docs/calibration.md). {data.get('n', '?')} people or "
        f"couples per run, seed {data.get('seed', 0)}, default parameters, recorded "
        f"{data.get('date', '?')} by `tools/calibration_variants.py` in "
        "`docs/calibration-variants.json`."
    )
