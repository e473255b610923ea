"""The report: figures, a plain-language summary, a per-profile table and the data, in one folder.

``write_report(ds, out)`` turns a Dataset from ``closeloop.simulate`` into:

- ``report.html``: one self-contained page (inline CSS, figures embedded as PNG), printable;
- ``acceptance.png``, ``template.png``, ``routes.png``, ``deep-threat.png``, ``behaviours.png``;
- ``summary.txt``: the plain-language summary;
- ``profiles.csv``: one row per profile with the key numbers;
- ``run.json``: seed, population size, scenario, its hash, package versions, ablations, notice;
- ``results.nc``: the whole Dataset (netCDF3, readable with ``xarray.open_dataset``).

The numbers are computed here by small pure functions (``profile_stats`` and the helpers it
uses); the summary's sentences are chosen from those numbers, never written as fixed claims, so
that a scenario, an ablation or a seed that changes the results changes the text too.

Every page and text output carries the educational notice (``closeloop.simulation.NOTICE``).
"""

from __future__ import annotations

import ast
import base64
import html
import json
import statistics
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from closeloop import figures, story, trajectory
from closeloop.errors import InputError
from closeloop.io import atomic_write, staged, write_bytes, write_text
from closeloop.person import DEPTH_NAMES
from closeloop.presets import PRESET_NAMES
from closeloop.simulation import NOTICE

CONTEXT = "partner"
"""The relationship the report's acceptance, routes and pull-back numbers are about."""
BAND = (5.0, 95.0)
"""Percentiles of the population band in figures (a) and (b): the middle 90% of people."""
PULLBACK_RATIO = 0.5
"""A person pulls back at the first depth where acceptance falls below this share of depth 0."""
DEEP = 2
"""Felt threat over time is averaged over this many of the deepest depths."""
REQUIRED = (
    "preset",
    "template0",
    "offers",
    "shares",
    "automatic",
    "behaviour_count",
    "mean_longing",
    "threat_partner",
)
FIGURES = ("acceptance", "template", "routes", "deep-threat", "behaviours")


@dataclass(frozen=True, eq=False)
class ProfileStats:
    """The numbers the report shows for one profile (one ``preset`` value).

    Attributes:
        name: the profile.
        n: people in it.
        acceptance: (K,) mean over people of the share of a partner's offers shared, by depth.
        acceptance_low, acceptance_high: (K,) 5th and 95th percentile across people.
        threat0: (K,) mean threat a partner's closeness carried at the start of adulthood.
        threat0_low, threat0_high: (K,) 5th and 95th percentile across people.
        withdrawals_per_person: mean number of a partner's offers not taken up.
        automatic_share: share of those withdrawals closed by the automatic route (NaN if none).
        pullback: median pull-back depth (``statistics.median_low``, so always a real depth);
            K when the median person never pulls back, NaN when nobody's can be measured.
        pullback_share: share of measurable people who pull back at some depth.
        longing: mean over people of the day-averaged unmet longing, in [0, 1].
        deep_days: (T,) days of the threat snapshots, starting with 0 (start of adulthood).
        deep_q: (3, T) 25th, 50th and 75th percentile across people of the felt threat at the
            deepest levels with a partner.
        behaviours: (B,) shares of the forms withdrawal took (sharing excluded), NaN if none.
    """

    name: str
    n: int
    acceptance: np.ndarray
    acceptance_low: np.ndarray
    acceptance_high: np.ndarray
    threat0: np.ndarray
    threat0_low: np.ndarray
    threat0_high: np.ndarray
    withdrawals_per_person: float
    automatic_share: float
    pullback: float
    pullback_share: float
    longing: float
    deep_days: np.ndarray
    deep_q: np.ndarray
    behaviours: np.ndarray


# ---------------------------------------------------------------------------------------------
# Numbers


def _quiet(f: Callable[..., np.ndarray], *args: Any, **kwargs: Any) -> np.ndarray:
    # nan-aware reductions warn on all-NaN slices (a depth nobody was offered in a short run);
    # NaN is the right answer there and the warning is noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(f(*args, **kwargs), dtype=float)


def check_dataset(ds: xr.Dataset) -> None:
    """Raise the standard one-line error unless ``ds`` is a person-level simulate() result.

    Arguments:
        ds: the Dataset to check.
    """
    kind = ds.attrs.get("closeloop_kind") if isinstance(ds, xr.Dataset) else type(ds).__name__
    missing = [v for v in REQUIRED if not isinstance(ds, xr.Dataset) or v not in ds]
    if kind != "person" or missing:
        got = f"kind {kind!r}" + (f" without {', '.join(missing)}" if missing else "")
        raise InputError(
            "The 'ds' parameter of write_report must be a person- or couple-level Dataset "
            f"from closeloop.simulate. Got {got} instead."
        )


def acceptance_by_depth(ds: xr.Dataset, context: str = CONTEXT) -> np.ndarray:
    """Per person, the share of offers shared at each depth in one context.

    Arguments:
        ds: a simulate() Dataset.
        context: the relationship.

    Returns:
        (unit, K) float array, NaN where a person had no offer at that depth.
    """
    offers = ds["offers"].sel(context=context).sum("importance").values.astype(float)
    shares = ds["shares"].sel(context=context).sum("importance").values.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(offers > 0, shares / np.where(offers > 0, offers, 1.0), np.nan)


def pullback_depth(acc: np.ndarray, ratio: float = PULLBACK_RATIO) -> np.ndarray:
    """Per person, the first depth where acceptance falls below ``ratio`` x depth-0 acceptance.

    A depth with no offers cannot show a fall and is skipped. A person who never shared small
    talk (or was never offered it) has no baseline to fall from, so the depth is NaN for them.

    Arguments:
        acc: (unit, K) acceptance, as from ``acceptance_by_depth``.
        ratio: the share of depth-0 acceptance below which a depth counts as pulled back.

    Returns:
        (unit,) float array: the depth in [1, K), K when the person never pulls back, or NaN.

    Example:
        >>> pullback_depth(np.array([[0.9, 0.8, 0.4, 0.1, 0.0], [0.9] * 5]))
        array([2., 5.])
    """
    k = acc.shape[1]
    base = acc[:, 0]
    below = acc[:, 1:] < ratio * base[:, None]  # NaN compares False: skipped
    first = np.where(below.any(axis=1), below.argmax(axis=1) + 1, k).astype(float)
    return np.where(np.isfinite(base) & (base > 0), first, np.nan)


def _withdrawal_forms(ds: xr.Dataset) -> np.ndarray:
    # Every observable response except sharing itself: the forms withdrawal takes.
    return np.asarray(ds["behaviour"].values != "shares")


def _profiles(ds: xr.Dataset) -> list[str]:
    # Shipped presets in their canonical order (secure first), then anything else by name.
    present = {str(p) for p in np.unique(ds["preset"].values)}
    return [p for p in PRESET_NAMES if p in present] + sorted(present - set(PRESET_NAMES))


