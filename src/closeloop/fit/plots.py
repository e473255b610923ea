"""The fit report's figures (matplotlib, Agg, PNG bytes): posteriors against priors,
predictive bands over the diary, and the network's recovery and calibration on its validation
simulations."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from closeloop.fit import checks, prior

COLS = 4
COUPLE_COLOURS = ("#0072B2", "#D55E00", "#009E73")
"""Colour-blind-safe colours of the couples shown."""


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def _grid(n: int) -> tuple[Figure, Any]:
    rows = (n + COLS - 1) // COLS
    fig = Figure(figsize=(3.0 * COLS, 2.4 * rows), layout="constrained")
    axes = fig.subplots(rows, COLS, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes


def posteriors(x: np.ndarray, ids: np.ndarray) -> bytes:
    """Posterior histograms of up to three couples per quantity, over the prior density."""
    fig, axes = _grid(len(prior.QUANTITIES))
    for j, q in enumerate(prior.QUANTITIES):
        ax = axes[j]
        bins = np.linspace(q.low, q.high, 31)
        if q.prior is not None:
            grid = np.linspace(q.low, q.high, 200)
            ax.plot(
                grid, np.exp(prior.log_density(q.prior, grid)), color="0.5", lw=1.5, label="prior"
            )
        for i in range(min(3, len(ids))):
            ax.hist(
                x[i, :, j],
                bins=bins,
                density=True,
                alpha=0.45,
                color=COUPLE_COLOURS[i],
                label=f"couple {ids[i]}",
            )
        ax.set_title(q.name, fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    return _png(fig)


def bands(b: dict[str, Any]) -> bytes:
    """Daily predictive 90% bands of a rating against the observed ratings."""
    m = len(b["couples"])
    fig = Figure(figsize=(11, 2.4 * max(m, 1)), layout="constrained")
    axes = fig.subplots(max(m, 1), 2, squeeze=False)
    days = np.arange(b["q05"].shape[1])
    for i in range(m):
        for p, who in enumerate("ab"):
            ax = axes[i, p]
            ax.fill_between(
                days,
                b["q05"][i, :, p],
                b["q95"][i, :, p],
                color="#56B4E9",
                alpha=0.4,
                label="90% predictive band",
            )
            ax.plot(days, b["q50"][i, :, p], color="#0072B2", lw=1, label="predictive median")
            ax.plot(days, b["observed"][i, :, p], "o", ms=2.5, color="black", label="observed")
            ax.set_ylim(0.5, 7.5)
            ax.set_title(f"couple {b['couples'][i]}, person {who}: {b['rating']}", fontsize=9)
            ax.tick_params(labelsize=7)
    axes[0, 0].legend(fontsize=7, loc="lower left")
    axes[-1, 0].set_xlabel("day")
    return _png(fig)


def recovery(v: dict[str, np.ndarray]) -> bytes:
    """Truth against posterior mean (with 90% intervals) on the validation simulations."""
    fig, axes = _grid(len(prior.QUANTITIES))
    for j, q in enumerate(prior.QUANTITIES):
        ax = axes[j]
        t, m = v["truth"][:, j], v["mean"][:, j]
        k = np.arange(min(200, len(t)))
        ax.errorbar(
            t[k],
            m[k],
            yerr=[m[k] - v["q05"][k, j], v["q95"][k, j] - m[k]],
            fmt="none",
            ecolor="0.8",
            lw=0.6,
        )
        ax.plot(t, m, ".", ms=2, color="#0072B2")
        lo, hi = float(min(t.min(), m.min())), float(max(t.max(), m.max()))
        ax.plot([lo, hi], [lo, hi], color="black", lw=0.8)
        ax.set_title(f"{q.name}: r = {np.corrcoef(t, m)[0, 1]:.2f}", fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0].set_xlabel("truth", fontsize=8)
    axes[0].set_ylabel("posterior mean", fontsize=8)
    return _png(fig)


def calibration(v: dict[str, np.ndarray]) -> bytes:
    """SBC: the ECDF of the ranks minus the uniform, with the simultaneous 99% band."""
    fig, axes = _grid(len(prior.QUANTITIES))
    n = v["rank"].shape[0]
    z = np.linspace(0, 1, 201)
    band = checks.band_halfwidth(n, z)
    for j, q in enumerate(prior.QUANTITIES):
        ax = axes[j]
        u = np.sort(v["rank"][:, j])
        ecdf = np.searchsorted(u, z, side="right") / n
        ax.fill_between(z, -band, band, color="0.85", label="99% band")
        ax.plot(z, ecdf - z, color="#D55E00", lw=1)
        ax.axhline(0, color="black", lw=0.5)
        ax.set_title(q.name, fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0].set_ylabel("ECDF - uniform", fontsize=8)
    return _png(fig)
