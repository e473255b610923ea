"""Scenarios: the shipped library, validation of every field, TOML files, replace and the hash."""

from __future__ import annotations

import math

import pytest

import closeloop as cl
from closeloop import mechanisms
from closeloop.errors import InputError
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
    one_line(e.value, "'scenario'", "'rising-closenes'", *[repr(n) for n in scenarios()])


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
