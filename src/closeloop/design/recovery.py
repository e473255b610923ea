"""The ``recovery`` analysis: every synthetic couple fitted with the fit's shipped posterior
network (``closeloop.fit``), and how well one fitted quantity is recovered.

The network was trained on diaries of one window (its manifest: relationship day 0, a number of
days, one prompt a day, every day reported), so a study with a recovery analysis must have that
window (``check_window``). Each replication's couples are summarised and sampled in one batch
(the flow's forward pass is cheap; the fit's predictive checks are not run); each design point
takes its first couples, as the other analyses do.

Per couple: the posterior mean, its error against the couple's true value (the simulation's
traits, relationship rates and starting threat), and whether the equal-tailed (1 - alpha)
interval holds the true value. A couple the network flags as unlike its training data (the OOD
flag), or that the fit cannot take (no bids), is a failed couple fit: counted, and left out of
the error and coverage. Per study: the draw-wise mean of the fitted couples' posteriors is the
posterior of their mean; with a stated ``null``, "power" is the share of studies whose interval
of that mean leaves the null out.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from closeloop.design.analyses import FAILED, OK
from closeloop.design.sample import Kept
from closeloop.design.spec import Analysis, Point, StudySpec

STREAM_RECOVERY = 5
"""Tag of the random stream of a replication's posterior draws."""
SUMS = ("couples_fitted", "couples_ood", "couples_unfittable", "err_sum", "err_sq_sum")
SUMS_MORE = ("covered", "width_sum", "truth_mean", "excludes_null")
COLUMNS = SUMS + SUMS_MORE
"""Extra columns of a recovery analysis's rows in ``replications`` (NaN for the others)."""


