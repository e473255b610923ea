"""What the explorer's page is generated from: the parameter specification, the presets, the
shipped scenarios (cut to a horizon for quick runs), the engine programs to warm at start."""

from __future__ import annotations

from typing import Any

import closeloop as cl
from closeloop.explore.api import DEFAULT_N, MAX_DAYS, MAX_N, scenario_dict
from closeloop.explore.payload import catalogue
from closeloop.params import (
    CHANGE_SPECS,
    COUPLE_SPECS,
    HISTORY_SPECS,
    PERSON_SPECS,
    WORLD_SPECS,
    ParamSpec,
)
from closeloop.presets import BY_NAME, PRESET_NAMES
from closeloop.simulation import NOTICE

DEFAULT_SCENARIO = "avoidant-anxious"
YEAR = 365


def spec_json(s: ParamSpec) -> dict[str, Any]:
    """One control's description; ``step`` falls back to a hundredth of the range."""
    step = getattr(s, "step", None) or (s.high - s.low) / 100
    out = {
        "name": s.name,
        "label": s.label,
        "meaning": s.meaning,
        "unit": s.unit,
        "low": s.low,
        "high": s.high,
        "default": s.default,
        "step": step,
    }
    for extra in ("scale", "role"):
        if getattr(s, extra, None) is not None:
            out[extra] = getattr(s, extra)
    return out


def library(horizon: int | None = None) -> dict[str, cl.Scenario]:
    """The shipped scenarios, cut to ``horizon`` days when given."""
    out = {}
    for name in cl.scenarios():
        sc = cl.scenario(name)
        if horizon is not None and sc.days > horizon:
            # Events and interventions past the cut are dropped, those across it shortened.
            sc = sc.replace(
                days=horizon,
                events=[e for e in sc.events if e.day < horizon],
                interventions=[
                    iv.model_copy(update={"end": min(iv.end, horizon)})
                    for iv in sc.interventions
                    if iv.start < horizon
                ],
            )
        out[name] = sc
    return out


def shapes(lib: dict[str, cl.Scenario], default: str, max_days: int) -> list[cl.Scenario]:
    """One scenario per engine program the page can ask for, the likeliest first.

    A program is fixed by the number of days and by whether the run has interventions or
    adult events and individual therapy; parameter values, profiles and switched-off
    mechanisms are data. So: the default scenario plain, with a care intervention and with
    therapy, at every whole number of years the page's slider offers, and every shipped couple
    scenario as it is.
    """
    base = scenario_dict(lib[default])
    out = []
    top = max(1, min(max_days, base["days"]) // YEAR)
    for years in [top, *range(1, top)]:
        d = years * YEAR if years < top else base["days"]
        for extra in ([], ["observation"], ["therapy"]):
            ivs = [{"kind": k, "start": 0, "end": d, "intensity": 1.0} for k in extra]
            out.append(cl.Scenario(**{**base, "days": d, "interventions": ivs}))
    out += [sc for sc in lib.values() if sc.kind == "couple"]
    return out


def person_shapes(lib: dict[str, cl.Scenario]) -> list[cl.Scenario]:
    """The shipped person scenarios, each as it is (the page's person runs start from one)."""
    return [sc for sc in lib.values() if sc.kind == "person"]


def meta(
    n: int = DEFAULT_N, horizon: int | None = None, max_n: int = MAX_N, max_days: int = MAX_DAYS
) -> dict[str, Any]:
    """Everything the page generates its controls from."""
    scenarios = library(horizon)
    return {
        "notice": NOTICE,
        "default_scenario": DEFAULT_SCENARIO,
        "n": n,
        "max_n": max_n,
        "max_days": max_days,
        "relationship": [spec_json(s) for s in COUPLE_SPECS],
        "traits": [spec_json(s) for s in PERSON_SPECS],
        "world": [spec_json(s) for s in WORLD_SPECS],
        "history": [spec_json(s) for s in HISTORY_SPECS],
        "change": [spec_json(s) for s in CHANGE_SPECS],
        "presets": [{"name": p, "summary": BY_NAME[p].summary} for p in PRESET_NAMES],
        "scenarios": [
            {
                "name": name,
                "kind": sc.kind,
                "description": sc.description,
                "scenario": scenario_dict(sc),
            }
            for name, sc in scenarios.items()
        ],
        **catalogue(),
    }
