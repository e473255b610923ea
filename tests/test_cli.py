"""End-to-end tests of ``closeloop run`` and ``closeloop scenarios`` (``demo``, ``claims`` and
``bench`` have their own files): real runs at tiny sizes, and bad input answered with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import closeloop as cl
from closeloop.cli import app
from closeloop.observation import SCHEMA, read_diary

runner = CliRunner()
DAYS = 90


def _one_error_line(output: str) -> str:
    lines = [ln for ln in output.splitlines() if ln.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("error:") and "Traceback" not in output
    return lines[0]


@pytest.fixture(scope="module")
def couple_toml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sc") / "short-cycle.toml"
    path.write_text(
        'description = "Avoidant with anxious, three months."\n'
        f'kind = "couple"\ndays = {DAYS}\na = "avoidant"\nb = "anxious"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def couple_run(couple_toml: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    args = ["run", str(couple_toml), "--out", str(out), "--n", "12", "--diary-couples", "5"]
    res = runner.invoke(app, [*args, "--seed", "3"])
    assert res.exit_code == 0, res.output
    assert f"Report written to {out / 'report.html'}" in res.output
    return out


def test_run_writes_report_story_data_and_diary(couple_run: Path) -> None:
    for name in ("report.html", "story.txt", "results.nc", "run.json", "couples.csv"):
        assert (couple_run / name).stat().st_size > 0, name
    for name in ("diary.parquet", "diary.csv", "diary-schema.json"):
        assert (couple_run / name).stat().st_size > 0, name
    assert "988" in (couple_run / "report.html").read_text(encoding="utf-8")
    run = json.loads((couple_run / "run.json").read_text(encoding="utf-8"))
    assert run["scenario_name"] == "short-cycle" and run["seed"] == 3 and run["n"] == 12


def test_run_diary_is_the_reports_first_couples(couple_run: Path) -> None:
    table = read_diary(couple_run / "diary.parquet")
    assert list(table.columns) == [c.name for c in SCHEMA]
    assert sorted(table["couple"].unique()) == [0, 1, 2, 3, 4]
    assert table["day"].max() <= DAYS - 1
    # The same couples as the report's: the diary's bids add up to the report's monthly counts.
    couples = json.loads((couple_run / "run.json").read_text(encoding="utf-8"))
    assert couples["n"] == 12
    import xarray as xr

    with xr.open_dataset(couple_run / "results.nc") as ds:
        bids = ds["bids"].sum("month").values[:5]  # (couple, member)
    made = table.groupby(["couple", "person"], observed=True)["bids_made"].sum().unstack()
    assert (made.to_numpy() == bids).all()


def test_run_again_into_its_own_folder_and_refuse_a_foreign_one(
    couple_toml: Path, tmp_path: Path
) -> None:
    args = ["run", str(couple_toml), "--n", "4", "--diary-couples", "0"]
    assert runner.invoke(app, [*args, "--out", str(tmp_path / "a")]).exit_code == 0
    assert not (tmp_path / "a" / "diary.csv").exists()
    assert runner.invoke(app, [*args, "--out", str(tmp_path / "a")]).exit_code == 0
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "notes.txt").write_text("mine")
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "b")])
    assert res.exit_code == 2 and "--force" in _one_error_line(res.output)
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["notes.txt"]


def test_run_a_person_scenario(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("days = 30\npopulation = { avoidant = 1, secure = 1 }\n", encoding="utf-8")
    res = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "o"), "--n", "8"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "o" / "summary.txt").is_file()
    assert not (tmp_path / "o" / "diary.csv").exists()  # a diary is of couples


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["no-such-scenario"], "'scenario'"),
        (["avoidant-anxious", "--n", "0"], "'n'"),
        (["avoidant-anxious", "--diary-couples", "-1"], "'diary_couples'"),
    ],
)
def test_run_bad_input_is_one_line(args: list[str], field: str, tmp_path: Path) -> None:
    res = runner.invoke(app, ["run", *args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert field in _one_error_line(res.output)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('kind = "couple"\na = "avoidant"\nb = "anxious"\ncolour = 1\n', "colour"),
        ('kind = "couple"\na = "avoidant"\nb = "sunny"\n', "b"),
        ('kind = "couple"\na = "avoidant"\nb = "anxious"\ndays = "long"\n', "days"),
        (
            'kind = "couple"\na = "avoidant"\nb = "anxious"\n[relationship]\nbid_rate = 3\n',
            "relationship.bid_rate",
        ),
        ("kind = [\n", "TOML"),
    ],
)
def test_run_malformed_scenario_file_is_one_line(text: str, key: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    res = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert key in _one_error_line(res.output)
    assert not (tmp_path / "o").exists()


def test_scenarios_lists_one_line_each() -> None:
    res = runner.invoke(app, ["scenarios"])
    assert res.exit_code == 0
    lines = res.output.strip().splitlines()
    assert len(lines) == len(cl.scenarios())
    for name, line in zip(cl.scenarios(), lines, strict=True):
        assert line.startswith(name) and cl.scenario(name).description in line


def test_use_every_core_sets_the_device_count_once() -> None:
    from closeloop.cli import DEVICE_FLAG, use_every_core

    env: dict[str, str] = {"XLA_FLAGS": "--xla_cpu_enable_fast_math=false"}
    n = use_every_core(env)
    assert n >= 1 and f"{DEVICE_FLAG}={n}" in env["XLA_FLAGS"]
    assert "--xla_cpu_enable_fast_math=false" in env["XLA_FLAGS"]
    assert use_every_core(env) == 0  # a count already set (by the user, or before) is kept
    mine = {"XLA_FLAGS": f"{DEVICE_FLAG}=3"}
    assert use_every_core(mine) == 0 and mine["XLA_FLAGS"] == f"{DEVICE_FLAG}=3"
