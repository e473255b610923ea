"""The couple report's page and folder: the example couple's story, the population over time,
the figures, the tables and the data."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from closeloop.analysis.couple_events import (
    CLASS_WORDS,
    MEMBER_KEYS,
    NAMES,
    CoupleFacts,
    PopulationFacts,
    couples_frame,
    population_facts,
)
from closeloop.analysis.timeline import (
    EXAMPLE_RULE,
    Example,
    Timeline,
    check_couple_dataset,
    example,
    example_couple,
    timeline,
    timeline_frame,
)
from closeloop.figures import couple as figures
from closeloop.figures import to_png
from closeloop.io import write_bytes, write_text
from closeloop.narrative import and_list, pct, run_span
from closeloop.narrative.couple_story import (
    helps_text,
    narrative,
    population_text,
    story_text,
    walls_text,
)
from closeloop.narrative.interventions import with_changes
from closeloop.report._html import NOTICE_HTML, figures_html, interventions_html, page
from closeloop.results.files import plain, run_metadata, write_netcdf

COUPLE_FIGURES = ("depth", "pursuit", "satisfaction", "ruptures", "trajectories")
COUPLE_CAPTIONS = {
    "depth": "Top: how deep the closeness {r} offered {w} was (mean depth of {r}'s bids), and "
    "how deep it was when {w} turned a bid away (mean depth of the bids {w} turned away); both "
    "pool the bids of five months centred on each month, and count only couples with at least "
    "three bids in them (where fewer than one couple in ten has that many, the band stops). "
    "Bottom: how many bids {r} made to {w} each month: as {r} stops "
    "reaching, the bids dry up.",
    "pursuit": "Top: how hard each partner pressed for closeness (pursuit). Bottom: the share "
    "of the other's bids each partner turned away (pooled over five months centred on each "
    "month; couples with at least three bids in them).",
    "satisfaction": "Top: each partner's satisfaction with the relationship. Bottom: each "
    "partner's felt stability, the day-to-day calm. {w}'s stability can stay high while {r}'s "
    "satisfaction falls: the distance that feels calm to one is emptying the relationship for "
    "the other.",
    "ruptures": "Top: unrepaired ruptures on the books (conflicts not repaired, fading slowly). "
    "Bottom: the share of couples whose relationship has ended.",
    "trajectories": "Left: the share of all couples in each pattern, judged at each month over "
    "the year before it. Right: the shares at the end of the run.",
}
BAND_NOTE = (
    "Lines: the median couple; shaded: the middle 50% and 90% of couples still together at that "
    "month (couples that ended are left out from then on); dashed: the example couple of the "
    "story, with its key events numbered."
)


def couple_figure_pngs(tl: Timeline, ex: Example) -> dict[str, bytes]:
    """Draw the five couple figures and render them as PNG (name -> bytes, in report order)."""
    made = {
        "depth": figures.couple_depth(tl, ex),
        "pursuit": figures.couple_pursuit(tl, ex),
        "satisfaction": figures.couple_satisfaction(tl, ex),
        "ruptures": figures.couple_ruptures(tl, ex),
        "trajectories": figures.couple_trajectories(tl),
    }
    return {k: to_png(f) for k, f in made.items()}


def couple_captions(tl: Timeline) -> dict[str, str]:
    """The figure captions with the partners' names filled in."""
    w = NAMES[tl.withdrawer]
    r = NAMES[1 - tl.withdrawer]
    out = {k: v.format(w=w, r=r) for k, v in COUPLE_CAPTIONS.items()}
    sat_r = tl.bands[f"sat_{MEMBER_KEYS[1 - tl.withdrawer]}"][2]
    stab_w = tl.bands[f"stability_{MEMBER_KEYS[tl.withdrawer]}"][2]
    if np.isfinite(sat_r[-1]) and np.isfinite(stab_w[-1]):
        out["satisfaction"] += (
            f" In this run, at the last month, the median {w} still together felt a stability "
            f"of {stab_w[-1]:.2f}, and the median {r} a satisfaction of {sat_r[-1]:.2f} (it began "
            f"at {sat_r[0]:.2f})."
        )
    for k in ("depth", "pursuit", "satisfaction", "ruptures"):
        out[k] += " " + BAND_NOTE
    return out


def _class_table(tl: Timeline, n: int) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(c)}</td><td>{html.escape(CLASS_WORDS.get(c, c))}</td>"
        f"<td>{round(s * n)}</td><td>{pct(s)}</td></tr>"
        for c, s in tl.final_shares.items()
    )
    return (
        "<table><thead><tr><th>pattern</th><th>in words</th><th>couples</th><th>share</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def couple_report_html(
    f: CoupleFacts,
    p: PopulationFacts,
    tl: Timeline,
    pngs: dict[str, bytes],
    meta: dict[str, Any],
) -> str:
    """The self-contained couple report page.

    Arguments:
        f: the example couple's story facts.
        p: the population facts.
        tl: the timeline.
        pngs: figure name -> PNG bytes, embedded as base64 data URIs.
        meta: from ``run_metadata``.

    Returns:
        The HTML text: inline CSS, no scripts and no external resources.
    """
    esc = html.escape

    def paras(items: Sequence[str]) -> str:
        return "".join(f"<p>{esc(x)}</p>" for x in items)

    sc = meta.get("scenario", {})
    desc = str(sc.get("description", "")).strip()
    sub = (
        f"{p.n} simulated couples over {run_span(p.days)}"
        + (f": {desc}" if desc else ".")
        + (
            f" Switched off in this run: {and_list(list(meta['ablated']))}."
            if meta.get("ablated")
            else ""
        )
    )
    return page(
        meta,
        f'<p class="sub">{esc(sub)}</p>{NOTICE_HTML}{interventions_html(meta)}'
        f"<h2>The story of one couple</h2>{paras(narrative(f, EXAMPLE_RULE))}"
        f"<h2>Across all {p.n} couples</h2>{paras([population_text(p)])}"
        f"{_class_table(tl, p.n)}"
        f"<h2>Figures</h2>{figures_html(pngs, couple_captions(tl))}"
        f"<h2>The walls, and what helps</h2>{paras([walls_text(f), helps_text()])}",
    )


def write_couple_report(ds: xr.Dataset, folder: Path) -> Path:
    """Write the couple report into a prepared folder; return the path of ``report.html``."""
    check_couple_dataset(ds)
    meta = run_metadata(ds)
    meta["n"] = plain(ds.attrs.get("n", ds.sizes["couple"]))
    tl = timeline(ds)
    idx = example_couple(ds)
    ex = example(ds, idx)
    pop = population_facts(ds)
    pngs = couple_figure_pngs(tl, ex)
    for key, data in pngs.items():
        write_bytes(folder / f"{key}.png", data)
    write_text(folder / "story.txt", with_changes(meta, story_text(ex.facts, pop, EXAMPLE_RULE)))
    write_text(folder / "timeline.csv", timeline_frame(tl, ex).to_csv(index=False))
    write_text(folder / "couples.csv", couples_frame(ds, idx).to_csv(index=False))
    files = [f"{k}.png" for k in pngs] + ["story.txt", "timeline.csv", "couples.csv", "results.nc"]
    run = {
        **meta,
        "example_couple": idx,
        "example_rule": "The example couple: " + EXAMPLE_RULE,
        "files": [*files, "run.json", "report.html"],
    }
    write_text(folder / "run.json", json.dumps(run, indent=2, sort_keys=True) + "\n")
    write_netcdf(folder / "results.nc", ds)
    page = couple_report_html(ex.facts, pop, tl, pngs, meta)
    return write_text(folder / "report.html", page)
