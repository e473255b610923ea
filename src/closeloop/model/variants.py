"""Simpler models beside closeloop: which results need its learning machinery?

A variant is chosen by name. Two of them change only how a person learns in adult life, on the
same kernels: the kernels receive a float32 switch vector (``switches``), positions
``ADULT_LEARNING`` and ``SEPARATE_SAFETY``, and gate the adult learning step with ``where``, so
choosing a variant does not recompile. The early history always runs closeloop's own rules (it
is called without a vector), so every variant starts adult life from the same template. The
third is a different couple kernel altogether (``closeloop.model.linear``), chosen by the
engine.

- ``closeloop``: the model as documented in docs/model.md.
- ``static``: no adult learning: threat, inhibition, expected reward, habit and the expectation
  of seeking stay where the early history left them (longing still rises and is met: it is a
  need, not something learned).
- ``erasure``: one store: safe outcomes lower the threat itself instead of building inhibitory
  learning beside it. At the start of adult life each context's felt threat is folded into that
  one store (V - I), so the variant starts from the same felt threat.
- ``linear``: a linear couple model (``closeloop.model.linear``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from closeloop.errors import InputError, bad_value, one_of


@dataclass(frozen=True)
class Variant:
    """A model variant: its name, what it keeps and drops, and the work it follows."""

    name: str
    summary: str
    kernel: str
    reference: str


VARIANTS: tuple[Variant, ...] = (
    Variant(
        "closeloop",
        "The full model: threat and inhibitory learning beside it, context-bound and fading "
        "safety, reward, habit and seeking learned in adult life.",
        "person",
        "docs/model.md",
    ),
    Variant(
        "static",
        "A static template: what the early history taught stays fixed; acceptance by depth "
        "never changes in adult life.",
        "person",
        "modelling assumption: the null model of no learning after the early history",
    ),
    Variant(
        "erasure",
        "Extinction as erasure: one store; safe outcomes lower threat itself (no renewal, no "
        "spontaneous recovery, no relapse under stress, no context-bound safety).",
        "person",
        "Rescorla & Wagner 1972, A theory of Pavlovian conditioning (extinction as unlearning)",
    ),
    Variant(
        "linear",
        "A linear couple model: each member's closeness with inertia, an uninfluenced set point "
        "and linear (and bilinear) influence of the other's, plus noise.",
        "linear",
        "Gottman, Murray, Swanson, Tyson & Swanson 2002, The mathematics of marriage; Rinaldi "
        "1998, Laura and Petrarch: an intriguing case of cyclical love dynamics",
    ),
)
NAMES: tuple[str, ...] = tuple(v.name for v in VARIANTS)
BY_NAME: dict[str, Variant] = {v.name: v for v in VARIANTS}
DEFAULT = "closeloop"

ADULT_LEARNING, SEPARATE_SAFETY = range(2)
"""Positions in the switch vector: adult learning on (1) or off (0, ``static``); safety learned
as a separate inhibitory store (1) or by lowering threat itself (0, ``erasure``)."""
N_SWITCHES = 2


class NotApplicable(InputError):
    """A run a variant cannot make (the linear model has no people on their own, no
    interventions and no mechanisms to switch off): a claim that needs it is not applicable."""


def applicable(name: str, kind: str, interventions: int, ablated: tuple[str, ...]) -> None:
    """Raise NotApplicable when variant ``name`` cannot run a scenario of ``kind`` with
    ``interventions`` scheduled and mechanisms ``ablated``."""
    if kernel(name) != "linear":
        return
    why = ""
    if kind != "couple":
        why = "a couple model: it has no people on their own"
    elif interventions:
        why = "without interventions: they act through the person's learning, which it lacks"
    elif ablated:
        why = "without ablations: it has none of closeloop's mechanisms to switch off"
    if why:
        raise NotApplicable(f"The '{name}' variant is {why}.")


def check(name: object, field: str = "variant") -> str:
    """The variant's name, or the one-line InputError naming the allowed ones."""
    if not isinstance(name, str) or name not in BY_NAME:
        raise bad_value(field, name, one_of(NAMES))
    return name


def kernel(name: str) -> str:
    """Which kernel runs the variant's adult days: "person" (closeloop's) or "linear"."""
    return BY_NAME[check(name)].kernel


def switches(name: str) -> np.ndarray:
    """The (N_SWITCHES,) float32 switch vector of a person-kernel variant (all ones for
    closeloop and for the linear variant, whose adult days do not run the person kernels)."""
    v = np.ones(N_SWITCHES, dtype=np.float32)
    name = check(name)
    if name == "static":
        v[ADULT_LEARNING] = 0.0
    if name == "erasure":
        v[SEPARATE_SAFETY] = 0.0
    return v


def learns(variant: Any) -> Any:
    """Whether adult learning is on in a switch vector."""
    return variant[ADULT_LEARNING] > 0.0


def separate(variant: Any) -> Any:
    """Whether safety is a separate inhibitory store in a switch vector."""
    return variant[SEPARATE_SAFETY] > 0.0


def begin(xp: Any, s: Any, variant: Any) -> Any:
    """A person (a ``person.PersonState``, not imported: person.py reads these switches) at the
    start of adult life under a variant: unchanged, except that with one store (erasure) each
    context's felt threat clip(V - I) becomes the threat and inhibition 0."""
    one = ~separate(variant)
    return s._replace(
        V=xp.where(one, xp.clip(s.V - s.I, 0.0, 1.0), s.V),
        I=xp.where(one, xp.zeros_like(s.I), s.I),
        F=xp.where(one, xp.zeros_like(s.F), s.F),
    )
