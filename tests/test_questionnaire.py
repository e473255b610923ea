"""The questionnaire: ECR-R scores from the latent state with measurement error, the four
categories, the CSI-16 and its distress cut-off, bad input, and what it shows of the presets
(learned anxiety carried into adult life; fearful beside dismissing)."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import closeloop as cl
from closeloop.errors import InputError
from closeloop.params import SPECS

# The module, not the function of the same name that closeloop.observation exports.
qm = importlib.import_module("closeloop.observation.questionnaire")

PROPS = settings(max_examples=60, deadline=None, derandomize=True)
DAYS = 40
"""As the suite's other engine runs (conftest.DAYS): the engine compiles once."""
PEOPLE = cl.Scenario(
    population={"secure": 1, "avoidant": 1, "anxious": 1, "fearful-avoidant": 1}, days=DAYS
)
COUPLES = cl.Scenario(kind="couple", a="avoidant", b="anxious", days=DAYS)


@pytest.fixture(scope="module")
def people():
    return cl.simulate(PEOPLE, n=400, seed=0)


@pytest.fixture(scope="module")
def couples():
    return cl.simulate(COUPLES, n=30, seed=0)


def _on_grid(x: pd.Series) -> bool:
    return bool(np.allclose(x * qm.ECR_ITEMS, np.rint(x * qm.ECR_ITEMS)))


def test_people_table_has_one_row_per_person_and_scores_in_range(people):
    q = cl.questionnaire(people, seed=0)
    assert len(q) == people.sizes["unit"]
    assert q["unit"].tolist() == list(range(people.sizes["unit"]))
    assert list(q.columns) == [
        "unit", "preset", "caregiving", "day", "anxiety", "avoidance", "category"
    ]  # fmt: skip
    for col in ("anxiety", "avoidance"):
        assert q[col].between(1.0, 7.0).all() and _on_grid(q[col])
    assert (q["day"] == DAYS).all()
    assert set(q["category"].cat.categories) == set(qm.CATEGORIES)


def test_couple_table_has_both_members_and_the_csi(couples):
    q = cl.questionnaire(couples, seed=0, latent=True)
    assert len(q) == 2 * couples.sizes["couple"]
    assert q[["couple", "person"]].astype(str).agg("-".join, axis=1).is_unique
    assert q["csi"].between(0, 81).all() and q["csi"].dtype == np.int32
    assert (q["distressed"] == (q["csi"] < SPECS["csi_cut"].default)).all()
    # The CSI measures the model's satisfaction with a small error (reliability .98).
    err = q["csi"] - 81 * q["satisfaction_latent"]
    assert np.abs(err).max() < 6 * qm.CSI_ERROR_SD + 0.5
    assert abs(err.mean()) < 1.5 and err.std() == pytest.approx(qm.CSI_ERROR_SD, rel=0.4)


def test_scores_measure_the_latent_state_with_the_reliability_error(people):
    q = cl.questionnaire(people, seed=0, latent=True)
    for dim in ("anxiety", "avoidance"):
        lat = q[f"{dim}_latent"]
        assert lat.between(0.0, 1.0).all()
        inside = (lat > 0.15) & (lat < 0.85)  # away from the clipped ends of the scale
        err = (q[dim] - (1.0 + 6.0 * lat))[inside]
        assert abs(err.mean()) < 0.1
        assert err.std() == pytest.approx(qm.ECR_ERROR_SD, rel=0.25)


def test_error_sd_comes_from_the_declared_reliability():
    sd, rel = SPECS["ecr_score_sd"].default, SPECS["ecr_reliability"].default
    assert pytest.approx(sd * np.sqrt(1.0 - rel)) == qm.ECR_ERROR_SD
    z = np.random.default_rng(0).standard_normal(20000)
    scores = qm.ecr_score(np.full(z.shape, 0.5), z)
    assert scores.std() == pytest.approx(qm.ECR_ERROR_SD, rel=0.05)
    csi = qm.csi_score(np.full(z.shape, 0.5), z)
    assert csi.std() == pytest.approx(qm.CSI_ERROR_SD, rel=0.15)


def test_same_seed_same_table_other_seed_other_errors(people):
    a = cl.questionnaire(people, seed=3)
    assert a.equals(cl.questionnaire(people, seed=3))
    b = cl.questionnaire(people, seed=4)
    assert not a["anxiety"].equals(b["anxiety"])
    # One person alone gets the row they get among everyone.
    one = cl.questionnaire(people, seed=3, person=7)
    assert one.iloc[0].equals(a.iloc[7])


def test_one_member_of_each_couple(couples):
    both = cl.questionnaire(couples, seed=1)
    b = cl.questionnaire(couples, seed=1, person="b")
    assert (b["person"] == "b").all() and len(b) == couples.sizes["couple"]
    assert b.reset_index(drop=True).equals(both[both["person"] == "b"].reset_index(drop=True))


@pytest.mark.parametrize(
    ("anx", "avoid", "expected"),
    [
        (1.0, 1.0, "secure"),
        (3.99, 3.99, "secure"),
        (4.0, 1.0, "preoccupied"),
        (1.0, 4.0, "dismissing"),
        (4.0, 4.0, "fearful"),
        (7.0, 6.5, "fearful"),
    ],
)
def test_categories_follow_the_cut_offs(anx, avoid, expected):
    assert qm.CATEGORIES[int(qm.category(anx, avoid))] == expected


def test_categories_in_the_table_agree_with_the_scores(people):
    q = cl.questionnaire(people, seed=0)
    want = qm.category(q["anxiety"].to_numpy(), q["avoidance"].to_numpy())
    assert (q["category"].cat.codes.to_numpy() == want).all()


