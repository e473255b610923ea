"""Synthetic studies: the population's couples through the engine and the diary's measurement
model, then the design's prompts, compliance and break-ups.

One replication simulates the largest study of the grid once (its most couples for its most
days); every design point takes the first ``couples`` enrolled couples and the first ``days``
diary days of it, and the first ``prompts`` of the prompt draws. A smaller study is thus a part
of the larger one (common random numbers: the power curves are smooth and their differences
precise), and, since a day's simulation never depends on later days, it is exactly the study
that would have been run at that size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from closeloop.design.spec import RATING_VARIABLES, Point, StudySpec
from closeloop.errors import InputError
from closeloop.observation import NOISE_SD, diary, to_rating

STREAM_MEASURE = 1
"""Tag of the random stream of the prompts' answers and measurement noise."""
STREAM_SCENARIO = 2
"""Tag of the per-scenario simulation seeds."""
STREAM_TRUTH = 3
"""Tag of the large study that defines the true values."""
STREAM_PRIOR = 4
"""Tag of the parameter draws of the assurance replications."""
MAX_OVERSAMPLE = 64
"""At most this many times the couples needed are simulated to enrol them (start_day > 0)."""


def seed_for(seed: int, *stream: int) -> int:
    """A 31-bit seed for one stream of a study (NumPy's SeedSequence: independent streams)."""
    return int(np.random.SeedSequence([seed, *stream]).generate_state(1)[0] & 0x7FFFFFFF)


def assignment(weights: tuple[float, ...], n: int) -> np.ndarray:
    """Scenario index of couples 0..n-1: every prefix is as close to the mix as it can be."""
    w = np.asarray(weights, np.float64)
    counts = np.zeros(len(w))
    out = np.empty(n, np.int64)
    for k in range(n):
        s = int(np.argmax(w * (k + 1) - counts))
        out[k] = s
        counts[s] += 1
    return out


Kept = list[tuple[np.ndarray, pd.DataFrame, xr.Dataset, dict[str, float]]]
"""Per scenario of the mix: the couples' indices in the population, their diary table (the
measurement model's ratings), their simulated Dataset and relationship values (a recovery
analysis fits the table and takes each couple's true values from the rest)."""


def _simulate(
    spec: StudySpec, n: int, seed: int, overrides: dict[str, float], keep: Kept | None = None
) -> dict[str, np.ndarray]:
    """The population's first ``n`` couples over start_day + the grid's longest diary, as dense
    (couple, relationship day, person) arrays of latent values and events, NaN after the end;
    with ``keep``, each scenario's diary table and Dataset are appended to it."""
    from closeloop.simulation import simulate

    days = spec.start_day + max(spec.days)
    which = assignment(tuple(w for _, w in spec.scenarios), n)
    parts: dict[str, np.ndarray] = {}
    for s, base in enumerate(spec.bases):
        idx = np.flatnonzero(which == s)
        if not len(idx):
            continue
        sc = base.replace(days=days, relationship={**base.relationship, **overrides})
        ds = simulate(sc, n=len(idx), seed=seed_for(seed, STREAM_SCENARIO, s), daily=True)
        t = diary(ds, seed=0, latent=True)
        if keep is not None:
            keep.append((idx, t, ds, dict(sc.relationship)))
        c = t["couple"].to_numpy(np.int64)
        d = t["day"].to_numpy(np.int64)
        p = t["person"].cat.codes.to_numpy(np.int64)
        cols = {f"{r}": t[f"{r}_latent"].to_numpy(np.float64) for r in RATING_VARIABLES}
        cols["bids"] = t["bids_made"].to_numpy(np.float64)
        cols["withdrew"] = t["withdrew"].to_numpy(np.float64)
        for k, v in cols.items():
            arr = parts.setdefault(k, np.full((n, days, 2), np.nan))
            arr[idx[c], d, p] = v
    return parts


