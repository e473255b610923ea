"""The parameter specification: ``ParamSpec``, priors, the ``param()`` field helper, the
``params_class`` decorator, and building and checking values against the specs.

A parameter is declared once, as a field of the dataclass it configures, with its spec in the
field's metadata (``param()``). ``params_class`` turns such a class into a frozen dataclass that
is a JAX pytree (every field a data field: float32 arrays, so new values never recompile) and
records its specs in field order.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeAlias, TypeVar

import jax
import numpy as np

from closeloop.errors import bad_value

Array: TypeAlias = Any
"""A numpy or JAX array (float32; a scalar or one value per unit)."""

ROLES = ("person", "relationship", "world", "intervention", "history", "observation")
"""What a parameter configures: a person's trait, how a relationship runs, the world a person
meets, how an intervention acts, the early history, or how the model is measured."""
SCALES = ("linear", "log")
DISTRIBUTIONS = ("uniform", "beta", "lognormal", "truncnormal")


@dataclass(frozen=True)
class Prior:
    """A prior over a parameter for fitting and sensitivity analysis.

    Attributes:
        dist: one of ``DISTRIBUTIONS``.
        args: the distribution's own parameters (beta: a, b over [low, high]; lognormal: mu and
            sigma of the log; truncnormal: mean and sd; uniform: none).
        low, high: the prior's own range, within the parameter's hard bounds (narrower where
            the literature says so).
        source: the published figure that narrows it (author, year, what the figure is), or
            "" for the uniform prior over the hard bounds; a prior is narrowed only with one.
    """

    dist: str
    args: tuple[float, ...]
    low: float
    high: float
    source: str = ""

    def describe(self) -> str:
        """Short text for tables, e.g. ``beta(2, 5) on [0, 1]``."""
        inner = ", ".join(f"{a:g}" for a in self.args)
        return f"{self.dist}({inner}) on [{self.low:g}, {self.high:g}]"


def Uniform(low: float, high: float, *, source: str = "") -> Prior:
    """Uniform over [low, high]: the hard bounds, or a range the figure ``source`` names."""
    return Prior("uniform", (), low, high, source)


def Beta(a: float, b: float, low: float = 0.0, high: float = 1.0, *, source: str) -> Prior:
    """Beta(a, b) stretched over [low, high], narrowed by the figure ``source`` names."""
    return Prior("beta", (a, b), low, high, source)


def LogNormal(mu: float, sigma: float, low: float, high: float, *, source: str) -> Prior:
    """Log-normal (mu, sigma of the log), truncated to [low, high], narrowed by ``source``."""
    return Prior("lognormal", (mu, sigma), low, high, source)


def TruncNormal(mean: float, sd: float, low: float, high: float, *, source: str) -> Prior:
    """Normal (mean, sd) truncated to [low, high], narrowed by the figure ``source`` names."""
    return Prior("truncnormal", (mean, sd), low, high, source)


@dataclass(frozen=True, kw_only=True)
class ParamSpec:
    """Declaration of one parameter (keyword-only: a swapped bound or label cannot pass unseen).

    Attributes:
        name: identifier used in code, scenario files and the CLI (the field's name).
        default: value used when nothing else is given.
        low, high: closed interval of allowed values (hard bounds).
        unit: unit of measurement ("prob/day", "depth levels", "1" for a dimensionless weight).
        label: plain-language one-liner for the explorer and reports.
        meaning: what the parameter does in the equations (one sentence, for docs/model.md).
        reference: author, year and title of the work it comes from, or "modelling assumption".
        claims: ids of the claims it serves.
        group: the dataclass it belongs to: "person", "world", "couple" or "change".
        role: what it configures, one of ``ROLES``.
        mechanisms: names of the mechanisms (``closeloop.mechanisms``) it belongs to.
        prior: the prior for fitting and sensitivity (uniform over the bounds unless declared).
        scale: "linear" or "log": how a slider or a sweep spaces values.
        step: a slider step.
    """

    name: str
    default: float
    low: float
    high: float
    unit: str
    label: str
    meaning: str
    reference: str
    claims: tuple[str, ...] = ()
    group: str
    role: str
    mechanisms: tuple[str, ...] = ()
    prior: Prior
    scale: str = "linear"
    step: float

    def check(self, value: object, owner: str, field: str | None = None) -> float:
        """Return ``value`` as a float, or raise the standard one-line error.

        ``field`` names the value in the error (default: the parameter's name).
        """
        name = field or self.name
        allowed = f"a number in [{self.low:g}, {self.high:g}] ({self.label})"
        if isinstance(value, bool | np.bool_ | str | bytes):
            raise bad_value(name, value, allowed, owner)
        try:
            x = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise bad_value(name, value, allowed, owner) from None
        # Compared in float32, the precision values travel in: float32(0.01) < 0.01 in float64.
        x32 = np.float32(x)
        if not math.isfinite(x) or not (np.float32(self.low) <= x32 <= np.float32(self.high)):
            raise bad_value(name, value, allowed, owner)
        return x


def _step(low: float, high: float) -> float:
    """A round slider step: the power of ten at or below a hundredth of the range."""
    return float(10.0 ** math.floor(math.log10((high - low) / 100.0)))


def param(
    default: float,
    *,
    low: float,
    high: float,
    unit: str,
    label: str,
    meaning: str,
    ref: str,
    claims: tuple[str, ...] = (),
    mechanisms: tuple[str, ...] = (),
    role: str | None = None,
    prior: Prior | None = None,
    scale: str | None = None,
    step: float | None = None,
) -> Any:
    """A dataclass field declaring one parameter; ``params_class`` fills in its name and group.

    Unless given: ``role`` is the class's, ``prior`` uniform over [low, high], ``scale`` "log"
    when the bounds are above zero and span two decades or more, ``step`` ``_step(low, high)``.
    """
    if scale is None:
        scale = "log" if low > 0 and high / low >= 100.0 else "linear"
    spec = ParamSpec(
        name="",
        default=default,
        low=low,
        high=high,
        unit=unit,
        label=label,
        meaning=meaning,
        reference=ref,
        claims=claims,
        group="",
        role=role or "",
        mechanisms=mechanisms,
        prior=prior or Uniform(low, high),
        scale=scale,
        step=step if step is not None else _step(low, high),
    )
    return dataclasses.field(metadata={"spec": spec})


class ParamsBase:
    """What every parameter dataclass offers besides its fields.

    The NamedTuple-style ``_fields``, ``_replace`` and iteration in field order are kept so that
    code written against the earlier NamedTuples (``Cls(*values)``, ``zip(p._fields, p)``,
    ``np.stack(list(p))``) keeps working.
    """

    SPECS: ClassVar[tuple[ParamSpec, ...]]
    _fields: ClassVar[tuple[str, ...]]

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        """Field names in declaration order."""
        return cls._fields

    def replace(self: _P, **changes: Any) -> _P:
        """A copy with ``changes`` applied (no validation: for code that holds arrays)."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    def asdict(self) -> dict[str, Any]:
        """Field name -> value, in field order (the values themselves, not copies)."""
        return {n: getattr(self, n) for n in self._fields}

    _replace = replace
    _asdict = asdict

    def __iter__(self) -> Iterator[Any]:
        return iter([getattr(self, n) for n in self._fields])

    def __len__(self) -> int:
        return len(self._fields)


_P = TypeVar("_P", bound=ParamsBase)
_C = TypeVar("_C", bound=type)


def params_class(group: str, role: str) -> Any:
    """Decorator (above ``@dataclass(frozen=True, eq=False)``): register the dataclass as a JAX
    pytree whose fields are all data fields, and record its specs in field order.

    ``group`` names the class in the specs; ``role`` is the default role of its fields.
    """

    def wrap(dc: _C) -> _C:
        if not dataclasses.is_dataclass(dc):
            raise TypeError(f"{dc.__name__}: apply @dataclass(frozen=True, eq=False) first")
        specs = []
        for f in dataclasses.fields(dc):
            spec = f.metadata["spec"]
            specs.append(
                dataclasses.replace(spec, name=f.name, group=group, role=spec.role or role)
            )
        names = tuple(s.name for s in specs)
        dc.SPECS = tuple(specs)  # type: ignore[attr-defined]
        dc._fields = names  # type: ignore[attr-defined]
        jax.tree_util.register_dataclass(dc, data_fields=list(names), meta_fields=[])
        return dc

    return wrap


def build(cls: type[_P], owner: str, values: Mapping[str, object]) -> _P:
    """An instance of ``cls`` from ``values`` (scalars or arrays), defaults for the rest, every
    value validated against its spec and converted to float32."""
    specs = cls.SPECS
    known = {s.name for s in specs}
    for key in values:
        if key not in known:
            raise bad_value(
                key, values[key], "a known parameter: " + ", ".join(sorted(known)), owner
            )
    out: dict[str, Any] = {}
    for s in specs:
        v = values.get(s.name, s.default)
        if isinstance(v, str | bytes) or np.ndim(v) == 0:  # type: ignore[arg-type]
            out[s.name] = np.float32(s.check(v, owner))
            continue
        try:
            arr = np.asarray(v)
        except (TypeError, ValueError):  # ragged or odd input: reported below
            arr = np.asarray([], dtype=object)
        if arr.dtype.kind not in "iuf":
            allowed = f"a number in [{s.low:g}, {s.high:g}] or an array of such numbers"
            raise bad_value(s.name, v, allowed, owner)
        arr32 = arr.astype(np.float32)
        bad = ~np.isfinite(arr32) | (arr32 < np.float32(s.low)) | (arr32 > np.float32(s.high))
        if bad.any():
            s.check(arr[bad][0].item(), owner)
        out[s.name] = arr32
    return cls(**out)


def check_values(
    values: Mapping[str, object], specs: tuple[ParamSpec, ...], prefix: str, owner: str
) -> dict[str, float]:
    """Validate a table of named scalar values against ``specs``; errors name ``prefix.key``."""
    by_name = {s.name: s for s in specs}
    out = {}
    for key, value in values.items():
        if key not in by_name:
            raise bad_value(
                f"{prefix}.{key}", value, "a known name: " + ", ".join(sorted(by_name)), owner
            )
        out[key] = by_name[key].check(value, owner, f"{prefix}.{key}")
    return out
