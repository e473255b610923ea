"""A study file: the population, the design grid, the planned analyses, the target and budget.

Validated like a scenario file: unknown keys, values out of range and wrong types are one-line
``InputError`` s naming the field, the value and what is allowed (docs/design.md).
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
from closeloop.params import COUPLE_SPECS
from closeloop.scenario import Scenario, scenario

OWNER = "design"
TOP_KEYS = (
    "name",
    "seed",
    "replications",
    "truth_couples",
    "population",
    "design",
    "analyses",
    "target",
    "budget",
    "assurance",
)
POPULATION_KEYS = ("scenario", "start_day")
DESIGN_KEYS = ("couples", "days", "prompts", "compliance", "compliance_decay", "breakup")
ANALYSIS_KEYS = ("name", "kind", "variable", "effect", "alpha", "quantity", "null")
TARGET_KEYS = ("analysis", "power")
BUDGET_KEYS = ("per_couple", "per_day", "max")
ASSURANCE_KEYS = ("parameters", "replications")
RATING_VARIABLES = ("closeness", "satisfaction", "stress")
BREAKUP = ("dropout", "completers")
"""What a break-up does to a couple's diary: its days stop (dropout, the couple stays in the
analysis) or the couple is left out of the analysis (completers only)."""
KINDS = {
    "ar1": ("autoregression",),
    "apim": ("actor", "partner"),
    "cross-lagged": ("pursuit_to_withdrawal", "withdrawal_to_pursuit", "same_day"),
    "recovery": ("posterior",),
}
"""Planned analyses and the effects each one tests (docs/design.md)."""
MAX_COUPLES = 5000
MAX_DAYS = 730
MAX_PROMPTS = 12
MAX_REPLICATIONS = 100_000
MAX_POINTS = 2000


@dataclass(frozen=True)
class Analysis:
    """One planned analysis, fitted to every synthetic study."""

    name: str
    kind: str
    effect: str
    variable: str = ""
    alpha: float = 0.05
    quantity: str = ""
    """recovery: the fitted quantity (``closeloop.fit.prior.NAMES``)."""
    null: float | None = None
    """recovery: the value the population-mean interval is tested against (None: no test)."""


@dataclass(frozen=True)
class Point:
    """One design point: a study of ``couples`` couples for ``days`` days."""

    couples: int
    days: int
    prompts: int
    compliance: float
    compliance_decay: float
    breakup: str


@dataclass(frozen=True)
class StudySpec:
    """A validated study (docs/design.md for the file format)."""

    scenarios: tuple[tuple[str, float], ...]
    couples: tuple[int, ...]
    days: tuple[int, ...]
    analyses: tuple[Analysis, ...]
    prompts: tuple[int, ...] = (1,)
    compliance: tuple[float, ...] = (1.0,)
    compliance_decay: tuple[float, ...] = (0.0,)
    breakup: tuple[str, ...] = ("dropout",)
    start_day: int = 0
    replications: int = 100
    truth_couples: int = 400
    seed: int = 0
    target_analysis: str = ""
    target_power: float = 0.8
    per_couple: float = 0.0
    per_day: float = 0.0
    budget: float = math.inf
    assurance_parameters: tuple[str, ...] = ()
    assurance_replications: int = 0
    name: str = "study"
    bases: tuple[Scenario, ...] = field(default=(), compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("bases")
        d["budget"] = None if math.isinf(self.budget) else self.budget
        return d

    def digest(self) -> str:
        """SHA-256 of the canonical JSON form and the scenarios' own digests."""
        text = json.dumps(self.to_dict(), sort_keys=True) + "".join(b.digest() for b in self.bases)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def points(self) -> tuple[Point, ...]:
        """The design grid, in a fixed order (couples vary fastest)."""
        grid = itertools.product(
            self.breakup,
            self.compliance_decay,
            self.compliance,
            self.prompts,
            self.days,
            self.couples,
        )
        return tuple(Point(c, d, p, q, k, b) for b, k, q, p, d, c in grid)

    @property
    def total_replications(self) -> int:
        """Replications at the design's parameter values, then those drawn from the prior."""
        return self.replications + self.assurance_replications

    def cost(self, p: Point) -> float:
        """What a design point costs: per couple, and per couple-day of diary."""
        return p.couples * (self.per_couple + self.per_day * p.days)


