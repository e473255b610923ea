"""``cl.fit(diary)``: each couple's posterior from the shipped network, with the checks that say
how far to trust it (an out-of-distribution flag, posterior predictive checks, the network's own
validation), optionally the population layer."""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import arviz as az
import numpy as np
import pandas as pd

from closeloop.errors import InputError, check_int
from closeloop.fit import diaries, flow, ppc, prior, summaries
from closeloop.fit.train import WEIGHTS

if TYPE_CHECKING:
    from closeloop.fit.population import Population

DRAWS = 1000
"""Posterior draws per couple by default."""
PPC_DRAWS = 40
"""Re-simulated diaries per couple in the predictive checks."""
MAX_DRAWS = 100_000


@dataclass(frozen=True)
class FitResult:
    """What a fit returns.

    Attributes:
        idata: ArviZ InferenceData: ``posterior`` (chain, draw, couple) per quantity in natural
            units, ``constant_data`` (the couples' summaries and out-of-distribution distance).
        summary: one row per fitted couple and quantity: mean, sd, 5/50/95% quantiles,
            contraction against the prior, whether the quantity is identifiable by the network's
            validation, the out-of-distribution flag.
        couples: one row per couple of the diary: status (fitted or why not), days used, the
            out-of-distribution distance and flag.
        ppc: posterior predictive checks per couple and statistic.
        bands: daily predictive bands of a rating for the first couples (for the report).
        manifest: the network's manifest (prior, validation metrics, fingerprint).
        population: the population layer, when asked for.
        timings: seconds per step.
    """

    idata: az.InferenceData
    summary: pd.DataFrame
    couples: pd.DataFrame
    ppc: pd.DataFrame
    bands: dict[str, Any]
    manifest: dict[str, Any]
    population: Population | None = None
    timings: dict[str, float] = field(default_factory=dict)


def load_network(folder: str | Path | None = None) -> tuple[flow.Network, dict[str, Any]]:
    """The posterior network and its manifest (default: the shipped one)."""
    path = (Path(folder) if folder is not None else WEIGHTS).resolve()
    man_path = path / "manifest.json"
    stamp = man_path.stat().st_mtime_ns if man_path.is_file() else -1
    return _load(path, stamp)


@functools.lru_cache(maxsize=4)
def _load(path: Path, stamp: int) -> tuple[flow.Network, dict[str, Any]]:
    """Loaded once per folder and manifest version: building the flow's skeleton and compiling
    its sampler are the slow part of a small fit."""
    man_path = path / "manifest.json"
    if not man_path.is_file():
        raise InputError(
            f"The posterior network folder {str(path)!r} has no manifest.json: train one with "
            "`closeloop fit --train`."
        )
    manifest = json.loads(man_path.read_text(encoding="utf-8"))
    names = [q["name"] for q in manifest["quantities"]]
    if names != list(prior.NAMES) or manifest["summaries"] != list(summaries.NAMES):
        raise InputError(
            "The posterior network was trained for another version of the fit (other quantities "
            "or summaries): run `closeloop fit --train` (a few minutes)."
        )
    arch = {k: manifest[k] for k in ("layers", "width", "depth", "knots")}
    return flow.load(path, arch), manifest


