"""A run's scheduled interventions in words, for every report that shows them."""

from __future__ import annotations

from typing import Any

from closeloop.model.healing import describe


def interventions_text(meta: dict[str, Any]) -> list[str]:
    """The run's scheduled interventions in words (empty when there are none)."""
    sc = meta.get("scenario") or {}
    rows = sc.get("interventions") or []
    return describe(rows, str(sc.get("kind", "person")), int(sc.get("days", 0))) if rows else []


def with_changes(meta: dict[str, Any], text: str) -> str:
    """``text`` preceded by the run's interventions, if it has any."""
    changes = interventions_text(meta)
    if not changes:
        return text
    return "What changes in this run:\n" + "".join(f"- {x}\n" for x in changes) + "\n" + text
