"""A sweep file: which scenario, which parameters over which ranges, which design, which outputs.

Validated like a scenario file: unknown keys, unknown parameters, bounds outside the
specification's, history ranges that break the scenario's cross-checks somewhere and designs too
small for their indices are one-line ``InputError`` s. A parameter is of the scenario's own
settings (relationship or world), a person trait, or of the early history (each unit's own value,
shared by a couple's members).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from closeloop.errors import InputError, bad_value, one_of
from closeloop.io import read_toml
from closeloop.params import COUPLE_SPECS, HISTORY_SPECS, PERSON_SPECS, SPECS, WORLD_SPECS
from closeloop.scenario import Scenario, scenario

OWNER = "sweep"
DESIGNS = ("grid", "lhs", "sobol", "morris", "saltelli")
SUMMARIES_COUPLE = ("ended", "sat", "cycle_months", "threat_deep", "trajectory")
SUMMARIES_PERSON = ("threat_deep", "longing")
MEMBERS = ("a", "b", "both")
TOP_KEYS = (
    "name",
    "scenario",
    "design",
    "points",
    "levels",
    "couples",
    "people",
    "years",
    "days",
    "seed",
    "block",
    "parameters",
    "outputs",
)
MIN_SALTELLI = 8
"""Base samples below which Sobol' indices and their bootstrap intervals mean little."""
MIN_MORRIS = 4
"""Trajectories below which Morris' mu* and sigma mean little."""
MAX_POINTS = 1_000_000
MAX_UNITS_PER_POINT = 100_000