def _deep_threat(g: xr.Dataset, deep: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    start = g["template0"].sel(context=CONTEXT).isel(depth=list(deep)).mean("depth").values
    later = g["threat_partner"].isel(depth=list(deep)).mean("depth").values  # (unit, month)
    series = np.column_stack([start, later]).astype(float)
    days = np.concatenate([[0.0], g["month"].values.astype(float)])
    return days, _quiet(np.percentile, series, [25, 50, 75], axis=0)


def _one_profile(g: xr.Dataset, name: str) -> ProfileStats:
    k = g.sizes["depth"]
    acc = acceptance_by_depth(g)
    t0 = g["template0"].sel(context=CONTEXT).values.astype(float)
    offers = float(g["offers"].sel(context=CONTEXT).sum().values)
    shares = float(g["shares"].sel(context=CONTEXT).sum().values)
    withdrawals = offers - shares
    auto = float(g["automatic"].sel(context=CONTEXT).sum().values)
    pb = pullback_depth(acc)
    pb_known = pb[np.isfinite(pb)]
    forms = g["behaviour_count"].sum("unit").values.astype(float)[_withdrawal_forms(g)]
    days, q = _deep_threat(g, range(max(k - DEEP, 0), k))
    n = g.sizes["unit"]
    return ProfileStats(
        name=name,
        n=n,
        acceptance=_quiet(np.nanmean, acc, axis=0),
        acceptance_low=_quiet(np.nanpercentile, acc, BAND[0], axis=0),
        acceptance_high=_quiet(np.nanpercentile, acc, BAND[1], axis=0),
        threat0=t0.mean(axis=0),
        threat0_low=np.percentile(t0, BAND[0], axis=0),
        threat0_high=np.percentile(t0, BAND[1], axis=0),
        withdrawals_per_person=withdrawals / n,
        automatic_share=auto / withdrawals if withdrawals > 0 else float("nan"),
        pullback=float(statistics.median_low(pb_known)) if pb_known.size else float("nan"),
        pullback_share=float(np.mean(pb_known < k)) if pb_known.size else float("nan"),
        longing=float(g["mean_longing"].mean().values),
        deep_days=days,
        deep_q=q,
        behaviours=forms / forms.sum() if forms.sum() > 0 else np.full(forms.shape, np.nan),
    )


def profile_stats(ds: xr.Dataset) -> list[ProfileStats]:
    """The report's numbers, one entry per profile (``preset`` value) in the Dataset.

    Arguments:
        ds: a person-level simulate() Dataset.

    Returns:
        A list of ProfileStats, shipped presets first in their usual order.

    Example:
        >>> import closeloop as cl
        >>> ds = cl.simulate(cl.scenario("friends-and-partner").replace(days=30), n=8)
        >>> [s.name for s in profile_stats(ds)]
        ['secure', 'avoidant']
    """
    check_dataset(ds)
    groups = ds["preset"].values.astype(str)
    return [_one_profile(ds.isel(unit=groups == name), name) for name in _profiles(ds)]


def depth_names(ds: xr.Dataset) -> list[str]:
    """Names of the depths, from the Dataset's ``depth_name`` coordinate when it has one."""
    if "depth_name" in ds.coords:
        return [str(x) for x in ds["depth_name"].values]
    return list(DEPTH_NAMES[: ds.sizes["depth"]])


def _slug(name: str) -> str:
    return "_".join(name.lower().split())


def pullback_label(value: float, names: Sequence[str]) -> str:
    """A pull-back depth as words: the depth's name, "none" or "n/a" (not measurable)."""
    if not np.isfinite(value):
        return "n/a"
    return "none" if int(value) >= len(names) else names[int(value)]


def profiles_frame(stats: Sequence[ProfileStats], names: Sequence[str]) -> pd.DataFrame:
    """The per-profile table written to ``profiles.csv``.

    Arguments:
        stats: from ``profile_stats``.
        names: depth names.

    Returns:
        One row per profile: n, acceptance by depth with a partner, mean threat by depth at the
        start of adulthood, withdrawals per person, the automatic share, the median pull-back
        depth (index and name, or "none") and the mean unmet longing.
    """
    rows = []
    for s in stats:
        row: dict[str, Any] = {"profile": s.name, "n": s.n}
        row.update({f"acceptance_{_slug(d)}": a for d, a in zip(names, s.acceptance, strict=True)})
        row.update({f"threat_start_{_slug(d)}": t for d, t in zip(names, s.threat0, strict=True)})
        row["withdrawals_per_person"] = s.withdrawals_per_person
        row["automatic_share"] = s.automatic_share
        label = pullback_label(s.pullback, names)
        row["pullback_depth"] = str(int(s.pullback)) if label not in ("none", "n/a") else label
        row["pullback_depth_name"] = label
        row["pullback_share"] = s.pullback_share
        row["mean_longing"] = s.longing
        rows.append(row)
    return pd.DataFrame(rows).round(4)


# ---------------------------------------------------------------------------------------------
# Words


def _pct(x: float) -> str:
    return f"{x:.0%}" if np.isfinite(x) else "n/a"


def _and(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _profile_word(items: Sequence[object]) -> str:
    return "profile" if len(items) == 1 else "profiles"


def _intro(stats: Sequence[ProfileStats], meta: dict[str, Any]) -> str:
    total = sum(s.n for s in stats)
    sc = meta.get("scenario", {})
    days = sc.get("days", "?")
    desc = str(sc.get("description", "")).strip()
    who = _and([f"{s.name} ({s.n})" for s in stats])
    text = (
        f"This report follows {total} simulated people through {days} days of adult life in the "
        f"'{sc.get('name', 'custom')}' scenario. "
    )
    if desc:
        text += f"In short: {desc[0].lower() + desc[1:]}"
        text += "" if desc.endswith(".") else "."
        text += " "
    text += (
        f"Each profile stands for an early history, and the people in it bring what that "
        f"history taught them about closeness into adult life. The {_profile_word(stats)}: "
        f"{who}. Depths of closeness run from {DEPTH_NAMES[0]} to {DEPTH_NAMES[-1]}; unless "
        f"said otherwise, the numbers are about offers of closeness from a {CONTEXT}."
    )
    if meta.get("ablated"):
        off = list(meta["ablated"])
        which = "this mechanism of the model was" if len(off) == 1 else "these mechanisms were"
        text += (
            f" In this run {which} switched off: {_and(off)}, so the results show the model "
            f"without {'it' if len(off) == 1 else 'them'}."
        )
    return text


def _acceptance_text(stats: Sequence[ProfileStats], names: Sequence[str]) -> str:
    k = len(names)
    open_ = [s for s in stats if np.isfinite(s.pullback) and s.pullback >= k]
    pulled = sorted(
        (s for s in stats if np.isfinite(s.pullback) and s.pullback < k),
        key=lambda s: (s.pullback, s.name),
    )
    parts = []
    if open_:
        if len(open_) == 1:
            deepest = f"they shared {_pct(open_[0].acceptance[-1])} of what was offered"
        else:
            each = _and([f"{s.name} {_pct(s.acceptance[-1])}" for s in open_])
            deepest = f"the share of offers they took up was {each}"
        verb = "accepts" if len(open_) == 1 else "accept"
        parts.append(
            f"The typical person in the {_and([s.name for s in open_])} "
            f"{_profile_word(open_)} {verb} closeness at every depth: even at the deepest, "
            f"{names[-1]}, {deepest}."
        )
    if pulled:
        items = [
            f"{s.name} from {names[int(s.pullback)]} on ({_pct(s.acceptance[0])} at "
            f"{names[0]}, {_pct(s.acceptance[int(s.pullback)])} at {names[int(s.pullback)]})"
            for s in pulled
        ]
        if open_:
            lead = "The others typically pull back"
        elif len(stats) == 1:
            lead = f"People in the {stats[0].name} profile typically pull back"
        else:
            lead = "People in every profile typically pull back"
        parts.append(
            f"{lead} at some depth, where they share less than half as often as they share "
            f"{names[0]}: {_and(items)}."
        )
    if not parts:
        return "Too few offers reached the deeper levels in this run to say where people pull back."
    return " ".join(parts)


def _routes_text(stats: Sequence[ProfileStats], names: Sequence[str]) -> str:
    k = len(names)
    known = [s for s in stats if np.isfinite(s.automatic_share)]
    if not known:
        return "Nobody turned down an offer from a partner in this run."
    ranked = sorted(known, key=lambda s: s.automatic_share, reverse=True)
    top = ranked[0]
    pulled = [s for s in ranked if np.isfinite(s.pullback) and s.pullback < k]
    mostly_auto = [s for s in pulled if s.automatic_share >= 0.5]
    mostly_chosen = [s for s in pulled if s.automatic_share < 0.5]
    text = (
        "When someone did not take up an offer, the model records how: by the automatic route, "
        "a fast protective reaction that closes the door before any weighing up, or by the "
        "deliberate route, a considered choice. "
    )
    if mostly_auto:
        items = _and([f"{s.name} {_pct(s.automatic_share)}" for s in mostly_auto])
        text += (
            f"Among those who pull back, most of it happened automatically for the "
            f"{_and([s.name for s in mostly_auto])} {_profile_word(mostly_auto)} ({items} of "
            "their withdrawals), so it came before any deliberate decision. "
        )
    else:
        text += (
            f"The highest automatic share was {_pct(top.automatic_share)} ({top.name}), so most "
            "pulling back in this run was a considered choice. "
        )
    if mostly_chosen:
        items = _and([f"{s.name} {_pct(s.automatic_share)}" for s in mostly_chosen])
        text += (
            f"For the {_and([s.name for s in mostly_chosen])} {_profile_word(mostly_chosen)}, "
            f"holding back was mostly chosen rather than automatic ({items} automatic)."
        )
    return text.strip()


def _longing_text(stats: Sequence[ProfileStats], names: Sequence[str]) -> str:
    k = len(names)
    ranked = sorted(stats, key=lambda s: s.longing, reverse=True)
    top, low = ranked[0], ranked[-1]
    deep_t = {s.name: float(np.mean(s.threat0[-DEEP:])) for s in stats}
    least_t = min(deep_t.values())
    # "Taught that closeness could hurt": clearly more expected threat at the deepest levels
    # than the least-threatened profile in this run (0.1 on the 0-1 scale).
    hurt = [s for s in stats if deep_t[s.name] >= least_t + 0.1]
    text = ""
    if hurt:
        items = _and([f"{s.name} {deep_t[s.name]:.2f}" for s in hurt])
        text += (
            f"People whose early history taught them that closeness could hurt started adult "
            f"life already expecting threat at the deepest levels ({items}, against "
            f"{least_t:.2f} for the least; 0 is none, 1 is sure hurt). "
        )
    if len(stats) < 2:
        return text + f"Their unmet longing averaged {top.longing:.2f} on a scale from 0 to 1."
    text += (
        f"Unmet longing, the wish for connection that has not been met, was highest in the "
        f"{top.name} profile ({top.longing:.2f} on a scale from 0 to 1) and lowest in the "
        f"{low.name} profile ({low.longing:.2f}). "
    )
    pulled = np.isfinite(top.pullback) and top.pullback < k
    if pulled and top.longing >= 1.2 * low.longing:
        text += (
            "So pulling back is not the same as not wanting closeness: people in the "
            f"{top.name} profile, who typically pull back from {names[int(top.pullback)]} on, "
            "still want connection the most, and the protection they learned stands between "
            "them and it."
        )
    return text.strip()


def _threat_text(stats: Sequence[ProfileStats]) -> str:
    changes = [(s, float(s.deep_q[1, 0]), float(s.deep_q[1, -1])) for s in stats]
    changes = [c for c in changes if np.isfinite(c[1]) and np.isfinite(c[2])]
    if not changes:
        return ""
    eased = sorted((c for c in changes if c[2] <= c[1] - 0.05), key=lambda c: c[2] - c[1])
    steady = [c for c in changes if abs(c[2] - c[1]) < 0.05]
    rose = [c for c in changes if c[2] >= c[1] + 0.05]
    parts = []

    def item(c: tuple[ProfileStats, float, float]) -> str:
        return f"{c[0].name} ({c[1]:.2f} to {c[2]:.2f})"

    if eased:
        parts.append(f"eased for {_and([item(c) for c in eased])}")
    if steady:
        parts.append(f"stayed near where it began for {_and([item(c) for c in steady])}")
    if rose:
        parts.append(f"grew for {_and([item(c) for c in rose])}")
    return (
        "Over the run, the felt threat of the deepest levels with a partner (median person) "
        + "; it ".join(parts)
        + "."
    )


def _closing() -> str:
    return (
        "The walls these results show were a protection once: for people whose early history "
        "taught them that closeness could hurt, keeping others at a distance kept them safer. "
        "This is what the model shows about how such protection is learned and how it carries "
        "on; it is not a judgement of anyone and not a description of any real person. "
        "closeloop's other scenarios (run `closeloop scenarios`) explore what helps it change."
    )


def summary_text(stats: Sequence[ProfileStats], names: Sequence[str], meta: dict[str, Any]) -> str:
    """The plain-language summary, generated from the numbers.

    Arguments:
        stats: from ``profile_stats``.
        names: depth names.
        meta: run metadata as from ``run_metadata`` (scenario, ablated mechanisms).

    Returns:
        A few paragraphs separated by blank lines, ending with the educational notice.
    """
    paragraphs = [
        _intro(stats, meta),
        _acceptance_text(stats, names),
        _routes_text(stats, names),
        _longing_text(stats, names),
        _threat_text(stats),
        _closing(),
        NOTICE,
    ]
    return "\n\n".join(p for p in paragraphs if p) + "\n"


# ---------------------------------------------------------------------------------------------
# Metadata, page and files


def _parse_attr(value: Any) -> Any:
    # Attributes are strings in netCDF; accept JSON, and a Python literal as a fallback.
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value


def _plain(value: Any) -> Any:
    # numpy scalars in attrs are not JSON-serialisable.
    return value.item() if isinstance(value, np.generic) else value


def run_metadata(ds: xr.Dataset) -> dict[str, Any]:
    """What ``run.json`` records: everything needed to reproduce the run, and the notice.

    Arguments:
        ds: a simulate() Dataset.

    Returns:
        A JSON-serialisable dict.
    """
    a = ds.attrs
    ablate = a.get("ablate", "")
    ablated = [x for x in ablate.split(",") if x] if isinstance(ablate, str) else list(ablate)
    return {
        "seed": _plain(a.get("seed")),
        "n": _plain(a.get("n", ds.sizes.get("unit"))),
        "scenario_name": a.get("scenario_name"),
        "scenario": _parse_attr(a.get("scenario", "{}")),
        "scenario_hash": a.get("scenario_hash"),
        "versions": _parse_attr(a.get("versions", "{}")),
        "ablated": ablated,
        "notice": NOTICE,
    }


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 max-width:58rem;margin:2rem auto;padding:0 1rem;color:#1d1d1d;line-height:1.5}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem}
.notice{border-left:4px solid #0072B2;background:#eef5fb;padding:.6rem .9rem;margin:1rem 0}
.sub{color:#555}figure{margin:1.5rem 0}figure img{max-width:100%;height:auto}
figcaption{color:#444;font-size:.92rem}
table{border-collapse:collapse;font-size:.88rem;margin:1rem 0}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:right}
th:first-child,td:first-child{text-align:left}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem}
pre{background:#f6f6f6;padding:.6rem;white-space:pre-wrap;word-break:break-all}
@media print{.notice{background:none}figure{break-inside:avoid}}
"""

CAPTIONS = {
    "acceptance": "How often people took up a partner's offer of closeness at each depth. "
    "A line that drops shows where a profile starts to hold back.",
    "template": "How much threat a partner's closeness carried for people at the start of "
    "adult life, learned from their early history, before any adult experience.",
    "routes": "Of the offers people did not take up, the share closed by the automatic route "
    "(a fast protective reaction) and the share declined by a deliberate choice.",
    "deep-threat": "How the felt threat of the deepest levels with a partner changed over the "
    "run, for the median person in each profile.",
    "behaviours": "The forms pulling back took: what someone close by would actually see.",
}


def _table_html(stats: Sequence[ProfileStats], names: Sequence[str]) -> str:
    head = "".join(f"<th>{html.escape(d)}</th>" for d in names)
    rows = []
    for s in stats:
        acc = "".join(f"<td>{_pct(a)}</td>" for a in s.acceptance)
        rows.append(
            f"<tr><td>{html.escape(s.name)}</td><td>{s.n}</td>{acc}"
            f"<td>{_pct(s.automatic_share)}</td>"
            f"<td>{html.escape(pullback_label(s.pullback, names))}</td>"
            f"<td>{s.longing:.2f}</td></tr>"
        )
    return (
        "<table><thead><tr><th>profile</th><th>people</th>"
        f"{head}<th>automatic share</th><th>pull-back depth</th><th>unmet longing</th>"
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


NOTICE_HTML = f'<p class="notice"><strong>{html.escape(NOTICE)}</strong></p>'


def _figures_html(pngs: dict[str, bytes], captions: dict[str, str]) -> str:
    """The figures, embedded as base64 data URIs, each with its caption."""
    esc = html.escape
    return "".join(
        f'<figure><img alt="{esc(captions.get(k, k))}" '
        f'src="data:image/png;base64,{base64.b64encode(v).decode("ascii")}">'
        f"<figcaption>{esc(captions.get(k, ''))}</figcaption></figure>"
        for k, v in pngs.items()
    )


def interventions_text(meta: dict[str, Any]) -> list[str]:
    """The run's scheduled interventions in words (empty when there are none)."""
    from closeloop.healing import describe

    sc = meta.get("scenario") or {}
    rows = sc.get("interventions") or []
    return describe(rows, str(sc.get("kind", "person")), int(sc.get("days", 0))) if rows else []


def _with_changes(meta: dict[str, Any], text: str) -> str:
    """``text`` preceded by the run's interventions, if it has any."""
    changes = interventions_text(meta)
    if not changes:
        return text
    return "What changes in this run:\n" + "".join(f"- {x}\n" for x in changes) + "\n" + text


def _interventions_html(meta: dict[str, Any]) -> str:
    items = interventions_text(meta)
    if not items:
        return ""
    lis = "".join(f"<li>{html.escape(x)}</li>" for x in items)
    return (
        "<h2>What changes in this run</h2><p>Interventions the scenario schedules "
        "(docs/model.md, the section on change):</p>"
        f"<ul>{lis}</ul>"
    )


def _page(meta: dict[str, Any], body: str) -> str:
    """A whole self-contained page: title, the notice at the top and the bottom, ``body``, and
    the run's metadata (without the notice, which the page already carries)."""
    esc = html.escape
    name = esc(str(meta.get("scenario_name") or "custom"))
    run = json.dumps({k: v for k, v in meta.items() if k != "notice"}, indent=2, sort_keys=True)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>closeloop report: {name}</title><style>{CSS}</style></head><body>"
        f"<h1>closeloop report: {name}</h1>{body}"
        "<h2>About this run</h2><p>Seed, population, scenario and versions; the same seed and "
        "scenario reproduce these results exactly.</p>"
        f"<pre>{esc(run)}</pre>{NOTICE_HTML}</body></html>\n"
    )


def report_html(
    summary: str,
    stats: Sequence[ProfileStats],
    names: Sequence[str],
    pngs: dict[str, bytes],
    meta: dict[str, Any],
) -> str:
    """The self-contained report page.

    Arguments:
        summary: from ``summary_text``.
        stats: from ``profile_stats``.
        names: depth names.
        pngs: figure name -> PNG bytes, embedded as base64 data URIs.
        meta: from ``run_metadata``.

    Returns:
        The HTML text: inline CSS, no scripts and no external resources.
    """
    esc = html.escape
    # The notice closes the summary text; on the page it stands at the top and the bottom.
    paras = [p for p in summary.strip().split("\n\n") if p.strip() != NOTICE]
    body = "".join(f"<p>{esc(p)}</p>" for p in paras)
    return _page(
        meta,
        '<p class="sub">An executable model of intimacy avoidance: what it shows for this '
        "run.</p>"
        f"{NOTICE_HTML}{_interventions_html(meta)}<h2>Summary</h2>{body}"
        f"<h2>Profiles at a glance</h2>"
        "<p>Share of a partner's offers taken up at each depth; the share of withdrawals that "
        "were automatic; the median depth at which people pull back (share less than half as "
        f"often as {esc(names[0])}); and mean unmet longing (0 to 1).</p>"
        f"{_table_html(stats, names)}<h2>Figures</h2>{_figures_html(pngs, CAPTIONS)}",
    )


def figure_pngs(
    ds: xr.Dataset, stats: Sequence[ProfileStats], names: Sequence[str]
) -> dict[str, bytes]:
    """Draw the five figures and render them as PNG.

    Arguments:
        ds: the simulate() Dataset (for the behaviour names and the contexts offered).
        stats: from ``profile_stats``.
        names: depth names.

    Returns:
        Figure name -> PNG bytes, in the order the report shows them.
    """
    behaviours = [str(b) for b in ds["behaviour"].values[_withdrawal_forms(ds)]]
    where = _adult_contexts(ds)
    made = {
        "acceptance": figures.acceptance(stats, names),
        "template": figures.template(stats, names),
        "routes": figures.routes(stats),
        "deep-threat": figures.deep_threat(stats, names[-DEEP:]),
        "behaviours": figures.behaviours(stats, behaviours, where),
    }
    return {k: figures.to_png(f) for k, f in made.items()}


def _adult_contexts(ds: xr.Dataset) -> str:
    offered = ds["offers"].sum(["unit", "depth", "importance"])
    ctx = [str(c) for c in ds["context"].values if c != "home" and float(offered.sel(context=c))]
    return _and(ctx) or "adult life"


def netcdf_ready(ds: xr.Dataset) -> xr.Dataset:
    """A copy of ``ds`` that netCDF3 (scipy) can store and xarray reads back unchanged.

    netCDF3 has no string or object type: xarray stores fixed-width unicode as characters, but
    an object array (strings of any length) must first become fixed-width unicode. Attributes
    that are not strings or numbers are stored as JSON.
    """
    out = ds.copy()
    for name in list(out.variables):
        var = out[name]
        if var.dtype == object:
            out[name] = var.astype(str)
    for key, value in list(out.attrs.items()):
        if not isinstance(value, str | int | float | np.number):
            out.attrs[key] = json.dumps(value, default=str)
    return out


def _netcdf(ds: xr.Dataset) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        # netCDF3 via scipy (no extra dependency): it stores strings as characters and int64
        # as int32, and xarray reads both back.
        netcdf_ready(ds).to_netcdf(path, engine="scipy", format="NETCDF3_64BIT")

    return write


def _write_person_report(ds: xr.Dataset, folder: Path) -> Path:
    names = depth_names(ds)
    stats = profile_stats(ds)
    meta = run_metadata(ds)
    summary = summary_text(stats, names, meta)
    pngs = figure_pngs(ds, stats, names)
    for key, data in pngs.items():
        write_bytes(folder / f"{key}.png", data)
    write_text(folder / "summary.txt", _with_changes(meta, summary))
    write_text(folder / "profiles.csv", profiles_frame(stats, names).to_csv(index=False))
    files = [f"{k}.png" for k in pngs] + ["summary.txt", "profiles.csv", "results.nc"]
    write_text(
        folder / "run.json",
        json.dumps({**meta, "files": [*files, "run.json", "report.html"]}, indent=2, sort_keys=True)
        + "\n",
    )
    atomic_write(folder / "results.nc", _netcdf(ds))
    return write_text(folder / "report.html", report_html(summary, stats, names, pngs, meta))


# ---------------------------------------------------------------------------------------------
# The couple report

COUPLE_REQUIRED = (
    "preset",
    "sat",
    "stability",
    "pursuit",
    "known",
    "offered",
    "declined",
    "offered_depth",
    "declined_depth",
    "ruptures",
    "ended",
    "conflicts",
    "repaired",
    "talks",
    "first_decline",
    "gave_up_day",
    "first_talk",
    "escalation",
    "end_day",
    "trajectory",
)
COUPLE_FIGURES = ("depth", "pursuit", "satisfaction", "ruptures", "trajectories")
QUANTILES = (5, 25, 50, 75, 95)
"""Percentiles of the couple figures' bands: the middle 90% and 50% of couples, and the median."""
POOL = 5
"""Months (centred) over which the withdrawal share and the depths pool their bids."""
MIN_BIDS = 3
"""Bids a couple needs in the pooled window for its withdrawal share and depths to count."""
MIN_SHARE = 0.1
"""Share of the couples still together that must have a value at a month for its band to be
drawn (and written to timeline.csv)."""
MEMBER_KEYS = ("a", "b")
SERIES = (
    "sat",
    "stability",
    "pursuit",
    "received",
    "withdrawal",
    "offered_depth",
    "declined_depth",
)
"""Per-member monthly series of the couple report (see ``couple_series``)."""
EXAMPLE_RULE = (
    "its final pattern is the most common one in the run, and its satisfaction month by month "
    "(both partners) stays closest to that group's median path (ties go to the lower couple "
    "number)."
)
"""How the example couple is chosen (``example_couple``), in words."""
EVENT_LABELS = {
    "pullback": "{who} first pulls back",
    "escalation": "{who}'s pursuit escalates",
    "talk": "first 'where is this going' talk",
    "gave_up": "{who} gives up reaching",
    "also_gave_up": "{who} stops reaching too",
    "ended": "the relationship ends",
}


@dataclass(frozen=True, eq=False)
class Timeline:
    """The population over time, as the couple figures and ``timeline.csv`` show it.

    Attributes:
        days: (M,) day at the end of each month.
        years: (M,) the same in years.
        together: (M,) couples still together at the end of each month.
        ended_share: (M,) share of couples that have ended by then.
        bands: series key (``f"{name}_{member}"`` for SERIES, and "ruptures") -> (5, M) array of
            the QUANTILES across couples still together (NaN where fewer than ``MIN_SHARE`` of
            them have a value).
        class_index: (J,) month indices (0-based) at whose end the trajectory classes were taken
            (from the twelfth month on: the classifier looks back a year).
        class_shares: class -> (J,) share of all couples in it.
        final_shares: class -> share of couples in it at the end.
        withdrawer: the member (0 a, 1 b) who turned away the larger share of the bids they
            received, over all couples and months.
        members: (a, b) labels, e.g. ("A (avoidant)", "B (anxious)").
        presets: (a, b) the profile each member was drawn from, or "" for a mix.
    """

    days: np.ndarray
    years: np.ndarray
    together: np.ndarray
    ended_share: np.ndarray
    bands: dict[str, np.ndarray]
    class_index: np.ndarray
    class_shares: dict[str, np.ndarray]
    final_shares: dict[str, float]
    withdrawer: int
    members: tuple[str, str]
    presets: tuple[str, str]


@dataclass(frozen=True, eq=False)
class Example:
    """The example couple drawn over the bands.

    Attributes:
        couple: its index.
        series: the same keys as ``Timeline.bands`` -> (M,) its values (NaN once it has ended).
        events: (years, month, label) of its key events, in order.
        facts: its story facts.
    """

    couple: int
    series: dict[str, np.ndarray]
    events: list[tuple[float, int, str]]
    facts: story.CoupleFacts


def check_couple_dataset(ds: xr.Dataset) -> None:
    """Raise the standard one-line error unless ``ds`` is a couple-level simulate() result."""
    missing = [v for v in COUPLE_REQUIRED if v not in ds]
    if missing or ds.attrs.get("closeloop_kind") != "couple":
        raise InputError(
            "The 'ds' parameter of write_report must be a Dataset from closeloop.simulate. Got "
            f"a couple Dataset without {', '.join(missing)} instead."
        )


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = num.astype(float)
    den = den.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def pool_months(x: np.ndarray, width: int = POOL) -> np.ndarray:
    """Sum monthly counts over ``width`` months centred on each month (axis 1), with the window
    cut short at the ends of the run.

    Example:
        >>> pool_months(np.array([[1.0, 2.0, 3.0, 4.0]]), width=3)
        array([[3., 6., 9., 7.]])
    """
    half = width // 2
    c = np.cumsum(x, axis=1)
    c = np.concatenate([np.zeros_like(c[:, :1]), c], axis=1)
    n = x.shape[1]
    hi = np.minimum(np.arange(n) + half + 1, n)
    lo = np.maximum(np.arange(n) - half, 0)
    return c[:, hi] - c[:, lo]


def couple_series(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """Every couple's monthly series, NaN once the couple has ended.

    Keys ``f"{name}_{member}"`` for each name in SERIES and member in ("a", "b"):
    ``sat`` and ``stability`` (0-1, at the end of the month), ``pursuit`` (0-1), ``received``
    (bids the member received from the other that month), ``withdrawal`` (share of the other's
    bids the member turned away), ``offered_depth`` (mean depth of the bids the member received,
    0-4) and ``declined_depth`` (mean depth of those the member turned away); and ``ruptures``
    (unrepaired ruptures on the books). The last three pool the bids of the ``POOL`` months
    centred on each month while the couple was together, since a single month holds only a few
    bids; with fewer than ``MIN_BIDS`` bids in the window (or, for the depth turned away, none
    turned away) they are NaN.

    Arguments:
        ds: a couple-level Dataset.

    Returns:
        Key -> (couple, month) float array.
    """
    together = ~ds["ended"].values.astype(bool)
    live = together[..., None]

    def pooled(name: str) -> np.ndarray:
        return pool_months(np.where(live, ds[name].values.astype(float), 0.0))

    offered = pooled("offered")
    declined = pooled("declined")
    enough = offered >= MIN_BIDS
    per_member = {
        "sat": ds["sat"].values.astype(float),
        "stability": ds["stability"].values.astype(float),
        "pursuit": ds["pursuit"].values.astype(float),
        "received": ds["offered"].values.astype(float),
        "withdrawal": np.where(enough, _ratio(declined, offered), np.nan),
        "offered_depth": np.where(enough, _ratio(pooled("offered_depth"), offered), np.nan),
        "declined_depth": np.where(
            enough & (declined > 0), _ratio(pooled("declined_depth"), declined), np.nan
        ),
    }
    out: dict[str, np.ndarray] = {}
    for name in SERIES:
        for m, key in enumerate(MEMBER_KEYS):
            out[f"{name}_{key}"] = np.where(together, per_member[name][..., m], np.nan)
    out["ruptures"] = np.where(together, ds["ruptures"].values.astype(float), np.nan)
    return out


def population_withdrawer(ds: xr.Dataset) -> int:
    """The member (0 a, 1 b) who turned away the larger share of bids over all couples."""
    offered = ds["offered"].values.sum(axis=(0, 1)).astype(float)
    declined = ds["declined"].values.sum(axis=(0, 1)).astype(float)
    share = declined / np.maximum(offered, 1.0)
    return int(share[1] > share[0])


def _member_presets(ds: xr.Dataset) -> tuple[str, str]:
    out = []
    for m in range(2):
        names = np.unique(ds["preset"].values[:, m].astype(str))
        out.append(str(names[0]) if len(names) == 1 else "")
    return out[0], out[1]


def timeline(ds: xr.Dataset) -> Timeline:
    """The population bands, the share ended and the trajectory classes over time.

    Arguments:
        ds: a couple-level Dataset.

    Returns:
        Its Timeline.
    """
    check_couple_dataset(ds)
    days = ds["month"].values.astype(float)
    months = days.size
    together = ~ds["ended"].values.astype(bool)
    series = couple_series(ds)
    # A band is drawn only where enough of the couples still together have a value: late in a
    # run, a depth or a withdrawal share may rest on the few couples who still bid at all.
    enough = np.isfinite(np.stack(list(series.values()))).sum(axis=1) >= np.maximum(
        MIN_SHARE * together.sum(axis=0), 1
    )
    bands = {
        k: np.where(ok, _quiet(np.nanpercentile, v, QUANTILES, axis=0), np.nan)
        for ok, (k, v) in zip(enough, series.items(), strict=True)
    }
    index = np.arange(trajectory.WINDOW - 1, months)
    labels = (
        np.stack([trajectory.classify(ds, at_month=int(j) + 1) for j in index], axis=1)
        if index.size
        else np.empty((ds.sizes["couple"], 0), dtype=str)
    )
    final = ds["trajectory"].values.astype(str)
    presets = _member_presets(ds)
    members = tuple(
        f"{name} ({p})" if p else name for name, p in zip(story.NAMES, presets, strict=True)
    )
    return Timeline(
        days=days,
        years=days / 365.25,
        together=together.sum(axis=0),
        ended_share=1.0 - together.mean(axis=0),
        bands=bands,
        class_index=index,
        class_shares={c: (labels == c).mean(axis=0) for c in trajectory.CLASSES},
        final_shares={c: float(np.mean(final == c)) for c in trajectory.CLASSES},
        withdrawer=population_withdrawer(ds),
        members=(members[0], members[1]),
        presets=presets,
    )


def example_couple(ds: xr.Dataset) -> int:
    """The couple the report tells the story of and draws over the bands.

    The rule (``EXAMPLE_RULE``): among the couples whose final trajectory class is the most
    common one (ties between classes go to the first in ``trajectory.CLASSES``), the one whose
    satisfaction path, both partners month by month, has the smallest root-mean-square distance
    to the class's median path; ties go to the lower couple number. Deterministic: the same
    Dataset always gives the same couple.

    Arguments:
        ds: a couple-level Dataset.

    Returns:
        The couple's index.
    """
    traj = ds["trajectory"].values.astype(str)
    names, counts = np.unique(traj, return_counts=True)
    rank = {c: i for i, c in enumerate(trajectory.CLASSES)}
    top = min(zip(names, counts, strict=True), key=lambda x: (-x[1], rank.get(x[0], 99), x[0]))[0]
    idx = np.flatnonzero(traj == top)
    sat = ds["sat"].values[idx].astype(float)  # (k, month, member)
    median = np.median(sat, axis=0)
    dist = np.sqrt(np.mean((sat - median) ** 2, axis=(1, 2)))
    return int(idx[int(np.argmin(dist))])


def example(ds: xr.Dataset, couple: int) -> Example:
    """The example couple's series, dated events and story facts."""
    facts = story.couple_facts(ds, couple)
    series = {k: v[0] for k, v in couple_series(ds.isel(couple=[couple])).items()}
    events = [
        (e.day / 365.25, e.month, EVENT_LABELS[e.kind].format(who=story.NAMES[e.member]))
        for e in facts.events()
    ]
    return Example(couple=couple, series=series, events=events, facts=facts)


def timeline_frame(tl: Timeline, ex: Example | None = None) -> pd.DataFrame:
    """The table written to ``timeline.csv``: one row per month.

    Columns: month (1-based), day, years, couples still together, share ended; for every series
    its percentiles across couples still together (``{key}_p05`` ... ``{key}_p95``, ``_p50``
    being the median); the share of all couples in each trajectory class (``class_{name}``,
    empty before the twelfth month); and the example couple's values (``example_{key}``).
    """
    data: dict[str, Any] = {
        "month": np.arange(1, tl.days.size + 1),
        "day": tl.days.astype(int),
        "years": tl.years,
        "together": tl.together,
        "share_ended": tl.ended_share,
    }
    for key, q in tl.bands.items():
        for i, p in enumerate(QUANTILES):
            data[f"{key}_p{p:02d}"] = q[i]
    for c, shares in tl.class_shares.items():
        col = np.full(tl.days.size, np.nan)
        col[tl.class_index] = shares
        data[f"class_{c}"] = col
    if ex is not None:
        for key, v in ex.series.items():
            data[f"example_{key}"] = v
    return pd.DataFrame(data).round(5)


def couples_frame(ds: xr.Dataset, example_index: int | None = None) -> pd.DataFrame:
    """The table written to ``couples.csv``: one row per couple.

    Columns: couple; each member's profile; the final trajectory class; who pulled back more and
    who reached (by the story's rule, ``story.withdrawers``); each member's share of bids turned
    away and peak pursuit; event days (empty if the event never happened): each member's first
    pull-back and giving up, the first talk, escalation and the ending; the first and last month
    of the reach-and-retreat cycle and its length in months; each member's final satisfaction
    and felt stability (as they were at the ending for a couple that ended); the final mean
    depth known; conflicts, repaired conflicts and talks in all; the final unrepaired ruptures;
    and whether it is the report's example couple.
    """
    n = ds.sizes["couple"]
    w = story.withdrawers(ds)
    share = story.decline_shares(ds)
    peak = ds["pursuit"].values.max(axis=1)
    first, last = story.cycle_months(ds)

    def days(x: np.ndarray) -> pd.Series:
        return pd.Series(pd.array(x, dtype="Int64")).mask(x < 0)

    data: dict[str, Any] = {
        "couple": np.arange(n),
        "preset_a": ds["preset"].values[:, 0].astype(str),
        "preset_b": ds["preset"].values[:, 1].astype(str),
        "trajectory": ds["trajectory"].values.astype(str),
        "pulls_back": np.array(MEMBER_KEYS)[w],
        "reaches": np.array(MEMBER_KEYS)[1 - w],
    }
    for m, key in enumerate(MEMBER_KEYS):
        data[f"declined_share_{key}"] = share[:, m]
        data[f"peak_pursuit_{key}"] = peak[:, m]
    for m, key in enumerate(MEMBER_KEYS):
        data[f"first_pullback_day_{key}"] = days(ds["first_decline"].values[:, m])
    for m, key in enumerate(MEMBER_KEYS):
        data[f"gave_up_day_{key}"] = days(ds["gave_up_day"].values[:, m])
    data["first_talk_day"] = days(ds["first_talk"].values)
    data["escalation_day"] = days(ds["escalation"].values)
    data["end_day"] = days(ds["end_day"].values)
    data["cycle_first_month"] = days(np.where(first > 0, first, -1))
    data["cycle_last_month"] = days(np.where(first > 0, last, -1))
    data["cycle_months"] = np.where(first > 0, last - first + 1, 0)
    for m, key in enumerate(MEMBER_KEYS):
        data[f"final_sat_{key}"] = ds["sat"].values[:, -1, m]
    for m, key in enumerate(MEMBER_KEYS):
        data[f"final_stability_{key}"] = ds["stability"].values[:, -1, m]
    data["final_known"] = ds["known"].values[:, -1].mean(axis=-1)
    data["conflicts"] = ds["conflicts"].values.sum(axis=1).astype(int)
    data["repaired"] = ds["repaired"].values.sum(axis=1).astype(int)
    data["talks"] = ds["talks"].values.sum(axis=1).astype(int)
    data["final_ruptures"] = ds["ruptures"].values[:, -1]
    data["example"] = np.arange(n) == (-1 if example_index is None else example_index)
    return pd.DataFrame(data).round(4)


COUPLE_CAPTIONS = {
    "depth": "Top: how deep the closeness {r} offered {w} was (mean depth of {r}'s bids), and "
    "how deep it was when {w} turned a bid away (mean depth of the bids {w} turned away); both "
    "pool the bids of five months centred on each month, and count only couples with at least "
    "three bids in them (where fewer than one couple in ten has that many, the band stops). "
    "Bottom: how many bids {r} made to {w} each month: as {r} stops "
    "reaching, the bids dry up.",
    "pursuit": "Top: how hard each partner pressed for closeness (pursuit). Bottom: the share "
    "of the other's bids each partner turned away (pooled over five months centred on each "
    "month; couples with at least three bids in them).",
    "satisfaction": "Top: each partner's satisfaction with the relationship. Bottom: each "
    "partner's felt stability, the day-to-day calm. {w}'s stability can stay high while {r}'s "
    "satisfaction falls: the distance that feels calm to one is emptying the relationship for "
    "the other.",
    "ruptures": "Top: unrepaired ruptures on the books (conflicts not repaired, fading slowly). "
    "Bottom: the share of couples whose relationship has ended.",
    "trajectories": "Left: the share of all couples in each pattern, judged at each month over "
    "the year before it. Right: the shares at the end of the run.",
}
BAND_NOTE = (
    "Lines: the median couple; shaded: the middle 50% and 90% of couples still together at that "
    "month (couples that ended are left out from then on); dashed: the example couple of the "
    "story, with its key events numbered."
)


def couple_figure_pngs(tl: Timeline, ex: Example) -> dict[str, bytes]:
    """Draw the five couple figures and render them as PNG (name -> bytes, in report order)."""
    made = {
        "depth": figures.couple_depth(tl, ex),
        "pursuit": figures.couple_pursuit(tl, ex),
        "satisfaction": figures.couple_satisfaction(tl, ex),
        "ruptures": figures.couple_ruptures(tl, ex),
        "trajectories": figures.couple_trajectories(tl),
    }
    return {k: figures.to_png(f) for k, f in made.items()}


def couple_captions(tl: Timeline) -> dict[str, str]:
    """The figure captions with the partners' names filled in."""
    w = story.NAMES[tl.withdrawer]
    r = story.NAMES[1 - tl.withdrawer]
    out = {k: v.format(w=w, r=r) for k, v in COUPLE_CAPTIONS.items()}
    sat_r = tl.bands[f"sat_{MEMBER_KEYS[1 - tl.withdrawer]}"][2]
    stab_w = tl.bands[f"stability_{MEMBER_KEYS[tl.withdrawer]}"][2]
    if np.isfinite(sat_r[-1]) and np.isfinite(stab_w[-1]):
        out["satisfaction"] += (
            f" In this run, at the last month, the median {w} still together felt a stability "
            f"of {stab_w[-1]:.2f}, and the median {r} a satisfaction of {sat_r[-1]:.2f} (it began "
            f"at {sat_r[0]:.2f})."
        )
    for k in ("depth", "pursuit", "satisfaction", "ruptures"):
        out[k] += " " + BAND_NOTE
    return out


def _class_table(tl: Timeline, n: int) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(c)}</td><td>{html.escape(story.CLASS_WORDS.get(c, c))}</td>"
        f"<td>{round(s * n)}</td><td>{_pct(s)}</td></tr>"
        for c, s in tl.final_shares.items()
    )
    return (
        "<table><thead><tr><th>pattern</th><th>in words</th><th>couples</th><th>share</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def couple_report_html(
    f: story.CoupleFacts,
    p: story.PopulationFacts,
    tl: Timeline,
    pngs: dict[str, bytes],
    meta: dict[str, Any],
) -> str:
    """The self-contained couple report page.

    Arguments:
        f: the example couple's story facts.
        p: the population facts.
        tl: the timeline.
        pngs: figure name -> PNG bytes, embedded as base64 data URIs.
        meta: from ``run_metadata``.

    Returns:
        The HTML text: inline CSS, no scripts and no external resources.
    """
    esc = html.escape

    def paras(items: Sequence[str]) -> str:
        return "".join(f"<p>{esc(x)}</p>" for x in items)

    sc = meta.get("scenario", {})
    desc = str(sc.get("description", "")).strip()
    sub = (
        f"{p.n} simulated couples over {story.run_span(p.days)}"
        + (f": {desc}" if desc else ".")
        + (
            f" Switched off in this run: {_and(list(meta['ablated']))}."
            if meta.get("ablated")
            else ""
        )
    )
    return _page(
        meta,
        f'<p class="sub">{esc(sub)}</p>{NOTICE_HTML}{_interventions_html(meta)}'
        f"<h2>The story of one couple</h2>{paras(story.narrative(f, EXAMPLE_RULE))}"
        f"<h2>Across all {p.n} couples</h2>{paras([story.population_text(p)])}"
        f"{_class_table(tl, p.n)}"
        f"<h2>Figures</h2>{_figures_html(pngs, couple_captions(tl))}"
        f"<h2>The walls, and what helps</h2>{paras([story.walls_text(f), story.helps_text()])}",
    )


def _write_couple_report(ds: xr.Dataset, folder: Path) -> Path:
    check_couple_dataset(ds)
    meta = run_metadata(ds)
    meta["n"] = _plain(ds.attrs.get("n", ds.sizes["couple"]))
    tl = timeline(ds)
    idx = example_couple(ds)
    ex = example(ds, idx)
    pop = story.population_facts(ds)
    pngs = couple_figure_pngs(tl, ex)
    for key, data in pngs.items():
        write_bytes(folder / f"{key}.png", data)
    write_text(
        folder / "story.txt", _with_changes(meta, story.story_text(ex.facts, pop, EXAMPLE_RULE))
    )
    write_text(folder / "timeline.csv", timeline_frame(tl, ex).to_csv(index=False))
    write_text(folder / "couples.csv", couples_frame(ds, idx).to_csv(index=False))
    files = [f"{k}.png" for k in pngs] + ["story.txt", "timeline.csv", "couples.csv", "results.nc"]
    run = {
        **meta,
        "example_couple": idx,
        "example_rule": "The example couple: " + EXAMPLE_RULE,
        "files": [*files, "run.json", "report.html"],
    }
    write_text(folder / "run.json", json.dumps(run, indent=2, sort_keys=True) + "\n")
    atomic_write(folder / "results.nc", _netcdf(ds))
    page = couple_report_html(ex.facts, pop, tl, pngs, meta)
    return write_text(folder / "report.html", page)


def write_report(ds: xr.Dataset, out: str | Path, *, force: bool = False) -> Path:
    """Write the report of a simulation into a folder.

    A person-level Dataset (``ds.attrs["closeloop_kind"] == "person"``) gets the population
    report: ``report.html``, the figures in ``FIGURES`` as PNG, ``summary.txt``,
    ``profiles.csv``, ``run.json`` and ``results.nc``. A couple-level Dataset gets the couple
    report: ``report.html``, the figures in ``COUPLE_FIGURES`` as PNG, ``story.txt`` (the
    example couple's story and the population paragraph), ``timeline.csv`` (monthly medians and
    bands), ``couples.csv`` (one row per couple), ``run.json`` and ``results.nc``.

    Arguments:
        ds: a Dataset from ``closeloop.simulate``.
        out: the folder; created if missing. It is written whole and then swapped in
            (``closeloop.io.staged``): a folder closeloop wrote before is replaced, never mixed
            with this report; a non-empty folder that closeloop did not write is refused unless
            ``force``.
        force: write into a non-empty folder closeloop did not write (its files are kept).

    Returns:
        The path of ``report.html``.

    Raises:
        InputError: a Dataset that is not one of ``simulate``'s, or an ``out`` that cannot be
            written (``closeloop.errors.OutputError``, naming the path and the reason); nothing
            is left half written.

    Example:
        >>> import closeloop as cl
        >>> ds = cl.simulate(cl.scenario("rising-closeness").replace(days=60), n=24)
        >>> cl.write_report(ds, "out/").name  # doctest: +SKIP
        'report.html'
    """
    kind = ds.attrs.get("closeloop_kind") if isinstance(ds, xr.Dataset) else None
    if kind == "couple":
        check_couple_dataset(ds)
        write = _write_couple_report
    else:
        check_dataset(ds)
        write = _write_person_report
    with staged(out, force=force) as folder:
        page = write(ds, folder)
    return Path(out) / page.name
