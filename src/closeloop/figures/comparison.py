"""The what-if comparison's figures: both scenarios on the same axes, means with 95% intervals."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from closeloop import trajectory
from closeloop.analysis import profiles
from closeloop.analysis.couple_events import MONTH_DAYS, NAMES
from closeloop.analysis.profiles import CONTEXT, DEEP, acceptance_by_depth
from closeloop.figures._style import OKABE_ITO, WIDTH, wrap_labels
from closeloop.stats import Z95

COLOURS = (OKABE_ITO["blue"], OKABE_ITO["orange"])
"""Scenario A and B in every comparison figure (colour-blind safe, distinct in greyscale too)."""
DASHES = ("-", "--")


def _mean_band(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Mean over units (axis 0) with a normal-approximation 95% interval; NaN where no unit has a
    # value. The interval is of each run's mean, to show where the two runs separate.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        m = np.nanmean(x, axis=0)
        count = np.isfinite(x).sum(axis=0)
        se = np.nanstd(x, axis=0, ddof=1) / np.sqrt(np.maximum(count, 1))
    se = np.where(count > 1, se, 0.0)
    return m, m - Z95 * se, m + Z95 * se


def _time(days: np.ndarray) -> tuple[np.ndarray, str]:
    # Years for long runs, months for short ones, where years would crowd near zero.
    if days.size and days[-1] >= 730:
        return days / 365.25, "Years"
    return days / MONTH_DAYS, "Months"


def _draw(ax: Axes, x: np.ndarray, series: Sequence[np.ndarray], names: Sequence[str]) -> None:
    for i, (s, name) in enumerate(zip(series, names, strict=True)):
        m, lo, hi = _mean_band(s)
        ok = np.isfinite(m)
        ax.fill_between(x, lo, hi, where=ok, color=COLOURS[i], alpha=0.22, lw=0)
        ax.plot(x, m, color=COLOURS[i], linestyle=DASHES[i], linewidth=2.0, label=name)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e4e4e4", linewidth=0.8)
    ax.set_axisbelow(True)
    if x.size:
        ax.set_xlim(float(x[0]), float(x[-1]))


def _panels(title: str, count: int) -> tuple[Figure, list[Axes]]:
    fig = Figure(figsize=(WIDTH, 3.9), layout="constrained")
    axes = fig.subplots(1, count, sharey=True, squeeze=False)[0]
    fig.suptitle(title, x=0.01, ha="left", fontsize=12)
    return fig, list(axes)


def couple_member_figure(
    ds_a: xr.Dataset, ds_b: xr.Dataset, var: str, title: str, ylabel: str, names: Sequence[str]
) -> Figure:
    """One panel per partner, both scenarios on the same axes: the mean of ``var`` (couple,
    month, member) over couples still together, with its 95% interval."""
    x, xlabel = _time(ds_a["month"].values.astype(float))
    fig, axes = _panels(title, 2)
    for m, ax in enumerate(axes):
        series = [
            np.where(~d["ended"].values.astype(bool), d[var].values[..., m].astype(float), np.nan)
            for d in (ds_a, ds_b)
        ]
        _draw(ax, x, series, names)
        ax.set_title(f"Partner {NAMES[m]}", fontsize=10, loc="left")
        ax.set_xlabel(xlabel)
        ax.set_ylim(0, 1)
    axes[0].set_ylabel(ylabel)
    axes[-1].legend(frameon=False, fontsize=8.5, loc="best")
    return fig


def class_figure(ds_a: xr.Dataset, ds_b: xr.Dataset, names: Sequence[str]) -> Figure:
    """The share of couples in each trajectory class at the end, both scenarios side by side."""
    fig = Figure(figsize=(WIDTH, 3.9), layout="constrained")
    ax = fig.add_subplot()
    fig.suptitle("Where couples ended up", x=0.01, ha="left", fontsize=12)
    classes = list(trajectory.CLASSES)
    y = np.arange(len(classes))[::-1].astype(float)
    h = 0.38
    for i, d in enumerate((ds_a, ds_b)):
        traj = d["trajectory"].values.astype(str)
        shares = [float(np.mean(traj == c)) for c in classes]
        yi = y + (h / 2 if i == 0 else -h / 2)
        ax.barh(
            yi,
            shares,
            height=h,
            color=COLOURS[i],
            label=names[i],
            hatch="" if i == 0 else "//",
            edgecolor="white",
        )
        for yy, s in zip(yi, shares, strict=True):
            ax.text(s + 0.01, yy, f"{s:.0%}", va="center", fontsize=8)
    ax.set_yticks(y, wrap_labels(classes, 16), fontsize=9)
    ax.set_xlim(0, 1.1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel("Share of all couples at the end of the run")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8.5, loc="lower right")
    return fig


def person_threat_figure(ds_a: xr.Dataset, ds_b: xr.Dataset, names: Sequence[str]) -> Figure:
    """Felt threat at the deepest levels with a partner and unmet longing over the run, both
    scenarios on the same axes (mean over people with a 95% interval)."""
    days = np.concatenate([[0.0], ds_a["month"].values.astype(float)])
    x, xlabel = _time(days)
    fig, axes = _panels("Felt threat of the deepest closeness, and unmet longing", 2)
    k = ds_a.sizes["depth"]
    deep = list(range(max(k - DEEP, 0), k))

    def threat(d: xr.Dataset) -> np.ndarray:
        start = d["template0"].sel(context=CONTEXT).isel(depth=deep).mean("depth").values
        later = d["threat_partner"].isel(depth=deep).mean("depth").values
        return np.column_stack([start, later]).astype(float)

    def longing(d: xr.Dataset) -> np.ndarray:
        later = d["longing_t"].values.astype(float)
        return np.column_stack([np.full(later.shape[0], np.nan), later])

    for ax, get, label in zip(
        axes, (threat, longing), ("Felt threat (0-1)", "Unmet longing (0-1)"), strict=True
    ):
        _draw(ax, x, [get(ds_a), get(ds_b)], names)
        ax.set_xlabel(xlabel)
        ax.set_title(label, fontsize=10, loc="left")
        ax.set_ylim(0, 1)
    axes[0].set_ylabel("Mean over people")
    axes[-1].legend(frameon=False, fontsize=8.5, loc="best")
    return fig


def person_acceptance_figure(ds_a: xr.Dataset, ds_b: xr.Dataset, names: Sequence[str]) -> Figure:
    """The share of a partner's offers taken up at each depth, both scenarios on the same axes
    (mean over people with a 95% interval)."""
    depth_names = profiles.depth_names(ds_a)
    fig, axes = _panels("Closeness taken up, by depth", 1)
    ax = axes[0]
    x = np.arange(len(depth_names), dtype=float)
    _draw(ax, x, [acceptance_by_depth(d) for d in (ds_a, ds_b)], names)
    ax.set_xticks(x, wrap_labels(depth_names))
    ax.set_xlim(-0.2, len(depth_names) - 0.8)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel("Depth of closeness offered by a partner")
    ax.set_ylabel("Share of offers taken up")
    ax.legend(frameon=False, fontsize=8.5, loc="best")
    return fig
