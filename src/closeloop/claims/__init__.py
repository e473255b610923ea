"""The claim checks (the behaviour contract in ../shared/design/claims.md)."""

from closeloop.claims import couple as _couple  # noqa: F401  (registers D1-D6)
from closeloop.claims import exposure as _exposure  # noqa: F401  (registers H5-H7)
from closeloop.claims import healing as _healing  # noqa: F401  (registers H1-H4)
from closeloop.claims import person as _person  # noqa: F401  (registers P1-P6)
from closeloop.claims.registry import CLAIMS, Claim, ClaimResult, Condition, Evidence, Settings
from closeloop.claims.runner import check_claims, render_json, render_table

__all__ = [
    "CLAIMS",
    "Claim",
    "ClaimResult",
    "Condition",
    "Evidence",
    "Settings",
    "check_claims",
    "render_json",
    "render_table",
]
