"""Scenarios: everything a run needs, validated, immutable, and loadable from TOML.

A scenario fully reproduces a run together with a seed and a population size. Shipped scenarios
live in ``closeloop/scenarios/*.toml``; ``scenarios()`` lists them and ``scenario(name)`` loads
one. ``Scenario.replace`` returns a new, validated scenario.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from closeloop import mechanisms
from closeloop.errors import InputError, bad_value, one_of
from closeloop.params import person_params, world_params
from closeloop.presets import DEFAULT_MIX, check_mix

MAX_DAYS = 36500


class Scenario(BaseModel):
    """A person-level scenario: who (a population of presets), in which world, for how long.

    Attributes:
        name: short identifier.
        description: one line for listings.
        days: adult days to simulate after the early history, in [1, 36500].
        population: preset name -> weight (normalised); default: the documented mix.
        traits: trait overrides applied to every preset (names and ranges from params).
        world: world settings (names and ranges from params).
        ablate: mechanisms switched off for this run.

    Example:
        >>> sc = Scenario(population={"avoidant": 1.0}, days=90)
        >>> sc.replace(days=30).days
        30
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "custom"
    description: str = ""
    days: int = Field(365, ge=1, le=MAX_DAYS)
    population: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_MIX))
    traits: dict[str, float] = Field(default_factory=dict)
    world: dict[str, float] = Field(default_factory=dict)
    ablate: tuple[str, ...] = ()

    @field_validator("population")
    @classmethod
    def _population(cls, v: dict[str, float]) -> dict[str, float]:
        return check_mix(v)

    @field_validator("traits")
    @classmethod
    def _traits(cls, v: dict[str, float]) -> dict[str, float]:
        person_params(**v)
        return v

    @field_validator("world")
    @classmethod
    def _world(cls, v: dict[str, float]) -> dict[str, float]:
        world_params(**v)
        return v

    @field_validator("ablate")
    @classmethod
    def _ablate(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return mechanisms.validate(v)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as e:
            raise _one_line(e) from None

    def replace(self, **changes: Any) -> Scenario:
        """A new, validated scenario with some fields changed."""
        return Scenario(**{**self.model_dump(), **changes})

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), sort_keys=True)

    def digest(self) -> str:
        """SHA-256 of the canonical JSON form: identifies the scenario in every output."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()


def _one_line(e: ValidationError) -> InputError:
    err = e.errors()[0]
    ctx = err.get("ctx") or {}
    inner = ctx.get("error")
    if isinstance(inner, InputError):
        return inner
    field = ".".join(str(x) for x in err["loc"]) or "scenario"
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = one_of(Scenario.model_fields)
        return InputError(f"Unknown key '{field}' in scenario: allowed keys are {allowed[7:]}.")
    value = err.get("input")
    if kind in (
        "greater_than_equal",
        "less_than_equal",
        "int_parsing",
        "int_type",
        "int_from_float",
    ) and err["loc"][:1] == ("days",):
        return bad_value("days", value, f"an integer in [1, {MAX_DAYS}]", "scenario")
    return bad_value(field, value, err["msg"].lower(), "scenario")


def _library() -> dict[str, Any]:
    root = resources.files("closeloop") / "scenarios"
    return {p.name[:-5]: p for p in root.iterdir() if p.name.endswith(".toml")}


def scenarios() -> list[str]:
    """Names of the shipped scenarios, sorted."""
    return sorted(_library())


def _parse(text: str, origin: str) -> Scenario:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{origin} is not valid TOML: {e}.") from None
    return Scenario(**data)


def scenario(name: str) -> Scenario:
    """Load a shipped scenario by name, or a TOML file if ``name`` is a path to one."""
    lib = _library()
    if name in lib:
        return _parse(lib[name].read_text(encoding="utf-8"), f"scenario '{name}'")
    if name.endswith(".toml") or Path(name).exists():
        return load_scenario(name)
    raise bad_value("scenario", name, one_of(sorted(lib)) + " or a path to a .toml file")


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario from a TOML file."""
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
