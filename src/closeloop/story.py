"""The plain-language story of one simulated couple, and a paragraph about all of them.

Two steps, both pure:

1. Facts from numbers. ``couple_facts(ds, i)`` reads one couple of a couple-level Dataset from
   ``closeloop.simulate`` into a small frozen ``CoupleFacts`` (who pulled back and who reached,
   the days of the key events, the state at those moments); ``population_facts(ds)`` does the
   same for the whole population (``PopulationFacts``: trajectory shares, how long the
   reach-and-retreat cycle lasted, how often and when the reaching partner gave up).
2. Words from facts. ``couple_story`` and ``population_text`` turn those into paragraphs; every
   number and every dated event in the text comes from the facts, so a different couple, seed or
   scenario tells a different story.

Who is "the one who pulls back" and who is "the one who reaches" is read from the data (who
turned away more of the other's bids; ties go to the one who pursued less), never assumed from
the labels a and b. Members are named A and B, with the profile (preset) each was drawn from.

The text is written for a client and their therapist: warm, never diagnosing, never blaming
either partner, and honest that the model cannot promise an outcome. It does not quote the source
article; it paraphrases the model's account.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from closeloop.person import DEPTH_NAMES
from closeloop.presets import BY_NAME
from closeloop.simulation import NOTICE
from closeloop.trajectory import CLASSES, DECLINE, PURSUIT

MONTH_DAYS = 30
"""Days in a story month: the Dataset's monthly blocks are 30 days, so month m covers days
30 (m - 1) to 30 m - 1 and its state is the one recorded at the end of that block."""
ESCALATION = 0.5
"""Pursuit (0-1) at which the engine records escalation."""
PULLBACK_DEPTH = 2
"""The engine records a first pull-back when a bid at this depth or deeper is turned away."""
NAMES = ("A", "B")
"""How the story names member a and member b."""
CLASS_WORDS = {
    "deepening": "growing closer",
    "pursue-withdraw": "still caught in the reach-and-retreat cycle",
    "functional-but-empty": "together and calm but not close (functional but empty)",
    "high-conflict": "in frequent conflict that was seldom repaired",
    "ended": "no longer together",
}
"""Plain words for each trajectory class (``closeloop.trajectory.CLASSES``)."""
EVENT_KINDS = ("pullback", "escalation", "talk", "gave_up", "also_gave_up", "ended")
"""The dated events a story can hold, in the order used to break ties on the same day."""


@dataclass(frozen=True)
class Event:
    """One dated event in a couple's story.

    Attributes:
        kind: one of ``EVENT_KINDS``.
        day: day of the relationship on which it happened (0 is the first day).
        member: index (0 for A, 1 for B) of the partner it is about.
    """

    kind: str
    day: int
    member: int

    @property
    def month(self) -> int:
        """The month of the relationship (1-based) the day falls in."""
        return month_of(self.day)


@dataclass(frozen=True)
class CoupleFacts:
    """What the story of one couple is told from. Per-member pairs are (A, B).

    Attributes:
        couple: index of the couple in the Dataset.
        presets: the profile each partner was drawn from.
        withdrawer, reacher: index of the partner who turned away more of the other's bids, and
            of the other one.
        clear: whether the roles were clear: the withdrawer turned away at least ``DECLINE`` of
            the bids they received and the reacher's pursuit reached ``PURSUIT``.
        decline_share: share of the other's bids each turned away over the whole relationship.
        peak_pursuit: highest monthly pursuit of each (0-1).
        first_decline, gave_up_day: day each first turned away a deeper bid, and first stopped
            reaching (-1: never).
        first_talk, escalation, end_day: day of the first "where is this going" talk, of the
            first time a partner's pursuit reached ``ESCALATION``, and of the ending (-1: never).
        escalator: who was pursuing more in the month of escalation.
        talker: who was pursuing more in the month of the first talk (the one who raised it).
        talks: how many such talks there were in all.
        days: length of the run in days.
        months: number of months recorded.
        trajectory: the couple's final trajectory class.
        cycle: (first, last) month (1-based) in which one partner pursued at least ``PURSUIT``
            while the other turned away at least ``DECLINE`` of their bids; None if never.
        gave_up_sat: the reacher's satisfaction at the end of the month they gave up (NaN if
            they never did).
        gave_up_stability: the withdrawer's felt stability at the end of that month (NaN if not).
        end_stability: the withdrawer's felt stability at the end of the month of the ending
            (NaN if the couple did not end).
        final_sat, final_stability: each partner's satisfaction and felt stability at the last
            month (for a couple that ended: as they were when it ended).
        final_known: mean depth (0 to 5 depth levels) to which the two knew each other at the
            end.
    """

    couple: int
    presets: tuple[str, str]
    withdrawer: int
    reacher: int
    clear: bool
    decline_share: tuple[float, float]
    peak_pursuit: tuple[float, float]
    first_decline: tuple[int, int]
    gave_up_day: tuple[int, int]
    first_talk: int
    escalation: int
    end_day: int
    escalator: int
    talker: int
    talks: int
    days: int
    months: int
    trajectory: str
    cycle: tuple[int, int] | None
    gave_up_sat: float
    gave_up_stability: float
    end_stability: float
    final_sat: tuple[float, float]
    final_stability: tuple[float, float]
    final_known: float

    def events(self) -> list[Event]:
        """The dated events that happened, in order (ties in ``EVENT_KINDS`` order).

        The withdrawer's first pull-back, escalation, the first talk, the reacher giving up,
        the withdrawer also giving up, and the ending; events that never happened are left out.
        """
        w, r = self.withdrawer, self.reacher
        candidates = [
            Event("pullback", self.first_decline[w], w),
            Event("escalation", self.escalation, self.escalator),
            Event("talk", self.first_talk, self.talker),
            Event("gave_up", self.gave_up_day[r], r),
            Event("also_gave_up", self.gave_up_day[w], w),
            Event("ended", self.end_day, w),
        ]
        happened = [e for e in candidates if e.day >= 0]
        return sorted(happened, key=lambda e: (e.day, EVENT_KINDS.index(e.kind)))


@dataclass(frozen=True)
class PopulationFacts:
    """What the population paragraph is told from.

    Attributes:
        n: couples.
        days: length of the run in days.
        members: how each member is described (a profile name, or a mix).
        shares: final trajectory class -> share of couples, in ``CLASSES`` order.
        cycle_share: share of couples in which the reach-and-retreat cycle showed at all.
        cycle_months: median number of months from the first month it showed to the last, among
            those couples (NaN if none).
        gave_up_share: share of couples in which the partner who reached more gave up reaching.
        gave_up_month: median month in which they did (NaN if none).
        ended_share: share of couples that ended; ended_month: median month of the ending.
        pullback_share: share of couples in which the partner who pulled back turned away a
            deeper bid at all; pullback_month: median month of the first time.
    """

    n: int
    days: int
    members: tuple[str, str]
    shares: dict[str, float]
    cycle_share: float
    cycle_months: float
    gave_up_share: float
    gave_up_month: float
    ended_share: float
    ended_month: float
    pullback_share: float
    pullback_month: float


# ---------------------------------------------------------------------------------------------
# Dates


def month_of(day: int) -> int:
    """The month of the relationship (1-based) in which a day (0-based) falls.

    Example:
        >>> month_of(0), month_of(29), month_of(30)
        (1, 1, 2)
    """
    return int(day) // MONTH_DAYS + 1


_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _count(n: int) -> str:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


def years_phrase(day: int) -> str:
    """How long into the relationship a day is, in rounded years ("" under about a year).

    Example:
        >>> years_phrase(560), years_phrase(730), years_phrase(100)
        ('about a year and a half in', 'about two years in', '')
    """
    halves = round(day / 365.25 * 2)
    if halves < 2:
        return ""
    whole, half = divmod(halves, 2)
    if whole == 1:
        span = "a year and a half" if half else "a year"
    else:
        span = f"{_count(whole)} {'and a half ' if half else ''}years"
    return f"about {span} in"


def when(day: int) -> str:
    """A date in a story: "in month 3", or "in month 20, about a year and a half in".

    Example:
        >>> when(45)
        'in month 2'
        >>> when(600)
        'in month 21, about a year and a half in'
    """
    years = years_phrase(day)
    return f"in month {month_of(day)}" + (f", {years}" if years else "")


def duration(months: float) -> str:
    """A number of months in words: "5 months", "about two years (25 months)"."""
    m = round(months)
    if m < 1:
        return "less than a month"
    if m < 12:
        return f"{m} month" + ("" if m == 1 else "s")
    return f"{years_phrase(m * MONTH_DAYS).removesuffix(' in')} ({m} months)"


# ---------------------------------------------------------------------------------------------
# Facts from a Dataset


def decline_shares(ds: xr.Dataset) -> np.ndarray:
    """(couple, member) share of the other's bids each member turned away over the run."""
    offered = ds["offered"].values.sum(axis=1).astype(float)
    declined = ds["declined"].values.sum(axis=1).astype(float)
    return declined / np.maximum(offered, 1.0)


