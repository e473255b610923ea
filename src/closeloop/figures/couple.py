"""The couple report's figures: the population over time (median and bands over couples still
together) with one example couple drawn over it."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from closeloop.analysis.couple_events import NAMES
from closeloop.analysis.timeline import Example, Timeline
from closeloop.figures._style import (
    CLASS_COLOURS,
    OKABE_ITO,
    WIDTH,
    fraction_axis,
    member_colours,
    wrap_labels,
)
from closeloop.model.person import DEPTH_NAMES

_HALO = [patheffects.withStroke(linewidth=3.0, foreground="white")]
_EXAMPLE_DASH = (0, (4, 2))


def _darker(colour: str, factor: float = 0.62) -> tuple[float, float, float]:
    # The example couple's line: the member's hue, darker, so it stands out over the bands.
    r, g, b = to_rgb(colour)
    return (r * factor, g * factor, b * factor)


def _band(
    ax: Axes,
    x: np.ndarray,
    q: np.ndarray,
    colour: str,
    label: str,
    example: np.ndarray | None = None,
) -> None:
    # q: (5, M) 5th, 25th, 50th, 75th and 95th percentiles; NaN where no couple has a value.
    ok = np.isfinite(q[2])
    ax.fill_between(x, q[0], q[4], where=ok, color=colour, alpha=0.12, lw=0, interpolate=False)
    ax.fill_between(x, q[1], q[3], where=ok, color=colour, alpha=0.28, lw=0, interpolate=False)
    ax.plot(x, q[2], color=colour, linewidth=2.2, label=label)
    if example is not None:
        ax.plot(
            x,
            example,
            color=_darker(colour),
            linewidth=1.3,
            linestyle=_EXAMPLE_DASH,
            path_effects=_HALO,
        )


def _time_axes(ax: Axes, years: np.ndarray) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e4e4e4", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_xlim(0, float(years[-1]) if years.size else 1.0)


def _legend(ax: Axes, extra: Sequence[Any] = ()) -> None:
    handles, labels = ax.get_legend_handles_labels()
    handles = [*handles, *extra]
    labels = [*labels, *(h.get_label() for h in extra)]
    ax.legend(
        handles, labels, frameon=False, fontsize=8.5, loc="upper left", bbox_to_anchor=(1.0, 1.0)
    )


def _example_handle() -> Line2D:
    return Line2D(
        [], [], color="#444444", linewidth=1.3, linestyle=_EXAMPLE_DASH, label="example couple"
    )


def _events(axes: Sequence[Axes], ex: Example, years: np.ndarray) -> None:
    """Mark the example couple's events: a dotted line in every panel, numbered in the first."""
    span = float(years[-1]) if years.size else 1.0
    level = 0
    last = -np.inf
    for i, (t, _, _) in enumerate(ex.events, start=1):
        level = level + 1 if t - last < 0.045 * span else 0
        last = t
        for ax in axes:
            ax.axvline(t, color="#777777", linewidth=0.8, linestyle=":", zorder=1)
        axes[0].annotate(
            str(i),
            (t, 1.0 - 0.1 * (level % 4)),
            xycoords=("data", "axes fraction"),
            ha="center",
            va="top",
            fontsize=7.5,
            color="#333333",
            bbox={"boxstyle": "circle,pad=0.15", "fc": "white", "ec": "#777777", "lw": 0.6},
            zorder=5,
        )


def _footnote(fig: Figure, ex: Example, text: str = "") -> None:
    items = [f"{i} month {m}: {label}" for i, (_, m, label) in enumerate(ex.events, start=1)]
    events = (
        f"Example couple (no. {ex.couple}): " + ";  ".join(items) + "."
        if items
        else f"Example couple (no. {ex.couple}): none of the key events happened."
    )
    note = textwrap.fill(events, 130) + ("\n" + textwrap.fill(text, 130) if text else "")
    fig.text(0.01, -0.01, note, fontsize=7.5, color="#555555", va="top", ha="left")


def _couple_fig(
    title: str, rows: int, heights: Sequence[float] | None = None
) -> tuple[Figure, list[Axes]]:
    ratios = list(heights) if heights is not None else [1.0] * rows
    fig = Figure(figsize=(WIDTH, 1.0 + 2.6 * sum(ratios)), layout="constrained")
    grid = fig.subplots(rows, 1, sharex=True, squeeze=False, height_ratios=ratios)
    axes = list(grid[:, 0])
    fig.suptitle(title, x=0.01, ha="left", fontsize=12)
    return fig, axes


