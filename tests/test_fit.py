"""The fit (closeloop.fit): the one summary function, the fitting prior, the shipped network
(tied to the model's behaviour, calibrated on fresh simulations, and a negative control that
the calibration check can fail), ``closeloop fit`` end to end, and bad input answered with one
line, exit 2 and nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from closeloop.cli import app
from closeloop.fit import checks, diaries, flow, prior, simulate, summaries, train
from closeloop.fit.api import load_network
from closeloop.observation import read_diary, write_diary

runner = CliRunner()
DAYS = 60
"""The shipped network's diary length (one engine compilation for every run here)."""


def _one_error_line(output: str) -> str:
    lines = [ln for ln in output.splitlines() if ln.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("error:") and "Traceback" not in output
    return lines[0]


@pytest.fixture(scope="module")
def sim() -> tuple[pd.DataFrame, np.ndarray]:
    """Eight prior couples of 60 days, apart from training and validation."""
    return simulate.simulate(8, 5, DAYS, first=700_000_000)


@pytest.fixture(scope="module")
def diary_file(sim: tuple[pd.DataFrame, np.ndarray], tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("diary")
    write_diary(sim[0], folder)
    return folder


def test_summaries_same_for_simulated_and_read_back_tables(sim, diary_file: Path) -> None:
    ids, s, n = summaries.summarise(sim[0], DAYS)
    for name in ("diary.csv", "diary.parquet"):
        ids2, s2, n2 = summaries.summarise(read_diary(diary_file / name), DAYS)
        np.testing.assert_array_equal(ids, ids2)
        np.testing.assert_array_equal(s, s2)
        np.testing.assert_array_equal(n, n2)
    assert s.shape == (8, len(summaries.NAMES)) and np.isfinite(s).all()


def test_summaries_never_read_the_simulation_labels(sim) -> None:
    table = sim[0].copy()
    table["preset"] = (
        table["preset"].cat.codes.map(lambda _: "secure").astype(table["preset"].dtype)
    )
    table["partner_preset"] = table["preset"]
    a = summaries.summarise(sim[0], DAYS)[1]
    b = summaries.summarise(table, DAYS)[1]
    np.testing.assert_array_equal(a, b)
    assert "preset" not in summaries.READ and "partner_preset" not in summaries.READ


def test_prior_draws_stay_inside_bounds_and_transforms_round_trip() -> None:
    d = prior.draw(2000, 1)
    for q in prior.DRAWN:
        assert q.prior is not None
        assert d[q.name].min() >= q.low and d[q.name].max() <= q.high, q.name
        assert d[q.name].std() > 0.2 * (q.high - q.low) / np.sqrt(12), q.name
    x = np.stack([d[q.name] if q.prior else np.full(2000, 0.3) for q in prior.QUANTITIES], 1)
    back = prior.from_unbounded(prior.to_unbounded(x))
    np.testing.assert_allclose(back, x, atol=1e-3 * 4)


def test_shipped_network_matches_the_current_model() -> None:
    """Fails when the model's behaviour changes: retrain with `closeloop fit --train`."""
    _, man = load_network()
    now = train.fingerprint(int(man["days"]))
    old = np.asarray(man["fingerprint"])
    diff = np.abs(np.asarray(now) - old)
    worst = int(np.argmax(diff))
    assert diff.max() <= train.FINGERPRINT_TOLERANCE, (
        f"the model's behaviour changed ({summaries.NAMES[worst]}: {old[worst]} -> "
        f"{now[worst]}): retrain the shipped network with `uv run closeloop fit --train`"
    )


def test_shipped_network_is_calibrated_and_a_shrunk_posterior_is_not() -> None:
    net, man = load_network()
    s, truth = train.simulate_set(120, 31, int(man["days"]), first=800_000_000)
    draws = prior.from_unbounded(flow.sample(net, s, 200, 3))
    lo, hi = np.quantile(draws, 0.05, axis=1), np.quantile(draws, 0.95, axis=1)
    coverage = ((truth >= lo) & (truth <= hi)).mean()
    # 1,320 intervals (120 couples x 11 quantities): the band is about 4 standard errors wide.
    assert 0.82 <= coverage <= 0.96, coverage
    shrunk = checks.shrink(draws, 0.5)
    lo, hi = np.quantile(shrunk, 0.05, axis=1), np.quantile(shrunk, 0.95, axis=1)
    assert ((truth >= lo) & (truth <= hi)).mean() < 0.82
    # The identifiable quantities are recovered on fresh couples too.
    for j, q in enumerate(prior.QUANTITIES):
        if man["validation"]["metrics"][q.name]["identifiable"]:
            assert np.corrcoef(draws[:, :, j].mean(1), truth[:, j])[0, 1] >= 0.7, q.name


def test_calibration_checks_can_fail() -> None:
    rng = np.random.default_rng(0)
    truth = rng.normal(size=1000)
    noise = rng.normal(size=1000)
    # An exact posterior: truth | y ~ N(y/2, 1/2) with y = truth + noise.
    y = truth + noise
    draws = y[:, None] / 2 + np.sqrt(0.5) * rng.normal(size=(1000, 200))
    good = checks.quantity(draws, truth)
    assert good.calibrated and abs(good.r**2 - good.contraction) < 0.1
    assert not checks.quantity(checks.shrink(draws, 0.5), truth).calibrated
    assert not checks.quantity(checks.shift(draws, 0.5), truth).sbc_pass


def test_a_simpler_models_diaries_are_flagged_and_the_models_own_are_not(sim) -> None:
    """Diaries whose responses and ratings are random (a model without any of the couple's
    dynamics) are flagged as unlike training; well-specified ones almost never are. (Diaries of
    the model with one mechanism ablated are mostly not flagged: docs/fitting.md, negative
    controls.)"""
    from closeloop.fit.study import null_model

    net, man = load_network()
    days = int(man["days"])
    table, _ = simulate.simulate(60, 9, days, first=810_000_000)
    _, s_ok, _ = summaries.summarise(table, days)
    _, s_null, _ = summaries.summarise(null_model(table, 9), days)
    assert (flow.ood_distance(net, s_null) > net.ood_limit).mean() >= 0.8
    assert (flow.ood_distance(net, s_ok) > net.ood_limit).mean() <= 0.05


@pytest.fixture(scope="module")
def fitted(diary_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fit") / "out"
    args = ["fit", str(diary_file / "diary.parquet"), "--out", str(out), "--draws", "200"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return out


def test_fit_writes_posterior_summaries_checks_and_report(fitted: Path) -> None:
    import arviz as az

    for name in (
        "posterior.nc",
        "summary.csv",
        "summary.parquet",
        "couples.csv",
        "ppc.csv",
        "fit.json",
        "report.html",
        "posteriors.png",
        "predictive_bands.png",
    ):
        assert (fitted / name).stat().st_size > 0, name
    idata = az.from_netcdf(fitted / "posterior.nc")
    post = idata["posterior"]
    assert set(prior.NAMES) <= set(post.data_vars) and post.sizes["draw"] == 200
    summary = pd.read_csv(fitted / "summary.csv")
    assert set(summary["quantity"]) == set(prior.NAMES)
    html = (fitted / "report.html").read_text(encoding="utf-8")
    assert "988" in html and "not a diagnosis" in html
    info = json.loads((fitted / "fit.json").read_text(encoding="utf-8"))
    assert info["fitted"] + (pd.read_csv(fitted / "couples.csv")["status"] != "fitted").sum() == 8


def test_unfittable_couples_are_reported_not_dropped(sim) -> None:
    table = sim[0].copy()
    first, second = sorted(table["couple"].unique())[:2]
    silent = table["couple"] == first
    for col in ("bids_made", "bids_received"):
        table.loc[silent, col] = 0
    for col in ("bid_depth", "response", "partner_response"):
        table.loc[silent, col] = pd.NA
    table = table[(table["couple"] != second) | (table["day"] < 20)]
    table = table[~((table["couple"] == second) & (table["ended"] == 1))]
    st = diaries.status(diaries.load(table), DAYS)
    assert st[first] == diaries.NO_BIDS and st[second] == diaries.TOO_SHORT
    before = diaries.status(sim[0], DAYS)
    others = [c for c in before.index if c not in (first, second)]
    assert (st[others] == before[others]).all() and len(st) == 8


def _table(sim) -> pd.DataFrame:
    return sim[0][sim[0]["couple"] == sim[0]["couple"].min()].copy()


BAD = {
    "missing column": lambda t: t.drop(columns=["stress"]),
    "unknown column": lambda t: t.assign(mood=1),
    "wrong type": lambda t: t.astype({"closeness": "string"}).assign(
        closeness=lambda d: d["closeness"].where(d.index != d.index[3], "high")
    ),
    "rating outside the scale": lambda t: t.assign(
        satisfaction=t["satisfaction"].where(t.index != t.index[5], 9)
    ),
    "duplicated day": lambda t: pd.concat([t, t.iloc[[4]]]),
    "day missing": lambda t: t[t["day"] != 7],
    "not from day 0": lambda t: t[t["day"] >= 3],
    "empty table": lambda t: t.iloc[:0],
    "two days": lambda t: t[t["day"] < 2],
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_diaries_exit_2_with_one_line_and_write_nothing(case: str, sim, tmp_path: Path) -> None:
    path = tmp_path / "diary.csv"
    BAD[case](_table(sim)).to_csv(path, index=False)
    out = tmp_path / "out"
    res = runner.invoke(app, ["fit", str(path), "--out", str(out)])
    assert res.exit_code == 2, res.output
    _one_error_line(res.output)
    assert not out.exists()


def test_fit_needs_a_diary_and_an_out(tmp_path: Path) -> None:
    res = runner.invoke(app, ["fit", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "DIARY" in _one_error_line(res.output)
    res = runner.invoke(app, ["fit", str(tmp_path / "none.csv")])
    assert res.exit_code == 2 and "--out" in _one_error_line(res.output)


@pytest.mark.slow
def test_training_from_scratch_gives_a_working_network(tmp_path: Path) -> None:
    man = train.train(sims=4096, seed=11, out=tmp_path)
    net, _ = load_network(tmp_path)
    metrics = man["validation"]["metrics"]
    assert metrics["base_quality"]["r"] >= 0.8 and metrics["bid_rate"]["r"] >= 0.8
    cover = np.mean([m["coverage90"] for m in metrics.values()])
    assert 0.8 <= cover <= 0.97
    assert net.dim == len(prior.QUANTITIES)


def test_docs_fitting_has_every_generated_table_and_the_current_prior() -> None:
    from closeloop.markdown import table

    text = (Path(__file__).resolve().parents[1] / "docs" / "fitting.md").read_text("utf-8")
    for name in (
        "fit-network",
        "fit-prior",
        "fit-identifiability",
        "fit-lengths",
        "fit-controls",
        "fit-bench",
    ):
        assert f"<!-- BEGIN GENERATED: {name} -->" in text, name
    prior_table = table(["quantity", "kind", "prior", "meaning"], prior.describe())
    assert prior_table in text, "docs/fitting.md is stale: run `uv run python tools/fit_study.py`"
