"""Acute events in adult life: their encoding in the schedule, the day's offer they replace, what
they teach a person and a couple, and how a scenario declares them."""

from __future__ import annotations

import numpy as np
import pytest

import closeloop as cl
from closeloop.errors import InputError
from closeloop.model import events, healing, history
from closeloop.model.person import PARTNER, K, Offer
from closeloop.scenario import Scenario, load_scenario, scenario

f32 = np.float32


def _schedule(*evs: dict, interventions: tuple[dict, ...] = ()) -> np.ndarray:
    rows = [{"start": 0, "end": 1000, "intensity": 1.0, "who": "a", **r} for r in interventions]
    return events.schedule_array(rows, [{"who": "a", **e} for e in evs])


def _offer(n: int = 4) -> Offer:
    return Offer(
        offered=np.zeros(n, bool),
        depth=np.zeros(n, np.int32),
        context=np.full(n, 2, np.int32),
        pressure=np.full(n, 0.3, f32),
        importance=np.full(n, 0.4, f32),
        warmth=np.full(n, 0.7, f32),
        hurt_rate=np.full(n, 0.1, f32),
        protest_gain=np.full(n, 0.2, f32),
        forced=np.zeros(n, bool),
        salience=np.ones(n, f32),
        observe_boost=np.zeros(n, f32),
    )


# ---------------------------------------------------------------- encoding


def test_an_event_is_a_schedule_row_past_the_interventions_codes():
    sch = _schedule({"kind": "betrayal", "day": 40}, interventions=({"kind": "therapy"},))
    assert sch.shape == (healing.MAX_INTERVENTIONS, len(healing.COLUMNS))
    row = sch[1]
    episodes = history.EVENTS[history.EVENT_NAMES.index("betrayal")].episodes
    assert row[0] == events.EVENT_BASE + history.EVENT_NAMES.index("betrayal")
    assert (row[1], row[2]) == (40, 40 + episodes)
    assert events.has_events(sch) and not events.has_events(healing.schedule_array([]))


def test_interventions_ignore_event_rows():
    sch = _schedule({"kind": "humiliation", "day": 0, "who": "both"})
    for day in (0.0, 1.0, 5.0):
        assert (healing.levels(np, sch, f32(day)) == 0).all()
        therapy, exercise = healing.sessions(np, sch, f32(day))
        assert not therapy.any() and not exercise.any()


def test_the_event_is_active_for_its_episodes_for_whom_it_befalls():
    sch = _schedule({"kind": "loss", "day": 10, "who": "b"}, {"kind": "betrayal", "day": 11})
    loss = history.EVENTS[history.EVENT_NAMES.index("loss")]
    betrayal = history.EVENTS[history.EVENT_NAMES.index("betrayal")]
    on = {d: events.active(np, sch, f32(d)) for d in range(8, 16)}
    assert not on[9].on.any()
    assert list(on[10].on) == [False, True] and list(on[10].first) == [False, True]
    assert on[10].depth[1] == loss.depth and on[10].salience[1] == loss.salience
    assert list(on[11].on) == [True, True] and list(on[11].first) == [True, False]
    assert on[11].depth[0] == betrayal.depth and on[11].salience[0] == betrayal.salience
    last_b = 10 + loss.episodes - 1
    assert on[last_b].on[1] and not on[last_b + 1].on[1]
    # Overlapping events take the deeper depth and the larger salience, as in the history.
    both = _schedule({"kind": "loss", "day": 0}, {"kind": "humiliation", "day": 0})
    a = events.active(np, both, f32(0))
    assert a.depth[0] == K - 1 and a.salience[0] == max(e.salience for e in history.EVENTS[1:])


def test_the_event_offer_is_the_historys_acute_event():
    """A forced deep disclosure met with certain hurt at the event's salience, as
    ``history.history_offer`` makes it."""
    o = _offer()
    on = np.array([True, False, True, False])
    ev = events.event_offer(np, o, on, np.int32(4), f32(3.0), PARTNER)
    assert (ev.offered[on]).all() and (ev.forced[on]).all()
    assert (ev.depth[on] == 4).all() and (ev.context[on] == PARTNER).all()
    assert (ev.warmth[on] == 0).all() and (ev.hurt_rate[on] == 1).all()
    assert (ev.pressure[on] == 0).all() and (ev.protest_gain[on] == 0).all()
    assert (ev.salience[on] == 3.0).all()
    for a, b in zip(ev, o, strict=True):
        a, b = np.broadcast_to(a, on.shape), np.broadcast_to(b, on.shape)
        np.testing.assert_array_equal(a[~on], b[~on])


# ---------------------------------------------------------------- what events teach


