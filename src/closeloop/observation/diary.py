"""From a couple simulation to the daily-diary table (``diary``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from closeloop.errors import InputError
from closeloop.model.couple import NONE, TALK, TOWARD
from closeloop.observation.measure import (
    NOISE_SD,
    RATINGS,
    latent_closeness,
    latent_stress,
    noise,
    to_rating,
)
from closeloop.observation.schema import KEY, SCHEMA, column_array
from closeloop.presets import PRESET_NAMES

_DAILY_KEYS = (
    "bid",
    "bid_depth",
    "received",
    "behaviour",
    "shared",
    "moment",
    "conflict",
    "repaired",
    "arousal",
    "sat",
    "stability",
    "known",
    "ended",
)


def _need_couple_daily(ds: object) -> xr.Dataset:
    """The dataset, checked to be a couple simulation with its daily records."""
    allowed = "a couple Dataset simulated with daily=True (closeloop.simulate(sc, daily=True))"
    if not isinstance(ds, xr.Dataset):
        got = type(ds).__name__
        raise InputError(
            f"The 'ds' parameter of diary must be {allowed}. Got a value of type {got} instead."
        )
    kind = ds.attrs.get("closeloop_kind", "couple" if "couple" in ds.dims else "unknown")
    if kind != "couple" or "couple" not in ds.dims:
        raise InputError(
            f"The 'ds' parameter of diary must be {allowed}. Got a {kind} dataset instead."
        )
    missing = [k for k in _DAILY_KEYS if f"daily_{k}" not in ds]
    if len(missing) == len(_DAILY_KEYS):
        raise InputError(
            f"The 'ds' parameter of diary must be {allowed}. Got a couple dataset without daily "
            "records instead: pass daily=True to simulate."
        )
    if missing:
        names = ", ".join(f"daily_{k}" for k in missing)
        raise InputError(
            f"The 'ds' parameter of diary must be {allowed}. Got one without {names} instead: "
            "simulate it again with this version of closeloop."
        )
    return ds


def check_seed(seed: object, where: str = "diary") -> int:
    """The seed of a measurement's noise, checked (``where``: the function, for the message)."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(
            f"The 'seed' parameter of {where} must be an integer >= 0. Got {seed!r} instead."
        )
    return int(seed)


def _last_day(ended: np.ndarray) -> np.ndarray:
    """(couple,) last observed day: the day the relationship ended, else the run's last day."""
    days = ended.shape[1]
    return np.where(ended.any(axis=1), np.argmax(ended, axis=1), days - 1)


def _swap(x: np.ndarray) -> np.ndarray:
    """The partner's value: flip the member axis (last)."""
    return np.flip(x, axis=-1)


