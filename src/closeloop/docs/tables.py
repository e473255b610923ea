"""The declaration tables of docs/model.md: parameters (with their priors and the figures that
narrow them), mechanisms, caregiving styles, acute events, presets, the default population and
the structural constants."""

from __future__ import annotations

from collections.abc import Sequence

from closeloop import engine, mechanisms, params, presets
from closeloop.markdown import table
from closeloop.model import couple, history, person


def num(x: float) -> str:
    """A number as the tables print it (shortest general form)."""
    return f"{x:g}"


def prior_text(s: params.ParamSpec) -> str:
    """A parameter's fitting prior: "uniform" over the hard bounds, or the narrowed prior with
    the published figure that narrows it."""
    if s.prior == params.Uniform(s.low, s.high):
        return "uniform"
    return s.prior.describe() + (f" (narrowed by {s.prior.source})" if s.prior.source else "")


def params_table(specs: Sequence[params.ParamSpec]) -> str:
    """The columns every parameter table shows, one row per spec."""
    rows = [
        [
            f"`{s.name}`",
            num(s.default),
            f"[{num(s.low)}, {num(s.high)}]",
            s.unit,
            s.label,
            s.meaning,
            s.reference,
            ", ".join(s.claims) or "-",
            s.role,
            prior_text(s),
            s.scale,
            num(s.step),
        ]
        for s in specs
    ]
    headers = ["name", "default", "range", "unit", "plain label", "meaning", "reference"]
    return table([*headers, "claims", "role", "prior", "scale", "step"], rows)


def person_params_table() -> str:
    """Person traits, from ``params.PERSON_SPECS``."""
    return params_table(params.PERSON_SPECS)


def world_params_table() -> str:
    """Adult-world settings, from ``params.WORLD_SPECS``."""
    return params_table(params.WORLD_SPECS)


def couple_params_table() -> str:
    """Relationship settings, from ``params.COUPLE_SPECS``."""
    return params_table(params.COUPLE_SPECS)


def intervention_params_table() -> str:
    """How interventions act, from ``params.CHANGE_SPECS``."""
    return params_table(params.CHANGE_SPECS)


def history_params_table() -> str:
    """The early history's constants, from ``params.HISTORY_SPECS``."""
    return params_table(params.HISTORY_SPECS)


def observation_params_table() -> str:
    """The diary's measurement model, from ``params.OBSERVATION_SPECS``."""
    return params_table(params.OBSERVATION_SPECS)


def mechanisms_table() -> str:
    """Named mechanisms and their ablations, from ``mechanisms.MECHANISMS``.

    Which claims depend on each mechanism is in the claims table, so that this block does not
    depend on the claims package importing.
    """
    rows = [[f"`{m.name}`", m.summary, m.when_off, m.reference] for m in mechanisms.MECHANISMS]
    return table(["mechanism", "what it does", "when switched off (--ablate)", "reference"], rows)


def styles_table() -> str:
    """Caregiving styles, from ``history.STYLES``, and the adolescent peers (``history.PEERS``)."""
    rows: list[list[object]] = [
        [
            f"`{s.name}`",
            num(s.warm_shallow),
            num(s.warm_deep),
            num(s.hurt_shallow),
            num(s.hurt_deep),
            num(s.protest_gain),
            s.summary,
            s.reference,
        ]
        for s in history.STYLES
    ]
    pw0, pw1, ph0, ph1 = history.PEERS
    rows.append(
        [
            f"peers and first partners (age >= {num(history.HOME_UNTIL)})",
            num(pw0),
            num(pw1),
            num(ph0),
            num(ph1),
            "0",
            "Ordinary adolescent friends and first partners, whatever the caregiving.",
            "see the text",
        ]
    )
    return table(
        [
            "style",
            "warm (depth 0)",
            f"warm (depth {person.K - 1})",
            "hurt (depth 0)",
            f"hurt (depth {person.K - 1})",
            "protest gain",
            "summary",
            "reference",
        ],
        rows,
    )


