"""The study's HTML report: power curves over couples and days, bias and coverage, the cheapest
design, assurance and a plain reading, on the page shell every closeloop report uses (with the
educational notice)."""

from __future__ import annotations

import html
import io
import math
from pathlib import Path
from typing import Any

import pandas as pd

from closeloop.design.spec import Analysis, StudySpec
from closeloop.io import write_bytes, write_text
from closeloop.report import figures_html, page

SETTINGS = ("prompts", "compliance", "compliance_decay", "breakup")


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def _label(row: pd.Series, varying: list[str]) -> str:
    parts = [f"{int(row['days'])} days"] + [f"{k} {row[k]}" for k in varying]
    return ", ".join(parts)


def _curves(
    points: pd.DataFrame, value: str, err: str | None, ylabel: str, spec: StudySpec
) -> bytes:
    """One panel per analysis: ``value`` over couples, a line per diary length and setting."""
    from matplotlib.figure import Figure

    names = [a.name for a in spec.analyses]
    fig = Figure(figsize=(5.2 * len(names), 3.6))
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    varying = [k for k in SETTINGS if points[k].nunique() > 1]
    for ax, name in zip(axes, names, strict=True):
        sub = points[points["analysis"] == name]
        for _, g in sub.groupby(["days", *varying], sort=True):
            g = g.sort_values("couples")
            yerr = 1.96 * g[err] if err else None
            ax.errorbar(
                g["couples"],
                g[value],
                yerr=yerr,
                marker="o",
                capsize=3,
                label=_label(g.iloc[0], varying),
            )
        if value == "power":
            ax.axhline(spec.target_power, color="grey", ls="--", lw=1)
            ax.set_ylim(-0.02, 1.02)
        if value == "bias":
            ax.axhline(0.0, color="grey", lw=1)
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("couples")
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=7)
    return _png(fig)


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return "" if math.isnan(x) else f"{x:.3g}"
    return html.escape(str(x))


def _table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_fmt(v)}</td>" for v in row) + "</tr>"
        for row in df.itertuples(index=False)
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def reading(spec: StudySpec, tables: dict[str, pd.DataFrame], info: dict[str, Any]) -> list[str]:
    """The plain reading: sentences chosen from the numbers, never fixed claims."""
    pts = tables["points"]
    best = info["cheapest"]
    t = pts[pts["analysis"] == spec.target_analysis]
    out = []
    if best["found"]:
        out.append(
            f"The cheapest design in the grid that detects the {spec.target_analysis} effect "
            f"with power of at least {spec.target_power:.0%} is {best['couples']} couples for "
            f"{best['days']} days ({best['prompts']} prompt(s) a day): its power is "
            f"{best['power']:.0%} (Monte Carlo error {best['power_mcse']:.0%}), cost "
            f"{best['cost']:g}."
        )
    else:
        out.append(
            f"No design in the grid reaches {spec.target_power:.0%} power for the "
            f"{spec.target_analysis} effect within the budget; the highest power seen is "
            f"{best['best_power']:.0%}. A larger grid, more days or more prompts may be needed, "
            "or the effect is too small (or absent) in this population to detect."
        )
    recovery = {a.name: a for a in spec.analyses if a.kind == "recovery"}
    for name, g in pts.groupby("analysis", sort=False):
        if name in recovery:
            out.append(recovery_reading(recovery[str(name)], g))
            continue
        truth = tables["truth"]
        tr = truth[truth["analysis"] == name]
        rel = g["bias"].abs() / max(float(tr["truth"].abs().max()), 1e-12)
        out.append(
            f"{name}: the true value (the same analysis on {spec.truth_couples} couples' "
            f"error-free record) is {', '.join(f'{v:.3g}' for v in tr['truth'])} at "
            f"{', '.join(str(d) for d in tr['days'])} days; the planned analysis of the diaries "
            f"is off by {g['bias'].min():.3g} to {g['bias'].max():.3g} on average (up to "
            f"{float(rel.max()):.0%} of the true value), and its 95% intervals cover the true "
            f"value in {g['coverage'].min():.0%} to {g['coverage'].max():.0%} of studies."
        )
    bad = int(pts["failed"].sum())
    nc = int(pts["not_converged"].sum())
    out.append(
        f"Of {int(pts['replications'].sum())} fits, {bad} failed (counted as no detection) and "
        f"{nc} did not converge (kept); {int(pts['boundary'].sum())} put a random-effect "
        "variance at zero."
    )
    if spec.assurance_replications:
        a = t.sort_values("cost").iloc[-1]
        out.append(
            f"Over the priors of {', '.join(spec.assurance_parameters)}, the assurance (power "
            f"averaged over what the parameters might be) of the largest design is "
            f"{a['assurance']:.0%} against a power of {a['power']:.0%} at the design's values."
        )
    return out