@PROPS
@given(
    threat=st.floats(-1.0, 2.0),
    habit=st.floats(-1.0, 2.0),
    reward=st.floats(-1.0, 2.0),
    seeking=st.floats(-1.0, 2.0),
    anxiety=st.floats(-1.0, 2.0),
    sat=st.floats(-1.0, 2.0),
    z=st.floats(-40.0, 40.0),
)
def test_scores_stay_in_range_for_any_state(threat, habit, reward, seeking, anxiety, sat, z):
    lat_v = qm.avoidance_latent(np.array([threat]), np.array([habit]))
    lat_a = qm.anxiety_latent(np.array([anxiety]), np.array([reward]), np.array([seeking]))
    assert 0.0 <= lat_v[0] <= 1.0 and 0.0 <= lat_a[0] <= 1.0
    for lat in (lat_a, lat_v):
        s = qm.ecr_score(lat, np.array([z]))
        assert 1.0 <= s[0] <= 7.0 and _on_grid(pd.Series(s))
    c = qm.csi_score(np.array([sat]), np.array([z]))
    assert 0 <= c[0] <= 81


def test_a_later_day_reads_a_later_snapshot(couples):
    first = cl.questionnaire(couples, seed=0, day=0)
    last = cl.questionnaire(couples, seed=0, day=DAYS - 1)
    assert (first["day"] == 30).all() and (last["day"] == DAYS).all()
    assert last.equals(cl.questionnaire(couples, seed=0))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"person": "c"}, "'person'"),
        ({"person": 0}, "'person'"),
        ({"day": DAYS}, "'day'"),
        ({"day": -2}, "'day'"),
        ({"day": 1.5}, "'day'"),
        ({"seed": -1}, "'seed'"),
    ],
)
def test_bad_arguments_are_one_line_errors(couples, kwargs, field):
    with pytest.raises(InputError) as e:
        cl.questionnaire(couples, **kwargs)
    msg = str(e.value)
    assert "\n" not in msg and field in msg and "questionnaire" in msg


def test_unknown_unit_is_a_one_line_error(people):
    with pytest.raises(InputError, match=r"'person'.*unit index in \[0, 400\).*999"):
        cl.questionnaire(people, person=999)


def test_a_dataset_without_the_needed_variables(people, couples):
    with pytest.raises(InputError, match="without seeking_t") as e:
        cl.questionnaire(people.drop_vars("seeking_t"))
    assert "\n" not in str(e.value)
    with pytest.raises(InputError, match="without habit_deep, sat"):
        cl.questionnaire(couples.drop_vars(["habit_deep", "sat"]))
    with pytest.raises(InputError, match="Got a value of type DataFrame"):
        cl.questionnaire(pd.DataFrame({"a": [1]}))
    with pytest.raises(InputError, match="neither a 'unit' nor a 'couple'"):
        cl.questionnaire(people.isel(unit=0))


def test_avoidant_is_mostly_dismissing_and_fearful_avoidant_mostly_fearful(people):
    q = cl.questionnaire(people, seed=0)
    share = q.groupby("preset", observed=True)["category"].value_counts(normalize=True)
    assert share["avoidant"].idxmax() == "dismissing" and share["avoidant"]["dismissing"] > 0.5
    assert share["fearful-avoidant"].idxmax() == "fearful"
    assert share["fearful-avoidant"]["fearful"] > 0.5
    assert share["secure"]["secure"] > 0.8
    assert share["anxious"].idxmax() == "preoccupied"
    # Fearful and dismissing both avoid; the fearful also want closeness (anxiety).
    m = q.groupby("preset", observed=True)[["anxiety", "avoidance"]].mean()
    assert m.loc["fearful-avoidant", "anxiety"] > m.loc["avoidant", "anxiety"] + 1.5
    assert abs(m.loc["fearful-avoidant", "avoidance"] - m.loc["avoidant", "avoidance"]) < 1.0


def test_inconsistent_care_scores_higher_anxiety_at_every_snapshot(people):
    for day in (0, DAYS - 1):
        q = cl.questionnaire(people, seed=0, day=day)
        m = q.groupby("caregiving", observed=True)["anxiety"].mean()
        assert m["inconsistent"] - m["responsive"] > 1.5, (day, m.to_dict())


@pytest.mark.slow
def test_learned_anxiety_is_carried_across_years_of_adult_life():
    """Inconsistent care teaches the anxious strategy; responsive care does not; the difference
    in questionnaire anxiety is the same after three years of adult life as after a month."""
    sc = cl.Scenario(population={"secure": 1, "anxious": 1}, days=3 * 365)
    ds = cl.simulate(sc, n=80, seed=2)
    gaps = []
    for day in (0, 365, -1):
        q = cl.questionnaire(ds, seed=0, day=day)
        m = q.groupby("caregiving", observed=True)["anxiety"].mean()
        gaps.append(m["inconsistent"] - m["responsive"])
    assert min(gaps) > 1.5, gaps
    assert max(gaps) - min(gaps) < 0.5, gaps


def test_docs_describe_every_column():
    text = (Path(__file__).resolve().parents[1] / "docs" / "diary.md").read_text()
    section = text.split("## The questionnaire", 1)[1].split("\n## ", 1)[0]
    for col in qm.QUESTIONNAIRE_COLUMNS:
        assert f"| `{col}` |" in section, col
    for col in ("anxiety_latent", "avoidance_latent", "satisfaction_latent"):
        assert f"`{col}`" in section, col


def test_the_fearful_scenario_ships():
    sc = cl.scenario("fearful-anxious")
    assert sc.kind == "couple" and sc.a == {"fearful-avoidant": 1.0} and sc.b == {"anxious": 1.0}