def _int(v: Any, key: str, low: int, high: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
        raise bad_value(key, v, f"an integer in [{low}, {high}]", OWNER)
    return v


def _num(v: Any, key: str, low: float, high: float) -> float:
    ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    if not ok or not low <= v <= high:
        raise bad_value(key, v, f"a number in [{low:g}, {high:g}]", OWNER)
    return float(v)


def _table(data: dict[str, Any], key: str, keys: tuple[str, ...]) -> dict[str, Any]:
    t = data.get(key, {})
    if not isinstance(t, dict):
        raise bad_value(key, t, f"a table with keys {', '.join(keys)}", OWNER)
    for k in t:
        if k not in keys:
            allowed = ", ".join(repr(x) for x in keys)
            raise InputError(f"Unknown key '{key}.{k}' in {OWNER}: allowed keys are {allowed}.")
    return t


def _list(t: dict[str, Any], key: str, default: list[Any]) -> list[Any]:
    v = t.get(key, default)
    v = v if isinstance(v, list) else [v]
    if not v:
        raise bad_value(f"design.{key}", v, "a value or a non-empty list", OWNER)
    return v


def _scenarios(pop: dict[str, Any]) -> tuple[tuple[tuple[str, float], ...], tuple[Scenario, ...]]:
    s = pop.get("scenario")
    allowed = "a couple scenario's name or path, or a table {name = weight} of them"
    mix = {s: 1.0} if isinstance(s, str) else s
    if not isinstance(mix, dict) or not mix:
        raise bad_value("population.scenario", s, allowed, OWNER)
    out, bases = [], []
    total = 0.0
    for name, w in mix.items():
        weight = _num(w, f"population.scenario.{name}", 0.0, 1e9)
        base = scenario(name)
        if base.kind != "couple":
            raise bad_value("population.scenario", name, "a couple scenario", OWNER)
        if base.interventions:
            # Interventions are scheduled in relationship days; a diary window would cut them.
            raise bad_value("population.scenario", name, "a scenario without interventions", OWNER)
        out.append((name, weight))
        bases.append(base)
        total += weight
    if total <= 0:
        raise bad_value("population.scenario", s, "weights with a positive sum", OWNER)
    return tuple((n, w / total) for n, w in out), tuple(bases)


def _analyses(data: dict[str, Any]) -> tuple[Analysis, ...]:
    raw = data.get("analyses")
    if not isinstance(raw, list) or not raw:
        raise bad_value("analyses", raw, "a non-empty list of [[analyses]] tables", OWNER)
    out = []
    for i, a in enumerate(raw):
        key = f"analyses[{i}]"
        if not isinstance(a, dict):
            raise bad_value(key, a, "a table with kind, effect (and variable, name, alpha)", OWNER)
        _table({key: a}, key, ANALYSIS_KEYS)
        kind = a.get("kind")
        if kind not in KINDS:
            raise bad_value(f"{key}.kind", kind, one_of(KINDS), OWNER)
        effect = a.get("effect", KINDS[kind][0])
        if effect not in KINDS[kind]:
            raise bad_value(f"{key}.effect", effect, one_of(KINDS[kind]), OWNER)
        if kind == "recovery":
            out.append(recovery_analysis(a, key))
            continue
        for k in ("quantity", "null"):
            if k in a:
                raise bad_value(f"{key}.{k}", a[k], "given only for a recovery analysis", OWNER)
        variable = a.get("variable", "" if kind == "cross-lagged" else "satisfaction")
        if kind == "cross-lagged" and variable:
            raise bad_value(f"{key}.variable", variable, "absent for a cross-lagged model", OWNER)
        if kind != "cross-lagged" and variable not in RATING_VARIABLES:
            raise bad_value(f"{key}.variable", variable, one_of(RATING_VARIABLES), OWNER)
        default = f"{kind}-{variable}-{effect}" if variable else f"{kind}-{effect}"
        name = a.get("name", default.replace("_", "-"))
        if not isinstance(name, str) or not name:
            raise bad_value(f"{key}.name", name, "a non-empty string", OWNER)
        alpha = _num(a.get("alpha", 0.05), f"{key}.alpha", 1e-6, 0.5)
        out.append(Analysis(name, kind, effect, variable, alpha))
    names = [a.name for a in out]
    if len(set(names)) < len(names):
        raise bad_value("analyses", names, "analyses with distinct names", OWNER)
    return tuple(out)


def recovery_analysis(a: dict[str, Any], key: str) -> Analysis:
    """A ``recovery`` analysis: the fit's posterior network on every couple, for one fitted
    quantity; ``alpha`` 0.1 by default (the fit's 90% intervals)."""
    from closeloop.fit.prior import NAMES

    if "variable" in a:
        raise bad_value(f"{key}.variable", a["variable"], "absent for a recovery analysis", OWNER)
    quantity = a.get("quantity")
    if quantity not in NAMES:
        raise bad_value(f"{key}.quantity", quantity, one_of(NAMES), OWNER)
    null = _num(a["null"], f"{key}.null", -1e9, 1e9) if "null" in a else None
    name = a.get("name", f"recovery-{quantity}".replace("_", "-"))
    if not isinstance(name, str) or not name:
        raise bad_value(f"{key}.name", name, "a non-empty string", OWNER)
    alpha = _num(a.get("alpha", 0.1), f"{key}.alpha", 1e-6, 0.5)
    return Analysis(name, "recovery", "posterior", "", alpha, quantity, null)


def _sorted_unique(values: list[Any]) -> tuple[Any, ...]:
    return tuple(sorted(set(values)))


def parse_study(data: dict[str, Any], origin: str = OWNER) -> StudySpec:
    """Validate a study given as a dict (the parsed TOML)."""
    for k in data:
        if k not in TOP_KEYS:
            keys = ", ".join(repr(t) for t in TOP_KEYS)
            raise InputError(f"Unknown key '{k}' in {origin}: allowed keys are {keys}.")
    pop = _table(data, "population", POPULATION_KEYS)
    mix, bases = _scenarios(pop)
    des = _table(data, "design", DESIGN_KEYS)
    if "couples" not in des or "days" not in des:
        raise bad_value("design", des, "a table with couples and days (each a list)", OWNER)
    couples = [_int(c, "design.couples", 2, MAX_COUPLES) for c in _list(des, "couples", [])]
    days = [_int(d, "design.days", 3, MAX_DAYS) for d in _list(des, "days", [])]
    prompts = [_int(p, "design.prompts", 1, MAX_PROMPTS) for p in _list(des, "prompts", [1])]
    comp = [_num(c, "design.compliance", 0.05, 1.0) for c in _list(des, "compliance", [1.0])]
    decay = [
        _num(c, "design.compliance_decay", 0.0, 0.5) for c in _list(des, "compliance_decay", [0.0])
    ]
    breakup = _list(des, "breakup", ["dropout"])
    for b in breakup:
        if b not in BREAKUP:
            raise bad_value("design.breakup", b, one_of(BREAKUP), OWNER)
    analyses = _analyses(data)
    target = _table(data, "target", TARGET_KEYS)
    # A recovery analysis without a null has no test, hence no power to target.
    tested = [a.name for a in analyses if a.kind != "recovery" or a.null is not None]
    t_name = target.get("analysis", (tested or [analyses[0].name])[0])
    if t_name not in [a.name for a in analyses]:
        raise bad_value("target.analysis", t_name, one_of(a.name for a in analyses), OWNER)
    if "analysis" in target and t_name not in tested:
        raise bad_value(
            "target.analysis",
            t_name,
            "an analysis with a test ("
            + one_of(tested)
            + "; a recovery analysis has one when it names a null)",
            OWNER,
        )
    budget = _table(data, "budget", BUDGET_KEYS)
    assurance = _table(data, "assurance", ASSURANCE_KEYS)
    params = assurance.get("parameters", [])
    allowed_params = [s.name for s in COUPLE_SPECS]
    if not isinstance(params, list):
        raise bad_value("assurance.parameters", params, "a list of relationship parameters", OWNER)
    for p in params:
        if p not in allowed_params:
            raise bad_value("assurance.parameters", p, "a relationship parameter", OWNER)
    a_reps = _int(assurance.get("replications", 0), "assurance.replications", 0, MAX_REPLICATIONS)
    if bool(params) != (a_reps > 0):
        raise bad_value(
            "assurance.replications", a_reps, "above 0 exactly when parameters are named", OWNER
        )
    label = data.get("name", Path(origin).stem if origin.endswith(".toml") else OWNER)
    if not isinstance(label, str) or not label:
        raise bad_value("name", label, "a non-empty string", OWNER)
    spec = StudySpec(
        scenarios=mix,
        couples=_sorted_unique(couples),
        days=_sorted_unique(days),
        analyses=analyses,
        prompts=_sorted_unique(prompts),
        compliance=_sorted_unique(comp),
        compliance_decay=_sorted_unique(decay),
        breakup=tuple(dict.fromkeys(breakup)),
        start_day=_int(pop.get("start_day", 0), "population.start_day", 0, 36_500 - MAX_DAYS),
        replications=_int(data.get("replications", 100), "replications", 2, MAX_REPLICATIONS),
        truth_couples=_int(data.get("truth_couples", 400), "truth_couples", 2, 20_000),
        seed=_int(data.get("seed", 0), "seed", 0, 2**31 - 1),
        target_analysis=t_name,
        target_power=_num(target.get("power", 0.8), "target.power", 0.01, 0.999),
        per_couple=_num(budget.get("per_couple", 0.0), "budget.per_couple", 0.0, 1e12),
        per_day=_num(budget.get("per_day", 0.0), "budget.per_day", 0.0, 1e12),
        budget=_num(budget.get("max", math.inf), "budget.max", 0.0, math.inf)
        if "max" in budget
        else math.inf,
        assurance_parameters=tuple(dict.fromkeys(params)),
        assurance_replications=a_reps,
        name=label,
        bases=bases,
    )
    if any(a.kind == "recovery" for a in analyses):
        from closeloop.design.window import check_window

        s = spec
        check_window(s.days, s.start_day, s.prompts, s.compliance, s.compliance_decay)
    if len(spec.points) > MAX_POINTS:
        raise bad_value("design", len(spec.points), f"a grid of at most {MAX_POINTS} points", OWNER)
    return spec


def load_study(path: str | Path) -> StudySpec:
    """Load and validate a study file (TOML)."""
    p = Path(path)
    data = read_toml(p, "study", OWNER)
    return parse_study(data, str(p))