@pytest.fixture(scope="module")
def person_pair() -> list:
    """Secure people, with and without a betrayal on day 20 (same seed: the same people)."""
    base = Scenario(population={"secure": 1.0}, days=60, world={"warmth": 0.8})
    hurt = base.replace(events=[{"kind": "betrayal", "day": 20}])
    return [cl.simulate(sc, n=24, seed=3, daily=True) for sc in (base, hurt)]


@pytest.mark.slow
def test_a_betrayal_in_adult_life_raises_deep_threat_in_the_partner_context(person_pair):
    plain, hurt = person_pair
    t0 = plain.threat_partner.isel(month=-1).values  # (unit, depth)
    t1 = hurt.threat_partner.isel(month=-1).values
    rise = (t1 - t0).mean(0)
    assert rise[K - 1] > 0.2  # a strong, lasting hurt at the deepest level
    assert rise[K - 1] > rise[0] + 0.1  # concentrated at the deep levels (generalisation)
    # Before the event nothing differs: it is data on its day, not a change of the run.
    d0, d1 = plain.daily_threat_deep.values, hurt.daily_threat_deep.values
    np.testing.assert_array_equal(d0[:, :20], d1[:, :20])
    assert (d1[:, 20] > d0[:, 20]).all()


@pytest.mark.slow
def test_a_betrayal_in_a_couple_hurts_the_one_it_befalls_and_leaves_a_rupture():
    sc = scenario("adult-betrayal").replace(days=120, events=[{"kind": "betrayal", "day": 40}])
    hurt = cl.simulate(sc, n=16, seed=2)
    plain = cl.simulate(sc.replace(events=()), n=16, seed=2)
    last = {"month": -1}
    rise = (hurt.threat_deep.isel(**last) - plain.threat_deep.isel(**last)).mean("couple").values
    assert rise[0] > 0.2  # member a, betrayed at the deepest level
    assert abs(rise[1]) < rise[0] / 4  # member b's own template is not what was hurt
    # One unrepaired rupture from the event (fading slowly) on top of the ordinary ones.
    m = int(np.searchsorted(hurt.month.values, 60))
    extra = (hurt.ruptures - plain.ruptures).isel(month=m).mean().item()
    assert 0.5 < extra < 1.5


# ---------------------------------------------------------------- the scenario file


@pytest.mark.parametrize(
    ("events_", "field", "allowed"),
    [
        ([{"kind": "betrayl", "day": 3}], "events.kind", "did you mean 'betrayal'"),
        ([{"kind": "loss", "day": -1}], "events.day", "an integer day"),
        ([{"kind": "loss", "day": 1.5}], "events.day", "an integer day"),
        ([{"kind": "loss", "day": 400}], "events.day", "within the scenario's 365 days"),
        ([{"kind": "loss", "who": "b"}], "events.who", "a person scenario"),
        ([{"kind": "loss", "who": "c"}], "events.who", "one of 'a', 'b', 'both'"),
        ([{"kind": "loss", "when": 3}], "events.when", "allowed keys are 'kind', 'day', 'who'"),
        ([{"day": 3}], "events.kind", "one of 'betrayal'"),
        ({"kind": "loss"}, "events", "a list of [[events]] tables"),
        (["loss"], "events", "a table with kind, day and who"),
        ([{"kind": "loss", "day": i} for i in range(9)], "events", "at most 8"),
    ],
)
def test_bad_events_give_one_line_errors_naming_the_field(events_, field, allowed):
    with pytest.raises(InputError) as e:
        Scenario(events=events_)
    msg = str(e.value)
    assert "\n" not in msg and f"'{field}'" in msg and allowed in msg, msg


def test_events_and_interventions_share_the_schedules_rows():
    ivs = [{"kind": "stress", "start": i} for i in range(6)]
    Scenario(interventions=ivs, events=[{"kind": "loss", "day": 1}, {"kind": "loss", "day": 2}])
    with pytest.raises(InputError, match="at most 2"):
        Scenario(interventions=ivs, events=[{"kind": "loss", "day": d} for d in range(3)])


def test_events_round_trip_through_toml_and_keep_other_digests(tmp_path):
    sc = scenario("adult-betrayal")
    assert sc.events and sc.events[0].kind == "betrayal" and sc.events[0].who == "a"
    path = tmp_path / "x.toml"
    path.write_text(sc.to_toml())
    assert load_scenario(path) == sc
    # A scenario without events has the JSON it had before events existed.
    assert "events" not in Scenario().to_json() and "events" in sc.to_json()
    assert sc.schedule()[0, 0] == events.EVENT_BASE + history.EVENT_NAMES.index("betrayal")
