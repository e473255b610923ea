"""The claim registry: each claim of the behaviour contract as a check that can pass or fail.

A claim simulates populations (fixed seed), compares groups or conditions, and returns its
evidence: a headline effect with a 95% interval against a threshold, plus any further conditions
the statement needs (each with its own interval and threshold). It passes only when every
condition passes. Each claim names the mechanisms it depends on; switched off, it must fail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Condition:
    """One comparison: ``value`` (with a 95% interval) against ``threshold``.

    ``direction`` is ">=" (the interval's lower end must reach the threshold) or "<=" (the
    upper end must stay below it): a condition passes only when its whole interval does.
    """

    name: str
    value: float
    low: float
    high: float
    threshold: float
    direction: str = ">="
    rule: str = ""
    """Which rule of the yardstick set the threshold (docs/claims-protocol.md)."""

    @property
    def passed(self) -> bool:
        if self.direction == ">=":
            return self.low >= self.threshold
        return self.high <= self.threshold


@dataclass(frozen=True)
class Evidence:
    """What a claim's check returns: the headline condition first, then the rest."""

    conditions: tuple[Condition, ...]
    n: int
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    """What every claim check receives: population size, seed, mechanisms switched off, the
    model variant it simulates (``closeloop.model.variants``) and parameter overrides.

    ``overrides`` are (name, value) pairs of world and relationship parameters, validated by
    ``claims.common.check_overrides``; every run of the claim applies them to its scenario
    (``claims.common.with_overrides``), so a claim can be checked under other parameter values.
    """

    n: int
    seed: int
    ablate: tuple[str, ...]
    quick: bool
    variant: str = "closeloop"
    overrides: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Claim:
    """A claim of the contract.

    Attributes:
        id: "P1" ... ; where: the article's section.
        statement: one-line paraphrase of what the check shows.
        mechanisms: names of the mechanisms it depends on (each ablation must fail it).
        threshold_why: one line on why the headline threshold has that size.
        check: the function that simulates and returns Evidence.
        n_quick, n_full: population size per group in quick and full mode.
        negative_controls: mechanisms it must not need (each ablation must leave it passing).
        expected_to_fail: why the model cannot honestly produce the claim ("" when it should
            pass): a failure reported, not patched.
    """

    id: str
    where: str
    statement: str
    mechanisms: tuple[str, ...]
    threshold_why: str
    check: Callable[[Settings], Evidence]
    n_quick: int = 300
    n_full: int = 2000
    negative_controls: tuple[str, ...] = ()
    expected_to_fail: str = ""


@dataclass(frozen=True)
class ClaimResult:
    id: str
    statement: str
    effect: float
    ci: tuple[float, float]
    threshold: float
    direction: str
    passed: bool
    mechanisms: tuple[str, ...]
    n: int
    seconds: float
    ablated: tuple[str, ...]
    conditions: tuple[Condition, ...]
    threshold_why: str
    notes: dict[str, Any] = field(default_factory=dict)
    negative_controls: tuple[str, ...] = ()
    expected_to_fail: str = ""
    variant: str = "closeloop"
    overrides: tuple[tuple[str, float], ...] = ()
    """The parameter values the claim was checked under (``Settings.overrides``)."""
    applicable: bool = True
    """False when the variant cannot make the runs or the variables the check needs (the
    result is then neither passed nor failed: ``notes["not applicable"]`` says why)."""

    @property
    def verdict(self) -> str:
        """ "pass", "FAIL" or "n/a"."""
        if not self.applicable:
            return "n/a"
        return "pass" if self.passed else "FAIL"

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data (a not-applicable result's numbers as null)."""
        if not self.applicable:
            na = {"effect": None, "ci": None, "threshold": None}
            return {**self._as_dict(), **na}
        return self._as_dict()

    def _as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "variant": self.variant,
            "overrides": dict(self.overrides),
            "verdict": self.verdict,
            "statement": self.statement,
            "effect": self.effect,
            "ci": [self.ci[0], self.ci[1]],
            "threshold": self.threshold,
            "direction": self.direction,
            "passed": self.passed,
            "mechanisms": list(self.mechanisms),
            "n": self.n,
            "seconds": round(self.seconds, 3),
            "ablated": list(self.ablated),
            "threshold_why": self.threshold_why,
            "negative_controls": list(self.negative_controls),
            "expected_to_fail": self.expected_to_fail,
            "conditions": [
                {
                    "name": c.name,
                    "value": c.value,
                    "ci": [c.low, c.high],
                    "threshold": c.threshold,
                    "direction": c.direction,
                    "rule": c.rule,
                    "passed": c.passed,
                }
                for c in self.conditions
            ],
            "notes": {k: _plain(v) for k, v in self.notes.items()},
        }


def _plain(v: Any) -> Any:
    """A note as JSON: a (value, low, high) triple as {value, ci}, numbers as floats."""
    if isinstance(v, tuple) and len(v) == 3:
        return {"value": float(v[0]), "ci": [float(v[1]), float(v[2])]}
    return float(v) if isinstance(v, int | float) else v


def format_note(v: Any) -> str:
    """A note for the table: 'value [low, high]' or the value."""
    if isinstance(v, tuple) and len(v) == 3:
        return f"{v[0]:.3f} [{v[1]:.3f}, {v[2]:.3f}]"
    return f"{v:.3f}" if isinstance(v, int | float) else str(v)


CLAIMS: list[Claim] = []


GROUPS = "PDH"
"""Claim groups in the contract's order: the person, the couple, change."""


def _order(c: Claim) -> tuple[int, int]:
    return GROUPS.index(c.id[0]), int(c.id[1:])


def register(claim: Claim) -> Claim:
    """Add a claim to the registry, which stays in the contract's order whatever the order in
    which the claim modules are imported."""
    if any(c.id == claim.id for c in CLAIMS):
        raise ValueError(f"claim {claim.id} registered twice")
    CLAIMS.append(claim)
    CLAIMS.sort(key=_order)
    return claim
