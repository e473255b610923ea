"""The linear couple model's coefficients (``closeloop.model.linear``): inertia, the uninfluenced
set point, linear and bilinear influence of the partner, and noise.

Each member's closeness follows a difference equation in the style of Gottman, Murray, Swanson,
Tyson & Swanson (2002: inertia, an uninfluenced steady state, influence functions of the partner's
state) and Rinaldi (1998: forgetting, a constant pull, reactions to the partner): x' = (1 - inertia)
set + inertia x + influence y + bilinear x y + noise. The values are chosen, not fitted: they give
two secure members a steady closeness well above half and a member with a strong template a clearly
lower one, and make the partner's pull a fraction of one's own.
"""

from __future__ import annotations

from dataclasses import dataclass

from closeloop.params._spec import Array, ParamsBase, build, param, params_class

GOTTMAN_2002 = (
    "Gottman, Murray, Swanson, Tyson & Swanson 2002, The mathematics of marriage: dynamic "
    "nonlinear models"
)
RINALDI = "Rinaldi 1998, Laura and Petrarch: an intriguing case of cyclical love dynamics"


@params_class("linear", "relationship")
@dataclass(frozen=True, eq=False)
class LinearParams(ParamsBase):
    """Coefficients of the linear couple model (scalars per couple)."""

    inertia: Array = param(
        0.95,
        low=0.0,
        high=0.999,
        unit="1",
        label="how much of yesterday's closeness carries over",
        meaning=(
            "Emotional inertia: the weight of a member's closeness yesterday in today's (the "
            "rest of the uninfluenced pull goes to the set point)."
        ),
        ref=GOTTMAN_2002,
        claims=("D1", "D6"),
    )
    set_high: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="1",
        label="uninfluenced closeness of a member with no learned threat",
        meaning=(
            "Set point of a member whose template holds no threat: the closeness they would "
            "settle at alone (uninfluenced steady state)."
        ),
        ref=GOTTMAN_2002,
        claims=("D3",),
    )
    set_threat: Array = param(
        0.8,
        low=0.0,
        high=1.0,
        unit="1 per threat",
        label="how much learned threat lowers the set point",
        meaning=(
            "The set point falls by this much per unit of the member's mean felt threat in the "
            "partner context at the start of adult life (the same early history as closeloop's)."
        ),
        ref=GOTTMAN_2002,
        claims=("D3", "D6"),
    )
    influence: Array = param(
        0.02,
        low=-0.5,
        high=0.5,
        unit="1",
        label="how much the partner's closeness pulls one's own",
        meaning=(
            "Linear influence: the partner's closeness yesterday, times this, is added to one's "
            "own today (negative: the other's closeness pushes one away)."
        ),
        ref=GOTTMAN_2002,
        claims=("D1",),
    )
    bilinear: Array = param(
        0.0,
        low=-0.5,
        high=0.5,
        unit="1",
        label="how the partner's pull depends on one's own closeness",
        meaning=(
            "Bilinear influence: one's own closeness times the partner's, times this, is added "
            "too (0: purely linear; negative: the closer one already is, the less the partner's "
            "closeness adds). Rinaldi's reactions to the partner are nonlinear; a product term "
            "is the simplest such."
        ),
        ref=RINALDI,
        claims=("D1",),
    )
    noise_sd: Array = param(
        0.05,
        low=0.0,
        high=0.5,
        unit="1/day",
        label="day-to-day noise in closeness",
        meaning="Standard deviation of the normal noise added to each member's closeness daily.",
        ref=GOTTMAN_2002,
        claims=("D1",),
    )


LINEAR_SPECS = LinearParams.SPECS


def linear_params(**values: object) -> LinearParams:
    """Validated coefficients of the linear couple model; unspecified ones take their defaults."""
    return build(LinearParams, "linear", values)
