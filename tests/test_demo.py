"""End-to-end tests of ``closeloop demo`` (run_demo and the command)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from closeloop.cli import app
from closeloop.demo import run_demo
from closeloop.errors import InputError
from closeloop.observation import read_diary

runner = CliRunner()


def test_run_demo_returns_the_report(tmp_path: Path) -> None:
    path = run_demo(tmp_path / "demo", n=6, seed=1)
    assert path == tmp_path / "demo" / "report.html"
    run = json.loads((tmp_path / "demo" / "run.json").read_text())
    assert run["scenario_name"] == "avoidant-anxious"
    assert run["n"] == 6
    assert run["seed"] == 1
    # The diary table of the same couples (all six: fewer than DIARY_COUPLES).
    table = read_diary(tmp_path / "demo" / "diary.parquet")
    assert sorted(table["couple"].unique()) == list(range(6))
    assert read_diary(tmp_path / "demo" / "diary.csv").equals(table)


@pytest.mark.parametrize("n", [0, -3, 2.5, True, "10"])
def test_run_demo_rejects_a_bad_n_before_writing(tmp_path: Path, n: Any) -> None:
    with pytest.raises(InputError, match="'n' parameter of demo"):
        run_demo(tmp_path / "demo", n=n)
    assert not (tmp_path / "demo").exists()


def test_cli_demo_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = runner.invoke(app, ["demo", "--out", str(out), "--n", "6", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "Report written to" in result.output
    assert str(out / "report.html") in result.output
    assert (out / "report.html").is_file()
    assert "988" in (out / "report.html").read_text(encoding="utf-8")


def test_cli_demo_refuses_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("my notes")
    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--n", "6"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert "Traceback" not in result.output
    assert (tmp_path / "notes.txt").read_text() == "my notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_cli_demo_force_overrides(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("my notes")
    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--n", "6", "--force"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.html").is_file()
    assert (tmp_path / "notes.txt").read_text() == "my notes"


def test_cli_demo_again_into_its_own_folder(tmp_path: Path) -> None:
    args = ["demo", "--out", str(tmp_path / "r"), "--n", "6"]
    assert runner.invoke(app, args).exit_code == 0
    assert runner.invoke(app, args).exit_code == 0


def test_cli_demo_rejects_a_bad_n(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "r"), "--n", "0"])
    assert result.exit_code == 2
    assert "'n' parameter" in result.output
    assert not (tmp_path / "r").exists()
