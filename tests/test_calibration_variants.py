"""The calibration figures on the simpler models (``closeloop validate --variant``): n/a rows
with their reason, the open one-sided bands, the recorded figures x models table and the
command's refusals."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from closeloop.calibration import Band, Measure
from closeloop.calibration.rows import FAIL, NOT_EXPRESSIBLE, PASS, above, below
from closeloop.calibration.runs import Runs, Setting
from closeloop.calibration.table import render_text, rows_for
from closeloop.calibration.variants_table import NA, calibration_variants_table, cell
from closeloop.cli import app

runner = CliRunner()


def _m(value: float, band: Band) -> Measure:
    return Measure("m", "a measure", value, value, value, band, 10)


def test_one_sided_bands_are_open_at_their_bound() -> None:
    up, down = above(0.0, 0.05, "a rise"), below(0.0, 0.05, "a fall")
    assert _m(0.0, up).verdict == FAIL and _m(0.0, down).verdict == FAIL
    assert _m(1e-6, up).verdict == PASS and _m(-1e-6, down).verdict == PASS
    assert up.distance(0.0) == 0.0  # the loss is continuous at the bound
    closed = Band(0.2, 0.1, 0.3, 0.1, "two-sided")
    assert _m(0.1, closed).verdict == PASS and _m(0.3, closed).verdict == PASS
    assert _m(math.nan, closed).verdict == FAIL


def test_linear_model_cannot_express_people_or_therapy_figures() -> None:
    # Refused before anything is simulated: the linear model has no people and no therapy.
    runs = Runs(Setting({}, 8, 8, 0, 5, "linear"))
    rows = rows_for(runs, ("K3", "K4", "K5", "K6", "K8"))
    assert [r.id for r in rows] == ["K3", "K4", "K5", "K6", "K8"]
    for r in rows:
        assert r.verdict == NOT_EXPRESSIBLE and r.missing.startswith(NA), r
    assert "people on their own" in rows[0].missing
    assert "interventions" in rows[2].missing
    assert [r.held_out for r in rows] == [False, False, False, True, True]
    text = render_text(rows, "linear")
    assert text.startswith("Model: linear") and "988" in text
    k3 = next(line for line in text.splitlines() if line.startswith("K3"))
    assert " n/a " in k3 and "people on their own" in k3 and "missing" not in k3


def test_cells_and_table_from_a_recorded_file(tmp_path: Path) -> None:
    band = {"target": None, "lo": 0.0, "hi": None, "scale": 0.1, "reason": "r"}
    fig = {
        "id": "K10",
        "verdict": "pass",
        "missing": "",
        "measures": [{"value": 0.25, "band": band, "verdict": "pass"}],
    }
    na = {"id": "K10", "verdict": NOT_EXPRESSIBLE, "missing": NA + "no threat", "measures": []}
    gap = {"id": "K1", "verdict": NOT_EXPRESSIBLE, "missing": "no infants", "measures": []}
    assert cell(fig) == "pass (0.250)"
    assert cell(na) == "n/a: no threat"
    assert cell(gap) == "not expressible"
    assert cell(None) == "not run"
    data = {
        "n": 16,
        "seed": 0,
        "date": "2026-12-02",
        "held_out": ["K1"],
        "models": {
            "closeloop": {"figures": [gap, fig]},
            "linear": {"figures": [gap, na]},
        },
    }
    path = tmp_path / "cv.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    table = calibration_variants_table(path)
    assert table is not None
    lines = table.splitlines()
    assert lines[0] == "| figure | `closeloop` | `linear` |"
    assert "**K1** (held out)" in lines[2] and "n/a: no threat" in lines[3]
    assert "1 pass, 0 fail, 0 n/a, 1 not expressible anywhere" in lines[4]
    assert "0 pass, 0 fail, 1 n/a, 1 not expressible anywhere" in lines[4]
    assert calibration_variants_table(tmp_path / "absent.json") is None


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["validate", "--variant", "quadratic"], "quadratic"),
        (["validate", "--variant", "static", "--calibrate", "--out", "x"], "--calibrate"),
    ],
)
def test_validate_refuses_a_bad_variant_in_one_line(args: list[str], needle: str) -> None:
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in res.output
