"""The child's attachment as the Strange Situation would classify it, read off the early history.

The procedure (Ainsworth, Blehar, Waters & Wall 1978) codes what a child of 12 to 20 months does
when the caregiver comes back after two short separations: whether it seeks the caregiver and
is settled, turns away (avoidant), or seeks with angry, unsettled protest (resistant); Main &
Solomon 1990 added a fourth group whose strategies collide (disorganized). Here those behaviours
are observed from the person's state at that age (``engine.run_population``'s ``child_weeks``):

- **seeking** at reunion: the probability that the child shares a bid for comfort with the
  caregiver (home context, depth ``ssp_depth``, importance ``ssp_importance``, no pressure),
  by the model's own two routes (``response.response_probs``: the automatic closing of the door
  and the deliberate weighing). The routes are observed as they are, not the history's forcing
  (a young child's need shows whatever it would hide): the procedure codes turning away at
  reunion even in children whose arousal shows (Sroufe & Waters 1977).
- **the anxious strategy**: the attachment anxiety learned so far (``history.learned_anxiety``
  of the protest contingency at that age): how much reaching harder has paid.

Four groups from the two cut-offs (``ObservationParams.ssp_seek_cut``, ``ssp_anxiety_cut``):
secure (seeks, not hyperactivating), avoidant (turns away, not hyperactivating), resistant
(seeks, hyperactivating), disorganized (turns away while hyperactivating: approach and
avoidance at once). Three groups, as before the disorganized group existed: a disorganized
child is coded by what shows, turning away, so it counts as avoidant.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from closeloop.errors import bad_value
from closeloop.model.history import learned_anxiety
from closeloop.model.person import HOME, Offer, PersonState
from closeloop.model.response import response_probs
from closeloop.params import TRAITS, HistoryParams, ObservationParams, person_params

CATEGORIES = ("secure", "avoidant", "resistant", "disorganized")
"""The four Strange Situation groups (B, A, C, D), in the order of ``classify``'s indices."""
SECURE, AVOIDANT, RESISTANT, DISORGANIZED = range(len(CATEGORIES))
THREE = CATEGORIES[:3]
"""The three groups of the original coding (``three_way``)."""

STATE_FIELDS = ("V", "I", "R", "H", "E", "L")


def snapshot_state(child: dict[str, Any], j: int) -> PersonState:
    """The ``j``-th child snapshot (fields unit-first, (unit, snapshot, ...)) as a batch-last
    ``PersonState`` of NumPy arrays."""
    return PersonState(*(np.moveaxis(np.asarray(child[k][:, j]), 0, -1) for k in STATE_FIELDS))


def reunion_seeking(
    traits: np.ndarray, s: PersonState, obs: ObservationParams, flags: np.ndarray
) -> np.ndarray:
    """(n,) probability that each child seeks the caregiver at reunion.

    ``traits``: (n, P) the children's traits in ``TRAITS`` order (the engine's
    ``start["params"]``); ``s``: their state (batch-last); ``flags``: the mechanism switches.
    """
    traits = np.asarray(traits, np.float32)
    n = traits.shape[0]
    p = person_params(**{t: traits[:, i] for i, t in enumerate(TRAITS)})
    zero = np.zeros(n, np.float32)
    o = Offer(
        offered=np.ones(n, bool),
        depth=np.full(n, int(obs.ssp_depth), np.int32),
        context=np.full(n, HOME, np.int32),
        pressure=zero,
        importance=zero + np.float32(obs.ssp_importance),
        warmth=zero,
        hurt_rate=zero,
        protest_gain=zero,
        forced=np.zeros(n, bool),
        salience=zero + 1.0,
        observe_boost=zero,
    )
    q = response_probs(np, p, s, o, np.asarray(flags, np.float32))
    # Shares unless the door closes by itself and is not caught; then only if it chooses to.
    return np.asarray((1.0 - q.p_auto * (1.0 - q.caught)) * q.p_share, np.float64)


def child_anxiety(hp: HistoryParams, slope: np.ndarray) -> np.ndarray:
    """(n,) the attachment anxiety learned so far from the protest contingency ``slope``."""
    return np.asarray(learned_anxiety(np, hp, np.asarray(slope, np.float32)), np.float64)


def classify(seeking: np.ndarray, anxiety: np.ndarray, obs: ObservationParams) -> np.ndarray:
    """(n,) index into ``CATEGORIES`` from reunion seeking and learned anxiety."""
    away = np.asarray(seeking) < float(obs.ssp_seek_cut)
    anxious = np.asarray(anxiety) >= float(obs.ssp_anxiety_cut)
    out = np.where(away, AVOIDANT, SECURE)
    out = np.where(anxious, np.where(away, DISORGANIZED, RESISTANT), out)
    return out.astype(np.int32)


def three_way(classes: np.ndarray) -> np.ndarray:
    """The four groups folded into the original three: disorganized counts as avoidant."""
    c = np.asarray(classes)
    return np.where(c == DISORGANIZED, AVOIDANT, c).astype(np.int32)


def shares(classes: np.ndarray, k: int) -> np.ndarray:
    """(k,) share of units in each group."""
    c = np.asarray(classes)
    if c.size == 0:
        raise bad_value("classes", "an empty array", "at least one unit")
    return np.bincount(c, minlength=k)[:k] / c.size


def cohen_kappa(a: np.ndarray, b: np.ndarray, k: int) -> float:
    """Cohen's kappa between two classifications of the same units into ``k`` groups (NaN when
    chance agreement is 1: every unit in one group both times)."""
    a, b = np.asarray(a), np.asarray(b)
    table = np.zeros((k, k))
    np.add.at(table, (a, b), 1.0)
    table /= max(a.size, 1)
    observed = float(np.trace(table))
    chance = float(table.sum(axis=1) @ table.sum(axis=0))
    return (observed - chance) / (1.0 - chance) if chance < 1.0 else float("nan")
