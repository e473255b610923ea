"""The shipped scenario library, end to end: every scenario runs; interventions act from their
start day and not before; a healing scenario goes through ``closeloop run``.

Compilation dominates here (a new program per number of days, per kind and, for couples, per
whether there are interventions and whether there is individual therapy), so every run uses one
of two lengths: ``SHORT`` for the whole library (the couple scenarios without interventions
share their program with tests/test_cli.py) and ``LONG``, just past the start of the shipped
healing couple scenarios (day 730), for the runs that must reach the interventions' start days.
"""

from __future__ import annotations

import html
import json
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

import closeloop as cl
from closeloop import engine
from closeloop.cli import app
from closeloop.model import healing
from closeloop.scenario import Scenario

SHORT = 90
LONG = 760
N = 4
runner = CliRunner()


def _short(sc: Scenario, days: int = SHORT) -> Scenario:
    """``sc`` cut to at most ``days`` days. An intervention that starts after the shortened run's
    end could never act in it (and is refused), so it is left out; couples therapy must also end
    within its run. An adult event after the end is moved inside it."""
    days = min(sc.days, days)
    keep = []
    for iv in sc.interventions:
        if iv.kind == "couples_therapy" and iv.end > days:
            assert iv.start >= days, f"{sc.name}: couples therapy cut short"
        if iv.start >= days:
            continue
        keep.append(iv)
    # An adult event moves into the shortened run (half-way), so that its path is still run.
    events = [ev.model_copy(update={"day": min(ev.day, days // 2)}) for ev in sc.events]
    return sc.replace(days=days, interventions=keep, events=events)


def _later(sc: Scenario, day: int) -> Scenario:
    """``sc`` with every intervention that starts on or after ``day`` moved to start on the last
    day of the run instead (so it acts only after every month compared, and the compiled program
    stays the same)."""
    last = sc.days - 1
    assert last > day
    moved = [
        iv.model_copy(update={"start": last, "end": max(iv.end, last + 1)})
        if iv.start >= day
        else iv
        for iv in sc.interventions
    ]
    return sc.replace(interventions=moved)


def _same(a: xr.Dataset, b: xr.Dataset) -> None:
    """Two runs agree bit for bit."""
    assert set(a.data_vars) == set(b.data_vars)
    for k in a.data_vars:
        np.testing.assert_array_equal(a[k].values, b[k].values, err_msg=k)


def _finite(ds: xr.Dataset) -> None:
    """Every float output is finite (a person's event age is NaN exactly when there was no
    event)."""
    for k, v in ds.data_vars.items():
        if k == "event_age":
            np.testing.assert_array_equal(np.isnan(v.values), ds["event"].values == "none")
        elif v.dtype.kind == "f":
            assert np.isfinite(v.values).all(), k


# ---------------------------------------------------------------- the whole library


@pytest.mark.parametrize("name", cl.scenarios())
def test_every_shipped_scenario_runs(name: str) -> None:
    sc = _short(cl.scenario(name))
    ds = cl.simulate(sc, n=N, seed=0)
    assert ds.attrs["closeloop_kind"] == sc.kind and ds.attrs["n"] == N
    assert ds.attrs["scenario_hash"] == sc.digest()
    assert ds.sizes["couple" if sc.kind == "couple" else "unit"] == N
    _finite(ds)
    # An intervention that would start after the shortened run's end is refused, not left idle.
    if any(iv.start >= sc.days for iv in cl.scenario(name).interventions):
        with pytest.raises(cl.InputError, match="would never run"):
            cl.scenario(name).replace(days=sc.days)


def test_the_library_has_healing_scenarios_of_both_kinds() -> None:
    kinds = {
        (sc.kind, iv.kind) for sc in map(cl.scenario, cl.scenarios()) for iv in sc.interventions
    }
    assert {k for _, k in kinds} == set(healing.KINDS), "an intervention kind no scenario uses"
    assert {"person", "couple"} == {sk for sk, _ in kinds}


# ---------------------------------------------------------------- interventions from their start


def test_a_healing_couple_scenario_changes_from_its_start_day() -> None:
    """betrayal-heals (therapy, commitment and a safe partner from day 730), run just past the
    start: the months before it are those of the same couples with nothing starting, and then
    the couples part ways."""
    sc = cl.scenario("betrayal-heals").replace(days=LONG)
    starts = {iv.start for iv in sc.interventions}
    assert starts == {730}
    ds = cl.simulate(sc, n=N, seed=0)
    base = cl.simulate(_later(sc, 730), n=N, seed=0)
    _finite(ds)
    before = ds["month"].values <= 730  # a month is labelled with the day after its last
    assert before.sum() == 730 // engine.SNAP_DAYS
    monthly = [k for k in ds.data_vars if "month" in ds[k].dims]
    _same(ds.isel(month=before)[monthly], base.isel(month=before)[monthly])
    after = ~before
    assert any(
        not np.array_equal(ds[k].isel(month=after).values, base[k].isel(month=after).values)
        for k in monthly
    ), "the interventions changed nothing after their start"


@pytest.mark.parametrize(
    ("name", "kind"), [("relapse-under-stress", "stress"), ("new-circle", "context_change")]
)
def test_a_healing_person_scenario_changes_from_its_start_day(name: str, kind: str) -> None:
    """After a year of therapy, stress (or a new circle) from day 420: the snapshots before day
    420 are those of the same people without it, and later ones differ."""
    sc = cl.scenario(name).replace(days=LONG)
    (start,) = {iv.start for iv in sc.interventions if iv.kind == kind}
    assert start == 420
    ds = cl.simulate(sc, n=N, seed=0)
    base = cl.simulate(_later(sc, start), n=N, seed=0)
    _finite(ds)
    snaps = [k for k in ds.data_vars if ds[k].dims[:2] == ("unit", "month")]
    assert "threat_therapy" in snaps
    before = ds["month"].values <= start  # a month is labelled with the day after its last
    assert before.sum() == start // engine.SNAP_DAYS
    _same(ds.isel(month=before)[snaps], base.isel(month=before)[snaps])
    after = ~before
    assert not np.array_equal(
        ds["threat_partner"].isel(month=after).values,
        base["threat_partner"].isel(month=after).values,
    )
    assert not np.array_equal(ds["inhibition"].values, base["inhibition"].values)


def test_couples_therapy_runs_its_stages_and_schedules_share_a_program() -> None:
    """The couples-therapy course of the library, compressed into the short run (all three
    stages), changes the couples; another schedule without individual therapy reuses the
    program."""
    shipped = cl.scenario("couples-therapy")
    (course,) = shipped.interventions
    assert course.kind == "couples_therapy" and course.end <= shipped.days
    sc = shipped.replace(
        days=SHORT,
        interventions=[course.model_copy(update={"start": 0, "end": SHORT})],
    )
    ds = cl.simulate(sc, n=N, seed=0)
    count = engine.compiled_count()
    paced = cl.simulate(
        sc.replace(interventions=[{"kind": "pacing", "intensity": 0.5, "who": "b"}]), n=N, seed=0
    )
    assert engine.compiled_count() == count, "a new schedule compiled a new program"
    plain = cl.simulate(sc.replace(interventions=()), n=N, seed=0)
    _finite(ds)
    _finite(paced)
    for other in (paced, plain):
        assert not all(ds[k].equals(other[k]) for k in ("threat", "sat", "pursuit", "bids"))


# ---------------------------------------------------------------- the command line


@pytest.fixture(scope="module")
def healing_toml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """therapy-and-safe-partner as shipped, cut to ``SHORT`` days with the interventions from
    day 30 (its shipped start, 730, is past the short run)."""
    text = (resources.files("closeloop") / "scenarios" / "therapy-and-safe-partner.toml").read_text(
        encoding="utf-8"
    )
    assert "start = 730" in text and "days = 3650" in text
    text = re.sub(r"^name = .*$", 'name = "short-healing"', text, flags=re.MULTILINE)
    text = text.replace("days = 3650", f"days = {SHORT}").replace("start = 730", "start = 30")
    path = tmp_path_factory.mktemp("sc") / "short-healing.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_run_a_healing_couple_scenario(healing_toml: Path, tmp_path: Path) -> None:
    sc = cl.scenario(str(healing_toml))
    assert sc.days == SHORT and {iv.start for iv in sc.interventions} == {30}
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(healing_toml), "--n", "8", "--out", str(out)])
    assert res.exit_code == 0, res.output
    for name in ("report.html", "story.txt", "results.nc", "run.json", "diary.parquet"):
        assert (out / name).stat().st_size > 0, name
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["n"] == 8 and run["scenario_name"] == "short-healing"
    rows = [iv.model_dump() for iv in sc.interventions]
    said = healing.describe(rows, "couple", SHORT)
    assert len(said) == 3
    story = (out / "story.txt").read_text(encoding="utf-8")
    report = (out / "report.html").read_text(encoding="utf-8")
    assert story.startswith("What changes in this run:")
    for line in said:
        assert line in story and html.escape(line) in report
    with xr.open_dataset(out / "results.nc") as ds:
        assert ds.sizes["couple"] == 8
        assert (
            json.loads(ds.attrs["scenario"])["interventions"]
            == json.loads(sc.to_json())["interventions"]
        )
