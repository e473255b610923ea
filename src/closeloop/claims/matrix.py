"""The claims x mechanisms table: every claim under every mechanism's ablation.

Each cell says whether the claim passed with that one mechanism switched off, and what the
protocol (docs/claims-protocol.md) requires there: a claim's own mechanisms must fail it, its
negative controls must leave it passing, other cells are reported without a requirement.
``tools/ablation_matrix.py`` runs it and writes ``docs/ablation-matrix.json``; ``closeloop.docs``
renders that file into docs/model.md section 19 without rerunning anything.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from closeloop import mechanisms
from closeloop.claims.registry import CLAIMS, Claim, Settings
from closeloop.markdown import table

BASELINE = "none"
"""The column of runs with nothing switched off."""


def role(claim: Claim, mechanism: str) -> str:
    """'own' (must fail), 'control' (must pass) or '' (no requirement)."""
    if mechanism in claim.mechanisms:
        return "own"
    if mechanism in claim.negative_controls:
        return "control"
    return ""


def run_cell(claim: Claim, mechanism: str, n: int, seed: int) -> dict[str, Any]:
    """One claim with one mechanism switched off (none for the baseline)."""
    off = () if mechanism == BASELINE else (mechanism,)
    t0 = time.perf_counter()
    cell: dict[str, Any] = {
        "claim": claim.id,
        "mechanism": mechanism,
        "n": n,
        "role": "baseline" if mechanism == BASELINE else role(claim, mechanism),
    }
    try:
        ev = claim.check(Settings(n=n, seed=seed, ablate=off, quick=True))
    except (RuntimeError, ValueError, IndexError) as e:
        # A check that cannot be computed (e.g. too few people of a kind at a reduced size)
        # is a failure of that cell, recorded with why, not the end of the whole table.
        cell |= {"passed": False, "failed_conditions": [], "error": f"{type(e).__name__}: {e}"}
    else:
        cell |= {
            "passed": all(c.passed for c in ev.conditions),
            "failed_conditions": [i + 1 for i, c in enumerate(ev.conditions) if not c.passed],
        }
    return cell | {"seconds": round(time.perf_counter() - t0, 2)}


def run_matrix(
    n_scale: float = 1.0,
    seed: int = 0,
    only: Sequence[str] = (),
    done: Sequence[dict[str, Any]] = (),
    save: Callable[[list[dict[str, Any]]], None] | None = None,
    switches: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Every claim (or those in ``only``) under the baseline and each mechanism's ablation, at
    ``n_scale`` times the claim's quick size; cells already in ``done`` are kept, and ``save`` is
    called after each mechanism so that a long run can be resumed; ``switches`` restricts the
    columns (the baseline and every mechanism by default), so a run can be split."""
    cells = list(done)
    have = {(c["claim"], c["mechanism"]) for c in cells}
    claims = [c for c in CLAIMS if not only or c.id in only]
    for m in switches or (BASELINE, *mechanisms.NAMES):
        for c in claims:
            if (c.id, m) in have:
                continue
            cells.append(run_cell(c, m, max(20, round(c.n_quick * n_scale)), seed))
        if save is not None:
            save(cells)
    return cells


def _mark(cell: dict[str, Any], live: bool) -> str:
    """A cell: bold for an own mechanism, italic for a negative control, (!) where the
    requirement is broken; a claim that fails with nothing off tests nothing, so its cells carry
    no requirement."""
    ok = "pass" if cell["passed"] else "fail"
    if not live or cell["role"] in ("", "baseline"):
        return ok
    if cell["role"] == "own":
        return "**fail**" if not cell["passed"] else "**pass (!)**"
    return "_pass_" if cell["passed"] else "_fail (!)_"


def render(data: dict[str, Any]) -> str:
    """The matrix as Markdown: mechanisms in rows, claims in columns."""
    cells = {(c["mechanism"], c["claim"]): c for c in data["cells"]}
    claims = sorted(
        {c["claim"] for c in data["cells"]}, key=lambda i: ("PDH".index(i[0]), int(i[1:]))
    )
    live = {c: bool(cells.get((BASELINE, c), {}).get("passed")) for c in claims}
    mechs = [BASELINE, *[m for m in mechanisms.NAMES if any(k[0] == m for k in cells)]]
    rows = [
        [f"`{m}`" if m != BASELINE else "(nothing off)"]
        + [_mark(cells[(m, c)], live[c]) if (m, c) in cells else "" for c in claims]
        for m in mechs
        if any((m, c) in cells for c in claims)
    ]
    own = [c for c in data["cells"] if c["role"] == "own" and live[c["claim"]]]
    ctrl = [c for c in data["cells"] if c["role"] == "control" and live[c["claim"]]]
    rows_at = data.get("row_scale", {})
    other = "".join(f" (column {c}: {k:g})" for c, k in sorted(rows_at.items()))
    dead = [c for c in claims if not live[c]]
    head = (
        f"Quick populations scaled by {data['n_scale']:g}{other}, seed {data['seed']}, run "
        f"{data['date']}. **Bold**: the claim's own mechanism (must fail); _italic_: a negative "
        "control (must pass); (!) marks a cell that breaks that requirement. A claim that fails "
        "with nothing switched off (marked as expected to fail, or too few units at this scale) "
        f"tests nothing in its column, which carries no marks: {', '.join(dead) or 'none'}. "
        f"Over the other claims, own mechanisms failing the claim: "
        f"{sum(not c['passed'] for c in own)} of {len(own)}; negative controls passing: "
        f"{sum(c['passed'] for c in ctrl)} of {len(ctrl)}."
    )
    return head + "\n\n" + table(["switched off", *[f"{c}" for c in claims]], rows)
