"""The person report's five figures: acceptance, template, routes, deep threat, behaviours."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from closeloop.analysis.profiles import ProfileStats
from closeloop.figures._style import (
    BEHAVIOUR_COLOURS,
    HEIGHT,
    OKABE_ITO,
    ROUTE_COLOURS,
    WIDTH,
    fraction_axis,
    profile_style,
    wrap_labels,
)


def _new(title: str, height: float = HEIGHT) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(WIDTH, height), layout="constrained")
    ax = fig.add_subplot()
    # Titles start at the figure's left edge, as in the small multiples of figure (a).
    fig.suptitle(title, x=0.01, ha="left", fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


def _offsets(count: int, spread: float = 0.36) -> np.ndarray:
    # Dodge the profiles sideways at each depth so that their error bars do not hide each other.
    if count == 1:
        return np.zeros(1)
    return np.linspace(-spread / 2, spread / 2, count)


def _depth_lines(
    ax: Axes,
    stats: Sequence[ProfileStats],
    centre: Sequence[np.ndarray],
    low: Sequence[np.ndarray],
    high: Sequence[np.ndarray],
    depth_names: Sequence[str],
) -> None:
    x = np.arange(len(depth_names), dtype=float)
    for i, (s, c, lo, hi, dx) in enumerate(
        zip(stats, centre, low, high, _offsets(len(stats)), strict=True)
    ):
        st = profile_style(s.name, i)
        err = np.vstack([np.clip(c - lo, 0, None), np.clip(hi - c, 0, None)])
        ax.errorbar(
            x + dx,
            c,
            yerr=err,
            label=s.name,
            capsize=2.5,
            elinewidth=1.0,
            linewidth=1.8,
            markersize=5,
            **st,
        )
    ax.set_xticks(x, wrap_labels(depth_names))
    ax.set_xlabel("Depth of closeness offered")
    ax.set_xlim(-0.5, len(depth_names) - 0.5)


def acceptance(stats: Sequence[ProfileStats], depth_names: Sequence[str]) -> Figure:
    """(a) Share of a partner's offers that people shared, by depth, per profile.

    One small panel per profile, so that each profile's population band stays readable; the
    other profiles' means are repeated in grey in every panel for comparison.

    Arguments:
        stats: one entry per profile.
        depth_names: the names of the depths, shallow to deep.

    Returns:
        The figure: mean per-person acceptance with the 5th-95th percentile across people.
    """
    cols = min(3, max(len(stats), 1))
    rows = -(-max(len(stats), 1) // cols)
    fig = Figure(figsize=(WIDTH * 1.2, 0.6 + 2.9 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False).ravel()
    x = np.arange(len(depth_names), dtype=float)
    for i, (ax, s) in enumerate(zip(axes, stats, strict=False)):
        st = profile_style(s.name, i)
        for other in stats:
            if other is not s:
                ax.plot(x, other.acceptance, color="#bbbbbb", linewidth=1.0, zorder=1)
        ax.fill_between(
            x, s.acceptance_low, s.acceptance_high, color=st["color"], alpha=0.18, lw=0, zorder=2
        )
        ax.plot(x, s.acceptance, linewidth=2.2, markersize=5, zorder=3, **st)
        for xi, a in zip(x, s.acceptance, strict=True):
            if np.isfinite(a):
                ax.annotate(
                    f"{a:.0%}",
                    (xi, a),
                    textcoords="offset points",
                    xytext=(0, 7),
                    ha="center",
                    fontsize=7.5,
                    color="#333333",
                    zorder=4,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75},
                )
        ax.set_title(s.name, fontsize=10.5, color=st["color"], loc="left", fontweight="bold")
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#e4e4e4", linewidth=0.8)
        ax.set_axisbelow(True)
        fraction_axis(ax, ".0%")
        ax.set_xticks(x, wrap_labels(depth_names, 10), fontsize=7.5)
        ax.set_xlim(-0.3, len(depth_names) - 0.7)
    for ax in axes[len(stats) :]:
        ax.set_visible(False)
    for ax in axes[::cols]:
        ax.set_ylabel("Offers shared")
    fig.suptitle(
        "(a) How often people accepted closeness from a partner, by depth",
        x=0.01,
        ha="left",
        fontsize=12,
    )
    fig.supxlabel(
        "Depth of closeness offered.  Line: mean person; band: the middle 90% of people; "
        "grey: the other profiles.",
        fontsize=9,
    )
    return fig


def template(stats: Sequence[ProfileStats], depth_names: Sequence[str]) -> Figure:
    """(b) The threat template by depth at the start of adulthood, per profile.

    Arguments:
        stats: one entry per profile.
        depth_names: the names of the depths, shallow to deep.

    Returns:
        The figure: mean expected threat from a partner (0 none, 1 certain hurt) with the
        5th-95th percentile across people.
    """
    fig, ax = _new("(b) Threat a partner's closeness carried at the start of adulthood")
    _depth_lines(
        ax,
        stats,
        [s.threat0 for s in stats],
        [s.threat0_low for s in stats],
        [s.threat0_high for s in stats],
        depth_names,
    )
    fraction_axis(ax, ".1f")
    ax.set_ylabel("Expected threat (0 = none, 1 = sure hurt)")
    ax.legend(title="Profile", frameon=False, loc="upper left", fontsize=9)
    fig.text(
        0.01,
        -0.02,
        "Learned from each early history before adult life begins. "
        "Bars: the middle 90% of people in each profile.",
        fontsize=8,
        color="#555555",
        va="top",
    )
    return fig


def routes(stats: Sequence[ProfileStats]) -> Figure:
    """(c) Share of withdrawals from a partner taken by the automatic and the deliberate route.

    Arguments:
        stats: one entry per profile.

    Returns:
        The figure: one 100% stacked horizontal bar per profile, labelled with the shares and
        the number of withdrawals per person.
    """
    fig, ax = _new(
        "(c) How people pulled back from a partner: automatically or by choice",
        height=0.9 + 0.55 * max(len(stats), 2),
    )
    y = np.arange(len(stats))[::-1]
    auto = np.array([s.automatic_share for s in stats], dtype=float)
    known = np.isfinite(auto)
    auto_v = np.where(known, auto, 0.0)
    delib_v = np.where(known, 1.0 - auto, 0.0)
    ax.barh(y, auto_v, color=ROUTE_COLOURS["automatic"], label="automatic: before any choice")
    ax.barh(
        y,
        delib_v,
        left=auto_v,
        color=ROUTE_COLOURS["deliberate"],
        label="deliberate: after weighing up",
    )
    for yi, s, a, ok in zip(y, stats, auto_v, known, strict=True):
        if not ok:
            ax.text(0.02, yi, "no withdrawals", va="center", fontsize=9)
            continue
        if a >= 0.08:
            ax.text(a / 2, yi, f"{a:.0%}", va="center", ha="center", color="white", fontsize=9)
        if 1 - a >= 0.08:
            ax.text((1 + a) / 2, yi, f"{1 - a:.0%}", va="center", ha="center", fontsize=9)
        ax.text(1.02, yi, f"{s.withdrawals_per_person:.0f}", va="center", fontsize=9)
    ax.text(
        1.02, len(stats) - 0.45, "withdrawals\nper person", fontsize=8, va="bottom", color="#555555"
    )
    ax.set_yticks(y, [s.name for s in stats])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel("Share of withdrawals from a partner's offers")
    ax.grid(False)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(0, -0.22), ncols=2, fontsize=9)
    return fig


def deep_threat(stats: Sequence[ProfileStats], deep_names: Sequence[str]) -> Figure:
    """(d) Felt threat at the deepest levels with a partner over time, per profile.

    Arguments:
        stats: one entry per profile, with ``deep_days`` and ``deep_q`` (25th, 50th and 75th
            percentile across people of the threat averaged over the deepest depths).
        deep_names: names of the depths averaged.

    Returns:
        The figure: the median over people with the middle 50% as a band.
    """
    fig, ax = _new("(d) Felt threat at the deepest levels with a partner, over the run")
    for i, s in enumerate(stats):
        st = profile_style(s.name, i)
        months = s.deep_days / (365.25 / 12)
        ax.fill_between(months, s.deep_q[0], s.deep_q[2], color=st["color"], alpha=0.14, lw=0)
        ax.plot(
            months,
            s.deep_q[1],
            label=s.name,
            linewidth=1.8,
            markersize=4,
            markevery=max(1, len(months) // 8),
            **st,
        )
    fraction_axis(ax, ".1f")
    ax.set_xlim(left=0)
    ax.set_xlabel("Months of adult life simulated")
    ax.set_ylabel("Felt threat (0 = none, 1 = sure hurt)")
    ax.legend(
        title="Profile", frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1.0, 1.0)
    )
    fig.text(
        0.01,
        -0.02,
        f"Mean over {' and '.join(repr(n) for n in deep_names)}. "
        "Lines: median person; bands: the middle 50% of people.",
        fontsize=8,
        color="#555555",
        va="top",
    )
    return fig


def behaviours(stats: Sequence[ProfileStats], names: Sequence[str], where: str) -> Figure:
    """(e) How withdrawal showed: the forms it took, as shares of all withdrawals, per profile.

    Arguments:
        stats: one entry per profile, with ``behaviours`` (shares over ``names``).
        names: the observable forms of withdrawal (sharing itself excluded).
        where: the relationships counted, for the axis label (e.g. "partner and friend").

    Returns:
        The figure: one 100% stacked horizontal bar per profile.
    """
    fig, ax = _new("(e) How pulling back showed", height=1.1 + 0.55 * max(len(stats), 2))
    y = np.arange(len(stats))[::-1]
    shares = np.array([s.behaviours for s in stats], dtype=float).reshape(len(stats), len(names))
    # A form nobody showed would only add an empty legend entry; it is named in a note instead.
    seen = np.nansum(shares, axis=0) > 0
    left = np.zeros(len(stats))
    for j, name in enumerate(names):
        if not seen[j]:
            continue
        col = BEHAVIOUR_COLOURS[j % len(BEHAVIOUR_COLOURS)]
        v = np.nan_to_num(shares[:, j])
        ax.barh(y, v, left=left, color=col, label=name, edgecolor="white", linewidth=0.6)
        dark = col in (OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["purple"])
        for yi, lo, w in zip(y, left, v, strict=True):
            if w >= 0.07:
                ax.text(
                    lo + w / 2,
                    yi,
                    f"{w:.0%}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else "black",
                )
        left = left + v
    for yi, tot in zip(y, left, strict=True):
        if tot == 0:
            ax.text(0.02, yi, "no withdrawals", va="center", fontsize=9)
    ax.set_yticks(y, [s.name for s in stats])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel(f"Share of all withdrawals ({where})")
    ax.grid(False)
    if seen.any():
        ax.legend(
            frameon=False,
            loc="upper left",
            bbox_to_anchor=(0, -0.2),
            ncols=int(min(seen.sum(), 5)),
            fontsize=9,
        )
    unseen = [n for n, ok in zip(names, seen, strict=True) if not ok]
    if unseen:
        fig.text(
            0.01,
            -0.02,
            f"Not seen in this run: {', '.join(unseen)}.",
            fontsize=8,
            color="#555555",
            va="top",
        )
    return fig
