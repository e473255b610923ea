"""Training the shipped posterior network with one call (``closeloop fit --train``): simulate
couples from the fitting prior, summarise their diaries, train the flow, check it on fresh
simulations, and write the weights with a manifest (the prior, the summaries, the validation
metrics, sizes, timings and the model's behavioural fingerprint)."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from closeloop.fit import checks, flow, prior, simulate, summaries
from closeloop.io import atomic_write, write_text

WEIGHTS = Path(__file__).resolve().parent / "weights"
"""Where the shipped network lives (package data)."""
DAYS = 60
"""Diary length the shipped network is trained for: the first 60 days of a relationship."""
SIMS = 65_536
"""Simulated couples for the shipped network."""
SEED = 20261202
"""Training seed of the shipped network."""
BLOCK = 4096
"""Couples simulated per engine call."""
VALIDATION = 1000
"""Fresh couples the manifest's metrics are measured on."""
VALIDATION_FIRST = 50_000_000
"""First couple index of the validation and study simulations: disjoint from training."""
DRAWS = 200
"""Posterior draws per couple in the checks."""
FINGERPRINT_COUPLES = 64
FINGERPRINT_SEED = 7
FINGERPRINT_DIGITS = 3
"""The fingerprint: the mean summaries of a fixed small prior simulation, rounded to this many
decimals (a model change that moves behaviour moves them)."""
FINGERPRINT_TOLERANCE = 2e-3
"""Allowed difference of one fingerprint entry (rounding and float noise, not behaviour)."""


def simulate_set(
    n: int, seed: int, days: int, first: int = 0, progress: Callable[[int], None] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(n, S) summaries and (n, Q) true quantities of ``n`` prior couples, in blocks."""
    s_parts, t_parts = [], []
    for start in range(0, n, BLOCK):
        m = min(BLOCK, n - start)
        table, truth = simulate.simulate(m, seed, days, first=first + start)
        _, s, _ = summaries.summarise(table, days)
        s_parts.append(s)
        t_parts.append(truth)
        if progress:
            progress(start + m)
    return np.concatenate(s_parts), np.concatenate(t_parts)


def fingerprint(days: int = DAYS) -> list[float]:
    """The model's behavioural fingerprint (see ``FINGERPRINT_DIGITS``)."""
    s, _ = simulate_set(FINGERPRINT_COUPLES, FINGERPRINT_SEED, days)
    return [round(float(v), FINGERPRINT_DIGITS) for v in s.mean(0)]


def validate_network(
    net: flow.Network, n: int, seed: int, days: int, first: int = VALIDATION_FIRST
) -> tuple[list[checks.Metrics], np.ndarray, np.ndarray]:
    """Checks of ``net`` on ``n`` fresh simulations; also returns their draws and truth."""
    s, truth = simulate_set(n, seed, days, first)
    draws = prior.from_unbounded(flow.sample(net, s, DRAWS, seed))
    return checks.all_quantities(draws, truth), draws, truth


def train(
    sims: int = SIMS,
    seed: int = SEED,
    days: int = DAYS,
    out: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Train a network and write it with its manifest into ``out`` (default: the shipped
    weights). Returns the manifest."""
    say = progress or (lambda _: None)
    folder = out or WEIGHTS
    t0 = time.perf_counter()
    say(f"simulating {sims} couples x {days} days")
    s, truth = simulate_set(sims, seed, days)
    t_sim = time.perf_counter() - t0
    say("training the flow")
    t1 = time.perf_counter()
    net, record = flow.train(prior.to_unbounded(truth), s, seed)
    t_train = time.perf_counter() - t1
    say(f"checking on {VALIDATION} fresh couples")
    metrics, draws, vtruth = validate_network(net, VALIDATION, seed + 1, days)
    files = flow.save(net, folder)
    files["validation"] = save_validation(draws, vtruth, folder)
    manifest = {
        "network": "flowjax coupling flow, rational-quadratic splines",
        "layers": flow.LAYERS,
        "width": flow.WIDTH,
        "depth": flow.DEPTH,
        "knots": flow.KNOTS,
        "files": files,
        "days": days,
        "simulations": sims,
        "seed": seed,
        "quantities": [
            {
                "name": q.name,
                "kind": q.kind,
                "low": q.low,
                "high": q.high,
                "prior": q.prior.describe() if q.prior else None,
            }
            for q in prior.QUANTITIES
        ],
        "fixed": "every other trait and relationship rate at its default; histories from the "
        "default population mix",
        "prior_sd": {q.name: float(truth[:, j].std()) for j, q in enumerate(prior.QUANTITIES)},
        "summaries": list(summaries.NAMES),
        "fingerprint": fingerprint(days),
        "training": {
            **record,
            "simulation_s": round(t_sim, 1),
            "simulations_per_s": round(sims / t_sim, 1),
            "training_s": round(t_train, 1),
            "total_s": round(time.perf_counter() - t0, 1),
        },
        "validation": {
            "couples": VALIDATION,
            "draws": DRAWS,
            "metrics": {
                q.name: {
                    "r": round(m.r, 3),
                    "r_lower": round(m.r_lower, 3),
                    "contraction": round(m.contraction, 3),
                    "coverage90": round(m.coverage, 3),
                    "sbc_p": round(m.sbc_p, 3),
                    "sbc_pass": m.sbc_pass,
                    "identifiable": m.identifiable,
                }
                for q, m in zip(prior.QUANTITIES, metrics, strict=True)
            },
        },
        "versions": {p: _version(p) for p in ("closeloop", "jax", "flowjax", "equinox")},
    }
    write_text(folder / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    return manifest


def save_validation(draws: np.ndarray, truth: np.ndarray, folder: Path) -> str:
    """The validation couples' truth, posterior means, 90% intervals and SBC ranks, for the
    report's recovery and calibration plots (``validation.npz``)."""
    u = np.stack(
        [checks.ranks(draws[:, :, j], truth[:, j], j) for j in range(truth.shape[1])], axis=1
    )
    arrays = {
        "truth": truth,
        "mean": draws.mean(1),
        "q05": np.quantile(draws, 0.05, axis=1),
        "q95": np.quantile(draws, 0.95, axis=1),
        "rank": u,
    }
    buf = io.BytesIO()
    packed = {k: np.asarray(v, np.float32) for k, v in arrays.items()}
    np.savez(buf, **packed)  # type: ignore[arg-type]
    atomic_write(folder / "validation.npz", lambda p: Path(p).write_bytes(buf.getvalue()))
    return "validation.npz"


def _version(pkg: str) -> str:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return "unknown"
