"""Tests of closeloop.report and closeloop.figures: files, self-containment, tables, words."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import closeloop as cl
from closeloop import figures, report
from closeloop.errors import InputError
from closeloop.person import DEPTH_NAMES
from closeloop.simulate import NOTICE

FILES = (
    "report.html",
    "summary.txt",
    "profiles.csv",
    "run.json",
    "results.nc",
    *(f"{k}.png" for k in report.FIGURES),
)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def ds() -> xr.Dataset:
    # Small and short: six profiles, 60 days; enough for every figure to have data.
    sc = cl.scenario("rising-closeness").replace(days=60)
    return cl.simulate(sc, n=60, seed=3)


@pytest.fixture(scope="module")
def written(ds: xr.Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    path = report.write_report(ds, out)
    assert path == out / "report.html"
    return out


def test_writes_every_file(written: Path) -> None:
    for name in FILES:
        assert (written / name).is_file(), name
        assert (written / name).stat().st_size > 0, name
    # Atomic writes leave no temporary files behind.
    assert not [p for p in written.iterdir() if p.name.endswith(".tmp")]


def test_pngs_are_pngs(written: Path) -> None:
    for key in report.FIGURES:
        assert (written / f"{key}.png").read_bytes().startswith(PNG_MAGIC)


def test_html_is_self_contained_and_carries_the_notice(written: Path) -> None:
    text = (written / "report.html").read_text(encoding="utf-8")
    assert "988" in text
    assert "not a diagnosis or treatment" in text
    assert text.count('src="data:image/png;base64,') == len(report.FIGURES)
    assert not re.search(r"https?://", text)
    # No external resources of any kind: no scripts, stylesheets or images by reference.
    assert "<script" not in text
    assert "<link" not in text
    assert not re.search(r'src="(?!data:)', text)


def test_text_outputs_carry_the_notice(written: Path) -> None:
    summary = (written / "summary.txt").read_text(encoding="utf-8")
    assert NOTICE in summary
    run = json.loads((written / "run.json").read_text(encoding="utf-8"))
    assert run["notice"] == NOTICE


def test_run_json_records_the_run(written: Path, ds: xr.Dataset) -> None:
    run = json.loads((written / "run.json").read_text(encoding="utf-8"))
    assert run["seed"] == 3
    assert run["n"] == ds.sizes["unit"]
    assert run["scenario"]["name"] == "rising-closeness"
    assert run["scenario"]["days"] == 60
    assert run["scenario_hash"] == ds.attrs["scenario_hash"]
    assert isinstance(run["versions"], dict) and "jax" in run["versions"]
    assert run["ablated"] == []


def test_results_read_back(written: Path, ds: xr.Dataset) -> None:
    with xr.open_dataset(written / "results.nc") as back:
        np.testing.assert_allclose(back["shares"].values, ds["shares"].values)
        np.testing.assert_allclose(back["template0"].values, ds["template0"].values)
        assert list(back["preset"].values.astype(str)) == list(ds["preset"].values.astype(str))
        assert list(back["depth_name"].values.astype(str)) == list(DEPTH_NAMES)
        assert back.attrs["scenario_hash"] == ds.attrs["scenario_hash"]


def test_profiles_csv_one_row_per_preset(written: Path, ds: xr.Dataset) -> None:
    table = pd.read_csv(written / "profiles.csv")
    presets = set(np.unique(ds["preset"].values.astype(str)))
    assert set(table["profile"]) == presets
    assert len(table) == len(presets)
    assert table["n"].sum() == ds.sizes["unit"]
    for col in ("automatic_share", "mean_longing", "pullback_depth", "acceptance_small_talk"):
        assert col in table.columns
    acc = table[[c for c in table.columns if c.startswith("acceptance_")]].to_numpy(float)
    ok = np.isfinite(acc)
    assert ((acc[ok] >= 0) & (acc[ok] <= 1)).all()


def test_writing_again_into_the_same_folder_works(ds: xr.Dataset, tmp_path: Path) -> None:
    first = report.write_report(ds, tmp_path / "out")
    before = (tmp_path / "out" / "profiles.csv").read_text()
    second = report.write_report(ds, tmp_path / "out")
    assert first == second
    assert (tmp_path / "out" / "profiles.csv").read_text() == before


def test_refuses_a_foreign_folder(ds: xr.Dataset, tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(InputError, match="'out'"):
        report.write_report(ds, tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "keep me"
    assert not (tmp_path / "report.html").exists()


def test_refuses_something_that_is_not_a_person_dataset(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="'ds' parameter of write_report"):
        report.write_report(xr.Dataset(), tmp_path / "x")


def test_pullback_depth() -> None:
    acc = np.array(
        [
            [0.9, 0.8, 0.4, 0.1, 0.0],  # falls below 0.45 at depth 2
            [0.9, 0.9, 0.9, 0.9, 0.9],  # never
            [0.0, 0.0, 0.0, 0.0, 0.0],  # no baseline to fall from
            [0.8, np.nan, 0.5, 0.3, 0.1],  # depth 1 never offered: skipped
            [np.nan, 0.5, 0.5, 0.5, 0.5],  # never offered small talk
        ]
    )
    got = report.pullback_depth(acc)
    np.testing.assert_array_equal(got, [2.0, 5.0, np.nan, 3.0, np.nan])
    assert report.pullback_label(2.0, DEPTH_NAMES) == "everyday feelings"
    assert report.pullback_label(5.0, DEPTH_NAMES) == "none"
    assert report.pullback_label(float("nan"), DEPTH_NAMES) == "n/a"


def test_profile_stats_match_the_data(ds: xr.Dataset) -> None:
    stats = {s.name: s for s in report.profile_stats(ds)}
    g = ds.isel(unit=ds["preset"].values.astype(str) == "avoidant")
    p = g.sel(context="partner")
    offers, shares = float(p["offers"].sum()), float(p["shares"].sum())
    s = stats["avoidant"]
    assert s.n == g.sizes["unit"]
    assert s.automatic_share == pytest.approx(float(p["automatic"].sum()) / (offers - shares))
    np.testing.assert_allclose(s.threat0, p["template0"].mean("unit").values, rtol=1e-5)
    assert s.longing == pytest.approx(float(g["mean_longing"].mean()))
    assert s.behaviours.shape == (len(ds["behaviour"]) - 1,)
    assert np.nansum(s.behaviours) == pytest.approx(1.0)
    assert s.deep_q.shape == (3, ds.sizes["month"] + 1)
    assert (s.deep_q[0] <= s.deep_q[1] + 1e-9).all() and (s.deep_q[1] <= s.deep_q[2] + 1e-9).all()


def test_summary_is_generated_from_the_numbers(ds: xr.Dataset) -> None:
    stats = report.profile_stats(ds)
    names = report.depth_names(ds)
    meta = report.run_metadata(ds)
    text = report.summary_text(stats, names, meta)
    assert text.rstrip().endswith(NOTICE)
    top = max(stats, key=lambda s: s.longing)
    assert f"{top.longing:.2f}" in text and top.name in text
    # Never pathologising.
    for word in ("disorder", "patholog", "dysfunction", "symptom", "broken"):
        assert word not in text.lower()
    # Changing the numbers changes the words: everyone open at every depth.
    opened = [report.ProfileStats(**{**vars(s), "pullback": float(len(names))}) for s in stats]
    assert "at every depth" in report.summary_text(opened, names, meta)
    assert "pull back at some depth" not in report.summary_text(opened, names, meta)
    assert "not wanting closeness" not in report.summary_text(opened, names, meta)
    # The profile that pulls back carries the most longing: the text says they want connection.
    longing = [
        report.ProfileStats(
            **{**vars(s), "pullback": 1.0 if i == 0 else 5.0, "longing": 0.9 if i == 0 else 0.1}
        )
        for i, s in enumerate(stats)
    ]
    text = report.summary_text(longing, names, meta)
    assert "not wanting closeness" in text and f"{stats[0].name} profile" in text


def test_summary_names_ablated_mechanisms(ds: xr.Dataset) -> None:
    stats = report.profile_stats(ds)
    meta = {**report.run_metadata(ds), "ablated": ["extinction"]}
    assert "extinction" in report.summary_text(stats, report.depth_names(ds), meta)


def test_single_profile_and_zero_withdrawals(tmp_path: Path) -> None:
    # Forced sharing: nobody withdraws from a partner, and there is one profile only.
    # Same days and n as the module's dataset, so the compiled engine is reused.
    sc = cl.scenario("made-to-approach").replace(days=60)
    ds = cl.simulate(sc, n=60, seed=0)
    path = report.write_report(ds, tmp_path)
    assert path.is_file()
    table = pd.read_csv(tmp_path / "profiles.csv")
    assert list(table["profile"]) == ["avoidant"]


def test_figures_render_without_pyplot(ds: xr.Dataset) -> None:
    stats = report.profile_stats(ds)
    fig = figures.acceptance(stats, report.depth_names(ds))
    assert figures.to_png(fig).startswith(PNG_MAGIC)
    # Distinct colours for the shipped profiles (Okabe-Ito, colour-blind safe).
    assert len(set(figures.PROFILE_COLOURS.values())) == len(figures.PROFILE_COLOURS)
