"""The what-if comparison's page and folder: both scenarios side by side, unit by unit.

``write_comparison(ds_a, ds_b, out)`` writes:

- ``report.html``: one self-contained page (figures embedded as PNG), both scenarios side by side;
- ``comparison.csv``: one row per outcome (value in A, value in B, B minus A, 95% interval, unit);
- ``story.txt``: the main differences in words, with numbers;
- ``run.json``: both scenarios' metadata, the seed and the population size;
- ``<name-a>/`` and ``<name-b>/``: each scenario's own full report (``closeloop.write_report``).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xarray as xr

from closeloop import report
from closeloop.analysis.paired import Comparison, Effect, compare, comparison_frame
from closeloop.figures import comparison as figures
from closeloop.figures import to_png
from closeloop.io import staged, write_bytes, write_text
from closeloop.narrative.comparison import (
    changes_text,
    closing_text,
    decimals,
    differences_text,
    fmt_diff,
    fmt_value,
    intro_text,
    story_text,
)
from closeloop.report._html import NOTICE_HTML, figures_html, page
from closeloop.results.files import run_metadata
from closeloop.simulation import NOTICE
from closeloop.stats import N_BOOT

FILES = ("report.html", "comparison.csv", "story.txt", "run.json")

CAPTIONS = {
    "satisfaction": "Each partner's satisfaction with the relationship, month by month, under "
    "both scenarios: the mean over couples still together, shaded with its 95% interval.",
    "deep-threat": "Each partner's felt threat at the deepest levels of closeness (0 none, 1 "
    "sure hurt), under both scenarios: the mean over couples still together, with its 95% "
    "interval.",
    "trajectories": "The share of couples in each pattern at the end of the run, under both "
    "scenarios (each pattern judged over the last year).",
    "threat": "Left: the felt threat of the deepest levels of closeness with a partner, from the "
    "start of adult life on. Right: unmet longing, the wish for connection not yet met. Means "
    "over people with their 95% intervals, both scenarios on the same axes.",
    "acceptance": "How often people took up a partner's offer of closeness at each depth, under "
    "both scenarios: the mean over people with its 95% interval.",
}


def figure_pngs(ds_a: xr.Dataset, ds_b: xr.Dataset, names: Sequence[str]) -> dict[str, bytes]:
    """Draw the comparison's figures and render them as PNG (name -> bytes, in page order)."""
    if ds_a.attrs.get("closeloop_kind") == "couple":
        made = {
            "satisfaction": figures.couple_member_figure(
                ds_a, ds_b, "sat", "Satisfaction", "Satisfaction (0-1)", names
            ),
            "deep-threat": figures.couple_member_figure(
                ds_a,
                ds_b,
                "threat_deep",
                "Felt threat of the deepest closeness",
                "Felt threat (0-1)",
                names,
            ),
            "trajectories": figures.class_figure(ds_a, ds_b, names),
        }
    else:
        made = {
            "threat": figures.person_threat_figure(ds_a, ds_b, names),
            "acceptance": figures.person_acceptance_figure(ds_a, ds_b, names),
        }
    return {k: to_png(f) for k, f in made.items()}


