"""The reports' figures: small functions that each return a matplotlib Figure.

The functions only draw: every number comes in already computed (``closeloop.analysis``), so a
figure can be checked by looking at it and its numbers by testing the analysis.

Figures are built with ``matplotlib.figure.Figure`` and rendered with the Agg canvas directly,
never through ``pyplot``: no global backend is switched, no window can open, nothing leaks
between calls, and it works the same in a headless server, a notebook or a test. The palette and
rendering helpers every figure shares are re-exported here.
"""

from closeloop.figures._style import (
    BEHAVIOUR_COLOURS,
    CLASS_COLOURS,
    OKABE_ITO,
    PROFILE_COLOURS,
    ROUTE_COLOURS,
    member_colours,
    profile_style,
    to_png,
    wrap_labels,
)

__all__ = [
    "BEHAVIOUR_COLOURS",
    "CLASS_COLOURS",
    "OKABE_ITO",
    "PROFILE_COLOURS",
    "ROUTE_COLOURS",
    "member_colours",
    "profile_style",
    "to_png",
    "wrap_labels",
]