def couple_depth(tl: Timeline, ex: Example) -> Figure:
    """(a) Depth of closeness offered to the partner who pulls back, and where they pull back.

    Arguments:
        tl: the population timeline (``closeloop.analysis.timeline.timeline``).
        ex: the example couple (``closeloop.analysis.timeline.example``).

    Returns:
        The figure, x in years. Top: mean depth of the bids the withdrawing member received and
        of those they turned away (median and bands over couples). Bottom: bids they received a
        month.
    """
    w = tl.withdrawer
    r = 1 - w
    key = "ab"[w]
    colours = member_colours(tl.presets)
    wn, rn = NAMES[w], NAMES[r]
    fig, (top, bottom) = _couple_fig(
        f"(a) How deep the closeness offered to {wn} was, and where {wn} pulled back",
        2,
        heights=(1.0, 0.55),
    )
    _band(
        top,
        tl.years,
        tl.bands[f"offered_depth_{key}"],
        colours[r],
        f"depth of {rn}'s bids to {wn}",
        ex.series[f"offered_depth_{key}"],
    )
    _band(
        top,
        tl.years,
        tl.bands[f"declined_depth_{key}"],
        colours[w],
        f"depth of the bids {wn} turned away",
        ex.series[f"declined_depth_{key}"],
    )
    _band(
        bottom,
        tl.years,
        tl.bands[f"received_{key}"],
        colours[r],
        f"bids {rn} made to {wn}",
        ex.series[f"received_{key}"],
    )
    for ax in (top, bottom):
        _time_axes(ax, tl.years)
    top.set_ylim(-0.15, len(DEPTH_NAMES) - 0.85)
    top.set_yticks(np.arange(len(DEPTH_NAMES)), wrap_labels(DEPTH_NAMES, 14), fontsize=8)
    top.set_ylabel("Depth of closeness\n(mean over 5 months)")
    bottom.set_ylim(bottom=0)
    bottom.set_ylabel(f"Bids to {wn}\na month")
    bottom.set_xlabel("Years together")
    _events([top, bottom], ex, tl.years)
    _legend(top, [_example_handle()])
    _legend(bottom)
    _footnote(
        fig,
        ex,
        "Gaps: too few bids to say (fewer than 3 in the five months, or fewer than one couple "
        "in ten with that many).",
    )
    return fig


def _member_panels(
    tl: Timeline,
    ex: Example,
    title: str,
    keys: tuple[str, str],
    formats: tuple[str, str],
    ylabels: tuple[str, str],
) -> Figure:
    """Two panels over the years, each with one band per member: ``keys`` name the timeline
    series (``{key}_a``, ``{key}_b``) of the top and bottom panel."""
    colours = member_colours(tl.presets)
    fig, axes = _couple_fig(title, 2)
    for ax, key, fmt, label in zip(axes, keys, formats, ylabels, strict=True):
        for m, member in enumerate("ab"):
            name = f"{key}_{member}"
            _band(ax, tl.years, tl.bands[name], colours[m], tl.members[m], ex.series[name])
        _time_axes(ax, tl.years)
        fraction_axis(ax, fmt)
        ax.set_ylabel(label)
    axes[1].set_xlabel("Years together")
    _events(list(axes), ex, tl.years)
    _legend(axes[0], [_example_handle()])
    _footnote(fig, ex)
    return fig


def couple_pursuit(tl: Timeline, ex: Example) -> Figure:
    """(b) Pursuit of each partner, and the share of the other's bids each turned away.

    Arguments:
        tl: the population timeline.
        ex: the example couple.

    Returns:
        The figure: two panels over years, medians and bands over couples still together.
    """
    return _member_panels(
        tl,
        ex,
        "(b) Reaching and pulling back",
        ("pursuit", "withdrawal"),
        (".1f", ".0%"),
        ("Pursuit\n(0 = none, 1 = most)", "Share of the other's\nbids turned away"),
    )


