"""The figures about couples: K5, K6 (couples therapy), K9 (commitment), K10 (coregulation) and
K11 (how many relationships end).

Each function takes the setting's ``Runs`` and returns the figure's ``Row``. The couple runs'
raw outputs are couple-first: ``monthly`` snapshots (couple, month[, member]), ``threat0``
(couple, member, depth), ``end_day`` (couple; -1: still together).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from closeloop.calibration.people import DEEP, ONE_SIDED_R, ONE_SIDED_THREAT
from closeloop.calibration.rows import (
    Row,
    above,
    below,
    boot_ci,
    corr_ci,
    mean_ci,
    pearson,
    proportion_ci,
    two_sided,
)
from closeloop.calibration.runs import (
    COUPLE_YEARS,
    YEAR,
    Runs,
    relationship_value,
    snap,
    therapy_scenario,
    therapy_span,
)

EFT = (
    "Johnson 2004 (stages); Burgess Moser, Johnson, Dalgleish, Lafontaine, Wiebe & Tasca 2016, "
    "Changes in relationship-specific attachment in emotionally focused couple therapy"
)


def together(raw: dict[str, Any], day: int) -> np.ndarray:
    """Couples still together at the end of ``day``."""
    end = raw["end_day"]
    return (end < 0) | (end > day)


def _roles() -> tuple[int, int, int, int]:
    """Therapy start and end, and the withdrawer's and pursuer's member index."""
    sc = therapy_scenario()
    start, end = therapy_span(sc)
    iv = next(i for i in sc.interventions if i.kind == "couples_therapy")
    withdrawer = 1 if iv.who == "b" else 0
    return start, end, withdrawer, 1 - withdrawer


def k5(runs: Runs) -> Row:
    """Shape and order of change in couples therapy."""
    raw = runs.therapy()
    start, end, w, p = _roles()
    ok = together(raw, end)
    m = raw["monthly"]
    threat, pursuit = m["threat_deep"][ok], m["pursuit"][ok]
    fall_avoid = threat[:, snap(end), w] - threat[:, snap(start), w]
    # Each couple's own softening: the first month the course's stage record reaches 2
    # (model.eft); couples that never reach it in the course are left out of the comparison.
    months = np.arange(snap(start), snap(end) + 1)
    reached = m["stage"][ok][:, months] >= 2.0
    soft = months[np.argmax(reached, axis=1)]
    rows = np.flatnonzero(reached.any(axis=1))
    soft = soft[rows]
    first = pursuit[rows, snap(start), p] - pursuit[rows, soft, p]
    final = pursuit[rows, soft, p] - pursuit[rows, snap(end), p]
    shape = "the source gives the shape of change, not its size"
    return Row(
        "K5",
        "In EFT avoidance falls across sessions; anxiety falls mainly after the softening event",
        EFT,
        (
            mean_ci(fall_avoid).measure(
                "avoidance change",
                "change of the withdrawer's deep partner threat over the therapy",
                below(0.0, ONE_SIDED_THREAT, shape),
            ),
            mean_ci(final - first).measure(
                "pursuit fall after softening",
                "fall of the pursuer's pursuit from each couple's softening month to the "
                "course's end minus from the course's start to that month",
                above(0.0, ONE_SIDED_THREAT, shape),
            ),
        ),
        missing="attachment anxiety read as pursuit",
    )


def k6(runs: Runs) -> Row:
    """The course after couples therapy ends."""
    raw = runs.therapy()
    start, end, w, _ = _roles()
    y1, y2 = end + YEAR, end + 2 * YEAR
    ok = together(raw, y2)
    m = raw["monthly"]
    sat = m["sat"][ok].mean(axis=2)
    g1 = sat[:, snap(y1)] - sat[:, snap(end)]
    g2 = sat[:, snap(y2)] - sat[:, snap(y1)]
    threat = m["threat_deep"][ok]
    avoid_fall = threat[:, snap(start), w] - threat[:, snap(end), w]
    why = "gains continue at a slowing rate; the source gives the shape, not its size"
    return Row(
        "K6",
        "After EFT, gains keep growing at a slowing rate over two years; falling avoidance in "
        "therapy predicts the follow-up",
        "Wiebe, Johnson, Lafontaine, Burgess Moser, Dalgleish & Tasca 2017, Two-year follow-up "
        "outcomes in emotionally focused couple therapy",
        (
            mean_ci(g1).measure(
                "gain year 1", "satisfaction gain, first follow-up year", above(0.0, 0.05, why)
            ),
            mean_ci(g2).measure(
                "gain year 2", "satisfaction gain, second follow-up year", above(0.0, 0.05, why)
            ),
            mean_ci(g1 - g2).measure(
                "slowing", "first-year gain minus second-year gain", above(0.0, 0.05, why)
            ),
            corr_ci(avoid_fall, sat[:, snap(y2)]).measure(
                "r(avoidance fall, follow-up)",
                "r(withdrawer's fall of deep threat in therapy, satisfaction two years after)",
                above(0.0, ONE_SIDED_R, "falling avoidance predicts the follow-up"),
            ),
        ),
    )


def commitment(runs: Runs, raw: dict[str, Any], day: int) -> tuple[np.ndarray, ...]:
    """Satisfaction, alternatives and commitment (couple, member) at ``day`` of couples still
    together, as the model computes them (docs/model.md 12.11), and whether each couple is still
    together at the end of the run."""
    ok = together(raw, day)
    m = raw["monthly"]
    i = snap(day)
    sat = m["sat"][ok, i]
    inv = m["investment"][ok, i][:, None]
    alt = (
        relationship_value(runs.setting, "alternatives")
        + relationship_value(runs.setting, "support_pull") * m["support"][ok, i]
    )
    stay = together(raw, COUPLE_YEARS * YEAR - 1)[ok]
    return sat, alt, sat + inv - alt, stay


def _staying_gap(sat: np.ndarray, commit: np.ndarray, stay: np.ndarray) -> float:
    s = np.repeat(stay, 2).astype(np.float64)
    return pearson(commit.ravel(), s) - pearson(sat.ravel(), s)


def k9(runs: Runs) -> Row:
    """The investment model's associations, and staying predicted by commitment."""
    sat, alt, commit, stay = commitment(runs, runs.couples(), 2 * YEAR)
    spread = "meta-analytic spread over samples; the exact value is unverified (±.15)"
    s = runs.setting
    return Row(
        "K9",
        "Satisfaction (.68), alternatives (-.48) and investment (.46) each correlate with "
        "commitment; commitment predicts breakup",
        "Le & Agnew 2003, Commitment and its theorized determinants: a meta-analysis of the "
        "Investment Model; Rusbult 1983",
        (
            corr_ci(sat.ravel(), commit.ravel()).measure(
                "r(satisfaction, commitment)",
                "members of couples together at two years",
                two_sided(0.68, 0.15, spread),
            ),
            corr_ci(alt.ravel(), commit.ravel()).measure(
                "r(alternatives, commitment)",
                "members of couples together at two years",
                two_sided(-0.48, 0.15, spread),
            ),
            boot_ci(_staying_gap, (sat, commit, stay), s.seed, s.reps).measure(
                "staying: commitment minus satisfaction",
                f"r(commitment, together at {COUPLE_YEARS} years) minus r(satisfaction, same)",
                above(0.0, ONE_SIDED_R, "commitment, not satisfaction alone, predicts staying"),
            ),
        ),
        missing="r(investment, commitment): investment is the same for every couple of the same "
        "duration (no couple-to-couple variation in what is invested)",
    )


