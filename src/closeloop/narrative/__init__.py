"""Words: the plain-language texts of the reports, chosen from numbers computed elsewhere.

The phrasing helpers every text shares are re-exported here.
"""

from closeloop.narrative._phrases import (
    and_list,
    cap,
    duration,
    pct,
    profile_word,
    run_span,
    when,
    years_phrase,
)

__all__ = ["and_list", "cap", "duration", "pct", "profile_word", "run_span", "when", "years_phrase"]
