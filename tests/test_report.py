"""Tests of closeloop.report and closeloop.figures: files, self-containment, tables, words."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import closeloop as cl
from closeloop import figures, report, trajectory
from closeloop.analysis import couple_events, profiles, timeline
from closeloop.errors import InputError
from closeloop.figures import person as person_figures
from closeloop.model.person import DEPTH_NAMES
from closeloop.narrative import couple_story, person_summary
from closeloop.report import couple as couple_report
from closeloop.results import files
from closeloop.simulation import NOTICE

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
    got = profiles.pullback_depth(acc)
    np.testing.assert_array_equal(got, [2.0, 5.0, np.nan, 3.0, np.nan])
    assert profiles.pullback_label(2.0, DEPTH_NAMES) == "everyday feelings"
    assert profiles.pullback_label(5.0, DEPTH_NAMES) == "none"
    assert profiles.pullback_label(float("nan"), DEPTH_NAMES) == "n/a"


def test_profile_stats_match_the_data(ds: xr.Dataset) -> None:
    stats = {s.name: s for s in profiles.profile_stats(ds)}
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
    stats = profiles.profile_stats(ds)
    names = profiles.depth_names(ds)
    meta = files.run_metadata(ds)
    text = person_summary.summary_text(stats, names, meta)
    assert text.rstrip().endswith(NOTICE)
    top = max(stats, key=lambda s: s.longing)
    assert f"{top.longing:.2f}" in text and top.name in text
    # Never pathologising.
    for word in ("disorder", "patholog", "dysfunction", "symptom", "broken"):
        assert word not in text.lower()
    # Changing the numbers changes the words: everyone open at every depth.
    opened = [profiles.ProfileStats(**{**vars(s), "pullback": float(len(names))}) for s in stats]
    assert "at every depth" in person_summary.summary_text(opened, names, meta)
    assert "pull back at some depth" not in person_summary.summary_text(opened, names, meta)
    assert "not wanting closeness" not in person_summary.summary_text(opened, names, meta)
    # The profile that pulls back carries the most longing: the text says they want connection.
    longing = [
        profiles.ProfileStats(
            **{**vars(s), "pullback": 1.0 if i == 0 else 5.0, "longing": 0.9 if i == 0 else 0.1}
        )
        for i, s in enumerate(stats)
    ]
    text = person_summary.summary_text(longing, names, meta)
    assert "not wanting closeness" in text and f"{stats[0].name} profile" in text


def test_summary_names_ablated_mechanisms(ds: xr.Dataset) -> None:
    stats = profiles.profile_stats(ds)
    meta = {**files.run_metadata(ds), "ablated": ["extinction"]}
    assert "extinction" in person_summary.summary_text(stats, profiles.depth_names(ds), meta)


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
    stats = profiles.profile_stats(ds)
    fig = person_figures.acceptance(stats, profiles.depth_names(ds))
    assert figures.to_png(fig).startswith(PNG_MAGIC)
    # Distinct colours for the shipped profiles (Okabe-Ito, colour-blind safe).
    assert len(set(figures.PROFILE_COLOURS.values())) == len(figures.PROFILE_COLOURS)


# ---------------------------------------------------------------------------------------------
# The couple report

COUPLE_DAYS = 360
"""The couple runs of test_story, test_report and test_demo share 360 days (one compilation)."""
COUPLE_SCENARIO = cl.scenario("avoidant-anxious").replace(
    days=COUPLE_DAYS,
    relationship={
        "hazard_base": 0.004,
        "felt_rate": 0.2,
        "pursuit_rate": 0.2,
        "talk_after": 0.0,
        "talk_rate": 0.1,
    },
    traits_b={"give_up": 0.55},
)
COUPLE_FILES = (
    "report.html",
    "story.txt",
    "timeline.csv",
    "couples.csv",
    "run.json",
    "results.nc",
    *(f"{k}.png" for k in report.COUPLE_FIGURES),
)


@pytest.fixture(scope="module")
def cds() -> xr.Dataset:
    return cl.simulate(COUPLE_SCENARIO, n=40, seed=5)


@pytest.fixture(scope="module")
def cwritten(cds: xr.Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("couple-report")
    assert report.write_report(cds, out) == out / "report.html"
    return out


def test_couple_report_writes_every_file(cwritten: Path) -> None:
    for name in COUPLE_FILES:
        assert (cwritten / name).is_file(), name
        assert (cwritten / name).stat().st_size > 0, name
    for key in report.COUPLE_FIGURES:
        assert (cwritten / f"{key}.png").read_bytes().startswith(PNG_MAGIC)
    assert not [p for p in cwritten.iterdir() if p.name.endswith(".tmp")]
    # Nothing of the person report.
    assert not (cwritten / "profiles.csv").exists()


def test_couple_html_is_self_contained_and_carries_the_notice(cwritten: Path) -> None:
    text = (cwritten / "report.html").read_text(encoding="utf-8")
    assert text.count(html.escape(NOTICE)) == 2  # top and bottom
    assert "988" in text
    assert text.count('src="data:image/png;base64,') == len(report.COUPLE_FIGURES)
    assert not re.search(r"https?://", text)
    assert "<script" not in text and "<link" not in text
    assert not re.search(r'src="(?!data:)', text)
    assert "still together" in text  # the captions say the bands are over couples together


def test_couple_html_tells_the_example_story(cwritten: Path, cds: xr.Dataset) -> None:
    text = html.unescape((cwritten / "report.html").read_text(encoding="utf-8"))
    facts = couple_events.couple_facts(cds, timeline.example_couple(cds))
    for paragraph in couple_story.narrative(facts, timeline.EXAMPLE_RULE):
        assert paragraph in text
    assert couple_story.population_text(couple_events.population_facts(cds)) in text
    assert couple_story.helps_text() in text


def test_couple_story_txt(cwritten: Path, cds: xr.Dataset) -> None:
    text = (cwritten / "story.txt").read_text(encoding="utf-8")
    assert text.rstrip().endswith(NOTICE)
    facts = couple_events.couple_facts(cds, timeline.example_couple(cds))
    assert text == couple_story.story_text(
        facts, couple_events.population_facts(cds), timeline.EXAMPLE_RULE
    )
    for e in facts.events():
        assert f"month {e.month}" in text
    for word in ("disorder", "dysfunctional", "broken", "pathological", "narcissist", "toxic"):
        assert word not in text.lower()


def test_couple_run_json(cwritten: Path, cds: xr.Dataset) -> None:
    run = json.loads((cwritten / "run.json").read_text(encoding="utf-8"))
    assert run["seed"] == 5
    assert run["n"] == cds.sizes["couple"]
    assert run["scenario"]["name"] == "avoidant-anxious"
    assert run["scenario"]["kind"] == "couple"
    assert run["scenario_hash"] == cds.attrs["scenario_hash"]
    assert run["notice"] == NOTICE
    assert run["ablated"] == []
    assert run["example_couple"] == timeline.example_couple(cds)
    assert "most common" in run["example_rule"]
    assert set(COUPLE_FILES) <= set(run["files"])


def test_couple_results_read_back_with_strings(cwritten: Path, cds: xr.Dataset) -> None:
    with xr.open_dataset(cwritten / "results.nc") as back:
        assert back["preset"].values.astype(str).tolist() == cds["preset"].values.tolist()
        assert back["trajectory"].values.astype(str).tolist() == cds["trajectory"].values.tolist()
        assert list(back["member"].values.astype(str)) == ["a", "b"]
        np.testing.assert_allclose(back["sat"].values, cds["sat"].values)
        np.testing.assert_array_equal(back["end_day"].values, cds["end_day"].values)
        assert back["ended"].values.dtype == bool


def test_netcdf_handles_object_strings(tmp_path: Path) -> None:
    ds = xr.Dataset({"label": ("x", np.array(["short", "a longer one"], dtype=object))})
    ds.attrs["meta"] = ["not", "a", "string"]
    files.write_netcdf(tmp_path / "x.nc", ds)
    with xr.open_dataset(tmp_path / "x.nc") as back:
        assert back["label"].values.astype(str).tolist() == ["short", "a longer one"]
        assert json.loads(back.attrs["meta"]) == ["not", "a", "string"]


def test_couples_csv_one_row_per_couple(cwritten: Path, cds: xr.Dataset) -> None:
    table = pd.read_csv(cwritten / "couples.csv")
    n = cds.sizes["couple"]
    assert len(table) == n and list(table["couple"]) == list(range(n))
    assert table["example"].sum() == 1
    assert int(table.index[table["example"]][0]) == timeline.example_couple(cds)
    assert list(table["trajectory"]) == cds["trajectory"].values.astype(str).tolist()
    assert set(table["preset_a"]) == {"avoidant"} and set(table["preset_b"]) == {"anxious"}
    for col, var in (("end_day", "end_day"), ("first_talk_day", "first_talk")):
        raw = cds[var].values
        got = table[col].to_numpy(float)
        np.testing.assert_array_equal(np.where(raw >= 0, raw, np.nan), got)
    raw = cds["gave_up_day"].values[:, 1]
    np.testing.assert_array_equal(np.where(raw >= 0, raw, np.nan), table["gave_up_day_b"])
    np.testing.assert_allclose(table["final_sat_b"], cds["sat"].values[:, -1, 1], atol=1e-4)
    assert set(table["pulls_back"]) <= {"a", "b"}


def test_timeline_bands_are_over_couples_still_together(cwritten: Path, cds: xr.Dataset) -> None:
    table = pd.read_csv(cwritten / "timeline.csv")
    months = cds.sizes["month"]
    assert len(table) == months
    assert list(table["day"]) == list(cds["month"].values)
    together = ~cds["ended"].values
    assert list(table["together"]) == list(together.sum(axis=0))
    np.testing.assert_allclose(table["share_ended"], 1 - together.mean(axis=0), atol=1e-5)
    for m in range(months):
        live = together[:, m]
        want = np.percentile(cds["sat"].values[live, m, 1], [5, 50, 95])
        got = table.loc[m, ["sat_b_p05", "sat_b_p50", "sat_b_p95"]].to_numpy(float)
        np.testing.assert_allclose(got, want, atol=1e-4)
    # Classes from the twelfth month on, as shares of all couples; the last row is the final one.
    cls = [f"class_{c}" for c in trajectory.CLASSES]
    assert table[cls].iloc[: trajectory.WINDOW - 1].isna().all().all()
    last = table[cls].iloc[-1].to_numpy(float)
    assert last.sum() == pytest.approx(1.0)
    final = cds["trajectory"].values.astype(str)
    want = [np.mean(final == c) for c in trajectory.CLASSES]
    np.testing.assert_allclose(last, want, atol=1e-5)
    # The example couple's own values are in the table too.
    ex = timeline.example_couple(cds)
    np.testing.assert_allclose(
        table["example_sat_a"].to_numpy(float),
        np.where(together[ex], cds["sat"].values[ex, :, 0], np.nan),
        atol=1e-4,
    )


def test_pool_months() -> None:
    x = np.array([[1.0, 2.0, 3.0, 4.0, 5.0]])
    np.testing.assert_array_equal(timeline.pool_months(x, 3), [[3.0, 6.0, 9.0, 12.0, 9.0]])
    np.testing.assert_array_equal(timeline.pool_months(x, 1), x)


def test_couple_series_masks_ended_couples(cds: xr.Dataset) -> None:
    series = timeline.couple_series(cds)
    ended = cds["ended"].values
    for key, v in series.items():
        assert v.shape == ended.shape, key
        assert np.isnan(v[ended]).all(), key
    live = ~ended
    np.testing.assert_allclose(series["pursuit_b"][live], cds["pursuit"].values[..., 1][live])


def test_example_couple_rule_is_deterministic_and_as_documented(cds: xr.Dataset) -> None:
    first = timeline.example_couple(cds)
    assert timeline.example_couple(cds) == first
    assert timeline.example_couple(cds.copy(deep=True)) == first
    # Independently: the most common final class, then the closest satisfaction path.
    traj = cds["trajectory"].values.astype(str)
    counts = {c: int(np.sum(traj == c)) for c in trajectory.CLASSES}
    top = max(trajectory.CLASSES, key=lambda c: (counts[c], -CLASS_ORDER[c]))
    assert traj[first] == top
    members = [i for i in range(len(traj)) if traj[i] == top]
    sat = cds["sat"].values.astype(float)
    median = np.median(sat[members], axis=0)
    dist = {i: float(np.sqrt(np.mean((sat[i] - median) ** 2))) for i in members}
    assert dist[first] == min(dist.values())
    assert first == min(i for i in members if dist[i] == dist[first])


CLASS_ORDER = {c: i for i, c in enumerate(trajectory.CLASSES)}


def test_example_couple_ties_go_to_the_lower_number(cds: xr.Dataset) -> None:
    # Two identical couples: the lower index wins.
    twin = xr.concat([cds.isel(couple=[3]), cds.isel(couple=[3])], dim="couple")
    twin = twin.assign_coords(couple=[0, 1])
    assert timeline.example_couple(twin) == 0


def test_couple_figures_draw_from_the_timeline(cds: xr.Dataset) -> None:
    tl = timeline.timeline(cds)
    ex = timeline.example(cds, timeline.example_couple(cds))
    assert tl.members == ("A (avoidant)", "B (anxious)")
    assert tl.withdrawer == 0  # the avoidant member turns away more, read from the data
    assert tl.class_index.tolist() == [cds.sizes["month"] - 1]
    for q in tl.bands.values():
        ok = np.isfinite(q).all(axis=0)
        assert (np.diff(q[:, ok], axis=0) >= -1e-9).all()  # percentiles are ordered
    assert [label for _, _, label in ex.events]  # the example has events to mark
    pngs = couple_report.couple_figure_pngs(tl, ex)
    assert list(pngs) == list(report.COUPLE_FIGURES)
    a, b = figures.member_colours(("anxious", "anxious"))
    assert a != b


def test_couple_report_refuses_a_couple_dataset_without_its_variables(
    cds: xr.Dataset, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="without sat"):
        report.write_report(cds.drop_vars("sat"), tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_couple_report_names_ablations(cds: xr.Dataset) -> None:
    ds = cds.copy()
    ds.attrs["ablate"] = "pursuit"
    meta = files.run_metadata(ds)
    tl = timeline.timeline(ds)
    facts = couple_events.couple_facts(ds, 0)
    pop = couple_events.population_facts(ds)
    page = couple_report.couple_report_html(facts, pop, tl, {}, meta)
    assert "Switched off in this run: pursuit." in page
