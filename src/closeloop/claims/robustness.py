"""Robustness: does each claim hold away from the default parameter values?

Points are drawn over the fitting priors (each parameter spec's ``prior``) of a declared set of
world and relationship parameters with a scrambled, seeded Sobol' sequence; every claim is
checked at every point through ``Settings.overrides``. Per claim the summary gives the share of
points where it holds, a Wilson 95% interval for that share, and the parameters that decide it
(the point-biserial correlation of pass/fail with each parameter, strongest first). A claim that
holds only in a corner of the space is a finding and is reported as one.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from closeloop.claims.registry import GROUPS
from closeloop.errors import bad_value
from closeloop.params import SPECS, Prior

PARAMETERS = (
    "hazard_base",
    "sat_rate",
    "base_quality",
    "criticism",
    "bid_rate",
    "repair_base",
    "warmth",
    "hurt_rate",
)
"""The parameters varied: the relationship's pace and tone (break-up hazard, satisfaction
rate, base quality, criticism, bids, repair) and the world's warmth and hurt. None is a
preset's trait: traits say who a person is, and the claims compare presets, so varying them
would change the groups a claim compares rather than the conditions around them. The first
four are among those the calibration fits to published couple figures."""

CONF = 0.95
"""Coverage of the Wilson interval for the share of points where a claim holds."""
TOP = 2
"""Deciding parameters reported per claim."""

Verdict = bool | None
"""True: holds; False: fails (a failed check or one that could not be computed); None: the
claim is not applicable to the run."""


def prior_value(prior: Prior, u: float) -> float:
    """The prior's quantile at ``u`` in [0, 1) (truncated distributions by their own range)."""
    from scipy import stats

    lo, hi = prior.low, prior.high
    if prior.dist == "uniform":
        return float(lo + u * (hi - lo))
    if prior.dist == "beta":
        a, b = prior.args
        return float(lo + stats.beta.ppf(u, a, b) * (hi - lo))
    if prior.dist == "lognormal":
        mu, sigma = prior.args
        dist = stats.lognorm(s=sigma, scale=math.exp(mu))
    elif prior.dist == "truncnormal":
        mean, sd = prior.args
        dist = stats.norm(mean, sd)
    else:
        raise bad_value("prior.dist", prior.dist, "uniform, beta, lognormal or truncnormal")
    f_lo, f_hi = dist.cdf(lo), dist.cdf(hi)
    return float(np.clip(dist.ppf(f_lo + u * (f_hi - f_lo)), lo, hi))


def draw_points(n: int, seed: int = 0, names: Sequence[str] = PARAMETERS) -> list[dict[str, float]]:
    """``n`` points of a scrambled Sobol' sequence (seeded) mapped through each prior."""
    from scipy.stats import qmc

    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise bad_value("points", n, "an integer of at least 2", "robustness")
    for name in names:
        if name not in SPECS:
            raise bad_value("parameters", name, "a declared parameter name", "robustness")
    with warnings.catch_warnings():
        # Balance needs a power of two; a modest n on a shared machine is said in the docs.
        warnings.simplefilter("ignore", UserWarning)
        u = qmc.Sobol(d=len(names), scramble=True, seed=seed).random(n)
    return [
        {name: prior_value(SPECS[name].prior, float(x)) for name, x in zip(names, row, strict=True)}
        for row in u
    ]


def wilson(k: int, m: int, conf: float = CONF) -> tuple[float, float]:
    """Wilson score interval for a share of ``k`` in ``m`` (Wilson 1927)."""
    from scipy.stats import norm

    if m == 0:
        return (0.0, 1.0)
    z = float(norm.ppf(0.5 + conf / 2))
    p = k / m
    centre = (p + z * z / (2 * m)) / (1 + z * z / m)
    half = z / (1 + z * z / m) * math.sqrt(p * (1 - p) / m + z * z / (4 * m * m))
    return (max(0.0, centre - half), min(1.0, centre + half))


def point_biserial(passed: np.ndarray, x: np.ndarray) -> float:
    """Correlation of pass (1) / fail (0) with a parameter; NaN when either does not vary."""
    passed = np.asarray(passed, np.float64)
    x = np.asarray(x, np.float64)
    if len(x) < 3 or np.std(passed) == 0 or np.std(x) == 0:
        return float("nan")
    return float(np.corrcoef(passed, x)[0, 1])


