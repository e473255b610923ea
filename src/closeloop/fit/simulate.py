"""Simulated couples for training and checking the fit: parameters from the fitting prior, the
project's own engine (per-couple traits and relationship rates), then the diary table through
``closeloop.observation.diary``, exactly as a study's table would be produced."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from closeloop import engine, mechanisms
from closeloop.fit import prior
from closeloop.observation import diary
from closeloop.params import PERSON_SPECS, couple_params
from closeloop.presets import DEFAULT_MIX, PRESET_NAMES
from closeloop.simulation import population_tables


def run(
    theta: dict[str, np.ndarray],
    seed: int,
    days: int,
    *,
    first: int = 0,
    ablate: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, np.ndarray]:
    """Simulate one couple per row of ``theta`` and return its diary and the true quantities.

    Arguments:
        theta: drawn quantity name -> (n,) values (``prior.draw``); missing ones take defaults.
        seed: engine seed (couples ``first .. first + n - 1``) and measurement-noise seed.
        days: diary length.
        first: index of the first couple (disjoint seeds for disjoint sets).
        ablate: mechanisms switched off (negative controls: a diary from another model).

    Returns:
        The diary table (``couple`` numbered from ``first``) and the (n, Q) true values of every
        fitted quantity (``prior.NAMES`` order), derived ones included.
    """
    n = len(next(iter(theta.values())))
    person = [s.name for s in PERSON_SPECS]  # the engine's fixed traits: full person vector
    traits = np.full((n, 2, len(person)), np.nan, np.float32)
    couple: dict[str, Any] = {}
    for q in prior.DRAWN:
        if q.name not in theta:
            continue
        if q.member is None:
            couple[q.base] = theta[q.name]
        else:
            traits[:, q.member, person.index(q.base)] = theta[q.name]
    tab = population_tables(DEFAULT_MIX)
    raw = engine.run_couples(
        n,
        seed,
        tab,
        tab,
        couple_params(**couple),
        mechanisms.flags(mechanisms.validate(ablate)),
        days=days,
        daily=True,
        traits=traits,
        first=first,
    )
    ds = _dataset(raw, n, first)
    table = diary(ds, seed=seed)
    truth = prior.true_values(raw["params"], raw["threat0"], couple)
    return table, truth


def _dataset(raw: engine.Run, n: int, first: int) -> xr.Dataset:
    """The part of a couple Dataset that ``observation.diary`` reads."""
    dims = engine.COUPLE_RECORD.dims
    data: dict[str, Any] = {
        "preset": (("couple", "member"), np.array(PRESET_NAMES)[raw["preset"]]),
    }
    for k, v in raw["daily"].items():
        data[f"daily_{k}"] = (("couple", "day", *dims[f"daily.{k}"]), v)
    coords = {"couple": np.arange(first, first + n), "member": ["a", "b"]}
    ds = xr.Dataset(data, coords=coords)
    ds.attrs["closeloop_kind"] = "couple"
    return ds


def simulate(n: int, seed: int, days: int, *, first: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """``n`` couples from the fitting prior: their diary and true quantities."""
    return run(prior.draw(n, seed * 1_000_003 + first), seed, days, first=first)
