"""Scenarios: the shipped library, validation of every field, TOML files, replace and the hash."""

from __future__ import annotations

import math

import numpy as np
import pytest

import closeloop as cl
from closeloop import mechanisms
from closeloop.errors import InputError
from closeloop.model import healing
from closeloop.params import person_params, world_params
from closeloop.presets import DEFAULT_MIX, PRESET_NAMES, MixTables
from closeloop.scenario import MAX_DAYS, Scenario, load_scenario, scenario, scenarios


def _raises(one_line, *parts, **fields) -> str:
    with pytest.raises(InputError) as e:
        Scenario(**fields)
    return one_line(e.value, *parts)


# ---------------------------------------------------------------- the library


def test_library_is_listed_sorted():
    names = scenarios()
    assert names == sorted(names) and len(names) >= 5
    assert cl.scenarios() == names


@pytest.mark.parametrize("name", scenarios())
def test_every_shipped_scenario_loads(name):
    sc = scenario(name)
    assert isinstance(sc, Scenario)
    assert sc.name == name, "the name inside the file differs from the file's"
    assert 1 <= sc.days <= MAX_DAYS and sc.description
    assert "\n" not in sc.description
    # everything the engine will need from it builds
    MixTables(sc.population, sc.traits)
    world_params(**sc.world)
    person_params(**sc.traits)
    mechanisms.flags(sc.ablate)


def test_unknown_scenario_name(one_line):
    with pytest.raises(InputError) as e:
        scenario("rising-closenes")
    one_line(e.value, "'scenario'", "'rising-closenes'", "did you mean 'rising-closeness'?")
    with pytest.raises(InputError) as e:
        scenario("nothing-like-it")
    one_line(e.value, "'scenario'", "'nothing-like-it'", *[repr(n) for n in scenarios()])


# ---------------------------------------------------------------- field validation


def test_defaults_are_valid():
    sc = Scenario()
    assert sc.days == 365 and sc.population == DEFAULT_MIX and sc.ablate == ()


@pytest.mark.parametrize("key", ["foo", "Days", "seed"])
def test_unknown_keys(key, one_line):
    msg = _raises(one_line, f"'{key}'", **{key: 1})
    for allowed in Scenario.model_fields:
        assert f"'{allowed}'" in msg


@pytest.mark.parametrize("days", [0, -5, MAX_DAYS + 1, 1.5, "x", [1], None])
def test_bad_days(days, one_line):
    _raises(one_line, "'days'", repr(days), f"[1, {MAX_DAYS}]", days=days)


def test_days_bounds_are_inclusive():
    assert Scenario(days=1).days == 1 and Scenario(days=MAX_DAYS).days == MAX_DAYS


WRONG_TYPES = [  # (key, value, parts of the message: the field and the value received)
    ("name", 5, ("'name'", "5")),
    ("description", None, ("'description'", "None")),
    ("population", "secure", ("'population'", "'secure'")),
    ("population", {"secure": "abc"}, ("'population.secure'", "'abc'")),
    ("traits", [1], ("'traits'", "[1]")),
    ("traits", {"threshold": "high"}, ("threshold", "'high'")),
    ("world", {"warmth": "hot"}, ("warmth", "'hot'")),
    ("world", 0.5, ("'world'", "0.5")),
    ("ablate", [1], ("'ablate", "1")),
]
IDS = [f"{k}={v!r}" for k, v, _ in WRONG_TYPES]


@pytest.mark.parametrize(("key", "value", "parts"), WRONG_TYPES, ids=IDS)
def test_wrong_types(key, value, parts, one_line):
    _raises(one_line, *parts, **{key: value})


@pytest.mark.parametrize(("key", "value", "parts"), WRONG_TYPES[:5], ids=IDS[:5])
def test_wrong_type_messages_read_as_a_sentence(key, value, parts):
    with pytest.raises(InputError) as e:
        Scenario(**{key: value})
    assert "must be input should" not in str(e.value)


@pytest.mark.parametrize("bad", ["securee", "Secure"])
def test_unknown_preset(bad, one_line):
    _raises(
        one_line,
        "'population'",
        repr(bad),
        *[repr(n) for n in PRESET_NAMES],
        population={"secure": 1.0, bad: 1.0},
    )


@pytest.mark.parametrize("weights", [{"secure": -1.0}, {"secure": 0.0}, {}])
def test_bad_population_weights(weights, one_line):
    _raises(one_line, "'population", population=weights)


def test_unknown_trait_and_world_names(one_line):
    _raises(one_line, "'traits.thershold'", "0.3", traits={"thershold": 0.3})
    _raises(one_line, "'world.warmt'", "0.3", world={"warmt": 0.3})
    _raises(one_line, "'traits.warmth'", traits={"warmth": 0.3})  # a world setting is no trait


