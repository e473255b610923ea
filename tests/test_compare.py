"""Tests of the what-if comparison (``closeloop.analysis.paired``, ``closeloop.report.comparison``
and ``closeloop run --compare``): the scenario diff, the paired effects on known values and on
small simulated runs, the files an end-to-end run writes, and bad input answered with one line.

Every run uses ``DAYS`` days, so the couple engine and the person engine compile once each."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import closeloop as cl
from closeloop.analysis.paired import Effect, Outcome, compare, mean_of, paired_effect, pooled
from closeloop.analysis.scenario_diff import scenario_changes
from closeloop.cli import app
from closeloop.errors import InputError
from closeloop.narrative.comparison import effect_sentence, story_text
from closeloop.params import CHANGE_SPECS, HISTORY_SPECS, WORLD_SPECS
from closeloop.report.comparison import folder_names, write_comparison
from closeloop.scenario import check_pair
from closeloop.simulation import NOTICE
from closeloop.trajectory import CLASSES

runner = CliRunner()
DAYS = 90
N = 24
SEED = 2


@pytest.fixture(scope="module")
def couples() -> tuple[cl.Scenario, cl.Scenario]:
    return (
        cl.scenario("avoidant-anxious").replace(days=DAYS),
        cl.scenario("avoidant-secure").replace(days=DAYS),
    )


@pytest.fixture(scope="module")
def couple_runs(couples):
    return tuple(cl.simulate(sc, n=N, seed=SEED) for sc in couples)


@pytest.fixture(scope="module")
def person_runs():
    # The same avoidant people with a warm partner, left to respond as they do, or staying and
    # sharing every time (``forced``): the one difference between the two scenarios.
    a = cl.scenario("warm-partner").replace(days=DAYS)
    b = cl.scenario("made-to-approach").replace(days=DAYS)
    return cl.simulate(a, n=N, seed=SEED), cl.simulate(b, n=N, seed=SEED)


# ---------------------------------------------------------------------------------------------
# What differs


def test_changes_read_settings_mixes_and_unknown_fields() -> None:
    forced = next(s.default for s in WORLD_SPECS if s.name == "forced")
    a = {"name": "x", "description": "one", "world": {"warmth": 0.85}, "b": {"anxious": 1.0}}
    b = {
        "name": "y",
        "description": "two",
        "world": {"warmth": 0.95, "forced": 1.0},
        "b": {"secure": 1.0},
        "interventions": [{"kind": "therapy", "start": 30}],
        "ablate": (),
    }
    assert scenario_changes(a, b) == [
        "b: anxious -> secure",
        "interventions: added {kind: therapy, start: 30}",
        f"world.forced: {forced:g} (default) -> 1",
        "world.warmth: 0.85 -> 0.95",
    ]
    mix = scenario_changes({"a": {"avoidant": 1.0}}, {"a": {"avoidant": 0.7, "private": 0.3}})
    assert mix == ["a: avoidant -> {avoidant: 0.7, private: 0.3}"]
    # Lists and tuples are the same value; name and description never count.
    assert scenario_changes({**a, "ablate": []}, {**a, "name": "z", "ablate": ()}) == []
    assert scenario_changes({"ablate": ["x"]}, {"ablate": ["x", "y"]}) == ["ablate: added y"]


def test_unset_history_and_change_read_as_their_defaults() -> None:
    """The ``[history]`` and ``[change]`` tables read a setting left unset as its default from
    the specification, as the world and relationship tables do."""
    home = next(s for s in HISTORY_SPECS if s.name == "home_until")
    stage = next(s for s in CHANGE_SPECS if s.name == "deesc_pursuit")
    lines = scenario_changes(
        {"history": {}, "change": {"deesc_pursuit": 0.25}},
        {"history": {"home_until": home.default - 2}},
    )
    assert lines == [
        f"change.deesc_pursuit: 0.25 -> {stage.default:g} (default)",
        f"history.home_until: {home.default:g} (default) -> {home.default - 2:g}",
    ]
    assert "(not set)" not in " ".join(lines)
    # Every history and change setting has its single default.
    for s in HISTORY_SPECS + CHANGE_SPECS:
        line = scenario_changes({}, {s.group: {s.name: s.high}})[0]
        assert line.startswith(f"{s.group}.{s.name}: {s.default:g} (default)"), line


def test_changes_of_shipped_scenarios() -> None:
    def changes(a: str, b: str) -> list[str]:
        return scenario_changes(cl.scenario(a).model_dump(), cl.scenario(b).model_dump())

    assert changes("warm-partner", "made-to-approach") == [
        "days: 1095 -> 365",
        "world.forced: 0 (default) -> 1",
    ]
    # A list of records (here the interventions) reads as what was added and removed.
    lines = changes("flooding", "graded-exposure")
    assert len(lines) == 2 and lines[0].startswith("interventions: removed {kind: flooding")
    assert lines[1].startswith("interventions: added {kind: graded_exposure")


def test_check_pair_names_the_field_and_the_allowed_value(one_line) -> None:
    couple = cl.scenario("avoidant-anxious").model_dump()
    person = cl.scenario("warm-partner").model_dump()
    with pytest.raises(InputError) as e:
        check_pair(couple, person, "run --compare")
    one_line(e.value, "'kind'", "run --compare", "'couple'", "'person'", "avoidant-anxious")
    with pytest.raises(InputError) as e:
        check_pair(couple, {**couple, "days": 30})
    one_line(e.value, "'days'", "3650", "30")


def test_folder_names() -> None:
    assert folder_names(("avoidant-anxious", "avoidant-secure")) == (
        "avoidant-anxious",
        "avoidant-secure",
    )
    assert folder_names(("same", "same")) == ("a", "b")
    assert folder_names(("my scenario/1", "..")) == ("a", "b")
    assert folder_names(("my scenario/1", "other")) == ("my-scenario-1", "other")


# ---------------------------------------------------------------------------------------------
# Effects


def test_paired_effect_on_known_values() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(0.5, 0.3, size=(200, 1))
    # Every unit moves by exactly 0.1: the paired interval has no width, however spread the
    # units are (an unpaired comparison would see +-0.06).
    e = paired_effect(
        Outcome("x", "x", "0-1", x, mean_of), Outcome("x", "x", "0-1", x + 0.1, mean_of)
    )
    assert e.diff == pytest.approx(0.1) and e.low == pytest.approx(0.1)
    assert e.high == pytest.approx(0.1) and e.clear
    # A pooled share: 30 of 100 against 60 of 100, each unit (num, den).
    a = np.column_stack([np.repeat([0.0, 1.0], [70, 30]), np.ones(100)])
    b = np.column_stack([np.repeat([0.0, 1.0], [40, 60]), np.ones(100)])
    e = paired_effect(Outcome("s", "s", "share", a, pooled), Outcome("s", "s", "share", b, pooled))
    assert (e.a, e.b) == pytest.approx((0.3, 0.6)) and e.diff == pytest.approx(0.3)
    assert e.low < 0.3 < e.high and e.clear
    # Nothing to count on one side: no value, no interval, not called clear.
    none = np.column_stack([np.zeros(10), np.zeros(10)])
    e = paired_effect(
        Outcome("s", "s", "share", none, pooled), Outcome("s", "s", "share", none, pooled)
    )
    assert np.isnan(e.diff) and np.isnan(e.low) and not e.clear


def test_effects_in_words() -> None:
    ended = Effect(
        "ended", "share of relationships that ended", "share", 0.3, 0.12, -0.18, -0.26, -0.1
    )
    assert effect_sentence(ended, ("x", "y")) == (
        "Share of relationships that ended: 30% with x and 12% with y, 18 points lower (95% "
        "interval of the difference -26 to -10 points)."
    )
    # A small but clear difference keeps the digits that show it.
    tiny = Effect("t", "felt threat", "0-1", 0.69, 0.6833, -0.0067, -0.0099, -0.004)
    assert "0.007 lower" in effect_sentence(tiny, ("x", "y"))
    assert "-0.010 to -0.004)" in effect_sentence(tiny, ("x", "y"))
    months = Effect("m", "months in the cycle", "months", 18.05, 5.39, -12.66, -14.4, -10.8)
    assert "18.1 months with x and 5.4 months with y, 12.7 months lower" in effect_sentence(
        months, ("x", "y")
    )


def test_a_scenario_compared_with_itself_differs_in_nothing(couples) -> None:
    # Two runs of the same scenario with the same seed are the same bits, unit by unit.
    a, b = (cl.simulate(couples[0], n=N, seed=SEED) for _ in range(2))
    c = compare(a, b)
    assert c.changes == ()
    for e in c.effects:
        assert e.diff == 0.0 and e.low <= 0.0 <= e.high, e
        assert not e.clear
    assert "the same apart from their names" in story_text(c)


def test_couple_effects_are_the_runs_numbers(couple_runs) -> None:
    a, b = couple_runs
    c = compare(a, b)
    assert c.kind == "couple" and c.names == ("avoidant-anxious", "avoidant-secure")
    assert (c.n, c.seed, c.days) == (N, SEED, DAYS)
    assert c.changes == ("b: anxious -> secure",)
    keys = [e.outcome for e in c.effects]
    for k in ("ended", "sat_a", "sat_b", "threat_deep_a", "threat_deep_b", "cycle_months", "known"):
        assert k in keys
    assert {f"class_{k}" for k in CLASSES if k != "ended"} <= set(keys)
    # Each scenario's class shares and its share ended add up to everyone.
    for side in ("a", "b"):
        total = sum(getattr(e, side) for e in c.effects if e.outcome.startswith("class_"))
        assert total + getattr(c.effect("ended"), side) == pytest.approx(1.0)
    threat = c.effect("threat_deep_b")
    assert threat.a == pytest.approx(float(a["threat_deep"][:, -1, 1].mean()))
    assert threat.b == pytest.approx(float(b["threat_deep"][:, -1, 1].mean()))
    assert c.effect("sat_a").b == pytest.approx(float(b["sat"][:, -1, 0].mean()))
    assert "who pulled back more" in c.effect("threat_deep_a").label
    for e in c.effects:
        assert e.diff == pytest.approx(e.b - e.a)
        assert e.low - 1e-12 <= e.diff <= e.high + 1e-12, e


def test_person_effects(person_runs) -> None:
    c = compare(*person_runs)
    assert c.kind == "person" and c.changes == ("world.forced: 0 (default) -> 1",)
    keys = {e.outcome for e in c.effects}
    assert {"threat_deep_end", "automatic_share", "acceptance_deep", "longing"} <= keys
    # Sharing every time with a warm partner lets the deep threat fall within three months, for
    # every one of these people (in the run behind the shipped scenario it falls from about
    # 0.67 to 0.04 in a year): a large effect, clear even at n = 24.
    threat = c.effect("threat_deep_end")
    assert threat.diff < -0.1 and threat.high < 0
    assert c.effect("acceptance_deep").b == pytest.approx(1.0)


def test_compare_refuses_runs_that_are_not_pairs(couple_runs, person_runs, one_line) -> None:
    a, b = couple_runs
    with pytest.raises(InputError) as e:
        compare(a, person_runs[0])
    one_line(e.value, "'kind'", "'couple'", "'person'")
    longer = b.copy()
    longer.attrs["scenario"] = json.dumps({**json.loads(b.attrs["scenario"]), "days": 365})
    with pytest.raises(InputError) as e:
        compare(a, longer)
    one_line(e.value, "'days'", str(DAYS), "365")
    other_seed = b.copy()
    other_seed.attrs["seed"] = SEED + 1
    with pytest.raises(InputError) as e:
        compare(a, other_seed)
    one_line(e.value, "'seed'", str(SEED))


def test_write_comparison_of_people(person_runs, tmp_path: Path) -> None:
    a, b = person_runs
    path = write_comparison(a, b, tmp_path / "out")
    out = path.parent
    page = path.read_text(encoding="utf-8")
    assert "988" in page and "data:image/png;base64," in page and "<script" not in page
    assert "world.forced: 0 (default) -&gt; 1" in page
    for sub in ("warm-partner", "made-to-approach"):
        assert (out / sub / "report.html").exists()
        assert f'href="{sub}/report.html"' in page
    story = (out / "story.txt").read_text(encoding="utf-8")
    assert story.rstrip().endswith(NOTICE) and "felt threat at the deepest levels" in story


# ---------------------------------------------------------------------------------------------
# The command


def _one_error_line(output: str) -> str:
    lines = [ln for ln in output.splitlines() if ln.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("error:") and "Traceback" not in output
    return lines[0]


@pytest.fixture(scope="module")
def tomls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sc")
    base = f'kind = "couple"\ndays = {DAYS}\na = "avoidant"\nb = "anxious"\n'
    texts = {
        "usual": f'name = "usual"\n{base}',
        "slower": f'name = "slower"\n{base}[relationship]\ndeepen_days = 1000\nbid_rate = 0.3\n',
        "long": f'name = "long"\n{base.replace(str(DAYS), "400")}',
    }
    paths = {}
    for name, text in texts.items():
        paths[name] = folder / f"{name}.toml"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def test_run_compare_writes_one_report_of_both(tomls, tmp_path: Path) -> None:
    out = tmp_path / "what-if"
    args = ["run", str(tomls["usual"]), "--compare", str(tomls["slower"]), "--out", str(out)]
    res = runner.invoke(app, [*args, "--n", "20", "--seed", "5"])
    assert res.exit_code == 0, res.output
    assert f"Comparison written to {out / 'report.html'}" in res.output
    for name in ("report.html", "comparison.csv", "story.txt", "run.json"):
        assert (out / name).stat().st_size > 0, name
    for sub in ("usual", "slower"):
        assert (out / sub / "report.html").exists() and (out / sub / "results.nc").exists()
    assert not (out / "diary.csv").exists()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "988" in page and "not a diagnosis or treatment" in page
    assert "relationship.bid_rate: 0.6 (default) -&gt; 0.3" in page
    story = (out / "story.txt").read_text(encoding="utf-8")
    assert "988" in story and "relationship.deepen_days: 365 (default) -> 1000" in story
    table = pd.read_csv(out / "comparison.csv")
    assert list(table.columns) == [
        "outcome",
        "description",
        "value_a",
        "value_b",
        "difference",
        "ci_low",
        "ci_high",
        "unit",
    ]
    assert "ended" in set(table["outcome"]) and "threat_deep_a" in set(table["outcome"])
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert (run["seed"], run["n"], run["days"]) == (5, 20, DAYS)
    assert run["a"]["scenario_name"] == "usual" and run["b"]["scenario_name"] == "slower"
    assert run["a"]["folder"] == "usual" and run["notice"] == NOTICE


def test_run_compare_bad_input_is_one_line(tomls, tmp_path: Path) -> None:
    out = tmp_path / "never"
    cases = [
        (["run", "warm-partner", "--compare", str(tomls["usual"])], ("'kind'", "'person'")),
        (["run", str(tomls["usual"]), "--compare", str(tomls["long"])], ("'days'", "90", "400")),
        (["run", str(tomls["usual"]), "--compare", "no-such-scenario"], ("no-such-scenario",)),
    ]
    for args, parts in cases:
        res = runner.invoke(app, [*args, "--out", str(out), "--n", "4"])
        assert res.exit_code == 2, res.output
        line = _one_error_line(res.output)
        for p in parts:
            assert p in line, line
    assert not out.exists()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    args = ["run", str(tomls["usual"]), "--compare", str(tomls["usual"]), "--out", str(foreign)]
    res = runner.invoke(app, [*args, "--n", "4"])
    assert res.exit_code == 2 and "--force" in _one_error_line(res.output)
