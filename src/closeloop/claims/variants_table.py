"""The claims on closeloop and the simpler models beside it, as a Markdown table.

Rendered from the JSON that ``tools/variants_table.py`` records (docs/variants.json), never by
rerunning the claims: the table in docs/model.md shows what was measured, with the seed and size
it was measured at.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from closeloop.markdown import table
from closeloop.model import variants

RECORDED = Path(__file__).resolve().parents[3] / "docs" / "variants.json"
"""Where ``tools/variants_table.py`` records the results."""


def _cell(r: dict[str, Any] | None) -> str:
    """'pass 0.52 [0.47, 0.58]', 'FAIL ...', 'n/a' or 'not run'."""
    if r is None:
        return "not run"
    if r["verdict"] == "n/a":
        return "n/a"
    lo, hi = r["ci"]
    num = "" if r["effect"] is None else f" {r['effect']:.2f}"
    ci = "" if lo is None or hi is None else f" [{lo:.2f}, {hi:.2f}]"
    return f"**{r['verdict']}**{num}{ci}" if r["verdict"] == "FAIL" else f"pass{num}{ci}"


def variants_table(path: Path = RECORDED) -> str | None:
    """The claims-by-variant table with a count row; None when nothing is recorded."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    names = [v for v in variants.NAMES if v in data.get("variants", variants.NAMES)]
    claims = data.get("claims", {})
    rows = []
    for cid, row in claims.items():
        rows.append([f"**{cid}**", *(_cell(row["results"].get(v)) for v in names)])
    rows.sort(key=lambda r: ("PDH".index(r[0][2]), int(r[0][3:-2])))
    count = []
    for v in names:
        verdicts = [row["results"][v]["verdict"] for row in claims.values() if v in row["results"]]
        count.append(
            f"{verdicts.count('pass')} pass, {verdicts.count('FAIL')} fail, "
            f"{verdicts.count('n/a')} n/a"
        )
    rows.append(["all", *count])
    head = table(["claim", *(f"`{v}`" for v in names)], rows)
    size = "quick" if data.get("quick", True) else "full"
    return (
        f"{head}\n\nEach cell: the verdict and the claim's headline effect with its 95% interval "
        f"({size} populations, seed {data.get('seed', 0)}; a claim passes only when every one of "
        "its conditions does, so a headline inside its threshold can still fail). Recorded by "
        "`tools/variants_table.py` in `docs/variants.json`."
    )