def couple_satisfaction(tl: Timeline, ex: Example) -> Figure:
    """(c) Each partner's satisfaction and felt stability over the years.

    Arguments:
        tl: the population timeline.
        ex: the example couple.

    Returns:
        The figure: two panels over years, medians and bands over couples still together.
    """
    return _member_panels(
        tl,
        ex,
        "(c) Satisfaction and felt stability",
        ("sat", "stability"),
        (".1f", ".1f"),
        ("Satisfaction with\nthe relationship (0-1)", "Felt stability,\nthe day's calm (0-1)"),
    )


def couple_ruptures(tl: Timeline, ex: Example) -> Figure:
    """(d) Unrepaired ruptures over the years, and the share of couples that have ended.

    Arguments:
        tl: the population timeline.
        ex: the example couple.

    Returns:
        The figure: ruptures (median and bands over couples still together) and the share ended.
    """
    fig, (top, bottom) = _couple_fig(
        "(d) Unrepaired ruptures, and relationships ending", 2, heights=(1.0, 0.6)
    )
    _band(
        top,
        tl.years,
        tl.bands["ruptures"],
        OKABE_ITO["purple"],
        "unrepaired ruptures",
        ex.series["ruptures"],
    )
    bottom.plot(
        tl.years,
        tl.ended_share,
        color=OKABE_ITO["black"],
        linewidth=2.0,
        label="share of couples ended",
    )
    for ax in (top, bottom):
        _time_axes(ax, tl.years)
    top.set_ylim(bottom=0)
    fraction_axis(bottom, ".0%")
    top.set_ylabel("Unrepaired ruptures\non the books")
    bottom.set_ylabel("Couples who\nhave ended")
    bottom.set_xlabel("Years together")
    _events([top, bottom], ex, tl.years)
    _legend(top, [_example_handle()])
    _legend(bottom)
    _footnote(fig, ex)
    return fig


def couple_trajectories(tl: Timeline) -> Figure:
    """(e) Trajectory classes over time (stacked shares) and at the end of the run.

    Arguments:
        tl: the population timeline.

    Returns:
        The figure: left, the share of all couples in each class, judged at each month over the
        year before it; right, the final shares.
    """
    fig = Figure(figsize=(WIDTH, 4.4), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=(3, 1.25))
    fig.suptitle("(e) Where couples ended up, over time", x=0.01, ha="left", fontsize=12)
    classes = list(tl.final_shares)
    colours = [CLASS_COLOURS.get(c, "#cccccc") for c in classes]
    x = tl.years[tl.class_index] if tl.class_index.size else np.empty(0)
    shares = np.array([tl.class_shares[c] for c in classes], dtype=float)
    if x.size >= 2:
        left.stackplot(x, shares, colors=colours, labels=classes, linewidth=0)
        left.set_xlim(float(x[0]), float(x[-1]))
    elif x.size == 1:
        bottom = 0.0
        for c, col, s in zip(classes, colours, shares[:, 0], strict=True):
            left.bar(x[0], s, bottom=bottom, width=0.08, color=col, label=c)
            bottom += s
        left.set_xlim(float(x[0]) - 0.2, float(x[0]) + 0.2)
    else:
        left.text(
            0.5,
            0.5,
            "Patterns need a year of data.",
            ha="center",
            va="center",
            transform=left.transAxes,
        )
    fraction_axis(left, ".0%")
    left.set_ylabel("Share of all couples")
    left.set_xlabel("Years together (each point looks back over the year before)")
    left.spines[["top", "right"]].set_visible(False)
    final = [tl.final_shares[c] for c in classes]
    y = np.arange(len(classes))[::-1]
    right.barh(y, final, color=colours)
    for yi, v in zip(y, final, strict=True):
        right.text(v + 0.02, yi, f"{v:.0%}", va="center", fontsize=8.5)
    right.set_yticks(y, wrap_labels(classes, 13), fontsize=8)
    right.set_xlim(0, 1.18)
    right.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    right.set_xticks([0, 0.5, 1.0])
    right.set_title("At the end", fontsize=10, loc="left")
    right.spines[["top", "right"]].set_visible(False)
    handles = [Patch(color=col, label=c) for c, col in zip(classes, colours, strict=True)]
    fig.legend(
        handles=handles, loc="outside lower center", ncols=len(classes), frameon=False, fontsize=8.5
    )
    return fig