@pytest.mark.parametrize(
    ("key", "name", "value"),
    [
        ("traits", "threshold", 2.0),
        ("traits", "beta", -1.0),
        ("traits", "drive", math.nan),
        ("world", "warmth", 1.5),
        ("world", "ramp_days", -1.0),
        ("world", "forced", math.inf),
    ],
)
def test_out_of_range_values(key, name, value, one_line):
    _raises(one_line, f"'{key}.{name}'", repr(value), **{key: {name: value}})


def test_unknown_ablation(one_line):
    _raises(
        one_line,
        "'ablate'",
        "'obsrvation'",
        *[repr(n) for n in mechanisms.NAMES],
        ablate=["observation", "obsrvation"],
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"days": True},
        {"traits": {"observe": True}},
        {"world": {"warmth": True}},
        {"population": {"secure": True}},
    ],
    ids=["days", "traits", "world", "population"],
)
def test_booleans_are_not_numbers(fields):
    with pytest.raises(InputError):
        Scenario(**fields)


# ---------------------------------------------------------------- TOML files


def _write(tmp_path, text: str, name: str = "mine.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_a_toml_file_loads(tmp_path):
    p = _write(
        tmp_path,
        'days = 30\nablate = ["observation"]\n[population]\navoidant = 2\n[world]\nwarmth = 0.5\n',
    )
    sc = load_scenario(p)
    assert sc.name == "mine" and sc.days == 30 and sc.ablate == ("observation",)
    assert sc.population == {"avoidant": 1.0} and sc.world == {"warmth": 0.5}
    assert scenario(str(p)) == sc


def test_malformed_toml(tmp_path, one_line):
    p = _write(tmp_path, "days = = 3\n")
    with pytest.raises(InputError) as e:
        load_scenario(p)
    one_line(e.value, str(p), "TOML", "line 1")


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("days = 0\n", ("'days'", "0")),
        ('days = "x"\n', ("'days'", "'x'")),
        ("colour = 3\n", ("'colour'",)),
        ("[population]\nsecur = 1\n", ("'secur'",)),
        ("[traits]\nthreshold = 7\n", ("'traits.threshold'", "7")),
        ('ablate = ["nope"]\n', ("'ablate'", "'nope'")),
    ],
)
def test_bad_values_in_a_file(tmp_path, text, parts, one_line):
    with pytest.raises(InputError) as e:
        load_scenario(_write(tmp_path, text))
    one_line(e.value, *parts)


def test_missing_file(tmp_path, one_line):
    p = tmp_path / "nope.toml"
    for call in (load_scenario, scenario):
        with pytest.raises(InputError) as e:
            call(str(p))
        one_line(e.value, "'scenario'", str(p))


def test_a_folder_is_not_a_scenario_file(tmp_path, one_line):
    with pytest.raises(InputError) as e:
        load_scenario(tmp_path)
    one_line(e.value, "'scenario'", str(tmp_path))


def test_undecodable_file(tmp_path, one_line):
    p = tmp_path / "bin.toml"
    p.write_bytes(b"days = \xff\xfe\n")
    with pytest.raises(InputError) as e:
        load_scenario(p)
    one_line(e.value, str(p))


# ---------------------------------------------------------------- replace and the hash


def test_replace_validates_and_returns_a_new_scenario(one_line):
    sc = scenario("warm-partner")
    short = sc.replace(days=30)
    assert short is not sc and short.days == 30 and sc.days == 1095
    assert short.population == sc.population and short.world == sc.world
    with pytest.raises(InputError) as e:
        sc.replace(days=0)
    one_line(e.value, "'days'")
    with pytest.raises(InputError) as e:
        sc.replace(world={"warmth": 3.0})
    one_line(e.value, "'world.warmth'", "3.0")
    with pytest.raises(InputError) as e:
        sc.replace(colour="red")
    one_line(e.value, "'colour'")
    with pytest.raises(Exception):  # noqa: B017 - frozen: pydantic's own error
        sc.days = 3  # type: ignore[misc]


def test_hash_is_stable():
    a = Scenario(population={"secure": 1, "avoidant": 2}, world={"warmth": 0.5, "pressure": 0.1})
    b = Scenario(
        population={"avoidant": 2.0, "secure": 1.0}, world={"pressure": 0.1, "warmth": 0.5}
    )
    assert a.digest() == b.digest() == a.replace().digest()
    assert len(a.digest()) == 64 and int(a.digest(), 16) >= 0
    assert scenario("warm-partner").digest() == scenario("warm-partner").digest()


