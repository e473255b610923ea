"""``simulate``: a scenario, a population size and a seed in; a labelled xarray Dataset out."""

from __future__ import annotations

import json
import platform
from collections.abc import Callable
from importlib import metadata
from typing import Any

import numpy as np
import xarray as xr

from closeloop import engine, mechanisms
from closeloop.errors import check_int
from closeloop.model import history, variants
from closeloop.model.person import BEHAVIOURS, CONTEXT_NAMES, DEPTH_NAMES
from closeloop.params import TRAITS, couple_params, linear_params, world_params
from closeloop.presets import EVENT_AGE_JITTER, PRESET_NAMES, MixTables
from closeloop.scenario import Scenario, scenario
from closeloop.sizing import MAX_UNITS, check_result

NOTICE = (
    "Educational model, not a diagnosis or treatment. If you are in crisis in the US, call or "
    "text 988 (Suicide & Crisis Lifeline); elsewhere, contact local emergency services."
)


def versions() -> dict[str, str]:
    """Versions of closeloop and the packages a result depends on."""
    out = {"python": platform.python_version()}
    for pkg in ("closeloop", "jax", "jaxlib", "numpy", "xarray"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "unknown"
    return out


def population_tables(mix: dict[str, float], *traits: dict[str, float]) -> dict[str, np.ndarray]:
    """The engine's population tables for a preset mix and trait overrides (later ones win):
    ``presets.MixTables`` plus the caregiving and event tables and the event-age jitter."""
    merged: dict[str, float] = {}
    for t in traits:
        merged.update(t)
    tab = MixTables(mix, merged).arrays()
    tab.update(
        style_table=history.STYLE_TABLE,
        event_table=history.EVENT_TABLE,
        age_jitter=np.asarray(EVENT_AGE_JITTER, dtype=np.float32),
    )
    return tab


def simulate(
    sc: Scenario | str,
    n: int = 1000,
    seed: int = 0,
    *,
    daily: bool = False,
    ablate: tuple[str, ...] = (),
    progress: bool = False,
    variant: str = variants.DEFAULT,
    chunk: int = engine.CHUNK,
) -> xr.Dataset:
    """Simulate ``n`` people of a scenario.

    Arguments:
        sc: the scenario (``closeloop.scenario(name)``), or its name or .toml path.
        n: population size.
        seed: run seed; the same seed gives the same people whatever ``n`` or chunking.
        daily: also keep every day's response (dims unit x day); otherwise summaries stream.
        ablate: mechanisms to switch off in addition to the scenario's own.
        progress: show a progress bar on stderr.
        variant: the model (``closeloop.model.variants``): "closeloop", "static" (no adult
            learning), "erasure" (safety lowers threat itself) or "linear" (a linear couple
            model, without the variables it cannot derive; couple scenarios without
            interventions or ablations only, else ``variants.NotApplicable``).
        chunk: couples per device and compiled call (couple scenarios; ``engine.chunked``):
            fewer than ``engine.CHUNK`` for a small interactive run (the explorer); the same
            numbers from 32 on (below, XLA's narrower CPU code may round a last bit apart).

    Returns:
        An xarray Dataset with dims unit, context, depth, importance, behaviour, month (and day),
        and attrs recording the seed, the scenario, its hash and the package versions.

    Example:
        >>> import closeloop as cl
        >>> ds = cl.simulate(cl.scenario("friends-and-partner").replace(days=30), n=8, seed=1)
        >>> ds.sizes["unit"]
        8
    """
    sc = scenario(sc)
    n = check_int("n", n, 1, MAX_UNITS)
    seed = check_int("seed", seed, 0, 2**31 - 1)
    chunk = check_int("chunk", chunk, 1, engine.CHUNK)
    check_result(sc.kind, n, sc.days, daily)
    off = tuple(dict.fromkeys(sc.ablate + mechanisms.validate(ablate)))
    flags = mechanisms.flags(off)
    variant = variants.check(variant)
    variants.applicable(variant, sc.kind, len(sc.interventions), off)
    switches = variants.switches(variant)

    def run(report: Callable[[int], None] | None) -> dict[str, Any]:
        if variants.kernel(variant) == "linear":
            return engine.run_linear(
                n,
                seed,
                population_tables(sc.a, sc.traits, sc.traits_a),
                population_tables(sc.b, sc.traits, sc.traits_b),
                couple_params(**sc.relationship),
                linear_params(),
                days=sc.days,
                daily=daily,
                progress=report,
            )
        if sc.kind == "couple":
            return engine.run_couples(
                n,
                seed,
                population_tables(sc.a, sc.traits, sc.traits_a),
                population_tables(sc.b, sc.traits, sc.traits_b),
                couple_params(**sc.relationship),
                flags,
                days=sc.days,
                daily=daily,
                progress=report,
                schedule=sc.schedule(),
                variant=switches,
                chunk=chunk,
            )
        return engine.run_population(
            n,
            seed,
            population_tables(sc.population, sc.traits),
            world_params(**sc.world),
            flags,
            days=sc.days,
            daily=daily,
            progress=report,
            schedule=sc.schedule(),
            variant=switches,
        )

    if progress:
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task(f"simulating {sc.name}", total=n)
            raw = run(lambda k: bar.update(task, completed=k))
    else:
        raw = run(None)
    linear = variants.kernel(variant) == "linear"
    dims = engine.LINEAR_RECORD.dims if linear else engine.COUPLE_RECORD.dims
    ds = _couple_dataset(raw, sc, n, dims) if sc.kind == "couple" else _dataset(raw, sc, n)
    ds.attrs.update(run_attrs(sc, seed, n, off, variant))
    return ds


def run_attrs(
    sc: Scenario, seed: int, n: int, off: tuple[str, ...], variant: str = variants.DEFAULT
) -> dict[str, Any]:
    """What every result records: the seed, the scenario, its hash, the model variant, the
    package versions."""
    out = {
        "closeloop_kind": sc.kind,
        "seed": seed,
        "n": n,
        "scenario": sc.to_json(),
        "scenario_name": sc.name,
        "scenario_hash": sc.digest(),
        "ablate": ",".join(off),
        "versions": json.dumps(versions(), sort_keys=True),
        "notice": NOTICE,
    }
    if variant != variants.DEFAULT:
        # Only when set: closeloop's own results keep the attributes they always had.
        out["variant"] = variant
    return out


def _threat(V: np.ndarray, I: np.ndarray) -> np.ndarray:
    return np.clip(V - I, 0.0, 1.0)


def _dataset(raw: dict[str, Any], sc: Scenario, n: int) -> xr.Dataset:
    names = PRESET_NAMES
    U, Cx, D, M = ("unit",), ("context",), ("depth",), ("month",)
    ev_names = np.array(history.EVENT_NAMES + ("none",))
    first_kind = raw["event_kind"][:, 0]
    first_week = raw["event_week"][:, 0]
    snaps = raw["snapshots"]
    data: dict[str, Any] = {
        "preset": (U, np.array(names)[raw["preset"]]),
        "caregiving": (U, np.array(history.STYLE_NAMES)[raw["style"]]),
        "event": (U, ev_names[np.where(first_kind >= 0, first_kind, len(ev_names) - 1)]),
        "event_age": (U, np.where(first_week >= 0, first_week / history.WEEKS_PER_YEAR, np.nan)),
        "traits": (U + ("param",), raw["params"]),
        "template0": (U + Cx + D, _threat(raw["V0"], raw["I0"])),
        "threat": (U + Cx + D, _threat(raw["V"], raw["I"])),
        "excitation": (U + Cx + D, raw["V"]),
        "inhibition": (U + Cx + D, raw["I"]),
        "reward0": (U + D, raw["R0"]),
        "reward": (U + D, raw["R"]),
        "habit0": (U + D, raw["H0"]),
        "habit": (U + D, raw["H"]),
        "seeking0": (U, raw["E0"]),
        "seeking": (U, raw["E"]),
        "longing": (U, raw["L"]),
        "mean_longing": (U, raw["longing"] / sc.days),
        "offers": (U + Cx + D + ("importance",), raw["offers"]),
        "shares": (U + Cx + D + ("importance",), raw["shares"]),
        "automatic": (U + Cx + D, raw["automatic"]),
        "noticed": (U + Cx + D, raw["noticed"]),
        "arousal_sum": (U + Cx + D, raw["arousal"]),
        "distress_sum": (U + Cx + D, raw["distress"]),
        "behaviour_count": (U + ("behaviour",), raw["behaviour"]),
        "hurt_count": (U, raw["hurt"]),
        "history": (U + ("history_stat",), raw["history"]),
        "threat_partner": (U + M + D, snaps["threat"]),
        "threat_therapy": (U + M + D, snaps["threat_therapy"]),
        "habit_t": (U + M + D, snaps["habit"]),
        "reward_t": (U + M + D, snaps["reward"]),
        "longing_t": (U + M, snaps["longing"]),
        "seeking_t": (U + M, snaps["seeking"]),
    }
    coords: dict[str, Any] = {
        "unit": np.arange(n),
        "context": list(CONTEXT_NAMES),
        "depth": np.arange(len(DEPTH_NAMES)),
        "depth_name": ("depth", list(DEPTH_NAMES)),
        "importance": ["low", "high"],
        "behaviour": list(BEHAVIOURS),
        "param": list(TRAITS),
        "history_stat": [
            "approaches",
            "hurt_when_approaching",
            "withdrawals",
            "hurt_when_withdrawing",
        ],
        # Day at the end of each snapshot block (the last block may be partial).
        "month": np.minimum((np.arange(snaps["longing"].shape[1]) + 1) * engine.SNAP_DAYS, sc.days),
    }
    if "daily" in raw:
        for k, v in raw["daily"].items():
            data[f"daily_{k}"] = (U + ("day",) + engine.PEOPLE_RECORD.dims[f"daily.{k}"], v)
        coords["day"] = np.arange(sc.days)
    return xr.Dataset(data, coords=coords)


def _couple_dataset(raw: dict[str, Any], sc: Scenario, n: int, dims: Any = None) -> xr.Dataset:
    """The couple Dataset of a run; ``dims``: its record's dims (the couple engine's by
    default). Variables the run did not keep (a linear run's) are left out."""
    Cp, Mb, Mo, D = ("couple",), ("member",), ("month",), ("depth",)
    m = raw["monthly"]
    raw = {**raw, "traits": raw["params"]}
    layout = {
        "traits": Cp + Mb + ("param",),
        "threat0": Cp + Mb + D,
        "threat": Cp + Mb + D,
        "first_decline": Cp + Mb,
        "gave_up_day": Cp + Mb,
        "first_talk": Cp,
        "escalation": Cp,
        "end_day": Cp,
    }
    data: dict[str, Any] = {
        "preset": (Cp + Mb, np.array(PRESET_NAMES)[raw["preset"]]),
        "caregiving": (Cp + Mb, np.array(history.STYLE_NAMES)[raw["style"]]),
        **{k: (d, raw[k]) for k, d in layout.items() if k in raw},
    }
    dims = engine.COUPLE_RECORD.dims if dims is None else dims
    for k, v in m.items():
        data[k] = (Cp + Mo + dims[f"monthly.{k}"], v)
    n_months = m["ruptures"].shape[1]
    coords: dict[str, Any] = {
        "couple": np.arange(n),
        "member": ["a", "b"],
        "month": np.minimum((np.arange(n_months) + 1) * engine.SNAP_DAYS, sc.days),
        "depth": np.arange(len(DEPTH_NAMES)),
        "depth_name": ("depth", list(DEPTH_NAMES)),
        "param": list(TRAITS),
    }
    if "daily" in raw:
        for k, v in raw["daily"].items():
            data[f"daily_{k}"] = (Cp + ("day",) + dims[f"daily.{k}"], v)
        coords["day"] = np.arange(sc.days)
    ds = xr.Dataset(data, coords=coords)
    from closeloop.trajectory import classify

    ds["trajectory"] = ("couple", classify(ds))
    return ds
