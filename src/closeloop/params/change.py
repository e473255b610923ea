"""How interventions act: the constants of ``closeloop.model.healing``, declared as parameters.

``ChangeParams`` is a registered pytree like the others and travels through the engine as data
(a scenario's ``[change]`` table), so a new value never recompiles; ``CHANGE`` holds the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

from closeloop.params._spec import Array, ParamsBase, build, param, params_class
from closeloop.params.refs import ASSUMPTION, BOUTON

ROGERS = "Rogers 1957, The necessary and sufficient conditions of therapeutic personality change"
EFT = "Johnson 2004, The practice of emotionally focused couple therapy: creating connection"


@params_class("change", "intervention")
@dataclass(frozen=True, eq=False)
class ChangeParams(ParamsBase):
    """How the scheduled interventions act (scalars)."""

    safe_warmth: Array = param(
        0.95,
        low=0.5,
        high=1.0,
        unit="prob",
        label="how reliably a safe responder is warm",
        meaning=(
            "Warmth of a safe, consistent responder (a therapist, a safe partner, an exposure "
            "exercise): the probability that sharing meets a warm reply."
        ),
        ref=ROGERS,
        claims=("H2", "H5"),
        mechanisms=("extinction",),
    )
    session_importance: Array = param(
        0.8,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much sharing matters in a session",
        meaning=(
            "Importance of sharing in a therapy session or an exposure exercise: it is what the "
            "person came for."
        ),
        ref=ASSUMPTION,
        claims=("H4", "H7"),
    )
    session_salience: Array = param(
        2.0,
        low=1.0,
        high=10.0,
        unit="1",
        label="how much a session teaches compared with an ordinary moment",
        meaning=(
            "Learning weight of a therapy session: fifty minutes of focused closeness hold more "
            "moments of disclosure and response than one ordinary moment of a day (salience 1)."
        ),
        ref=BOUTON,
        claims=("H4",),
        mechanisms=("extinction",),
    )
    session_noticing: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="prob",
        label="how much a therapist helps one notice the reaction",
        meaning=(
            "Noticing added in a therapy session: the therapist slows the moment down and names "
            "the reaction as it comes (affect labelling), so more reactions reach the deliberate "
            "route."
        ),
        ref="Lieberman et al. 2007, Putting feelings into words",
        claims=("H4",),
        mechanisms=("observation",),
    )
    stage2_at: Array = param(
        1.0 / 3.0,
        low=0.0,
        high=1.0,
        unit="1",
        label="when couples therapy turns to the withdrawer's re-engagement",
        meaning=(
            "Share of a couples therapy's span after which its second stage (the withdrawer "
            "notices and commits to approach) begins."
        ),
        ref=EFT,
        step=0.01,
    )
    stage3_at: Array = param(
        2.0 / 3.0,
        low=0.0,
        high=1.0,
        unit="1",
        label="when couples therapy turns to the pursuer's softening",
        meaning=(
            "Share of a couples therapy's span after which its third stage (the pursuer becomes "
            "a safe partner) begins."
        ),
        ref=EFT,
        step=0.01,
    )


CHANGE_SPECS = ChangeParams.SPECS


def change_params(**values: object) -> ChangeParams:
    """Validated intervention constants; unspecified ones take their defaults."""
    return build(ChangeParams, "change", values)


CHANGE = change_params()
"""The intervention constants' defaults (what a run uses unless a scenario or a caller sets
others)."""