def fit(
    diary: pd.DataFrame | str | Path,
    draws: int = DRAWS,
    seed: int = 0,
    *,
    population: bool = False,
    network: str | Path | None = None,
    ppc_draws: int = PPC_DRAWS,
) -> FitResult:
    """Fit the model to a diary: each couple's posterior over the fitted quantities.

    Arguments:
        diary: a diary table (docs/diary.md) or the path of a .parquet/.csv diary file. Each
            couple's rows must start at day 0; the first ``days`` days of the network (60) are
            used. The ``preset`` columns are never read.
        draws: posterior draws per couple.
        seed: seed of the draws and the predictive re-simulations.
        population: also run the population layer (NumPyro).
        network: a folder with a network trained by ``closeloop fit --train --out``.
        ppc_draws: re-simulated diaries per couple for the predictive checks.

    Returns:
        A :class:`FitResult`.

    Example:
        >>> import closeloop as cl
        >>> res = cl.fit("closeloop-report/diary.parquet")  # doctest: +SKIP
        >>> res.summary.columns[:3].tolist()  # doctest: +SKIP
        ['couple', 'quantity', 'mean']
    """
    draws = check_int("draws", draws, 2, MAX_DRAWS, "fit")
    seed = check_int("seed", seed, 0, 2**31 - 1, "fit")
    ppc_draws = check_int("ppc_draws", ppc_draws, 2, 1000, "fit")
    t0 = time.perf_counter()
    table = diaries.load(diary)
    net, manifest = load_network(network)
    days = int(manifest["days"])
    status = diaries.status(table, days)
    diaries.require_some(status, days)
    ids, s, n_days = summaries.summarise(table, days)
    dist = flow.ood_distance(net, s)
    ok = status.reindex(ids).to_numpy() == diaries.FITTABLE
    couples = pd.DataFrame(
        {
            "couple": ids,
            "status": status.reindex(ids).to_numpy(),
            "days_used": n_days,
            "ood_distance": dist,
            "ood_limit": net.ood_limit,
            "unlike_training": dist > net.ood_limit,
        }
    )
    t1 = time.perf_counter()
    fids, fs = ids[ok], s[ok]
    x = prior.from_unbounded(flow.sample(net, fs, draws, seed))  # (C, L, Q)
    t2 = time.perf_counter()
    checks_df, bands = ppc.check(x, fids, fs, table, days, ppc_draws, seed)
    t3 = time.perf_counter()
    idata = _idata(x, fids, fs, dist[ok])
    summary = _summary(x, fids, manifest, couples.set_index("couple"))
    pop = None
    if population:
        from closeloop.fit.population import fit_population  # NumPyro loads only when asked

        pop = fit_population(x, fids, seed)
    t4 = time.perf_counter()
    timings = {
        "read_and_summarise_s": t1 - t0,
        "posterior_s": t2 - t1,
        "ppc_s": t3 - t2,
        "population_s": (t4 - t3) if population else 0.0,
        "total_s": t4 - t0,
    }
    return FitResult(idata, summary, couples, checks_df, bands, manifest, pop, timings)


def _idata(x: np.ndarray, ids: np.ndarray, s: np.ndarray, dist: np.ndarray) -> az.InferenceData:
    post = {q.name: np.moveaxis(x[:, :, j], 0, 1)[None] for j, q in enumerate(prior.QUANTITIES)}
    return az.from_dict(
        posterior=post,
        constant_data={"summaries": s, "ood_distance": dist},
        coords={"couple": ids, "summary": list(summaries.NAMES)},
        dims={
            **{q.name: ["couple"] for q in prior.QUANTITIES},
            "summaries": ["couple", "summary"],
            "ood_distance": ["couple"],
        },
    )


def _summary(
    x: np.ndarray, ids: np.ndarray, manifest: dict[str, Any], couples: pd.DataFrame
) -> pd.DataFrame:
    metrics = manifest["validation"]["metrics"]
    rows = []
    for j, q in enumerate(prior.QUANTITIES):
        v = x[:, :, j]
        prior_sd = (
            (q.high - q.low) / np.sqrt(12.0) if q.prior else manifest_prior_sd(manifest, q.name)
        )
        for i, c in enumerate(ids):
            rows.append(
                {
                    "couple": int(c),
                    "quantity": q.name,
                    "mean": float(v[i].mean()),
                    "sd": float(v[i].std()),
                    "q05": float(np.quantile(v[i], 0.05)),
                    "q50": float(np.quantile(v[i], 0.5)),
                    "q95": float(np.quantile(v[i], 0.95)),
                    "contraction": float(1.0 - v[i].var() / prior_sd**2) if prior_sd else np.nan,
                    "identifiable": bool(metrics[q.name]["identifiable"]),
                    "unlike_training": bool(couples.loc[c, "unlike_training"]),
                }
            )
    return pd.DataFrame(rows)


def manifest_prior_sd(manifest: dict[str, Any], name: str) -> float:
    """Prior sd of a quantity as the training simulations had it (derived quantities)."""
    return float(manifest.get("prior_sd", {}).get(name, np.nan))
