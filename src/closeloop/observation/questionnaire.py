"""The questionnaire: what a study would measure of each simulated person at one time.

- Adult attachment on the scale of the ECR-R (Fraley, Waller & Brennan 2000: 36 items rated 1-7,
  an anxiety and an avoidance subscale, each scored as the mean of its 18 items), computed from
  the person's latent state with measurement error set from the subscales' reliability.
- The four attachment categories of Bartholomew & Horowitz 1991 (secure, preoccupied, dismissing,
  fearful) from the two scores, by cut-offs on each (the scale midpoints).
- In a couple, relationship satisfaction on the scale of the CSI-16 (Funk & Rogge 2007: 16
  items, total 0-81) with the distress cut-off its authors give.

The latent quantities and the error model are documented in docs/model.md (section 16) and the
table's columns in docs/diary.md; every number is a declared parameter
(closeloop.params.observation).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from closeloop.errors import InputError
from closeloop.model.history import STYLE_NAMES
from closeloop.observation.diary import check_seed
from closeloop.params import SPECS
from closeloop.presets import PRESET_NAMES

# The instruments' own structure (not model numbers): the ECR-R's 1-7 items, 18 per subscale;
# the CSI-16's 0-81 total.
ECR_LOW, ECR_HIGH, ECR_ITEMS = 1.0, 7.0, 18
CSI_HIGH = 81
DEEP_FROM = 3
"""Deep levels: fears and needs (3) and being fully known (4)."""
STREAM = 7
"""Tag of the questionnaire's random stream (the diary's noise has none), so the two never share
draws."""

THREAT_WEIGHT = SPECS["ecr_threat_weight"].default
TRAIT_WEIGHT = SPECS["ecr_trait_weight"].default
ECR_ERROR_SD = SPECS["ecr_score_sd"].default * np.sqrt(1.0 - SPECS["ecr_reliability"].default)
"""SD of the measurement error of an ECR-R subscale score, in scale points."""
CUT_ANXIETY = SPECS["ecr_cut_anxiety"].default
CUT_AVOIDANCE = SPECS["ecr_cut_avoidance"].default
CSI_ERROR_SD = SPECS["csi_score_sd"].default * np.sqrt(1.0 - SPECS["csi_reliability"].default)
"""SD of the measurement error of the CSI-16 total, in scale points."""
CSI_CUT = SPECS["csi_cut"].default

SCORES = ("anxiety", "avoidance", "csi")
"""The scored measures, in the order of each person's error draws (a people run draws all three
and uses the first two, so a unit's draws do not depend on the kind of run)."""

CATEGORIES = ("secure", "preoccupied", "dismissing", "fearful")
"""Bartholomew & Horowitz's four categories, coded by (anxious, avoidant): 00, 10, 01, 11."""

QUESTIONNAIRE_COLUMNS: dict[str, str] = {
    "unit": "Person's index in a people run (people runs only).",
    "couple": "Couple's index (couple runs only).",
    "person": "Which partner, a or b (couple runs only).",
    "preset": "The person's profile (preset) in the simulation (category).",
    "caregiving": "The caregiving style of the person's history (category).",
    "day": "Days of adult life (people) or of the relationship (couples) at the measurement.",
    "anxiety": "ECR-R attachment anxiety, mean of 18 items (1-7, in steps of 1/18).",
    "avoidance": "ECR-R attachment avoidance, mean of 18 items (1-7, in steps of 1/18).",
    "category": "secure, preoccupied, dismissing or fearful (cut-offs on the two scores).",
    "csi": "CSI-16 relationship satisfaction, integer total 0-81 (couple runs only).",
    "distressed": "True when `csi` is below the distress cut-off (couple runs only).",
    "ended": "True when the relationship had ended by the measurement (couple runs only).",
}
"""The table's columns and what each means (docs/diary.md renders this)."""

_PEOPLE_VARS = ("threat_partner", "habit_t", "reward_t", "seeking_t", "traits")
_COUPLE_VARS = ("threat_deep", "habit_deep", "reward", "seeking", "sat", "ended", "traits")


def avoidance_latent(threat_deep: Any, habit_deep: Any) -> Any:
    """Latent avoidance in [0, 1]: felt threat and the avoidance habit at the deep levels.

    The ECR-R's avoidance items ask about discomfort with closeness and with depending on a
    partner, and about pulling away when a partner wants to be very close; in the model that is
    the threat the deep levels hold and the habit of withdrawing from them.
    """
    t = np.clip(threat_deep, 0.0, 1.0)
    h = np.clip(habit_deep, 0.0, 1.0)
    return THREAT_WEIGHT * t + (1.0 - THREAT_WEIGHT) * h


