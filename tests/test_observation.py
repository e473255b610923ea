"""The diary table: schema, one row per person-day until the ending, the measurement model,
determinism, files, validation of study tables, and the schema's documentation."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import closeloop as cl
from closeloop.errors import InputError
from closeloop.model.couple import AGAINST, AWAY, TOWARD
from closeloop.model.person import K

# The module, not the function: closeloop exports the function ``diary`` under the same name.
dm = importlib.import_module("closeloop.observation")
ROOT = Path(__file__).resolve().parents[1]
DAYS = 60
"""Every run here has 60 days: the couple engine compiles once per number of days."""
SCENARIO = cl.Scenario(kind="couple", a="avoidant", b="anxious", days=DAYS)
# Relationship settings that make talks, conflicts and endings common within 60 days (settings
# are data, so this reuses the compiled engine).
EVENTFUL = SCENARIO.replace(
    relationship={
        "talk_after": 0.0,
        "talk_rate": 0.2,
        "felt_rate": 0.3,
        "pursuit_rate": 0.3,
        "conflict_base": 0.15,
        "hazard_base": 0.012,
        "hazard_slope": 0.0,
    }
)


@pytest.fixture(scope="module")
def ds():
    return cl.simulate(SCENARIO, n=6, seed=0, daily=True)


@pytest.fixture(scope="module")
def table(ds) -> pd.DataFrame:
    return dm.diary(ds, seed=0)


@pytest.fixture(scope="module")
def eventful():
    return cl.simulate(EVENTFUL, n=8, seed=3, daily=True)


@pytest.fixture(scope="module")
def eventful_table(eventful) -> pd.DataFrame:
    return dm.diary(eventful, seed=0)


@pytest.fixture(scope="module")
def files(tmp_path_factory, table) -> list[Path]:
    return dm.write_diary(table, tmp_path_factory.mktemp("diary"))


# --- Schema -----------------------------------------------------------------------------------


def test_columns_and_dtypes(table):
    assert tuple(table.columns) == dm.COLUMNS
    assert dm.COLUMNS[:3] == ("couple", "person", "day")
    for c in dm.SCHEMA:
        if c.values:
            assert isinstance(table[c.name].dtype, pd.CategoricalDtype), c.name
            assert tuple(table[c.name].cat.categories) == c.values, c.name
        else:
            assert str(table[c.name].dtype) == c.dtype, c.name
    assert isinstance(table.index, pd.RangeIndex)


def test_values_within_the_schema(table, eventful_table):
    # The validator is the schema's own check: a table diary() makes always passes it unchanged.
    for t in (table, eventful_table):
        pd.testing.assert_frame_equal(dm.validate(t), t)


def test_one_row_per_person_day_when_no_couple_ends(ds, table):
    assert (ds.end_day.values == -1).all()
    assert len(table) == 6 * DAYS * 2
    for (_, _), g in table.groupby(["couple", "person"], observed=True):
        assert g["day"].tolist() == list(range(DAYS))
    assert (table["ended"] == 0).all()
    assert not table.duplicated(list(dm.KEY)).any()
    assert table.equals(table.sort_values(list(dm.KEY), ignore_index=True))


def test_rows_stop_on_the_day_the_relationship_ends(eventful, eventful_table):
    end = eventful.end_day.values
    assert (end >= 0).any() and (end < 0).any(), "the fixture should hold both kinds of couple"
    t = eventful_table
    for c, e in enumerate(end):
        rows = t[t["couple"] == c]
        last = e if e >= 0 else DAYS - 1
        assert rows["day"].max() == last
        assert len(rows) == 2 * (last + 1)
        # Both partners report the ending on the last day, and only then.
        assert rows.loc[rows["ended"] == 1, "day"].tolist() == ([e, e] if e >= 0 else [])


def test_events_are_coded_consistently(eventful_table):
    t = eventful_table
    assert t["talk"].sum() > 0 and t["conflict"].sum() > 0 and t["withdrew"].sum() > 0
    a = t[t["person"] == "a"].reset_index(drop=True)
    b = t[t["person"] == "b"].reset_index(drop=True)
    # One partner's bid is the other's received bid, and the responses mirror.
    assert (a["bids_made"] == b["bids_received"]).all()
    assert (a["bids_received"] == b["bids_made"]).all()
    pd.testing.assert_series_equal(a["response"], b["partner_response"], check_names=False)
    pd.testing.assert_series_equal(a["partner_response"], b["response"], check_names=False)
    for col in ("talk", "conflict", "repaired", "ended"):
        pd.testing.assert_series_equal(a[col], b[col])
    # A talk is a bid at the deepest level by exactly one partner; conflict days bring no bids.
    talk = t[t["talk"] == 1]
    per_day = talk.groupby(["couple", "day"], observed=True)["bids_made"].sum()
    assert (per_day == 1).all()
    assert (talk.loc[talk["bids_made"] == 1, "bid_depth"] == K - 1).all()
    assert (t.loc[t["conflict"] == 1, "bids_made"] == 0).all()
    # Missing exactly where the schema says so.
    for c in dm.SCHEMA:
        if c.only_if is not None:
            assert (t[c.name].isna() == (t[c.only_if] == 0)).all(), c.name


# --- The measurement model --------------------------------------------------------------------


def test_ratings_are_whole_numbers_from_1_to_7(table, eventful_table):
    for t in (table, eventful_table):
        for r in dm.RATINGS:
            assert t[r].notna().all()
            assert t[r].between(1, 7).all(), r


def test_to_rating_rounds_and_clips():
    x = np.array([-1.0, 0.0, 1 / 12 - 1e-9, 1 / 12 + 1e-9, 0.5, 1.0, 2.0])
    assert dm.to_rating(x).tolist() == [1, 1, 1, 2, 4, 7, 7]


def test_same_seed_same_table_other_seed_other_noise(ds, table):
    pd.testing.assert_frame_equal(dm.diary(ds, seed=0), table)
    other = dm.diary(ds, seed=1)
    events = [c for c in dm.COLUMNS if c not in dm.RATINGS]
    pd.testing.assert_frame_equal(other[events], table[events])
    for r in dm.RATINGS:
        assert (other[r] != table[r]).any(), r


def test_a_subset_of_couples_gets_the_same_rows(ds, table):
    small = cl.simulate(SCENARIO, n=3, seed=0, daily=True)
    first = table[table["couple"] <= 2].reset_index(drop=True)
    pd.testing.assert_frame_equal(dm.diary(small, seed=0), first)
    # Selecting couples from the dataset keeps their identity, and so their noise.
    picked = dm.diary(ds.isel(couple=[4, 1]), seed=0)
    want = table[table["couple"].isin([1, 4])].reset_index(drop=True)
    pd.testing.assert_frame_equal(picked, want)


def test_ratings_track_their_latent_values(eventful):
    t = dm.diary(eventful, seed=0, latent=True)
    assert tuple(t.columns[: len(dm.COLUMNS)]) == dm.COLUMNS
    for r in dm.RATINGS:
        x = t[f"{r}_latent"].to_numpy()
        assert ((x >= 0) & (x <= 1)).all(), r
        rho = np.corrcoef(t[r].to_numpy(float), x)[0, 1]
        assert rho > 0.5, (r, rho)
    # The noise is what the documented SD says: rating/6 scatters around 1 + 6x by about that
    # SD plus the rounding (SD 1/sqrt(12) of a scale point), away from the clipped ends.
    mid = t[(t["closeness_latent"] > 0.2) & (t["closeness_latent"] < 0.8)]
    err = (mid["closeness"].to_numpy(float) - 1 - 6 * mid["closeness_latent"]) / 6
    want = np.hypot(dm.NOISE_SD["closeness"], 1 / (6 * np.sqrt(12)))
    assert abs(err.mean()) < 0.03
    assert abs(err.std() - want) < 0.03


def test_closeness_follows_knowing_and_a_met_bid():
    f = lambda *a: float(dm.latent_closeness(*map(np.asarray, a)))  # noqa: E731
    quiet = f(0.0, 0.0, False, 0, False, False, False, False)
    assert quiet == pytest.approx(0.25)
    assert f(K, K, False, 0, False, False, False, False) == pytest.approx(0.75)
    met, away, against = (
        f(0.0, 0.0, True, r, False, False, False, False) for r in (TOWARD, AWAY, AGAINST)
    )
    assert met > quiet > away > against
    # Meeting the partner's bid brings closeness too; pulling back from it less than nothing.
    assert f(0.0, 0.0, False, 0, True, True, False, False) > quiet
    assert f(0.0, 0.0, False, 0, True, False, False, False) < quiet
    # A repaired conflict brings partners closer; an unrepaired one pushes them apart.
    assert f(0.0, 0.0, False, 0, False, False, True, True) > quiet
    assert f(0.0, 0.0, False, 0, False, False, True, False) < away


def test_noise_is_per_couple_and_per_day():
    z = dm.noise(5, [0, 1, 2], 10)
    assert z.shape == (3, 10, 2, len(dm.RATINGS))
    np.testing.assert_array_equal(dm.noise(5, [2], 10)[0], z[2])
    # A longer run adds days without changing the earlier ones.
    np.testing.assert_array_equal(dm.noise(5, [1], 30)[0, :10], z[1])


# --- Files ------------------------------------------------------------------------------------


def test_write_diary_writes_three_files(files, table):
    assert [p.name for p in files] == list(dm.FILES)
    assert all(p.is_file() for p in files)
    assert not [p for p in files[0].parent.iterdir() if p.name.endswith(".tmp")]
    schema = json.loads(files[2].read_text(encoding="utf-8"))
    assert [c["name"] for c in schema["columns"]] == list(dm.COLUMNS)
    assert schema["key"] == list(dm.KEY)
    assert schema["noise_sd"] == dm.NOISE_SD
    by_name = {c["name"]: c for c in schema["columns"]}
    assert by_name["closeness"]["allowed"] == {"min": 1, "max": 7}
    assert by_name["response"]["allowed"] == {"values": ["toward", "away", "against"]}
    assert by_name["response"]["missing_unless"] == "bids_received"
    header = files[1].read_text(encoding="utf-8").splitlines()[0]
    assert header == ",".join(dm.COLUMNS)


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_round_trip(files, table, kind):
    path = next(p for p in files if p.suffix == f".{kind}")
    pd.testing.assert_frame_equal(dm.read_diary(path), table)
    pd.testing.assert_frame_equal(dm.read_diary(str(path)), table)


def test_round_trip_of_an_eventful_table(tmp_path, eventful_table):
    dm.write_diary(eventful_table, tmp_path)
    for name in ("diary.parquet", "diary.csv"):
        pd.testing.assert_frame_equal(dm.read_diary(tmp_path / name), eventful_table)


def test_read_accepts_any_row_and_column_order(tmp_path, table):
    shuffled = table.sample(frac=1.0, random_state=0)[list(reversed(dm.COLUMNS))]
    shuffled.to_csv(tmp_path / "x.csv", index=False)
    pd.testing.assert_frame_equal(dm.read_diary(tmp_path / "x.csv"), table)


def test_write_refuses_a_table_off_the_schema(tmp_path, table, one_line):
    with pytest.raises(InputError) as e:
        dm.write_diary(table.assign(closeness_latent=0.5), tmp_path)
    one_line(e.value, "closeness_latent", "unknown")
    assert not list(tmp_path.iterdir())
    with pytest.raises(InputError) as e:
        dm.write_diary("not a table", tmp_path)  # type: ignore[arg-type]
    one_line(e.value, "'df'", "type str")


# --- Bad study tables: one line naming the column, the value, the row and what is allowed -----


def _csv_lines(files) -> list[str]:
    return files[1].read_text(encoding="utf-8").splitlines()


def _edit(lines: list[str], row: int, col: str, value: str) -> list[str]:
    """Set one cell of a CSV (``row`` counts data rows from 1)."""
    out = list(lines)
    i = dm.COLUMNS.index(col)
    cells = out[row].split(",")
    cells[i] = value
    out[row] = ",".join(cells)
    return out


def _first_row(table, mask) -> int:
    return int(np.flatnonzero(np.asarray(mask, bool))[0]) + 1


@pytest.mark.parametrize(
    ("col", "value", "allowed", "shown"),
    [
        ("closeness", "9", "an integer in [1, 7]", "9"),
        ("closeness", "high", "an integer in [1, 7]", "'high'"),
        ("stress", "2.5", "an integer in [1, 7]", "2.5"),
        ("day", "-1", "an integer >= 0", "-1"),
        ("couple", "x", "an integer >= 0", "'x'"),
        ("person", "c", "one of 'a', 'b'", "'c'"),
        ("preset", "grumpy", "one of 'secure'", "'grumpy'"),
        ("conflict", "2", "an integer in [0, 1]", "2"),
    ],
)
def test_bad_cell(tmp_path, files, one_line, col, value, allowed, shown):
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(_edit(_csv_lines(files), 7, col, value)) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        dm.read_diary(path)
    one_line(e.value, f"'{col}' column", str(path), allowed, f"Got {shown} in row 7")


def test_bad_category_value(tmp_path, files, table, one_line):
    row = _first_row(table, table["response"].notna())
    path = tmp_path / "bad.csv"
    path.write_text(
        "\n".join(_edit(_csv_lines(files), row, "response", "sideways")) + "\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as e:
        dm.read_diary(path)
    one_line(
        e.value, "'response' column", "'toward', 'away', 'against'", f"'sideways' in row {row}"
    )


def test_missing_where_required_and_present_where_not(tmp_path, files, table, one_line):
    lines = _csv_lines(files)
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(_edit(lines, 3, "closeness", "")) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        dm.read_diary(path)
    one_line(e.value, "'closeness' column", "a missing value in row 3")
    row = _first_row(table, table["bids_made"] == 1)
    path.write_text("\n".join(_edit(lines, row, "bid_depth", "")) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        dm.read_diary(path)
    one_line(e.value, "'bid_depth' column", "where 'bids_made' is 1", f"row {row}")
    row = _first_row(table, table["withdrew"] == 0)
    path.write_text("\n".join(_edit(lines, row, "behaviour", "shuts down")) + "\n", "utf-8")
    with pytest.raises(InputError) as e:
        dm.read_diary(path)
    one_line(e.value, "'behaviour' column", "missing (empty) where 'withdrew' is 0", f"row {row}")


def test_missing_unknown_and_repeated_columns(tmp_path, table, one_line):
    path = tmp_path / "t.csv"
    table.drop(columns=["stress"]).to_csv(path, index=False)
    with pytest.raises(InputError) as e:
        dm.read_diary(path)
    one_line(e.value, "'stress'", str(path))
    table.assign(mood=3).to_csv(path, index=False)
    with pytest.raises(InputError) as e:
        dm.read_diary(path)
    one_line(e.value, "unknown", "'mood'")


def test_repeated_person_day(tmp_path, table, one_line):
    path = tmp_path / "t.parquet"
    pd.concat([table, table.iloc[[4]]]).to_parquet(path)
    with pytest.raises(InputError) as e:
        dm.read_diary(path)
    one_line(e.value, "one row per couple, person and day", "rows 5 and 721")


def test_wrong_types_in_parquet(tmp_path, table, one_line):
    path = tmp_path / "t.parquet"
    bad = table.astype({"closeness": "float64"})
    bad.loc[9, "closeness"] = 2.5
    bad.to_parquet(path)
    with pytest.raises(InputError) as e:
        dm.read_diary(path)
    one_line(e.value, "'closeness' column", "Got 2.5 in row 10")
    bad = table.astype({"response": "string"})
    bad["bids_made"] = bad["bids_made"].astype(str)
    bad.to_parquet(path)
    # Text that holds whole numbers is accepted: the same file written by another tool.
    pd.testing.assert_frame_equal(dm.read_diary(path), table)
    bad["day"] = "Monday"
    bad.to_parquet(path)
    with pytest.raises(InputError) as e:
        dm.read_diary(path)
    one_line(e.value, "'day' column", "'Monday' in row 1")


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("garbage.parquet", b"\x00\x01not parquet\xff" * 40, "could not be read as a Parquet"),
        ("garbage.csv", b"\xff\xfe\x00\x81binary\n\x00\x9c" * 40, "diary"),
        ("empty.csv", b"", "is empty"),
        ("empty.parquet", b"", "is empty"),
        ("header.csv", b"couple,person\n", "must have every diary column"),
        ("words.csv", b"hello,world\n1,2\n", "not a closeloop diary table"),
        ("diary.txt", b"couple,person\n", ".parquet or .csv"),
        ("diary", b"", ".parquet or .csv"),
    ],
)
def test_not_a_table(tmp_path, one_line, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as e:
        dm.read_diary(path)
    one_line(e.value, words)


def test_header_only_and_missing_file(tmp_path, one_line):
    path = tmp_path / "h.csv"
    path.write_text(",".join(dm.COLUMNS) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        dm.read_diary(path)
    one_line(e.value, "at least one row")
    with pytest.raises(InputError) as e:
        dm.read_diary(tmp_path / "none.csv")
    one_line(e.value, "does not exist", "none.csv")
    with pytest.raises(InputError) as e:
        dm.read_diary(tmp_path)
    one_line(e.value, ".parquet or .csv")


# --- Bad datasets -----------------------------------------------------------------------------


def test_diary_needs_a_couple_dataset_with_daily_records(ds, one_line):
    with pytest.raises(InputError) as e:
        dm.diary(ds.drop_vars([v for v in ds.data_vars if str(v).startswith("daily_")]))
    one_line(e.value, "'ds' parameter of diary", "daily=True", "without daily records")
    with pytest.raises(InputError) as e:
        dm.diary(ds.drop_vars("daily_known"))
    one_line(e.value, "without daily_known")
    with pytest.raises(InputError) as e:
        dm.diary(ds.to_dataframe)  # type: ignore[arg-type]
    one_line(e.value, "'ds' parameter of diary", "Got a value of type method")
    for seed in (-1, 1.5, True):
        with pytest.raises(InputError) as e:
            dm.diary(ds, seed=seed)  # type: ignore[arg-type]
        one_line(e.value, "'seed' parameter of diary", "an integer >= 0")


def test_diary_refuses_a_person_dataset(one_line):
    # The shape of simulate()'s person Dataset, without paying for another compile.
    person = xr.Dataset(
        {"daily_shared": (("unit", "day"), np.zeros((2, 3), bool))},
        attrs={"closeloop_kind": "person"},
    )
    with pytest.raises(InputError) as e:
        dm.diary(person)
    one_line(e.value, "couple Dataset", "daily=True", "Got a person dataset")


# --- Documentation ----------------------------------------------------------------------------


def test_docs_describe_every_column_and_the_noise():
    text = (ROOT / "docs" / "diary.md").read_text(encoding="utf-8")
    for c in dm.SCHEMA:
        assert f"| `{c.name}` |" in text, f"docs/diary.md does not document column {c.name!r}"
    assert dm.schema_table() in text, (
        "the column table in docs/diary.md is stale: replace it with the output of "
        "`uv run python -c 'from closeloop.observation import schema_table; print(schema_table())'`"
    )
    for r, sd in dm.NOISE_SD.items():
        assert f"| {r} | {sd:g} |" in text, f"noise SD of {r} not in docs/diary.md"
    for what, value in dm.DAY_CLOSENESS.items():
        assert f"| {what} | {value:g} |" in text, f"closeness term {what!r} not in docs/diary.md"