def summarise(
    points: Sequence[Mapping[str, float]],
    verdicts: Mapping[str, Sequence[Verdict]],
    names: Sequence[str] = PARAMETERS,
) -> dict[str, dict[str, Any]]:
    """Per claim: points checked, holds, share, Wilson interval and the deciding parameters.

    ``verdicts[claim][i]`` is the claim's verdict at ``points[i]``; not-applicable points are
    left out of the share.
    """
    out: dict[str, dict[str, Any]] = {}
    for claim, vs in verdicts.items():
        if len(vs) != len(points):
            raise bad_value(f"verdicts.{claim}", len(vs), f"{len(points)} verdicts", "robustness")
        keep = [i for i, v in enumerate(vs) if v is not None]
        ok = np.array([bool(vs[i]) for i in keep], dtype=np.float64)
        k, m = int(ok.sum()), len(keep)
        r = {name: point_biserial(ok, np.array([points[i][name] for i in keep])) for name in names}
        ranked = sorted(
            (n for n in names if math.isfinite(r[n])), key=lambda n: abs(r[n]), reverse=True
        )
        low, high = wilson(k, m)
        out[claim] = {
            "points": m,
            "holds": k,
            "share": k / m if m else float("nan"),
            "wilson": [low, high],
            "deciding": [{"parameter": n, "r": r[n]} for n in ranked[:TOP]],
            "correlations": {n: (r[n] if math.isfinite(r[n]) else None) for n in names},
        }
    return out


def reading(claim: str, s: Mapping[str, Any], at_default: Verdict = None) -> str:
    """One plain sentence on how robust a claim is over the space; ``at_default``: the claim's
    verdict at the default values at the same size (None: not known)."""
    if not s["points"]:
        return f"{claim}: not applicable at any point."
    share, (lo, hi) = s["share"], s["wilson"]
    where = f"{s['holds']} of {s['points']} points ({share:.0%}, 95% CI {lo:.0%}-{hi:.0%})"
    default = ""
    if at_default is not None:
        default = (
            "; it holds at the default values"
            if at_default
            else "; it fails at the default values at this size"
        )
    if s["holds"] == s["points"]:
        return f"{claim} holds at every point, {where}{default}: robust over the ranges tried."
    if s["holds"] == 0:
        if at_default is False:
            return (
                f"{claim} holds at none of the {s['points']} points and fails at the default "
                "values too at this size: there is no robustness to read."
            )
        return (
            f"{claim} holds at none of the {s['points']} points{default}: it needs values "
            "near the defaults."
        )
    top = s["deciding"]
    by = ""
    if top:
        first = top[0]
        side = "higher" if first["r"] > 0 else "lower"
        by = f"; it holds more where {first['parameter']} is {side} (r = {first['r']:+.2f})"
    if hi < 0.5:
        return f"{claim} holds only in a corner, at {where}{by}{default}."
    return f"{claim} holds at {where}{by}{default}."


