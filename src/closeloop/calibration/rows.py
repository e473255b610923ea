"""A figure's row: what the model shows beside the published target, with an interval, a band and
a verdict; the intervals used; and the loss (squared standardized distance to the band)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

Z95 = 1.959963984540054
"""Two-sided 95% normal quantile."""

MISSING_DISTANCE = 10.0
"""Standardized distance charged for a value that cannot be computed (docs/calibration.md 4)."""

PASS, FAIL, NOT_EXPRESSIBLE = "pass", "fail", "not expressible"


@dataclass(frozen=True)
class Band:
    """The range a value must fall in, the target inside it, the loss's scale and the reason."""

    target: float | None
    lo: float
    hi: float
    scale: float
    reason: str

    def distance(self, value: float) -> float:
        """Standardized distance of ``value`` to the band: 0 inside, grows linearly outside."""
        if not math.isfinite(value):
            return MISSING_DISTANCE
        return max(self.lo - value, 0.0, value - self.hi) / self.scale

    def holds(self, value: float) -> bool:
        """Whether ``value`` is in the band. A one-sided band is open at its bound: "above 0"
        (a rise, a fall, a positive correlation) is not met by exactly 0, which is what a model
        without the quantity's change produces."""
        if not math.isfinite(value):
            return False
        at_open_bound = (self.hi == math.inf and value == self.lo) or (
            self.lo == -math.inf and value == self.hi
        )
        if at_open_bound:
            return False
        return self.lo <= value <= self.hi

    def describe(self) -> str:
        lo = "-inf" if self.lo == -math.inf else f"{self.lo:.3g}"
        hi = "inf" if self.hi == math.inf else f"{self.hi:.3g}"
        t = "" if self.target is None else f"{self.target:.3g} "
        return f"{t}[{lo}, {hi}]"


def two_sided(target: float, tol: float, reason: str) -> Band:
    """target +/- tol; the scale is the tolerance."""
    return Band(target, target - tol, target + tol, tol, reason)


def above(lo: float, scale: float, reason: str) -> Band:
    """Above ``lo`` (one-sided)."""
    return Band(None, lo, math.inf, scale, reason)


def below(hi: float, scale: float, reason: str) -> Band:
    """Below ``hi`` (one-sided)."""
    return Band(None, -math.inf, hi, scale, reason)


@dataclass(frozen=True)
class Measure:
    """One number a figure is judged on: the model's value and 95% interval against a band."""

    name: str
    what: str
    value: float
    lo: float
    hi: float
    band: Band
    n: int

    @property
    def verdict(self) -> str:
        return PASS if self.band.holds(self.value) else FAIL


@dataclass(frozen=True)
class Row:
    """A figure: its id, source, measures (none when not expressible) and what is missing."""

    id: str
    figure: str
    source: str
    measures: tuple[Measure, ...] = ()
    missing: str = ""
    note: str = ""
    held_out: bool = False

    @property
    def expressible(self) -> bool:
        return bool(self.measures)

    @property
    def verdict(self) -> str:
        if not self.measures:
            return NOT_EXPRESSIBLE
        return PASS if all(m.verdict == PASS for m in self.measures) else FAIL

    def loss(self) -> float:
        """Mean squared standardized distance over the measures (0 when not expressible)."""
        if not self.measures:
            return 0.0
        return float(np.mean([m.band.distance(m.value) ** 2 for m in self.measures]))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "figure": self.figure,
            "source": self.source,
            "held_out": self.held_out,
            "verdict": self.verdict,
            "loss": self.loss(),
            "missing": self.missing,
            "note": self.note,
            "measures": [],
        }
        for m in self.measures:
            d = asdict(m)
            d["band"] = asdict(m.band)
            d["verdict"] = m.verdict
            out["measures"].append(_finite(d))
        return out


def _finite(d: dict[str, Any]) -> dict[str, Any]:
    """JSON has no inf or NaN: write them as None."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out[k] = _finite(v)
        elif isinstance(v, float) and not math.isfinite(v):
            out[k] = None
        else:
            out[k] = v
    return out


@dataclass(frozen=True)
class Estimate:
    """A value with its 95% interval and the number of units behind it."""

    value: float
    lo: float
    hi: float
    n: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    def measure(self, name: str, what: str, band: Band) -> Measure:
        return Measure(name, what, self.value, self.lo, self.hi, band, self.n)


NAN = Estimate(math.nan, math.nan, math.nan, 0)


def mean_ci(x: np.ndarray) -> Estimate:
    """Mean with a normal 95% interval."""
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size < 2:
        return NAN
    m, se = float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size))
    return Estimate(m, m - Z95 * se, m + Z95 * se, int(x.size))


def proportion_ci(k: int, n: int) -> Estimate:
    """Share with a Wilson 95% interval."""
    if n <= 0:
        return NAN
    p = k / n
    den = 1 + Z95**2 / n
    mid = (p + Z95**2 / (2 * n)) / den
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / den
    return Estimate(p, mid - half, mid + half, n)


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson r, NaN when either side has no variance."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size < 3 or x.std() == 0 or y.std() == 0:
        return math.nan
    return float(np.corrcoef(x, y)[0, 1])


def corr_ci(x: np.ndarray, y: np.ndarray) -> Estimate:
    """Pearson r with a Fisher-z 95% interval."""
    r = pearson(x, y)
    n = int(np.sum(np.isfinite(np.asarray(x, float)) & np.isfinite(np.asarray(y, float))))
    if not math.isfinite(r) or n < 4:
        return Estimate(math.nan, math.nan, math.nan, n)
    z, se = math.atanh(max(min(r, 0.999999), -0.999999)), 1 / math.sqrt(n - 3)
    return Estimate(r, math.tanh(z - Z95 * se), math.tanh(z + Z95 * se), n)


def boot_ci(stat: Any, arrays: tuple[np.ndarray, ...], seed: int, reps: int) -> Estimate:
    """``stat(*arrays)`` with a percentile bootstrap 95% interval over units (rows)."""
    value = float(stat(*arrays))
    n = len(arrays[0])
    if not math.isfinite(value) or n < 4:
        return Estimate(value, math.nan, math.nan, n)
    rng = np.random.default_rng(seed)
    reps_v = []
    for _ in range(reps):
        idx = rng.integers(0, n, n)
        v = stat(*(a[idx] for a in arrays))
        if math.isfinite(v):
            reps_v.append(v)
    if not reps_v:
        return Estimate(value, math.nan, math.nan, n)
    lo, hi = np.percentile(reps_v, [2.5, 97.5])
    return Estimate(value, float(lo), float(hi), n)


def total_loss(rows: list[Row] | tuple[Row, ...], held_out: bool = False) -> float:
    """Sum of figure losses (weight 1 each) over the calibration figures, or the held-out ones."""
    return float(sum(r.loss() for r in rows if r.held_out == held_out and r.expressible))