def _table_html(c: Comparison) -> str:
    esc = html.escape

    def row(e: Effect) -> str:
        k = decimals(e)
        diff = fmt_diff(e.diff, e.unit, k)
        return (
            f"<tr><td>{esc(e.label)}</td><td>{fmt_value(e.a, e.unit)}</td>"
            f"<td>{fmt_value(e.b, e.unit)}</td>"
            f"<td>{f'<strong>{diff}</strong>' if e.clear else diff}</td>"
            f"<td>{fmt_diff(e.low, e.unit, k)} to {fmt_diff(e.high, e.unit, k)}</td>"
            f"<td>{esc(e.unit)}</td></tr>"
        )

    rows = "".join(row(e) for e in c.effects)
    return (
        f"<table><thead><tr><th>outcome</th><th>{esc(c.names[0])}</th><th>{esc(c.names[1])}</th>"
        "<th>difference</th><th>95% interval</th><th>unit</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def comparison_html(
    c: Comparison, pngs: dict[str, bytes], meta: dict[str, Any], folders: tuple[str, str]
) -> str:
    """The self-contained comparison page (inline CSS, figures as data URIs, no scripts)."""
    esc = html.escape
    changes = (
        "<ul>" + "".join(f"<li><code>{esc(x)}</code></li>" for x in c.changes) + "</ul>"
        if c.changes
        else f"<p>{esc(changes_text(c))}</p>"
    )
    words = "".join(f"<p>{esc(p)}</p>" for p in differences_text(c))
    links = " and ".join(
        f'<a href="{esc(f)}/report.html">{esc(n)}</a>'
        for f, n in zip(folders, c.names, strict=True)
    )
    return page(
        meta,
        f'<p class="sub">{esc(intro_text(c))}</p>{NOTICE_HTML}'
        f"<h2>What differs between the scenarios</h2>{changes}"
        f"<h2>Differences in outcomes</h2>{words}"
        f"<p>Difference: {esc(c.names[1])} minus {esc(c.names[0])}; shares in percentage points."
        " In bold: the 95% interval leaves out zero.</p>"
        f"{_table_html(c)}<h2>Figures</h2>{figures_html(pngs, CAPTIONS)}"
        f"<h2>Each scenario on its own</h2><p>The full report of each run: {links}.</p>"
        f"<p>{esc(closing_text())}</p>",
    )


def folder_names(names: tuple[str, str]) -> tuple[str, str]:
    """The subfolders for the two scenarios' own reports: their names made safe for a path,
    or ``a`` and ``b`` when the names are the same (or nothing would be left)."""
    safe = tuple(re.sub(r"[^A-Za-z0-9._-]+", "-", n).strip(".-") for n in names)
    clash = any(s in FILES or s.endswith(".png") for s in safe)  # a file of the comparison
    if safe[0] == safe[1] or not all(safe) or clash:
        return "a", "b"
    return safe[0], safe[1]


def run_json(
    c: Comparison,
    ds_a: xr.Dataset,
    ds_b: xr.Dataset,
    folders: tuple[str, str],
    pngs: Sequence[str] = (),
) -> dict[str, Any]:
    """What ``run.json`` records: both runs' metadata, the comparison's settings, the notice."""
    return {
        "kind": c.kind,
        "seed": c.seed,
        "n": c.n,
        "days": c.days,
        "scenario_name": f"{c.names[0]} vs {c.names[1]}",
        "a": {**run_metadata(ds_a), "folder": folders[0]},
        "b": {**run_metadata(ds_b), "folder": folders[1]},
        "changes": list(c.changes),
        "difference": "b minus a",
        "interval": f"95% paired percentile bootstrap over units, {N_BOOT} resamples, "
        f"seed {c.seed}",
        "files": [*FILES, *(f"{k}.png" for k in pngs), f"{folders[0]}/", f"{folders[1]}/"],
        "notice": NOTICE,
    }


def write_comparison(
    ds_a: xr.Dataset, ds_b: xr.Dataset, out: str | Path, *, force: bool = False
) -> Path:
    """Write the comparison of two runs into a folder.

    Arguments:
        ds_a, ds_b: two runs as ``compare`` takes them.
        out: the folder; written whole and swapped in (``closeloop.io.staged``): a folder
            closeloop wrote before is replaced, a non-empty folder it did not write is refused
            unless ``force``. Each scenario's own report goes into a subfolder named after it
            (``a`` and ``b`` when the names are the same).
        force: write into a non-empty folder closeloop did not write (its files are kept).

    Returns:
        The path of ``report.html``.
    """
    c = compare(ds_a, ds_b)
    with staged(out, force=force) as folder:
        folders = folder_names(c.names)
        for ds, sub in zip((ds_a, ds_b), folders, strict=True):
            report.write_report(ds, folder / sub)
        pngs = figure_pngs(ds_a, ds_b, c.names)
        meta = run_json(c, ds_a, ds_b, folders, list(pngs))
        write_text(folder / "comparison.csv", comparison_frame(c).to_csv(index=False))
        write_text(folder / "story.txt", story_text(c))
        write_text(folder / "run.json", json.dumps(meta, indent=2, sort_keys=True) + "\n")
        for key, data in pngs.items():
            write_bytes(folder / f"{key}.png", data)
        page = comparison_html(c, pngs, meta, folders)
        name = write_text(folder / "report.html", page).name
    return Path(out) / name
