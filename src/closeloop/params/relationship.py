"""How a relationship runs day to day: the rates and weights first declared for the couple,
inherited by ``CoupleParams`` (which adds the terms of the day's equations promoted later)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from closeloop.params._spec import Array, LogNormal, ParamsBase, param
from closeloop.params.refs import CASCADE, GOTTMAN_BIDS, RUSBULT, RUSBULT_1983

HAZARD_FLOOR = -math.log(0.8) / 3650.0
"""Daily hazard of a 20% ending share in ten years (Bramlett & Mosher 2001's most stable
subgroup): the floor of ``hazard_base``'s prior."""


@dataclass(frozen=True, eq=False)
class Relationship(ParamsBase):
    """How a relationship runs day to day (scalars per couple)."""

    bid_rate: Array = param(
        0.6,
        low=0.0,
        high=1.0,
        unit="prob/day",
        label="how often partners reach for each other",
        meaning="Base daily probability of a bid for connection from each partner.",
        ref=GOTTMAN_BIDS,
        claims=("D1", "D3"),
    )
    bid_reach: Array = param(
        1.5,
        low=0.0,
        high=4.0,
        unit="depth levels",
        label="how far bids reach past what is already shared",
        meaning=(
            "Bids reach up to this many levels (plus the bidder's pursuit) beyond the larger of "
            "the "
            "couple's mutual knowing and the depth partners expect by then, and no deeper than the "
            "bidder's comfort depth; the depth is triangular from small talk up to that ceiling."
        ),
        ref=(
            "Altman & Taylor 1973, Social penetration: the development of interpersonal "
            "relationships"
        ),
        claims=("D6",),
    )
    deepen_days: Array = param(
        365.0,
        low=1.0,
        high=3650.0,
        unit="days",
        label="how soon partners expect to be fully known",
        meaning=(
            "Days over which the depth partners reach for rises from small talk to being fully "
            "known "
            "(bids never reach less deep than what is already shared)."
        ),
        ref=(
            "Altman & Taylor 1973, Social penetration: the development of interpersonal "
            "relationships"
        ),
        claims=("D1", "D6"),
    )
    knowing_rate: Array = param(
        0.03,
        low=0.0,
        high=1.0,
        unit="1/share",
        label="how fast sharing makes one known",
        meaning=(
            "Step toward depth+1 of how deeply a person is known, on each day they share at a "
            "depth "
            "or their own bid at a depth is met (the depth they shared at counts when both)."
        ),
        ref="Reis & Shaver 1988, Intimacy as an interpersonal process",
        claims=("D3",),
    )
    knowing_decay: Array = param(
        0.002,
        low=0.0,
        high=0.1,
        unit="1/day",
        label="how fast knowing fades without sharing",
        meaning=(
            "Daily fractional fading of how deeply a person is known (every day: sharing makes up "
            "for"
            " it)."
        ),
        ref="Gottman & Silver 1999, The seven principles for making marriage work (love maps)",
        claims=("D3",),
    )
    felt_rate: Array = param(
        0.05,
        low=0.0,
        high=1.0,
        unit="1/bid",
        label="how fast felt distance follows unmet bids",
        meaning="Rate of the moving average of the share of one's bids that go unmet.",
        ref=GOTTMAN_BIDS,
        claims=("D1",),
        mechanisms=("pursuit",),
    )
    pursuit_rate: Array = param(
        0.05,
        low=0.0,
        high=1.0,
        unit="1/day",
        label="how fast pursuit builds and eases",
        meaning=(
            "Daily step of pursuit toward its target: anxiety x felt distance x (0.5 + "
            "attribution), "
            "at most 1, and 0 once one has given up."
        ),
        ref="Christensen & Heavey 1990, Gender and social structure in the demand/withdraw pattern",
        claims=("D1",),
        mechanisms=("pursuit",),
    )
    criticism: Array = param(
        0.2,
        low=0.0,
        high=1.0,
        unit="prob",
        label="how often frustrated pursuit turns critical",
        meaning="Probability scale of a hurtful reply from a pursuing, dissatisfied partner.",
        ref="Christensen & Heavey 1990, demand/withdraw",
        claims=("D1",),
        mechanisms=("pursuit",),
    )
    talk_rate: Array = param(
        0.03,
        low=0.0,
        high=1.0,
        unit="prob/day",
        label="how often distance leads to a 'where is this going' talk",
        meaning=(
            "Daily probability, at full pursuit and felt distance, of a high-pressure talk about "
            "the "
            "relationship."
        ),
        ref="Christensen & Heavey 1990, demand/withdraw",
        claims=("D6",),
        mechanisms=("pursuit",),
    )
    talk_after: Array = param(
        60.0,
        low=0.0,
        high=3650.0,
        unit="days",
        label="how long before such a talk can happen",
        meaning="Days together before a talk about where the relationship is going can be raised.",
        ref="Christensen & Heavey 1990, demand/withdraw",
        mechanisms=("pursuit",),
    )
    conflict_base: Array = param(
        0.005,
        low=0.0,
        high=1.0,
        unit="prob/day",
        label="background rate of conflict",
        meaning="Daily probability of a conflict when needs are met.",
        ref=(
            "Gottman 1994, What predicts divorce? The relationship between marital processes and "
            "marital outcomes"
        ),
        claims=("D5",),
    )
    conflict_gain: Array = param(
        0.03,
        low=0.0,
        high=1.0,
        unit="prob/day",
        label="how much unmet needs add to conflict",
        meaning=(
            "Added daily conflict probability at full felt distance, times engagement (1 - the "
            "larger"
            " own distance)."
        ),
        ref=(
            "Gottman 1994, What predicts divorce? The relationship between marital processes and "
            "marital outcomes"
        ),
        claims=("D5",),
    )
    repair_base: Array = param(
        0.6,
        low=0.0,
        high=1.0,
        unit="prob",
        label="repair success when vulnerability is not needed",
        meaning=(
            "Probability a conflict is repaired when the repair_vulnerability mechanism is off."
        ),
        ref="Gottman 1999, The marriage clinic (repair attempts)",
        claims=("D5",),
        mechanisms=("repair_vulnerability",),
    )
    rupture_decay: Array = param(
        0.002,
        low=0.0,
        high=1.0,
        unit="1/day",
        label="how slowly unrepaired hurts fade",
        meaning="Daily fractional fading of unrepaired ruptures.",
        ref="Gottman 1999, The marriage clinic (repair attempts)",
        claims=("D5",),
        mechanisms=("rupture_memory",),
    )
    rupture_weight: Array = param(
        0.3,
        low=0.0,
        high=2.0,
        unit="satisfaction",
        label="how much unrepaired hurts weigh",
        meaning="Loss of felt relationship quality at five or more unrepaired ruptures.",
        ref="Gottman 1999, The marriage clinic",
        claims=("D5",),
        mechanisms=("rupture_memory",),
    )
    sat_rate: Array = param(
        0.02,
        low=0.0,
        high=1.0,
        unit="1/day",
        label="how fast satisfaction follows daily experience",
        meaning="Daily step of satisfaction toward the felt quality of the relationship.",
        ref="Karney & Bradbury 1995, The longitudinal course of marital quality and stability",
        claims=("D2", "D4"),
    )
    base_quality: Array = param(
        0.35,
        low=0.0,
        high=1.0,
        unit="1",
        label="what the relationship brings besides closeness",
        meaning=(
            "Felt quality of the relationship apart from responsiveness, intimacy, how distance is "
            "read and unrepaired hurt (companionship, shared life)."
        ),
        ref="Karney & Bradbury 1995, The longitudinal course of marital quality and stability",
        claims=("D4",),
    )
    stability_rate: Array = param(
        0.05,
        low=0.0,
        high=1.0,
        unit="1/day",
        label="how fast the felt sense of stability follows daily calm",
        meaning=(
            "Daily step of felt stability toward the day's calm (one minus arousal, less for "
            "conflict)."
        ),
        ref="Fraley & Shaver 2000, Adult romantic attachment",
        claims=("D4",),
    )
    distance_rate: Array = param(
        0.01,
        low=0.0,
        high=1.0,
        unit="1/day",
        label="how fast one builds distance after giving up",
        meaning=(
            "Daily step of a partner's own protective distance toward 1 after giving up (toward 0 "
            "otherwise)."
        ),
        ref=CASCADE,
        claims=("D3",),
        mechanisms=("giving_up",),
    )
    support_rate: Array = param(
        0.005,
        low=0.0,
        high=1.0,
        unit="1/day",
        label="how fast one finds support elsewhere",
        meaning="Daily step of outside support toward 1 after giving up (toward 0 otherwise).",
        ref=CASCADE,
        claims=("D3",),
        mechanisms=("giving_up",),
    )
    investment_rate: Array = param(
        0.002,
        low=0.0,
        high=1.0,
        unit="1/day",
        label="how fast a shared life accumulates",
        meaning="Daily step of investment (time, shared life, ties) toward 1.",
        ref=RUSBULT,
        claims=("D3",),
        mechanisms=("commitment",),
    )
    alternatives: Array = param(
        0.3,
        low=0.0,
        high=1.0,
        unit="1",
        label="how good the alternatives look",
        meaning=(
            "Quality of alternatives before outside support is added (support adds half of itself)."
        ),
        ref=RUSBULT,
        claims=("D3",),
        mechanisms=("commitment",),
    )
    hazard_base: Array = param(
        0.0005,
        low=0.0,
        high=0.1,
        unit="prob/day",
        label="daily chance of ending at zero commitment",
        meaning="Daily probability of ending when the less committed partner's commitment is 0.",
        ref=RUSBULT_1983,
        claims=("D4",),
        mechanisms=("commitment",),
        # Commitment above 0 (the usual married couple's) only lowers the hazard, so the hazard
        # at 0 is at least a population's average: the lowest published 10-year share sets the
        # floor; above it the prior is broad in log (sigma 3 over the 7.4 log units of range).
        prior=LogNormal(
            math.log(math.sqrt(HAZARD_FLOOR * 0.1)),
            3.0,
            HAZARD_FLOOR,
            0.1,
            source=(
                "Bramlett & Mosher 2001, First marriage dissolution, divorce, and remarriage: "
                "United States: one third of first marriages end within 10 years, 20% in the "
                "most stable subgroup, i.e. an average daily hazard of at least "
                "-ln(0.8)/3650 = 6.1e-5"
            ),
        ),
    )
    hazard_slope: Array = param(
        6.0,
        low=0.0,
        high=30.0,
        unit="1/commitment",
        label="how strongly commitment holds a couple together",
        meaning="Ending hazard falls as exp(-hazard_slope x commitment).",
        ref=RUSBULT_1983,
        claims=("D4",),
        mechanisms=("commitment",),
    )