def anxiety_latent(anxiety: Any, reward: Any, seeking: Any) -> Any:
    """Latent attachment anxiety in [0, 1]: the learned gain and the hyperactivating strategy.

    The ECR-R's anxiety items ask about worry over a partner's love and availability and the need
    for reassurance. In the model: the gain ``anxiety`` from felt distance to pursuit (learned in
    the history) and the hyperactivating part of the seeking strategy, (1 - mean R) x
    max(2E - 1, 0): unmet need pushed toward more seeking because seeking was learned to work
    while closeness is not expected to be met (``person.seeking_weight``).
    """
    avail = np.clip(reward, 0.0, 1.0)
    hyper = (1.0 - avail) * np.maximum(2.0 * np.clip(seeking, 0.0, 1.0) - 1.0, 0.0)
    return TRAIT_WEIGHT * np.clip(anxiety, 0.0, 1.0) + (1.0 - TRAIT_WEIGHT) * hyper


def ecr_score(latent: Any, z: Any) -> np.ndarray:
    """An ECR-R subscale score: 1 + 6 x latent plus error (``z`` standard normal), clipped to
    [1, 7] and rounded to the mean of 18 whole item ratings (a multiple of 1/18)."""
    x = ECR_LOW + (ECR_HIGH - ECR_LOW) * np.asarray(latent, np.float64) + ECR_ERROR_SD * z
    total = np.rint(np.clip(x, ECR_LOW, ECR_HIGH) * ECR_ITEMS)
    return total / ECR_ITEMS


def csi_score(sat: Any, z: Any) -> np.ndarray:
    """A CSI-16 total: 81 x satisfaction plus error, clipped to [0, 81] and rounded."""
    x = CSI_HIGH * np.clip(np.asarray(sat, np.float64), 0.0, 1.0) + CSI_ERROR_SD * z
    return np.clip(np.rint(x), 0, CSI_HIGH).astype(np.int32)


def category(anxiety: Any, avoidance: Any) -> np.ndarray:
    """Index into :data:`CATEGORIES` from the two scores: anxious when anxiety >= its cut-off,
    avoidant when avoidance >= its cut-off (Bartholomew & Horowitz's two dimensions, model of
    self and model of others)."""
    anxious = np.asarray(anxiety) >= CUT_ANXIETY
    avoidant = np.asarray(avoidance) >= CUT_AVOIDANCE
    return (anxious.astype(np.int32) + 2 * avoidant.astype(np.int32)).astype(np.int32)


def _bad_ds(got: str) -> InputError:
    return InputError(
        "The 'ds' parameter of questionnaire must be a Dataset from closeloop.simulate (a people "
        f"or couple run). Got {got} instead."
    )


def _need(ds: object) -> tuple[xr.Dataset, str]:
    if not isinstance(ds, xr.Dataset):
        raise _bad_ds(f"a value of type {type(ds).__name__}")
    kind = "couple" if "couple" in ds.dims else "people" if "unit" in ds.dims else ""
    if not kind:
        raise _bad_ds("a Dataset with neither a 'unit' nor a 'couple' dimension")
    wanted = _COUPLE_VARS if kind == "couple" else _PEOPLE_VARS
    missing = [v for v in wanted if v not in ds]
    if missing:
        raise InputError(
            f"The 'ds' parameter of questionnaire must hold {', '.join(wanted)}. Got a {kind} "
            f"dataset without {', '.join(missing)} instead: simulate it again with this version "
            "of closeloop."
        )
    return ds, kind


def _snapshot(ds: xr.Dataset, day: object) -> int:
    """Index of the monthly snapshot the questionnaire reads: the end of the block holding
    ``day`` (-1: the last)."""
    ends = np.asarray(ds["month"].values)
    days = int(ends[-1])
    d = int(day) if isinstance(day, int | np.integer) and not isinstance(day, bool) else None
    if d is None or not -1 <= d < days:
        raise InputError(
            f"The 'day' parameter of questionnaire must be -1 (the end of the run) or a day in "
            f"[0, {days - 1}]. Got {day!r} instead."
        )
    return len(ends) - 1 if d < 0 else int(np.searchsorted(ends, d + 1))


def _members(ds: xr.Dataset, kind: str, person: object) -> list[Any]:
    if person is None:
        return list(ds["member"].values) if kind == "couple" else list(ds["unit"].values)
    allowed = list(ds["member"].values) if kind == "couple" else list(ds["unit"].values)
    if person not in allowed or isinstance(person, bool):
        what = "'a' or 'b'" if kind == "couple" else f"a unit index in [0, {ds.sizes['unit']})"
        raise InputError(
            f"The 'person' parameter of questionnaire must be None (everyone) or {what}. "
            f"Got {person!r} instead."
        )
    return [person]


def _z(seed: int, ids: np.ndarray, day: int, width: int, draws: int) -> np.ndarray:
    """(len(ids), width, draws) standard normal draws; unit or couple i's come from
    ``default_rng([seed, i, STREAM, day])``, the same whichever others are measured."""
    return np.stack(
        [
            np.random.default_rng([seed, int(i), STREAM, day]).standard_normal((width, draws))
            for i in ids
        ]
    )