def withdrawers(ds: xr.Dataset) -> np.ndarray:
    """(couple,) index of the member who turned away more of the other's bids.

    Ties (for instance, neither turned any away) go to the member who pursued less on average,
    then to member a.
    """
    share = decline_shares(ds)
    pursuit = ds["pursuit"].values.mean(axis=1)
    by_pursuit = np.where(pursuit[:, 0] <= pursuit[:, 1], 0, 1)
    return np.where(
        share[:, 0] > share[:, 1], 0, np.where(share[:, 1] > share[:, 0], 1, by_pursuit)
    ).astype(int)


def cycle_months(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Per couple, the first and last month (1-based; 0 if never) of the reach-and-retreat cycle.

    A month counts when, while the couple is still together, one partner's pursuit at its end
    is at least ``trajectory.PURSUIT`` and the other turned away at least ``trajectory.DECLINE``
    of the bids they received in it (the thresholds of the pursue-withdraw class).
    """
    offered = ds["offered"].values.astype(float)
    ratio = ds["declined"].values / np.maximum(offered, 1.0)
    pursuit = ds["pursuit"].values
    together = ~ds["ended"].values.astype(bool)
    loop = ((pursuit >= PURSUIT) & (ratio[..., ::-1] >= DECLINE)).any(axis=-1) & together
    ever = loop.any(axis=1)
    first = np.where(ever, loop.argmax(axis=1) + 1, 0)
    last = np.where(ever, loop.shape[1] - loop[:, ::-1].argmax(axis=1), 0)
    return first, last


def _block(day: int, months: int) -> int:
    return min(max(int(day), 0) // MONTH_DAYS, months - 1)


def _more_pursuing(pursuit: np.ndarray, day: int, fallback: int) -> int:
    # pursuit: (month, member) of one couple.
    if day < 0:
        return fallback
    p = pursuit[_block(day, pursuit.shape[0])]
    return fallback if p[0] == p[1] else int(np.argmax(p))


def couple_facts(ds: xr.Dataset, couple: int) -> CoupleFacts:
    """The facts of one couple's story.

    Arguments:
        ds: a couple-level Dataset from ``closeloop.simulate``.
        couple: the couple's index.

    Returns:
        Its CoupleFacts.
    """
    c = ds.isel(couple=couple)
    share = decline_shares(ds.isel(couple=[couple]))[0]
    w = int(withdrawers(ds.isel(couple=[couple]))[0])
    r = 1 - w
    pursuit = c["pursuit"].values.astype(float)
    months = pursuit.shape[0]
    peak = pursuit.max(axis=0)
    sat = c["sat"].values.astype(float)
    stab = c["stability"].values.astype(float)
    gave = c["gave_up_day"].values.astype(int)
    end = int(c["end_day"])
    first, last = cycle_months(ds.isel(couple=[couple]))
    nan = float("nan")
    return CoupleFacts(
        couple=int(couple),
        presets=(str(c["preset"].values[0]), str(c["preset"].values[1])),
        withdrawer=w,
        reacher=r,
        clear=bool(share[w] >= DECLINE and peak[r] >= PURSUIT),
        decline_share=(float(share[0]), float(share[1])),
        peak_pursuit=(float(peak[0]), float(peak[1])),
        first_decline=(int(c["first_decline"].values[0]), int(c["first_decline"].values[1])),
        gave_up_day=(int(gave[0]), int(gave[1])),
        first_talk=int(c["first_talk"]),
        escalation=int(c["escalation"]),
        end_day=end,
        escalator=_more_pursuing(pursuit, int(c["escalation"]), r),
        talker=_more_pursuing(pursuit, int(c["first_talk"]), r),
        talks=round(float(c["talks"].sum())),
        days=int(ds["month"].values[-1]),
        months=months,
        trajectory=str(c["trajectory"].values),
        cycle=(int(first[0]), int(last[0])) if first[0] > 0 else None,
        gave_up_sat=float(sat[_block(gave[r], months), r]) if gave[r] >= 0 else nan,
        gave_up_stability=float(stab[_block(gave[r], months), w]) if gave[r] >= 0 else nan,
        end_stability=float(stab[_block(end, months), w]) if end >= 0 else nan,
        final_sat=(float(sat[-1, 0]), float(sat[-1, 1])),
        final_stability=(float(stab[-1, 0]), float(stab[-1, 1])),
        final_known=float(c["known"].values[-1].mean()),
    )


def member_label(ds: xr.Dataset, member: int) -> str:
    """How a member of the population is described: its profile, or the mix of profiles."""
    names, counts = np.unique(ds["preset"].values[:, member].astype(str), return_counts=True)
    order = [str(names[i]) for i in np.argsort(-counts, kind="stable")]
    if len(order) == 1:
        return f"the {order[0]} profile"
    return "a mix of the " + _and(order) + " profiles"


def _median(x: np.ndarray) -> float:
    return float(np.median(x)) if x.size else float("nan")


def population_facts(ds: xr.Dataset) -> PopulationFacts:
    """The facts of the population paragraph.

    Arguments:
        ds: a couple-level Dataset from ``closeloop.simulate``.

    Returns:
        Its PopulationFacts.
    """
    n = ds.sizes["couple"]
    traj = ds["trajectory"].values.astype(str)
    w = withdrawers(ds)
    rows = np.arange(n)
    gave = ds["gave_up_day"].values[rows, 1 - w]
    pull = ds["first_decline"].values[rows, w]
    end = ds["end_day"].values
    first, last = cycle_months(ds)
    had = first > 0
    to_month = np.vectorize(month_of, otypes=[float])
    return PopulationFacts(
        n=n,
        days=int(ds["month"].values[-1]),
        members=(member_label(ds, 0), member_label(ds, 1)),
        shares={k: float(np.mean(traj == k)) for k in CLASSES},
        cycle_share=float(had.mean()),
        cycle_months=_median((last - first + 1)[had].astype(float)),
        gave_up_share=float(np.mean(gave >= 0)),
        gave_up_month=_median(to_month(gave[gave >= 0])) if (gave >= 0).any() else float("nan"),
        ended_share=float(np.mean(end >= 0)),
        ended_month=_median(to_month(end[end >= 0])) if (end >= 0).any() else float("nan"),
        pullback_share=float(np.mean(pull >= 0)),
        pullback_month=_median(to_month(pull[pull >= 0])) if (pull >= 0).any() else float("nan"),
    )


# ---------------------------------------------------------------------------------------------
# Words


def _and(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _pct(x: float) -> str:
    return f"{x:.0%}" if np.isfinite(x) else "n/a"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _known_words(known: float) -> str:
    # known is in depth levels: sharing at depth d lets one become known up to d + 1.
    if known < 2.0:
        return "little beyond small talk"
    return f"up to about '{DEPTH_NAMES[min(int(known), len(DEPTH_NAMES)) - 1]}'"


def run_span(days: int) -> str:
    """The length of a run in words: "ten years", "a year and a half", "12 months"."""
    if days < 540:
        months = max(1, round(days / MONTH_DAYS))
        return f"{months} month" + ("" if months == 1 else "s")
    return years_phrase(days).removeprefix("about ").removesuffix(" in")


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
        f"Over the relationship {w} turned away {_pct(f.decline_share[f.withdrawer])} of "
        f"{r}'s bids for connection, and {r} turned away {_pct(f.decline_share[f.reacher])} of "
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
    at = _cap(when(e.day))
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
        >>> "in month 2" in couple_story(f)
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
    shares = _and([f"{_pct(s)} {CLASS_WORDS.get(k, k)}" for s, k in ranked])
    text = (
        f"Across all {p.n} simulated couples with the same starting point (A from "
        f"{p.members[0]}, B from {p.members[1]}), after {run_span(p.days)}: {shares}. "
    )
    if p.cycle_share > 0:
        text += (
            f"The reach-and-retreat cycle (one partner's pursuit at least {PURSUIT:.2f} while "
            f"the other turned away at least {DECLINE:.0%} of their bids in a month) showed in "
            f"{_pct(p.cycle_share)} of couples; where it did, it lasted a median of "
            f"{duration(p.cycle_months)} from the first month it showed to the last. "
        )
    else:
        text += "The reach-and-retreat cycle did not show in any couple. "
    if p.pullback_share > 0:
        text += (
            f"The partner who pulled back more first turned away a bid at the level of "
            f"'{DEPTH_NAMES[PULLBACK_DEPTH]}' or deeper in {_pct(p.pullback_share)} of couples "
            f"(median: month {p.pullback_month:.0f}). "
        )
    if p.gave_up_share > 0:
        text += (
            f"The partner who reached more gave up reaching in {_pct(p.gave_up_share)} of "
            f"couples (median: month {p.gave_up_month:.0f}). "
        )
    if p.ended_share > 0:
        text += f"{_pct(p.ended_share)} of relationships ended (median: month {p.ended_month:.0f})."
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
