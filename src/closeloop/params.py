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

    def check(self, value: object, owner: str) -> float:
        """Return ``value`` as a float, or raise the standard one-line error."""
        allowed = f"a number in [{self.low:g}, {self.high:g}] ({self.label})"
        if isinstance(value, bool):
            raise bad_value(self.name, value, allowed, owner)
        try:
            x = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise bad_value(self.name, value, allowed, owner) from None
        if not math.isfinite(x) or not (self.low <= x <= self.high):
            raise bad_value(self.name, value, allowed, owner)
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
        0.3,
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
        "Altman & Taylor 1973, Social penetration",
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
        "Altman & Taylor 1973, Social penetration",
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
        "Altman & Taylor 1973, Social penetration",
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

SPECS: dict[str, ParamSpec] = {s.name: s for s in PERSON_SPECS + WORLD_SPECS}


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
        arr = np.asarray(v, dtype=np.float64)
        if arr.ndim == 0:
            out[s.name] = np.float32(s.check(v, owner))
        else:
            bad = ~np.isfinite(arr) | (arr < s.low) | (arr > s.high)
            if bad.any():
                s.check(arr[bad][0].item(), owner)
            out[s.name] = arr.astype(np.float32)
    return cls(**out)


def person_params(**values: object) -> PersonParams:
    """Validated person traits; unspecified ones take their defaults.

    Example:
        >>> p = person_params(threshold=0.3)
        >>> float(p.threshold)
        0.30000001192092896
    """
    return _build(PersonParams, PERSON_SPECS, "person", values)


def world_params(**values: object) -> WorldParams:
    """Validated world settings; unspecified ones take their defaults."""
    return _build(WorldParams, WORLD_SPECS, "world", values)


assert tuple(PersonParams._fields) == tuple(s.name for s in PERSON_SPECS)
assert tuple(WorldParams._fields) == tuple(s.name for s in WORLD_SPECS)
