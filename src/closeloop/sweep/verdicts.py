"""Claim verdicts as sweep outputs: each claim checked at each point of a sweep.

A point's world or relationship values become the claim's ``Settings.overrides`` (the same path
as ``closeloop claims --set``); the claim runs its own scenarios at its quick size (times
``claim_scale``) with the sweep's seed. Columns: ``claim_ID`` (1 holds, 0 does not, NaN not
applicable) and ``claim_ID_effect`` (the headline effect).
"""

from __future__ import annotations

import numpy as np

from closeloop.params import SPECS
from closeloop.sweep.spec import SweepSpec


def overrides(spec: SweepSpec, row: np.ndarray) -> dict[str, float]:
    """A design row as overrides (float32 design values kept inside the specification)."""
    out = {}
    for v, x in zip(spec.parameters, row, strict=True):
        s = SPECS[v.name]
        out[v.name] = min(max(float(x), s.low), s.high)
    return out


def claim_columns(spec: SweepSpec, x: np.ndarray) -> dict[str, list[float]]:
    """The claim columns for the design rows ``x`` (one value per row)."""
    from closeloop.claims import check_claims

    cols: dict[str, list[float]] = {}
    for cid in spec.claims:
        held, effect = [], []
        for row in x:
            (r,) = check_claims(
                quick=True,
                only=cid,
                seed=spec.seed,
                overrides=overrides(spec, row),
                scale=spec.claim_scale,
            )
            held.append(float(r.passed) if r.applicable else float("nan"))
            effect.append(float(r.effect))
        cols[f"claim_{cid}"], cols[f"claim_{cid}_effect"] = held, effect
    return cols
