"""The person report's page and folder: figures, summary, per-profile table and the data."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xarray as xr

from closeloop.analysis.profiles import (
    DEEP,
    ProfileStats,
    depth_names,
    profile_stats,
    profiles_frame,
    pullback_label,
    withdrawal_forms,
)
from closeloop.figures import person as figures
from closeloop.figures import to_png
from closeloop.io import write_bytes, write_text
from closeloop.narrative import and_list, pct
from closeloop.narrative.interventions import with_changes
from closeloop.narrative.person_summary import summary_text
from closeloop.report._html import NOTICE_HTML, figures_html, interventions_html, page
from closeloop.results.files import run_metadata, write_netcdf
from closeloop.simulation import NOTICE

FIGURES = ("acceptance", "template", "routes", "deep-threat", "behaviours")

CAPTIONS = {
    "acceptance": "How often people took up a partner's offer of closeness at each depth. "
    "A line that drops shows where a profile starts to hold back.",
    "template": "How much threat a partner's closeness carried for people at the start of "
    "adult life, learned from their early history, before any adult experience.",
    "routes": "Of the offers people did not take up, the share closed by the automatic route "
    "(a fast protective reaction) and the share declined by a deliberate choice.",
    "deep-threat": "How the felt threat of the deepest levels with a partner changed over the "
    "run, for the median person in each profile.",
    "behaviours": "The forms pulling back took: what someone close by would actually see.",
}


def _table_html(stats: Sequence[ProfileStats], names: Sequence[str]) -> str:
    head = "".join(f"<th>{html.escape(d)}</th>" for d in names)
    rows = []
    for s in stats:
        acc = "".join(f"<td>{pct(a)}</td>" for a in s.acceptance)
        rows.append(
            f"<tr><td>{html.escape(s.name)}</td><td>{s.n}</td>{acc}"
            f"<td>{pct(s.automatic_share)}</td>"
            f"<td>{html.escape(pullback_label(s.pullback, names))}</td>"
            f"<td>{s.longing:.2f}</td></tr>"
        )
    return (
        "<table><thead><tr><th>profile</th><th>people</th>"
        f"{head}<th>automatic share</th><th>pull-back depth</th><th>unmet longing</th>"
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def report_html(
    summary: str,
    stats: Sequence[ProfileStats],
    names: Sequence[str],
    pngs: dict[str, bytes],
    meta: dict[str, Any],
) -> str:
    """The self-contained report page.

    Arguments:
        summary: from ``summary_text``.
        stats: from ``profile_stats``.
        names: depth names.
        pngs: figure name -> PNG bytes, embedded as base64 data URIs.
        meta: from ``run_metadata``.

    Returns:
        The HTML text: inline CSS, no scripts and no external resources.
    """
    esc = html.escape
    # The notice closes the summary text; on the page it stands at the top and the bottom.
    paras = [p for p in summary.strip().split("\n\n") if p.strip() != NOTICE]
    body = "".join(f"<p>{esc(p)}</p>" for p in paras)
    return page(
        meta,
        '<p class="sub">An executable model of intimacy avoidance: what it shows for this '
        "run.</p>"
        f"{NOTICE_HTML}{interventions_html(meta)}<h2>Summary</h2>{body}"
        f"<h2>Profiles at a glance</h2>"
        "<p>Share of a partner's offers taken up at each depth; the share of withdrawals that "
        "were automatic; the median depth at which people pull back (share less than half as "
        f"often as {esc(names[0])}); and mean unmet longing (0 to 1).</p>"
        f"{_table_html(stats, names)}<h2>Figures</h2>{figures_html(pngs, CAPTIONS)}",
    )


def figure_pngs(
    ds: xr.Dataset, stats: Sequence[ProfileStats], names: Sequence[str]
) -> dict[str, bytes]:
    """Draw the five figures and render them as PNG.

    Arguments:
        ds: the simulate() Dataset (for the behaviour names and the contexts offered).
        stats: from ``profile_stats``.
        names: depth names.

    Returns:
        Figure name -> PNG bytes, in the order the report shows them.
    """
    behaviours = [str(b) for b in ds["behaviour"].values[withdrawal_forms(ds)]]
    where = adult_contexts(ds)
    made = {
        "acceptance": figures.acceptance(stats, names),
        "template": figures.template(stats, names),
        "routes": figures.routes(stats),
        "deep-threat": figures.deep_threat(stats, names[-DEEP:]),
        "behaviours": figures.behaviours(stats, behaviours, where),
    }
    return {k: to_png(f) for k, f in made.items()}


def adult_contexts(ds: xr.Dataset) -> str:
    """The adult contexts anyone was offered closeness in, in words."""
    offered = ds["offers"].sum(["unit", "depth", "importance"])
    ctx = [str(c) for c in ds["context"].values if c != "home" and float(offered.sel(context=c))]
    return and_list(ctx) or "adult life"


def write_person_report(ds: xr.Dataset, folder: Path) -> Path:
    """Write the person report into a prepared folder; return the path of ``report.html``."""
    names = depth_names(ds)
    stats = profile_stats(ds)
    meta = run_metadata(ds)
    summary = summary_text(stats, names, meta)
    pngs = figure_pngs(ds, stats, names)
    for key, data in pngs.items():
        write_bytes(folder / f"{key}.png", data)
    write_text(folder / "summary.txt", with_changes(meta, summary))
    write_text(folder / "profiles.csv", profiles_frame(stats, names).to_csv(index=False))
    files = [f"{k}.png" for k in pngs] + ["summary.txt", "profiles.csv", "results.nc"]
    write_text(
        folder / "run.json",
        json.dumps({**meta, "files": [*files, "run.json", "report.html"]}, indent=2, sort_keys=True)
        + "\n",
    )
    write_netcdf(folder / "results.nc", ds)
    return write_text(folder / "report.html", report_html(summary, stats, names, pngs, meta))
