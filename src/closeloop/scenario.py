"""Scenarios: everything a run needs, validated, immutable, and loadable from TOML.

A scenario fully reproduces a run together with a seed and a population size. Shipped scenarios
live in ``closeloop/scenarios/*.toml``; ``scenarios()`` lists them and ``scenario(name)`` loads
one. ``Scenario.replace`` returns a new, validated scenario.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from closeloop import mechanisms
from closeloop.errors import InputError, bad_value, did_you_mean, is_int, one_of
from closeloop.model import healing
from closeloop.params import (
    CHANGE_SPECS,
    COUPLE_SPECS,
    HISTORY_SPECS,
    PERSON_SPECS,
    WORLD_SPECS,
    ChangeParams,
    HistoryParams,
    change_params,
    check_values,
    history_params,
)
from closeloop.presets import DEFAULT_MIX, check_mix
from closeloop.scenario_check import (
    COUPLE_ONLY,
    KINDS,
    PERSON_ONLY,
    at_most,
    named,
    one_line,
    table,
)
from closeloop.scenario_check import (
    check_pair as check_pair,  # re-exported: a public name of this module
)
from closeloop.scenario_events import MAX_DAYS, AdultEvent, check_events, check_fit
from closeloop.scenario_events import schedule as schedule_rows
from closeloop.scenario_interventions import Intervention
from closeloop.scenario_toml import to_toml

Mix = dict[str, float]


class Scenario(BaseModel):
    """A scenario: who, in which world or relationship, for how long.

    Two kinds share the schema. A ``person`` scenario runs a population of people meeting offers
    of closeness (``population``, ``world``); a ``couple`` scenario runs couples whose members
    are drawn from ``a`` and ``b`` (each a preset name or a mix of presets) in a relationship
    (``relationship``).

    Attributes:
        name: short identifier.
        description: one line for listings.
        kind: "person" or "couple".
        days: adult days (person) or days of the relationship (couple), in [1, 36500].
        population: preset name -> weight (normalised); default: the documented mix.
        world: world settings (names and ranges from params.WORLD_SPECS).
        a, b: couple members: preset name -> weight (a bare name means that preset).
        traits: trait overrides for everyone; traits_a, traits_b: for one member only.
        relationship: relationship settings (params.COUPLE_SPECS).
        history: the early history's parameters (params.HISTORY_SPECS: when closeness moves
            from home to peers, what peers are like, how anxiety is learned...).
        change: how interventions act (params.CHANGE_SPECS).
        interventions: scheduled interventions (``Intervention``), at most
            ``healing.MAX_INTERVENTIONS``.
        events: acute events of adult life (``scenario_events.AdultEvent``): a betrayal, a
            loss, a humiliation on a given day; they share the schedule's rows with the
            interventions.
        ablate: mechanisms switched off for this run.

    Example:
        >>> sc = Scenario(population={"avoidant": 1.0}, days=90)
        >>> sc.replace(days=30).days
        30
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "custom"
    description: str = ""
    kind: str = "person"
    days: int = Field(365, ge=1, le=MAX_DAYS)
    population: Mix = Field(default_factory=lambda: dict(DEFAULT_MIX))
    world: Mix = Field(default_factory=dict)
    a: Mix = Field(default_factory=dict)
    b: Mix = Field(default_factory=dict)
    traits: Mix = Field(default_factory=dict)
    traits_a: Mix = Field(default_factory=dict)
    traits_b: Mix = Field(default_factory=dict)
    relationship: Mix = Field(default_factory=dict)
    history: Mix = Field(default_factory=dict)
    change: Mix = Field(default_factory=dict)
    interventions: tuple[Intervention, ...] = ()
    events: tuple[AdultEvent, ...] = ()
    ablate: tuple[str, ...] = ()

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: Any) -> str:
        if v not in KINDS:
            raise named("kind", v, KINDS, "scenario")
        return str(v)

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, v: Any) -> int:
        if not is_int(v) or not (1 <= v <= MAX_DAYS):
            raise bad_value("days", v, f"an integer in [1, {MAX_DAYS}]", "scenario")
        return int(v)

    @field_validator("a", "b", mode="before")
    @classmethod
    def _member(cls, v: Any, info: ValidationInfo) -> Any:
        return {v: 1.0} if isinstance(v, str) else table(v, info.field_name)

    @field_validator(
        "population",
        "world",
        "traits",
        "traits_a",
        "traits_b",
        "relationship",
        "history",
        "change",
        mode="before",
    )
    @classmethod
    def _tables(cls, v: Any, info: ValidationInfo) -> Any:
        return table(v, info.field_name)

    @field_validator("population", "a", "b")
    @classmethod
    def _mix(cls, v: Mix, info: ValidationInfo) -> Mix:
        field = str(info.field_name)
        if v and not math.isfinite(sum(w for w in v.values() if w >= 0)):
            # Normalising would divide by infinity and leave every weight 0.
            raise bad_value(field, v, "weights whose sum is a finite number", "scenario")
        return check_mix(v, field) if v or field == "population" else v

    @field_validator("traits", "traits_a", "traits_b")
    @classmethod
    def _traits(cls, v: Mix, info: ValidationInfo) -> Mix:
        return check_values(v, PERSON_SPECS, str(info.field_name), "scenario")

    @field_validator("world")
    @classmethod
    def _world(cls, v: Mix) -> Mix:
        out = check_values(v, WORLD_SPECS, "world", "scenario")
        default = {s.name: s.default for s in WORLD_SPECS}
        lo, hi = (out.get(k, default[k]) for k in ("depth_lo", "depth_hi"))
        if lo > hi:
            # Offers would start at depth_lo and never come down to the ceiling; the default
            # depth_hi is the largest depth, so only a given depth_hi can be below depth_lo.
            allowed = f"at least depth_lo ({lo:g})"
            raise bad_value("world.depth_hi", hi, allowed, "scenario")
        return out

    @field_validator("relationship")
    @classmethod
    def _relationship(cls, v: Mix) -> Mix:
        return check_values(v, COUPLE_SPECS, "relationship", "scenario")

    @field_validator("history")
    @classmethod
    def _history(cls, v: Mix) -> Mix:
        out = check_values(v, HISTORY_SPECS, "history", "scenario")
        at_most(out, HISTORY_SPECS, "exposure_drop", "exposure_birth", "history")
        return out

    @field_validator("change")
    @classmethod
    def _change(cls, v: Mix) -> Mix:
        return check_values(v, CHANGE_SPECS, "change", "scenario")

    @field_validator("interventions", mode="before")
    @classmethod
    def _interventions(cls, v: Any) -> Any:
        if isinstance(v, dict) or not isinstance(v, list | tuple):
            raise bad_value("interventions", v, "a list of [[interventions]] tables", "scenario")
        if len(v) > healing.MAX_INTERVENTIONS:
            raise bad_value(
                "interventions",
                f"{len(v)} interventions",
                f"at most {healing.MAX_INTERVENTIONS}",
                "scenario",
            )
        out = []
        for x in v:
            if isinstance(x, Intervention):
                out.append(x)
            elif isinstance(x, dict):
                out.append(Intervention(**x))
            else:
                raise bad_value(
                    "interventions", x, "a table with kind, start, end, intensity", "scenario"
                )
        return tuple(out)

    @field_validator("events", mode="before")
    @classmethod
    def _events(cls, v: Any) -> Any:
        return check_events(v)

    @field_validator("ablate", mode="before")
    @classmethod
    def _ablate(cls, v: Any) -> tuple[str, ...]:
        if isinstance(v, str) or not isinstance(v, list | tuple):
            raise bad_value("ablate", v, "a list of mechanism names", "scenario")
        return mechanisms.validate(v)

    @model_validator(mode="after")
    def _kind_fits(self) -> Scenario:
        wrong = COUPLE_ONLY if self.kind == "person" else PERSON_ONLY
        for key in wrong:
            if key in self.model_fields_set and getattr(self, key):
                raise InputError(
                    f"The '{key}' key applies to {'couple' if self.kind == 'person' else 'person'}"
                    f" scenarios only; this scenario has kind = '{self.kind}'."
                )
        allowed = healing.PERSON_KINDS if self.kind == "person" else healing.COUPLE_KINDS
        for iv in self.interventions:
            if iv.kind not in allowed:
                raise bad_value(
                    "interventions.kind", iv.kind, one_of(allowed), f"{self.kind} scenario"
                )
            if iv.start >= self.days:
                raise InputError(
                    f"The '{iv.kind}' intervention starts on day {iv.start}, but the scenario "
                    f"has {self.days} days (day 0 to {self.days - 1}), so it would never run; "
                    "start it earlier or make 'days' longer."
                )
            if iv.kind == "couples_therapy" and iv.end > self.days:
                raise bad_value(
                    "interventions.end",
                    iv.end,
                    f"a day within the scenario's {self.days} days (couples therapy runs its "
                    "stages between start and end)",
                    "scenario",
                )
            if self.kind == "person" and iv.who not in ("", "a"):
                raise bad_value("interventions.who", iv.who, "'a' (a person scenario)", "scenario")
        check_fit(self.events, self.kind, self.days, len(self.interventions))
        if self.kind == "couple":
            for key in ("a", "b"):
                if not getattr(self, key):
                    raise bad_value(
                        key, None, "a preset name or a table of preset weights", "couple scenario"
                    )
        return self

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as e:
            raise one_line(e, Scenario.model_fields) from None

    def replace(self, **changes: Any) -> Scenario:
        """A new, validated scenario with some fields changed."""
        data = self.model_dump(exclude_unset=False)
        if self.kind == "couple":
            for key in PERSON_ONLY:
                data.pop(key)
        return Scenario(**{**data, **changes})

    def schedule(self) -> Any:
        """The interventions and adult events as the engine's schedule array
        (``events.schedule_array``)."""
        return schedule_rows([iv.row(self.kind) for iv in self.interventions], self.events)

    def history_params(self) -> HistoryParams:
        """The early history's parameters: the scenario's ``[history]`` table over the
        defaults."""
        return history_params(**self.history)

    def change_params(self) -> ChangeParams:
        """How interventions act: the scenario's ``[change]`` table over the defaults."""
        return change_params(**self.change)

    def to_json(self) -> str:
        data = self.model_dump(mode="json")
        for key in ("events", "history", "change"):
            if not data[key]:
                # A scenario without them keeps the JSON (and the digest) it had before they
                # existed.
                data.pop(key)
        return json.dumps(data, sort_keys=True)

    def to_toml(self) -> str:
        """The scenario as TOML text that ``load_scenario`` reads back to an equal scenario."""
        return to_toml(self)

    def digest(self) -> str:
        """SHA-256 of the canonical JSON form: identifies the scenario in every output."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()


def _library() -> dict[str, Any]:
    root = resources.files("closeloop") / "scenarios"
    return {p.name[:-5]: p for p in root.iterdir() if p.name.endswith(".toml")}


def scenarios() -> list[str]:
    """Names of the shipped scenarios, sorted."""
    return sorted(_library())


def _parse(text: str, origin: str) -> Scenario:
    text = text.removeprefix("\ufeff")  # a byte-order mark some editors write; TOML has none
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{origin} is not valid TOML: {e}.") from None
    except RecursionError:
        raise InputError(f"{origin} is nested too deeply to be a scenario.") from None
    if not data:
        raise InputError(
            f"{origin} is empty: a scenario needs at least its kind and who it runs "
            "(see `closeloop scenarios` and docs/scenarios.md)."
        )
    try:
        return Scenario(**data)
    except RecursionError:
        raise InputError(f"{origin} is nested too deeply to be a scenario.") from None


def scenario(name: str | os.PathLike[str] | Scenario) -> Scenario:
    """Load a shipped scenario by name, or a TOML file if ``name`` is a path to one.

    A ``Scenario`` is returned as it is, so that every function taking a scenario takes a name.
    """
    if isinstance(name, Scenario):
        return name
    if isinstance(name, os.PathLike):
        return load_scenario(name)
    if not isinstance(name, str):
        raise bad_value("scenario", name, "a scenario name, a path to a .toml file or a Scenario")
    lib = _library()
    if name in lib:
        return _parse(lib[name].read_text(encoding="utf-8"), f"scenario '{name}'")
    if name.endswith(".toml") or Path(name).exists():
        return load_scenario(name)
    hint = did_you_mean(name, lib)
    if hint:  # the one name meant, rather than all of them
        raise InputError(
            "The 'scenario' parameter must be a name from `closeloop scenarios` or a path to a "
            f".toml file. Got {name!r} instead{hint}."
        )
    raise bad_value("scenario", name, one_of(sorted(lib)) + " or a path to a .toml file")


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Load and validate a scenario from a TOML file."""
    if not isinstance(path, str | os.PathLike):
        raise bad_value("scenario", path, "a path to a .toml file")
    p = Path(path)
    if not p.is_file():
        raise bad_value("scenario", str(path), "an existing .toml file")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"Cannot read scenario file {str(p)!r}: {e}.") from None
    sc = _parse(text, f"scenario file {str(p)!r}")
    if sc.name == "custom":
        sc = sc.replace(name=p.stem)
    return sc
