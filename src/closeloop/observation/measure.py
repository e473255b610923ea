"""The diary's measurement model: the latent values the 1-7 ratings measure, the noise, the scale.

The model's numbers are declared parameters (closeloop.params.observation); the names below keep
their values (Python floats, exactly the literals they replace).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from closeloop.model.couple import AGAINST, AWAY, TOWARD
from closeloop.model.person import K
from closeloop.params import DAY_FIELDS, SPECS

RATINGS = ("closeness", "satisfaction", "stress")
"""The rated columns, in the order of their noise draws."""
# The measurement model's numbers are declared parameters (closeloop.params.observation); the
# names below keep their values (Python floats, exactly the literals they replace).
NOISE_SD = {r: SPECS[f"noise_{r}"].default for r in RATINGS}
"""SD of the Gaussian measurement noise added to each latent value (on its [0, 1] scale, before
the 1-7 mapping: 0.1 is 0.6 of a scale point)."""
KNOWN_WEIGHT = SPECS["known_weight"].default
"""Share of latent closeness from mutual knowing; the rest is the day's responsiveness."""
DAY_CLOSENESS = {what: SPECS[name].default for what, name in DAY_FIELDS.items()}
"""Values of the day's responsiveness term of latent closeness. Each exchange the person took part
in (their own bid, the partner's bid, the day's conflict) scores by how it went; the term is the
mean over the day's exchanges, and a day with none is neutral."""
AROUSAL_WEIGHT = SPECS["arousal_weight"].default
"""Share of latent stress from the day's arousal; the rest is carried tension, 1 - stability."""


def to_rating(x: np.ndarray) -> np.ndarray:
    """Map values on [0, 1] to a 1-7 rating: round 1 + 6x to the nearest integer, clip to [1, 7].

    Example:
        >>> to_rating(np.array([-0.2, 0.0, 0.5, 0.99, 1.3])).tolist()
        [1, 1, 4, 7, 7]
    """
    return np.clip(np.rint(1.0 + 6.0 * x), 1, 7).astype(np.int8)


def latent_closeness(
    known_self: np.ndarray,
    known_partner: np.ndarray,
    bid: np.ndarray,
    partner_received: np.ndarray,
    bid_received: np.ndarray,
    shared: np.ndarray,
    conflict: np.ndarray,
    repaired: np.ndarray,
) -> np.ndarray:
    """Latent felt closeness in [0, 1]: mutual knowing plus the day's responsiveness.

    Closeness grows from disclosure met with responsiveness, for the one who discloses and the one
    who responds (Reis and Shaver 1988; Laurenceau, Barrett and Pietromonaco 1998): how deeply the
    person is known and knows the partner (each in [0, K] depth levels), and how the day's
    exchanges went (:data:`DAY_CLOSENESS`).

    Arguments:
        known_self: how deeply the person is known by the partner, in [0, K].
        known_partner: how deeply the partner is known by the person, in [0, K].
        bid: bool, the person reached out.
        partner_received: index into couple.RESPONSES, how the partner met the person's bid.
        bid_received: bool, the partner reached out to the person.
        shared: bool, the person shared when closeness was offered (turned toward).
        conflict, repaired: bool, the day's conflict and whether it was repaired.

    Returns:
        An array of the broadcast shape, in [0, 1].

    Example:
        >>> f = lambda *a: float(latent_closeness(*map(np.asarray, a)))
        >>> f(0.0, 0.0, True, TOWARD, False, False, False, False)  # own bid met, nothing known
        0.5
    """
    d = DAY_CLOSENESS
    own = np.select(
        [partner_received == TOWARD, partner_received == AWAY, partner_received == AGAINST],
        [d["own bid met"], d["own bid turned away from"], d["own bid turned against"]],
        d["nothing happened"],
    )
    theirs = np.where(
        shared, d["turned toward the partner's bid"], d["pulled back from the partner's bid"]
    )
    fight = np.where(repaired, d["conflict repaired"], d["conflict not repaired"])
    parts = [(bid, own), (bid_received & ~conflict, theirs), (conflict, fight)]
    total = sum(np.where(on, v, 0.0) for on, v in parts)
    count = sum(np.asarray(on, np.float64) for on, _ in parts)
    day = np.where(count > 0, total / np.maximum(count, 1.0), d["nothing happened"])
    knowing = (known_self + known_partner) / (2.0 * K)
    return np.clip(KNOWN_WEIGHT * knowing + (1.0 - KNOWN_WEIGHT) * day, 0.0, 1.0)


def latent_stress(arousal: np.ndarray, stability: np.ndarray) -> np.ndarray:
    """Latent stress in [0, 1]: the day's arousal (capped at 1, as the kernel's calm is) and the
    tension carried over from earlier days (1 - felt stability)."""
    a = np.minimum(np.maximum(arousal, 0.0), 1.0)
    return np.clip(AROUSAL_WEIGHT * a + (1.0 - AROUSAL_WEIGHT) * (1.0 - stability), 0.0, 1.0)


def noise(seed: int, couples: Sequence[int] | np.ndarray, days: int) -> np.ndarray:
    """Standard normal draws (couple, day, person, rating) for the measurement noise.

    Each couple's draws come from ``numpy.random.default_rng([seed, couple])`` and are laid out day
    by day, so a couple's noise is the same whichever couples are taken and however long the run.
    """
    return np.stack(
        [
            np.random.default_rng([seed, int(c)]).standard_normal((days, 2, len(RATINGS)))
            for c in couples
        ]
    )
