"""Generated tables of docs/model.md.

docs/model.md is the single source of truth for the equations. Its tables of parameters,
mechanisms, caregiving styles, acute events, presets, the default population, constants, the
intervention kinds, the parameters of change, the scenario library, the trajectory classes and
claims are not written by hand: they are rendered here from the declarations in code
(``params.PERSON_SPECS``, ``WORLD_SPECS`` and ``COUPLE_SPECS``, ``mechanisms.MECHANISMS``,
``history.STYLES`` and ``EVENTS``, ``presets.PRESETS`` and ``DEFAULT_MIX``, ``healing.KINDS``
and its constants, the shipped scenarios of ``closeloop/scenarios``, the constants of
``trajectory``, ``claims.CLAIMS``) and placed between markers in the document::

    <!-- BEGIN GENERATED: person-params -->
    ...
    <!-- END GENERATED: person-params -->

``python -m closeloop.docs`` rewrites every block in place (atomically); ``--check`` only
compares, and exits 1 when a block is stale, so CI can tell when code and document disagree.

Example:
    >>> print(table(["a", "b"], [["1", "x|y"]]))
    | a | b |
    |---|---|
    | 1 | x\\|y |
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from closeloop import engine, mechanisms, params, presets, trajectory
from closeloop.io import write_text
from closeloop.markdown import table
from closeloop.model import couple, healing, history, person
from closeloop.scenario import MAX_DAYS, Intervention, Scenario, scenario, scenarios

MODEL_MD = Path(__file__).resolve().parents[2] / "docs" / "model.md"
"""docs/model.md of the source checkout this module lives in."""

_BLOCK = re.compile(
    r"(?P<begin><!-- BEGIN GENERATED: (?P<name>[a-z0-9-]+) -->\n)"
    r"(?P<body>.*?)"
    r"(?P<end><!-- END GENERATED: (?P=name) -->)",
    re.DOTALL,
)


def _num(x: float) -> str:
    return f"{x:g}"


def _params_table(specs: Sequence[params.ParamSpec]) -> str:
    rows = [
        [
            f"`{s.name}`",
            _num(s.default),
            f"[{_num(s.low)}, {_num(s.high)}]",
            s.unit,
            s.label,
            s.meaning,
            s.reference,
            ", ".join(s.claims) or "-",
            s.role,
            "uniform" if s.prior == params.Uniform(s.low, s.high) else s.prior.describe(),
            s.scale,
            _num(s.step),
        ]
        for s in specs
    ]
    headers = ["name", "default", "range", "unit", "plain label", "meaning", "reference"]
    return table([*headers, "claims", "role", "prior", "scale", "step"], rows)


def person_params_table() -> str:
    """Person traits, from ``params.PERSON_SPECS``."""
    return _params_table(params.PERSON_SPECS)


def world_params_table() -> str:
    """Adult-world settings, from ``params.WORLD_SPECS``."""
    return _params_table(params.WORLD_SPECS)


def couple_params_table() -> str:
    """Relationship settings, from ``params.COUPLE_SPECS``."""
    return _params_table(params.COUPLE_SPECS)


def intervention_params_table() -> str:
    """How interventions act, from ``params.CHANGE_SPECS``."""
    return _params_table(params.CHANGE_SPECS)


def history_params_table() -> str:
    """The early history's constants, from ``params.HISTORY_SPECS``."""
    return _params_table(params.HISTORY_SPECS)


