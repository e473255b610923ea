"""``simulate``: a scenario, a population size and a seed in; a labelled xarray Dataset out."""

from __future__ import annotations

import functools
import json
import platform
from collections.abc import Callable, Mapping
from importlib import metadata
from typing import Any

import numpy as np
import xarray as xr

from closeloop import engine, mechanisms
from closeloop.errors import check_int
from closeloop.model import history, variants
from closeloop.model.person import BEHAVIOURS, CONTEXT_NAMES, DEPTH_NAMES
from closeloop.params import (
    TRAITS,
    ChangeParams,
    HistoryParams,
    change_params,
    couple_params,
    history_params,
    linear_params,
    world_params,
)
from closeloop.presets import PRESET_NAMES, MixTables
from closeloop.scenario import Scenario, scenario
from closeloop.sizing import MAX_UNITS, check_result

NOTICE = (
    "Educational model, not a diagnosis or treatment. If you are in crisis in the US, call or "
    "text 988 (Suicide & Crisis Lifeline); elsewhere, contact local emergency services."
)


def versions() -> dict[str, str]:
    """Versions of closeloop and the packages a result depends on."""
    return dict(_versions())


@functools.cache
def _versions() -> tuple[tuple[str, str], ...]:
    # Read once per process: the package metadata lookups cost tens of milliseconds a run,
    # which the explorer paid on every slider move.
    out = [("python", platform.python_version())]
    for pkg in ("closeloop", "jax", "jaxlib", "numpy", "xarray"):
        try:
            out.append((pkg, metadata.version(pkg)))
        except metadata.PackageNotFoundError:
            out.append((pkg, "unknown"))
    return tuple(out)


def population_tables(mix: dict[str, float], *traits: dict[str, float]) -> dict[str, np.ndarray]:
    """The engine's population tables for a preset mix and trait overrides (later ones win):
    ``presets.MixTables`` plus the caregiving and event tables (the event ages' jitter is a
    history parameter, ``HistoryParams.event_age_jitter``, passed to the engine apart)."""
    merged: dict[str, float] = {}
    for t in traits:
        merged.update(t)
    tab = MixTables(mix, merged).arrays()
    tab.update(style_table=history.STYLE_TABLE, event_table=history.EVENT_TABLE)
    return tab


def run_params(
    sc: Scenario,
    hist: HistoryParams | Mapping[str, float] | None = None,
    change: ChangeParams | Mapping[str, float] | None = None,
) -> tuple[HistoryParams, ChangeParams]:
    """The history's and the interventions' parameters of a run: the scenario's tables over the
    defaults, and over them ``hist`` and ``change`` when given as tables of name = value; given
    as ``HistoryParams`` or ``ChangeParams`` (a sweep's or a fit's, history values possibly one
    per unit), they are used as they are."""
    if isinstance(hist, HistoryParams):
        hp = hist
    else:
        hp = history_params(**{**sc.history, **dict(hist or {})})
    if isinstance(change, ChangeParams):
        cg = change
    else:
        cg = change_params(**{**sc.change, **dict(change or {})})
    return hp, cg


