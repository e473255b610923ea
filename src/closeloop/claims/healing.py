"""Claims H1-H4: what healing requires (docs/claims-protocol.md, section 2).

Every check runs shipped scenarios (``closeloop/scenarios``) with default parameters; a claim
chooses which scenarios and time windows it compares, never its own parameter values. Runs that
are compared share their seed, so unit i is the same person (or couple) in both: differences are
paired, and standardised against the between-person spread of the measured quantity.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from closeloop.claims.common import (
    ALL,
    PARTNER,
    PERSONAL,
    YEAR,
    at_day,
    days_mean,
    declined_share,
    fill_mean,
    paired_runs,
    people,
    rate,
    start_threat,
)
from closeloop.claims.registry import Claim, Evidence, Settings, register
from closeloop.claims.yardstick import (
    absence,
    d_paired,
    effect,
    statistic_ci,
    wording,
)
from closeloop.scenario import scenario
from closeloop.stats import diff_ci

MONTHS_NOT_DAYS = 60.0
"""'Months' in the article's words: at least two of them."""
SLOWER = 2.0
"""'Slowly', against the original learning: at least twice as long."""


def _deliberate(ds: xr.Dataset) -> float:
    """Share of offers in the partner context not closed by the automatic route (reported)."""
    off = float(ds.offers.sel(context=PARTNER).sum())
    return 1.0 - float(ds.automatic.sel(context=PARTNER).sum()) / off if off else float("nan")


def check_h1(s: Settings) -> Evidence:
    practice = scenario("observation-practice")
    base = people({"avoidant": 1}, days=practice.days)
    ds0, ds1 = paired_runs(s, base, practice)

    def shares_when_it_matters(ds: xr.Dataset) -> np.ndarray:
        sel = dict(context=PARTNER, depth=PERSONAL, importance="high")
        shared = rate(ds.shares.sel(sel).sum("depth"), ds.offers.sel(sel).sum("depth"))
        return fill_mean(shared.values)

    return Evidence(
        (
            effect(
                "sharing personal closeness when it matters (high importance), a year of "
                "observation practice vs none (paired d)",
                d_paired(shares_when_it_matters(ds1), shares_when_it_matters(ds0), s.seed),
            ),
            absence(
                "deep threat after a year, no practice vs practice alone (paired d; little)",
                d_paired(at_day(ds0, practice.days), at_day(ds1, practice.days), s.seed),
            ),
        ),
        n=2 * s.n,
        notes={
            "deliberate share of responses, no practice (a code branch; reported)": _deliberate(
                ds0
            ),
            "deliberate share of responses, with practice": _deliberate(ds1),
        },
    )


def _first_day(hit: np.ndarray, after: int = 0) -> np.ndarray:
    """Per unit (rows; days as columns): days from ``after`` to the first day where ``hit``
    holds; never -> +inf (censored: later than the run)."""
    h = hit[:, after:]
    return np.where(h.any(1), h.argmax(1) + 1, np.inf).astype(float)


def _median(x: np.ndarray) -> float:
    return float(np.median(x))


def check_h2(s: Settings) -> Evidence:
    decided = scenario("decision-with-safe-partner")
    start = min(iv.start for iv in decided.interventions)
    decided = decided.replace(days=3 * YEAR)
    warm, hurt = scenario("made-to-approach"), scenario("hurt-when-sharing")
    (ds,) = paired_runs(s, decided, daily=True)
    (dw,) = paired_runs(s, warm, daily=True)
    (dh,) = paired_runs(s, hurt, daily=True)

    # Unlearning by one's own approach: days from the decision until deep threat is half of what
    # it was on that day.
    felt = ds.daily_threat_deep.values
    t_half = _first_day(felt <= felt[:, [start]] / 2.0, after=start)

    # The same number of exposures teaching in each direction: forced sharing every day, with a
    # warm responder (unlearning) or a hurtful one (learning). Learning: days until deep threat
    # has risen by as much as unlearning must remove (half the avoidant start).
    fw = dw.daily_threat_deep.values
    unlearn = _first_day(fw <= start_threat(dw)[:, None] / 2.0)
    amount = float(np.median(start_threat(dw))) / 2.0
    fh = dh.daily_threat_deep.values
    learn = _first_day(fh >= start_threat(dh)[:, None] + amount)

    def slower(a: np.ndarray, b: np.ndarray) -> float:
        return _median(a) / max(_median(b), 1.0)

    halving = statistic_ci(_median, t_half, seed=s.seed)
    return Evidence(
        (
            wording(
                "median days from deciding to approach a warm, steady partner until deep threat "
                "halves (months, not days)",
                halving,
                MONTHS_NOT_DAYS,
            ),
            wording(
                "the same, in days (years at most: within the three years run)",
                halving,
                float(decided.days - start),
                "<=",
            ),
            wording(
                "exposures to unlearn half the deep threat with a warm responder over exposures "
                "to learn as much with a hurtful one (ratio of medians; slowly)",
                statistic_ci(slower, unlearn, learn, seed=s.seed),
                SLOWER,
            ),
        ),
        n=3 * s.n,
        notes={
            "median days to halve (warm, made to approach)": _median(unlearn),
            "median days to learn as much (hurtful, made to approach)": _median(learn),
        },
    )


