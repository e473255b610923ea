"""The plain-language story of one simulated couple, and a paragraph about all of them.

Words from facts: ``couple_story`` and ``population_text`` turn the facts of
``closeloop.analysis.couple_events`` into paragraphs; every number and every dated event in the
text comes from the facts, so a different couple, seed or scenario tells a different story.

The text is written for a client and their therapist: warm, never diagnosing, never blaming
either partner, and honest that the model cannot promise an outcome. It does not quote the source
article; it paraphrases the model's account.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from closeloop.analysis.couple_events import (
    CLASS_WORDS,
    NAMES,
    PULLBACK_DEPTH,
    CoupleFacts,
    Event,
    PopulationFacts,
)
from closeloop.model.person import DEPTH_NAMES
from closeloop.narrative._phrases import and_list, cap, duration, pct, run_span, when
from closeloop.presets import BY_NAME
from closeloop.simulation import NOTICE
from closeloop.trajectory import DECLINE, PURSUIT


def _known_words(known: float) -> str:
    # known is in depth levels: sharing at depth d lets one become known up to d + 1.
    if known < 2.0:
        return "little beyond small talk"
    return f"up to about '{DEPTH_NAMES[min(int(known), len(DEPTH_NAMES)) - 1]}'"


def member_label(profiles: Sequence[str]) -> str:
    """How a member of the population is described: its profile, or the mix of profiles."""
    if len(profiles) == 1:
        return f"the {profiles[0]} profile"
    return "a mix of the " + and_list(profiles) + " profiles"


ORIGINS = {
    "avoidant": "at a time when reaching out was met with criticism, rejection or nothing at all",
    "neglect-shaped": "in a home where feelings were not talked about",
    "avoidant-after-betrayal": "when opening up deeply was once betrayed",
    "anxious": "where care came unpredictably",
}
"""Where each profile's way with closeness was learned, for the closing paragraph."""


def _profile(preset: str) -> str:
    p = BY_NAME.get(preset)
    if p is None:
        return f"the '{preset}' profile"
    summary = p.summary.rstrip(".")
    return f"the '{preset}' profile ({summary[0].lower() + summary[1:]})"


def _intro(f: CoupleFacts, rule: str) -> str:
    a, b = NAMES
    w, r = NAMES[f.withdrawer], NAMES[f.reacher]
    text = (
        f"This is the story of one simulated couple, {a} and {b}; they are not real people. "
        f"{a} was drawn from {_profile(f.presets[0])}; {b} from {_profile(f.presets[1])}. "
    )
    if rule:
        text += f"This couple was picked as typical of the run: {rule} "
    shares = (
        f"Over the relationship {w} turned away {pct(f.decline_share[f.withdrawer])} of "
        f"{r}'s bids for connection, and {r} turned away {pct(f.decline_share[f.reacher])} of "
        f"{w}'s"
    )
    if f.clear:
        text += (
            f"{shares}, while {r}'s pursuit (pressing for closeness, 0 to 1) peaked at "
            f"{f.peak_pursuit[f.reacher]:.2f}. So in this story {w} is the one who pulls back "
            f"and {r} the one who reaches. These are parts in a loop the two made together, not "
            "verdicts on either of them."
        )
    else:
        text += (
            f"{shares}; {r}'s pursuit peaked at {f.peak_pursuit[f.reacher]:.2f} on a scale from "
            f"0 to 1. Neither settled into a steady part of reaching or of pulling back, so the "
            f"story calls {w} the one who pulled back more and {r} the other."
        )
    return text


