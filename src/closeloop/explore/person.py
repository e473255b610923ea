"""What the explorer page draws for a person scenario, from one simulated Dataset: felt threat
by depth and the pull-back point over time (``analysis.person_timeline``), closeness taken up
and turned down by depth, and the story of one simulated person beside the report's summary
(``narrative.person_summary``), so the page and ``closeloop run`` say the same things.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from closeloop.analysis.bands import nan_percentiles
from closeloop.analysis.measures import quiet
from closeloop.analysis.person_timeline import (
    EXAMPLE_RULE,
    PersonTimeline,
    example_person,
    person_timeline,
)
from closeloop.analysis.profiles import (
    BAND,
    CONTEXT,
    depth_names,
    profile_stats,
    pullback_label,
)
from closeloop.analysis.timeline import QUANTILES
from closeloop.explore.payload import clean
from closeloop.narrative.person_summary import summary_text
from closeloop.results.files import run_metadata
from closeloop.simulation import NOTICE


def _q(x: np.ndarray) -> dict[str, Any]:
    b = nan_percentiles(x.astype(float), QUANTILES)
    return {f"q{q:02d}": clean(b[i]) for i, q in enumerate(QUANTILES)}


def _share(x: float) -> str:
    return f"{round(100 * x)}%"


def _span(days: float) -> str:
    months = round(days / (365.25 / 12))
    if months >= 24:
        return f"{round(days / 365.25)} years"
    if months >= 1:
        return f"{months} month{'' if months == 1 else 's'}"
    return f"{round(days)} day{'' if round(days) == 1 else 's'}"


def _point(p: int, names: list[str]) -> str:
    return "no depth" if p >= len(names) else f"{names[p]} (depth {p})"


def person_story(pt: PersonTimeline, i: int, names: list[str]) -> list[str]:
    """The example person's story in plain language: where their alarm closes the door, how
    that moved over the run, and how much closeness they took up."""
    k = len(names)
    first, last = int(pt.pullback[i, 0]), int(pt.pullback[i, -1])
    deep = names[-1]
    a, b = pt.threat[i, 0, -1], pt.threat[i, -1, -1]
    span = _span(float(pt.days[-1]))
    out = [
        f"Meet one simulated person from this run of {pt.profiles.size} (not a real person), "
        f"from the {pt.profiles[i]} profile. They stand for how the run typically went: "
        f"{EXAMPLE_RULE}",
    ]
    turn = (
        f"their alarm first closed the door to a partner's closeness at {_point(first, names)}"
        if first < k
        else "no depth of a partner's closeness set their alarm off past its threshold"
    )
    if last == first:
        moved = "and after " + span + " that point had not moved"
    elif last >= k:
        moved = f"and after {span} no depth set it off any more"
    elif last > first:
        moved = f"and after {span} it had moved deeper, to {_point(last, names)}"
    else:
        moved = f"and after {span} it had moved shallower, to {_point(last, names)}"
    opening = f"At the start of adult life {turn}, {moved}."
    if not pt.automatic:
        opening = "In this run the fast, automatic route was switched off, so no depth closed "
        opening += "the door by itself."
    out.append(
        f"{opening} Closeness at the deepest level, {deep}, "
        f"felt like a threat of {a:.2f} on a scale from 0 (none) to 1 (sure hurt) at the start "
        f"and {b:.2f} at the end."
    )
    acc = pt.acceptance[i]
    taken = [(names[d], acc[d]) for d in (0, k - 1) if np.isfinite(acc[d])]
    if taken:
        parts = " and ".join(f"{_share(v)} at {n}" for n, v in taken)
        out.append(f"Of the closeness a partner offered, they took up {parts}.")
    out.append(
        "Pulling back is what their history taught them to do to stay safe; it was a "
        "protection once. What moves the point is closeness that turns out safe, tried at a "
        "pace they can stay with."
    )
    return out


def person_payload(ds: xr.Dataset) -> dict[str, Any]:
    """The page's view of a person run: bands over people, the example person, the story."""
    pt = person_timeline(ds)
    names = depth_names(ds)
    stats = profile_stats(ds)
    i = example_person(pt)
    k = len(names)
    acc = pt.acceptance
    mean_acc = quiet(np.nanmean, acc, axis=0)  # a depth nobody was offered: NaN, no warning
    lo, hi = (clean(v) for v in nan_percentiles(acc.astype(float), BAND))
    summary = summary_text(stats, names, run_metadata(ds))
    return {
        "kind": "person",
        "n": int(ds.sizes["unit"]),
        "years": clean(pt.days / 365.25),
        "depths": names,
        "context": CONTEXT,
        "threat": [_q(pt.threat[:, :, d]) for d in range(k)],
        "deep": _q(pt.deep),
        "pullback": _q(pt.pullback.astype(float)),
        "pullback_share": clean((pt.pullback < k).mean(axis=0)),
        "threshold": round(float(np.median(pt.threshold)), 4),
        "acceptance": {"mean": clean(mean_acc), "low": lo, "high": hi},
        "offers": clean(pt.offers.mean(axis=0)),
        "example": {
            "unit": i,
            "profile": str(pt.profiles[i]),
            "threat": [clean(pt.threat[i, :, d]) for d in range(k)],
            "pullback": [int(x) for x in pt.pullback[i]],
            "deep": clean(pt.deep[i]),
            "threshold": round(float(pt.threshold[i]), 4),
            "acceptance": clean(acc[i]),
        },
        "profiles": [
            {
                "name": s.name,
                "n": s.n,
                "pullback": pullback_label(s.pullback, names),
                "longing": round(float(s.longing), 4),
            }
            for s in stats
        ],
        "story": person_story(pt, i, names),
        "summary": [p for p in summary.strip().split("\n\n") if p and p != NOTICE],
        "notice": NOTICE,
    }
