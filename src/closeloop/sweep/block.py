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
from closeloop.simulation import population_tables, run_params
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
    """The block's parameter arrays: each point's value repeated over its n units. History
    values go to the engine's ``history=`` over the scenario's own ``[history]`` table (a
    couple's members share them), with the scenario's ``[change]`` table beside them."""
    sc = spec.base
    assert sc is not None
    n_p = len(PERSON_SPECS)
    names = [s.name for s in PERSON_SPECS]
    shape = (n_units, 2, n_p) if sc.kind == "couple" else (n_units, n_p)
    traits = np.full(shape, np.nan, np.float32)
    settings: dict[str, Any] = dict(sc.relationship if sc.kind == "couple" else sc.world)
    history: dict[str, Any] = {}
    any_trait = False
    for i, v in enumerate(spec.parameters):
        col = np.repeat(x[:, i], spec.n)
        if v.group == "history":
            history[v.name] = col
            continue
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
    hp, change = run_params(sc, history)
    return {
        "settings": settings,
        "traits": traits if any_trait else None,
        "history": hp,
        "change": change,
    }


def simulate_block(
    spec: SweepSpec, start: int, stop: int, x: np.ndarray | None = None
) -> engine.Run:
    """The raw engine output of points [start, stop): one engine call over their units
    (``x``: their design rows, if already at hand)."""
    sc = spec.base
    assert sc is not None
    x = design(spec)[start:stop] if x is None else x
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
            history=pu["history"],
            change=pu["change"],
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
        history=pu["history"],
        change=pu["change"],
    )


def _tag(years: float) -> str:
    return f"y{years:.4g}".replace(".", "_")


def _per_point(a: np.ndarray, n: int) -> np.ndarray:
    """Unit-first (B * n, ...) -> (B, n, ...): each point's units together."""
    return a.reshape((-1, n) + a.shape[1:])


def _mean_units(a: np.ndarray, n: int) -> np.ndarray:
    """Each point's mean over its n units, in float64: (B * n, ...) -> (B, ...). Reduced along
    axis 1 of (B, n, ...), row by row, so a point's value is the same bits whatever B is."""
    return np.mean(_per_point(a, n).astype(np.float64), axis=1)


def _couple_outputs(spec: SweepSpec, m: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The couple summaries of a block's points, each a (B,) column."""
    n = spec.n
    n_months = m["ended"].shape[1]
    out: dict[str, np.ndarray] = {}
    for y in spec.years:
        t, tag = month_index(y, n_months), _tag(y)
        if "ended" in spec.summaries:
            out[f"ended_{tag}"] = _mean_units(m["ended"][:, t] > 0.5, n)
        for k in ("sat", "threat_deep"):
            if k in spec.summaries:
                vals = _mean_units(m[k][:, t], n)
                out[f"{k}_a_{tag}"], out[f"{k}_b_{tag}"] = vals[:, 0], vals[:, 1]
        if "cycle_months" in spec.summaries:
            # A month in the cycle: one pursues while the other declines the bids it gets.
            purs = m["pursuit"][:, : t + 1] >= PURSUIT
            dec = m["declined"][:, : t + 1] / np.maximum(m["offered"][:, : t + 1], 1.0)
            loop = (purs & (dec[..., ::-1] >= DECLINE)).any(axis=-1)
            loop &= m["ended"][:, : t + 1] < 0.5
            out[f"cycle_months_{tag}"] = _mean_units(loop.sum(axis=1), n)
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
                out[f"share_{c.replace('-', '_')}_{tag}"] = _mean_units(label == c, n)
    return out


def _person_outputs(spec: SweepSpec, snaps: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The person summaries of a block's points, each a (B,) column."""
    n = spec.n
    n_months = snaps["longing"].shape[1]
    out: dict[str, np.ndarray] = {}
    for y in spec.years:
        t, tag = month_index(y, n_months), _tag(y)
        if "threat_deep" in spec.summaries:
            deep = snaps["threat"][:, t, DEEP_FROM:].astype(np.float64)
            # The old per-point mean ran over (units, levels) at once: keep that order.
            flat = _per_point(deep, n).reshape(deep.shape[0] // n, -1)
            out[f"threat_deep_{tag}"] = np.mean(flat, axis=1)
        if "longing" in spec.summaries:
            out[f"longing_{tag}"] = _mean_units(snaps["longing"][:, t], n)
    return out


def summarise(
    spec: SweepSpec, raw: engine.Run, start: int, stop: int, x: np.ndarray | None = None
) -> pd.DataFrame:
    """One row per point: its index, its parameter values, its outputs. Every summary is taken
    for all the block's points at once (arrays shaped (points, units, ...)), not point by point.
    """
    x = design(spec)[start:stop] if x is None else x
    cols: dict[str, Any] = {"point": np.arange(start, stop, dtype=np.int64)}
    cols.update({v.column: x[:, j] for j, v in enumerate(spec.parameters)})
    if spec.kind == "couple":
        cols.update(_couple_outputs(spec, raw["monthly"]))
    else:
        cols.update(_person_outputs(spec, raw["snapshots"]))
    return pd.DataFrame(cols)


def run_block(spec: SweepSpec, start: int, stop: int) -> pd.DataFrame:
    """Simulate and summarise points [start, stop): what each Dask task does."""
    x = design(spec)[start:stop]
    df = summarise(spec, simulate_block(spec, start, stop, x), start, stop, x)
    if spec.claims:
        from closeloop.sweep.verdicts import claim_columns

        for name, col in claim_columns(spec, x).items():
            df[name] = col
    return df