def _event_text(f: CoupleFacts, e: Event) -> str:
    w, r = NAMES[f.withdrawer], NAMES[f.reacher]
    who, other = NAMES[e.member], NAMES[1 - e.member]
    at = cap(when(e.day))
    if e.kind == "pullback":
        return (
            f"{at}, {w} first turned away when {r} reached for something more personal "
            f"('{DEPTH_NAMES[PULLBACK_DEPTH]}' or deeper): getting busy, changing the subject, "
            f"becoming a little less available. From the inside this probably did not feel like "
            f"a decision. As closeness came to a level that {w}'s history had marked as risky, "
            f"something protective moved first, and stepping back brought relief. {r} may have "
            "noticed only a small absence, and wondered what it meant."
        )
    if e.kind == "escalation":
        return (
            f"{at}, {who}'s reaching became urgent: their pursuit passed half of its range. "
            "Someone who learned to read distance as a verdict on themselves (not interesting "
            "enough, not loved enough) will tend to reach harder when a partner withdraws, "
            f"which is a very human thing to do. To {other}, the extra intensity is likely to "
            "have felt like pressure, and pressure made the need for space stronger still. Each "
            "partner's move made sense from the inside, and each one fed the other's."
        )
    if e.kind == "talk":
        more = (
            f" Over the whole relationship there were {f.talks} conversations like it."
            if f.talks > 1
            else ""
        )
        return (
            f"{at}, {who} raised the 'where is this going' conversation for the first time. A "
            "talk like that asks for the deepest kind of openness all at once. For "
            f"{other} it may have felt like being cornered, with a strong pull to cut it short or "
            f"leave the room; for {who}, a short or guarded answer may have confirmed the fear "
            f"behind the question.{more}"
        )
    if e.kind == "gave_up":
        text = (
            f"{at}, {who} stopped reaching. Lowering their hopes, turning to friends and other "
            f"support, and keeping a little distance of their own was {who}'s way of protecting "
            "themselves in turn. From outside that can look like peace; it is often closer to "
            "quiet grief."
        )
        if np.isfinite(f.gave_up_sat) and np.isfinite(f.gave_up_stability):
            text += (
                f" At the end of that month {who}'s satisfaction with the relationship stood at "
                f"{f.gave_up_sat:.2f}, while {other}'s felt stability stood at "
                f"{f.gave_up_stability:.2f} (both on a scale from 0 to 1)."
            )
            if f.gave_up_stability >= 0.6:
                text += (
                    f" For {other}, life together probably felt calmer: the same distance that "
                    "brought that calm was slowly emptying the relationship, and from where "
                    f"{other} stood it was hard to see."
                )
        return text
    if e.kind == "also_gave_up":
        return (
            f"{at}, {who} also stopped reaching out. With both of them holding back, fewer "
            "moments came along in which either could be met."
        )
    # ended
    text = (
        f"{at}, the relationship ended. In the model, a relationship ends when satisfaction, "
        "together with the life the two have built, no longer outweighs what lies outside it."
    )
    if np.isfinite(f.end_stability) and f.end_stability >= 0.6:
        text += (
            f" For {w} the ending may well have come as a surprise: their felt stability that "
            f"month was still {f.end_stability:.2f}, because from the inside things had felt "
            "steady."
        )
    return text


def _cycle_text(f: CoupleFacts) -> str:
    if f.cycle is None:
        return ""
    first, last = f.cycle
    span = last - first + 1
    if span <= 1:
        return (
            f"The reach-and-retreat cycle showed clearly in month {first} only: one partner "
            "pressing for closeness while the other turned away a good share of their bids."
        )
    return (
        f"Taken together, the reach-and-retreat cycle (one partner pressing for closeness while "
        f"the other turned away a good share of their bids) showed from month {first} to month "
        f"{last}: {duration(span)}."
    )


def _outcome_text(f: CoupleFacts) -> str:
    a, b = NAMES
    w = NAMES[f.withdrawer]
    sats = f"{a} {f.final_sat[0]:.2f}, {b} {f.final_sat[1]:.2f}"
    if f.trajectory == "ended":
        return (
            f"By the time it ended, their satisfaction stood at {sats} (0 to 1), and they knew "
            f"each other {_known_words(f.final_known)}."
        )
    head = f"At the end of the run, after {run_span(f.days)}, {a} and {b} were still together"
    if f.trajectory == "functional-but-empty":
        body = (
            f", in a quiet, workable arrangement: little conflict, and little known of each "
            f"other ({_known_words(f.final_known)}). Both may be missing something they cannot "
            "quite name."
        )
    elif f.trajectory == "pursue-withdraw":
        body = (
            ", and the cycle was still running: one still reaching, the other still stepping back."
        )
    elif f.trajectory == "high-conflict":
        body = (
            ", but conflict came often and was seldom repaired, so the hurts stayed on the books."
        )
    else:
        body = (
            f", and closeness had grown: they knew each other {_known_words(f.final_known)}, "
            "despite how it began."
        )
    return (
        f"{head}{body} Their satisfaction stood at {sats}; {w}'s felt stability at "
        f"{f.final_stability[f.withdrawer]:.2f} (all on a scale from 0 to 1)."
    )


def walls_text(f: CoupleFacts) -> str:
    """The closing paragraph about the walls: a protection once, and nobody's fault."""
    w, r = NAMES[f.withdrawer], NAMES[f.reacher]
    origin_w = ORIGINS.get(f.presets[f.withdrawer])
    origin_r = ORIGINS.get(f.presets[f.reacher])
    text = "The walls were a protection once. "
    if origin_w:
        text += f"{w}'s way of stepping back was learned {origin_w}, and it kept them safer then. "
    else:
        text += f"Whatever made {w} step back had its reasons and once did its job. "
    if origin_r:
        text += f"{r}'s way of reaching was learned too, {origin_r}. "
    else:
        text += f"{r}'s reaching made sense too: wanting to be close to a partner is no fault. "
    return text + (
        "Neither partner is to blame for the loop; it is what two sensible protections do when "
        "they meet. Seeing it together is a place to start."
    )


