"""The fitted quantities and the fitting prior.

A 60-day diary holds a few dozen informative events per person (design/fitting.md, section 3),
so the fit estimates a small set of quantities per couple and keeps the rest of the model at its
declared defaults:

- per person (a and b): ``threshold`` (how much alarm closes the door), ``openness`` (liking to
  share when safe) and ``anxiety`` (how strongly unmet closeness turns into pursuit);
- per couple: ``bid_rate``, ``bid_reach`` and ``base_quality`` (relationship rates);
- derived, per person: ``threat_d1``, the felt threat of a depth-1 bid (opinions and plans) at
  the start of the relationship: a behavioural quantity, a function of the early history and the
  traits, that the network estimates like a parameter.

Each fitted parameter's prior is its ``prior`` field in ``closeloop.params``. Every other trait
and relationship rate stays at its default, and each person's early history (the template the
relationship starts from) is simulated from the default population mix (``presets.DEFAULT_MIX``),
so the fit marginalises over histories the way the simulator draws them. Quantities are fitted
in an unbounded space: ``logit`` of the position within the prior's range.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from closeloop.errors import InputError
from closeloop.params import SPECS, TRAITS, ParamSpec, Prior

PERSON_TARGETS = ("threshold", "openness", "anxiety")
"""Person traits fitted for each member."""
COUPLE_TARGETS = ("bid_rate", "bid_reach", "base_quality")
"""Relationship rates fitted per couple."""
DERIVED_TARGETS = ("threat_d1",)
"""Behavioural quantities fitted for each member (computed by the simulator, not drawn)."""
MEMBERS = ("a", "b")
EDGE = 1e-4
"""Share of a range kept off each end before the logit: a drawn value at a bound stays finite."""


@dataclass(frozen=True)
class Quantity:
    """One fitted quantity.

    Attributes:
        name: column name in the posterior, e.g. ``threshold_a`` or ``bid_rate``.
        base: the parameter (or derived quantity) it is a value of.
        member: 0 or 1 for a person's quantity, None for the couple's.
        kind: "person", "couple" or "derived".
        low, high: the range the unbounded transform maps onto.
        prior: the prior it is drawn from (None for a derived quantity).
        label: plain-language label.
    """

    name: str
    base: str
    member: int | None
    kind: str
    low: float
    high: float
    prior: Prior | None
    label: str


def _spec(name: str) -> ParamSpec:
    return SPECS[name]


def quantities() -> tuple[Quantity, ...]:
    """Every fitted quantity, in the posterior's order."""
    out: list[Quantity] = []
    for m, who in enumerate(MEMBERS):
        for t in PERSON_TARGETS:
            s = _spec(t)
            out.append(
                Quantity(f"{t}_{who}", t, m, "person", s.prior.low, s.prior.high, s.prior, s.label)
            )
    for t in COUPLE_TARGETS:
        s = _spec(t)
        out.append(Quantity(t, t, None, "couple", s.prior.low, s.prior.high, s.prior, s.label))
    for m, who in enumerate(MEMBERS):
        label = "felt threat of a depth-1 bid (opinions and plans) at the start"
        out.append(Quantity(f"threat_d1_{who}", "threat_d1", m, "derived", 0.0, 1.0, None, label))
    return tuple(out)


QUANTITIES = quantities()
NAMES = tuple(q.name for q in QUANTITIES)
DRAWN = tuple(q for q in QUANTITIES if q.prior is not None)
"""The quantities drawn from the prior (the derived ones follow from them)."""


def true_values(traits: np.ndarray, threat0: np.ndarray, couple: Mapping[str, Any]) -> np.ndarray:
    """(couples, Q) true value of every fitted quantity of simulated couples.

    ``traits``: (couples, 2, P) the traits the people actually had, in ``TRAITS`` order (the
    engine's ``params``, a couple Dataset's ``traits``); ``threat0``: (couples, 2, K) the felt
    threat at the start; ``couple``: the relationship values run (each a scalar or one value a
    couple; a missing one is its default).
    """
    out = np.zeros((traits.shape[0], len(QUANTITIES)), np.float64)
    for j, q in enumerate(QUANTITIES):
        if q.kind == "person":
            out[:, j] = traits[:, q.member, TRAITS.index(q.base)]
        elif q.kind == "couple":
            out[:, j] = couple.get(q.base, SPECS[q.base].default)
        else:  # threat_d1: the felt threat of a depth-1 bid at day 0
            out[:, j] = threat0[:, q.member, 1]
    return out


