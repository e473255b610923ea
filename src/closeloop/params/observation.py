"""The measurement model's constants (``closeloop.observation``), declared as parameters: how
latent closeness and stress are composed, and how noisy the ratings are. The measurement runs in
NumPy after the simulation, so these never reach a compiled kernel."""

from __future__ import annotations

from dataclasses import dataclass

from closeloop.params._spec import Array, ParamsBase, build, param, params_class
from closeloop.params.refs import ASSUMPTION

LAURENCEAU = (
    "Laurenceau, Barrett & Pietromonaco 1998, Intimacy as an interpersonal process: the "
    "importance of self-disclosure, partner disclosure, and perceived partner responsiveness"
)
REIS = "Reis & Shaver 1988, Intimacy as an interpersonal process"


def _noise(default: float, what: str) -> Array:
    return param(
        default,
        low=0.0,
        high=0.5,
        unit="1",
        label=f"how noisy the {what} rating is",
        meaning=(
            f"SD of the Gaussian noise added to latent {what} (on its [0, 1] scale, before the "
            "1-7 mapping: 0.1 is 0.6 of a scale point)."
        ),
        ref=ASSUMPTION,
    )


def _day(default: float, what: str) -> Array:
    return param(
        default,
        low=0.0,
        high=1.0,
        unit="1",
        label=f"closeness of a day: {what}",
        meaning=f"Value of the day's responsiveness term of latent closeness for: {what}.",
        ref=LAURENCEAU,
    )


@params_class("observation", "observation")
@dataclass(frozen=True, eq=False)
class ObservationParams(ParamsBase):
    """Constants of the diary's measurement model (scalars)."""

    noise_closeness: Array = _noise(0.10, "closeness")
    noise_satisfaction: Array = _noise(0.08, "satisfaction")
    noise_stress: Array = _noise(0.12, "stress")
    known_weight: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much being known counts in felt closeness",
        meaning=(
            "Share of latent closeness from mutual knowing; the rest is the day's responsiveness."
        ),
        ref=REIS,
    )
    arousal_weight: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much the day's arousal counts in felt stress",
        meaning="Share of latent stress from the day's arousal; the rest is 1 - stability.",
        ref=ASSUMPTION,
    )
    day_bid_met: Array = _day(1.0, "own bid met")
    day_bid_away: Array = _day(0.25, "own bid turned away from")
    day_bid_against: Array = _day(0.0, "own bid turned against")
    day_toward: Array = _day(0.85, "turned toward the partner's bid")
    day_pulled_back: Array = _day(0.4, "pulled back from the partner's bid")
    day_repaired: Array = _day(0.75, "conflict repaired")
    day_not_repaired: Array = _day(0.1, "conflict not repaired")
    day_nothing: Array = _day(0.5, "nothing happened")


OBSERVATION_SPECS = ObservationParams.SPECS
DAY_FIELDS = {
    "own bid met": "day_bid_met",
    "own bid turned away from": "day_bid_away",
    "own bid turned against": "day_bid_against",
    "turned toward the partner's bid": "day_toward",
    "pulled back from the partner's bid": "day_pulled_back",
    "conflict repaired": "day_repaired",
    "conflict not repaired": "day_not_repaired",
    "nothing happened": "day_nothing",
}
"""The diary's names of the day's exchanges -> the field holding each one's closeness."""


def observation_params(**values: object) -> ObservationParams:
    """Validated measurement constants; unspecified ones take their defaults."""
    return build(ObservationParams, "observation", values)