def simulate(
    sc: Scenario | str,
    n: int = 1000,
    seed: int = 0,
    *,
    daily: bool = False,
    ablate: tuple[str, ...] = (),
    progress: bool = False,
    variant: str = variants.DEFAULT,
    history: HistoryParams | Mapping[str, float] | None = None,
    change: ChangeParams | Mapping[str, float] | None = None,
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
        history: the early history's parameters over the scenario's ``[history]`` table: a
            table of name = value, or a ``HistoryParams`` (each field a scalar or one value per
            unit) used as it is (``run_params``).
        change: how interventions act over the scenario's ``[change]`` table: a table of
            name = value, or a ``ChangeParams`` (scalars).
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
    hp, cg = run_params(sc, history, change)

    def run(report: Callable[[int], None] | None) -> engine.Run:
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
                history=hp,
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
                history=hp,
                change=cg,
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
            history=hp,
            change=cg,
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


def _dataset(raw: engine.Run, sc: Scenario, n: int) -> xr.Dataset:
    names = PRESET_NAMES
    U, Cx, D, M = ("unit",), ("context",), ("depth",), ("month",)
    ev_names = np.array(history.EVENT_NAMES + ("none",))
    st, end, acc, snaps = raw.start, raw.final, raw.running, raw.snapshots
    first_kind = st["event_kind"][:, 0]
    first_week = st["event_week"][:, 0]
    data: dict[str, Any] = {
        "preset": (U, np.array(names)[st["preset"]]),
        "caregiving": (U, np.array(history.STYLE_NAMES)[st["style"]]),
        "event": (U, ev_names[np.where(first_kind >= 0, first_kind, len(ev_names) - 1)]),
        "event_age": (U, np.where(first_week >= 0, first_week / history.WEEKS_PER_YEAR, np.nan)),
        "traits": (U + ("param",), st["params"]),
        "template0": (U + Cx + D, _threat(st["V0"], st["I0"])),
        "threat": (U + Cx + D, _threat(end["V"], end["I"])),
        "excitation": (U + Cx + D, end["V"]),
        "inhibition": (U + Cx + D, end["I"]),
        "reward0": (U + D, st["R0"]),
        "reward": (U + D, end["R"]),
        "habit0": (U + D, st["H0"]),
        "habit": (U + D, end["H"]),
        "seeking0": (U, st["E0"]),
        "seeking": (U, end["E"]),
        "longing": (U, end["L"]),
        "mean_longing": (U, acc["longing"] / sc.days),
        "offers": (U + Cx + D + ("importance",), acc["offers"]),
        "shares": (U + Cx + D + ("importance",), acc["shares"]),
        "automatic": (U + Cx + D, acc["automatic"]),
        "noticed": (U + Cx + D, acc["noticed"]),
        "arousal_sum": (U + Cx + D, acc["arousal"]),
        "distress_sum": (U + Cx + D, acc["distress"]),
        "behaviour_count": (U + ("behaviour",), acc["behaviour"]),
        "hurt_count": (U, acc["hurt"]),
        "history": (U + ("history_stat",), st["history"]),
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
    if raw.daily is not None:
        for k, v in raw.daily.items():
            data[f"daily_{k}"] = (U + ("day",) + engine.PEOPLE_RECORD.dims[f"daily.{k}"], v)
        coords["day"] = np.arange(sc.days)
    return xr.Dataset(data, coords=coords)


def _couple_dataset(raw: engine.Run, sc: Scenario, n: int, dims: Any = None) -> xr.Dataset:
    """The couple Dataset of a run; ``dims``: its record's dims (the couple engine's by
    default). Variables the run did not keep (a linear run's) are left out."""
    Cp, Mb, Mo, D = ("couple",), ("member",), ("month",), ("depth",)
    m = raw.snapshots
    kept = {**raw.start, **raw.final, **raw.running, "traits": raw.start["params"]}
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
        "preset": (Cp + Mb, np.array(PRESET_NAMES)[raw.start["preset"]]),
        "caregiving": (Cp + Mb, np.array(history.STYLE_NAMES)[raw.start["style"]]),
        **{k: (d, kept[k]) for k, d in layout.items() if k in kept},
    }
    dims = engine.COUPLE_RECORD.dims if dims is None else dims
    for k, v in m.items():
        data[k] = (Cp + Mo + dims[f"{raw.snapshot_key}.{k}"], v)
    n_months = m["ruptures"].shape[1]
    coords: dict[str, Any] = {
        "couple": np.arange(n),
        "member": ["a", "b"],
        "month": np.minimum((np.arange(n_months) + 1) * engine.SNAP_DAYS, sc.days),
        "depth": np.arange(len(DEPTH_NAMES)),
        "depth_name": ("depth", list(DEPTH_NAMES)),
        "param": list(TRAITS),
    }
    if raw.daily is not None:
        for k, v in raw.daily.items():
            data[f"daily_{k}"] = (Cp + ("day",) + dims[f"daily.{k}"], v)
        coords["day"] = np.arange(sc.days)
    ds = xr.Dataset(data, coords=coords)
    from closeloop.trajectory import classify

    ds["trajectory"] = ("couple", classify(ds))
    return ds