def _sample(p: Prior, n: int, rng: np.random.Generator) -> np.ndarray:
    u = rng.uniform(size=n)
    if p.dist == "uniform":
        return p.low + (p.high - p.low) * u
    if p.dist == "beta":
        return p.low + (p.high - p.low) * stats.beta(*p.args).ppf(u)
    if p.dist == "truncnormal":
        m, sd = p.args
        return stats.truncnorm((p.low - m) / sd, (p.high - m) / sd, m, sd).ppf(u)
    if p.dist == "lognormal":
        mu, sigma = p.args
        lo, hi = np.log(p.low), np.log(p.high)
        return np.exp(stats.truncnorm((lo - mu) / sigma, (hi - mu) / sigma, mu, sigma).ppf(u))
    raise InputError(f"The fitting prior cannot draw from a {p.dist!r} prior.")


def log_density(p: Prior, x: np.ndarray) -> np.ndarray:
    """Log prior density of ``x`` (natural units)."""
    if p.dist == "uniform":
        return np.full(np.shape(x), -np.log(p.high - p.low))
    if p.dist == "beta":
        w = p.high - p.low
        return stats.beta(*p.args).logpdf((x - p.low) / w) - np.log(w)
    if p.dist == "truncnormal":
        m, sd = p.args
        return stats.truncnorm((p.low - m) / sd, (p.high - m) / sd, m, sd).logpdf(x)
    mu, sigma = p.args
    lo, hi = np.log(p.low), np.log(p.high)
    d = stats.truncnorm((lo - mu) / sigma, (hi - mu) / sigma, mu, sigma)
    return d.logpdf(np.log(x)) - np.log(x)


def draw(n: int, seed: int) -> dict[str, np.ndarray]:
    """``n`` draws of every drawn quantity from the fitting prior (float32, natural units)."""
    rng = np.random.default_rng([seed, 0xF17])
    return {q.name: _sample(q.prior, n, rng).astype(np.float32) for q in DRAWN if q.prior}


def to_unbounded(values: np.ndarray) -> np.ndarray:
    """(..., Q) natural values -> (..., Q) logit of the position in each quantity's range."""
    lo = np.array([q.low for q in QUANTITIES])
    hi = np.array([q.high for q in QUANTITIES])
    u = np.clip((np.asarray(values, np.float64) - lo) / (hi - lo), EDGE, 1.0 - EDGE)
    return np.log(u) - np.log1p(-u)


def from_unbounded(z: np.ndarray) -> np.ndarray:
    """Inverse of :func:`to_unbounded` (inside each range by construction)."""
    lo = np.array([q.low for q in QUANTITIES])
    hi = np.array([q.high for q in QUANTITIES])
    return lo + (hi - lo) / (1.0 + np.exp(-np.asarray(z, np.float64)))


def unbounded_log_prior(z: np.ndarray, index: int) -> np.ndarray:
    """Log prior density of quantity ``index`` in the unbounded space (natural density times the
    Jacobian of the logistic map); used by the population layer to divide the prior out."""
    q = QUANTITIES[index]
    if q.prior is None:
        raise InputError(f"The quantity {q.name!r} is derived: it has no prior density.")
    s = 1.0 / (1.0 + np.exp(-np.asarray(z, np.float64)))
    x = q.low + (q.high - q.low) * s
    return log_density(q.prior, x) + np.log(q.high - q.low) + np.log(s) + np.log1p(-s)


def describe() -> list[list[str]]:
    """Rows (quantity, kind, prior, meaning) for docs/fitting.md."""
    return [
        [
            f"`{q.name}`",
            q.kind,
            q.prior.describe() if q.prior else "(follows from the others)",
            q.label,
        ]
        for q in QUANTITIES
    ]
