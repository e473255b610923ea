"""Claims under other parameter values (Settings.overrides) and the robustness summary."""

from __future__ import annotations

import math
from dataclasses import replace

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
    s = Settings(n=32, seed=0, ablate=(), quick=True)
    base = run(sc, s)
    cold = run(sc, replace(s, overrides=(("warmth", 0.05),)))
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


def test_robustness_summary_of_fake_points() -> None:
    from closeloop.claims.robustness import reading, summarise, wilson

    points = [{"a": float(i), "b": float((i * 7) % 5)} for i in range(6)]
    verdicts = {
        "X": [p["a"] >= 3 for p in points],  # decided by a
        "Y": [True] * 6,
        "Z": [None, True, False, True, False, True],  # one not applicable point left out
    }
    s = summarise(points, verdicts, names=("a", "b"))
    assert s["X"]["holds"] == 3 and s["X"]["points"] == 6 and s["X"]["share"] == 0.5
    # The Wilson interval of 3 in 6 is [0.188, 0.812] (Wilson 1927; Newcombe 1998, table I).
    assert np.allclose(s["X"]["wilson"], [0.1876, 0.8124], atol=1e-3)
    assert s["X"]["deciding"][0]["parameter"] == "a" and s["X"]["deciding"][0]["r"] > 0.8
    assert s["Y"]["deciding"] == [] and s["Y"]["wilson"][1] == 1.0
    assert s["Z"]["points"] == 5 and s["Z"]["holds"] == 3
    assert "every point, 6 of 6" in reading("Y", s["Y"])
    assert "it holds more where a is higher" in reading("X", s["X"])
    lo, hi = wilson(0, 12)
    assert abs(lo) < 1e-12 and 0.2 < hi < 0.3
    twelve = [{"a": float(i), "b": float((i * 7) % 5)} for i in range(12)]
    # 2 of 12: the interval's upper end (0.45) is below one half, a corner of the space.
    corner = summarise(twelve, {"C": [p["a"] >= 10 for p in twelve]}, names=("a", "b"))
    assert "only in a corner" in reading("C", corner["C"])
    none = summarise(points, {"N": [False] * 6}, names=("a", "b"))["N"]
    # Failing everywhere, the defaults included, is no finding about robustness.
    assert "no robustness to read" in reading("N", none, at_default=False)
    assert "needs values near the defaults" in reading("N", none, at_default=True)


def test_the_robustness_block_renders_from_a_recorded_document() -> None:
    from closeloop.claims.robustness import render, summarise

    points = [{"warmth": 0.1 * i} for i in range(4)]
    verdicts: dict[str, list[bool | None]] = {"P6": [False, False, True, True]}
    doc = {
        "design": {
            "points": 4,
            "seed": 0,
            "sequence": "scrambled Sobol'",
            "size": "quick size x 0.25",
            "parameters": {"warmth": {"prior": "uniform() on [0, 1]", "default": 0.85}},
            "seconds": 1.0,
        },
        "points": points,
        "verdicts": verdicts,
        "default": {"P6": True},
        "errors": {},
        "summary": summarise(points, verdicts, names=("warmth",)),
    }
    text = render(doc)
    assert "| **P6** | holds | 2/4 (50%) |" in text and "`warmth` (+0.89)" in text


def test_points_follow_the_priors_and_the_seed() -> None:
    from closeloop.claims.robustness import PARAMETERS, draw_points
    from closeloop.params import SPECS

    pts = draw_points(8, seed=3)
    assert pts == draw_points(8, seed=3) and pts != draw_points(8, seed=4)
    for p in pts:
        for name in PARAMETERS:
            prior = SPECS[name].prior
            assert prior.low <= p[name] <= prior.high
            assert SPECS[name].role in ("world", "relationship")
    with pytest.raises(InputError):
        draw_points(1)


def test_a_result_records_its_overrides() -> None:
    from closeloop.claims import ClaimResult

    r = ClaimResult(
        id="X1",
        statement="s",
        effect=0.5,
        ci=(0.4, 0.6),
        threshold=0.3,
        direction=">=",
        passed=True,
        mechanisms=(),
        n=10,
        seconds=0.0,
        ablated=(),
        conditions=(),
        threshold_why="",
        overrides=(("warmth", 0.5),),
    )
    assert r.as_dict()["overrides"] == {"warmth": 0.5}


@pytest.mark.parametrize("given", ["hazard_base=5", "warmth", "no_such=1"])
def test_claims_set_out_of_range_exits_2_on_one_line(given: str) -> None:
    from typer.testing import CliRunner

    from closeloop.cli import app

    res = CliRunner().invoke(app, ["claims", "--only", "D6", "--set", given])
    assert res.exit_code == 2
    assert len(res.output.strip().splitlines()) == 1 and "Traceback" not in res.output
