"""An HTML sensitivity report for a finished sweep: indices, a heat map, scatter plots, and a
plain reading of what the indices say and where they are uncertain.

Written into the sweep's folder (report.html and PNG figures beside it, no CDN), every file
atomically. Reads the sweep's files only; it never reruns the sweep.
"""

from __future__ import annotations

import html
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from closeloop.errors import bad_value
from closeloop.io import write_bytes, write_text
from closeloop.simulation import NOTICE
from closeloop.sweep.indices import sobol_table

MAX_OUTPUTS = 12
"""Outputs shown in the scatter grid and the index charts (the heat map shows all)."""
CONVERGENCE_STEPS = 3
"""Base-sample sizes the Sobol' indices are recomputed at: N / 4, N / 2 and N."""


def _columns(info: dict[str, Any]) -> list[str]:
    return [
        p["name"] if p.get("member", "both") == "both" else f"{p['name']}_{p['member']}"
        for p in info["spec"]["parameters"]
    ]


def _png(fig: Any, path: Path) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    write_bytes(path, buf.getvalue())
    return path.name


def _strength(
    design: str, idx: pd.DataFrame | None, table: pd.DataFrame, params: list[str], outs: list[str]
) -> tuple[pd.DataFrame, str]:
    """Parameters x outputs: total Sobol' index, mu* scaled per output, or |Spearman r|."""
    if idx is not None and design == "saltelli":
        return idx.pivot(index="parameter", columns="output", values="ST").loc[params, outs], (
            "total Sobol' index ST"
        )
    if idx is not None and design == "morris":
        m = idx.pivot(index="parameter", columns="output", values="mu_star").loc[params, outs]
        return m / m.max().replace(0.0, np.nan), "Morris mu*, as a share of the output's largest"
    r = table[params + outs].rank().corr().loc[params, outs].abs()
    return r, "|Spearman correlation| (this design has no indices)"


def _heatmap(strength: pd.DataFrame, label: str, path: Path) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1.2 + 0.5 * strength.shape[1], 1.0 + 0.45 * strength.shape[0]))
    ax = fig.add_subplot()
    im = ax.imshow(strength.to_numpy(dtype=float), cmap="viridis", vmin=0.0, aspect="auto")
    ax.set_xticks(range(strength.shape[1]), strength.columns, rotation=60, ha="right")
    ax.set_yticks(range(strength.shape[0]), strength.index)
    fig.colorbar(im, ax=ax, label=label)
    return _png(fig, path)


def _scatter(table: pd.DataFrame, params: list[str], outs: list[str], path: Path) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2.2 * len(params), 1.8 * len(outs)))
    axes = fig.subplots(len(outs), len(params), squeeze=False)
    for i, o in enumerate(outs):
        for j, p in enumerate(params):
            ax = axes[i][j]
            ax.scatter(table[p], table[o], s=6, alpha=0.6)
            if i == len(outs) - 1:
                ax.set_xlabel(p)
            if j == 0:
                ax.set_ylabel(o, fontsize=7)
    fig.tight_layout()
    return _png(fig, path)


def _bars(idx: pd.DataFrame, design: str, outs: list[str], path: Path) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 2.2 * len(outs)))
    axes = fig.subplots(len(outs), 1, squeeze=False)
    for ax, o in zip(axes[:, 0], outs, strict=True):
        d = idx[idx.output == o]
        pos = np.arange(len(d))
        if design == "saltelli":
            ax.bar(pos - 0.2, d.S1, 0.4, yerr=d.S1_conf, label="S1 (first order)")
            ax.bar(pos + 0.2, d.ST, 0.4, yerr=d.ST_conf, label="ST (total)")
        else:
            ax.bar(pos - 0.2, d.mu_star, 0.4, yerr=d.mu_star_conf, label="mu*")
            ax.bar(pos + 0.2, d.sigma, 0.4, label="sigma")
        ax.set_xticks(pos, d.parameter, fontsize=7)
        ax.set_title(o, fontsize=8)
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    return _png(fig, path)


def convergence(
    table: pd.DataFrame, params: list[str], outs: list[str], bounds: list[list[float]], seed: int
) -> pd.DataFrame:
    """Total Sobol' indices recomputed on the first N / 4, N / 2 and N base samples (a Saltelli
    table lists each base sample's D + 2 rows together, so a prefix is a smaller design)."""
    d = len(params)
    n = len(table) // (d + 2)
    problem = {"num_vars": d, "names": params, "bounds": bounds}
    parts = []
    for step in range(CONVERGENCE_STEPS - 1, -1, -1):
        k = n >> step
        if k < 2:
            continue
        sub = table.sort_values("point").iloc[: k * (d + 2)]
        for o in outs:
            t = sobol_table(problem, sub[o].to_numpy(), o, seed)
            parts.append(t.assign(base_samples=k))
    return pd.concat(parts, ignore_index=True)


def _convergence_plot(conv: pd.DataFrame, outs: list[str], path: Path) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 2.2 * len(outs)))
    axes = fig.subplots(len(outs), 1, squeeze=False)
    for ax, o in zip(axes[:, 0], outs, strict=True):
        d = conv[conv.output == o]
        for p, g in d.groupby("parameter"):
            ax.errorbar(g.base_samples, g.ST, yerr=g.ST_conf, marker="o", capsize=2, label=p)
        ax.set_xscale("log", base=2)
        ax.set_title(o, fontsize=8)
        ax.set_ylabel("ST")
    axes[-1, 0].set_xlabel("base samples")
    axes[0, 0].legend(fontsize=6, ncol=3)
    fig.tight_layout()
    return _png(fig, path)


