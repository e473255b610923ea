"""``closeloop fit DIARY --out DIR``: the fit's files and its HTML report, written into a folder
swapped in whole at the end (nothing is left behind when the fit fails)."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from closeloop.fit import plots
from closeloop.fit.api import FitResult
from closeloop.fit.train import WEIGHTS
from closeloop.io import atomic_write, staged, write_bytes, write_text
from closeloop.simulation import NOTICE

CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5;color:#1d1d1d}.notice{border-left:4px solid #0072B2;background:#eef5fb;"
    "padding:.6rem .9rem}table{border-collapse:collapse;font-size:.85rem}th,td{border-bottom:"
    "1px solid #ddd;padding:.25rem .5rem;text-align:right}th:first-child,td:first-child{"
    "text-align:left}figure img{max-width:100%}figcaption{color:#444;font-size:.9rem}"
)


def _csv(df: pd.DataFrame, path: Path, index: bool = False) -> None:
    atomic_write(path, lambda p: df.to_csv(p, index=index, lineterminator="\n"))


def write_fit(res: FitResult, out: str | Path, *, force: bool = False) -> Path:
    """Write a fit's files into ``out`` and return the report's path.

    Files: ``posterior.nc`` (ArviZ InferenceData), ``summary.csv`` and ``summary.parquet``
    (posterior summaries per couple and quantity), ``couples.csv`` (status and the
    out-of-distribution flag of every couple, the unfittable ones included), ``ppc.csv``
    (predictive checks), ``fit.json`` (network manifest, timings, diagnostics), the figures and
    ``report.html``; with the population layer also ``population.nc``,
    ``population_summary.csv``, ``population_ess.csv`` and ``population_correlations.csv``.
    """
    with staged(out, force=force) as folder:
        atomic_write(folder / "posterior.nc", lambda p: res.idata.to_netcdf(str(p)))
        _csv(res.summary, folder / "summary.csv")
        atomic_write(folder / "summary.parquet", lambda p: res.summary.to_parquet(p, index=False))
        _csv(res.couples, folder / "couples.csv")
        _csv(res.ppc, folder / "ppc.csv")
        info: dict[str, Any] = {
            "notice": NOTICE,
            "timings_s": {k: round(v, 2) for k, v in res.timings.items()},
            "couples": len(res.couples),
            "fitted": int((res.couples["status"] == "fitted").sum()),
            "unlike_training": int(res.couples["unlike_training"].sum()),
            "network": {k: v for k, v in res.manifest.items() if k != "summaries"},
        }
        pop = res.population
        if pop is not None:
            atomic_write(folder / "population.nc", lambda p: pop.idata.to_netcdf(str(p)))
            _csv(pop.summary, folder / "population_summary.csv", index=True)
            _csv(pop.importance_ess, folder / "population_ess.csv", index=True)
            _csv(pop.correlations, folder / "population_correlations.csv", index=True)
            info["population"] = {
                "divergences": pop.divergences,
                "max_r_hat": float(pop.summary["r_hat"].max()),
                "min_ess_bulk": float(pop.summary["ess_bulk"].min()),
                "min_ess_tail": float(pop.summary["ess_tail"].min()),
                "couples_low_importance_ess": int((pop.importance_ess.min(axis=1) < 50).sum()),
            }
        write_text(folder / "fit.json", json.dumps(info, indent=2, default=_plain) + "\n")
        figs = _figures(res)
        for name, png in figs.items():
            write_bytes(folder / f"{name}.png", png)
        write_text(folder / "report.html", report_html(res, info, list(figs)))
    return Path(out) / "report.html"


def _plain(x: object) -> object:
    return x.item() if isinstance(x, np.generic) else str(x)


def _figures(res: FitResult) -> dict[str, bytes]:
    post = res.idata["posterior"]
    x = np.stack([np.asarray(post[q]).squeeze(0).T for q in _names(res)], -1)
    ids = np.asarray(post["couple"])
    out = {
        "posteriors": plots.posteriors(x, ids),
        "predictive_bands": plots.bands(res.bands),
    }
    path = WEIGHTS / res.manifest["files"].get("validation", "validation.npz")
    if path.is_file():
        with np.load(path) as v:
            val = {k: np.asarray(v[k], np.float64) for k in v.files}
        out["recovery"] = plots.recovery(val)
        out["calibration"] = plots.calibration(val)
    return out


def _names(res: FitResult) -> list[str]:
    return [q["name"] for q in res.manifest["quantities"]]


CAPTIONS = {
    "posteriors": "Posterior of each fitted quantity for the first couples (bars) against the "
    "fitting prior (grey line; derived quantities have none drawn).",
    "predictive_bands": "Daily satisfaction ratings re-simulated from each couple's posterior "
    "(90% band and median) against the ratings the diary recorded (dots).",
    "recovery": "The network on its validation simulations: true value against posterior mean "
    "(grey: 90% intervals of 200 couples).",
    "calibration": "Simulation-based calibration: the ECDF of the ranks of the truth among the "
    "posterior draws, minus the uniform, inside the simultaneous 99% band when calibrated.",
}


def _table(df: pd.DataFrame) -> str:
    return df.to_html(index=False, float_format=lambda v: f"{v:.3g}", border=0)


def report_html(res: FitResult, info: dict[str, Any], figs: list[str]) -> str:
    """The report page: notice, what was fitted, the network's validation, the couples'
    posteriors and checks, the population layer, the figures, the notice again."""
    esc = html.escape
    notice = f'<p class="notice"><strong>{esc(NOTICE)}</strong></p>'
    val = pd.DataFrame(res.manifest["validation"]["metrics"]).T.reset_index(names="quantity")
    mean_tab = res.summary.pivot(index="couple", columns="quantity", values="mean")
    mean_tab = mean_tab[[n for n in _names(res)]].reset_index().head(20)
    ppc_fail = res.ppc[(res.ppc["p_value"] < 0.05) | (res.ppc["p_value"] > 0.95)]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>closeloop fit</title><style>{CSS}</style></head><body>",
        "<h1>closeloop fit: the model fitted to a diary</h1>",
        notice,
        "<p>Each couple's posterior comes from a network trained on the model's own simulations "
        "(amortized neural posterior estimation). It is calibrated on average over the fitting "
        "prior, not for any one real couple: the out-of-distribution flag and the predictive "
        "checks below say where a diary does not look like the model's diaries. A quantity "
        "that is not identifiable from the diary keeps a wide, prior-like posterior.</p>",
        f"<p>{info['couples']} couple(s) in the diary, {info['fitted']} fitted, "
        f"{info['unlike_training']} unlike anything in training.</p>",
        "<h2>Couples</h2>",
        _table(res.couples),
        "<h2>Posterior means (first 20 couples)</h2>",
        _table(mean_tab),
        "<h2>Predictive checks outside the 5-95% range</h2>",
        _table(ppc_fail.head(40)) if len(ppc_fail) else "<p>None.</p>",
        "<h2>The network's validation on fresh simulations</h2>",
        _table(val),
    ]
    if res.population is not None:
        parts += [
            "<h2>Population layer (NumPyro)</h2>",
            f"<p>Divergences: {info['population']['divergences']}; largest R-hat "
            f"{info['population']['max_r_hat']:.3f}; smallest bulk ESS "
            f"{info['population']['min_ess_bulk']:.0f}.</p>",
            res.population.summary.to_html(float_format=lambda v: f"{v:.3g}", border=0),
        ]
    for name in figs:
        parts.append(
            f"<figure><img alt='{esc(name)}' src='{name}.png'>"
            f"<figcaption>{esc(CAPTIONS.get(name, name))}</figcaption></figure>"
        )
    parts += [notice, "</body></html>\n"]
    return "".join(parts)
