"""Calibration against published figures (docs/calibration.md): each figure's row, the fixed
held-out third, the loss, the search's determinism, ``closeloop validate`` end to end and its
refusal of a bad parameters file."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from closeloop.calibration import (
    FIGURES,
    HELD_OUT,
    Band,
    Measure,
    Row,
    held_out_ids,
    load_params,
    params_from,
    render_json,
    render_text,
    to_toml,
    total_loss,
)
from closeloop.calibration.rows import MISSING_DISTANCE, corr_ci, proportion_ci
from closeloop.calibration.runs import Runs, Setting
from closeloop.calibration.search import HISTORY_SEARCHED, NAMES, search
from closeloop.cli import app
from closeloop.errors import InputError

runner = CliRunner()


def _one_error_line(output: str) -> str:
    lines = [ln for ln in output.splitlines() if ln.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("error:") and "Traceback" not in output
    return lines[0]


def _measure(value: float, band: Band) -> Measure:
    return Measure("m", "a measure", value, value, value, band, 10)


# --- the held-out third -------------------------------------------------------------------


def test_held_out_third_is_the_documented_draw() -> None:
    assert list(FIGURES) == [f"K{i}" for i in range(1, 12)]
    assert HELD_OUT == ("K2", "K6", "K8", "K9")  # docs/calibration.md 3, fixed before any run
    assert held_out_ids() == HELD_OUT
    assert len(HELD_OUT) == math.ceil(len(FIGURES) / 3)
    assert held_out_ids(12) != HELD_OUT  # the seed, not the code, picks them


# --- the loss -----------------------------------------------------------------------------


def test_loss_is_zero_inside_the_band_and_grows_outside() -> None:
    band = Band(0.5, 0.4, 0.6, 0.1, "why")
    assert band.distance(0.4) == band.distance(0.55) == band.distance(0.6) == 0.0
    assert band.distance(0.7) == pytest.approx(1.0)
    assert band.distance(0.2) == pytest.approx(2.0)
    assert band.distance(0.9) > band.distance(0.7) > 0.0
    assert band.distance(math.nan) == MISSING_DISTANCE
    one_sided = Band(None, 0.0, math.inf, 0.05, "why")
    assert one_sided.distance(3.0) == 0.0 and one_sided.distance(-0.1) == pytest.approx(2.0)

    inside = Row("K1", "f", "s", (_measure(0.5, band),))
    outside = Row("K2", "f", "s", (_measure(0.8, band), _measure(0.5, band)))
    held = Row("K3", "f", "s", (_measure(0.9, band),), held_out=True)
    gap = Row("K4", "f", "s", missing="a measure")
    assert inside.loss() == 0.0 and inside.verdict == "pass"
    assert outside.loss() == pytest.approx((2.0**2 + 0.0) / 2) and outside.verdict == "fail"
    assert gap.verdict == "not expressible" and gap.loss() == 0.0
    rows = [inside, outside, held, gap]
    assert total_loss(rows) == pytest.approx(2.0)
    assert total_loss(rows, held_out=True) == pytest.approx(9.0)


def test_intervals_hold_their_values() -> None:
    p = proportion_ci(20, 100)
    assert p.lo < 0.2 < p.hi and p.n == 100
    x = np.arange(50.0)
    r = corr_ci(x, x + np.sin(x))
    assert r.lo < r.value < r.hi <= 1.0
    assert math.isnan(corr_ci(x, np.ones(50)).value)  # no variance: no correlation


# --- the search ---------------------------------------------------------------------------


def _fake(points: list[dict[str, float]]) -> list[tuple[float, list[Row]]]:
    """A cheap, known loss: distance of each parameter's share of its range from 0.3."""
    from closeloop.params import SPECS

    out = []
    for p in points:
        u = [(p[k] - SPECS[k].low) / (SPECS[k].high - SPECS[k].low) for k in NAMES]
        loss = float(sum((x - 0.3) ** 2 for x in u))
        out.append((loss, [Row("K11", "f", "s", (_measure(loss, Band(0, 0, 0, 1, "r")),))]))
    return out


def test_search_is_deterministic_for_a_seed_and_refines() -> None:
    a = search(24, seed=5, evaluate=_fake)
    b = search(24, seed=5, evaluate=_fake)
    c = search(24, seed=6, evaluate=_fake)
    assert len(a) == 24
    assert [p.values for p in a] == [p.values for p in b]
    assert [p.loss for p in a] == [p.loss for p in b]
    assert [p.values for p in a] != [p.values for p in c]
    design = [p for p in a if p.phase == "design"]
    assert len(design) == 16  # a power of two, about two thirds of the budget
    refine = [p for p in a if p.phase == "refine"]
    assert min(p.loss for p in refine) <= min(p.loss for p in design)
    from closeloop.params import SPECS

    for p in a:
        for k, v in p.values.items():
            assert SPECS[k].low <= v <= SPECS[k].high
            assert SPECS[k].role == ("history" if k in HISTORY_SEARCHED else "relationship")


# --- the parameters file ------------------------------------------------------------------


def test_parameters_file_round_trips(tmp_path: Path) -> None:
    values = {"hazard_base": 0.002, "alternatives": 0.45}
    path = tmp_path / "p.toml"
    path.write_text(to_toml(values, "a comment"), encoding="utf-8")
    assert load_params(path) == pytest.approx(values)
    assert params_from({}) == {}
    both = {**values, "home_until": 14.5, "peer_hurt_deep": 0.1}
    text = to_toml(both)
    assert "[relationship]" in text and "[history]" in text
    assert text.index("home_until") > text.index("[history]") > text.index("hazard_base")
    path.write_text(text, encoding="utf-8")
    assert load_params(path) == pytest.approx(both)


