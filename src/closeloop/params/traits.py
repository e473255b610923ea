"""Person traits: the 27 ways people differ, inherited by ``PersonParams``.

Kept apart from ``person.py`` so that each module stays short; the traits are the person
parameters individuals differ in (presets set them, the population jitters some), reported per
unit in the outputs (``TRAITS``).
"""

from __future__ import annotations

from dataclasses import dataclass

from closeloop.params._spec import Array, ParamsBase, param
from closeloop.params.refs import BOUTON, DAW, DOWNEY, GOTTMAN_BIDS, MOWRER, RW


@dataclass(frozen=True, eq=False)
class Traits(ParamsBase):
    """Traits of a person (float32 arrays; one value per unit inside the engine)."""

    alpha_acq: Array = param(
        0.15,
        low=0.01,
        high=1.0,
        unit="1/outcome",
        label="how fast hurt teaches threat",
        meaning=(
            "Learning rate of the excitatory threat association when an outcome is worse than "
            "predicted."
        ),
        ref=RW,
        claims=("P1", "P3", "P5"),
        mechanisms=("threat_learning",),
    )
    alpha_ext: Array = param(
        0.05,
        low=0.001,
        high=1.0,
        unit="1/outcome",
        label="how fast safety teaches calm",
        meaning=(
            "Learning rate of the context-bound inhibitory (extinction) association when an "
            "outcome "
            "is safer than predicted; by default a third of alpha_acq."
        ),
        ref=BOUTON,
        claims=("P5",),
        mechanisms=("extinction",),
    )
    gen_width: Array = param(
        0.5,
        low=0.05,
        high=4.0,
        unit="depth levels",
        label="how far a lesson spreads to other depths",
        meaning="Width of the exponential generalisation gradient over depths of closeness.",
        ref=(
            "Dunsmoor & Murphy 2015, Categories, concepts, and conditioning: how humans generalize "
            "fear"
        ),
        claims=("P3",),
        mechanisms=("generalisation",),
    )
    ext_width: Array = param(
        0.2,
        low=0.05,
        high=4.0,
        unit="depth levels",
        label="how far a lesson of safety spreads to other depths",
        meaning=(
            "Width of the generalisation gradient of extinction; narrower than that of "
            "acquisition, "
            "since safety learning generalises less than fear."
        ),
        ref=(
            "Vervliet, Vansteenwegen & Eelen 2006, Generalization of extinguished skin conductance "
            "responding in human fear conditioning"
        ),
        claims=("P5",),
        mechanisms=("generalisation", "extinction"),
    )
    ext_transfer: Array = param(
        0.25,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much calm learned in one place carries to others",
        meaning=(
            "Share of extinction (inhibition) learned in one context that is also applied to the "
            "other contexts."
        ),
        ref=BOUTON,
        claims=("P4",),
        mechanisms=("context_binding",),
    )
    alpha_reward: Array = param(
        0.1,
        low=0.005,
        high=1.0,
        unit="1/outcome",
        label="how fast good experiences teach that sharing is worth it",
        meaning="Learning rate of the expected reward of sharing at each depth.",
        ref="Sutton & Barto 1998, Reinforcement learning: an introduction",
        claims=("P3",),
        mechanisms=("reward_learning",),
    )
    alpha_seek: Array = param(
        0.05,
        low=0.0,
        high=1.0,
        unit="1/outcome",
        label="how fast one learns whether reaching out works",
        meaning=(
            "Learning rate of the expectation that intensified seeking of closeness brings a "
            "response"
            " (decides hyper- vs deactivation)."
        ),
        ref="Mikulincer & Shaver 2003, The attachment behavioral system in adulthood",
        mechanisms=("attachment_strategy",),
    )
    threshold: Array = param(
        0.4,
        low=0.01,
        high=1.0,
        unit="activation",
        label="how much alarm closes the door",
        meaning="Activation at which the automatic route fires half of the time.",
        ref="LeDoux 1996, The emotional brain",
        claims=("P1", "P2"),
        mechanisms=("automatic_route",),
        scale="linear",  # a level of activation: even steps read best
    )
    auto_softness: Array = param(
        0.06,
        low=0.005,
        high=0.5,
        unit="activation",
        label="how sharp the automatic reaction is",
        meaning="Logistic scale of the automatic route around its threshold.",
        ref="LeDoux 1996, The emotional brain",
        claims=("P2",),
        mechanisms=("automatic_route",),
    )
    pressure_gain: Array = param(
        1.0,
        low=0.0,
        high=4.0,
        unit="1",
        label="how much pressure amplifies alarm",
        meaning="Multiplicative gain of felt pressure on activation.",
        ref=(
            "Christensen & Heavey 1990, Gender and social structure in the demand/withdraw pattern "
            "of"
            " marital conflict"
        ),
        mechanisms=("pressure",),
    )
    habit_rate: Array = param(
        0.02,
        low=0.0,
        high=1.0,
        unit="1/withdrawal",
        label="how fast relief builds the habit of pulling back",
        meaning=(
            "Learning rate of the avoidance habit from the relief (activation escaped) of each "
            "withdrawal."
        ),
        ref=MOWRER,
        mechanisms=("relief_habit",),
    )
    habit_decay: Array = param(
        0.05,
        low=0.0,
        high=1.0,
        unit="1/approach",
        label="how fast the habit fades when one stays",
        meaning="Fractional loss of habit at a depth each time the person approaches there.",
        ref=MOWRER,
        mechanisms=("relief_habit",),
    )
    habit_weight: Array = param(
        0.25,
        low=0.0,
        high=1.0,
        unit="activation",
        label="how much habit adds to the automatic pull",
        meaning="Weight of the avoidance habit in the automatic route's drive.",
        ref=MOWRER,
        mechanisms=("relief_habit",),
    )
    observe: Array = param(
        0.05,
        low=0.0,
        high=1.0,
        unit="prob",
        label="capacity to notice one's own reaction",
        meaning=(
            "Probability that an automatic reaction is noticed and handed to the deliberate route."
        ),
        ref=(
            "Lieberman et al. 2007, Putting feelings into words: affect labeling disrupts amygdala "
            "activity"
        ),
        claims=("P2",),
        mechanisms=("observation",),
    )
    beta: Array = param(
        8.0,
        low=0.1,
        high=30.0,
        unit="1/value",
        label="how decisively one weighs it up",
        meaning="Inverse temperature of the deliberate route's logistic choice.",
        ref=DAW,
    )
    threat_cost: Array = param(
        1.0,
        low=0.0,
        high=4.0,
        unit="value/activation",
        label="how much felt threat counts against closeness when deciding",
        meaning="Weight of activation in the deliberate value of approaching.",
        ref=DAW,
        claims=("P6",),
    )
    drive: Array = param(
        0.7,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much one wants connection",
        meaning=(
            "Strength of the need for connection; sets how fast unmet need (longing) builds. "
            "Threat "
            "does not lower it."
        ),
        ref="Baumeister & Leary 1995, The need to belong",
        claims=("P1",),
        mechanisms=("unmet_need",),
    )
    openness: Array = param(
        0.6,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much one likes to share, when safe",
        meaning="Preference for self-disclosure independent of threat; low for private people.",
        ref=(
            "Altman & Taylor 1973, Social penetration: the development of interpersonal "
            "relationships"
        ),
        claims=("P6",),
    )
    longing_rate: Array = param(
        0.05,
        low=0.0,
        high=1.0,
        unit="1/step",
        label="how fast unmet need builds",
        meaning="Daily growth of longing toward 1, scaled by drive.",
        ref="Baumeister & Leary 1995, The need to belong",
        claims=("P1",),
        mechanisms=("unmet_need",),
    )
    satisfy: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="1/contact",
        label="how much a warm moment meets the need",
        meaning="Fraction of longing relieved by a warm response to sharing (times depth share).",
        ref="Baumeister & Leary 1995, The need to belong",
        claims=("P1",),
        mechanisms=("unmet_need",),
    )
    arousal_noise: Array = param(
        0.08,
        low=0.0,
        high=1.0,
        unit="activation",
        label="day-to-day noise in felt arousal",
        meaning="Scale of logistic noise added to observed arousal.",
        ref="Lang, Bradley & Cuthbert 1998, Emotion, motivation, and anxiety",
        claims=("P6",),
    )
    anxiety: Array = param(
        0.3,
        low=0.0,
        high=1.0,
        unit="1",
        label="how strongly unmet closeness turns into pursuit",
        meaning="Gain from felt distance (unmet bids) to pursuit: attachment anxiety.",
        ref="Brennan, Clark & Shaver 1998, Self-report measurement of adult attachment",
        claims=("D1", "D2"),
        mechanisms=("pursuit",),
    )
    attribution: Array = param(
        0.3,
        low=0.0,
        high=1.0,
        unit="1",
        label="how personally distance is read",
        meaning=(
            "How much a partner's distance is taken as a verdict on oneself: amplifies pursuit and "
            "the loss of satisfaction from unmet bids."
        ),
        ref=DOWNEY,
        claims=("D2",),
        mechanisms=("attribution",),
    )
    give_up: Array = param(
        0.3,
        low=0.0,
        high=1.0,
        unit="prob",
        label="how low hope of a response may fall before one stops reaching",
        meaning=(
            "Expectation of responsiveness below which a partner gives up: bids less, builds their "
            "own distance and finds support elsewhere."
        ),
        ref="Gottman 1993, A theory of marital dissolution and stability",
        claims=("D3",),
        mechanisms=("giving_up",),
    )
    alpha_expect: Array = param(
        0.004,
        low=0.001,
        high=1.0,
        unit="1/bid",
        label="how fast hope of a response follows experience",
        meaning="Learning rate of the expectation that one's bids will be met.",
        ref=GOTTMAN_BIDS,
        claims=("D3",),
        mechanisms=("giving_up",),
    )
    tolerance: Array = param(
        1.0,
        low=0.1,
        high=2.0,
        unit="activation",
        label="how much arousal can be stayed with before it overwhelms",
        meaning=(
            "Window of tolerance: arousal endured while sharing above this level is itself "
            "aversive "
            "and teaches threat (mechanism overwhelm)."
        ),
        ref=(
            "Siegel 1999, The developing mind; Groves & Thompson 1970, Habituation: a dual-process "
            "theory"
        ),
        claims=("H7", "H3"),
        mechanisms=("overwhelm",),
    )
    recovery: Array = param(
        0.0003,
        low=0.0,
        high=0.1,
        unit="1/day",
        label="how fast learned safety fades when it is not renewed",
        meaning=(
            "Fraction per day (a week's step of the history runs seven) by which consolidated "
            "inhibitory (extinction) learning fades with the time since it was learned "
            "(mechanism spontaneous_recovery): unrenewed it loses about 10% in a year and half "
            "in six years (ln 2 / 0.0003 = 2310 days), so that gains are mostly kept over a "
            "year, as after exposure treatment; the faster, partial recovery within days of a "
            "session is the labile part's (labile_fade)."
        ),
        ref=(
            "Rescorla 2004, Spontaneous recovery; Vervliet, Craske & Hermans 2013, Fear "
            "extinction and relapse: state of the art; Choy, Fyer & Lipsitz 2007, Treatment of "
            "specific phobia in adults"
        ),
        claims=("H4",),
        mechanisms=("spontaneous_recovery",),
    )
