"""How good a posterior network is, on simulations whose truth is known: recovery r (with a
bootstrap lower bound), mean posterior contraction, 90% interval coverage, and simulation-based
calibration (SBC) ranks tested against a simultaneous 99% ECDF band (Säilynoja, Bürkner and
Vehtari 2022, Graphical test for discrete uniformity and its applications in goodness-of-fit
evaluation and multiple sample comparison)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

R_MIN = 0.8
"""Identifiable: recovery r at least this (the issue's rule, fixed before any result)."""
R_LOWER_MIN = 0.75
"""... with its bootstrap 95% lower bound at least this ..."""
CONTRACTION_MIN = 0.6
"""... a mean posterior contraction at least this, and a passing calibration."""
COVERAGE_LEVEL = 0.9
COVERAGE_TOLERANCE = 0.05
"""90% intervals must cover the truth 85-95% of the time."""
BAND = 0.99
"""Simultaneous level of the SBC ECDF band."""
BOOTSTRAP = 1000
BAND_SIMULATIONS = 2000
"""Uniform samples simulated to set the band's pointwise level."""
GRID = 50
"""Points at which the rank ECDF is compared with the band."""


@dataclass(frozen=True)
class Metrics:
    """One quantity's checks."""

    r: float
    r_lower: float
    contraction: float
    coverage: float
    sbc_p: float
    sbc_pass: bool

    @property
    def coverage_pass(self) -> bool:
        return abs(self.coverage - COVERAGE_LEVEL) <= COVERAGE_TOLERANCE

    @property
    def calibrated(self) -> bool:
        return self.sbc_pass and self.coverage_pass

    @property
    def identifiable(self) -> bool:
        return (
            self.r >= R_MIN
            and self.r_lower >= R_LOWER_MIN
            and self.contraction >= CONTRACTION_MIN
            and self.calibrated
        )


def ranks(draws: np.ndarray, truth: np.ndarray, seed: int = 0) -> np.ndarray:
    """(N,) fractional SBC ranks in (0, 1): the share of draws below the truth, ties split at
    random, so that a calibrated posterior gives uniform ranks."""
    rng = np.random.default_rng(seed)
    below = (draws < truth[:, None]).sum(1)
    ties = (draws == truth[:, None]).sum(1)
    k = below + np.floor(rng.uniform(size=len(truth)) * (ties + 1))
    return (k + rng.uniform(size=len(truth))) / (draws.shape[1] + 1)


def _min_tail(counts: np.ndarray, n: int, z: np.ndarray) -> np.ndarray:
    """Smallest two-sided binomial tail probability of the ECDF counts over the grid."""
    lo = stats.binom.cdf(counts, n, z)
    hi = stats.binom.sf(counts - 1, n, z)
    return np.min(2 * np.minimum(lo, hi), axis=-1)


def ecdf_band_test(u: np.ndarray) -> tuple[float, bool]:
    """Whether fractional ranks ``u`` stay inside the simultaneous ``BAND`` ECDF band of the
    uniform; returns (the sample's smallest pointwise tail probability scaled to a simultaneous
    p-value, pass)."""
    n = len(u)
    z = np.arange(1, GRID) / GRID
    rng = np.random.default_rng(12345)
    sims = np.sort(rng.uniform(size=(BAND_SIMULATIONS, n)), axis=1)
    sim_counts = np.stack([np.searchsorted(s, z, side="right") for s in sims])
    sim_min = _min_tail(sim_counts, n, z)
    counts = np.searchsorted(np.sort(u), z, side="right")
    obs = float(_min_tail(counts[None], n, z)[0])
    p = float((sim_min <= obs).mean())
    return p, p > 1.0 - BAND


def quantity(draws: np.ndarray, truth: np.ndarray, seed: int = 0) -> Metrics:
    """Checks of one quantity: ``draws`` (N, L) posterior draws, ``truth`` (N,)."""
    mean = draws.mean(1)
    r = float(np.corrcoef(mean, truth)[0, 1]) if mean.std() > 0 else 0.0
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(truth), size=(BOOTSTRAP, len(truth)))
    boot = [np.corrcoef(mean[i], truth[i])[0, 1] for i in idx]
    lower = float(np.nanquantile(boot, 0.025))
    contraction = float(1.0 - draws.var(1).mean() / max(truth.var(), 1e-12))
    lo = np.quantile(draws, (1 - COVERAGE_LEVEL) / 2, axis=1)
    hi = np.quantile(draws, (1 + COVERAGE_LEVEL) / 2, axis=1)
    coverage = float(((truth >= lo) & (truth <= hi)).mean())
    p, ok = ecdf_band_test(ranks(draws, truth, seed))
    return Metrics(r, lower, contraction, coverage, p, ok)


def all_quantities(draws: np.ndarray, truth: np.ndarray) -> list[Metrics]:
    """Checks of every quantity: ``draws`` (N, L, Q), ``truth`` (N, Q)."""
    return [quantity(draws[:, :, j], truth[:, j], seed=j) for j in range(truth.shape[1])]


def shrink(draws: np.ndarray, factor: float) -> np.ndarray:
    """Negative control: each posterior's spread scaled by ``factor`` around its mean."""
    m = draws.mean(1, keepdims=True)
    return m + factor * (draws - m)


def shift(draws: np.ndarray, sds: float) -> np.ndarray:
    """Negative control: each posterior moved by ``sds`` of its own standard deviation."""
    return draws + sds * draws.std(1, keepdims=True)


def band_halfwidth(n: int, z: np.ndarray) -> np.ndarray:
    """Half-width of the simultaneous ``BAND`` ECDF band at ``z`` for ``n`` ranks (for plots):
    binomial quantiles at the pointwise level that makes the band simultaneous."""
    grid = np.arange(1, GRID) / GRID
    rng = np.random.default_rng(12345)
    sims = np.sort(rng.uniform(size=(BAND_SIMULATIONS, n)), axis=1)
    sim_counts = np.stack([np.searchsorted(s, grid, side="right") for s in sims])
    gamma = float(np.quantile(_min_tail(sim_counts, n, grid), 1.0 - BAND))
    lo = stats.binom.ppf(gamma / 2, n, z) / n
    hi = stats.binom.ppf(1 - gamma / 2, n, z) / n
    return np.maximum(z - lo, hi - z)