def test_a_setting_routes_history_values_to_the_history() -> None:
    from closeloop.calibration.runs import per_unit_history, setting_for

    s = setting_for({"hazard_base": 0.002, "home_until": 12.0}, 8, 8, 0, 10)
    assert dict(s.relationship) == {"hazard_base": 0.002}
    assert dict(s.history) == {"home_until": 12.0}
    hp = per_unit_history([{"home_until": 12.0}, {"hazard_base": 0.1}], 3)
    np.testing.assert_array_equal(np.asarray(hp.home_until), [12.0] * 3 + [16.0] * 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[relationship]\nhazard_bse = 0.01\n", "relationship.hazard_bse"),
        ("[relationship]\nhazard_base = 0.5\n", "relationship.hazard_base"),
        ("[relationship]\nhazard_base = \n", "not valid TOML"),
        ("[world]\nwarmth = 0.5\n", "'world'"),
        ("[history]\nhome_until = 30\n", "history.home_until"),
        ("[history]\nhazard_base = 0.01\n", "history.hazard_base"),
    ],
)
def test_bad_parameters_file_is_one_line_and_exit_2(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=expected.replace(".", r"\.")):
        load_params(path)
    res = runner.invoke(app, ["validate", "--params", str(path)])
    assert res.exit_code == 2, res.output
    assert expected in _one_error_line(res.output)


def test_missing_parameters_file_and_calibrate_without_out(tmp_path: Path) -> None:
    res = runner.invoke(app, ["validate", "--params", str(tmp_path / "none.toml")])
    assert res.exit_code == 2 and "none.toml" in _one_error_line(res.output)
    res = runner.invoke(app, ["validate", "--calibrate"])
    assert res.exit_code == 2 and "--out" in _one_error_line(res.output)
    res = runner.invoke(app, ["validate", "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and "--calibrate" in _one_error_line(res.output)


# --- the figures at a tiny size (every figure's simulations: about a minute) --------------


@pytest.fixture(scope="module")
def tiny_rows() -> list[Row]:
    from closeloop.calibration.table import rows_for

    return rows_for(Runs(Setting({}, n_people=32, n_couples=64, seed=1, reps=20)))


@pytest.mark.slow
def test_every_figure_gives_a_well_formed_row(tiny_rows: list[Row]) -> None:
    assert [r.id for r in tiny_rows] == list(FIGURES)
    for r in tiny_rows:
        assert r.figure and r.source
        assert r.held_out == (r.id in HELD_OUT)
        if not r.measures:
            assert r.verdict == "not expressible" and r.missing, r.id
            continue
        for m in r.measures:
            assert m.name and m.what and m.band.reason
            assert m.band.lo <= m.band.hi and m.band.scale > 0
            if math.isfinite(m.value) and math.isfinite(m.lo):
                assert m.lo <= m.value <= m.hi, (r.id, m)
            assert m.verdict in ("pass", "fail")
    expressible = {r.id for r in tiny_rows if r.measures}
    assert expressible == {"K1", "K2", "K3", "K4", "K5", "K6", "K8", "K9", "K10", "K11"}
    text = render_text(tiny_rows)
    assert all(fid in text for fid in FIGURES) and "988" in text
    data = json.loads(render_json(tiny_rows))
    assert [f["id"] for f in data["figures"]] == list(FIGURES)


@pytest.mark.slow
def test_validate_json_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(to_toml({"hazard_base": 0.002}), encoding="utf-8")
    res = runner.invoke(app, ["validate", "--json", "--quick", "--params", str(path)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["relationship"] == {"hazard_base": 0.002}
    assert data["held_out"] == list(HELD_OUT)
    ids = [f["id"] for f in data["figures"]]
    assert ids == list(FIGURES)
    assert {f["id"] for f in data["figures"] if f["held_out"]} == set(HELD_OUT)
    assert all(f["verdict"] in ("pass", "fail", "not expressible") for f in data["figures"])
    assert "988" in data["notice"]


@pytest.mark.slow
def test_engine_search_is_deterministic(tmp_path: Path) -> None:
    from closeloop.calibration.search import engine_evaluate

    ev = engine_evaluate(32, 2, 10)
    a = search(2, seed=4, evaluate=ev)
    b = search(2, seed=4, evaluate=ev)
    assert [p.loss for p in a] == [p.loss for p in b]
    assert all(math.isfinite(p.loss) for p in a)


@pytest.mark.slow
def test_calibrate_writes_points_values_and_tables(tmp_path: Path) -> None:
    out = tmp_path / "cal"
    args = ["validate", "--calibrate", "--out", str(out), "--budget", "2", "--quick"]
    res = runner.invoke(app, [*args, "--seed", "1"])
    assert res.exit_code == 0, res.output
    import pandas as pd

    table = pd.read_parquet(out / "points.parquet")
    assert len(table) == 2 and set(NAMES) <= set(table.columns) and "loss" in table
    chosen = load_params(out / "calibrated.toml")
    assert set(chosen) == set(NAMES)
    best = table.loc[table["loss"].idxmin()]
    for k, v in chosen.items():
        assert v == pytest.approx(best[k], rel=1e-5)
    after = json.loads((out / "after.json").read_text(encoding="utf-8"))
    assert {**after["relationship"], **after["history"]} == pytest.approx(chosen)
    md = (out / "table.md").read_text(encoding="utf-8")
    assert "Held-out figures, after (calibrated)" in md and "K11" in md
