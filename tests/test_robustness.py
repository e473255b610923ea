"""Claims under other parameter values (Settings.overrides) and the robustness summary."""

from __future__ import annotations

import math

import numpy as np
import pytest

from closeloop.claims import CLAIMS, Settings
from closeloop.claims.common import (
    check_overrides,
    parse_overrides,
    people,
    run,
    with_overrides,
)
from closeloop.errors import InputError
from closeloop.scenario import scenario


def test_overrides_reach_the_scenario_but_not_its_own_condition() -> None:
    sc = scenario("avoidant-anxious")
    moved = with_overrides(sc, check_overrides({"hazard_base": 0.05, "warmth": 0.2}))
    assert moved.relationship["hazard_base"] == 0.05
    assert "warmth" not in moved.relationship  # a world parameter leaves a couple alone
    person = scenario("friends-and-partner")
    assert person.world["friend_share"] == 0.5
    # The scenario's own setting is the condition a claim compares: it stays.
    kept = with_overrides(person, check_overrides({"friend_share": 0.1, "warmth": 0.3}))
    assert kept.world == {"friend_share": 0.5, "warmth": 0.3}
    assert with_overrides(person, ()) is person


def test_overrides_change_a_run() -> None:
    sc = people({"avoidant": 1}, days=60)
    base = run(sc, 32, 0, ())
    cold = run(sc, 32, 0, (), overrides=(("warmth", 0.05),))
    assert not np.allclose(base.threat.values, cold.threat.values)


@pytest.mark.slow
def test_overrides_change_a_claims_runs() -> None:
    d6 = next(c for c in CLAIMS if c.id == "D6")
    base = Settings(n=60, seed=0, ablate=(), quick=True)
    moved = Settings(n=60, seed=0, ablate=(), quick=True, overrides=(("hazard_base", 0.05),))
    a, b = d6.check(base).conditions[1], d6.check(moved).conditions[1]
    # A daily break-up chance of 5% ends most couples before any long phase can form.
    assert b.value < a.value


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"hazard_base": 5.0}, "overrides.hazard_base"),
        ({"no_such_thing": 1.0}, "overrides.no_such_thing"),
        ({"threshold": 0.5}, "overrides.threshold"),  # a person trait, not world/relationship
    ],
)
def test_overrides_out_of_range_are_one_line_errors(given: dict[str, float], field: str) -> None:
    with pytest.raises(InputError) as e:
        check_overrides(given)
    assert field in str(e.value) and "\n" not in str(e.value)


def test_set_strings_are_parsed_and_checked() -> None:
    assert parse_overrides(["warmth=0.5", "bid_rate = 0.2"]) == (
        ("bid_rate", 0.2),
        ("warmth", 0.5),
    )
    for bad in ("warmth", "=0.5", "warmth=x", "warmth=nan"):
        with pytest.raises(InputError, match="--set"):
            parse_overrides([bad])
    assert math.isfinite(dict(parse_overrides(["warmth=1"]))["warmth"])
    assert np.isclose(dict(parse_overrides(["warmth=1e-1"]))["warmth"], 0.1)


def test_check_claims_refuses_out_of_range_overrides() -> None:
    from closeloop.claims import check_claims

    with pytest.raises(InputError, match=r"overrides\.warmth"):
        check_claims(only="D6", overrides={"warmth": 2.0})
