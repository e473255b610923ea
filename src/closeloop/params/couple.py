"""A relationship's parameters: the rates and weights of ``relationship.py``, then the terms of
the couple day's equations promoted from literals of ``closeloop.model.couple`` (same values)."""

from __future__ import annotations

from dataclasses import dataclass

from closeloop.params._spec import Array, build, param, params_class
from closeloop.params.refs import ASSUMPTION, CASCADE, DOWNEY, GOTTMAN_BIDS, RUSBULT
from closeloop.params.relationship import Relationship

KARNEY = "Karney & Bradbury 1995, The longitudinal course of marital quality and stability"
GOTTMAN_1999 = "Gottman 1999, The marriage clinic"
SPILLOVER = (
    "Randall & Bodenmann 2009, The role of stress on close relationships and marital "
    "satisfaction; Neff & Karney 2009, Stress and reactivity to daily relationship experiences: "
    "how stress hinders adaptive processes in marriage"
)


@params_class("couple", "relationship")
@dataclass(frozen=True, eq=False)
class CoupleParams(Relationship):
    """How a relationship runs day to day (scalars per couple)."""

    expect_start: Array = param(
        0.7,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much partners expect to be met at the start",
        meaning=(
            "Each partner's expectation that bids are met on the first day (new love: hopeful)."
        ),
        ref=ASSUMPTION,
        claims=("D3",),
    )
    sat_start: Array = param(
        0.7,
        low=0.0,
        high=1.0,
        unit="1",
        label="how satisfied partners are at the start",
        meaning="Each partner's satisfaction on the first day.",
        ref=ASSUMPTION,
        claims=("D2", "D4"),
    )
    stability_start: Array = param(
        0.7,
        low=0.0,
        high=1.0,
        unit="1",
        label="how stable the relationship feels at the start",
        meaning="Each partner's felt stability on the first day.",
        ref=ASSUMPTION,
        claims=("D4",),
    )
    give_up_margin: Array = param(
        0.15,
        low=0.0,
        high=0.5,
        unit="prob",
        label="how clearly hope must return before one reaches again",
        meaning=(
            "Hysteresis of giving up: one who has given up resumes only once the expectation of "
            "being met exceeds give_up + give_up_margin."
        ),
        ref=ASSUMPTION,
        claims=("D3",),
        mechanisms=("giving_up",),
    )
    bid_need_floor: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="1",
        label="how often one bids without longing",
        meaning=(
            "Bid rate factor of longing L: bid_need_floor + (1 - bid_need_floor) L (from this "
            "share of bid_rate with no unmet need up to all of it)."
        ),
        ref=ASSUMPTION,
        claims=("D1",),
        mechanisms=("unmet_need",),
    )
    bid_hope_floor: Array = param(
        0.25,
        low=0.0,
        high=1.0,
        unit="1",
        label="how often one bids with no hope of a response",
        meaning=(
            "Bid rate factor of the expectation of being met: bid_hope_floor + (1 - "
            "bid_hope_floor) expect."
        ),
        ref=GOTTMAN_BIDS,
        claims=("D3",),
    )
    warmth_base: Array = param(
        0.9,
        low=0.0,
        high=1.0,
        unit="prob",
        label="how warmly a content, close partner meets sharing",
        meaning=(
            "Probability of a warm reply to sharing from a partner with no distance and full "
            "satisfaction, before warmth_distance and warmth_sat take their share."
        ),
        ref="Reis & Shaver 1988, Intimacy as an interpersonal process",
        claims=("D1", "D3"),
    )
    warmth_distance: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="prob",
        label="how much built distance cools replies",
        meaning="Warmth lost per unit of the responder's own protective distance.",
        ref=CASCADE,
        claims=("D3",),
        mechanisms=("giving_up",),
    )
    warmth_sat: Array = param(
        0.3,
        low=0.0,
        high=1.0,
        unit="prob",
        label="how much dissatisfaction cools replies",
        meaning="Warmth lost per unit of the responder's dissatisfaction (1 - sat).",
        ref=KARNEY,
        claims=("D2",),
    )
    warmth_min: Array = param(
        0.05,
        low=0.0,
        high=0.5,
        unit="prob",
        label="the least warmth a partner shows",
        meaning=(
            "Lower clip of a partner's warmth: even a distant, unhappy partner is sometimes warm."
        ),
        ref=ASSUMPTION,
    )
    warmth_max: Array = param(
        0.95,
        low=0.5,
        high=1.0,
        unit="prob",
        label="the most warmth a partner shows",
        meaning="Upper clip of a partner's warmth: no partner is warm every time.",
        ref=ASSUMPTION,
    )
    hurt_base: Array = param(
        0.02,
        low=0.0,
        high=0.5,
        unit="prob",
        label="how often sharing meets hurt without pursuit",
        meaning=(
            "Probability of a hurtful reply to sharing before frustrated pursuit adds criticism "
            "(criticism x pursuit x (1 - sat))."
        ),
        ref="Reis & Shaver 1988, Intimacy as an interpersonal process",
        claims=("D1",),
    )
    conflict_depth: Array = param(
        3.0,
        low=0.0,
        high=4.0,
        unit="depth level",
        label="how deep repairing a conflict goes",
        meaning=(
            "Depth of closeness the repair of a conflict asks of each partner (3: fears and "
            "needs); used as a whole level."
        ),
        ref=GOTTMAN_1999 + " (repair attempts)",
        claims=("D5",),
        mechanisms=("repair_vulnerability",),
        step=1.0,
    )
    conflict_pressure: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="1",
        label="how pressing a conflict feels",
        meaning=(
            "Felt pressure in a conflict: conflict_pressure + (1 - conflict_pressure) x the "
            "other's pursuit."
        ),
        ref="Christensen & Heavey 1990, Gender and social structure in the demand/withdraw pattern",
        claims=("D5",),
        mechanisms=("pressure",),
    )
    attribution_offset: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much felt distance drives pursuit when not taken personally",
        meaning=(
            "Pursuit target is anxiety x felt distance x (attribution_offset + attribution): from "
            "half (no attribution) to 1.5 times (full)."
        ),
        ref=DOWNEY,
        claims=("D2",),
        mechanisms=("pursuit", "attribution"),
    )
    unlinked_felt: Array = param(
        0.38,
        low=0.0,
        high=1.0,
        unit="1",
        label="felt distance pursuit is held at when decoupled (pursuit ablation)",
        meaning=(
            "With the pursuit mechanism switched off, pursuit no longer follows one's own unmet "
            "bids: its target uses this fixed felt distance instead, so that contact (bids a "
            "month) keeps its level. The default gives the anxious partner of avoidant-anxious "
            "couples the same mean pursuit (0.27) and bids a month (7.2) as with the mechanism "
            "on (300 couples, seed 11, ten years)."
        ),
        ref=ASSUMPTION,
        claims=("D1", "D6"),
        mechanisms=("pursuit",),
    )
    expect_weight: Array = param(
        0.3,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much being met counts in satisfaction",
        meaning=(
            "Weight of the expectation that bids are met in the felt quality of the relationship."
        ),
        ref=GOTTMAN_BIDS,
        claims=("D2", "D4"),
    )
    intimacy_weight: Array = param(
        0.35,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much being known counts in satisfaction",
        meaning="Weight of intimacy (mutual knowing / K) in the felt quality of the relationship.",
        ref="Reis & Shaver 1988, Intimacy as an interpersonal process",
        claims=("D4",),
    )
    attribution_weight: Array = param(
        0.3,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much distance read personally costs satisfaction",
        meaning="Loss of felt quality per unit of attribution x felt distance.",
        ref=DOWNEY,
        claims=("D2",),
        mechanisms=("attribution",),
    )
    rupture_cap: Array = param(
        5.0,
        low=1.0,
        high=20.0,
        unit="ruptures",
        label="how many unrepaired hurts weigh fully",
        meaning=(
            "Unrepaired ruptures at which their loss of felt quality reaches rupture_weight (it "
            "grows linearly up to there)."
        ),
        ref=GOTTMAN_1999,
        claims=("D5",),
        mechanisms=("rupture_memory",),
        step=1.0,
    )
    conflict_calm: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much a conflict shakes felt stability",
        meaning="Calm lost on a day of conflict (the day's calm is 1 - arousal - this).",
        ref="Fraley & Shaver 2000, Adult romantic attachment",
        claims=("D4",),
    )
    support_pull: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much outside support improves the alternatives",
        meaning="Quality of alternatives added per unit of support found outside the relationship.",
        ref=RUSBULT,
        claims=("D3",),
        mechanisms=("commitment", "giving_up"),
    )
    life_days: Array = param(
        30.0,
        low=1.0,
        high=365.0,
        unit="days",
        label="how long a stretch of outside strain lasts",
        meaning=(
            "Time constant of the life around the couple (work, friends, health): each member's "
            "strain is an AR(1) process that forgets a stretch with this time constant (its "
            "day-to-day persistence is exp(-1 / life_days)). A month: stretches of weeks, as in "
            "the stress episodes of diary studies of couples."
        ),
        ref=ASSUMPTION,
    )
    life_bids: Array = param(
        0.2,
        low=0.0,
        high=1.0,
        unit="1 / sd",
        label="how much outside strain cuts reaching out",
        meaning=(
            "Fall of a member's bid rate per standard deviation of their outside strain (and rise "
            "in an easier stretch): under strain partners have less time and energy for each "
            "other. Moderate by default: one spread of strain moves bids by a fifth."
        ),
        ref=SPILLOVER,
    )
    life_sat: Array = param(
        0.05,
        low=0.0,
        high=0.5,
        unit="1 / sd",
        label="how much outside strain spills into satisfaction",
        meaning=(
            "Fall of the quality a member's satisfaction moves toward per standard deviation of "
            "their outside strain (stress spillover). Moderate by default: a bad month lowers "
            "it by about a twentieth of its range."
        ),
        ref=SPILLOVER,
    )
    perceive_rate: Array = param(
        0.05,
        low=0.0,
        high=1.0,
        unit="1/day",
        label="how fast one's picture of the partner's satisfaction follows what one takes in",
        meaning=(
            "Daily step of the perceived satisfaction of the partner toward the partner's actual "
            "satisfaction, on a day of contact (the partner's bid, a talk or a conflict) that one "
            "attends to in full (mechanism partner_perception)."
        ),
        ref=(
            "Simpson et al. 2011, Attachment and the management of empathic accuracy in "
            "relationship-threatening situations"
        ),
        claims=("D4",),
        mechanisms=("partner_perception",),
    )
    withdrawn_attention: Array = param(
        0.2,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much of the partner's state one takes in while withdrawing",
        meaning=(
            "Weight of a day of contact that one met by withdrawing (not sharing), against 1 "
            "for one met by sharing, in the update of the perceived satisfaction of the "
            "partner: attending to the partner's distress is itself closeness, and avoidant "
            "people take in less attachment-related information (mechanism partner_perception)."
        ),
        ref=(
            "Fraley, Garner & Shaver 2000, Adult attachment and the defensive regulation of "
            "attention and memory; Simpson et al. 2011, Attachment and the management of "
            "empathic accuracy in relationship-threatening situations"
        ),
        claims=("D4",),
        mechanisms=("partner_perception",),
    )
    partner_weight: Array = param(
        0.2,
        low=0.0,
        high=1.0,
        unit="satisfaction",
        label="how much one's picture of the partner's happiness colours one's own",
        meaning=(
            "Weight in the felt quality of the relationship of the perceived satisfaction of "
            "the partner, relative to its starting value sat_start: one's satisfaction reads "
            "how content one believes the partner to be, not how content the partner is "
            "(mechanism partner_perception)."
        ),
        ref=(
            "Murray, Holmes & Griffin 1996, The benefits of positive illusions: idealization "
            "and the construction of satisfaction in close relationships"
        ),
        claims=("D4",),
        mechanisms=("partner_perception",),
    )


COUPLE_SPECS = CoupleParams.SPECS


def couple_params(**values: object) -> CoupleParams:
    """Validated relationship settings; unspecified ones take their defaults."""
    return build(CoupleParams, "relationship", values)
