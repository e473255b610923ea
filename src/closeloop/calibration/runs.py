"""The simulations the figures share, made once per setting: default-mix couples over ten years,
the couples-therapy scenario to its two-year follow-up, and people (template, safe exposure).

Couple runs go to the engine directly with per-couple relationship parameters, so that the search
runs several of its points in one call (no recompilation); a setting's runs are cached on its
``Runs`` object and shared by the figures that need them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from closeloop import engine, mechanisms
from closeloop.model import variants
from closeloop.model.history import WEEKS_PER_YEAR
from closeloop.params import (
    COUPLE_SPECS,
    HISTORY_SPECS,
    couple_params,
    history_params,
    linear_params,
    observation_params,
    world_params,
)
from closeloop.presets import DEFAULT_MIX
from closeloop.scenario import Scenario, scenario
from closeloop.simulation import population_tables, simulate

YEAR = 365
"""Days in a year (the figures' horizons are in years)."""

COUPLE_YEARS = 10
"""The longest horizon a couple figure needs (K11: ten years)."""

FOLLOW_UP_YEARS = 2
"""Follow-up after couples therapy (K6: two years)."""

ADULT_MONTH = 30
"""K4: the questionnaire is given at the end of the first adult month (one monthly snapshot)."""

PEOPLE_RUNS = {
    "template": Scenario(name="calibration-template", days=1),
    "adults": Scenario(name="calibration-adults", days=ADULT_MONTH),
}
"""The default-population people runs the searched figures share: the adult template as the
history leaves it (K3) and the first adult month (K4)."""

THERAPY_SCENARIO = "couples-therapy"
"""The shipped scenario of emotionally focused couple therapy (K5, K6)."""


@dataclass(frozen=True)
class Setting:
    """What a validation or a search point runs: relationship values, sizes and the seed."""

    relationship: Mapping[str, float] = field(default_factory=dict)
    n_people: int = 2048
    n_couples: int = 2048
    seed: int = 0
    reps: int = 200
    """Bootstrap resamples for the intervals that need them."""
    variant: str = variants.DEFAULT
    """The model the figures are computed on (``closeloop.model.variants``)."""
    history: Mapping[str, float] = field(default_factory=dict)
    """Early-history values over the defaults (every run's people and couples)."""


HISTORY_NAMES = frozenset(s.name for s in HISTORY_SPECS)


def setting_for(
    values: Mapping[str, float],
    n_people: int,
    n_couples: int,
    seed: int,
    reps: int,
    variant: str = variants.DEFAULT,
) -> Setting:
    """A setting from one flat table of values (a search point, a parameters file): history
    parameters go to ``history``, the rest to ``relationship``."""
    rel = {k: v for k, v in values.items() if k not in HISTORY_NAMES}
    hist = {k: v for k, v in values.items() if k in HISTORY_NAMES}
    return Setting(rel, n_people, n_couples, seed, reps, variant, history=hist)


def per_unit_history(points: Sequence[Mapping[str, float]], m: int) -> Any:
    """``HistoryParams`` with ``m`` units for each point (each its history values over the
    defaults, one row per unit)."""
    names = sorted({k for p in points for k in p if k in HISTORY_NAMES})
    default = history_params()
    return history_params(
        **{
            k: np.repeat(
                np.array([p.get(k, float(getattr(default, k))) for p in points], np.float32), m
            )
            for k in names
        }
    )


def relationship_value(setting: Setting, name: str) -> float:
    """The relationship parameter ``name`` of a setting (its override, else the default)."""
    if name in setting.relationship:
        return float(setting.relationship[name])
    return float(next(s.default for s in COUPLE_SPECS if s.name == name))


def snap(day: int) -> int:
    """Index of the monthly snapshot nearest to the end of ``day``."""
    return max(round(day / engine.SNAP_DAYS) - 1, 0)


def therapy_scenario() -> Scenario:
    """The couples-therapy scenario, cut at the end of the two-year follow-up."""
    sc = scenario(THERAPY_SCENARIO)
    end = therapy_span(sc)[1]
    return sc.replace(days=end + FOLLOW_UP_YEARS * YEAR + engine.SNAP_DAYS)


def therapy_span(sc: Scenario) -> tuple[int, int]:
    """First and last day of the scenario's couples therapy."""
    iv = next(i for i in sc.interventions if i.kind == "couples_therapy")
    return int(iv.start), min(int(iv.end), sc.days)


def _take(raw: Any, sl: slice) -> Any:
    if isinstance(raw, dict):
        return {k: _take(v, sl) for k, v in raw.items()}
    return raw[sl]


def run_couple_points(
    points: Sequence[Mapping[str, float]],
    m: int,
    seed: int,
    therapy: bool,
    variant: str = variants.DEFAULT,
) -> list[dict[str, Any]]:
    """Run ``m`` couples for each relationship setting of ``points`` in one engine call (each
    couple its own parameters) and return each point's raw outputs (couple-first arrays).

    ``therapy``: the couples-therapy scenario to its follow-up; otherwise default-mix couples
    over ``COUPLE_YEARS``. ``variant``: the model (a simpler one raises
    ``variants.NotApplicable`` for a run it cannot make, e.g. the linear model with therapy).
    """
    names = sorted({k for p in points for k in p if k not in HISTORY_NAMES})
    hp = per_unit_history(points, m)
    values = {
        k: np.repeat(np.array([p.get(k, _default(k)) for p in points], np.float32), m)
        for k in names
    }
    cp = couple_params(**values)
    if therapy:
        sc = therapy_scenario()
        tab_a, tab_b = population_tables(sc.a), population_tables(sc.b)
        days, sch = sc.days, sc.schedule()
    else:
        tab_a = tab_b = population_tables(dict(DEFAULT_MIX))
        days, sch = COUPLE_YEARS * YEAR, None
    variants.applicable(variant, "couple", int(therapy), ())
    n = m * len(points)
    if variants.kernel(variant) == "linear":
        raw = engine.run_linear(n, seed, tab_a, tab_b, cp, linear_params(), days=days, history=hp)
    else:
        # closeloop itself runs without a switch vector, so its numbers stay those of before.
        vr = None if variant == variants.DEFAULT else variants.switches(variant)
        raw = engine.run_couples(
            n,
            seed,
            tab_a,
            tab_b,
            cp,
            mechanisms.flags(()),
            days=days,
            schedule=sch,
            variant=vr,
            history=hp,
        )
    return [_take(raw, slice(i * m, (i + 1) * m)) for i in range(len(points))]


def _default(name: str) -> float:
    return float(next(s.default for s in COUPLE_SPECS if s.name == name))


class Runs:
    """A setting's simulations, made on first use and kept."""

    def __init__(
        self,
        setting: Setting,
        couples: dict[str, Any] | None = None,
        therapy: dict[str, Any] | None = None,
        people: dict[str, xr.Dataset] | None = None,
        child: engine.Run | None = None,
    ) -> None:
        self.setting = setting
        self._couples = couples
        self._therapy = therapy
        self._people: dict[str, xr.Dataset] = dict(people or {})
        self._child = child

    def couples(self) -> dict[str, Any]:
        """Default-mix couples over ten years (raw engine outputs, couple-first)."""
        if self._couples is None:
            s = self.setting
            self._couples = run_couple_points(
                [{**s.relationship, **s.history}], s.n_couples, s.seed, False, s.variant
            )[0]
        return self._couples

    def therapy(self) -> dict[str, Any]:
        """The couples-therapy scenario to its two-year follow-up (raw outputs)."""
        if self._therapy is None:
            s = self.setting
            self._therapy = run_couple_points(
                [{**s.relationship, **s.history}], s.n_couples, s.seed, True, s.variant
            )[0]
        return self._therapy

    def people(self, key: str, sc: Scenario) -> xr.Dataset:
        """People of a scenario (cached by ``key``), the setting's size and seed."""
        if key not in self._people:
            s = self.setting
            self._people[key] = simulate(
                sc, n=s.n_people, seed=s.seed, variant=s.variant, history=dict(s.history)
            )
        return self._people[key]

    def child(self) -> engine.Run:
        """Default-mix people with their early history's state kept at the two ages of the
        Strange Situation (``ObservationParams.ssp_age``, ``ssp_later_age``; K1, K2): the raw
        engine run, ``start["child"]`` (unit, snapshot, ...). The history runs closeloop's
        rules on every person model (``variants``), so the variant only decides whether the
        model has people at all."""
        if self._child is None:
            s = self.setting
            variants.applicable(s.variant, "people", 0, ())
            self._child = run_children([s.history], s.n_people, s.seed)[0]
        return self._child


def run_people_points(
    points: Sequence[Mapping[str, float]], m: int, seed: int, sc: Scenario
) -> list[xr.Dataset]:
    """``m`` people of ``sc`` for each history setting of ``points``, in one simulation (each
    unit its history values); each point's units."""
    ds = simulate(sc, n=m * len(points), seed=seed, history=per_unit_history(points, m))
    return [ds.isel(unit=slice(i * m, (i + 1) * m)) for i in range(len(points))]


def run_children(points: Sequence[Mapping[str, float]], m: int, seed: int) -> list[engine.Run]:
    """``m`` default-mix people for each history setting of ``points``, in one engine call, with
    the child snapshots of ``Runs.child``; each point's part of the run."""
    run = engine.run_population(
        m * len(points),
        seed,
        population_tables(dict(DEFAULT_MIX)),
        world_params(),
        mechanisms.flags(()),
        days=1,
        history=per_unit_history(points, m),
        child_weeks=child_weeks(),
    )
    return [run[i * m : (i + 1) * m] for i in range(len(points))]


def child_weeks() -> tuple[int, int]:
    """The weeks of the history at which the child is observed: ``ssp_age``, ``ssp_later_age``."""
    obs = observation_params()
    return (
        round(float(obs.ssp_age) * WEEKS_PER_YEAR),
        round(float(obs.ssp_later_age) * WEEKS_PER_YEAR),
    )
