"""What the explorer page draws, computed from one simulated Dataset.

Every number comes from the same analysis the report uses (``closeloop.analysis``), so the
page, ``closeloop run`` and ``story.txt`` agree for the same scenario, population and seed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr

from closeloop import mechanisms, trajectory
from closeloop.analysis.bands import class_labels, series_bands
from closeloop.analysis.couple_events import NAMES, population_facts
from closeloop.analysis.paired import Comparison
from closeloop.analysis.timeline import (
    EXAMPLE_RULE,
    MIN_SHARE,
    QUANTILES,
    couple_series,
    example,
    example_couple,
    population_withdrawer,
)
from closeloop.model import healing
from closeloop.model.person import DEPTH_NAMES
from closeloop.narrative.couple_story import narrative, population_text, walls_text
from closeloop.simulation import NOTICE

# The series the page draws; the report's other series stay in its CSV.
PAGE_SERIES = ("sat", "pursuit", "withdrawal", "stability")


def clean(x: Any) -> Any:
    """Floats rounded for the wire, NaN as null (JSON has no NaN)."""
    arr = np.asarray(x, dtype=float)
    out = np.round(arr, 4).astype(object)  # Python floats, as ``tolist`` gives
    out[np.isnan(arr)] = None
    return out.tolist()


def page_timeline(ds: xr.Dataset) -> dict[str, Any]:
    """What the page draws of ``analysis.timeline``, computed the same way but only for its
    series: the bands (``analysis.bands``, as the timeline computes them), the share ended and
    the trajectory classes at the end of each year. ``tests/test_explore_api.py`` checks it
    against ``timeline``."""
    together = ~ds["ended"].values.astype(bool)
    series = couple_series(ds, PAGE_SERIES)
    keys = [f"{name}_{m}" for name in PAGE_SERIES for m in "ab"]
    bands = series_bands(series, together, QUANTILES, MIN_SHARE, keys)
    # Classes at the end of each year only: the page draws them year by year.
    index = np.arange(trajectory.WINDOW - 1, ds.sizes["month"], trajectory.WINDOW)
    lab = class_labels(ds, index)
    days = ds["month"].values.astype(float)
    final = ds["trajectory"].values.astype(str)
    return {
        "years": days / 365.25,
        "ended_share": 1.0 - together.mean(axis=0),
        "bands": bands,
        "class_index": index,
        "class_shares": {c: (lab == c).mean(axis=0) for c in trajectory.CLASSES},
        "final_shares": {c: float(np.mean(final == c)) for c in trajectory.CLASSES},
        "withdrawer": population_withdrawer(ds),
    }


def _depth_profile(ds: xr.Dataset, var: str, member: int) -> list[Any]:
    """Median felt threat by depth of one member, across couples."""
    return clean(np.median(ds[var].values[:, member, :].astype(float), axis=0))


def members(ds: xr.Dataset) -> list[str]:
    """The partners' labels as the report writes them: "A (avoidant)", or "A" for a mix."""
    out = []
    for m, name in enumerate(NAMES):
        presets = np.unique(ds["preset"].values[:, m].astype(str))
        out.append(f"{name} ({presets[0]})" if len(presets) == 1 else name)
    return out


def couple_payload(ds: xr.Dataset) -> dict[str, Any]:
    """The page's view of a couple run: bands, the example couple, threat by depth, the story."""
    tl = page_timeline(ds)
    ex = example(ds, example_couple(ds))
    p = population_facts(ds)
    f = ex.facts
    w, r = f.withdrawer, f.reacher
    params = [str(x) for x in ds["param"].values]
    thresholds = np.median(ds["traits"].values[:, :, params.index("threshold")], axis=0)
    bands = {
        k: {f"q{q:02d}": clean(b[i]) for i, q in enumerate(QUANTILES)}
        for k, b in tl["bands"].items()
    }
    return {
        "kind": "couple",
        "n": int(ds.sizes["couple"]),
        "years": clean(tl["years"]),
        "ended_share": clean(tl["ended_share"]),
        "bands": bands,
        "class_shares": {k: clean(v) for k, v in tl["class_shares"].items()},
        "class_years": clean(tl["years"][tl["class_index"]]),
        "final_shares": {k: round(float(v), 4) for k, v in tl["final_shares"].items()},
        "members": members(ds),
        "names": list(NAMES),
        "withdrawer": w,
        "reacher": r,
        "example": {
            "couple": ex.couple,
            "series": {k: clean(ex.series[k]) for k in bands},
            "events": [
                {"years": round(float(y), 3), "month": int(m), "label": lab}
                for y, m, lab in ex.events
            ],
            "trajectory": f.trajectory,
            "decline_share": [round(float(x), 4) for x in f.decline_share],
            "peak_pursuit": [round(float(x), 4) for x in f.peak_pursuit],
        },
        "depths": list(DEPTH_NAMES),
        "threat": {
            "start": [_depth_profile(ds, "threat0", m) for m in (0, 1)],
            "end": [_depth_profile(ds, "threat", m) for m in (0, 1)],
            "threshold": clean(thresholds),
        },
        "population": {
            "cycle_share": round(float(p.cycle_share), 4),
            "gave_up_share": round(float(p.gave_up_share), 4),
            "ended_share": round(float(p.ended_share), 4),
            "pullback_share": round(float(p.pullback_share), 4),
        },
        "story": narrative(f, EXAMPLE_RULE),
        "population_text": population_text(p),
        "walls": walls_text(f),
        "notice": NOTICE,
    }


def panel_payload(ds: xr.Dataset) -> dict[str, Any]:
    """One small-multiple panel: both partners' satisfaction bands and the share ended."""
    tl = page_timeline(ds)
    return {
        "years": clean(tl["years"]),
        "ended_share": clean(tl["ended_share"]),
        "final_shares": {k: round(float(v), 4) for k, v in tl["final_shares"].items()},
        "sat": {
            m: {f"q{q:02d}": clean(tl["bands"][f"sat_{m}"][i]) for i, q in enumerate(QUANTILES)}
            for m in "ab"
        },
    }


def comparison_payload(c: Comparison) -> dict[str, Any]:
    """The effects table of a same-seed what-if."""
    return {
        "names": list(c.names),
        "changes": list(c.changes),
        "effects": [
            {
                "outcome": e.outcome,
                "label": e.label,
                "unit": e.unit,
                "a": _num(e.a),
                "b": _num(e.b),
                "diff": _num(e.diff),
                "low": _num(e.low),
                "high": _num(e.high),
                "clear": e.clear,
            }
            for e in c.effects
        ],
    }


def _num(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 4)


def catalogue() -> dict[str, Any]:
    """What the controls are generated from: mechanisms and interventions, with their words."""
    return {
        "mechanisms": [
            {"name": m.name, "summary": m.summary, "when_off": m.when_off}
            for m in mechanisms.MECHANISMS
        ],
        "interventions": {k: healing.DESCRIPTIONS[k] for k in healing.COUPLE_KINDS},
        "person_interventions": {k: healing.DESCRIPTIONS[k] for k in healing.PERSON_KINDS},
        "who": list(healing.WHO),
        "max_interventions": healing.MAX_INTERVENTIONS,
    }
