"""Tests of the couple story (closeloop.analysis.couple_events, closeloop.narrative.couple_story):
facts read from the data, dated events in order, numbers that match, roles derived from the data,
and wording that never pathologises or promises."""

from __future__ import annotations

import re

import numpy as np
import pytest
import xarray as xr

import closeloop as cl
from closeloop import narrative
from closeloop.analysis import couple_events
from closeloop.narrative import couple_story
from closeloop.simulation import NOTICE
from closeloop.trajectory import CLASSES

DAYS = 360
"""Every couple run in test_story, test_report and test_demo has 360 days (one compilation)."""
# Settings that make giving up, talks and endings common within a year (data, not shapes, so
# the compiled engine is reused).
RELATIONSHIP = {
    "hazard_base": 0.004,
    "felt_rate": 0.2,
    "pursuit_rate": 0.2,
    "talk_after": 0.0,
    "talk_rate": 0.1,
}
SCENARIO = cl.scenario("avoidant-anxious").replace(
    days=DAYS, relationship=RELATIONSHIP, traits_b={"give_up": 0.55}
)
BANNED = ("disorder", "dysfunctional", "broken", "pathological", "narcissist", "toxic", "symptom")


@pytest.fixture(scope="module")
def ds() -> xr.Dataset:
    return cl.simulate(SCENARIO, n=40, seed=5)


@pytest.fixture(scope="module")
def all_facts(ds: xr.Dataset) -> list[couple_events.CoupleFacts]:
    return [couple_events.couple_facts(ds, i) for i in range(ds.sizes["couple"])]


def _happened(ds: xr.Dataset, i: int, w: int) -> set[str]:
    """The events of couple i computed straight from the Dataset."""
    c = ds.isel(couple=i)
    r = 1 - w
    out = set()
    if int(c["first_decline"].values[w]) >= 0:
        out.add("pullback")
    if int(c["escalation"]) >= 0:
        out.add("escalation")
    if int(c["first_talk"]) >= 0:
        out.add("talk")
    if int(c["gave_up_day"].values[r]) >= 0:
        out.add("gave_up")
    if int(c["gave_up_day"].values[w]) >= 0:
        out.add("also_gave_up")
    if int(c["end_day"]) >= 0:
        out.add("ended")
    return out


def test_the_fixture_has_every_kind_of_event(all_facts: list[couple_events.CoupleFacts]) -> None:
    kinds = {e.kind for f in all_facts for e in f.events()}
    assert {"pullback", "escalation", "talk", "gave_up", "ended"} <= kinds


def test_every_event_that_happened_is_told_with_its_month_in_order(
    ds: xr.Dataset, all_facts: list[couple_events.CoupleFacts]
) -> None:
    for f in all_facts:
        events = f.events()
        assert {e.kind for e in events} == _happened(ds, f.couple, f.withdrawer)
        assert [e.day for e in events] == sorted(e.day for e in events)
        text = couple_story.couple_story(f)
        paragraphs = text.split("\n\n")
        where = []
        for e in events:
            start = narrative.when(e.day)
            start = start[0].upper() + start[1:] + ", "
            hits = [i for i, p in enumerate(paragraphs) if p.startswith(start)]
            assert hits, (f.couple, e, text)
            assert f"month {e.month}" in start
            where.append(hits[0] if not where else min(h for h in hits if h >= where[-1]))
        assert where == sorted(where)


def test_months_and_dates() -> None:
    assert (
        couple_events.month_of(0) == 1
        and couple_events.month_of(29) == 1
        and couple_events.month_of(30) == 2
    )
    assert narrative.when(45) == "in month 2"
    assert narrative.when(600) == "in month 21, about a year and a half in"
    assert narrative.when(3649).startswith("in month 122, about ten years in")
    assert narrative.years_phrase(200) == ""
    assert narrative.years_phrase(365) == "about a year in"
    assert narrative.years_phrase(910) == "about two and a half years in"
    assert narrative.duration(5) == "5 months"
    assert narrative.duration(1) == "1 month"
    assert narrative.duration(24) == "about two years (24 months)"
    assert narrative.run_span(3650) == "ten years"
    assert narrative.run_span(360) == "12 months"


def test_no_pathologising_words(ds: xr.Dataset, all_facts: list[couple_events.CoupleFacts]) -> None:
    pop = couple_events.population_facts(ds)
    for f in all_facts:
        text = couple_story.story_text(f, pop, "a rule.").lower()
        for word in BANNED:
            assert word not in text, (word, f.couple)
        # Never blaming either partner, and never promising an outcome.
        assert "walls were a protection once" in text
        assert "neither partner is to blame" in text
        assert "guarantee" in text
        assert "therapy" in text
        assert "face the fear" not in text or "guarantee" in text