def events_table() -> str:
    """Acute events, from ``history.EVENTS``."""
    rows = [
        [
            f"`{e.name}`",
            f"{e.depth} ({person.DEPTH_NAMES[e.depth]})",
            e.episodes,
            num(e.salience),
            e.summary,
            e.reference,
        ]
        for e in history.EVENTS
    ]
    return table(["event", "depth", "episodes (weeks)", "salience", "summary", "reference"], rows)


def _history_text(p: presets.Preset) -> str:
    styles = " + ".join(
        name if len(p.styles) == 1 else f"{name} ({100 * w / sum(p.styles.values()):.0f}%)"
        for name, w in p.styles.items()
    )
    events = "; ".join(f"{ev} at {num(age)}" for ev, age in p.events)
    return styles + (f"; then {events}" if events else "")


def presets_table() -> str:
    """Presets, from ``presets.PRESETS``: the history that produces each and the traits that
    differ from the defaults."""
    rows = []
    for p in presets.PRESETS:
        traits = ", ".join(
            f"`{k}` = {num(v)} (default {num(params.SPECS[k].default)})"
            for k, v in p.traits.items()
        )
        rows.append([f"`{p.name}`", _history_text(p), traits or "none", p.summary])
    return table(
        ["preset", "history (caregiving; events at age)", "traits that differ", "summary"], rows
    )


def population_table() -> str:
    """The default population (``presets.DEFAULT_MIX``) and the individual variation within a
    preset (``presets.TRAIT_SD``, ``presets.EVENT_AGE_JITTER``)."""
    total = sum(presets.DEFAULT_MIX.values())
    mix = table(
        ["preset", "share of the default population"],
        [[f"`{n}`", f"{100 * w / total:.0f}%"] for n, w in presets.DEFAULT_MIX.items()],
    )
    spread = table(
        ["varies within a preset", "how"],
        [
            [f"`{name}`", f"Gaussian, sd {num(sd)}, clipped to its range"]
            for name, sd in presets.TRAIT_SD.items()
        ]
        + [["event age", f"uniform, +/- {num(presets.EVENT_AGE_JITTER)} years"]],
    )
    return mix + "\n\n" + spread


def constants_table() -> str:
    """Structural constants of the model and engine."""
    rows: list[list[object]] = [
        [
            "`K`",
            person.K,
            "depths of closeness: "
            + ", ".join(f"{i} {n}" for i, n in enumerate(person.DEPTH_NAMES)),
        ],
        [
            "`C`",
            person.C,
            "contexts: " + ", ".join(f"{i} {n}" for i, n in enumerate(person.CONTEXT_NAMES)),
        ],
        [
            "`BEHAVIOURS`",
            len(person.BEHAVIOURS),
            "observable responses: "
            + ", ".join(f"{i} {n}" for i, n in enumerate(person.BEHAVIOURS)),
        ],
        ["`WEEKS_PER_YEAR`", history.WEEKS_PER_YEAR, "history steps per year"],
        ["`ADULT_AGE`", num(history.ADULT_AGE), "age (years) at which the history ends"],
        ["`HISTORY_STEPS`", history.HISTORY_STEPS, "weekly steps from birth to ADULT_AGE"],
        ["`MAX_EVENTS`", history.MAX_EVENTS, "acute events per person, at most"],
        ["`CHUNK`", engine.CHUNK, "units per compiled call (the last chunk is padded)"],
        ["`SNAP_DAYS`", engine.SNAP_DAYS, "adult days between snapshots of the template"],
        ["`N_DRAWS`", engine.N_DRAWS, "uniform draws per unit and step"],
        [
            "`N_COUPLE_DRAWS`",
            couple.N_COUPLE_DRAWS,
            "uniform draws per couple and day (both members' person draws, then the couple's)",
        ],
    ]
    return table(["constant", "value", "meaning"], rows)