CHANGES = {
    "name": "other",
    "description": "another line",
    "days": 366,
    "population": {"secure": 1.0, "avoidant": 1.0},
    "traits": {"threshold": 0.3},
    "world": {"warmth": 0.5},
    "ablate": ("observation",),
    "kind": "couple",
    "a": {"avoidant": 1.0},
    "b": {"anxious": 1.0},
    "traits_a": {"threshold": 0.3},
    "traits_b": {"threshold": 0.3},
    "relationship": {"bid_rate": 0.5},
    "interventions": ({"kind": "observation", "start": 30, "intensity": 0.5},),
    "events": ({"kind": "betrayal", "day": 30},),
    "history": {"home_until": 14.0},
    "change": {"safe_warmth": 0.9},
}
COUPLE_ONLY = {"a", "b", "traits_a", "traits_b", "relationship"}


@pytest.mark.parametrize("field", list(CHANGES))
def test_hash_changes_with_every_field(field):
    if field in COUPLE_ONLY or field == "kind":
        base = Scenario(kind="couple", a="secure", b="secure")
    else:
        base = Scenario()
    assert set(CHANGES) == set(Scenario.model_fields)
    if field == "kind":  # a couple scenario needs its members; the person one its population
        changed = Scenario(days=base.days)
        assert changed.digest() != base.digest()
        return
    changed = base.replace(**{field: CHANGES[field]})
    assert changed.digest() != base.digest()
    assert changed.replace(**{field: getattr(base, field)}).digest() == base.digest()


# ---------------------------------------------------------------- interventions

COUPLE = {"kind": "couple", "a": "avoidant", "b": "anxious"}


def _iv(**fields) -> dict:
    return {"kind": "therapy", **fields}


BAD_INTERVENTIONS = [  # (scenario fields, parts of the message: the field and the value)
    ({"interventions": [_iv(kind="hugs")]}, ("'interventions.kind'", "'hugs'", "'therapy'")),
    ({"interventions": [{"start": 3}]}, ("'interventions.kind'",)),
    ({"interventions": [_iv(kind=3)]}, ("'interventions.kind'", "3")),
    ({"interventions": [_iv(start=-1)]}, ("'interventions.start'", "-1", "[0, 36500]")),
    ({"interventions": [_iv(start=1.5)]}, ("'interventions.start'", "1.5")),
    ({"interventions": [_iv(start=True)]}, ("'interventions.start'", "True")),
    ({"interventions": [_iv(end=MAX_DAYS + 1)]}, ("'interventions.end'", str(MAX_DAYS + 1))),
    ({"interventions": [_iv(start=10, end=10)]}, ("'interventions.end'", "10", "after start")),
    ({"interventions": [_iv(start=10, end=4)]}, ("'interventions.end'", "4", "after start")),
    ({"interventions": [_iv(intensity=1.5)]}, ("'interventions.intensity'", "1.5", "[0, 1]")),
    ({"interventions": [_iv(intensity=-0.1)]}, ("'interventions.intensity'", "-0.1")),
    ({"interventions": [_iv(intensity="high")]}, ("'interventions.intensity'", "'high'")),
    ({"interventions": [_iv(intensity=True)]}, ("'interventions.intensity'", "True")),
    ({"interventions": [_iv(who="c")]}, ("'interventions.who'", "'c'", "'both'")),
    ({"interventions": [_iv(who="b")]}, ("'interventions.who'", "'b'", "person")),
    ({"interventions": [_iv(colour=1)]}, ("'interventions.colour'", "'kind'", "'who'")),
    ({"interventions": _iv()}, ("'interventions'", "[[interventions]]")),
    ({"interventions": [3]}, ("'interventions'", "3")),
    (
        {"interventions": [_iv(kind="couples_therapy", end=100)]},
        ("'interventions.kind'", "'couples_therapy'", "person scenario"),
    ),
    (
        {**COUPLE, "interventions": [_iv(kind="flooding")]},
        ("'interventions.kind'", "'flooding'", "couple scenario"),
    ),
    (
        {**COUPLE, "interventions": [_iv(kind="graded_exposure")]},
        ("'interventions.kind'", "'graded_exposure'", "couple scenario"),
    ),
    (
        {**COUPLE, "interventions": [_iv(kind="context_change")]},
        ("'interventions.kind'", "'context_change'", "couple scenario"),
    ),
    (
        {**COUPLE, "days": 100, "interventions": [_iv(kind="couples_therapy", end=200)]},
        ("'interventions.end'", "200", "100 days"),
    ),
    (
        {"interventions": [_iv(start=i) for i in range(healing.MAX_INTERVENTIONS + 1)]},
        ("'interventions'", f"at most {healing.MAX_INTERVENTIONS}"),
    ),
]


