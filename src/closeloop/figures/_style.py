"""The figures' palette, profile and member styles, label wrapping and PNG rendering."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

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


CLASS_COLOURS = {
    "deepening": OKABE_ITO["green"],
    "pursue-withdraw": OKABE_ITO["orange"],
    "functional-but-empty": OKABE_ITO["sky"],
    "high-conflict": OKABE_ITO["vermillion"],
    "ended": "#8c8c8c",
}
"""A fixed colour per trajectory class."""
_MEMBER_DEFAULTS = (OKABE_ITO["purple"], OKABE_ITO["green"])


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


def fraction_axis(ax: Axes, fmt: str) -> None:
    """Y ticks at 0, 0.2, ..., 1 whatever the padding, labelled as percentages or fractions."""
    ax.set_ylim(-0.03, 1.03)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.yaxis.set_major_formatter(lambda v, _: format(v, fmt))