def run_robustness(
    n_points: int = 12,
    seed: int = 0,
    scale: float = 0.25,
    names: Sequence[str] = PARAMETERS,
    only: str | None = None,
    progress: Callable[[str], None] | None = None,
    on_point: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Check every claim (quick size times ``scale``) at ``n_points`` points; return the JSON
    document: the design, each point's values and verdicts, and the summary per claim.
    ``on_point`` receives the document so far after each point (a run cut short keeps it)."""
    from closeloop.claims.registry import CLAIMS
    from closeloop.claims.runner import check_claims

    points = draw_points(n_points, seed, names)
    chosen = [c.id for c in CLAIMS if only is None or c.id.upper().startswith(only.upper())]
    verdicts: dict[str, list[Verdict]] = {c: [] for c in chosen}
    errors: dict[str, list[str]] = {c: [] for c in chosen}
    t0 = time.perf_counter()
    # The same checks at the default values and the same size: a claim that fails there too
    # says nothing about robustness.
    default: dict[str, Verdict] = {}
    for cid in chosen:
        default[cid] = _verdict(check_claims, cid, seed, {}, scale, errors, "default")
        if progress is not None:
            progress(f"default {cid}: {default[cid]}")
    for i, p in enumerate(points):
        for cid in chosen:
            verdicts[cid].append(_verdict(check_claims, cid, seed, p, scale, errors, f"point {i}"))
            if progress is not None:
                progress(f"point {i + 1}/{len(points)} {cid}: {verdicts[cid][-1]}")
        if on_point is not None:
            on_point(_document(points[: i + 1], verdicts, default, errors, names, seed, scale, t0))
    return _document(points, verdicts, default, errors, names, seed, scale, t0)


def _verdict(
    check: Callable[..., Any],
    cid: str,
    seed: int,
    values: Mapping[str, float],
    scale: float,
    errors: dict[str, list[str]],
    where: str,
) -> Verdict:
    try:
        (r,) = check(quick=True, only=cid, seed=seed, overrides=values, scale=scale)
    except (RuntimeError, ValueError, ZeroDivisionError, IndexError) as e:
        # A check that cannot be computed here (too few people of a group, nothing to
        # compare) shows no evidence for the claim: it does not hold at this point.
        errors[cid].append(f"{where}: {type(e).__name__}: {str(e)[:120]}")
        return False
    return None if not r.applicable else bool(r.passed)


def _document(
    points: Sequence[Mapping[str, float]],
    verdicts: Mapping[str, list[Verdict]],
    default: Mapping[str, Verdict],
    errors: Mapping[str, list[str]],
    names: Sequence[str],
    seed: int,
    scale: float,
    t0: float,
) -> dict[str, Any]:
    n_points = len(points)
    summary = summarise(points, verdicts, names)
    chosen = list(verdicts)
    return {
        "design": {
            "points": n_points,
            "seed": seed,
            "sequence": "scrambled Sobol' (scipy.stats.qmc)",
            "size": f"quick size x {scale:g}",
            "parameters": {
                n: {"prior": SPECS[n].prior.describe(), "default": SPECS[n].default} for n in names
            },
            "seconds": round(time.perf_counter() - t0, 1),
        },
        "points": [dict(p) for p in points],
        "verdicts": {k: list(v) for k, v in verdicts.items()},
        "default": dict(default),
        "errors": {k: v for k, v in errors.items() if v},
        "summary": summary,
        "reading": [reading(c, summary[c], default.get(c)) for c in chosen],
    }


def _order(claim: str) -> tuple[int, int, str]:
    """The contract's order (person, couple, change), whatever order the JSON keeps."""
    head, tail = claim[:1], claim[1:]
    group = GROUPS.index(head) if head in GROUPS else len(GROUPS)
    return group, int(tail) if tail.isdigit() else 0, claim


def render(doc: Mapping[str, Any]) -> str:
    """The recorded document as Markdown: a line on the design, one row per claim, and the
    plain reading (docs/model.md section 19.2)."""
    from closeloop.markdown import table

    d = doc["design"]
    n = len(doc["points"])
    lo, hi = wilson(n // 2, n) if n else (0.0, 1.0)
    names = ", ".join(f"`{k}` ({v['prior']})" for k, v in d["parameters"].items())
    head = (
        f"{n} points ({d['sequence']}, seed {d['seed']}) over the priors of {names}; every "
        f"claim at {d['size']}, {d['seconds']:g} s. With {n} points a share near one half has a "
        f"Wilson 95% interval of about {lo:.0%} to {hi:.0%}: the shares separate robust claims "
        "from fragile ones, not finer."
    )
    rows = []
    at = {True: "holds", False: "fails", None: "n/a"}
    for claim, s in sorted(doc["summary"].items(), key=lambda kv: _order(kv[0])):
        w_lo, w_hi = s["wilson"]
        top = ", ".join(f"`{x['parameter']}` ({x['r']:+.2f})" for x in s["deciding"]) or "-"
        share = "-" if not s["points"] else f"{s['holds']}/{s['points']} ({s['share']:.0%})"
        here = at[doc["default"][claim]] if claim in doc.get("default", {}) else "not run"
        rows.append([f"**{claim}**", here, share, f"{w_lo:.0%} to {w_hi:.0%}", top])
    body = table(
        [
            "claim",
            "at the defaults",
            "holds at",
            "Wilson 95%",
            "deciding parameters (point-biserial r)",
        ],
        rows,
    )
    errors = doc.get("errors", {})
    note = ""
    if errors:
        counts = ", ".join(f"{k} ({len(v)})" for k, v in errors.items())
        note = (
            "\n\nChecks that could not be computed at some points (counted as not holding "
            f"there; the reasons are in docs/robustness.json): {counts}."
        )
    default = doc.get("default", {})
    ordered = sorted(doc["summary"].items(), key=lambda kv: _order(kv[0]))
    lines = [reading(c, s, default.get(c)) for c, s in ordered]
    reading_text = "\n".join(f"- {line}" for line in lines)
    return f"{head}\n\n{body}{note}\n\n{reading_text}"
