"""The one parameter specification.

Each parameter is declared once, here, with its bounds, default, unit, a plain-language label,
the reference it comes from and the claims it serves. Validation messages, the tables in
docs/model.md (``closeloop.docs``), and later the explorer's sliders, sensitivity bounds and
fitting priors are all generated from these declarations.

Parameters travel through the engine as a pytree of float32 arrays (one value per unit), so new
values never trigger recompilation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeAlias

import numpy as np

from closeloop.errors import bad_value

Array: TypeAlias = Any
"""A numpy or JAX array (float32; a scalar or one value per unit)."""


@dataclass(frozen=True)
class ParamSpec:
    """Declaration of one parameter.

    Attributes:
        name: identifier used in code, scenario files and the CLI.
        default: value used when nothing else is given.
        low, high: closed interval of allowed values.
        unit: unit of measurement ("prob/day", "depth levels", "1" for a dimensionless weight).
        label: plain-language one-liner for the explorer and reports.
        meaning: what the parameter does in the equations (one sentence, for docs/model.md).
        reference: author, year and title of the mechanism it comes from.
        claims: ids of the claims it serves.
        group: "person" (a trait) or "world" (the environment a person meets).
    """

    name: str
    default: float
    low: float
    high: float
    unit: str
    label: str
    meaning: str
    reference: str
    claims: tuple[str, ...]
    group: str

    def check(self, value: object, owner: str, field: str | None = None) -> float:
        """Return ``value`` as a float, or raise the standard one-line error.

        ``field`` names the value in the error (default: the parameter's name).
        """
        name = field or self.name
        allowed = f"a number in [{self.low:g}, {self.high:g}] ({self.label})"
        if isinstance(value, bool | np.bool_ | str | bytes):
            raise bad_value(name, value, allowed, owner)
        try:
            x = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise bad_value(name, value, allowed, owner) from None
        # Compared in float32, the precision values travel in: float32(0.01) < 0.01 in float64.
        x32 = np.float32(x)
        if not math.isfinite(x) or not (np.float32(self.low) <= x32 <= np.float32(self.high)):
            raise bad_value(name, value, allowed, owner)
        return x


RW = "Rescorla & Wagner 1972, A theory of Pavlovian conditioning"
BOUTON = "Bouton 2004, Context and behavioral processes in extinction"
MAIA = "Maia 2010, Two-factor theory, the actor-critic model, and conditioned avoidance"
MOWRER = "Mowrer 1947, On the dual nature of learning"
DAW = (
    "Daw, Niv & Dayan 2005, Uncertainty-based competition between prefrontal and "
    "dorsolateral striatal systems for behavioral control"
)

PERSON_SPECS: tuple[ParamSpec, ...] = (
    ParamSpec(
        "alpha_acq",
        0.15,
        0.01,
        1.0,
        "1/outcome",
        "how fast hurt teaches threat",
        "Learning rate of the excitatory threat association when an outcome is worse than "
        "predicted.",
        RW,
        ("P1", "P3", "P5"),
        "person",
    ),
    ParamSpec(
        "alpha_ext",
        0.05,
        0.001,
        1.0,
        "1/outcome",
        "how fast safety teaches calm",
        "Learning rate of the context-bound inhibitory (extinction) association when an "
        "outcome is safer than predicted; by default a third of alpha_acq.",
        BOUTON,
        ("P5",),
        "person",
    ),
    ParamSpec(
        "gen_width",
        0.5,
        0.05,
        4.0,
        "depth levels",
        "how far a lesson spreads to other depths",
        "Width of the exponential generalisation gradient over depths of closeness.",
        "Dunsmoor & Murphy 2015, Categories, concepts, and conditioning: how humans "
        "generalize fear",
        ("P3",),
        "person",
    ),
    ParamSpec(
        "ext_width",
        0.2,
        0.05,
        4.0,
        "depth levels",
        "how far a lesson of safety spreads to other depths",
        "Width of the generalisation gradient of extinction; narrower "
        "than that of acquisition, since safety learning generalises less than fear.",
        "Vervliet, Vansteenwegen & Eelen 2006, Generalization of extinguished skin "
        "conductance responding in human fear conditioning",
        ("P5",),
        "person",
    ),
    ParamSpec(
        "ext_transfer",
        0.25,
        0.0,
        1.0,
        "1",
        "how much calm learned in one place carries to others",
        "Share of extinction (inhibition) learned in one context that is also "
        "applied to the other contexts.",
        BOUTON,
        ("P4",),
        "person",
    ),
    ParamSpec(
        "alpha_reward",
        0.10,
        0.005,
        1.0,
        "1/outcome",
        "how fast good experiences teach that sharing is worth it",
        "Learning rate of the expected reward of sharing at each depth.",
        "Sutton & Barto 1998, Reinforcement learning: an introduction",
        ("P3",),
        "person",
    ),
    ParamSpec(
        "alpha_seek",
        0.05,
        0.0,
        1.0,
        "1/outcome",
        "how fast one learns whether reaching out works",
        "Learning rate of the expectation that intensified seeking of "
        "closeness brings a response (decides hyper- vs deactivation).",
        "Mikulincer & Shaver 2003, The attachment behavioral system in adulthood",
        (),
        "person",
    ),
    ParamSpec(
        "threshold",
        0.40,
        0.01,
        1.0,
        "activation",
        "how much alarm closes the door",
        "Activation at which the automatic route fires half of the time.",
        "LeDoux 1996, The emotional brain",
        ("P1", "P2"),
        "person",
    ),
    ParamSpec(
        "auto_softness",
        0.06,
        0.005,
        0.5,
        "activation",
        "how sharp the automatic reaction is",
        "Logistic scale of the automatic route around its threshold.",
        "LeDoux 1996, The emotional brain",
        ("P2",),
        "person",
    ),
    ParamSpec(
        "pressure_gain",
        1.0,
        0.0,
        4.0,
        "1",
        "how much pressure amplifies alarm",
        "Multiplicative gain of felt pressure on activation.",
        "Christensen & Heavey 1990, Gender and social structure in the demand/withdraw "
        "pattern of marital conflict",
        (),
        "person",
    ),
    ParamSpec(
        "habit_rate",
        0.02,
        0.0,
        1.0,
        "1/withdrawal",
        "how fast relief builds the habit of pulling back",
        "Learning rate of the avoidance habit from the relief "
        "(activation escaped) of each withdrawal.",
        MAIA,
        (),
        "person",
    ),
    ParamSpec(
        "habit_decay",
        0.05,
        0.0,
        1.0,
        "1/approach",
        "how fast the habit fades when one stays",
        "Fractional loss of habit at a depth each time the person approaches there.",
        MOWRER,
        (),
        "person",
    ),
    ParamSpec(
        "habit_weight",
        0.25,
        0.0,
        1.0,
        "activation",
        "how much habit adds to the automatic pull",
        "Weight of the avoidance habit in the automatic route's drive.",
        "Moutoussis et al. 2008, A temporal difference account of avoidance learning",
        (),
        "person",
    ),
    ParamSpec(
        "observe",
        0.05,
        0.0,
        1.0,
        "prob",
        "capacity to notice one's own reaction",
        "Probability that an automatic reaction is noticed and handed to the deliberate route.",
        "Lieberman et al. 2007, Putting feelings into words: affect labeling "
        "disrupts amygdala activity",
        ("P2",),
        "person",
    ),
    ParamSpec(
        "beta",
        8.0,
        0.1,
        30.0,
        "1/value",
        "how decisively one weighs it up",
        "Inverse temperature of the deliberate route's logistic choice.",
        DAW,
        (),
        "person",
    ),
    ParamSpec(
        "threat_cost",
        1.0,
        0.0,
        4.0,
        "value/activation",
        "how much felt threat counts against closeness when deciding",
        "Weight of activation in the deliberate value of approaching.",
        DAW,
        ("P6",),
        "person",
    ),
    ParamSpec(
        "drive",
        0.7,
        0.0,
        1.0,
        "1",
        "how much one wants connection",
        "Strength of the need for connection; sets how fast unmet need (longing) builds. "
        "Threat does not lower it.",
        "Baumeister & Leary 1995, The need to belong",
        ("P1",),
        "person",
    ),
    ParamSpec(
        "openness",
        0.6,
        0.0,
        1.0,
        "1",
        "how much one likes to share, when safe",
        "Preference for self-disclosure independent of threat; low for private people.",
        "Altman & Taylor 1973, Social penetration: the development of interpersonal relationships",
        ("P6",),
        "person",
    ),
    ParamSpec(
        "longing_rate",
        0.05,
        0.0,
        1.0,
        "1/step",
        "how fast unmet need builds",
        "Daily growth of longing toward 1, scaled by drive.",
        "Baumeister & Leary 1995, The need to belong",
        ("P1",),
        "person",
    ),
    ParamSpec(
        "satisfy",
        0.5,
        0.0,
        1.0,
        "1/contact",
        "how much a warm moment meets the need",
        "Fraction of longing relieved by a warm response to sharing (times depth share).",
        "Baumeister & Leary 1995, The need to belong",
        ("P1",),
        "person",
    ),
    ParamSpec(
        "arousal_noise",
        0.08,
        0.0,
        1.0,
        "activation",
        "day-to-day noise in felt arousal",
        "Scale of logistic noise added to observed arousal.",
        "Lang, Bradley & Cuthbert 1998, Emotion, motivation, and anxiety",
        ("P6",),
        "person",
    ),
    ParamSpec(
        "anxiety",
        0.3,
        0.0,
        1.0,
        "1",
        "how strongly unmet closeness turns into pursuit",
        "Gain from felt distance (unmet bids) to pursuit: attachment anxiety.",
        "Brennan, Clark & Shaver 1998, Self-report measurement of adult attachment",
        ("D1", "D2"),
        "person",
    ),
    ParamSpec(
        "attribution",
        0.3,
        0.0,
        1.0,
        "1",
        "how personally distance is read",
        "How much a partner's distance is taken as a verdict on oneself: amplifies pursuit "
        "and the loss of satisfaction from unmet bids.",
        "Bradbury & Fincham 1990, Attributions in marriage: review and critique",
        ("D2",),
        "person",
    ),
    ParamSpec(
        "give_up",
        0.3,
        0.0,
        1.0,
        "prob",
        "how low hope of a response may fall before one stops reaching",
        "Expectation of responsiveness below which a partner gives "
        "up: bids less, builds their own distance and finds support elsewhere.",
        "Gottman 1993, A theory of marital dissolution and stability",
        ("D3",),
        "person",
    ),
    ParamSpec(
        "alpha_expect",
        0.004,
        0.001,
        1.0,
        "1/bid",
        "how fast hope of a response follows experience",
        "Learning rate of the expectation that one's bids will be met.",
        "Driver & Gottman 2004, Daily marital interactions and positive affect during marital "
        "conflict among newlywed couples",
        ("D3",),
        "person",
    ),
    ParamSpec(
        "tolerance",
        1.0,
        0.1,
        2.0,
        "activation",
        "how much arousal can be stayed with before it overwhelms",
        "Window of tolerance: arousal endured while sharing above this level is itself aversive "
        "and teaches threat (mechanism overwhelm).",
        "Siegel 1999, The developing mind; Groves & Thompson 1970, Habituation: a dual-process "
        "theory",
        ("H7", "H3"),
        "person",
    ),
    ParamSpec(
        "recovery",
        0.0003,
        0.0,
        0.1,
        "1/step",
        "how fast learned safety fades when it is not renewed",
        "Fraction per step (a day in adulthood, a week in the history) by which inhibitory "
        "(extinction) learning fades with the time since it was learned (mechanism "
        "spontaneous_recovery).",
        "Rescorla 2004, Spontaneous recovery; Bouton 2004, Context and behavioral processes in "
        "extinction",
        ("H4",),
        "person",
    ),
)

WORLD_SPECS: tuple[ParamSpec, ...] = (
    ParamSpec(
        "offer_rate",
        1.0,
        0.0,
        1.0,
        "prob/day",
        "how often closeness is offered",
        "Daily probability that someone offers closeness.",
        "Reis & Shaver 1988, Intimacy as an interpersonal process",
        ("P1",),
        "world",
    ),
    ParamSpec(
        "depth_lo",
        0.0,
        0.0,
        4.0,
        "depth level",
        "shallowest depth offered",
        "Offered depth is uniform between depth_lo and a ceiling that rises from depth_lo "
        "to depth_hi.",
        "Altman & Taylor 1973, Social penetration: the development of interpersonal relationships",
        ("P1",),
        "world",
    ),
    ParamSpec(
        "depth_hi",
        4.0,
        0.0,
        4.0,
        "depth level",
        "deepest depth offered once the ramp is done",
        "Ceiling of the offered depth after ramp_days.",
        "Altman & Taylor 1973, Social penetration: the development of interpersonal relationships",
        ("P1",),
        "world",
    ),
    ParamSpec(
        "ramp_days",
        0.0,
        0.0,
        3650.0,
        "days",
        "how long closeness takes to deepen",
        "Days over which the ceiling of offered depth rises from depth_lo to depth_hi "
        "(0: at depth_hi from the start).",
        "Altman & Taylor 1973, Social penetration: the development of interpersonal relationships",
        ("P1",),
        "world",
    ),
    ParamSpec(
        "pressure",
        0.0,
        0.0,
        1.0,
        "1",
        "how pressing the offers feel",
        "Felt pressure accompanying each offer.",
        "Christensen & Heavey 1990, Gender and social structure in the demand/withdraw pattern",
        (),
        "world",
    ),
    ParamSpec(
        "warmth",
        0.85,
        0.0,
        1.0,
        "prob",
        "how often sharing is met warmly",
        "Probability that sharing meets a warm, responsive reply.",
        "Reis & Shaver 1988, Intimacy as an interpersonal process",
        ("P5",),
        "world",
    ),
    ParamSpec(
        "hurt_rate",
        0.03,
        0.0,
        1.0,
        "prob",
        "how often sharing is met with hurt",
        "Probability that sharing meets criticism, rejection or ridicule.",
        "Reis & Shaver 1988, Intimacy as an interpersonal process",
        ("P5",),
        "world",
    ),
    ParamSpec(
        "friend_share",
        0.0,
        0.0,
        1.0,
        "prob",
        "share of offers that come from friends",
        "Probability that a day's offer comes from a friend rather than the partner.",
        "Bouton 2004, Context and behavioral processes in extinction",
        ("P4",),
        "world",
    ),
    ParamSpec(
        "forced",
        0.0,
        0.0,
        1.0,
        "prob",
        "how often the person is made to stay and share",
        "Probability that the person approaches whatever the routes say (exposure with "
        "response prevention).",
        "Craske et al. 2014, Maximizing exposure therapy: an inhibitory learning approach",
        ("P5",),
        "world",
    ),
    ParamSpec(
        "observe_boost",
        0.0,
        0.0,
        1.0,
        "prob",
        "observation practice",
        "Added capacity to notice one's reaction from practice (mindful noticing, affect "
        "labelling).",
        "Lieberman et al. 2007, Putting feelings into words",
        ("P2",),
        "world",
    ),
)


def _c(
    name: str,
    default: float,
    low: float,
    high: float,
    unit: str,
    label: str,
    meaning: str,
    reference: str,
    claims: tuple[str, ...],
) -> ParamSpec:
    return ParamSpec(name, default, low, high, unit, label, meaning, reference, claims, "couple")


GOTTMAN_BIDS = (
    "Driver & Gottman 2004, Daily marital interactions and positive affect during marital "
    "conflict among newlywed couples"
)
RUSBULT = (
    "Rusbult 1980, Commitment and satisfaction in romantic associations: a test of the "
    "investment model"
)
CASCADE = (
    "Gottman 1993, A theory of marital dissolution and stability (the distance and isolation "
    "cascade)"
)
RUSBULT_1983 = (
    "Rusbult 1983, A longitudinal test of the investment model: the development (and "
    "deterioration) of satisfaction and commitment in heterosexual involvements"
)

COUPLE_SPECS: tuple[ParamSpec, ...] = (
    _c(
        "bid_rate",
        0.6,
        0.0,
        1.0,
        "prob/day",
        "how often partners reach for each other",
        "Base daily probability of a bid for connection from each partner.",
        GOTTMAN_BIDS,
        ("D1", "D3"),
    ),
    _c(
        "bid_reach",
        1.5,
        0.0,
        4.0,
        "depth levels",
        "how far bids reach past what is already shared",
        "Bids reach up to this many levels (plus the bidder's pursuit) beyond the larger of the "
        "couple's mutual knowing and the depth partners expect by then, and no deeper than the "
        "bidder's comfort depth; the depth is triangular from small talk up to that ceiling.",
        "Altman & Taylor 1973, Social penetration: the development of interpersonal relationships",
        ("D6",),
    ),
    _c(
        "deepen_days",
        365.0,
        1.0,
        3650.0,
        "days",
        "how soon partners expect to be fully known",
        "Days over which the depth partners reach for rises from small talk to being fully known "
        "(bids never reach less deep than what is already shared).",
        "Altman & Taylor 1973, Social penetration: the development of interpersonal relationships",
        ("D1", "D6"),
    ),
    _c(
        "knowing_rate",
        0.03,
        0.0,
        1.0,
        "1/share",
        "how fast sharing makes one known",
        "Step toward depth+1 of how deeply a person is known, on each day they share at a depth "
        "or their own bid at a depth is met (the depth they shared at counts when both).",
        "Reis & Shaver 1988, Intimacy as an interpersonal process",
        ("D3",),
    ),
    _c(
        "knowing_decay",
        0.002,
        0.0,
        0.1,
        "1/day",
        "how fast knowing fades without sharing",
        "Daily fractional fading of how deeply a person is known (every day: sharing makes up "
        "for it).",
        "Gottman & Silver 1999, The seven principles for making marriage work (love maps)",
        ("D3",),
    ),
    _c(
        "felt_rate",
        0.05,
        0.0,
        1.0,
        "1/bid",
        "how fast felt distance follows unmet bids",
        "Rate of the moving average of the share of one's bids that go unmet.",
        GOTTMAN_BIDS,
        ("D1",),
    ),
    _c(
        "pursuit_rate",
        0.05,
        0.0,
        1.0,
        "1/day",
        "how fast pursuit builds and eases",
        "Daily step of pursuit toward its target: anxiety x felt distance x (0.5 + attribution), "
        "at most 1, and 0 once one has given up.",
        "Christensen & Heavey 1990, Gender and social structure in the demand/withdraw pattern",
        ("D1",),
    ),
    _c(
        "criticism",
        0.2,
        0.0,
        1.0,
        "prob",
        "how often frustrated pursuit turns critical",
        "Probability scale of a hurtful reply from a pursuing, dissatisfied partner.",
        "Christensen & Heavey 1990, demand/withdraw",
        ("D1",),
    ),
    _c(
        "talk_rate",
        0.03,
        0.0,
        1.0,
        "prob/day",
        "how often distance leads to a 'where is this going' talk",
        "Daily probability, at full pursuit and felt distance, of a high-pressure "
        "talk about the relationship.",
        "Christensen & Heavey 1990, demand/withdraw",
        ("D6",),
    ),
    _c(
        "talk_after",
        60.0,
        0.0,
        3650.0,
        "days",
        "how long before such a talk can happen",
        "Days together before a talk about where the relationship is going can be raised.",
        "Christensen & Heavey 1990, demand/withdraw",
        (),
    ),
    _c(
        "conflict_base",
        0.005,
        0.0,
        1.0,
        "prob/day",
        "background rate of conflict",
        "Daily probability of a conflict when needs are met.",
        "Gottman 1994, What predicts divorce? The relationship between marital processes and "
        "marital outcomes",
        ("D5",),
    ),
    _c(
        "conflict_gain",
        0.03,
        0.0,
        1.0,
        "prob/day",
        "how much unmet needs add to conflict",
        "Added daily conflict probability at full felt distance, times engagement (1 - the "
        "larger own distance).",
        "Gottman 1994, What predicts divorce? The relationship between marital processes and "
        "marital outcomes",
        ("D5",),
    ),
    _c(
        "repair_base",
        0.6,
        0.0,
        1.0,
        "prob",
        "repair success when vulnerability is not needed",
        "Probability a conflict is repaired when the repair_vulnerability mechanism is off.",
        "Gottman 1999, The marriage clinic (repair attempts)",
        ("D5",),
    ),
    _c(
        "rupture_decay",
        0.002,
        0.0,
        1.0,
        "1/day",
        "how slowly unrepaired hurts fade",
        "Daily fractional fading of unrepaired ruptures.",
        "Gottman 1999, The marriage clinic (repair attempts)",
        ("D5",),
    ),
    _c(
        "rupture_weight",
        0.3,
        0.0,
        2.0,
        "satisfaction",
        "how much unrepaired hurts weigh",
        "Loss of felt relationship quality at five or more unrepaired ruptures.",
        "Gottman 1999, The marriage clinic",
        ("D5",),
    ),
    _c(
        "sat_rate",
        0.02,
        0.0,
        1.0,
        "1/day",
        "how fast satisfaction follows daily experience",
        "Daily step of satisfaction toward the felt quality of the relationship.",
        "Karney & Bradbury 1995, The longitudinal course of marital quality and stability",
        ("D2", "D4"),
    ),
    _c(
        "base_quality",
        0.35,
        0.0,
        1.0,
        "1",
        "what the relationship brings besides closeness",
        "Felt quality of the relationship apart from responsiveness, intimacy, how distance is "
        "read and unrepaired hurt (companionship, shared life).",
        "Karney & Bradbury 1995, The longitudinal course of marital quality and stability",
        ("D4",),
    ),
    _c(
        "stability_rate",
        0.05,
        0.0,
        1.0,
        "1/day",
        "how fast the felt sense of stability follows daily calm",
        "Daily step of felt stability toward the day's calm (one minus "
        "arousal, less for conflict).",
        "Fraley & Shaver 2000, Adult romantic attachment",
        ("D4",),
    ),
    _c(
        "distance_rate",
        0.01,
        0.0,
        1.0,
        "1/day",
        "how fast one builds distance after giving up",
        "Daily step of a partner's own protective distance toward 1 after giving up (toward 0 "
        "otherwise).",
        CASCADE,
        ("D3",),
    ),
    _c(
        "support_rate",
        0.005,
        0.0,
        1.0,
        "1/day",
        "how fast one finds support elsewhere",
        "Daily step of outside support toward 1 after giving up (toward 0 otherwise).",
        CASCADE,
        ("D3",),
    ),
    _c(
        "investment_rate",
        0.002,
        0.0,
        1.0,
        "1/day",
        "how fast a shared life accumulates",
        "Daily step of investment (time, shared life, ties) toward 1.",
        RUSBULT,
        ("D3",),
    ),
    _c(
        "alternatives",
        0.3,
        0.0,
        1.0,
        "1",
        "how good the alternatives look",
        "Quality of alternatives before outside support is added (support adds half of itself).",
        RUSBULT,
        ("D3",),
    ),
    _c(
        "hazard_base",
        0.0005,
        0.0,
        0.1,
        "prob/day",
        "daily chance of ending at zero commitment",
        "Daily probability of ending when the less committed partner's commitment is 0.",
        RUSBULT_1983,
        ("D4",),
    ),
    _c(
        "hazard_slope",
        6.0,
        0.0,
        30.0,
        "1/commitment",
        "how strongly commitment holds a couple together",
        "Ending hazard falls as exp(-hazard_slope x commitment).",
        RUSBULT_1983,
        ("D4",),
    ),
)


SPECS: dict[str, ParamSpec] = {s.name: s for s in PERSON_SPECS + WORLD_SPECS + COUPLE_SPECS}


class PersonParams(NamedTuple):
    """Traits of a person (float32 arrays; one value per unit inside the engine)."""

    alpha_acq: Array
    alpha_ext: Array
    gen_width: Array
    ext_width: Array
    ext_transfer: Array
    alpha_reward: Array
    alpha_seek: Array
    threshold: Array
    auto_softness: Array
    pressure_gain: Array
    habit_rate: Array
    habit_decay: Array
    habit_weight: Array
    observe: Array
    beta: Array
    threat_cost: Array
    drive: Array
    openness: Array
    longing_rate: Array
    satisfy: Array
    arousal_noise: Array
    anxiety: Array
    attribution: Array
    give_up: Array
    alpha_expect: Array
    tolerance: Array
    recovery: Array


class WorldParams(NamedTuple):
    """The adult world a person meets: who offers closeness, how deep, how warmly."""

    offer_rate: Array
    depth_lo: Array
    depth_hi: Array
    ramp_days: Array
    pressure: Array
    warmth: Array
    hurt_rate: Array
    friend_share: Array
    forced: Array
    observe_boost: Array


class CoupleParams(NamedTuple):
    """How a relationship runs day to day (scalars per couple; see COUPLE_SPECS)."""

    bid_rate: Array
    bid_reach: Array
    deepen_days: Array
    knowing_rate: Array
    knowing_decay: Array
    felt_rate: Array
    pursuit_rate: Array
    criticism: Array
    talk_rate: Array
    talk_after: Array
    conflict_base: Array
    conflict_gain: Array
    repair_base: Array
    rupture_decay: Array
    rupture_weight: Array
    sat_rate: Array
    base_quality: Array
    stability_rate: Array
    distance_rate: Array
    support_rate: Array
    investment_rate: Array
    alternatives: Array
    hazard_base: Array
    hazard_slope: Array


def _build(
    cls: type, specs: tuple[ParamSpec, ...], owner: str, values: Mapping[str, object]
) -> Any:
    known = {s.name for s in specs}
    for key in values:
        if key not in known:
            raise bad_value(
                key, values[key], "a known parameter: " + ", ".join(sorted(known)), owner
            )
    out: dict[str, Any] = {}
    for s in specs:
        v = values.get(s.name, s.default)
        if isinstance(v, str | bytes) or np.ndim(v) == 0:  # type: ignore[arg-type]
            out[s.name] = np.float32(s.check(v, owner))
            continue
        try:
            arr = np.asarray(v)
        except (TypeError, ValueError):  # ragged or odd input: reported below
            arr = np.asarray([], dtype=object)
        if arr.dtype.kind not in "iuf":
            allowed = f"a number in [{s.low:g}, {s.high:g}] or an array of such numbers"
            raise bad_value(s.name, v, allowed, owner)
        arr32 = arr.astype(np.float32)
        bad = ~np.isfinite(arr32) | (arr32 < np.float32(s.low)) | (arr32 > np.float32(s.high))
        if bad.any():
            s.check(arr[bad][0].item(), owner)
        out[s.name] = arr32
    return cls(**out)


def person_params(**values: object) -> PersonParams:
    """Validated person traits; unspecified ones take their defaults.

    Example:
        >>> p = person_params(threshold=0.3)
        >>> float(p.threshold)
        0.30000001192092896
    """
    return _build(PersonParams, PERSON_SPECS, "person", values)


def check_values(
    values: Mapping[str, object], specs: tuple[ParamSpec, ...], prefix: str, owner: str
) -> dict[str, float]:
    """Validate a table of named scalar values against ``specs``; errors name ``prefix.key``."""
    by_name = {s.name: s for s in specs}
    out = {}
    for key, value in values.items():
        if key not in by_name:
            raise bad_value(
                f"{prefix}.{key}", value, "a known name: " + ", ".join(sorted(by_name)), owner
            )
        out[key] = by_name[key].check(value, owner, f"{prefix}.{key}")
    return out


def couple_params(**values: object) -> CoupleParams:
    """Validated relationship settings; unspecified ones take their defaults."""
    return _build(CoupleParams, COUPLE_SPECS, "relationship", values)


def world_params(**values: object) -> WorldParams:
    """Validated world settings; unspecified ones take their defaults."""
    return _build(WorldParams, WORLD_SPECS, "world", values)


assert tuple(PersonParams._fields) == tuple(s.name for s in PERSON_SPECS)
assert tuple(WorldParams._fields) == tuple(s.name for s in WORLD_SPECS)
assert tuple(CoupleParams._fields) == tuple(s.name for s in COUPLE_SPECS)
