"""The report's figures: one small function per figure, each returning a matplotlib Figure.

The functions only draw: every number comes in already computed (``closeloop.report`` computes
them from a simulated Dataset), so a figure can be checked by looking at it and its numbers by
testing the report's tables.

Figures are built with ``matplotlib.figure.Figure`` and rendered with the Agg canvas directly,
never through ``pyplot``: no global backend is switched, no window can open, nothing leaks
between calls, and it works the same in a headless server, a notebook or a test.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from closeloop.person import DEPTH_NAMES
from closeloop.story import NAMES

if TYPE_CHECKING:
    from closeloop.report import Example, ProfileStats, Timeline

# Okabe & Ito (2008, Color Universal Design) palette: distinguishable with the common forms of
# colour-blindness. Yellow is left out because it is hard to see on white.
OKABE_ITO = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "orange": "#E69F00",
    "purple": "#CC79A7",
    "green": "#009E73",
    "sky": "#56B4E9",
    "black": "#000000",
}
PROFILE_COLOURS = {
    "secure": OKABE_ITO["blue"],
    "avoidant": OKABE_ITO["vermillion"],
    "avoidant-after-betrayal": OKABE_ITO["orange"],
    "neglect-shaped": OKABE_ITO["purple"],
    "private": OKABE_ITO["green"],
    "anxious": OKABE_ITO["sky"],
}
"""A fixed colour per shipped profile, so that a profile looks the same in every figure."""
# Markers and dashes repeat the profile in a second channel, for greyscale prints.
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
_DASHES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 1)))
_SPARE = (
    OKABE_ITO["black"],
    OKABE_ITO["sky"],
    OKABE_ITO["green"],
    OKABE_ITO["purple"],
    OKABE_ITO["orange"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["blue"],
)
BEHAVIOUR_COLOURS = (
    OKABE_ITO["sky"],
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["purple"],
    OKABE_ITO["green"],
)
ROUTE_COLOURS = {"automatic": OKABE_ITO["vermillion"], "deliberate": OKABE_ITO["sky"]}

WIDTH, HEIGHT, DPI = 8.6, 4.8, 130


def profile_style(name: str, index: int) -> dict[str, Any]:
    """Colour, marker and line style of a profile.

    Arguments:
        name: the profile (preset) name.
        index: its position in the report, used for profiles without a fixed colour.

    Returns:
        Keyword arguments for ``Axes.plot`` (color, marker, linestyle).
    """
    colour = PROFILE_COLOURS.get(name, _SPARE[index % len(_SPARE)])
    return {
        "color": colour,
        "marker": _MARKERS[index % len(_MARKERS)],
        "linestyle": _DASHES[index % len(_DASHES)],
    }


def wrap_labels(names: Sequence[str], width: int = 12) -> list[str]:
    """Break long tick labels (depth names) onto two lines so they never overlap."""
    return [textwrap.fill(n, width) for n in names]


def to_png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes with the Agg canvas.

    Arguments:
        fig: the figure.

    Returns:
        The PNG file's bytes.
    """
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    # No metadata beyond the defaults, so the same numbers give the same file.
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


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


def _fraction_axis(ax: Axes, fmt: str) -> None:
    # Ticks at 0, 0.2, ..., 1 whatever the padding, labelled as percentages or fractions.
    ax.set_ylim(-0.03, 1.03)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.yaxis.set_major_formatter(lambda v, _: format(v, fmt))


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
        _fraction_axis(ax, ".0%")
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
    _fraction_axis(ax, ".1f")
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
    _fraction_axis(ax, ".1f")
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


# ---------------------------------------------------------------------------------------------
# Couple figures: the population over time (median and bands over couples still together) with
# one example couple drawn over it.

CLASS_COLOURS = {
    "deepening": OKABE_ITO["green"],
    "pursue-withdraw": OKABE_ITO["orange"],
    "functional-but-empty": OKABE_ITO["sky"],
    "high-conflict": OKABE_ITO["vermillion"],
    "ended": "#8c8c8c",
}
"""A fixed colour per trajectory class."""
_MEMBER_DEFAULTS = (OKABE_ITO["purple"], OKABE_ITO["green"])
_HALO = [patheffects.withStroke(linewidth=3.0, foreground="white")]
_EXAMPLE_DASH = (0, (4, 2))


def member_colours(presets: Sequence[str]) -> tuple[str, str]:
    """A colour for each member of a couple: its profile's colour, distinct between the two.

    Arguments:
        presets: the profile of member a and of member b ("" for a mix of profiles).

    Returns:
        (colour of a, colour of b).
    """
    a = PROFILE_COLOURS.get(presets[0], _MEMBER_DEFAULTS[0])
    b = PROFILE_COLOURS.get(presets[1], _MEMBER_DEFAULTS[1])
    if b == a:
        b = next(c for c in (*_MEMBER_DEFAULTS, *_SPARE) if c != a)
    return a, b


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
        tl: the population timeline (``report.timeline``).
        ex: the example couple (``report.example``).

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
        _fraction_axis(ax, fmt)
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
    _fraction_axis(bottom, ".0%")
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
    _fraction_axis(left, ".0%")
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
