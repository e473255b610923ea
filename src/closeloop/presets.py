"""Person presets and the default population.

A preset is a history (caregiving style or styles, acute events) plus the few traits that differ
from the defaults. The template itself is never set by hand: it is learned by running the history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from closeloop.errors import bad_value, one_of
from closeloop.model.history import MAX_EVENTS, STYLE_NAMES, check_age, event_index, style_index
from closeloop.params import PERSON_SPECS, SPECS, person_params


@dataclass(frozen=True)
class Preset:
    """A profile: which history produces it and which traits differ from the defaults."""

    name: str
    summary: str
    styles: Mapping[str, float]
    events: tuple[tuple[str, float], ...] = ()
    traits: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if "anxiety" in self.traits:  # learned from the history, never set by a preset
            raise ValueError(f"preset {self.name!r}: anxiety is learned from the history")


PRESETS: tuple[Preset, ...] = (
    Preset(
        "secure",
        "Grew up with responsive care; closeness mostly felt safe and worth it.",
        {"responsive": 1.0},
    ),
    Preset(
        "avoidant",
        "Grew up with critical, rejecting or emotionally unavailable care: "
        "sharing feelings and needs was met with hurt or with nothing, so the walls went up "
        "early.",
        {"critical": 1.0, "rejecting": 1.0, "unavailable": 1.0},
    ),
    Preset(
        "avoidant-after-betrayal",
        "Responsive childhood, then a deep disclosure was betrayed "
        "at 18: the deepest levels became dangerous.",
        {"responsive": 1.0},
        (("betrayal", 18.0),),
    ),
    Preset(
        "neglect-shaped",
        "Grew up where feelings were not discussed: learned that the inner "
        "world is not for sharing, more than that sharing hurts.",
        {"neglectful": 1.0},
    ),
    Preset(
        "private",
        "Responsive childhood and little threat, with a chosen preference for "
        "keeping to oneself (low drive to disclose).",
        {"responsive": 1.0},
        traits={"openness": 0.15, "drive": 0.45},
    ),
    Preset(
        "anxious",
        "Grew up with care that came unpredictably, mostly when seeking was "
        "intensified: learned to reach harder and hold on longer, and to read distance as "
        "being about oneself.",
        {"inconsistent": 1.0},
        traits={"attribution": 0.6, "give_up": 0.2},
    ),
    Preset(
        "fearful-avoidant",
        "Grew up where the one who comforted was also the one who frightened: learned both to "
        "reach hard for closeness and that deep closeness hurts, so wanting it and fearing it "
        "pull at once.",
        {"frightening": 1.0},
        traits={"drive": 0.85, "attribution": 0.6, "give_up": 0.2},
    ),
)
PRESET_NAMES = tuple(p.name for p in PRESETS)
BY_NAME = {p.name: p for p in PRESETS}

DEFAULT_MIX: dict[str, float] = {
    "secure": 0.53,
    "avoidant": 0.13,
    "avoidant-after-betrayal": 0.04,
    "neglect-shaped": 0.06,
    "private": 0.05,
    "anxious": 0.19,
    "fearful-avoidant": 0.0,
}
"""The default population. Roughly 58% secure, 23% dismissing-avoidant and 19% preoccupied, as
in the meta-analytic distribution of adult attachment interviews in non-clinical samples
(Bakermans-Kranenburg & van IJzendoorn 2009, The first 10,000 Adult Attachment Interviews) and
close to the self-report split of Hazan & Shaver 1987 (Romantic love conceptualized as an
attachment process: 56/25/19). The avoidant share is split over its routes (critical or
rejecting care, neglect, betrayal) and private people are carved out of the secure share; those
splits are modelling assumptions, stated in docs/model.md. The fearful-avoidant preset is not
part of it (weight 0): the Adult Attachment Interview's three organized categories the mix follows
have no fearful one, and how large its share should be is left open."""

TRAIT_SD: dict[str, float] = {
    "drive": 0.08,
    "openness": 0.08,
    "threshold": 0.03,
    "anxiety": 0.1,
    "attribution": 0.2,
    "give_up": 0.05,
}
"""Individual variation: Gaussian jitter (clipped to bounds) on a few traits within a preset."""
EVENT_AGE_JITTER = SPECS["event_age_jitter"].default
"""Event ages vary uniformly by this many years either side (a declared parameter)."""


def preset(name: str, field_name: str = "preset") -> Preset:
    """Look up a preset by name, with the standard error for an unknown one."""
    if name not in BY_NAME:
        raise bad_value(field_name, name, one_of(PRESET_NAMES))
    return BY_NAME[name]


def check_mix(mix: Mapping[str, float], field_name: str = "population") -> dict[str, float]:
    """Validate a population mix: known preset names, non-negative weights summing to > 0."""
    out: dict[str, float] = {}
    for name, w in mix.items():
        preset(name, f"{field_name}.{name}" if name in BY_NAME else field_name)
        try:
            if isinstance(w, bool | str | bytes):
                raise TypeError
            wf = float(w)
        except (TypeError, ValueError):
            raise bad_value(f"{field_name}.{name}", w, "a number >= 0") from None
        if not np.isfinite(wf) or wf < 0:
            raise bad_value(f"{field_name}.{name}", w, "a number >= 0")
        out[name] = wf
    total = sum(out.values())
    if total <= 0:
        raise bad_value(field_name, dict(mix), "at least one preset with a weight > 0")
    # Normalised, so that equivalent mixes are equal (and hash equal); idempotent, so that a
    # mix read back from a result file is the same mix.
    if abs(total - 1.0) < 1e-9:
        return out
    return {k: v / total for k, v in out.items()}


class MixTables:
    """A population mix turned into arrays the engine samples from (per unit, by key).

    Example:
        >>> MixTables({"secure": 1.0}).probs[PRESET_NAMES.index("secure")]
        np.float32(1.0)
    """

    def __init__(self, mix: Mapping[str, float], traits: Mapping[str, float] | None = None):
        mix = check_mix(mix)
        # Tables always span every preset (absent ones weigh 0), so that a different mix is new
        # data for the engine, never a new shape to compile.
        self.names = PRESET_NAMES
        w = np.array([mix.get(n, 0.0) for n in self.names], dtype=np.float64)
        self.probs = (w / w.sum()).astype(np.float32)
        rows, styles, ev_kind, ev_age = [], [], [], []
        for n in self.names:
            pr = BY_NAME[n]
            values = dict(pr.traits)
            values.update(traits or {})
            p = person_params(**values)
            rows.append([float(x) for x in p])
            sw = np.zeros(len(STYLE_NAMES), dtype=np.float64)
            for s, ws in pr.styles.items():
                sw[style_index(s)] = ws
            styles.append(sw / sw.sum())
            kinds = [-1] * MAX_EVENTS
            ages = [0.0] * MAX_EVENTS
            for i, (ev, age) in enumerate(pr.events):
                kinds[i] = event_index(ev)
                ages[i] = check_age(age)
            ev_kind.append(kinds)
            ev_age.append(ages)
        self.traits = np.array(rows, dtype=np.float32)
        self.styles = np.array(styles, dtype=np.float32)
        self.ev_kind = np.array(ev_kind, dtype=np.int32)
        self.ev_age = np.array(ev_age, dtype=np.float32)
        # Anxiety is learned from the history (history.learned_anxiety) unless the scenario sets
        # it; a preset never does.
        learn = 0.0 if "anxiety" in (traits or {}) else 1.0
        self.learn_anxiety = np.full(len(self.names), learn, dtype=np.float32)
        self.trait_sd = np.array(
            [TRAIT_SD.get(s.name, 0.0) for s in PERSON_SPECS], dtype=np.float32
        )
        self.low = np.array([s.low for s in PERSON_SPECS], dtype=np.float32)
        self.high = np.array([s.high for s in PERSON_SPECS], dtype=np.float32)

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "probs": self.probs,
            "traits": self.traits,
            "styles": self.styles,
            "ev_kind": self.ev_kind,
            "ev_age": self.ev_age,
            "learn_anxiety": self.learn_anxiety,
            "trait_sd": self.trait_sd,
            "low": self.low,
            "high": self.high,
        }
