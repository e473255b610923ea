"""A scenario's adult events (``[[events]]`` tables): a betrayal, a loss, a humiliation after
being known, on a given day of adult life or of the relationship, validated like the rest of the
scenario file (one-line errors naming the field, the value and what is allowed).

Each event works through the same learning as the early history's acute events
(``closeloop.model.events``; docs/model.md 8.3 and 13.13).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from closeloop.errors import InputError, bad_value, did_you_mean, is_int, one_of
from closeloop.model import events

MAX_DAYS = 36500
"""The latest day of any scenario (``scenario.MAX_DAYS``)."""


class AdultEvent(BaseModel):
    """One acute event of adult life.

    Attributes:
        kind: one of ``events.NAMES`` (betrayal, loss, humiliation).
        day: the event's first day, in [0, 36500] (it lasts its episodes, in days).
        who: in a couple, whom it befalls: "a", "b" or "both" (default "a"); in a couple the
            event is the other member's doing.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    day: int = 0
    who: str = ""

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: Any) -> str:
        if v not in events.NAMES:
            hint = did_you_mean(v, events.NAMES)
            raise bad_value("events.kind", v, one_of(events.NAMES) + hint, "scenario")
        return str(v)

    @field_validator("day", mode="before")
    @classmethod
    def _day(cls, v: Any) -> int:
        if not is_int(v) or not (0 <= v <= MAX_DAYS):
            raise bad_value("events.day", v, f"an integer day in [0, {MAX_DAYS}]", "scenario")
        return int(v)

    @field_validator("who", mode="before")
    @classmethod
    def _who(cls, v: Any) -> str:
        if v != "" and v not in events.WHO:
            raise bad_value("events.who", v, one_of(events.WHO), "scenario")
        return str(v)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as e:
            raise one_line(e) from None

    def row(self) -> dict[str, Any]:
        """The event for ``events.schedule_array``: kind, day and whose ("a" unless given)."""
        return {"kind": self.kind, "day": self.day, "who": self.who or "a"}


def one_line(e: ValidationError) -> InputError:
    """The standard one-line error for a bad ``[[events]]`` table."""
    err = e.errors()[0]
    inner = (err.get("ctx") or {}).get("error")
    if isinstance(inner, InputError):
        return inner
    field = ".".join(["events"] + [str(x) for x in err["loc"]])
    if err["type"] == "extra_forbidden":
        keys = ", ".join(repr(k) for k in AdultEvent.model_fields)
        hint = did_you_mean(str(err["loc"][-1]), AdultEvent.model_fields)
        return InputError(f"Unknown key '{field}' in scenario{hint}: allowed keys are {keys}.")
    if err["type"] == "missing":
        allowed = one_of(events.NAMES) if field == "events.kind" else "given"
        return bad_value(field, None, allowed, "scenario")
    return bad_value(field, err.get("input"), "valid (" + str(err["msg"]).lower() + ")", "scenario")


def check_events(v: Any, n_interventions: int = 0) -> tuple[AdultEvent, ...]:
    """A scenario's ``events``: a list of tables (or ``AdultEvent``), fitting in the schedule
    array beside ``n_interventions`` interventions."""
    if isinstance(v, dict) or not isinstance(v, list | tuple):
        raise bad_value("events", v, "a list of [[events]] tables", "scenario")
    room = events.MAX_ROWS - n_interventions
    if len(v) > room:
        raise bad_value(
            "events",
            f"{len(v)} events",
            f"at most {room} (interventions and events share {events.MAX_ROWS} rows)",
            "scenario",
        )
    out = []
    for x in v:
        if isinstance(x, AdultEvent):
            out.append(x)
        elif isinstance(x, dict):
            out.append(AdultEvent(**x))
        else:
            raise bad_value("events", x, "a table with kind, day and who", "scenario")
    return tuple(out)


def check_fit(evs: tuple[AdultEvent, ...], kind: str, days: int, n_interventions: int) -> None:
    """Raise the one-line error unless the events fit the scenario: each within its days, whose
    allowed by its kind, and all of them in the schedule's rows beside the interventions."""
    check_events(list(evs), n_interventions)
    for ev in evs:
        if ev.day >= days:
            raise bad_value(
                "events.day",
                ev.day,
                f"a day within the scenario's {days} days (0 to {days - 1})",
                "scenario",
            )
        if kind == "person" and ev.who not in ("", "a"):
            raise bad_value("events.who", ev.who, "'a' (a person scenario)", "scenario")


def schedule(interventions: list[dict[str, Any]], evs: tuple[AdultEvent, ...]) -> Any:
    """The engine's schedule array: the interventions' rows, then the events'."""
    return events.schedule_array(interventions, [e.row() for e in evs])


def toml_lines(evs: tuple[AdultEvent, ...], value: Any) -> list[str]:
    """The ``[[events]]`` tables of a scenario's TOML text (``value`` formats one value)."""
    lines: list[str] = []
    for ev in evs:
        lines += ["", "[[events]]"]
        lines += [f"{k} = {value(x)}" for k, x in ev.model_dump().items() if k != "who" or x]
    return lines