def test_story_numbers_match_the_data(
    ds: xr.Dataset, all_facts: list[couple_events.CoupleFacts]
) -> None:
    for f in all_facts:
        i = f.couple
        c = ds.isel(couple=i)
        offered = c["offered"].values.sum(axis=0)
        declined = c["declined"].values.sum(axis=0)
        share = declined / np.maximum(offered, 1)
        assert f.decline_share == pytest.approx(tuple(share))
        assert f.peak_pursuit == pytest.approx(tuple(c["pursuit"].values.max(axis=0)))
        assert f.trajectory == str(c["trajectory"].values)
        text = couple_story.couple_story(f)
        w, r = couple_events.NAMES[f.withdrawer], couple_events.NAMES[f.reacher]
        assert f"{w} turned away {share[f.withdrawer]:.0%} of {r}'s bids" in text
        sat = c["sat"].values
        assert (
            f"{couple_events.NAMES[0]} {sat[-1, 0]:.2f}, {couple_events.NAMES[1]} {sat[-1, 1]:.2f}"
            in text
        )
        gave = int(c["gave_up_day"].values[f.reacher])
        if gave >= 0:
            m = gave // 30
            assert f.gave_up_sat == pytest.approx(float(sat[m, f.reacher]))
            stab = float(c["stability"].values[m, f.withdrawer])
            assert f"{f.gave_up_sat:.2f}" in text and f"{stab:.2f}" in text
        if f.cycle is not None:
            assert f"from month {f.cycle[0]} to month {f.cycle[1]}" in text or (
                f.cycle[0] == f.cycle[1] and f"month {f.cycle[0]} only" in text
            )
        if f.trajectory == "ended":
            assert "ended" in text
        else:
            assert "were still together" in text


def test_population_numbers_match_the_data(ds: xr.Dataset) -> None:
    p = couple_events.population_facts(ds)
    traj = ds["trajectory"].values.astype(str)
    assert p.n == ds.sizes["couple"]
    assert list(p.shares) == list(CLASSES)
    assert sum(p.shares.values()) == pytest.approx(1.0)
    for k, s in p.shares.items():
        assert s == pytest.approx(np.mean(traj == k))
    assert p.ended_share == pytest.approx(np.mean(ds["end_day"].values >= 0))
    first, last = couple_events.cycle_months(ds)
    spans = (last - first + 1)[first > 0]
    assert p.cycle_share == pytest.approx(np.mean(first > 0))
    assert p.cycle_months == pytest.approx(np.median(spans))
    text = couple_story.population_text(p)
    assert f"Across all {p.n} simulated couples" in text
    for k, s in p.shares.items():
        if s > 0:
            assert f"{s:.0%} {couple_events.CLASS_WORDS[k]}" in text
    assert narrative.duration(p.cycle_months) in text
    assert "the avoidant profile" in text and "the anxious profile" in text


def test_cycle_months_follow_the_classifier_thresholds() -> None:
    # Two couples, three months: couple 0 loops in months 2 and 3, couple 1 never.
    pursuit = np.zeros((2, 3, 2))
    pursuit[0, 1:, 1] = 0.6  # b pursues in months 2 and 3
    offered = np.full((2, 3, 2), 10.0)
    declined = np.zeros((2, 3, 2))
    declined[0, :, 0] = 5  # a turns away half of b's bids every month
    declined[1, :, 0] = 5  # ... in couple 1 too, but nobody pursues there
    ds = xr.Dataset(
        {
            "pursuit": (("couple", "month", "member"), pursuit),
            "offered": (("couple", "month", "member"), offered),
            "declined": (("couple", "month", "member"), declined),
            "ended": (("couple", "month"), np.zeros((2, 3), dtype=bool)),
        }
    )
    first, last = couple_events.cycle_months(ds)
    assert list(first) == [2, 0] and list(last) == [3, 0]


def test_roles_come_from_the_data_not_from_a_and_b(ds: xr.Dataset) -> None:
    swapped = ds.isel(member=[1, 0]).assign_coords(member=["a", "b"])
    w = couple_events.withdrawers(ds)
    share = couple_events.decline_shares(ds)
    distinct = share[:, 0] != share[:, 1]  # exact ties go to member a either way
    assert distinct.sum() >= 30
    assert (couple_events.withdrawers(swapped)[distinct] == 1 - w[distinct]).all()
    i = int(
        np.flatnonzero(
            couple_events.decline_shares(ds)[:, 0] > couple_events.decline_shares(ds)[:, 1]
        )[0]
    )
    f = couple_events.couple_facts(ds, i)
    g = couple_events.couple_facts(swapped, i)
    assert (f.withdrawer, f.reacher) == (0, 1)
    assert (g.withdrawer, g.reacher) == (1, 0)
    assert "A is the one who pulls back" in couple_story.couple_story(f) or not f.clear
    assert "B is the one who pulls back" in couple_story.couple_story(g) or not g.clear
    assert g.presets == f.presets[::-1]


def test_profiles_are_named_by_preset(all_facts: list[couple_events.CoupleFacts]) -> None:
    text = couple_story.couple_story(all_facts[0])
    assert "'avoidant' profile" in text and "'anxious' profile" in text


def test_unclear_roles_are_told_as_such(all_facts: list[couple_events.CoupleFacts]) -> None:
    f = all_facts[0]
    soft = couple_events.CoupleFacts(**{**vars(f), "clear": False})
    text = couple_story.couple_story(soft)
    assert "Neither settled into a steady part" in text
    assert "is the one who pulls back" not in text


def test_story_text_ends_with_the_notice(
    ds: xr.Dataset, all_facts: list[couple_events.CoupleFacts]
) -> None:
    text = couple_story.story_text(all_facts[0], couple_events.population_facts(ds), "a rule.")
    assert text.rstrip().endswith(NOTICE)
    assert "988" in text
    # Paraphrase, not quotation: no sentence of the source article is copied (spot checks).
    assert "tearing down walls" not in text.lower()
    assert not re.search(r"\bpathology\b", text.lower())
