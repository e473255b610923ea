"""Study design's recovery analysis: the study file's checks against the posterior network's
diary window, the per-couple sums and what a design point reports (out-of-distribution couples
counted as failed fits), and a tiny study end to end against each couple's true values."""

from __future__ import annotations

import copy
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from closeloop.cli import app
from closeloop.design import load_study, parse_study, run_study
from closeloop.design.analyses import FAILED, OK
from closeloop.design.recovery import metrics, point_rows
from closeloop.design.spec import Point
from closeloop.design.window import window
from closeloop.errors import InputError
from closeloop.fit.prior import NAMES, QUANTITIES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "recovery-study.toml"
BASE: dict[str, Any] = tomllib.loads(EXAMPLE.read_text())


def changed(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    where: Any = data
    for k in path[:-1]:
        where = where[k]
    where[path[-1]] = value
    return data


def test_the_example_matches_the_networks_window() -> None:
    w = window()
    s = load_study(EXAMPLE)
    assert s.days == (w["days"],) and s.start_day == w["start_day"]
    assert s.prompts == (w["prompts"],) and s.compliance == (1.0,)
    kinds = {a.kind for a in s.analyses}
    assert kinds == {"recovery"}
    assert s.target_analysis == "base-quality"


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("design", "days"), [30, 60], "design.days"),
        (("design", "days"), [61], "design.days"),
        (("population", "start_day"), 30, "population.start_day"),
        (("design", "prompts"), [2], "design.prompts"),
        (("design", "compliance"), [0.9], "design.compliance"),
        (("design", "compliance_decay"), [0.01], "design.compliance_decay"),
        (("analyses", 0, "quantity"), "closeness", "analyses[0].quantity"),
        (("analyses", 0, "variable"), "stress", "analyses[0].variable"),
        (("analyses", 0, "null"), "high", "analyses[0].null"),
        (("analyses", 1, "alpha"), 0.9, "analyses[1].alpha"),
        (("target", "analysis"), "starting-threat", "target.analysis"),
    ],
)
def test_a_study_the_network_cannot_fit_is_refused_in_one_line(
    path: tuple[str | int, ...], value: Any, field: str
) -> None:
    with pytest.raises(InputError) as e:
        parse_study(changed(path, value))
    msg = str(e.value)
    assert "\n" not in msg and field in msg, msg
    if field.startswith(("design", "population")):
        assert f"{window()['days']} days" in msg  # says what the network was trained on


def test_a_null_belongs_to_recovery_only() -> None:
    data = copy.deepcopy(BASE)
    data["analyses"].append({"kind": "ar1", "null": 0.0})
    with pytest.raises(InputError, match=r"analyses\[2\]\.null"):
        parse_study(data)


