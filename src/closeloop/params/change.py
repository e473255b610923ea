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
    deesc_pursuit: Array = param(
        0.2,
        low=0.0,
        high=1.0,
        unit="1",
        label="how low pursuit must fall for de-escalation to be done",
        meaning=(
            "Couples therapy's de-escalation ends (and the withdrawer's re-engagement begins) on "
            "the first day both members' pursuit is below this level and both members' felt "
            "distance below deesc_unmet, or at the cap deesc_weeks."
        ),
        ref=EFT,
        mechanisms=("pursuit",),
    )
    deesc_unmet: Array = param(
        0.4,
        low=0.0,
        high=1.0,
        unit="1",
        label="how few bids may go unmet for de-escalation to be done",
        meaning=(
            "Felt distance (the moving share of one's bids that went unmet, the withdrawal as "
            "the other meets it) below which, with pursuit below deesc_pursuit, couples "
            "therapy's de-escalation is done."
        ),
        ref=EFT,
    )
    deesc_weeks: Array = param(
        12.0,
        low=1.0,
        high=52.0,
        unit="weeks",
        label="the longest couples therapy stays in de-escalation",
        meaning=(
            "Cap on the length of couples therapy's first stage: de-escalation that has not "
            "reached its levels by then gives way to the withdrawer's re-engagement anyway."
        ),
        ref=(
            "Johnson 2004, The practice of emotionally focused couple therapy: creating "
            "connection; Wiebe & Johnson 2016, A review of the research in emotionally focused "
            "therapy for couples"
        ),
    )
    reengage_weeks: Array = param(
        8.0,
        low=1.0,
        high=52.0,
        unit="weeks",
        label="how long the withdrawer's re-engagement lasts before the softening",
        meaning=(
            "Length of couples therapy's second stage (the withdrawer notices the reaction and "
            "commits to approach); the pursuer's softening, a session of deep, warm mutual "
            "sharing, comes at its end."
        ),
        ref=EFT,
    )
    injury_repair: Array = param(
        0.6,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much of an attachment injury the softening repairs",
        meaning=(
            "Share of the unrepaired ruptures left by adult events (attachment injuries) that "
            "the softening session of couples therapy repairs. About three in five couples with "
            "an attachment injury resolved it in a course of emotionally focused therapy."
        ),
        ref=(
            "Johnson, Makinen & Millikin 2001, Attachment injuries in couple relationships: a "
            "new perspective on impasses in couples therapy; Makinen & Johnson 2006, Resolving "
            "attachment injuries in couples using emotionally focused therapy: steps toward "
            "forgiveness and reconciliation"
        ),
        mechanisms=("rupture_memory",),
    )


CHANGE_SPECS = ChangeParams.SPECS


def change_params(**values: object) -> ChangeParams:
    """Validated intervention constants; unspecified ones take their defaults."""
    return build(ChangeParams, "change", values)


CHANGE = change_params()
"""The intervention constants' defaults (what a run uses unless a scenario or a caller sets
others)."""