def k10(runs: Runs) -> Row:
    """Coordinated changes in security between partners over a year."""
    raw = runs.couples()
    ok = together(raw, YEAR)
    start = raw["threat0"][ok][:, :, DEEP:].mean(axis=2)
    later = raw["monthly"]["threat_deep"][ok, snap(YEAR)]
    change = -(later - start)  # security is 1 - threat
    return Row(
        "K10",
        "Changes in partner-specific security are coordinated between partners",
        "Hudson, Fraley, Brumbaugh & Vicary 2014, Coregulation in romantic partners' attachment "
        "styles: a longitudinal investigation",
        (
            corr_ci(change[:, 0], change[:, 1]).measure(
                "r(changes)",
                "r(member a's, member b's change in security over the first year)",
                above(0.0, ONE_SIDED_R, "coordinated changes; no published size in the abstract"),
            ),
        ),
    )


def k11(runs: Runs) -> Row:
    """How many relationships have ended after five and ten years."""
    raw = runs.couples()
    n = len(raw["end_day"])
    why = (
        "subgroups span 20% to 47% at ten years, cohorts differ, and a model relationship is "
        "not specifically a first marriage (±.05)"
    )
    measures = []
    for years, target in ((5, 0.20), (COUPLE_YEARS, 0.33)):
        k = int(np.sum(~together(raw, years * YEAR - 1)))
        measures.append(
            proportion_ci(k, n).measure(
                f"ended by {years} years",
                "share of default-mix couples ended",
                two_sided(target, 0.05, why),
            )
        )
    return Row(
        "K11",
        "Of first marriages in the US, about a fifth end within 5 years and a third within 10",
        "Bramlett & Mosher 2001, First marriage dissolution, divorce, and remarriage: United "
        "States; Bramlett & Mosher 2002, Cohabitation, marriage, divorce, and remarriage in the "
        "United States",
        tuple(measures),
        note="both members drawn independently from the default population",
    )
