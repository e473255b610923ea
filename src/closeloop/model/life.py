"""The life around a couple: work, friends, health, money, the ups and downs that come from
outside the relationship and spill into it.

Each member carries a strain ``life`` (0 on an ordinary stretch, positive under more strain than
usual, negative in an easier stretch), an AR(1) process with unit stationary spread that the bids
and the template never touch: it is exogenous. It moves the relationship in two places
(docs/model.md 12.14): a strained member reaches out less (less time and energy for bids) and
is less satisfied on the same days (stress spillover: Randall & Bodenmann 2009; Neff & Karney
2009). The couple's usual level of outside stress is part of its base quality; the process is
the swing around it, so on average it shifts neither bids nor satisfaction.
"""

from __future__ import annotations

import math
from typing import Any

from closeloop.model.response import TINY
from closeloop.params import CoupleParams

LOGISTIC_SD = math.pi / math.sqrt(3.0)
"""Standard deviation of the standard logistic: divides a logistic draw to unit variance."""
HALF_GRID = 2.0**-24
"""Half the spacing of the float32 uniforms (multiples of 2^-23): centres them inside (0, 1), so
that no draw maps to an infinite shock."""


def shock(xp: Any, u: Any) -> Any:
    """A unit-variance, zero-mean logistic shock from a uniform in [0, 1) (inverse CDF)."""
    # Clipped too: NumPy's float32 uniforms (a finer grid) may sit half a step below 1.
    c = xp.clip(u + HALF_GRID, HALF_GRID, 1.0 - HALF_GRID)
    return xp.log(c / (1.0 - c) + TINY) / LOGISTIC_SD


def step(xp: Any, cp: CoupleParams, life: Any, u: Any) -> Any:
    """The next day's strain: x' = rho x + sqrt(1 - rho^2) e, rho = exp(-1 / life_days), so the
    process keeps a stationary spread of 1 and forgets a stretch with a time constant of
    ``life_days`` days."""
    rho = xp.exp(-1.0 / xp.maximum(cp.life_days, 1.0))
    return rho * life + xp.sqrt(1.0 - rho * rho) * shock(xp, u)


def bid_factor(xp: Any, cp: CoupleParams, life: Any) -> Any:
    """Multiplier of a member's bid rate: fewer bids under strain, more in an easy stretch."""
    return xp.maximum(1.0 - cp.life_bids * life, 0.0)


def quality_shift(cp: CoupleParams, life: Any) -> Any:
    """Shift of a member's relationship quality (satisfaction's target) by the day's strain."""
    return -cp.life_sat * life
