"""The diary window of the fit's posterior network, and the check that a study with a recovery
analysis gives the network the diaries it was trained on (apart from ``recovery`` so that the
study file's validation does not import the analyses)."""

from __future__ import annotations

from typing import Any

from closeloop.errors import bad_value

OWNER = "design"


def window() -> dict[str, int]:
    """The diary window the shipped network was trained on, from its manifest: days, the
    relationship day the diary starts on and prompts a day (the fit's diaries start at
    relationship day 0 with one row per person and day unless the manifest says otherwise)."""
    from closeloop.fit.api import load_network

    _, man = load_network()
    return {
        "days": int(man["days"]),
        "start_day": int(man.get("start_day", 0)),
        "prompts": int(man.get("prompts", 1)),
    }


def check_window(
    days: tuple[int, ...],
    start_day: int,
    prompts: tuple[int, ...],
    compliance: tuple[float, ...],
    compliance_decay: tuple[float, ...],
) -> None:
    """A one-line error when the design cannot give the network the diaries it was trained on:
    its days, start day and prompts, every day reported (the fit takes no gaps)."""
    w = window()
    trained = (
        f"for a recovery analysis (the posterior network was trained on diaries of {w['days']} "
        f"days from relationship day {w['start_day']}, {w['prompts']} prompt a day, every day "
        "reported)"
    )
    wanted: list[tuple[str, Any, Any, str]] = [
        ("design.days", list(days), [w["days"]], f"[{w['days']}]"),
        ("population.start_day", start_day, w["start_day"], str(w["start_day"])),
        ("design.prompts", list(prompts), [w["prompts"]], f"[{w['prompts']}]"),
        ("design.compliance", list(compliance), [1.0], "[1.0]"),
        ("design.compliance_decay", list(compliance_decay), [0.0], "[0.0]"),
    ]
    for key, got, allowed, shown in wanted:
        if got != allowed:
            raise bad_value(key, got, f"{shown} {trained}", OWNER)