def recovery_reading(a: Analysis, g: pd.DataFrame) -> str:
    """The plain reading of a recovery analysis's design points."""
    level = f"{1 - a.alpha:.0%}"
    text = (
        f"{a.name}: fitted with the posterior network, each couple's posterior mean of "
        f"{a.quantity} is off its true value by {g['bias'].min():.3g} to {g['bias'].max():.3g} on "
        f"average (RMSE {g['rmse'].min():.3g} to {g['rmse'].max():.3g}); the {level} intervals, "
        f"{g['width'].min():.3g} to {g['width'].max():.3g} wide, hold the true value for "
        f"{g['coverage'].min():.0%} to {g['coverage'].max():.0%} of couples. "
        f"{int(g['couples_ood'].sum())} couple fit(s) were flagged as unlike the network's "
        f"training diaries and {int(g['couples_unfittable'].sum())} could not be fitted (both "
        "counted as failed, left out of the error and coverage)."
    )
    if a.null is None:
        return text + " No null value was named, so no power is reported for it."
    return text + (
        f" The interval of the couples' mean left out {a.null:g} in {g['power'].min():.0%} to "
        f"{g['power'].max():.0%} of studies. That interval takes each couple's posterior as "
        "exact: the network's systematic error for this population (the bias above) is not in "
        "it, so with many couples it leaves out even the true value more often than "
        f"{a.alpha:.0%}; try the true value as the null before reading the power."
    )


def write_report(
    spec: StudySpec, tables: dict[str, pd.DataFrame], info: dict[str, Any], folder: Path
) -> Path:
    """Write report.html and its figures (power.png, bias.png) into ``folder``."""
    pts = tables["points"]
    pngs = {
        "power": _curves(pts, "power", "power_mcse", "power", spec),
        "bias": _curves(pts, "bias", "bias_mcse", "bias (estimate - truth)", spec),
        "coverage": _curves(pts, "coverage", "coverage_mcse", "interval coverage", spec),
    }
    for k, v in pngs.items():
        write_bytes(folder / f"{k}.png", v)
    captions = {
        "power": "Power over couples, a line per diary length (bars: 95% Monte Carlo interval; "
        "dashed: the target).",
        "bias": "Bias of the planned analysis against the true value of the same analysis on a "
        "very large error-free study.",
        "coverage": "How often the interval holds the true value (its level, 1 - alpha, when it "
        "is right: 95% for the mixed models, 90% for a recovery analysis by default). A recovery "
        "analysis's bias and coverage are over every fitted couple against its own true value.",
    }
    cols = [
        "couples",
        "days",
        *SETTINGS,
        "analysis",
        "truth",
        "power",
        "power_mcse",
        "bias",
        "rmse",
        "width",
        "coverage",
        "ok",
        "boundary",
        "not_converged",
        "failed",
        "cost",
    ]
    if spec.assurance_replications:
        cols += ["assurance", "assurance_mcse"]
    if any(a.kind == "recovery" for a in spec.analyses):
        cols += ["couples_fitted", "couples_ood", "couples_unfittable"]
    paras = "".join(f"<p>{html.escape(s)}</p>" for s in reading(spec, tables, info))
    body = (
        f'<p class="sub">Study design {html.escape(spec.name)}: {spec.replications} synthetic '
        f"studies per design point from the mechanistic model (docs/design.md).</p>"
        f"<h2>Plain reading</h2>{paras}"
        f"<h2>Power, bias, coverage</h2>{figures_html(pngs, captions)}"
        f"<h2>Every design point</h2>{_table(pts[cols])}"
    )
    meta = {
        "scenario_name": f"study design {spec.name}",
        "hash": info["hash"],
        "seed": spec.seed,
        "cheapest": info["cheapest"],
    }
    return write_text(folder / "report.html", page(meta, body))
