"""Scenarios: everything a run needs, validated, immutable, and loadable from TOML.

A scenario fully reproduces a run together with a seed and a population size. Shipped scenarios
live in ``closeloop/scenarios/*.toml``; ``scenarios()`` lists them and ``scenario(name)`` loads
one. ``Scenario.replace`` returns a new, validated scenario.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import os
import re
import tomllib
from collections.abc import Mapping
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
from closeloop.params import COUPLE_SPECS, PERSON_SPECS, WORLD_SPECS, check_values
from closeloop.presets import DEFAULT_MIX, check_mix
from closeloop.scenario_events import MAX_DAYS, AdultEvent, check_events, check_fit, toml_lines
from closeloop.scenario_events import schedule as schedule_rows

Mix = dict[str, float]


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
            raise _named("interventions.kind", v, healing.KINDS, "scenario")
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
        if not _is_number(v) or not (0.0 <= v <= 1.0):
            raise bad_value("interventions.intensity", v, "a number in [0, 1]", "scenario")
        return float(v)

    @field_validator("who", mode="before")
    @classmethod
    def _who(cls, v: Any) -> str:
        if v != "" and v not in healing.WHO:
            raise _named("interventions.who", v, healing.WHO, "scenario")
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
            raise _one_line(e, "interventions") from None

    def row(self, kind: str) -> dict[str, Any]:
        """The schedule row (``healing.schedule_array``) in a scenario of ``kind``."""
        who = self.who or ("a" if kind == "person" else healing.DEFAULT_WHO.get(self.kind, "a"))
        return {**self.model_dump(), "who": who}


KINDS = ("person", "couple")
PERSON_ONLY = ("population", "world")
COUPLE_ONLY = ("a", "b", "traits_a", "traits_b", "relationship")


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
    interventions: tuple[Intervention, ...] = ()
    events: tuple[AdultEvent, ...] = ()
    ablate: tuple[str, ...] = ()

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: Any) -> str:
        if v not in KINDS:
            raise _named("kind", v, KINDS, "scenario")
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
        return {v: 1.0} if isinstance(v, str) else _table(v, info.field_name)

    @field_validator(
        "population", "world", "traits", "traits_a", "traits_b", "relationship", mode="before"
    )
    @classmethod
    def _tables(cls, v: Any, info: ValidationInfo) -> Any:
        return _table(v, info.field_name)

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
            raise _one_line(e) from None

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

    def to_json(self) -> str:
        data = self.model_dump(mode="json")
        if not data["events"]:
            # A scenario without events keeps the JSON (and the digest) it had before they existed.
            data.pop("events")
        return json.dumps(data, sort_keys=True)

    def to_toml(self) -> str:
        """The scenario as TOML text that ``load_scenario`` reads back to an equal scenario."""
        return to_toml(self)

    def digest(self) -> str:
        """SHA-256 of the canonical JSON form: identifies the scenario in every output."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()


def check_pair(a: Mapping[str, Any], b: Mapping[str, Any], owner: str = "compare") -> None:
    """Raise the standard one-line error unless two scenarios can be compared unit by unit.

    Both must be the same kind (people with people, couples with couples) and run for the same
    number of days (so that month m means the same in both).

    Arguments:
        a: the first scenario as a dict; it sets what is allowed.
        b: the second.
        owner: the command or function named in the message.
    """
    for field in ("kind", "days"):
        va, vb = a.get(field), b.get(field)
        if va != vb:
            raise bad_value(
                field, vb, f"{va!r}, the {field} of scenario {a.get('name', 'A')!r}", owner
            )


def _toml_value(v: Any) -> str:
    if isinstance(v, str):
        # A TOML basic string: quote and backslash escaped, control characters (DEL too) as \u.
        body = "".join(
            "\\" + c if c in '"\\' else f"\\u{ord(c):04x}" if ord(c) < 32 or ord(c) == 127 else c
            for c in v
        )
        return f'"{body}"'
    if isinstance(v, float):
        return repr(v)  # repr round-trips every float exactly
    return str(v)


def to_toml(sc: Scenario) -> str:
    """TOML text for ``sc``: only the keys its kind allows, every number exact."""
    lines = [
        f"{k} = {_toml_value(getattr(sc, k))}" for k in ("name", "description", "kind", "days")
    ]
    skip = PERSON_ONLY if sc.kind == "couple" else COUPLE_ONLY
    if sc.ablate:
        lines.append("ablate = [" + ", ".join(_toml_value(x) for x in sc.ablate) + "]")
    for key in ("population", "a", "b", "world", "traits", "traits_a", "traits_b", "relationship"):
        table = getattr(sc, key)
        if key in skip or not table:
            continue
        lines += ["", f"[{key}]"] + [f"{_toml_key(k)} = {_toml_value(x)}" for k, x in table.items()]
    for iv in sc.interventions:
        lines += ["", "[[interventions]]"]
        lines += [f"{k} = {_toml_value(x)}" for k, x in iv.model_dump().items() if k != "who" or x]
    lines += toml_lines(sc.events, _toml_value)
    return "\n".join(lines) + "\n"


def _toml_key(k: str) -> str:
    # Preset names hold hyphens, which bare TOML keys allow; anything else is quoted.
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else _toml_value(k)


def _table(v: Any, field: str | None) -> dict[str, Any]:
    """A table of name = number, checked before pydantic would coerce true to 1.0 or "1" to 1."""
    if not isinstance(v, dict):
        raise bad_value(str(field), v, "a table of name = number", "scenario")
    for key, x in v.items():
        if not _is_number(x):
            raise bad_value(f"{field}.{key}", x, "a number", "scenario")
    # NumPy scalars (numpy.int64, numpy.float32) as plain numbers, so they validate and hash alike.
    return {k: x if isinstance(x, int | float) else float(x) for k, x in v.items()}


def _is_number(x: Any) -> bool:
    """A real number (NumPy scalars included), never a bool."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and type(x).__name__ != "bool_"


def _named(field: str, value: Any, names: Any, owner: str | None = None) -> InputError:
    """The standard error for a name outside a closed set, with the closest name suggested."""
    hint = did_you_mean(value, names)
    return bad_value(field, value, one_of(names) + hint, owner)


_PHRASES = {
    "string_type": "a string",
    "dict_type": "a table of name = number",
    "float_type": "a number",
    "float_parsing": "a number",
    "tuple_type": "a list of mechanism names",
    "list_type": "a list",
}


def _one_line(e: ValidationError, prefix: str = "") -> InputError:
    err = e.errors()[0]
    ctx = err.get("ctx") or {}
    inner = ctx.get("error")
    if isinstance(inner, InputError):
        return inner
    field = ".".join([prefix] * bool(prefix) + [str(x) for x in err["loc"]]) or "scenario"
    kind = err["type"]
    if kind == "extra_forbidden":
        model = Intervention if prefix else Scenario
        keys = ", ".join(repr(k) for k in model.model_fields)
        hint = did_you_mean(str(err["loc"][-1]), model.model_fields)
        return InputError(f"Unknown key '{field}' in scenario{hint}: allowed keys are {keys}.")
    phrase = _PHRASES.get(kind, "valid (" + str(err["msg"]).lower() + ")")
    return bad_value(field, err.get("input"), phrase, "scenario")


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
