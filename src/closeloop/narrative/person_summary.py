"""The person report's plain-language summary, generated from the profile numbers.

The sentences are chosen from the numbers (``closeloop.analysis.profiles``), never written as
fixed claims, so that a scenario, an ablation or a seed that changes the results changes the
text too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from closeloop.analysis.profiles import CONTEXT, DEEP, ProfileStats
from closeloop.model.person import DEPTH_NAMES
from closeloop.narrative._phrases import and_list, pct, profile_word
from closeloop.simulation import NOTICE


def _intro(stats: Sequence[ProfileStats], meta: dict[str, Any]) -> str:
    total = sum(s.n for s in stats)
    sc = meta.get("scenario", {})
    days = sc.get("days", "?")
    desc = str(sc.get("description", "")).strip()
    who = and_list([f"{s.name} ({s.n})" for s in stats])
    text = (
        f"This report follows {total} simulated people through {days} days of adult life in the "
        f"'{sc.get('name', 'custom')}' scenario. "
    )
    if desc:
        text += f"In short: {desc[0].lower() + desc[1:]}"
        text += "" if desc.endswith(".") else "."
        text += " "
    text += (
        f"Each profile stands for an early history, and the people in it bring what that "
        f"history taught them about closeness into adult life. The {profile_word(stats)}: "
        f"{who}. Depths of closeness run from {DEPTH_NAMES[0]} to {DEPTH_NAMES[-1]}; unless "
        f"said otherwise, the numbers are about offers of closeness from a {CONTEXT}."
    )
    if meta.get("ablated"):
        off = list(meta["ablated"])
        which = "this mechanism of the model was" if len(off) == 1 else "these mechanisms were"
        text += (
            f" In this run {which} switched off: {and_list(off)}, so the results show the model "
            f"without {'it' if len(off) == 1 else 'them'}."
        )
    return text


def _acceptance_text(stats: Sequence[ProfileStats], names: Sequence[str]) -> str:
    k = len(names)
    open_ = [s for s in stats if np.isfinite(s.pullback) and s.pullback >= k]
    pulled = sorted(
        (s for s in stats if np.isfinite(s.pullback) and s.pullback < k),
        key=lambda s: (s.pullback, s.name),
    )
    parts = []
    if open_:
        if len(open_) == 1:
            deepest = f"they shared {pct(open_[0].acceptance[-1])} of what was offered"
        else:
            each = and_list([f"{s.name} {pct(s.acceptance[-1])}" for s in open_])
            deepest = f"the share of offers they took up was {each}"
        verb = "accepts" if len(open_) == 1 else "accept"
        parts.append(
            f"The typical person in the {and_list([s.name for s in open_])} "
            f"{profile_word(open_)} {verb} closeness at every depth: even at the deepest, "
            f"{names[-1]}, {deepest}."
        )
    if pulled:
        items = [
            f"{s.name} from {names[int(s.pullback)]} on ({pct(s.acceptance[0])} at "
            f"{names[0]}, {pct(s.acceptance[int(s.pullback)])} at {names[int(s.pullback)]})"
            for s in pulled
        ]
        if open_:
            lead = "The others typically pull back"
        elif len(stats) == 1:
            lead = f"People in the {stats[0].name} profile typically pull back"
        else:
            lead = "People in every profile typically pull back"
        parts.append(
            f"{lead} at some depth, where they share less than half as often as they share "
            f"{names[0]}: {and_list(items)}."
        )
    if not parts:
        return "Too few offers reached the deeper levels in this run to say where people pull back."
    return " ".join(parts)


def _routes_text(stats: Sequence[ProfileStats], names: Sequence[str]) -> str:
    k = len(names)
    known = [s for s in stats if np.isfinite(s.automatic_share)]
    if not known:
        return "Nobody turned down an offer from a partner in this run."
    ranked = sorted(known, key=lambda s: s.automatic_share, reverse=True)
    top = ranked[0]
    pulled = [s for s in ranked if np.isfinite(s.pullback) and s.pullback < k]
    mostly_auto = [s for s in pulled if s.automatic_share >= 0.5]
    mostly_chosen = [s for s in pulled if s.automatic_share < 0.5]
    text = (
        "When someone did not take up an offer, the model records how: by the automatic route, "
        "a fast protective reaction that closes the door before any weighing up, or by the "
        "deliberate route, a considered choice. "
    )
    if mostly_auto:
        items = and_list([f"{s.name} {pct(s.automatic_share)}" for s in mostly_auto])
        text += (
            f"Among those who pull back, most of it happened automatically for the "
            f"{and_list([s.name for s in mostly_auto])} {profile_word(mostly_auto)} ({items} of "
            "their withdrawals), so it came before any deliberate decision. "
        )
    else:
        text += (
            f"The highest automatic share was {pct(top.automatic_share)} ({top.name}), so most "
            "pulling back in this run was a considered choice. "
        )
    if mostly_chosen:
        items = and_list([f"{s.name} {pct(s.automatic_share)}" for s in mostly_chosen])
        text += (
            f"For the {and_list([s.name for s in mostly_chosen])} {profile_word(mostly_chosen)}, "
            f"holding back was mostly chosen rather than automatic ({items} automatic)."
        )
    return text.strip()


def _longing_text(stats: Sequence[ProfileStats], names: Sequence[str]) -> str:
    k = len(names)
    ranked = sorted(stats, key=lambda s: s.longing, reverse=True)
    top, low = ranked[0], ranked[-1]
    deep_t = {s.name: float(np.mean(s.threat0[-DEEP:])) for s in stats}
    least_t = min(deep_t.values())
    # "Taught that closeness could hurt": clearly more expected threat at the deepest levels
    # than the least-threatened profile in this run (0.1 on the 0-1 scale).
    hurt = [s for s in stats if deep_t[s.name] >= least_t + 0.1]
    text = ""
    if hurt:
        items = and_list([f"{s.name} {deep_t[s.name]:.2f}" for s in hurt])
        text += (
            f"People whose early history taught them that closeness could hurt started adult "
            f"life already expecting threat at the deepest levels ({items}, against "
            f"{least_t:.2f} for the least; 0 is none, 1 is sure hurt). "
        )
    if len(stats) < 2:
        return text + f"Their unmet longing averaged {top.longing:.2f} on a scale from 0 to 1."
    text += (
        f"Unmet longing, the wish for connection that has not been met, was highest in the "
        f"{top.name} profile ({top.longing:.2f} on a scale from 0 to 1) and lowest in the "
        f"{low.name} profile ({low.longing:.2f}). "
    )
    pulled = np.isfinite(top.pullback) and top.pullback < k
    if pulled and top.longing >= 1.2 * low.longing:
        text += (
            "So pulling back is not the same as not wanting closeness: people in the "
            f"{top.name} profile, who typically pull back from {names[int(top.pullback)]} on, "
            "still want connection the most, and the protection they learned stands between "
            "them and it."
        )
    return text.strip()


def _threat_text(stats: Sequence[ProfileStats]) -> str:
    changes = [(s, float(s.deep_q[1, 0]), float(s.deep_q[1, -1])) for s in stats]
    changes = [c for c in changes if np.isfinite(c[1]) and np.isfinite(c[2])]
    if not changes:
        return ""
    eased = sorted((c for c in changes if c[2] <= c[1] - 0.05), key=lambda c: c[2] - c[1])
    steady = [c for c in changes if abs(c[2] - c[1]) < 0.05]
    rose = [c for c in changes if c[2] >= c[1] + 0.05]
    parts = []

    def item(c: tuple[ProfileStats, float, float]) -> str:
        return f"{c[0].name} ({c[1]:.2f} to {c[2]:.2f})"

    if eased:
        parts.append(f"eased for {and_list([item(c) for c in eased])}")
    if steady:
        parts.append(f"stayed near where it began for {and_list([item(c) for c in steady])}")
    if rose:
        parts.append(f"grew for {and_list([item(c) for c in rose])}")
    return (
        "Over the run, the felt threat of the deepest levels with a partner (median person) "
        + "; it ".join(parts)
        + "."
    )


def _closing() -> str:
    return (
        "The walls these results show were a protection once: for people whose early history "
        "taught them that closeness could hurt, keeping others at a distance kept them safer. "
        "This is what the model shows about how such protection is learned and how it carries "
        "on; it is not a judgement of anyone and not a description of any real person. "
        "closeloop's other scenarios (run `closeloop scenarios`) explore what helps it change."
    )


def summary_text(stats: Sequence[ProfileStats], names: Sequence[str], meta: dict[str, Any]) -> str:
    """The plain-language summary, generated from the numbers.

    Arguments:
        stats: from ``profile_stats``.
        names: depth names.
        meta: run metadata as from ``run_metadata`` (scenario, ablated mechanisms).

    Returns:
        A few paragraphs separated by blank lines, ending with the educational notice.
    """
    paragraphs = [
        _intro(stats, meta),
        _acceptance_text(stats, names),
        _routes_text(stats, names),
        _longing_text(stats, names),
        _threat_text(stats),
        _closing(),
        NOTICE,
    ]
    return "\n\n".join(p for p in paragraphs if p) + "\n"
