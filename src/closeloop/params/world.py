"""The adult world a person meets: who offers closeness, how deep, how warmly."""

from __future__ import annotations

from dataclasses import dataclass

from closeloop.params._spec import Array, ParamsBase, build, param, params_class
from closeloop.params.refs import BOUTON


@params_class("world", "world")
@dataclass(frozen=True, eq=False)
class WorldParams(ParamsBase):
    """The adult world a person meets: who offers closeness, how deep, how warmly."""

    offer_rate: Array = param(
        1.0,
        low=0.0,
        high=1.0,
        unit="prob/day",
        label="how often closeness is offered",
        meaning="Daily probability that someone offers closeness.",
        ref="Reis & Shaver 1988, Intimacy as an interpersonal process",
        claims=("P1",),
    )
    depth_lo: Array = param(
        0.0,
        low=0.0,
        high=4.0,
        unit="depth level",
        label="shallowest depth offered",
        meaning=(
            "Offered depth is uniform between depth_lo and a ceiling that rises from depth_lo to "
            "depth_hi."
        ),
        ref=(
            "Altman & Taylor 1973, Social penetration: the development of interpersonal "
            "relationships"
        ),
        claims=("P1",),
    )
    depth_hi: Array = param(
        4.0,
        low=0.0,
        high=4.0,
        unit="depth level",
        label="deepest depth offered once the ramp is done",
        meaning="Ceiling of the offered depth after ramp_days.",
        ref=(
            "Altman & Taylor 1973, Social penetration: the development of interpersonal "
            "relationships"
        ),
        claims=("P1",),
    )
    ramp_days: Array = param(
        0.0,
        low=0.0,
        high=3650.0,
        unit="days",
        label="how long closeness takes to deepen",
        meaning=(
            "Days over which the ceiling of offered depth rises from depth_lo to depth_hi (0: at "
            "depth_hi from the start)."
        ),
        ref=(
            "Altman & Taylor 1973, Social penetration: the development of interpersonal "
            "relationships"
        ),
        claims=("P1",),
    )
    pressure: Array = param(
        0.0,
        low=0.0,
        high=1.0,
        unit="1",
        label="how pressing the offers feel",
        meaning="Felt pressure accompanying each offer.",
        ref="Christensen & Heavey 1990, Gender and social structure in the demand/withdraw pattern",
        mechanisms=("pressure",),
    )
    warmth: Array = param(
        0.85,
        low=0.0,
        high=1.0,
        unit="prob",
        label="how often sharing is met warmly",
        meaning="Probability that sharing meets a warm, responsive reply.",
        ref="Reis & Shaver 1988, Intimacy as an interpersonal process",
        claims=("P5",),
    )
    hurt_rate: Array = param(
        0.03,
        low=0.0,
        high=1.0,
        unit="prob",
        label="how often sharing is met with hurt",
        meaning="Probability that sharing meets criticism, rejection or ridicule.",
        ref="Reis & Shaver 1988, Intimacy as an interpersonal process",
        claims=("P5",),
        mechanisms=("threat_learning",),
    )
    friend_share: Array = param(
        0.0,
        low=0.0,
        high=1.0,
        unit="prob",
        label="share of offers that come from friends",
        meaning="Probability that a day's offer comes from a friend rather than the partner.",
        ref=BOUTON,
        claims=("P4",),
        mechanisms=("context_binding",),
    )
    forced: Array = param(
        0.0,
        low=0.0,
        high=1.0,
        unit="prob",
        label="how often the person is made to stay and share",
        meaning=(
            "Probability that the person approaches whatever the routes say (exposure with "
            "response "
            "prevention)."
        ),
        ref="Craske et al. 2014, Maximizing exposure therapy: an inhibitory learning approach",
        claims=("P5",),
        mechanisms=("extinction_protection",),
    )
    observe_boost: Array = param(
        0.0,
        low=0.0,
        high=1.0,
        unit="prob",
        label="observation practice",
        meaning=(
            "Added capacity to notice one's reaction from practice (mindful noticing, affect "
            "labelling)."
        ),
        ref="Lieberman et al. 2007, Putting feelings into words",
        claims=("P2",),
        mechanisms=("observation",),
    )


WORLD_SPECS = WorldParams.SPECS


def world_params(**values: object) -> WorldParams:
    """Validated world settings; unspecified ones take their defaults."""
    return build(WorldParams, "world", values)
