"""One block of a sweep: B points x n units as ONE engine call, summarised per point.

Unit ``j`` of point ``p`` is engine unit ``p * n + j`` (``first=``), so a point's couples, and so
its outputs, depend only on the sweep seed and the point's index: the same bits whatever block
it runs in, on whichever machine.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from closeloop import engine, mechanisms
from closeloop.params import PERSON_SPECS, couple_params, world_params
from closeloop.simulation import population_tables
from closeloop.sweep.design import design
from closeloop.sweep.spec import SweepSpec
from closeloop.trajectory import CLASSES, DECLINE, PURSUIT, WINDOW, classify_arrays

DEEP_FROM = 3
"""First depth level counted as deep (fears and needs and beyond; as the engine's threat_deep)."""


def blocks(spec: SweepSpec, n_points: int) -> list[tuple[int, int]]:
    """[start, stop) point ranges of the blocks."""
    b = spec.block_points
    return [(s, min(s + b, n_points)) for s in range(0, n_points, b)]


def month_index(years: float, n_months: int) -> int:
    """Index of the monthly snapshot that closes the given year (the last one at the end)."""
    days = round(years * 365)
    return int(min(max(-(-days // engine.SNAP_DAYS), 1), n_months) - 1)


def _per_unit(spec: SweepSpec, x: np.ndarray, n_units: int) -> dict[str, Any]:
    """The block's parameter arrays: each point's value repeated over its n units."""
    sc = spec.base
    assert sc is not None
    n_p = len(PERSON_SPECS)
    names = [s.name for s in PERSON_SPECS]
    shape = (n_units, 2, n_p) if sc.kind == "couple" else (n_units, n_p)
    traits = np.full(shape, np.nan, np.float32)
    settings: dict[str, Any] = dict(sc.relationship if sc.kind == "couple" else sc.world)
    any_trait = False
    for i, v in enumerate(spec.parameters):
        col = np.repeat(x[:, i], spec.n)
        if v.group != "person":
            settings[v.name] = col
            continue
        any_trait = True
        k = names.index(v.name)
        if sc.kind == "person":
            traits[:, k] = col
        else:
            for m in (0, 1) if v.member == "both" else ("ab".index(v.member),):
                traits[:, m, k] = col
    return {"settings": settings, "traits": traits if any_trait else None}


def simulate_block(spec: SweepSpec, start: int, stop: int) -> engine.Run:
    """The raw engine output of points [start, stop): one engine call over their units."""
    sc = spec.base
    assert sc is not None
    x = design(spec)[start:stop]
    n_units = (stop - start) * spec.n
    pu = _per_unit(spec, x, n_units)
    flags = mechanisms.flags(sc.ablate)
    if sc.kind == "couple":
        return engine.run_couples(
            n_units,
            spec.seed,
            population_tables(sc.a, sc.traits, sc.traits_a),
            population_tables(sc.b, sc.traits, sc.traits_b),
            couple_params(**pu["settings"]),
            flags,
            days=sc.days,
            schedule=sc.schedule(),
            traits=pu["traits"],
            first=start * spec.n,
        )
    return engine.run_population(
        n_units,
        spec.seed,
        population_tables(sc.population, sc.traits),
        world_params(**pu["settings"]),
        flags,
        days=sc.days,
        schedule=sc.schedule(),
        traits=pu["traits"],
        first=start * spec.n,
    )


def _tag(years: float) -> str:
    return f"y{years:.4g}".replace(".", "_")


def _couple_outputs(spec: SweepSpec, raw: dict[str, Any], p: int) -> dict[str, float]:
    m = raw["monthly"]
    n_months = m["ended"].shape[1]
    out: dict[str, float] = {}
    for y in spec.years:
        t, tag = month_index(y, n_months), _tag(y)
        if "ended" in spec.summaries:
            out[f"ended_{tag}"] = float(np.mean(m["ended"][:, t] > 0.5))
        for k, name in (("sat", "sat"), ("threat_deep", "threat_deep")):
            if name in spec.summaries:
                vals = np.mean(m[k][:, t].astype(np.float64), axis=0)
                out[f"{name}_a_{tag}"], out[f"{name}_b_{tag}"] = float(vals[0]), float(vals[1])
        if "cycle_months" in spec.summaries:
            # A month in the cycle: one pursues while the other declines the bids it gets.
            purs = m["pursuit"][:, : t + 1] >= PURSUIT
            dec = m["declined"][:, : t + 1] / np.maximum(m["offered"][:, : t + 1], 1.0)
            loop = (purs & (dec[..., ::-1] >= DECLINE)).any(axis=-1)
            loop &= m["ended"][:, : t + 1] < 0.5
            out[f"cycle_months_{tag}"] = float(np.mean(loop.sum(axis=1)))
        if "trajectory" in spec.summaries:
            w = slice(max(0, t + 1 - WINDOW), t + 1)
            label = classify_arrays(
                ended=m["ended"][:, t] > 0.5,
                conflicts=m["conflicts"][:, w],
                repaired=m["repaired"][:, w],
                pursuit=m["pursuit"][:, w],
                offered=m["offered"][:, w],
                declined=m["declined"][:, w],
                known=m["known"][:, w],
            )
            for c in CLASSES:
                out[f"share_{c.replace('-', '_')}_{tag}"] = float(np.mean(label == c))
    return out


def _person_outputs(spec: SweepSpec, raw: dict[str, Any]) -> dict[str, float]:
    snaps = raw["snapshots"]
    n_months = snaps["longing"].shape[1]
    out: dict[str, float] = {}
    for y in spec.years:
        t, tag = month_index(y, n_months), _tag(y)
        if "threat_deep" in spec.summaries:
            deep = snaps["threat"][:, t, DEEP_FROM:].astype(np.float64)
            out[f"threat_deep_{tag}"] = float(np.mean(deep))
        if "longing" in spec.summaries:
            out[f"longing_{tag}"] = float(np.mean(snaps["longing"][:, t].astype(np.float64)))
    return out


def _slice(raw: Any, lo: int, hi: int) -> Any:
    if isinstance(raw, dict):
        return {k: _slice(v, lo, hi) for k, v in raw.items()}
    return raw[lo:hi]


def summarise(spec: SweepSpec, raw: engine.Run, start: int, stop: int) -> pd.DataFrame:
    """One row per point: its index, its parameter values, its outputs."""
    x = design(spec)[start:stop]
    rows = []
    for i, p in enumerate(range(start, stop)):
        unit = _slice(raw, i * spec.n, (i + 1) * spec.n)
        row: dict[str, Any] = {"point": p}
        row.update({v.column: x[i, j] for j, v in enumerate(spec.parameters)})
        is_couple = spec.kind == "couple"
        row.update(_couple_outputs(spec, unit, p) if is_couple else _person_outputs(spec, unit))
        rows.append(row)
    df = pd.DataFrame(rows)
    df["point"] = df["point"].astype(np.int64)
    return df


def run_block(spec: SweepSpec, start: int, stop: int) -> pd.DataFrame:
    """Simulate and summarise points [start, stop): what each Dask task does."""
    df = summarise(spec, simulate_block(spec, start, stop), start, stop)
    if spec.claims:
        from closeloop.sweep.verdicts import claim_columns

        for name, col in claim_columns(spec, design(spec)[start:stop]).items():
            df[name] = col
    return df
