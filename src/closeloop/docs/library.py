"""The library tables of docs/model.md: the shipped scenarios, the intervention kinds, the
parameters of change and the trajectory classes."""

from __future__ import annotations

from closeloop import params, trajectory
from closeloop.docs.tables import num, params_table
from closeloop.markdown import table
from closeloop.model import healing, person
from closeloop.scenario import MAX_DAYS, Intervention, Scenario, scenario, scenarios


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
            parts.append(f"{key}: " + ", ".join(f"`{k}` = {num(v)}" for k, v in values.items()))
    if sc.ablate:
        parts.append("ablate: " + ", ".join(f"`{m}`" for m in sc.ablate))
    return "; ".join(parts) or "none (defaults)"


def _intervention_text(iv: Intervention, sc: Scenario) -> str:
    """One scheduled intervention in words: kind, intensity (when not 1), days, and in a couple
    whose it is (``Intervention.row`` resolves the default)."""
    parts = [f"`{iv.kind}`"]
    if iv.intensity != 1.0:
        parts.append(num(iv.intensity))
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
    return params_table([s for s in params.PERSON_SPECS if any(c[0] == "H" for c in s.claims)])


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
                f"on average {num(t.HIGH_CONFLICT)} or more conflicts a month, and more than "
                "half of the window's conflicts unrepaired",
            ],
            [
                3,
                "`pursue-withdraw`",
                f"one member's mean month-end pursuit is at least {num(t.PURSUIT)} while the "
                f"other declined at least {num(t.DECLINE)} of the bids they received in the "
                "window",
            ],
            [
                4,
                "`functional-but-empty`",
                f"fewer than {num(t.LOW_CONFLICT)} conflicts a month and the two known to each "
                f"other at a mean depth below {num(t.DEEP)}; also any couple left over that is "
                "not intimate (moderate conflict without intimacy)",
            ],
            [
                5,
                "`deepening`",
                f"the rest: known to each other at a mean depth of {num(t.DEEP)} or more, "
                "without high conflict or a pursue-withdraw loop",
            ],
        ],
    )
    constants = table(
        ["constant", "value", "meaning"],
        [
            ["`WINDOW`", t.WINDOW, "months (blocks of `SNAP_DAYS` days) the label looks back over"],
            ["`HIGH_CONFLICT`", num(t.HIGH_CONFLICT), "conflicts a month that count as high"],
            [
                "`LOW_CONFLICT`",
                num(t.LOW_CONFLICT),
                "conflicts a month below which conflict is low",
            ],
            ["`PURSUIT`", num(t.PURSUIT), "mean month-end pursuit (0-1) that counts as pursuing"],
            [
                "`DECLINE`",
                num(t.DECLINE),
                "share of received bids declined that counts as withdrawing",
            ],
            [
                "`DEEP`",
                num(t.DEEP),
                f"mean depth to which the two are known (0 to {person.K}) that counts as intimate",
            ],
        ],
    )
    return classes + "\n\n" + constants