def questionnaire(
    ds: xr.Dataset,
    seed: int = 0,
    day: int = -1,
    *,
    person: str | int | None = None,
    latent: bool = False,
) -> pd.DataFrame:
    """The questionnaire a study would give each simulated person at one time.

    Arguments:
        ds: a Dataset from ``closeloop.simulate`` (a people run or a couple run; ``daily`` not
            needed: the questionnaire reads the monthly snapshots).
        seed: seed of the measurement error (independent of the run's seed and the diary's).
        day: the day measured: the state at the end of the 30-day block holding it (-1: the end
            of the run).
        person: only this person: a unit index (people run) or member 'a' or 'b' (couple run).
        latent: also return the latent values measured (``anxiety_latent``,
            ``avoidance_latent`` and, for couples, ``satisfaction_latent``; floats in [0, 1]).

    Returns:
        A DataFrame with one row per person (couple runs: per member), columns as in
        :data:`QUESTIONNAIRE_COLUMNS` (docs/diary.md).

    Example:
        >>> import closeloop as cl
        >>> ds = cl.simulate(cl.scenario("avoidant-anxious").replace(days=90), n=4, seed=0)
        >>> cl.questionnaire(ds).columns.tolist()[:4]
        ['couple', 'person', 'preset', 'caregiving']
    """
    ds, kind = _need(ds)
    seed = check_seed(seed, "questionnaire")
    m = _snapshot(ds, day)
    who = _members(ds, kind, person)
    when = int(ds["month"].values[m])
    anx_trait = ds["traits"].sel(param="anxiety")
    if kind == "couple":
        at = {v: ds[v].isel(month=m) for v in _COUPLE_VARS if v not in ("traits", "ended")}
        ids = np.asarray(ds["couple"].values)
        z = _z(seed, ids, m, 2, len(SCORES))  # (couple, member, score)
        idx = [list(ds["member"].values).index(p) for p in who]
        rows = [(c, j) for c in range(len(ids)) for j in idx]
        ci = np.array([c for c, _ in rows], dtype=np.int64)
        mi = np.array([j for _, j in rows], dtype=np.int64)
        pick = lambda x: np.asarray(x.values)[ci, mi]  # noqa: E731
        threat, habit = pick(at["threat_deep"]), pick(at["habit_deep"])
        reward, seeking, sat = pick(at["reward"]), pick(at["seeking"]), pick(at["sat"])
        anx = pick(anx_trait)
        zz = z[ci, mi]
        out: dict[str, Any] = {
            "couple": ids[ci].astype(np.int32),
            "person": pd.Categorical(np.asarray(ds["member"].values)[mi], categories=["a", "b"]),
        }
    else:
        units = np.asarray(who, dtype=np.int64)
        pos = np.searchsorted(np.asarray(ds["unit"].values), units)
        sel = lambda x: np.asarray(x.isel(month=m).values)[pos]  # noqa: E731
        threat = sel(ds["threat_partner"].isel(depth=slice(DEEP_FROM, None)).mean("depth"))
        habit = sel(ds["habit_t"].isel(depth=slice(DEEP_FROM, None)).mean("depth"))
        reward = sel(ds["reward_t"].mean("depth"))
        seeking = sel(ds["seeking_t"])
        anx = np.asarray(anx_trait.values)[pos]
        zz = _z(seed, units, m, 1, len(SCORES))[:, 0]
        out = {"unit": units.astype(np.int32)}
        ci, mi = pos, None
    for name, names in (("preset", PRESET_NAMES), ("caregiving", STYLE_NAMES)):
        v = np.asarray(ds[name].values)
        out[name] = pd.Categorical(v[ci] if mi is None else v[ci, mi], categories=names)
    out["day"] = np.full(len(ci), when, dtype=np.int32)
    lat_anx = anxiety_latent(anx, reward, seeking)
    lat_avoid = avoidance_latent(threat, habit)
    out["anxiety"] = ecr_score(lat_anx, zz[:, 0])
    out["avoidance"] = ecr_score(lat_avoid, zz[:, 1])
    out["category"] = pd.Categorical.from_codes(
        category(out["anxiety"], out["avoidance"]), categories=pd.Index(CATEGORIES)
    )
    if kind == "couple":
        out["csi"] = csi_score(sat, zz[:, 2])
        out["distressed"] = out["csi"] < CSI_CUT
        out["ended"] = np.asarray(ds["ended"].isel(month=m).values, bool)[ci]
    if latent:
        out["anxiety_latent"] = np.asarray(lat_anx, np.float64)
        out["avoidance_latent"] = np.asarray(lat_avoid, np.float64)
        if kind == "couple":
            out["satisfaction_latent"] = np.clip(np.asarray(sat, np.float64), 0.0, 1.0)
    return pd.DataFrame(out)
