"""The one page shell every report uses: CSS, the notice, figure and intervention blocks."""

from __future__ import annotations

import base64
import html
import json
from typing import Any

from closeloop.narrative.interventions import interventions_text
from closeloop.simulation import NOTICE

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 max-width:58rem;margin:2rem auto;padding:0 1rem;color:#1d1d1d;line-height:1.5}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem}
.notice{border-left:4px solid #0072B2;background:#eef5fb;padding:.6rem .9rem;margin:1rem 0}
.sub{color:#555}figure{margin:1.5rem 0}figure img{max-width:100%;height:auto}
figcaption{color:#444;font-size:.92rem}
table{border-collapse:collapse;font-size:.88rem;margin:1rem 0}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:right}
th:first-child,td:first-child{text-align:left}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem}
pre{background:#f6f6f6;padding:.6rem;white-space:pre-wrap;word-break:break-all}
@media print{.notice{background:none}figure{break-inside:avoid}}
"""

NOTICE_HTML = f'<p class="notice"><strong>{html.escape(NOTICE)}</strong></p>'


def figures_html(pngs: dict[str, bytes], captions: dict[str, str]) -> str:
    """The figures, embedded as base64 data URIs, each with its caption."""
    esc = html.escape
    return "".join(
        f'<figure><img alt="{esc(captions.get(k, k))}" '
        f'src="data:image/png;base64,{base64.b64encode(v).decode("ascii")}">'
        f"<figcaption>{esc(captions.get(k, ''))}</figcaption></figure>"
        for k, v in pngs.items()
    )


def interventions_html(meta: dict[str, Any]) -> str:
    """The run's interventions as a section (empty when there are none)."""
    items = interventions_text(meta)
    if not items:
        return ""
    lis = "".join(f"<li>{html.escape(x)}</li>" for x in items)
    return (
        "<h2>What changes in this run</h2><p>Interventions the scenario schedules "
        "(docs/model.md, the section on change):</p>"
        f"<ul>{lis}</ul>"
    )


def page(meta: dict[str, Any], body: str) -> str:
    """A whole self-contained page: title, the notice at the top and the bottom, ``body``, and
    the run's metadata (without the notice, which the page already carries)."""
    esc = html.escape
    name = esc(str(meta.get("scenario_name") or "custom"))
    run = json.dumps({k: v for k, v in meta.items() if k != "notice"}, indent=2, sort_keys=True)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>closeloop report: {name}</title><style>{CSS}</style></head><body>"
        f"<h1>closeloop report: {name}</h1>{body}"
        "<h2>About this run</h2><p>Seed, population, scenario and versions; the same seed and "
        "scenario reproduce these results exactly.</p>"
        f"<pre>{esc(run)}</pre>{NOTICE_HTML}</body></html>\n"
    )