def reading(
    design: str, idx: pd.DataFrame | None, conv: pd.DataFrame | None, n_points: int
) -> list[str]:
    """Plain sentences on what the indices mean and where they are uncertain."""
    out = []
    if design == "saltelli" and idx is not None:
        out.append(
            "The first-order index S1 is the share of an output's variance over the sweep "
            "that one parameter explains alone; the total index ST adds its interactions with "
            "the others. ST well above S1 means the parameter acts through interactions; ST "
            "near 0 means the output barely depends on it over the ranges swept."
        )
        wide = int((idx.ST_conf > idx.ST.abs()).sum())
        out.append(
            f"Bootstrap 95% intervals: {wide} of {len(idx)} total indices have an interval "
            "wider than the index itself; those are not resolved, and more base samples "
            "(points) would be needed before reading them."
        )
        if conv is not None and conv.base_samples.nunique() > 1:
            prev, last = sorted(conv.base_samples.unique())[-2:]
            a = conv[conv.base_samples == last].set_index(["output", "parameter"]).ST
            b = conv[conv.base_samples == prev].set_index(["output", "parameter"]).ST
            change = float((a - b).abs().max())
            out.append(
                f"Convergence: from {prev} to {last} base samples the total indices moved by "
                f"at most {change:.2f}; a large move means the indices have not settled."
            )
    elif design == "morris" and idx is not None:
        out.append(
            "Morris mu* is the mean absolute change in an output when one parameter moves "
            "across its range (screening: a ranking, not a share of variance); sigma large "
            "beside mu* means the effect depends on the other parameters (interactions or "
            "curvature)."
        )
        wide = int((idx.mu_star_conf > idx.mu_star).sum())
        out.append(f"{wide} of {len(idx)} mu* values have an interval wider than the value.")
    else:
        out.append(
            "This design has no sensitivity indices; the heat map shows rank correlations, "
            "which catch monotone effects only. Use design = 'saltelli' or 'morris' for indices."
        )
    out.append(f"The sweep has {n_points} points; every figure is computed from them alone.")
    return out


def _table_html(df: pd.DataFrame) -> str:
    return df.to_html(index=False, float_format=lambda v: f"{v:.3f}", border=0)


def write_report(out: str | Path) -> Path:
    """Write report.html (and its PNG figures) into a finished sweep's folder; return its path."""
    out = Path(out)
    run = out / "run.json"
    if not (run.is_file() and (out / "points.parquet").is_file()):
        raise bad_value("out", str(out), "a folder holding a finished sweep", "sweep report")
    info = json.loads(run.read_text(encoding="utf-8"))
    table = pd.read_parquet(out / "points.parquet")
    params = _columns(info)
    outs = [c for c in table.columns if c not in ("point", *params)]
    outs = [o for o in outs if table[o].notna().any()]
    design = info["spec"]["design"]
    idx_file = info.get("indices")
    idx = pd.read_parquet(out / idx_file) if idx_file else None
    shown = outs[:MAX_OUTPUTS]
    figs: list[tuple[str, str]] = []
    strength, label = _strength(design, idx, table, params, outs)
    figs.append((_heatmap(strength, label, out / "report-heatmap.png"), f"Heat map: {label}."))
    figs.append(
        (_scatter(table, params, shown, out / "report-scatter.png"), "Each output by parameter.")
    )
    conv = None
    if idx is not None:
        figs.append(
            (_bars(idx, design, shown, out / "report-indices.png"), "Indices, 95% intervals.")
        )
    if idx is not None and design == "saltelli":
        bounds = [[p["low"], p["high"]] for p in info["spec"]["parameters"]]
        conv = convergence(table, params, shown, bounds, int(info["spec"]["seed"]))
        name = _convergence_plot(conv, shown, out / "report-convergence.png")
        figs.append((name, "Total indices at growing numbers of base samples."))
    e = html.escape
    paras = "".join(f"<p>{e(s)}</p>" for s in reading(design, idx, conv, len(table)))
    imgs = "".join(
        f'<figure><img src="{e(f)}" alt="{e(c)}"><figcaption>{e(c)}</figcaption></figure>'
        for f, c in figs
    )
    idx_html = f"<h2>Indices</h2>{_table_html(idx)}" if idx is not None else ""
    title = e(f"Sensitivity report: {info['spec']['name']}")
    page = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
        "img{max-width:100%}table{border-collapse:collapse;font-size:80%}"
        "td,th{padding:2px 6px}.notice{border:1px solid #888;padding:.5em}</style></head><body>"
        f"<h1>{title}</h1>"
        f'<p class="notice"><strong>{e(NOTICE)}</strong></p>'
        f"<p>Scenario {e(str(info['spec']['scenario']))}, design {e(design)}, "
        f"{len(table)} points, parameters: {e(', '.join(params))}.</p>"
        f"<h2>Reading</h2>{paras}{imgs}{idx_html}</body></html>\n"
    )
    return write_text(out / "report.html", page)