def population(
    spec: StudySpec,
    n: int,
    seed: int,
    overrides: dict[str, float] | None = None,
    keep: Kept | None = None,
) -> dict[str, np.ndarray]:
    """``n`` enrolled couples' latent diary over the grid's longest diary (diary day 0 is
    relationship day ``start_day``; couples already apart then are not enrolled), ``end``
    (couple,): the diary day of the break-up, or the diary's length if none, and ``enrolled``:
    each one's index among the simulated couples (``keep``: as ``_simulate``)."""
    overrides = overrides or {}
    longest = max(spec.days)
    sim = n
    while True:
        if keep is not None:
            keep.clear()  # only the last, large enough simulation's couples are enrolled
        raw = _simulate(spec, sim, seed, overrides, keep)
        window = {k: v[:, spec.start_day :, :] for k, v in raw.items()}
        seen = np.isfinite(window["bids"][:, :, 0])
        enrolled = np.flatnonzero(seen[:, 0])[:n]
        if len(enrolled) == n:
            break
        if sim >= n * MAX_OVERSAMPLE:
            raise InputError(
                f"The 'population.start_day' parameter of design leaves fewer than {n} of "
                f"{sim} couples together on day {spec.start_day}: choose an earlier day."
            )
        sim *= 2  # the same seed gives the same couples whatever n: a superset
    out = {k: v[enrolled] for k, v in window.items()}
    last = seen[enrolled].sum(axis=1) - 1
    ended = last < longest - 1
    out["end"] = np.where(ended, last, longest).astype(np.float64)
    out["enrolled"] = enrolled.astype(np.float64)
    return out


def measure_draws(spec: StudySpec, rep: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniforms (couple, day, person, prompt) deciding which prompts are answered, and normals
    (couple, day, person, prompt, rating) of each answer's measurement error."""
    rng = np.random.default_rng(seed_for(spec.seed, STREAM_MEASURE, rep))
    shape = (n, max(spec.days), 2, max(spec.prompts))
    return rng.random(shape), rng.standard_normal((*shape, len(RATING_VARIABLES)))


def observe(
    pop: dict[str, np.ndarray], u: np.ndarray, z: np.ndarray, p: Point
) -> dict[str, np.ndarray]:
    """What a study at design point ``p`` records: each day's ratings are the mean of the
    answered prompts' 1-7 ratings (latent + noise, rounded), events are reported when at least
    one prompt was answered; nothing after a break-up; completers: couples that broke up in the
    diary's days are left out."""
    c, d, m = p.couples, p.days, p.prompts
    alive = np.isfinite(pop["bids"][:c, :d])
    chance = p.compliance * (1.0 - p.compliance_decay) ** np.arange(d)
    answered = (u[:c, :d, :, :m] < chance[None, :, None, None]) & alive[..., None]
    day_seen = answered.any(axis=-1)
    keep = np.ones(c, bool)
    if p.breakup == "completers":
        keep = pop["end"][:c] >= d
    out: dict[str, np.ndarray] = {}
    for i, r in enumerate(RATING_VARIABLES):
        lat = np.nan_to_num(pop[r][:c, :d])[..., None]
        rated = to_rating(lat + NOISE_SD[r] * z[:c, :d, :, :m, i]).astype(np.float64)
        total = np.where(answered, rated, 0.0).sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[r] = np.where(day_seen, total / answered.sum(axis=-1), np.nan)[keep]
    for k in ("bids", "withdrew"):
        out[k] = np.where(day_seen, pop[k][:c, :d], np.nan)[keep]
    return out


def truth_arrays(pop: dict[str, np.ndarray], days: int) -> dict[str, np.ndarray]:
    """The large study's error-free record for ``days`` diary days: latent ratings (the 0-1
    scale; the coefficients do not depend on it), every day until a break-up."""
    return {k: v[:, :days] for k, v in pop.items() if k not in ("end", "enrolled")}