def couples_table(kept: Kept, enrolled: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """The enrolled couples' diary table (couple numbered by enrolment) and true values."""
    from closeloop.fit import prior

    order = {int(c): i for i, c in enumerate(enrolled)}
    truth = np.full((len(enrolled), len(prior.QUANTITIES)), np.nan)
    parts = []
    for idx, table, ds, rel in kept:
        tv = prior.true_values(ds["traits"].to_numpy(), ds["threat0"].to_numpy(), rel)
        for local, c in enumerate(idx):
            if int(c) in order:
                truth[order[int(c)]] = tv[local]
        t = table.drop(columns=[c for c in table.columns if str(c).endswith("_latent")])
        glob = idx[t["couple"].to_numpy(np.int64)]
        pos = np.array([order.get(int(c), -1) for c in glob], np.int64)
        t = t.assign(couple=pos)[pos >= 0]
        parts.append(t)
    table = pd.concat(parts, ignore_index=True).sort_values(["couple", "day", "person"])
    return table.reset_index(drop=True), truth


def posterior(
    table: pd.DataFrame, n: int, seed: int, names: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """Every couple's posterior draws in one batch: ``draws`` (n, L, len(names)) of the named
    quantities in natural units (NaN for a couple the fit cannot take; only the named ones are
    kept, a large study's full draws would not fit in memory), ``index`` (their positions in
    ``prior.NAMES``), ``ood`` and ``fittable`` (n,) flags."""
    from closeloop.fit import diaries, flow, prior, summaries
    from closeloop.fit.api import DRAWS, load_network

    net, man = load_network()
    days = int(man["days"])
    status = diaries.status(table, days)
    ids, s, _ = summaries.summarise(table, days)
    ood = np.zeros(n, bool)
    fittable = np.zeros(n, bool)
    ood[ids] = flow.ood_distance(net, s) > net.ood_limit
    fittable[ids] = status.reindex(ids).to_numpy() == diaries.FITTABLE
    index = np.array([prior.NAMES.index(q) for q in names], np.int64)
    draws = np.full((n, DRAWS, len(index)), np.nan)
    use = fittable[ids]
    if use.any():
        x = prior.from_unbounded(flow.sample(net, s[use], DRAWS, seed))
        draws[ids[use]] = x[:, :, index]
    return {"draws": draws, "index": index, "ood": ood, "fittable": fittable}


def point_rows(
    a: Analysis, post: dict[str, np.ndarray], truth: np.ndarray, end: np.ndarray, p: Point
) -> dict[str, Any]:
    """One replication's recovery at design point ``p``: the row's estimate, interval, status
    and the per-couple sums (``COLUMNS``) that ``summary`` turns into bias, RMSE and coverage."""
    from closeloop.fit.prior import NAMES

    j = int(np.flatnonzero(post["index"] == NAMES.index(a.quantity))[0])
    take = np.arange(p.couples)
    if p.breakup == "completers":
        take = take[end[take] >= p.days]
    ok = post["fittable"][take] & ~post["ood"][take]
    fitted = take[ok]
    x = post["draws"][fitted, :, j]  # (couples, L)
    t = truth[fitted, NAMES.index(a.quantity)]
    lo_q, hi_q = a.alpha / 2, 1 - a.alpha / 2
    mean = x.mean(axis=1)
    lo, hi = np.quantile(x, lo_q, axis=1), np.quantile(x, hi_q, axis=1)
    row: dict[str, Any] = {
        "couples_fitted": float(len(fitted)),
        "couples_ood": float((post["fittable"][take] & post["ood"][take]).sum()),
        "couples_unfittable": float((~post["fittable"][take]).sum()),
        "err_sum": float((mean - t).sum()),
        "err_sq_sum": float(((mean - t) ** 2).sum()),
        "covered": float(((lo <= t) & (t <= hi)).sum()),
        "width_sum": float((hi - lo).sum()),
        "couples_analysed": len(take),
    }
    if not len(fitted):
        nan = math.nan
        row.update(estimate=nan, se=nan, p=nan, lo=nan, hi=nan, status=FAILED, n_obs=0)
        row.update(truth_mean=nan, excludes_null=nan)
        return row
    pm = x.mean(axis=0)  # the posterior of the fitted couples' mean, draw by draw
    plo, phi = float(np.quantile(pm, lo_q)), float(np.quantile(pm, hi_q))
    tail = math.nan
    excludes = math.nan
    if a.null is not None:
        below = float((pm <= a.null).mean())
        tail = min(1.0, 2 * min(below, 1 - below))
        excludes = float(a.null < plo or a.null > phi)
    row.update(
        estimate=float(pm.mean()),
        se=float(pm.std()),
        p=tail,
        lo=plo,
        hi=phi,
        status=OK,
        n_obs=len(fitted),
        truth_mean=float(t.mean()),
        excludes_null=excludes,
    )
    return row


def _power(g: pd.DataFrame) -> tuple[float, float]:
    """Share of studies whose interval leaves the null out (a failed one: no detection)."""
    if not len(g):
        return math.nan, math.nan
    p = float(np.nansum(g["excludes_null"].to_numpy())) / len(g)
    return p, math.sqrt(p * (1 - p) / len(g))


def metrics(g: pd.DataFrame, a: Analysis, drawn: pd.DataFrame) -> dict[str, Any]:
    """What a design point achieves for a recovery analysis, over its replications ``g``: bias,
    RMSE, width and coverage over every fitted couple of every study; power (with a null) over
    every study, a failed one counting as no detection, and assurance over ``drawn`` (the
    replications drawn from the priors)."""
    n = float(g["couples_fitted"].sum())
    fitted = g[g["status"] != FAILED]
    nan = math.nan
    share = float(g["covered"].sum() / n) if n else nan
    out: dict[str, Any] = {
        "truth": float(fitted["truth_mean"].mean()) if len(fitted) else nan,
        "mean_estimate": float(fitted["estimate"].mean()) if len(fitted) else nan,
        "bias": float(g["err_sum"].sum() / n) if n else nan,
        "bias_mcse": nan,
        "rmse": float(math.sqrt(g["err_sq_sum"].sum() / n)) if n else nan,
        "width": float(g["width_sum"].sum() / n) if n else nan,
        "coverage": share,
        # Couples of one study are independent given the population: binomial over couples.
        "coverage_mcse": float(math.sqrt(share * (1 - share) / n)) if n else nan,
        "couples_fitted": int(n),
        "couples_ood": int(g["couples_ood"].sum()),
        "couples_unfittable": int(g["couples_unfittable"].sum()),
    }
    per_study = (fitted["err_sum"] / fitted["couples_fitted"]).to_numpy()
    if len(per_study) > 1:
        out["bias_mcse"] = float(per_study.std(ddof=1) / math.sqrt(len(per_study)))
    if a.null is None:
        # No null named: no test, so no power; the recovery metrics stand alone.
        out.update(power=nan, power_mcse=nan, power_fitted=nan, assurance=nan, assurance_mcse=nan)
    else:
        power, power_se = _power(g)
        assurance, assurance_se = _power(drawn)
        hits = float(np.nansum(fitted["excludes_null"].to_numpy()))
        out.update(
            power=power,
            power_mcse=power_se,
            power_fitted=hits / len(fitted) if len(fitted) else nan,
            assurance=assurance,
            assurance_mcse=assurance_se,
        )
    return out


def replication_rows(
    spec: StudySpec, pop: dict[str, np.ndarray], kept: Kept, rep: int
) -> dict[tuple[int, str], dict[str, Any]]:
    """Every recovery analysis at every design point of one replication: (point, name) -> row
    fields."""
    from closeloop.design.sample import seed_for

    table, truth = couples_table(kept, pop["enrolled"].astype(np.int64))
    names = tuple(dict.fromkeys(a.quantity for a in spec.analyses if a.kind == "recovery"))
    post = posterior(table, len(truth), seed_for(spec.seed, STREAM_RECOVERY, rep), names)
    out = {}
    for i, p in enumerate(spec.points):
        for a in spec.analyses:
            if a.kind == "recovery":
                out[(i, a.name)] = point_rows(a, post, truth, pop["end"], p)
    return out
