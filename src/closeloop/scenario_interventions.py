"""A scenario's scheduled interventions (``[[interventions]]`` tables), validated like the rest of
the scenario file (one-line errors naming the field, the value and what is allowed)."""

from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from closeloop.errors import bad_value, is_int
from closeloop.model import healing
from closeloop.scenario_check import is_number, named, one_line
from closeloop.scenario_events import MAX_DAYS


class Intervention(BaseModel):
    """One scheduled intervention (docs/model.md, "Change").

    Attributes:
        kind: one of ``healing.KINDS``.
        start, end: first day and the day after the last, in [0, 36500], start < end.
        intensity: in [0, 1]; what it scales depends on the kind (``healing.DESCRIPTIONS``).
        who: in a couple, whose intervention it is: "a", "b" or "both" (default: "b" for
            safe_partner and pacing, which the partner does; "a" otherwise; for couples therapy,
            the withdrawing member).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    start: int = 0
    end: int = MAX_DAYS
    intensity: float = 1.0
    who: str = ""

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: Any) -> str:
        if v not in healing.KINDS:
            raise named("interventions.kind", v, healing.KINDS, "scenario")
        return str(v)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _day(cls, v: Any, info: ValidationInfo) -> int:
        if not is_int(v) or not (0 <= v <= MAX_DAYS):
            raise bad_value(
                f"interventions.{info.field_name}",
                v,
                f"an integer day in [0, {MAX_DAYS}]",
                "scenario",
            )
        return int(v)

    @field_validator("intensity", mode="before")
    @classmethod
    def _intensity(cls, v: Any) -> float:
        if not is_number(v) or not (0.0 <= v <= 1.0):
            raise bad_value("interventions.intensity", v, "a number in [0, 1]", "scenario")
        return float(v)

    @field_validator("who", mode="before")
    @classmethod
    def _who(cls, v: Any) -> str:
        if v != "" and v not in healing.WHO:
            raise named("interventions.who", v, healing.WHO, "scenario")
        return str(v)

    @model_validator(mode="after")
    def _order(self) -> Intervention:
        if self.end <= self.start:
            raise bad_value(
                "interventions.end", self.end, f"a day after start ({self.start})", "scenario"
            )
        return self

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as e:
            raise one_line(e, Intervention.model_fields, "interventions") from None

    def row(self, kind: str) -> dict[str, Any]:
        """The schedule row (``healing.schedule_array``) in a scenario of ``kind``."""
        who = self.who or ("a" if kind == "person" else healing.DEFAULT_WHO.get(self.kind, "a"))
        return {**self.model_dump(), "who": who}