def diary(ds: xr.Dataset, seed: int = 0, *, latent: bool = False) -> pd.DataFrame:
    """The daily-diary table of a couple simulation: what each partner reports each day.

    One row per couple, person and day while the relationship lasts: the day it ends is its last
    row, later days are not observed. Events (bids, responses, withdrawal, talks, conflict and
    repair, the ending) are reported as they happened; closeness, satisfaction and stress are 1-7
    ratings of a latent value plus Gaussian measurement noise (docs/diary.md).

    Arguments:
        ds: a couple Dataset from ``closeloop.simulate(sc, n, seed, daily=True)``.
        seed: seed of the measurement noise; couple c's noise comes from
            ``numpy.random.default_rng([seed, c])``, so any subset of couples gets the same rows.
        latent: also return the latent values the ratings measure (``closeness_latent``,
            ``satisfaction_latent``, ``stress_latent``, floats in [0, 1]); they are not part of
            the file schema.

    Returns:
        A pandas DataFrame with the columns of :data:`SCHEMA` (nullable dtypes, NA where a value
        does not apply), sorted by couple, day and person.

    Example:
        >>> import closeloop as cl
        >>> sc = cl.Scenario(kind="couple", a="avoidant", b="anxious", days=60)
        >>> table = cl.diary(cl.simulate(sc, n=6, seed=0, daily=True), seed=0)
        >>> table.shape
        (720, 19)
    """
    ds = _need_couple_daily(ds)
    seed = check_seed(seed)
    g = {k: np.asarray(ds[f"daily_{k}"].values) for k in _DAILY_KEYS}
    couples = np.asarray(ds["couple"].values)
    n, days = g["ended"].shape
    # Per-couple daily values broadcast over the member axis: every array is (couple, day, 2).
    both = lambda x: np.broadcast_to(x[..., None], (n, days, 2))  # noqa: E731
    bid = g["bid"].astype(bool)
    received = g["received"]
    behaviour = g["behaviour"]
    conflict = both(g["conflict"].astype(bool))
    repaired = both(g["repaired"].astype(bool))
    ended = g["ended"].astype(bool)
    last = _last_day(ended)
    observed = np.arange(days)[None, :] <= last[:, None]
    ended_today = np.zeros((n, days), bool)
    ended_today[np.arange(n), last] = ended[np.arange(n), last]

    lat = {
        "closeness": latent_closeness(
            g["known"],
            _swap(g["known"]),
            bid,
            _swap(received),
            _swap(bid),
            g["shared"].astype(bool),
            conflict,
            repaired,
        ),
        "satisfaction": np.clip(g["sat"], 0.0, 1.0),
        "stress": latent_stress(g["arousal"], g["stability"]),
    }
    z = noise(seed, couples, days)
    rated = {r: to_rating(lat[r] + NOISE_SD[r] * z[..., i]) for i, r in enumerate(RATINGS)}

    preset = np.asarray(ds["preset"].values)
    code = np.vectorize(PRESET_NAMES.index, otypes=[np.int32])(preset)  # (couple, 2)
    spec = {c.name: c for c in SCHEMA}
    withdrew = behaviour != 0
    cols: dict[str, tuple[np.ndarray, np.ndarray | None]] = {
        "couple": (np.broadcast_to(couples[:, None, None], (n, days, 2)), None),
        "person": (np.broadcast_to(np.arange(2), (n, days, 2)), None),
        "day": (np.broadcast_to(np.arange(days)[None, :, None], (n, days, 2)), None),
        "preset": (np.broadcast_to(code[:, None, :], (n, days, 2)), None),
        "partner_preset": (np.broadcast_to(_swap(code)[:, None, :], (n, days, 2)), None),
        "bids_made": (bid, None),
        "bid_depth": (g["bid_depth"], bid),
        "bids_received": (_swap(bid), None),
        # Category codes: received TOWARD..AGAINST (1..3) -> 0..2; behaviour 1..5 -> 0..4.
        "response": (received - TOWARD, received != NONE),
        "partner_response": (_swap(received) - TOWARD, _swap(received) != NONE),
        "withdrew": (withdrew, None),
        "behaviour": (behaviour - 1, withdrew),
        "talk": (both(g["moment"] == TALK), None),
        "conflict": (conflict, None),
        "repaired": (repaired, conflict),
        **{r: (rated[r], None) for r in RATINGS},
        "ended": (both(ended_today), None),
    }
    # (couple, day, person) in C order is the table's sort order when the couples are in order.
    rows = np.broadcast_to(observed[..., None], (n, days, 2)).ravel()
    data = {
        name: column_array(
            spec[name],
            np.asarray(v).ravel()[rows],
            None if p is None else np.asarray(p).ravel()[rows],
        )
        for name, (v, p) in cols.items()
    }
    if latent:
        for r in RATINGS:
            data[f"{r}_latent"] = np.asarray(lat[r], dtype=np.float64).ravel()[rows]
    df = pd.DataFrame(data)
    if np.any(np.diff(couples) < 0):  # e.g. ds.isel(couple=[4, 1])
        df = df.sort_values(list(KEY), kind="stable", ignore_index=True)
    return df
