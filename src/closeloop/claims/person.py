"""Claims P1-P6: the person and the template (docs/claims-protocol.md, section 2).

Thresholds come from the one yardstick of ``claims.yardstick``; each condition says which rule
set it. Observables are what a diary, a questionnaire or an observer would record.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_predict

from closeloop.claims.common import (
    DEEP,
    FRIEND,
    PARTNER,
    PERSONAL,
    SHALLOW,
    acceptance,
    fill_mean,
    mean_threat,
    people,
    rate,
    run,
    select,
    tolerance,
    withdrawal_by_stakes,
)
from closeloop.claims.registry import Claim, Evidence, Settings, register
from closeloop.claims.yardstick import (
    absence,
    at_least_as,
    cohen_d,
    d_between,
    d_paired,
    effect,
    not_clear,
    statistic_ci,
    wording,
)
from closeloop.scenario import scenario
from closeloop.stats import ratio_of_sums

KEPT = 0.75
"""'Stays high' over three years: three quarters of the deep threat kept (the threshold frozen
in docs/claims-protocol.md; it had been lowered to 2/3 after its result was seen)."""
SEPARATES = 0.90
"""The contract's AUC for 'a classifier separates the two' (claims.md; d of about 1.8)."""


def _shallow_deep(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    acc = acceptance(ds)
    sh = acc.sel(depth=SHALLOW).mean("depth").values
    dp = acc.sel(depth=DEEP).mean("depth").values
    return fill_mean(sh), fill_mean(dp)


def check_p1(s: Settings) -> Evidence:
    ds = run(people({"avoidant": 1, "secure": 1}), s, 2)
    av, se = select(ds, "avoidant"), select(ds, "secure")
    a_sh, a_dp = _shallow_deep(av)
    s_sh, s_dp = _shallow_deep(se)
    return Evidence(
        (
            effect(
                "fall of acceptance from shallow to deep, avoidant vs secure (d)",
                d_between(a_sh - a_dp, s_sh - s_dp, s.seed),
            ),
            not_clear(
                "secure people's fall of acceptance from shallow to deep (paired d)",
                d_paired(s_sh, s_dp, s.seed),
            ),
            at_least_as(
                "longing for connection, avoidant vs secure (d; at least as high)",
                d_between(av.mean_longing.values, se.mean_longing.values, s.seed),
            ),
        ),
        n=ds.sizes["unit"],
    )


def _auto_share(ds: xr.Dataset) -> float:
    auto = ds.automatic.sel(context=PARTNER).sum("depth").values
    wd = (ds.offers - ds.shares).sel(context=PARTNER).sum(("depth", "importance")).values
    return ratio_of_sums(auto, wd)


def check_p2(s: Settings) -> Evidence:
    practice = scenario("observation-practice")
    base = run(people({"avoidant": 1}, days=practice.days), s)
    practised = run(practice, s)
    low0, high0 = withdrawal_by_stakes(base)
    low1, high1 = withdrawal_by_stakes(practised)
    return Evidence(
        (
            absence(
                "avoidant withdrawal from personal closeness, low minus high stakes (paired d; "
                "barely tracks how much it matters)",
                d_paired(low0, high0, s.seed),
            ),
            effect(
                "tracking of the stakes (withdrawal low minus high), with a year of observation "
                "practice vs without (paired d, same people)",
                d_paired(low1 - high1, low0 - high0, s.seed),
            ),
        ),
        n=base.sizes["unit"] + practised.sizes["unit"],
        notes={
            "share of withdrawals by the automatic route (a code branch; reported)": _auto_share(
                base
            ),
            "the same with observation practice": _auto_share(practised),
        },
    )


def check_p3(s: Settings) -> Evidence:
    pop = {"avoidant": 3, "secure": 1, "neglect-shaped": 1, "avoidant-after-betrayal": 1}
    ds = run(people(pop), s, 6)
    se, av = select(ds, "secure"), select(ds, "avoidant")
    t_se = mean_threat(se)
    ds_by_style = {
        style: d_between(mean_threat(select(av, style, by="caregiving")), t_se, s.seed)
        for style in ("critical", "rejecting", "unavailable")
    }
    worst = min(ds_by_style, key=lambda k: ds_by_style[k][1])

    ne = select(ds, "neglect-shaped")
    se_rt = np.stack([se.reward0.mean("depth").values, t_se], 1)
    ne_rt = np.stack([ne.reward0.mean("depth").values, mean_threat(ne)], 1)

    def neglect(a: np.ndarray, b: np.ndarray) -> float:
        # d of the reward lost (secure minus neglect) minus d of the threat gained.
        return cohen_d(a[:, 0], b[:, 0]) - cohen_d(b[:, 1], a[:, 1])

    be = select(ds, "avoidant-after-betrayal")
    conc_be = mean_threat(be, depths=[4]) - mean_threat(be, depths=SHALLOW)
    conc_se = mean_threat(se, depths=[4]) - mean_threat(se, depths=SHALLOW)
    return Evidence(
        (
            effect(
                f"adult threat after critical/rejecting/unavailable care vs responsive care "
                f"(d; smallest: {worst})",
                ds_by_style[worst],
            ),
            effect(
                "neglect: d of the expected reward of sharing lost minus d of the threat gained",
                statistic_ci(neglect, se_rt, ne_rt, seed=s.seed),
            ),
            effect(
                "betrayal: deepest-minus-shallow threat, betrayed vs secure (d)",
                d_between(conc_be, conc_se, s.seed),
            ),
        ),
        n=ds.sizes["unit"],
    )


def check_p4(s: Settings) -> Evidence:
    ds = run(scenario("friends-and-partner"), s, 2)
    av, se = select(ds, "avoidant"), select(ds, "secure")

    def pull_back(d: xr.Dataset) -> np.ndarray:
        return fill_mean(1.0 - acceptance(d, FRIEND).sel(depth=PERSONAL).mean("depth").values)

    return Evidence(
        (
            effect(
                "pulling back from personal conversations with friends, avoidant vs secure (d)",
                d_between(pull_back(av), pull_back(se), s.seed),
            ),
            absence(
                "avoidant depth tolerated with friends vs with the partner (paired d; the same)",
                d_paired(tolerance(av, FRIEND), tolerance(av, PARTNER), s.seed),
            ),
        ),
        n=ds.sizes["unit"],
    )


def _deep_path(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    return mean_threat(ds, "template0", depths=DEEP), mean_threat(ds, "threat", depths=DEEP)


def check_p5(s: Settings) -> Evidence:
    warm = scenario("warm-partner")
    d_warm = run(warm, s)
    d_made = run(scenario("made-to-approach"), s, salt=1)
    h = d_warm.history.values
    hurt_app = h[:, 1] / np.maximum(h[:, 0], 1)
    hurt_wd = h[:, 3] / np.maximum(h[:, 2], 1)
    w0, w1 = _deep_path(d_warm)
    m0, m1 = _deep_path(d_made)
    years = warm.days // 365

    def kept(z: np.ndarray) -> float:
        return float(z[:, 1].mean() / z[:, 0].mean())

    return Evidence(
        (
            effect(
                "early history: hurt per approach vs hurt per withdrawal (paired d; withdrawing "
                "protected then)",
                d_paired(hurt_app, hurt_wd, s.seed),
            ),
            wording(
                f"share of deep threat kept after {years} years with a warm partner, behaviour "
                "unchanged (stays high)",
                statistic_ci(kept, np.stack([w0, w1], 1), seed=s.seed),
                KEPT,
            ),
            effect(
                "deep threat at the start vs after a year made to approach a warm responder "
                "(paired d)",
                d_paired(m0, m1, s.seed),
            ),
        ),
        n=d_warm.sizes["unit"] + d_made.sizes["unit"],
    )


def _observables(d: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """What an observer could record: how sharing at personal depths follows the stakes, and
    arousal when personal closeness is offered."""
    low, high = withdrawal_by_stakes(d)
    arousal = rate(
        d.arousal_sum.sel(context=PARTNER, depth=PERSONAL).sum("depth"),
        d.offers.sel(context=PARTNER, depth=PERSONAL).sum(("depth", "importance")),
    )
    return low - high, fill_mean(arousal.values)


def check_p6(s: Settings) -> Evidence:
    ds = run(people({"private": 1, "avoidant": 1}), s, 2)
    pr, av = select(ds, "private"), select(ds, "avoidant")
    r_pr, a_pr = _observables(pr)
    r_av, a_av = _observables(av)
    X = np.concatenate([np.stack([r_pr, a_pr], 1), np.stack([r_av, a_av], 1)])
    y = np.concatenate([np.zeros(len(r_pr)), np.ones(len(r_av))])
    # Held-out scores (5-fold), so the AUC is not measured on the data the classifier saw.
    score = cross_val_predict(LogisticRegression(), X, y, cv=5, method="predict_proba")[:, 1]

    def auc(z: np.ndarray) -> float:
        if len(np.unique(z[:, 1])) < 2:
            return float("nan")
        return float(roc_auc_score(z[:, 1], z[:, 0]))

    return Evidence(
        (
            wording(
                "AUC of a classifier on observable behaviour only, private vs avoidant "
                "(the contract's bar for 'separates')",
                statistic_ci(auc, np.stack([score, y], 1), seed=s.seed),
                SEPARATES,
            ),
            effect(
                "how much sharing follows the stakes (withdrawal low minus high), private vs "
                "avoidant (d)",
                d_between(r_pr, r_av, s.seed),
            ),
            effect(
                "arousal when personal closeness is offered, avoidant vs private (d)",
                d_between(a_av, a_pr, s.seed),
            ),
        ),
        n=ds.sizes["unit"],
    )


_MEDIUM = "a claimed effect must be at least medium (d 0.5, Cohen 1988)"
_SMALL = "a claimed absence must stay below small (|d| 0.2)"

register(
    Claim(
        "P1",
        "What it is",
        "Avoidant people want connection at least as much as secure people, yet their acceptance "
        "of closeness falls steeply past a pull-back depth; secure people's does not.",
        ("threat_learning", "unmet_need"),
        f"{_MEDIUM}; 'does not fall steeply' stays below medium; 'at least as' is not lower by a "
        "small effect (d -0.2).",
        check_p1,
        negative_controls=("spontaneous_recovery", "attribution"),
        expected_to_fail=(
            "Secure people's acceptance also falls clearly from shallow to deep (paired d "
            "1.15 [1.02, 1.29] at quick size, seed 0): their between-person spread is small, "
            "so a fall of about 0.11 in the share accepted is a large effect on the one "
            "yardstick."
        ),
    )
)
register(
    Claim(
        "P2",
        "What it is; Distinguishing",
        "The pulling back is not a decision: avoidant withdrawal barely tracks how much sharing "
        "matters, and tracks it clearly once observation is practised.",
        ("automatic_route", "observation"),
        f"{_SMALL}; {_MEDIUM}.",
        check_p2,
        negative_controls=("unmet_need", "pursuit"),
    )
)
register(
    Claim(
        "P3",
        "The logic",
        "The template is learned: critical, rejecting or unavailable care raises adult threat; "
        "neglect lowers expected reward more than it raises threat; betrayal concentrates threat "
        "at the deepest levels.",
        ("threat_learning", "reward_learning"),
        f"{_MEDIUM}, for each comparison and for the neglect contrast.",
        check_p3,
        n_quick=200,
        n_full=1000,
        negative_controls=("pursuit", "giving_up"),
        expected_to_fail=(
            "Neglect lowers the expected reward of sharing more than it raises threat by d "
            "0.18 [-0.01, 0.38] (quick, seed 0), short of a medium effect; and with caregiving "
            "that changes at home a preset names only the care at birth, so critical, rejecting "
            "or unavailable care at birth raises adult threat by d 0.49 [0.29, 0.71] (3.29 with "
            "caregiving_change ablated)."
        ),
    )
)
register(
    Claim(
        "P4",
        "What it is",
        "The same template governs friendships: avoidant people pull back from personal "
        "conversations with friends more than secure people, at the same depth as with a partner.",
        ("threat_learning", "shared_template"),
        f"{_MEDIUM}; 'the same depth' is an absence: {_SMALL}.",
        check_p4,
        negative_controls=("pursuit", "unmet_need"),
    )
)
register(
    Claim(
        "P5",
        "The logic",
        "The template protected once and persists: withdrawing brought less hurt in the early "
        "environment; with a warm partner and unchanged behaviour threat stays high for years, "
        "while being made to approach lowers it.",
        ("extinction_protection", "extinction"),
        f"{_MEDIUM}; 'stays high' keeps three quarters of deep threat over three years (the "
        "frozen 0.75, restored).",
        check_p5,
        negative_controls=("pursuit", "stress_relapse"),
    )
)
register(
    Claim(
        "P6",
        "Distinguishing",
        "Privacy is chosen and flexible, avoidance compelled: private people's sharing follows "
        "the stakes, with little arousal; avoidant people's barely does, with high arousal "
        "(classifier AUC >= 0.9).",
        ("automatic_route", "threat_learning"),
        f"AUC 0.9 is the contract's bar for 'separates'; {_MEDIUM}.",
        check_p6,
        negative_controls=("pursuit", "spontaneous_recovery"),
        expected_to_fail=(
            "A preset names the caregiving at birth: with caregiving that changes at home "
            "(care_change_rate 0.1 a year), many avoidant people grow up partly under responsive "
            "care and private ones partly under hurtful care, so the groups overlap (AUC 0.71 "
            "[0.67, 0.75], arousal d 0.30 [0.14, 0.47], quick, seed 0; 0.995 and 3.17 with "
            "caregiving_change ablated)."
        ),
    )
)
