"""The figures in order, the held-out third, one validation run, and the table (text, Markdown,
JSON)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping

import numpy as np

from closeloop.calibration import couples, people
from closeloop.calibration.rows import Measure, Row, total_loss
from closeloop.calibration.runs import HISTORY_NAMES, Runs, setting_for
from closeloop.calibration.variants_table import NA
from closeloop.model import variants
from closeloop.simulation import NOTICE

FIGURES: dict[str, Callable[[Runs], Row]] = {
    "K1": people.k1,
    "K2": people.k2,
    "K3": people.k3,
    "K4": people.k4,
    "K5": couples.k5,
    "K6": couples.k6,
    "K7": people.k7,
    "K8": people.k8,
    "K9": couples.k9,
    "K10": couples.k10,
    "K11": couples.k11,
}
"""One function per published figure (docs/calibration.md)."""

HELD_OUT_SEED = 11
"""Seed of the held-out draw, fixed before any calibration run (docs/calibration.md 3)."""


def held_out_ids(seed: int = HELD_OUT_SEED) -> tuple[str, ...]:
    """A third of the figures (4 of 11), drawn once with a fixed seed."""
    ids = list(FIGURES)
    k = math.ceil(len(ids) / 3)
    pick = np.random.default_rng(seed).choice(len(ids), size=k, replace=False)
    return tuple(ids[i] for i in sorted(int(j) for j in pick))


HELD_OUT = held_out_ids()

SEARCHED_FIGURES = ("K1", "K3", "K4", "K5", "K10", "K11")
"""Calibration figures that depend on the searched parameters (the search evaluates only these;
K7 is not expressible). K1, K3 and K4 move with the history parameters only."""


ABSENT_WHY = {
    "threat_deep": "its members carry no learned threat in adult life (closeness is its only "
    "state), so there is no deep threat to follow",
    "support": "it has no outside support, so the alternatives, and commitment with them, do not "
    "vary from couple to couple",
}
"""Why a simpler model lacks a quantity a figure reads (the engine's record has no such array)."""


def validate(
    relationship: Mapping[str, float] | None = None,
    *,
    quick: bool = False,
    seed: int = 0,
    only: tuple[str, ...] | None = None,
    variant: str = variants.DEFAULT,
) -> list[Row]:
    """Every figure's row for a setting of relationship and history values (one flat table;
    defaults when None), held-out rows marked, on the model ``variant`` (closeloop or a simpler
    one beside it)."""
    variant = variants.check(variant)
    size = 512 if quick else 2048
    setting = setting_for(relationship or {}, size, size, seed, 50 if quick else 200, variant)
    return rows_for(Runs(setting), only)


def rows_for(runs: Runs, only: tuple[str, ...] | None = None) -> list[Row]:
    """The rows of ``only`` (all figures when None) from one setting's runs. On a simpler model,
    a figure that needs what the model does not have (people on their own, interventions, a
    learned quantity) is a not-expressible row that says why ("n/a" in the tables)."""
    out = []
    for fid, fn in FIGURES.items():
        if only is not None and fid not in only:
            continue
        try:
            row = fn(runs)
        except variants.NotApplicable as e:
            row = Row(fid, "-", "-", missing=f"{NA}{e}".rstrip("."))
        except KeyError as e:
            key = str(e.args[0]) if e.args else "?"
            if runs.setting.variant == variants.DEFAULT:
                raise
            why = ABSENT_WHY.get(key, f"it does not record '{key}'")
            row = Row(fid, "-", "-", missing=f"{NA}{why}")
        out.append(Row(**{**row.__dict__, "held_out": fid in HELD_OUT}))
    return out


def _num(x: float) -> str:
    return "-" if not math.isfinite(x) else f"{x:.3f}"


def _lines(rows: list[Row]) -> list[list[str]]:
    out = []
    for r in rows:
        fid = r.id + (" (held out)" if r.held_out else "")
        if not r.measures and r.missing.startswith(NA):
            out.append([fid, "-", "-", "-", "-", "n/a", r.missing[len(NA) :]])
            continue
        if not r.measures:
            out.append([fid, "-", "-", "-", "-", r.verdict, f"missing: {r.missing}"])
            continue
        for j, m in enumerate(r.measures):
            out.append(_measure_line(fid if j == 0 else "", m, r.missing if j == 0 else ""))
    return out


def _measure_line(fid: str, m: Measure, missing: str) -> list[str]:
    ci = f"[{_num(m.lo)}, {_num(m.hi)}]"
    note = f"not expressible part: {missing}" if missing else ""
    return [fid, m.name, _num(m.value), ci, m.band.describe(), m.verdict, note]


HEAD = ["id", "measure", "model", "95% interval", "target [band]", "verdict", "note"]


def render_text(rows: list[Row], variant: str = variants.DEFAULT) -> str:
    """A plain table, calibration figures first, then the held-out ones, then the losses (the
    model named first when it is a simpler one)."""
    parts = []
    if variant != variants.DEFAULT:
        parts.append(f"Model: {variant} ({variants.BY_NAME[variant].summary})")
    for title, held in (("Calibration figures", False), ("Held-out figures", True)):
        sub = [r for r in rows if r.held_out == held]
        body = _lines(sub)
        widths = [max(len(x[i]) for x in [HEAD, *body]) for i in range(len(HEAD) - 1)]
        lines = [title]
        for x in [HEAD, *body]:
            cells = [c.ljust(w) for c, w in zip(x[:-1], widths, strict=True)]
            lines.append("  ".join([*cells, x[-1]]).rstrip())
        parts.append("\n".join(lines))
    parts.append(f"Loss: calibration {total_loss(rows):.3f}, held out {total_loss(rows, True):.3f}")
    parts.append(NOTICE)
    return "\n\n".join(parts) + "\n"


def render_markdown(rows: list[Row]) -> str:
    """The same table in Markdown (for docs/calibration.md)."""
    out = ["| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    for x in _lines(rows):
        out.append("| " + " | ".join(c.replace("|", "/") for c in x) + " |")
    return "\n".join(out) + "\n"


def render_json(
    rows: list[Row],
    relationship: Mapping[str, float] | None = None,
    variant: str = variants.DEFAULT,
) -> str:
    """The rows, the losses and the setting (with the model) as JSON: ``relationship`` and
    ``history`` hold the values of each group (``relationship``: one flat table of both)."""
    values = dict(relationship or {})
    return json.dumps(
        {
            "variant": variant,
            "relationship": {k: v for k, v in values.items() if k not in HISTORY_NAMES},
            "history": {k: v for k, v in values.items() if k in HISTORY_NAMES},
            "held_out": list(HELD_OUT),
            "loss": {"calibration": total_loss(rows), "held_out": total_loss(rows, True)},
            "figures": [r.to_dict() for r in rows],
            "notice": NOTICE,
        },
        indent=2,
    )