@pytest.mark.parametrize(("fields", "parts"), BAD_INTERVENTIONS)
def test_bad_interventions_give_one_line_naming_the_field(fields, parts, one_line):
    _raises(one_line, *parts, **fields)


def test_interventions_allowed_per_kind():
    for kind in healing.PERSON_KINDS:
        assert Scenario(interventions=[{"kind": kind}]).interventions[0].kind == kind
    for kind in healing.COUPLE_KINDS:
        sc = Scenario(**COUPLE, days=400, interventions=[{"kind": kind, "end": 400}])
        assert sc.interventions[0].kind == kind
    assert set(healing.PERSON_KINDS) | set(healing.COUPLE_KINDS) == set(healing.KINDS)
    assert "couples_therapy" not in healing.PERSON_KINDS
    assert not {"flooding", "graded_exposure", "context_change"} & set(healing.COUPLE_KINDS)
    most = [{"kind": "stress", "start": i} for i in range(healing.MAX_INTERVENTIONS)]
    assert len(Scenario(interventions=most).interventions) == healing.MAX_INTERVENTIONS


def test_intervention_defaults_and_the_schedule():
    sc = Scenario(interventions=[{"kind": "therapy"}])
    (iv,) = sc.interventions
    assert (iv.start, iv.end, iv.intensity, iv.who) == (0, MAX_DAYS, 1.0, "")
    couple = Scenario(
        **COUPLE,
        days=400,
        interventions=[
            {"kind": "safe_partner", "start": 10, "end": 20, "intensity": 0.5},
            {"kind": "pacing"},
            {"kind": "therapy"},
            {"kind": "commitment", "who": "both"},
            {"kind": "observation", "who": "b"},
        ],
    )
    s = couple.schedule()
    assert s.shape == (healing.MAX_INTERVENTIONS, len(healing.COLUMNS)) and s.dtype == np.float32
    # default whose: the partner's work is b's, the person's work a's
    assert s[:5, 4].tolist() == [1, 1, 0, 2, 1]
    assert s[0, :4].tolist() == [healing.KINDS.index("safe_partner"), 10, 20, 0.5]
    assert (s[5:, 0] == -1).all()
    assert (Scenario().schedule()[:, 0] == -1).all()
    person = Scenario(interventions=[{"kind": "safe_partner"}, {"kind": "pacing", "who": "a"}])
    assert person.schedule()[:2, 4].tolist() == [0, 0]


def test_a_toml_file_with_interventions_loads(tmp_path):
    p = _write(
        tmp_path,
        'kind = "couple"\ndays = 400\na = "avoidant"\nb = "anxious"\n'
        '[[interventions]]\nkind = "couples_therapy"\nstart = 30\nend = 120\nwho = "a"\n'
        '[[interventions]]\nkind = "stress"\nstart = 200\nintensity = 0.4\n',
    )
    sc = load_scenario(p)
    assert [iv.kind for iv in sc.interventions] == ["couples_therapy", "stress"]
    ct, stress = sc.interventions
    assert (ct.start, ct.end, ct.who, ct.intensity) == (30, 120, "a", 1.0)
    assert (stress.start, stress.end, stress.intensity) == (200, MAX_DAYS, 0.4)
    assert scenario(str(p)) == sc


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ('[[interventions]]\nkind = "hugs"\n', ("'interventions.kind'", "'hugs'")),
        ('[[interventions]]\nkind = "therapy"\nend = 0\n', ("'interventions.end'", "0")),
        ('[[interventions]]\nkind = "therapy"\nwhen = 3\n', ("'interventions.when'",)),
        ('[interventions]\nkind = "therapy"\n', ("'interventions'",)),
    ],
)
def test_bad_interventions_in_a_file(tmp_path, text, parts, one_line):
    with pytest.raises(InputError) as e:
        load_scenario(_write(tmp_path, text))
    one_line(e.value, *parts)


def test_replace_keeps_interventions():
    sc = scenario("relapse-under-stress")
    assert sc.interventions
    short = sc.replace(days=450)
    assert short.interventions == sc.interventions and short.days == 450
    np.testing.assert_array_equal(short.schedule(), sc.schedule())
    couple = scenario("therapy-and-safe-partner").replace(days=800)
    assert couple.interventions == scenario("therapy-and-safe-partner").interventions
    cleared = sc.replace(interventions=())
    assert cleared.interventions == () and cleared.digest() != sc.digest()
    assert cleared.replace(interventions=sc.interventions).digest() == sc.digest()


def test_every_intervention_kind_is_described():
    assert set(healing.DESCRIPTIONS) == set(healing.KINDS)
    for kind in healing.KINDS:
        assert healing.DESCRIPTIONS[kind] and "\n" not in healing.DESCRIPTIONS[kind]