def observation_params_table() -> str:
    """The diary's measurement model, from ``params.OBSERVATION_SPECS``."""
    return _params_table(params.OBSERVATION_SPECS)


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
            _num(s.warm_shallow),
            _num(s.warm_deep),
            _num(s.hurt_shallow),
            _num(s.hurt_deep),
            _num(s.protest_gain),
            s.summary,
            s.reference,
        ]
        for s in history.STYLES
    ]
    pw0, pw1, ph0, ph1 = history.PEERS
    rows.append(
        [
            f"peers and first partners (age >= {_num(history.HOME_UNTIL)})",
            _num(pw0),
            _num(pw1),
            _num(ph0),
            _num(ph1),
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
            _num(e.salience),
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
    events = "; ".join(f"{ev} at {_num(age)}" for ev, age in p.events)
    return styles + (f"; then {events}" if events else "")


def presets_table() -> str:
    """Presets, from ``presets.PRESETS``: the history that produces each and the traits that
    differ from the defaults."""
    rows = []
    for p in presets.PRESETS:
        traits = ", ".join(
            f"`{k}` = {_num(v)} (default {_num(params.SPECS[k].default)})"
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
            [f"`{name}`", f"Gaussian, sd {_num(sd)}, clipped to its range"]
            for name, sd in presets.TRAIT_SD.items()
        ]
        + [["event age", f"uniform, +/- {_num(presets.EVENT_AGE_JITTER)} years"]],
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
        ["`ADULT_AGE`", _num(history.ADULT_AGE), "age (years) at which the history ends"],
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


def _mix_text(mix: dict[str, float]) -> str:
    """A preset mix in words: a bare name, or names with their shares."""
    total = sum(mix.values())
    if len(mix) == 1:
        return f"`{next(iter(mix))}`"
    return " + ".join(f"`{n}` ({100 * w / total:.0f}%)" for n, w in mix.items())


def _settings_text(sc: Scenario) -> str:
    """The settings a shipped scenario changes from the defaults, in words."""
    parts = []
    for key in ("world", "relationship", "traits", "traits_a", "traits_b"):
        values = getattr(sc, key)
        if values:
            parts.append(f"{key}: " + ", ".join(f"`{k}` = {_num(v)}" for k, v in values.items()))
    if sc.ablate:
        parts.append("ablate: " + ", ".join(f"`{m}`" for m in sc.ablate))
    return "; ".join(parts) or "none (defaults)"


def _intervention_text(iv: Intervention, sc: Scenario) -> str:
    """One scheduled intervention in words: kind, intensity (when not 1), days, and in a couple
    whose it is (``Intervention.row`` resolves the default)."""
    parts = [f"`{iv.kind}`"]
    if iv.intensity != 1.0:
        parts.append(_num(iv.intensity))
    if iv.end < min(sc.days, MAX_DAYS):
        parts.append(f"days {iv.start}-{iv.end - 1}")
    elif iv.start > 0:
        parts.append(f"from day {iv.start}")
    else:
        parts.append("throughout")
    if sc.kind == "couple":
        parts.append(f"({iv.row(sc.kind)['who']})")
    return " ".join(parts)


def scenarios_table() -> str:
    """The shipped scenario library (``closeloop/scenarios/*.toml``): couple scenarios first."""
    library = [scenario(name) for name in scenarios()]
    library.sort(key=lambda sc: (sc.kind != "couple", sc.name))
    rows = []
    for sc in library:
        if sc.kind == "couple":
            who = f"a: {_mix_text(sc.a)}; b: {_mix_text(sc.b)}"
        else:
            who = "population: " + _mix_text(sc.population)
        items = [_intervention_text(iv, sc) for iv in sc.interventions]
        items += [f"event `{ev.kind}` on day {ev.day} ({ev.who or 'a'})" for ev in sc.events]
        care = "; ".join(items) or "none"
        rows.append(
            [f"`{sc.name}`", sc.kind, who, _settings_text(sc), care, sc.days, sc.description]
        )
    return table(
        [
            "scenario",
            "kind",
            "who",
            "settings changed",
            "interventions and events",
            "days",
            "description",
        ],
        rows,
    )


def interventions_table() -> str:
    """The intervention kinds a scenario may schedule (``healing.KINDS``, ``DESCRIPTIONS``), where
    each is allowed (``PERSON_KINDS``, ``COUPLE_KINDS``) and whose it is by default in a couple
    (``DEFAULT_WHO``), then the constants of ``closeloop.model.healing``."""

    def allowed(kind: str, kinds: tuple[str, ...]) -> str:
        return "yes" if kind in kinds else "no"

    kinds = table(
        ["kind", "what it does (intensity)", "person scenarios", "couple scenarios", "whose"],
        [
            [
                f"`{k}`",
                healing.DESCRIPTIONS[k],
                allowed(k, healing.PERSON_KINDS),
                allowed(k, healing.COUPLE_KINDS),
                "-"
                if k not in healing.COUPLE_KINDS
                else f"{healing.DEFAULT_WHO.get(k, 'a')}"
                + (" (the withdrawing member)" if k == "couples_therapy" else ""),
            ]
            for k in healing.KINDS
        ],
    )
    constants = table(
        ["constant", "value", "meaning"],
        [
            [
                "`MAX_INTERVENTIONS`",
                healing.MAX_INTERVENTIONS,
                "interventions per scenario, at most (rows of the schedule array)",
            ],
            [
                "`DAYS_PER_WEEK`",
                healing.DAYS_PER_WEEK,
                "therapy sessions come at most weekly (a rate of 1/7 a day at full intensity)",
            ],
        ],
    )
    return kinds + "\n\n" + constants


def change_params_table() -> str:
    """The person parameters that serve the claims of change (H1 to H7), from
    ``params.PERSON_SPECS``: the same columns as the parameter tables of section 4."""
    return _params_table([s for s in params.PERSON_SPECS if any(c[0] == "H" for c in s.claims)])


def trajectory_table() -> str:
    """The trajectory classes in the order they are tested, and the thresholds, from the
    constants of ``closeloop.trajectory``."""
    t = trajectory
    classes = table(
        ["order", "class", "when (over the last `WINDOW` months)"],
        [
            [1, "`ended`", "the relationship has ended (by the window's last month)"],
            [
                2,
                "`high-conflict`",
                f"on average {_num(t.HIGH_CONFLICT)} or more conflicts a month, and more than "
                "half of the window's conflicts unrepaired",
            ],
            [
                3,
                "`pursue-withdraw`",
                f"one member's mean month-end pursuit is at least {_num(t.PURSUIT)} while the "
                f"other declined at least {_num(t.DECLINE)} of the bids they received in the "
                "window",
            ],
            [
                4,
                "`functional-but-empty`",
                f"fewer than {_num(t.LOW_CONFLICT)} conflicts a month and the two known to each "
                f"other at a mean depth below {_num(t.DEEP)}; also any couple left over that is "
                "not intimate (moderate conflict without intimacy)",
            ],
            [
                5,
                "`deepening`",
                f"the rest: known to each other at a mean depth of {_num(t.DEEP)} or more, "
                "without high conflict or a pursue-withdraw loop",
            ],
        ],
    )
    constants = table(
        ["constant", "value", "meaning"],
        [
            ["`WINDOW`", t.WINDOW, "months (blocks of `SNAP_DAYS` days) the label looks back over"],
            ["`HIGH_CONFLICT`", _num(t.HIGH_CONFLICT), "conflicts a month that count as high"],
            [
                "`LOW_CONFLICT`",
                _num(t.LOW_CONFLICT),
                "conflicts a month below which conflict is low",
            ],
            ["`PURSUIT`", _num(t.PURSUIT), "mean month-end pursuit (0-1) that counts as pursuing"],
            [
                "`DECLINE`",
                _num(t.DECLINE),
                "share of received bids declined that counts as withdrawing",
            ],
            [
                "`DEEP`",
                _num(t.DEEP),
                f"mean depth to which the two are known (0 to {person.K}) that counts as intimate",
            ],
        ],
    )
    return classes + "\n\n" + constants


def _claims() -> list[Any] | None:
    """The registered claims, or None when the claims package does not import (yet)."""
    try:
        from closeloop.claims import CLAIMS
    except Exception as e:  # the registry is optional for the docs; say why it is skipped
        print(f"closeloop.docs: claims not rendered ({type(e).__name__}: {e})", file=sys.stderr)
        return None
    return list(CLAIMS)


def claims_table() -> str | None:
    """The claims registered in ``closeloop.claims.CLAIMS``; None when they do not import."""
    claims = _claims()
    if claims is None:
        return None
    if not claims:
        return "_No claims are registered yet._"
    rows = [
        [
            f"**{c.id}**",
            c.where,
            c.statement,
            ", ".join(f"`{m}`" for m in c.mechanisms) or "-",
            ", ".join(f"`{m}`" for m in c.negative_controls) or "-",
            c.threshold_why
            + (f" **Expected to fail:** {c.expected_to_fail}" if c.expected_to_fail else ""),
        ]
        for c in claims
    ]
    return table(
        [
            "id",
            "article section",
            "what the check shows",
            "depends on (ablations must fail it)",
            "must not need (ablations must leave it passing)",
            "threshold: why that size",
        ],
        rows,
    )


ABLATION_JSON = MODEL_MD.parent / "ablation-matrix.json"


def ablation_matrix_table() -> str | None:
    """The claims x mechanisms table recorded by ``tools/ablation_matrix.py`` (read from its
    JSON, never rerun here); a line saying it has not been run when the file is absent."""
    if not ABLATION_JSON.exists():
        return "_The ablation matrix has not been run yet (`tools/ablation_matrix.py`)._"
    try:
        from closeloop.claims.matrix import render as render_matrix
    except Exception as e:  # the claims package is optional for the docs; say why it is skipped
        print(
            f"closeloop.docs: ablation matrix not rendered ({type(e).__name__}: {e})",
            file=sys.stderr,
        )
        return None
    return render_matrix(json.loads(ABLATION_JSON.read_text(encoding="utf-8")))


def variants_block() -> str | None:
    """Claims by model variant, from the recorded docs/variants.json (never rerun here)."""
    try:
        from closeloop.claims.variants_table import variants_table
    except Exception as e:  # as for the claims block: optional, and say why it is skipped
        print(f"closeloop.docs: variants not rendered ({type(e).__name__}: {e})", file=sys.stderr)
        return None
    return variants_table()


ROBUSTNESS_JSON = MODEL_MD.parent / "robustness.json"


def robustness_block() -> str | None:
    """Claims over the fitting priors, from docs/robustness.json (``tools/robustness.py``;
    never rerun here); a line saying it has not been run when the file is absent."""
    if not ROBUSTNESS_JSON.exists():
        return "_The robustness check has not been run yet (`tools/robustness.py`)._"
    try:
        from closeloop.claims.robustness import render as render_robustness
    except Exception as e:  # as for the claims block: optional, and say why it is skipped
        print(f"closeloop.docs: robustness not rendered ({type(e).__name__}: {e})", file=sys.stderr)
        return None
    return render_robustness(json.loads(ROBUSTNESS_JSON.read_text(encoding="utf-8")))


BLOCKS: dict[str, Callable[[], str | None]] = {
    "person-params": person_params_table,
    "world-params": world_params_table,
    "couple-params": couple_params_table,
    "mechanisms": mechanisms_table,
    "styles": styles_table,
    "events": events_table,
    "presets": presets_table,
    "population": population_table,
    "constants": constants_table,
    "interventions": interventions_table,
    "change-params": change_params_table,
    "intervention-params": intervention_params_table,
    "history-params": history_params_table,
    "observation-params": observation_params_table,
    "scenarios": scenarios_table,
    "trajectory": trajectory_table,
    "claims": claims_table,
    "ablation-matrix": ablation_matrix_table,
    "linear-params": lambda: _params_table(params.LINEAR_SPECS),
    "variants": variants_block,
    "robustness": robustness_block,
}
"""Marker name -> renderer. A renderer returning None leaves its block untouched."""


def render(text: str) -> tuple[str, list[str]]:
    """Fill every generated block of ``text``.

    Returns:
        The new text and the names of the blocks whose content changed.

    Raises:
        ValueError: a block of :data:`BLOCKS` has no marker pair in ``text``, or a marker names
            an unknown block.
    """
    found = [m.group("name") for m in _BLOCK.finditer(text)]
    unknown = sorted(set(found) - set(BLOCKS))
    if unknown:
        raise ValueError(f"unknown generated block(s) in the document: {', '.join(unknown)}")
    missing = [n for n in BLOCKS if n not in found]
    if missing:
        raise ValueError(
            "missing generated block(s): "
            + ", ".join(missing)
            + " (add '<!-- BEGIN GENERATED: NAME -->' and "
            "'<!-- END GENERATED: NAME -->')"
        )
    rendered = {name: fn() for name, fn in BLOCKS.items()}
    changed: list[str] = []

    def fill(m: re.Match[str]) -> str:
        content = rendered[m.group("name")]
        if content is None:
            return m.group(0)
        body = content.rstrip("\n") + "\n"
        if body != m.group("body"):
            changed.append(m.group("name"))
        return m.group("begin") + body + m.group("end")

    return _BLOCK.sub(fill, text), changed


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m closeloop.docs [--check] [--path FILE]``: rewrite or check the generated blocks.

    Returns 0 when the document is (now) up to date, 1 with ``--check`` when a block is stale,
    2 when the document cannot be read or has a missing or unknown marker.
    """
    ap = argparse.ArgumentParser(
        prog="python -m closeloop.docs", description="Render the generated tables of docs/model.md."
    )
    ap.add_argument(
        "--check", action="store_true", help="only compare; exit 1 if a generated block is stale"
    )
    ap.add_argument("--path", type=Path, default=MODEL_MD, help="the document (docs/model.md)")
    args = ap.parse_args(argv)
    path: Path = args.path
    try:
        text = path.read_text(encoding="utf-8")
        new, changed = render(text)
    except (OSError, ValueError) as e:
        print(f"closeloop.docs: {path}: {e}", file=sys.stderr)
        return 2
    if args.check:
        if changed:
            print(
                f"closeloop.docs: {path} is stale in block(s) {', '.join(changed)}; run "
                "`uv run python -m closeloop.docs` to regenerate.",
                file=sys.stderr,
            )
            return 1
        return 0
    if new != text:
        write_text(path, new)
        print(f"closeloop.docs: updated {', '.join(changed)} in {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