def check_h3(s: Settings) -> Evidence:
    own, pressed = scenario("healing-at-own-pace"), scenario("pressure-during-healing")
    d_own, d_pr = paired_runs(s, own, pressed)
    end_own, end_pr = at_day(d_own, own.days), at_day(d_pr, pressed.days)
    return Evidence(
        (
            effect(
                "deep threat after a year, under partner pressure vs at the person's own pace "
                "(paired d; pressure slows or reverses)",
                d_paired(end_pr, end_own, s.seed),
            ),
            effect(
                "deep threat at the start vs after a year at the person's own pace (paired d)",
                d_paired(start_threat(d_own), end_own, s.seed),
            ),
        ),
        n=2 * s.n,
    )


def check_h4(s: Settings) -> Evidence:
    relapse = scenario("relapse-under-stress")
    therapy = next(iv for iv in relapse.interventions if iv.kind == "therapy")
    stress = next(iv for iv in relapse.interventions if iv.kind == "stress")
    control = people({"avoidant": 1}, days=relapse.days)
    moving = scenario("new-circle")
    move = next(iv for iv in moving.interventions if iv.kind == "context_change").start
    ds, d0, dm = paired_runs(s, relapse, control, moving, daily=True)
    turned_down = declined_share(dm, move, move + 60) - declined_share(dm, move - 60, move)

    # Graded work starts where the person is, at shallow depths: threat over all depths.
    end = therapy.end
    room_t, room_0 = at_day(ds, end, "threat_therapy", ALL), at_day(d0, end, "threat_therapy", ALL)
    home_t, home_0 = at_day(ds, end, depths=ALL), at_day(d0, end, depths=ALL)
    before = days_mean(ds, "daily_threat_deep", stress.start - 40, stress.start)
    during = days_mean(ds, "daily_threat_deep", stress.start + 40, stress.end)
    return Evidence(
        (
            effect(
                "threat in the therapy room (all depths) after a year, without vs with weekly "
                "therapy (paired d)",
                d_paired(room_0, room_t, s.seed),
            ),
            effect(
                "threat with the partner (all depths) after the same year, without vs with "
                "therapy (paired d; part of the gain transfers)",
                d_paired(home_0, home_t, s.seed),
            ),
            effect(
                "gain in the therapy room vs gain with the partner (paired d; only part transfers)",
                d_paired(room_0 - room_t, home_0 - home_t, s.seed),
            ),
            effect(
                "deep threat with the partner during a stressful stretch vs just before it "
                "(paired d; relapse)",
                d_paired(during, before, s.seed),
            ),
        ),
        n=3 * s.n,
        notes={
            "renewal: share of personal offers turned down in the two months after moving to a "
            "new circle minus the two months before": diff_ci(
                turned_down, np.zeros_like(turned_down)
            ),
        },
    )


_MEDIUM = "a claimed effect must be at least medium (d 0.5, Cohen 1988)"
_SMALL = "a claimed absence must stay below small (|d| 0.2)"

register(
    Claim(
        "H1",
        "What healing requires",
        "Observation practice lets people share when it matters; on its own it lowers threat "
        "little.",
        ("observation",),
        f"{_MEDIUM}; {_SMALL}: the same yardstick as H5's 'clearly'.",
        check_h1,
        negative_controls=("decision_to_approach", "pursuit"),
        expected_to_fail=(
            "Observation practice alone lowers deep threat clearly (paired d 0.98 [0.87, "
            "1.10], quick, seed 0), not little: reactions handed to the deliberate route let "
            "the person share more, and sharing with a warm partner teaches safety."
        ),
    )
)
register(
    Claim(
        "H2",
        "What healing requires",
        "Repeated approach to a warm, steady responder lowers threat; halving it takes months to "
        "years, and unlearning is slower than learning.",
        ("extinction", "threat_learning"),
        "The article's words: 'months' is at least 60 days, 'years at most' within the run, "
        "'slowly' at least twice as long as learning.",
        check_h2,
        negative_controls=("pursuit", "attribution"),
    )
)
register(
    Claim(
        "H3",
        "What healing requires",
        "Adding partner pressure to healing slows or reverses it, compared with the same healing "
        "at the person's own pace.",
        ("pressure", "overwhelm"),
        f"{_MEDIUM}.",
        check_h3,
        negative_controls=("pursuit", "attribution"),
    )
)
register(
    Claim(
        "H4",
        "What healing requires",
        "Weekly therapy lowers threat in the therapy room; part of it transfers to the partner, "
        "only part; gains return under stress (relapse).",
        ("extinction", "context_binding", "stress_relapse"),
        f"{_MEDIUM}, for each gain, for the gap between them, and for the return under stress.",
        check_h4,
        negative_controls=("pursuit", "attribution"),
    )
)
