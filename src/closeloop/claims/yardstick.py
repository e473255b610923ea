"""One yardstick for every claim (docs/claims-protocol.md, section 1).

A claimed effect must reach a medium standardised effect with the lower end of its 95% interval;
a claimed absence must keep the upper end of its absolute effect at or below a small one; "at
least as" must not fall short by even a small one. Effects are measured against between-person
spread (Cohen's d with the pooled SD of the two sets of values, also for paired designs), so a
larger population narrows the interval around the same effect and cannot turn a small effect
into a pass. Benchmarks: Cohen 1988, Statistical power analysis for the behavioral sciences;
cross-lagged paths: Orth, Meier, Bühler, Dapp, Krauss, Messerli & Robins 2024, Effect size
guidelines for cross-lagged effects.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from closeloop.claims.registry import Condition
from closeloop.stats import bootstrap_ci

SMALL_D, MEDIUM_D = 0.2, 0.5
"""Cohen's d (difference of means over the pooled between-person SD)."""
SMALL_R, MEDIUM_R = 0.1, 0.3
"""Correlation or standardised regression coefficient."""
SMALL_H, MEDIUM_H = 0.2, 0.5
"""Cohen's h for two proportions."""
SMALL_XLAG, MEDIUM_XLAG = 0.03, 0.07
"""Cross-lagged standardised beta with the autoregressive path controlled (Orth et al. 2024)."""
MOST = 0.5
"""'Most' in the article's words: more than one half."""

Estimate = tuple[float, float, float]


def pooled_sd(a: np.ndarray, b: np.ndarray) -> float:
    """Root of the mean of the two variances: the between-person spread of both sets."""
    return float(np.sqrt(0.5 * (np.var(a, ddof=1) + np.var(b, ddof=1))))


def cohen_d(a: np.ndarray, b: np.ndarray) -> float:
    """(mean a - mean b) / pooled SD; NaN when nothing varies (no effect can be shown)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if len(a) < 2 or len(b) < 2:
        return float("nan")
    sd = pooled_sd(a, b)
    return float((a.mean() - b.mean()) / sd) if sd > 0 else float("nan")


def cohen_h(p1: float, p2: float) -> float:
    """Cohen's h: 2 asin(sqrt p1) - 2 asin(sqrt p2)."""
    return float(2.0 * np.arcsin(np.sqrt(p1)) - 2.0 * np.arcsin(np.sqrt(p2)))


def d_between(a: np.ndarray, b: np.ndarray, seed: int) -> Estimate:
    """d of two independent groups, bootstrap interval (each group resampled on its own)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return bootstrap_ci(cohen_d, a, b, seed=seed)


def d_paired(a: np.ndarray, b: np.ndarray, seed: int) -> Estimate:
    """d of the same units in two conditions (or two times): mean paired difference over the
    pooled between-person SD; the pairs are resampled together."""
    ab = np.stack([np.asarray(a, np.float64), np.asarray(b, np.float64)], 1)
    return bootstrap_ci(lambda z: cohen_d(z[:, 0], z[:, 1]), ab, seed=seed)


def statistic_ci(stat: Callable[..., float], *groups: np.ndarray, seed: int) -> Estimate:
    """Any statistic with its bootstrap interval (groups resampled independently)."""
    return bootstrap_ci(stat, *groups, seed=seed)


def effect(name: str, est: Estimate, medium: float = MEDIUM_D) -> Condition:
    """A claimed effect: the interval's lower end must reach the medium benchmark."""
    return Condition(name, est[0], est[1], est[2], medium, ">=", "effect: at least medium")


def negative_effect(name: str, est: Estimate, medium: float = MEDIUM_R) -> Condition:
    """A claimed effect in the negative direction, reported as its negative."""
    return effect(name, (-est[0], -est[2], -est[1]), medium)


def absence(name: str, est: Estimate, small: float = SMALL_D) -> Condition:
    """A claimed absence: the upper end of the interval of |effect| must stay at or below the
    small benchmark."""
    v, lo, hi = est
    top = max(abs(lo), abs(hi))
    bottom = 0.0 if lo <= 0.0 <= hi else min(abs(lo), abs(hi))
    return Condition(name, abs(v), bottom, top, small, "<=", "absence: below small")


def at_least_as(name: str, est: Estimate, small: float = SMALL_D) -> Condition:
    """'At least as high': the lower end must reach minus the small benchmark."""
    return Condition(name, est[0], est[1], est[2], -small, ">=", "at least as: above -small")


def not_clear(name: str, est: Estimate, medium: float = MEDIUM_D) -> Condition:
    """A negated effect ('does not fall steeply'): the upper end must stay below medium."""
    return Condition(name, est[0], est[1], est[2], medium, "<=", "negated effect: below medium")


def wording(name: str, est: Estimate, threshold: float, direction: str = ">=") -> Condition:
    """A count, share or time fixed by the article's words ('most', 'months', 'years')."""
    return Condition(name, est[0], est[1], est[2], threshold, direction, "the article's wording")
