"""Study design: the study file's validation, what a design records, the summary's
definitions, and the shipped example end to end (in-process, and on a Dask scheduler with two
worker processes giving the same bits)."""

from __future__ import annotations

import html
import json
import math
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from closeloop.cli import app
from closeloop.design import load_study, parse_study
from closeloop.design.run import run_study, simulate_study
from closeloop.design.sample import assignment, observe
from closeloop.design.spec import Point
from closeloop.design.summary import cheapest, point_table
from closeloop.errors import InputError
from closeloop.simulation import NOTICE
from closeloop.sweep.worker_loss import local_processes

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "diary-study.toml"
BASE: dict[str, Any] = tomllib.loads(EXAMPLE.read_text())


def study(**changes: Any) -> Any:
    return parse_study({**BASE, **changes})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"colour": 1}, "colour"),
        ({"replications": 1}, "replications"),
        ({"replications": 2.5}, "replications"),
        ({"seed": -1}, "seed"),
        ({"population": {"scenario": "no-such-scenario"}}, "scenario"),
        ({"population": {"scenario": "rising-closeness"}}, "population.scenario"),
        ({"population": {"scenario": {"avoidant-anxious": -1}}}, "population.scenario"),
        ({"population": {"scenario": "avoidant-anxious", "when": 1}}, "population.when"),
        ({"design": {"couples": [1], "days": [14]}}, "design.couples"),
        ({"design": {"couples": [8], "days": [2]}}, "design.days"),
        ({"design": {"couples": [8]}}, "design"),
        ({"design": {"couples": [8], "days": [14], "compliance": [1.5]}}, "design.compliance"),
        ({"design": {"couples": [8], "days": [14], "breakup": ["vanish"]}}, "design.breakup"),
        ({"design": {"couples": [8], "days": [14], "prompts": [0]}}, "design.prompts"),
        ({"analyses": []}, "analyses"),
        ({"analyses": [{"kind": "anova"}]}, "analyses[0].kind"),
        ({"analyses": [{"kind": "ar1", "effect": "partner"}]}, "analyses[0].effect"),
        ({"analyses": [{"kind": "ar1", "variable": "mood"}]}, "analyses[0].variable"),
        ({"analyses": [{"kind": "cross-lagged", "variable": "stress"}]}, "analyses[0].variable"),
        ({"analyses": [{"kind": "ar1", "alpha": 2}]}, "analyses[0].alpha"),
        ({"target": {"analysis": "nothing"}}, "target.analysis"),
        ({"target": {"power": 1.5}}, "target.power"),
        ({"budget": {"per_couple": -1}}, "budget.per_couple"),
        ({"assurance": {"parameters": ["no_such"], "replications": 2}}, "assurance.parameters"),
        ({"assurance": {"parameters": ["bid_rate"]}}, "assurance.replications"),
    ],
)
def test_bad_study_files_are_one_line_errors(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as e:
        study(**changes)
    msg = str(e.value)
    assert "\n" not in msg and field in msg, msg


def test_the_example_is_a_valid_small_study() -> None:
    s = load_study(EXAMPLE)
    assert "study" in EXAMPLE.name and s.name == "diary-study"
    assert len(s.points) == len(s.couples) * len(s.days)
    # Couples vary fastest, so a power curve over couples is consecutive points.
    assert [p.couples for p in s.points[:2]] == sorted(s.couples)
    load_study(ROOT / "examples" / "pursue-withdraw-study.toml")


def test_a_mix_keeps_every_prefix_close_to_its_weights() -> None:
    a = assignment((0.25, 0.75), 40)
    for n in (4, 8, 20, 40):
        assert abs(np.mean(a[:n] == 0) - 0.25) <= 1 / n


def _pop(n: int = 6, days: int = 10) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    pop = {k: rng.random((n, days, 2)) for k in ("closeness", "satisfaction", "stress")}
    pop["bids"] = (rng.random((n, days, 2)) < 0.5).astype(float)
    pop["withdrew"] = (rng.random((n, days, 2)) < 0.2).astype(float)
    pop["bids"][0, 4:] = np.nan  # couple 0 breaks up on day 3
    pop["end"] = np.full(n, float(days))
    pop["end"][0] = 3.0
    return pop


def test_what_a_design_records() -> None:
    pop = _pop()
    rng = np.random.default_rng(1)
    u, z = rng.random((6, 10, 2, 3)), rng.standard_normal((6, 10, 2, 3, 3))
    full = observe(pop, u, z, Point(6, 10, 1, 1.0, 0.0, "dropout"))
    assert np.isfinite(full["bids"][1:]).all() and np.isnan(full["bids"][0, 4:]).all()
    # Compliance that decays: fewer days reported late in the diary than early.
    decayed = observe(pop, u, z, Point(6, 10, 1, 0.9, 0.2, "dropout"))
    seen = np.isfinite(decayed["bids"][1:])
    assert seen[:, :3].mean() > seen[:, -3:].mean()
    # Completers only: the couple that broke up is left out.
    assert len(observe(pop, u, z, Point(6, 10, 1, 1.0, 0.0, "completers"))["bids"]) == 5
    # More prompts average more answers: ratings move less from day to day.
    one = observe(pop, u, z, Point(6, 10, 1, 1.0, 0.0, "dropout"))["closeness"]
    three = observe(pop, u, z, Point(6, 10, 3, 1.0, 0.0, "dropout"))["closeness"]
    assert np.nanstd(three - one) > 0
    # A smaller design is a part of the larger one.
    small = observe(pop, u, z, Point(3, 6, 1, 0.9, 0.2, "dropout"))
    np.testing.assert_array_equal(small["closeness"], decayed["closeness"][:3, :6])


def test_power_counts_failed_fits_as_no_detection() -> None:
    s = study(design={"couples": [8], "days": [14]}, replications=4)
    name = s.analyses[0].name
    reps = pd.DataFrame(
        {
            "replication": range(4),
            "assurance": False,
            "point": 0,
            "analysis": name,
            "estimate": [0.3, 0.25, 0.1, np.nan],
            "se": [0.05, 0.05, 0.1, np.nan],
            "p": [1e-6, 1e-5, 0.3, np.nan],
            "lo": [0.21, 0.15, -0.1, np.nan],
            "hi": [0.4, 0.35, 0.3, np.nan],
            "status": ["ok", "boundary", "not-converged", "failed"],
            "n_obs": 100,
            "couples_analysed": 8,
            "days_reported": 1.0,
        }
    )
    truth = pd.DataFrame({"days": [14], "analysis": [name], "truth": [0.2], "truth_se": [0.01]})
    row = point_table(s, reps, truth).set_index("analysis").loc[name]
    assert row["power"] == 0.5 and math.isclose(row["power_fitted"], 2 / 3)
    assert math.isclose(row["power_mcse"], 0.25)
    assert math.isclose(row["bias"], (0.1 + 0.05 - 0.1) / 3)
    assert math.isclose(row["coverage"], 2 / 3)
    assert (row["ok"], row["boundary"], row["not_converged"], row["failed"]) == (1, 1, 1, 1)


def test_the_cheapest_design_within_the_budget() -> None:
    s = study(budget={"per_couple": 10.0, "per_day": 1.0, "max": 500.0})
    name = s.target_analysis
    pts = pd.DataFrame(
        {
            "point": range(4),
            "couples": [8, 16, 8, 16],
            "days": [14, 14, 21, 21],
            "prompts": 1,
            "compliance": 0.9,
            "compliance_decay": 0.01,
            "breakup": "dropout",
            "analysis": name,
            "power": [0.5, 0.85, 0.82, 0.95],
            "power_mcse": 0.02,
            "cost": [s.cost(p) for p in s.points],
        }
    )
    best = cheapest(s, pts)
    assert best["found"] and (best["couples"], best["days"]) == (8, 21)  # 248 < 384
    assert not cheapest(study(budget={"max": 1.0}), pts)["found"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, jax_cache: Path) -> Path:
    """The example run in a plain loop in this process, into a folder."""
    out = tmp_path_factory.mktemp("study")
    run_study(load_study(EXAMPLE), out, scheduler="inline")
    return out


@pytest.mark.slow
def test_the_example_writes_its_tables_and_report(reference: Path) -> None:
    spec = load_study(EXAMPLE)
    points = pd.read_parquet(reference / "points.parquet")
    reps = pd.read_parquet(reference / "replications.parquet")
    assert len(points) == len(spec.points) * len(spec.analyses)
    n_reps = spec.replications + spec.assurance_replications
    assert len(reps) == n_reps * len(spec.points) * len(spec.analyses)
    drawn = reps[reps["assurance"]]["prior_bid_rate"]
    assert drawn.notna().all() and drawn.nunique() == spec.assurance_replications
    assert points["assurance"].between(0, 1).all()
    assert points["power"].between(0, 1).all() and points["truth"].notna().all()
    counts = points[["ok", "boundary", "not_converged", "failed"]].sum(axis=1)
    assert (counts == spec.replications).all()  # every fit counted, none dropped
    page = (reference / "report.html").read_text()
    assert (
        html.escape(NOTICE) in page and "Plain reading" in page and "data:image/png;base64" in page
    )
    info = json.loads((reference / "run.json").read_text())
    assert info["hash"] == spec.digest() and "found" in info["cheapest"]


@pytest.fixture
def cluster(jax_cache: Path, reference: Path) -> Iterator[str]:
    """A Dask scheduler and two single-thread workers, each its own process on 127.0.0.1."""
    with local_processes(env={"JAX_COMPILATION_CACHE_DIR": str(jax_cache)}) as (address, _):
        yield address


@pytest.mark.slow
def test_a_dask_scheduler_with_two_workers_gives_the_same_bits(
    reference: Path, cluster: str
) -> None:
    tables = simulate_study(load_study(EXAMPLE), scheduler=cluster)
    assert tables["cluster"]["address"].iloc[0] == cluster
    for name in ("replications", "truth", "points"):
        expected = pd.read_parquet(reference / f"{name}.parquet")
        pd.testing.assert_frame_equal(tables[name], expected, check_exact=True)


def test_the_cli_refuses_a_bad_study_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad-study.toml"
    bad.write_text('colour = "blue"\n')
    res = CliRunner().invoke(app, ["design", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "colour" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(app, ["design", str(tmp_path / "none.toml"), "--out", "o"])
    assert res.exit_code == 2