def helps_text() -> str:
    """What the model says helps, without promising an outcome."""
    return (
        "What the model says helps: noticing what happens inside when closeness comes near, so "
        "that the old reaction can be watched rather than simply obeyed; closeness offered at a "
        "pace that feels safe, steadily and over a long time, so that experience can teach that "
        "some closeness is safe; therapy, where a steady, non-judging relationship is a place to "
        "practise being known; and, for the one who pulls back, deciding to turn toward the fear "
        "instead of arranging life around it, a choice that costs something. In the model these "
        "make change more likely, and change is slower than either partner would wish; none of "
        "them guarantees how a relationship turns out."
    )


def narrative(f: CoupleFacts, rule: str = "") -> list[str]:
    """The dated part of a couple's story, as paragraphs.

    Arguments:
        f: the couple's facts (``couple_facts``).
        rule: how the couple was chosen, one sentence (optional).

    Returns:
        Who the two are, each event that happened with its month in order, the span of the cycle
        and how things stood at the end.
    """
    events = f.events()
    # The cycle's span is told where it closes: before the first event after its last month.
    cut = len(events)
    if f.cycle is not None:
        cut = next((i for i, e in enumerate(events) if e.month > f.cycle[1]), len(events))
    parts = [_intro(f, rule)]
    parts += [_event_text(f, e) for e in events[:cut]]
    parts += [_cycle_text(f)]
    parts += [_event_text(f, e) for e in events[cut:]]
    parts += [_outcome_text(f)]
    return [p for p in parts if p]


def couple_story(f: CoupleFacts, rule: str = "") -> str:
    """The story of one couple, as paragraphs separated by blank lines.

    Arguments:
        f: the couple's facts (``couple_facts``).
        rule: how the couple was chosen, one sentence (optional).

    Returns:
        ``narrative``, then the walls and what helps. No notice (see ``story_text``).

    Example:
        >>> f = CoupleFacts(0, ("avoidant", "anxious"), 0, 1, True, (0.9, 0.2), (0.0, 1.0),
        ...     (50, -1), (-1, 700), 200, 120, -1, 1, 1, 3, 3650, 122, "functional-but-empty",
        ...     (4, 24), 0.1, 0.9, float("nan"), (0.2, 0.05), (0.99, 0.99), 0.3)
        >>> "In month 2" in couple_story(f)
        True
    """
    return "\n\n".join([*narrative(f, rule), walls_text(f), helps_text()])


def population_text(p: PopulationFacts) -> str:
    """The population paragraph: trajectory shares and how long the cycle lasted.

    Arguments:
        p: from ``population_facts``.

    Returns:
        One paragraph.
    """
    ranked = sorted(((s, k) for k, s in p.shares.items() if s > 0), key=lambda x: (-x[0], x[1]))
    shares = and_list([f"{pct(s)} {CLASS_WORDS.get(k, k)}" for s, k in ranked])
    text = (
        f"Across all {p.n} simulated couples with the same starting point (A from "
        f"{member_label(p.profiles[0])}, B from {member_label(p.profiles[1])}), after "
        f"{run_span(p.days)}: {shares}. "
    )
    if p.cycle_share > 0:
        text += (
            f"The reach-and-retreat cycle (one partner's pursuit at least {PURSUIT:.2f} while "
            f"the other turned away at least {DECLINE:.0%} of their bids in a month) showed in "
            f"{pct(p.cycle_share)} of couples; where it did, it lasted a median of "
            f"{duration(p.cycle_months)} from the first month it showed to the last. "
        )
    else:
        text += "The reach-and-retreat cycle did not show in any couple. "
    if p.pullback_share > 0:
        text += (
            f"The partner who pulled back more first turned away a bid at the level of "
            f"'{DEPTH_NAMES[PULLBACK_DEPTH]}' or deeper in {pct(p.pullback_share)} of couples "
            f"(median: month {p.pullback_month:.0f}). "
        )
    if p.gave_up_share > 0:
        text += (
            f"The partner who reached more gave up reaching in {pct(p.gave_up_share)} of "
            f"couples (median: month {p.gave_up_month:.0f}). "
        )
    if p.ended_share > 0:
        text += f"{pct(p.ended_share)} of relationships ended (median: month {p.ended_month:.0f})."
    else:
        text += "None ended."
    return text.strip()


def story_text(f: CoupleFacts, p: PopulationFacts, rule: str = "") -> str:
    """The whole of ``story.txt``.

    The couple's narrative, the population paragraph, the walls, what helps and the notice,
    as paragraphs separated by blank lines.
    """
    parts = [*narrative(f, rule), population_text(p), walls_text(f), helps_text(), NOTICE]
    return "\n\n".join(parts) + "\n"
