"""Named mechanisms and their switches (ablations).

Every mechanism of the model has a name. Switching one off is an option of a run, never an edit
of the code: the kernels receive a float32 vector of 0/1 flags (one per mechanism, in the order of
:data:`MECHANISMS`) and gate each mechanism with ``where``. Because the flags are data, an
ablation does not recompile the engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from closeloop.errors import bad_value, one_of


@dataclass(frozen=True)
class Mechanism:
    name: str
    summary: str
    when_off: str
    reference: str


MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism(
        "threat_learning",
        "Hurt after sharing at a depth raises the threat expected there (prediction error).",
        "threat never changes from where it started (zero for a new person)",
        "Rescorla & Wagner 1972, A theory of Pavlovian conditioning",
    ),
    Mechanism(
        "generalisation",
        "A lesson learned at one depth spreads to neighbouring depths.",
        "each depth learns only from outcomes at that depth",
        "Dunsmoor & Murphy 2015, Categories, concepts, and conditioning",
    ),
    Mechanism(
        "extinction",
        "Safe outcomes build new inhibitory learning beside the threat, lowering felt threat.",
        "safe outcomes do not lower threat",
        "Bouton 2004, Context and behavioral processes in extinction",
    ),
    Mechanism(
        "context_binding",
        "Extinction belongs to the context where it was learned and transfers only partly.",
        "extinction learned anywhere applies everywhere",
        "Bouton 2004, Context and behavioral processes in extinction",
    ),
    Mechanism(
        "shared_template",
        "Threat acquisition is shared across contexts: one template for partner, friends, "
        "therapist.",
        "threat learned in one context stays in that context",
        "Bouton 2004; Bowlby 1973, Attachment and loss, vol. 2: Separation",
    ),
    Mechanism(
        "reward_learning",
        "Outcomes of sharing teach an expected reward of sharing at each depth.",
        "the expected reward of sharing stays at its starting value",
        "Sutton & Barto 1998, Reinforcement learning: an introduction",
    ),
    Mechanism(
        "automatic_route",
        "Activation past a threshold closes the door before any deliberation.",
        "every response is decided by the deliberate route",
        "LeDoux 1996, The emotional brain; Dayan, Niv, Seymour & Daw 2006, The misbehavior of "
        "value and the discipline of the will",
    ),
    Mechanism(
        "observation",
        "Noticing one's reaction hands it from the automatic to the deliberate route.",
        "reactions are never noticed, however much observation is practised",
        "Lieberman et al. 2007, Putting feelings into words",
    ),
    Mechanism(
        "relief_habit",
        "The relief of withdrawing reinforces an avoidance habit that adds to the automatic pull.",
        "withdrawal builds no habit",
        "Mowrer 1947, On the dual nature of learning",
    ),
    Mechanism(
        "extinction_protection",
        "Withdrawing means no outcome is experienced, so the threat is never disconfirmed.",
        "the person learns from the outcome sharing would have had, even when withdrawing",
        "Lovibond et al. 2009, Safety behaviours preserve threat beliefs",
    ),
    Mechanism(
        "attachment_strategy",
        "Unmet need pushes toward seeking (hyperactivation) or away from closeness "
        "(deactivation), depending on whether seeking was learned to work.",
        "unmet need always pushes toward closeness, as for a secure person",
        "Mikulincer & Shaver 2003, The attachment behavioral system in adulthood",
    ),
    Mechanism(
        "pressure",
        "Felt pressure amplifies activation.",
        "pressure does not change activation",
        "Christensen & Heavey 1990, demand/withdraw pattern of marital conflict",
    ),
    Mechanism(
        "unmet_need",
        "Need for connection builds when unmet and is relieved by warm closeness; threat does "
        "not lower it.",
        "longing stays at zero",
        "Baumeister & Leary 1995, The need to belong",
    ),
    Mechanism(
        "pursuit",
        "Unmet bids turn into pursuit, in proportion to attachment anxiety (demand-withdraw).",
        "pursuit no longer follows unmet bids: it is held where a fixed felt distance "
        "(unlinked_felt) sets it, so contact keeps its level",
        "Christensen & Heavey 1990, demand/withdraw pattern of marital conflict",
    ),
    Mechanism(
        "attribution",
        "Reading distance personally amplifies pursuit and the loss of satisfaction.",
        "distance is never read as a verdict on oneself",
        "Downey & Feldman 1996, Implications of rejection sensitivity for intimate relationships",
    ),
    Mechanism(
        "giving_up",
        "Below a limit of hope, a partner stops reaching: bids less, builds their own "
        "distance and finds support elsewhere.",
        "partners never give up, however their bids are met",
        "Gottman 1993, A theory of marital dissolution and stability; Gottman & Levenson 2002, "
        "A two-factor model for predicting when a couple will divorce",
    ),
    Mechanism(
        "repair_vulnerability",
        "Repair after conflict needs both partners to open up (a vulnerable response at depth 3).",
        "conflicts are repaired at a fixed rate, whoever is involved",
        "Gottman 1999, The marriage clinic; Johnson 2004, The practice of emotionally "
        "focused couple therapy",
    ),
    Mechanism(
        "rupture_memory",
        "Unrepaired ruptures stay on the books, fading slowly, and weigh on satisfaction.",
        "an unrepaired rupture is forgotten the next day",
        "Gottman 1999, The marriage clinic",
    ),
    Mechanism(
        "commitment",
        "Staying or leaving follows commitment (satisfaction plus investment minus "
        "alternatives), not satisfaction alone.",
        "staying or leaving follows satisfaction alone on commitment's scale (the shared "
        "investment stays, outside support no longer opens alternatives)",
        "Rusbult 1980, Commitment and satisfaction in romantic associations",
    ),
    Mechanism(
        "decision_to_approach",
        "A committed decision to face the fear counts in the deliberate route: threat weighs "
        "less against sharing and approaching is valued for itself.",
        "commitment to approach changes nothing",
        "Hayes, Strosahl & Wilson 1999, Acceptance and commitment therapy; Craske et al. 2014, "
        "Maximizing exposure therapy: an inhibitory learning approach",
    ),
    Mechanism(
        "overwhelm",
        "Arousal endured beyond the window of tolerance is itself aversive and teaches threat "
        "(sensitisation), so flooding can backfire.",
        "any exposure, however intense, only teaches safety when the response is warm",
        "Groves & Thompson 1970, Habituation: a dual-process theory; Siegel 1999, The "
        "developing mind",
    ),
    Mechanism(
        "spontaneous_recovery",
        "Learned safety (inhibition) fades with the time since it was learned unless renewed.",
        "extinction learning never fades",
        "Rescorla 2004, Spontaneous recovery; Bouton 2004, Context and behavioral processes in "
        "extinction",
    ),
    Mechanism(
        "stress_relapse",
        "Stress weakens the retrieval of learned safety, so threat returns while it lasts.",
        "stress has no effect on felt threat",
        "Bouton 2004, Context and behavioral processes in extinction; Vervliet, Craske & "
        "Hermans 2013, Fear extinction and relapse: state of the art",
    ),
    Mechanism(
        "caregiving_change",
        "A child's caregiving can change during the years at home (family transitions), so "
        "the template learned early can be revised later in childhood.",
        "a child's caregiving stays the style drawn at birth until closeness moves to peers",
        "Waters, Merrick, Treboux, Crowell & Albersheim 2000, Attachment security in infancy "
        "and early adulthood: a twenty-year longitudinal study",
    ),
)

NAMES: tuple[str, ...] = tuple(m.name for m in MECHANISMS)
INDEX: dict[str, int] = {n: i for i, n in enumerate(NAMES)}
BY_NAME: dict[str, Mechanism] = {m.name: m for m in MECHANISMS}


def is_on(flags: Any, name: str) -> Any:
    """Whether mechanism ``name`` is on in a run's (M,) switch vector (``flags``): one reading of
    the switches for every kernel."""
    return flags[INDEX[name]] > 0.0


def validate(names: Iterable[str], field: str = "ablate") -> tuple[str, ...]:
    """Check mechanism names, returning them as a tuple; unknown names raise InputError."""
    if isinstance(names, str):
        names = (names,)  # one name, not its characters
    out = []
    for n in names:
        if not isinstance(n, str) or n not in INDEX:  # a list or object in JSON: not a name
            raise bad_value(field, n, one_of(NAMES))
        out.append(n)
    return tuple(out)


def flags(ablate: Iterable[str] = ()) -> np.ndarray:
    """A float32 vector with 1 for each mechanism on and 0 for each switched off.

    Example:
        >>> flags(["observation"])[INDEX["observation"]]
        np.float32(0.0)
    """
    f = np.ones(len(NAMES), dtype=np.float32)
    for n in validate(ablate):
        f[INDEX[n]] = 0.0
    return f