def test_the_cli_refuses_a_window_the_network_was_not_trained_on(tmp_path: Path) -> None:
    bad = tmp_path / "short-study.toml"
    bad.write_text(EXAMPLE.read_text().replace("days = [60]", "days = [14]"))
    res = CliRunner().invoke(app, ["design", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "design.days" in res.output and "Traceback" not in res.output


def _posterior(n: int, ood: np.ndarray, fittable: np.ndarray, truth: np.ndarray) -> Any:
    """Draws centred on each couple's truth (sd 0.05), so the sums are predictable."""
    rng = np.random.default_rng(0)
    draws = truth[:, None, :] + 0.05 * rng.standard_normal((n, 4000, len(QUANTITIES)))
    draws[~fittable] = np.nan
    return {"draws": draws, "index": np.arange(len(QUANTITIES)), "ood": ood, "fittable": fittable}


def test_out_of_distribution_couples_are_failed_fits_counted_not_dropped() -> None:
    s = load_study(EXAMPLE)
    a = s.analyses[0]
    j = NAMES.index(a.quantity)
    n = 6
    truth = np.full((n, len(QUANTITIES)), 0.3)
    truth[:, j] = np.linspace(0.2, 0.45, n)
    ood = np.array([False, True, False, False, True, False])
    fittable = np.array([True, True, True, False, True, True])
    post = _posterior(n, ood, fittable, truth)
    end = np.full(n, 60.0)
    row = point_rows(a, post, truth, end, Point(n, 60, 1, 1.0, 0.0, "dropout"))
    assert row["couples_fitted"] == 3 and row["couples_ood"] == 2
    assert row["couples_unfittable"] == 1 and row["couples_analysed"] == n
    assert row["status"] == OK
    # The population-mean estimate is over the three fitted couples only.
    assert row["truth_mean"] == pytest.approx(truth[[0, 2, 5], j].mean())
    assert row["estimate"] == pytest.approx(row["truth_mean"], abs=0.01)
    assert row["excludes_null"] == 1.0  # the mean (about 0.32) is far from 0.5 at sd 0.03
    # A completers-only point leaves out the couples whose diary ended early.
    end2 = end.copy()
    end2[0] = 10
    row2 = point_rows(a, post, truth, end2, Point(n, 60, 1, 1.0, 0.0, "completers"))
    assert row2["couples_analysed"] == n - 1 and row2["couples_fitted"] == 2
    # Every couple out of distribution: the study's fit failed, no estimate, no detection.
    none = point_rows(
        a, {**post, "ood": np.ones(n, bool)}, truth, end, Point(n, 60, 1, 1, 0, "dropout")
    )
    assert none["status"] == FAILED and math.isnan(none["estimate"])
    reps = pd.DataFrame([row, none])
    m = metrics(reps, a, reps.iloc[:0])
    assert m["power"] == 0.5  # the failed study counts as no detection
    # The unfittable couple is counted once, as unfittable, not also as out of distribution.
    assert m["couples_fitted"] == 3 and m["couples_ood"] == 2 + (n - 1)
    assert m["couples_unfittable"] == 2
    assert abs(m["bias"]) < 0.02 and 0.5 <= m["coverage"] <= 1.0
    assert math.isnan(m["assurance"])
    unnamed = metrics(reps, s.analyses[1], reps.iloc[:0])
    assert math.isnan(unnamed["power"])  # no null: recovery metrics only


@pytest.mark.slow  # about 20 s: the engine's and the flow's compilation, tables and report
def test_a_tiny_study_recovers_each_couples_true_values(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data.update(replications=2, seed=9)
    data["design"]["couples"] = [3, 6]
    data["analyses"].append({"name": "threshold", "kind": "recovery", "quantity": "threshold_a"})
    data["assurance"] = {"parameters": ["base_quality"], "replications": 1}
    spec = parse_study(data)
    tables = run_study(spec, tmp_path, scheduler="inline")
    for name in ("replications", "points", "truth"):
        back = pd.read_parquet(tmp_path / f"{name}.parquet")
        pd.testing.assert_frame_equal(back, tables[name], check_dtype=False)
    page = (tmp_path / "report.html").read_text()
    assert "988" in page and "posterior mean of base_quality" in page
    assert "No null value was named" in page
    reps, pts = tables["replications"], tables["points"]
    # An assurance replication's true base quality is the value drawn from its prior.
    drawn = reps[reps["assurance"] & (reps["analysis"] == "base-quality")]
    assert np.allclose(drawn["truth_mean"], drawn["prior_base_quality"])
    reps = reps[~reps["assurance"]]
    assert len(reps) == 2 * 2 * 3 and len(pts) == 2 * 3
    assert tables["truth"].empty  # recovery only: no large truth study
    # Every couple of every study is accounted for: fitted, out of distribution or unfittable.
    counted = reps["couples_fitted"] + reps["couples_ood"] + reps["couples_unfittable"]
    assert (counted == reps["couples_analysed"]).all()
    bq = pts[pts["analysis"] == "base-quality"]
    # The scenario keeps base quality at its declared default: every couple's truth.
    from closeloop.params import SPECS

    assert np.allclose(bq["truth"], SPECS["base_quality"].default)
    # The network must beat the prior: RMSE under half the prior's sd (validation: r 0.98).
    prior_sd = 1 / math.sqrt(12)
    assert (bq["rmse"] < prior_sd / 2).all(), bq["rmse"]
    assert bq["power"].between(0, 1).all()
    for name in ("starting-threat", "threshold"):
        g = pts[pts["analysis"] == name]
        assert g["power"].isna().all()  # no null named
        assert g["coverage"].between(0, 1).all() and (g["width"] > 0).all()
    # The per-couple truths of a trait vary from couple to couple (the simulation's own).
    th = reps[reps["analysis"] == "threshold"]
    assert th["truth_mean"].nunique() > 1