@dataclass(frozen=True)
class Varied:
    """One parameter the sweep varies, over [low, high]; ``member`` for couples' traits."""

    name: str
    low: float
    high: float
    group: str  # "relationship", "world", "history" or "person"
    member: str = "both"

    @property
    def column(self) -> str:
        """Its column in the results (member-specific traits carry the member)."""
        return self.name if self.member == "both" else f"{self.name}_{self.member}"


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep (see docs/sweeps.md for the file format)."""

    scenario: str
    parameters: tuple[Varied, ...]
    design: str = "lhs"
    points: int = 16
    levels: int = 3
    n: int = 8
    days: int = 365
    seed: int = 0
    block: int = 0  # points per engine call; 0: as many as fill one chunk of the engine
    years: tuple[float, ...] = ()
    summaries: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()
    """Claims checked at every point (``outputs.claims``): columns claim_ID (1 holds, 0 not)
    and claim_ID_effect (the headline effect), through ``Settings.overrides``."""
    claim_scale: float = 1.0
    """Claim population size as a share of each claim's quick size."""
    name: str = "sweep"
    base: Scenario | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("base")
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    def digest(self) -> str:
        """SHA-256 of the canonical JSON form, with the base scenario's own: names the sweep."""
        base = self.base.digest() if self.base is not None else ""
        return hashlib.sha256((self.to_json() + base).encode()).hexdigest()

    @property
    def kind(self) -> str:
        assert self.base is not None
        return self.base.kind

    @property
    def size(self) -> int:
        """Number of points of the design (saltelli: N (D + 2); morris: N (D + 1))."""
        d = len(self.parameters)
        if self.design == "grid":
            return int(self.levels**d)
        if self.design == "saltelli":
            return self.points * (d + 2)
        if self.design == "morris":
            return self.points * (d + 1)
        return self.points

    @property
    def block_points(self) -> int:
        """Points per block: as given, else enough to fill one engine chunk (1024 units)."""
        return self.block if self.block > 0 else max(1, 1024 // self.n)


def _int(d: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    v = d.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int) or not (low <= v <= high):
        raise bad_value(key, v, f"an integer in [{low}, {high}]", OWNER)
    return v


def _number(v: Any, key: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise bad_value(key, v, "a number", OWNER)
    return float(v)


def _group(name: str, kind: str) -> str:
    person = {s.name for s in PERSON_SPECS}
    history = {s.name for s in HISTORY_SPECS}
    own = {s.name for s in (COUPLE_SPECS if kind == "couple" else WORLD_SPECS)}
    if name not in SPECS or name not in own | person | history:
        what = "relationship" if kind == "couple" else "world"
        allowed = f"a {what}, history or person-trait parameter of a {kind} scenario"
        raise bad_value(f"parameters.{name}", name, f"{allowed} (see docs/model.md)", OWNER)
    if name in person:
        return "person"
    if name in history:
        return "history"
    return "relationship" if kind == "couple" else "world"


def _varied(name: str, table: Any, kind: str) -> Varied:
    key = f"parameters.{name}"
    if not isinstance(table, dict):
        raise bad_value(key, table, "a table with optional low, high (and member)", OWNER)
    group = _group(name, kind)
    for k in table:
        if k not in ("low", "high", "member"):
            raise InputError(
                f"Unknown key '{key}.{k}' in sweep: allowed keys are 'low', 'high', 'member'."
            )
    s = SPECS[name]
    low = _number(table.get("low", s.low), f"{key}.low")
    high = _number(table.get("high", s.high), f"{key}.high")
    for k, v in (("low", low), ("high", high)):
        if not (s.low <= v <= s.high):
            raise bad_value(f"{key}.{k}", v, f"a number in [{s.low:g}, {s.high:g}]", OWNER)
    if not low < high:
        raise bad_value(f"{key}.high", high, f"a number above low ({low:g})", OWNER)
    member = table.get("member", "both")
    if member not in MEMBERS or (member != "both" and (group != "person" or kind != "couple")):
        allowed = one_of(MEMBERS) + " (a or b only for a couple's person traits)"
        raise bad_value(f"{key}.member", member, allowed, OWNER)
    return Varied(name, low, high, group, member)


def _history_ranges(base: Scenario, varied: tuple[Varied, ...]) -> None:
    """Refuse history ranges that break the scenario's own cross-checks at some point of the
    design (an exposure that would fade by more than it starts with): every corner of the
    varied box is validated as the scenario's ``[history]`` table. The checks are orderings
    (one value at most another), so the corners are where they fail first."""
    hv = [v for v in varied if v.group == "history"]

    def why(values: dict[str, float]) -> str | None:
        """What the scenario's check requires, if ``values`` break it (None if they don't)."""
        try:
            base.replace(history={**base.history, **values})
        except InputError as e:  # the standard wording: "... must be WHAT. Got ..."
            return str(e).partition(" must be ")[2].rpartition(". Got ")[0] or str(e)
        return None

    for corner in itertools.product(*[(v.low, v.high) for v in hv]):
        at = dict(zip([v.name for v in hv], corner, strict=True))
        reason = why(at)
        if reason is None:
            continue
        # Name the bound that breaks it on its own, else every varied history bound.
        pairs = list(zip(hv, corner, strict=True))
        culprits = [(v, x) for v, x in pairs if why({v.name: x}) is not None][:1] or pairs
        field = ", ".join(
            f"parameters.{v.name}.{'low' if x == v.low else 'high'}" for v, x in culprits
        )
        shown = ", ".join(f"{k} = {x:g}" for k, x in at.items())
        allowed = f"a bound at which every point keeps {reason} (it fails at {shown})"
        value = culprits[0][1] if len(culprits) == 1 else [x for _, x in culprits]
        raise bad_value(field, value, allowed, OWNER)


OUTPUT_KEYS = ("years", "summaries", "claims", "claim_scale")


def _claims(table: dict[str, Any], varied: tuple[Varied, ...]) -> tuple[tuple[str, ...], float]:
    """The claims to check at every point, and their population scale (validated)."""
    ids = table.get("claims", [])
    if not isinstance(ids, list):
        raise bad_value("outputs.claims", ids, "a list of claim ids, e.g. ['D6']", OWNER)
    scale = table.get("claim_scale", 1.0)
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 < scale <= 1:
        raise bad_value("outputs.claim_scale", scale, "a number in (0, 1]", OWNER)
    if not ids:
        return (), float(scale)
    from closeloop.claims import CLAIMS

    known = [c.id for c in CLAIMS]
    for cid in ids:
        if cid not in known:
            raise bad_value("outputs.claims", cid, one_of(known), OWNER)
    for v in varied:
        if v.group in ("person", "history"):
            # Claims compare presets: a trait set for everyone would change who is compared;
            # and a claim's overrides are world and relationship settings only.
            allowed = "world or relationship parameters only when outputs.claims is given"
            raise bad_value(f"parameters.{v.name}", v.name, allowed, OWNER)
    return tuple(dict.fromkeys(ids)), float(scale)


def _outputs(table: Any, kind: str, days: int) -> tuple[tuple[float, ...], tuple[str, ...]]:
    if not isinstance(table, dict):
        raise bad_value("outputs", table, "a table with years and summaries", OWNER)
    for k in table:
        if k not in OUTPUT_KEYS:
            keys = ", ".join(repr(t) for t in OUTPUT_KEYS)
            raise InputError(f"Unknown key 'outputs.{k}' in sweep: allowed keys are {keys}.")
    end = days / 365.0
    years = table.get("years", [end])
    if not isinstance(years, list) or not years:
        raise bad_value("outputs.years", years, "a non-empty list of years", OWNER)
    for y in years:
        if _number(y, "outputs.years") <= 0 or y > end + 1e-9:
            raise bad_value("outputs.years", y, f"a number of years in (0, {end:g}]", OWNER)
    known = SUMMARIES_COUPLE if kind == "couple" else SUMMARIES_PERSON
    summaries = table.get("summaries", list(known))
    if not isinstance(summaries, list) or not summaries:
        raise bad_value("outputs.summaries", summaries, "a non-empty list", OWNER)
    for s in summaries:
        if s not in known:
            raise bad_value("outputs.summaries", s, one_of(known), OWNER)
    return tuple(float(y) for y in sorted(set(years))), tuple(dict.fromkeys(summaries))


def parse_sweep(data: dict[str, Any], origin: str = "sweep") -> SweepSpec:
    """Validate a sweep given as a dict (the parsed TOML)."""
    for k in data:
        if k not in TOP_KEYS:
            keys = ", ".join(repr(t) for t in TOP_KEYS)
            raise InputError(f"Unknown key '{k}' in {origin}: allowed keys are {keys}.")
    name = data.get("scenario")
    if not isinstance(name, str):
        raise bad_value("scenario", name, "a scenario name or a path to a .toml file", OWNER)
    base = scenario(name)
    kind = base.kind
    size_key, other = ("couples", "people") if kind == "couple" else ("people", "couples")
    if other in data:
        raise bad_value(other, data[other], f"absent: a {kind} scenario sets '{size_key}'", OWNER)
    n = _int(data, size_key, 8, 1, MAX_UNITS_PER_POINT)
    if "years" in data and "days" in data:
        raise bad_value("days", data["days"], "absent when 'years' is given", OWNER)
    if "years" in data:
        years = _number(data["years"], "years")
        if not 0 < years <= 100:
            raise bad_value("years", years, "a number of years in (0, 100]", OWNER)
        days = max(1, round(years * 365))
    else:
        days = _int(data, "days", base.days, 1, 36_500)
    params = data.get("parameters")
    if not isinstance(params, dict) or not params:
        raise bad_value("parameters", params, "a table of [parameters.NAME] tables", OWNER)
    varied = tuple(_varied(k, v, kind) for k, v in params.items())
    columns = [v.column for v in varied]
    if len(set(columns)) < len(columns) or any(
        v.member != "both" and v.name in columns for v in varied
    ):
        raise bad_value("parameters", columns, "each parameter (and member) varied once", OWNER)
    _history_ranges(base, varied)
    design = data.get("design", "lhs")
    if design not in DESIGNS:
        raise bad_value("design", design, one_of(DESIGNS), OWNER)
    points = _int(data, "points", 16, 1, MAX_POINTS)
    levels = _int(data, "levels", 3, 2, 1000)
    if "levels" in data and design != "grid":
        raise bad_value("levels", levels, "absent unless design = 'grid'", OWNER)
    if design == "saltelli" and (points < MIN_SALTELLI or points & (points - 1)):
        allowed = f"a power of two of at least {MIN_SALTELLI} for Sobol' indices (base samples)"
        raise bad_value("points", points, allowed, OWNER)
    if design == "morris" and points < MIN_MORRIS:
        allowed = f"at least {MIN_MORRIS} trajectories for Morris indices"
        raise bad_value("points", points, allowed, OWNER)
    if design in ("saltelli", "morris") and len(varied) < 2:
        raise bad_value("parameters", columns, "at least two parameters for indices", OWNER)
    at_years, summaries = _outputs(data.get("outputs", {}), kind, days)
    claims, claim_scale = _claims(data.get("outputs", {}), varied)
    label = data.get("name", Path(origin).stem if origin.endswith(".toml") else "sweep")
    if not isinstance(label, str) or not label:
        raise bad_value("name", label, "a non-empty string", OWNER)
    spec = SweepSpec(
        scenario=name,
        parameters=varied,
        design=design,
        points=points,
        levels=levels,
        n=n,
        days=days,
        seed=_int(data, "seed", 0, 0, 2**31 - 1),
        block=_int(data, "block", 0, 0, MAX_POINTS),
        years=at_years,
        summaries=summaries,
        claims=claims,
        claim_scale=claim_scale,
        name=label,
        base=base.replace(days=days),
    )
    if spec.size > MAX_POINTS:
        raise bad_value("points", spec.size, f"a design of at most {MAX_POINTS} points", OWNER)
    return spec


def load_sweep(path: str | Path) -> SweepSpec:
    """Load and validate a sweep file (TOML)."""
    p = Path(path)
    data = read_toml(p, "sweep", OWNER)
    name = data.get("scenario")
    if isinstance(name, str) and name.endswith(".toml") and not Path(name).is_absolute():
        # A scenario file next to the sweep file is found from anywhere.
        near = p.parent / name
        if near.is_file():
            data = {**data, "scenario": str(near)}
    return parse_sweep(data, str(p))
