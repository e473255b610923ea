"""Reference engines: the couple-day kernel run by NumPy, vectorised and one couple at a time.

The benchmark (``closeloop bench``) compares the JAX engine with two other ways of running the
*same* model: these are not simplified copies. Both call
:func:`closeloop.model.couple.couple_day` with ``xp=numpy``, the function the engine scans with
``xp=jax.numpy``:

- :func:`numpy_couples` batches it over couples (the model's layout, couples on the last axis)
  and loops over days in Python, state in float32;
- :func:`loop_couples` keeps one Python object per couple and steps each on its own unbatched
  arrays, day by day, the way agent-based toolkits run one object per agent.

Both start from the engine's own adult couples (:func:`adult_start` runs the engine's sampling and
childhood histories once, with JAX), so the references time the adult couple-days only. Given the
same uniform draws (:func:`engine_draws` regenerates the engine's), they reproduce the engine's
days; ``tests/test_reference.py`` checks that.

Both return the engine's typed output, an ``engine.Run`` laid out as the engine's (couple first,
then day, then member) with the names of its couple record (``engine.COUPLE_RECORD``), so tests
compare the engine and a reference field by field, like with like:

- ``start``: ``threat0``, the felt threat the run starts from (as the engine's);
- ``final``: ``threat`` (as the engine's) and ``state``, the whole final ``CoupleState``
  (:func:`final_state` gives it back in the model's layout, to continue a run from it);
- ``running``: ``end_day`` (as the engine's) and the totals of the engine's monthly counters
  over the whole run (:data:`COUNTS`, each with its monthly counter's dims);
- ``daily`` (with ``daily=True``): every day's record (:data:`DAILY`, the engine's fields).

Not kept: the monthly snapshots (empty), the other first-event days, and who each couple is
(preset, style, traits: the references start from given couples).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from closeloop import engine
from closeloop.engine import Run
from closeloop.model.couple import (
    AGAINST,
    HERE,
    N_COUPLE_DRAWS,
    NONE,
    TALK,
    TOWARD,
    CoupleState,
    Day,
    couple_day,
)
from closeloop.model.person import effective_threat
from closeloop.params import CoupleParams, PersonParams

DrawsFn = Callable[[int], np.ndarray]
"""``draws(t)`` -> (N_COUPLE_DRAWS, N) float32 uniforms for day ``t`` of every couple."""
CoupleDrawsFn = Callable[[int, int], np.ndarray]
"""``draws(i, t)`` -> (N_COUPLE_DRAWS,) float32 uniforms for couple ``i`` on day ``t``."""

PER_COUPLE = ("talks", "conflicts", "repaired")
"""The counters kept per couple; the others are per member."""
COUNTS = ("bids", "met", "offered", "declined", "automatic", "against", *PER_COUPLE)
"""Running totals kept by the references (the engine's monthly counters, summed over the run)."""

DAILY = tuple(engine.couples.DAILY)
"""Fields of a daily record: the engine's couple record's own list (``engine.couples.DAILY``)."""


class Start(NamedTuple):
    """Adult couples as the engine builds them, as NumPy arrays, batch-last (``person.py``).

    Attributes:
        pp: traits of both members, each field (2, N) float32.
        cp: relationship settings, each field (N,) float32 (the run's values, broadcast).
        state: the new relationship (``couple.initial_couple`` of the adult templates), couples
            on the last axis of every field.
        keys: (N, 2) uint32, each couple's key for the adult days (the engine draws day t's
            uniforms from ``fold_in(keys[i], t)``).
    """

    pp: PersonParams
    cp: CoupleParams
    state: CoupleState
    keys: np.ndarray


# ------------------------------------------------------------------------ the engine's start


def _start_chunk(
    indices: jax.Array,
    seed_key: jax.Array,
    tab_a: dict[str, jax.Array],
    tab_b: dict[str, jax.Array],
    flags: jax.Array,
) -> dict[str, Any]:
    st = engine.couple_start(indices, seed_key, tab_a, tab_b, flags)
    out = engine.unit_first({"pp": st["pp"], "state": st["state"]})
    return {**out, "key": st["key"]}  # keys are (units, 2) already


_START = engine.by_chunk(_start_chunk)


def adult_start(
    n: int,
    seed: int,
    tables_a: dict[str, np.ndarray],
    tables_b: dict[str, np.ndarray],
    couple: CoupleParams,
    flags: np.ndarray,
    progress: Callable[[int], None] | None = None,
) -> Start:
    """The engine's ``n`` couples of ``run_couples(n, seed, ...)`` at the start of the relationship.

    Runs the engine's own sampling and childhood histories (``engine.couple_start``, in the
    engine's fixed-size chunks) and returns NumPy arrays.

    Example:
        >>> from closeloop import mechanisms, params, simulation
        >>> t = simulation.population_tables({"secure": 1.0})
        >>> st = adult_start(3, 0, t, t, params.couple_params(), mechanisms.flags())
        >>> st.state.person.V.shape
        (1, 5, 2, 3)
    """
    seed_key = jax.random.PRNGKey(seed)
    ta = {k: jnp.asarray(v) for k, v in tables_a.items()}
    tb = {k: jnp.asarray(v) for k, v in tables_b.items()}
    fl = jnp.asarray(flags, dtype=jnp.float32)
    f = engine.compiled(_START, 5)
    out = engine.chunked(lambda idx, _: f(idx, seed_key, ta, tb, fl), n, progress)
    last = partial(np.moveaxis, source=0, destination=-1)
    cp = CoupleParams(
        *[np.broadcast_to(np.asarray(x, dtype=np.float32), (n,)).copy() for x in couple]
    )
    pp = PersonParams(*[np.ascontiguousarray(last(a)) for a in out["pp"]])
    state = jax.tree.map(lambda a: np.ascontiguousarray(last(a)), out["state"])
    return Start(pp=pp, cp=cp, state=state, keys=out["key"])


@partial(jax.jit, static_argnames=("days",))
def _draws(keys: jax.Array, start: jax.Array, *, days: int) -> jax.Array:
    return jax.vmap(lambda t: engine.draws(keys, start + t, N_COUPLE_DRAWS))(jnp.arange(days))


def engine_draws(keys: np.ndarray, days: int, start: int = 0) -> np.ndarray:
    """The uniforms the engine draws for days ``start .. start+days-1``:
    (days, N_COUPLE_DRAWS, N).

    ``keys`` are ``Start.keys``. Meant for equality tests at small sizes (it materialises every
    draw).
    """
    u = _draws(jnp.asarray(keys), jnp.asarray(start, dtype=jnp.uint32), days=days)
    return np.asarray(u)


# ------------------------------------------------------------------------ shared bookkeeping


def _count_zeros(n: tuple[int, ...]) -> dict[str, np.ndarray]:
    out = {}
    for k in COUNTS:
        shape = n if k in PER_COUPLE else (2, *n)
        out[k] = np.zeros(shape, dtype=np.float32)
    return out


def _count(acc: dict[str, np.ndarray], d: Day) -> None:
    """Add one day to the running totals, in place (engine.couple_count with every day valid)."""
    got = d.received != NONE
    acc["bids"] += d.bid
    acc["met"] += d.received[::-1] == TOWARD
    acc["offered"] += got
    acc["declined"] += got & (d.received != TOWARD)
    acc["automatic"] += d.automatic
    acc["against"] += d.received == AGAINST
    acc["talks"] += d.moment == TALK
    acc["conflicts"] += d.conflict
    acc["repaired"] += d.repaired


def _record(s: CoupleState, d: Day) -> dict[str, np.ndarray]:
    rec = {k: np.asarray(getattr(d, k)) for k in DAILY if k in Day._fields}
    rec.update({k: np.asarray(getattr(s, k)) for k in DAILY if k in CoupleState._fields})
    return rec


def _threat(s: CoupleState) -> np.ndarray:
    """(N, 2, K) felt threat of both members in the partner context (``engine.couple_threat``,
    in NumPy) from a state with couples last."""
    return np.transpose(effective_threat(np, s.person, np.int32(HERE)), (2, 1, 0))


def _units_first(a: np.ndarray) -> np.ndarray:
    return np.moveaxis(np.asarray(a), -1, 0)


def _result(
    s0: CoupleState,
    s: CoupleState,
    counts: dict[str, np.ndarray],
    end_day: np.ndarray,
    daily: dict[str, np.ndarray] | None,
) -> Run:
    """A reference run as the engine's ``Run`` (see the module's docstring), from its arrays
    with couples last (the model's layout; daily records time-major)."""
    return Run(
        start={"threat0": _threat(s0)},
        final={"threat": _threat(s), "state": jax.tree.map(_units_first, s)},
        running={"end_day": end_day, **{k: _units_first(v) for k, v in counts.items()}},
        snapshots={},
        daily=jax.tree.map(lambda a: np.ascontiguousarray(_units_first(a)), daily),  # None: None
        snapshot_key=engine.couples.SNAPSHOTS,
    )


def final_state(run: Run) -> CoupleState:
    """A reference run's final state in the model's layout (couples last): the start state of
    a run that continues it (``numpy_couples(..., final_state(run), ..., start_day=...)``)."""
    state: CoupleState = jax.tree.map(lambda a: np.moveaxis(a, 0, -1), run.final["state"])
    return state


def _as_numpy(tree: Any) -> Any:
    return jax.tree.map(np.asarray, tree)


def _f32(tree: Any) -> Any:
    return jax.tree.map(lambda a: a.astype(np.float32) if a.dtype.kind == "f" else a, tree)


# ------------------------------------------------------------------------ vectorised NumPy


def numpy_couples(
    pp: PersonParams,
    cp: CoupleParams,
    s0: CoupleState,
    flags: np.ndarray,
    days: int,
    draws_fn: DrawsFn | np.ndarray | None = None,
    *,
    seed: int = 0,
    daily: bool = False,
    start_day: int = 0,
) -> Run:
    """Run ``days`` adult days of N couples with NumPy, vectorised over couples.

    Arguments:
        pp: traits, each field (2, N); cp: settings, each field (N,) or scalar.
        s0: the start state (``Start.state``), couples on the last axis.
        flags: mechanism switches (``mechanisms.flags``).
        days: days to run.
        draws_fn: ``draws_fn(t)`` -> (N_COUPLE_DRAWS, N) uniforms; or an array
            (days, N_COUPLE_DRAWS, N); default: a NumPy Generator seeded with ``seed``.
        daily: also keep every day's record (``DAILY`` fields, each (N, days, [2])).
        start_day: day of the relationship the run starts on (to continue an earlier run
            from its final state, ``final_state``); ``draws_fn`` is still called with 0, 1, ...
            for this run.

    Returns:
        An ``engine.Run`` of NumPy arrays, couple first (see the module's docstring):
        ``running["end_day"]`` is (N,) int (-1 if not ended), ``running[k]`` for ``k`` in
        ``COUNTS`` the run's totals.

    Example:
        >>> from closeloop import mechanisms, params, simulation
        >>> t = simulation.population_tables({"secure": 1.0})
        >>> st = adult_start(3, 0, t, t, params.couple_params(), mechanisms.flags())
        >>> numpy_couples(st.pp, st.cp, st.state, mechanisms.flags(), 5).running["bids"].shape
        (3, 2)
    """
    s_start: CoupleState = _f32(_as_numpy(s0))
    s = s_start
    pp = _f32(_as_numpy(pp))
    cp = _f32(_as_numpy(cp))
    fl = np.asarray(flags, dtype=np.float32)
    n = s.ended.shape[0]
    if draws_fn is None:
        rng = np.random.default_rng(seed)
        draw: DrawsFn = lambda t: rng.random((N_COUPLE_DRAWS, n), dtype=np.float32)  # noqa: E731
    elif isinstance(draws_fn, np.ndarray):
        draw = draws_fn.__getitem__
    else:
        draw = draws_fn
    acc = _count_zeros((n,))
    end_day = np.full(n, -1, dtype=np.int32)
    recs: list[dict[str, np.ndarray]] = []
    for t in range(days):
        s, d = couple_day(np, pp, cp, s, np.float32(start_day + t), draw(t), fl)
        _count(acc, d)
        end_day[d.ended_today] = start_day + t
        if daily:
            recs.append(_record(s, d))
    rec = {k: np.stack([r[k] for r in recs]) for k in DAILY} if daily else None
    return _result(s_start, s, acc, end_day, rec)


# ------------------------------------------------------------------------ one object per couple


class CoupleAgent:
    """One couple as an agent: its own parameters, state, random generator and tallies.

    ``step(t)`` runs one day on this couple's unbatched arrays (``couple_day`` with
    ``xp=numpy``): the way agent-based toolkits run a model, one object per agent.
    """

    def __init__(
        self,
        pp: PersonParams,
        cp: CoupleParams,
        state: CoupleState,
        flags: np.ndarray,
        draw: Callable[[int], np.ndarray],
        daily: bool = False,
    ) -> None:
        self.pp = pp
        self.cp = cp
        self.state = state
        self.flags = flags
        self.draw = draw
        self.counts = _count_zeros(())
        self.end_day = -1
        self.daily: list[dict[str, np.ndarray]] | None = [] if daily else None

    def step(self, t: int) -> None:
        self.state, d = couple_day(
            np, self.pp, self.cp, self.state, np.float32(t), self.draw(t), self.flags
        )
        _count(self.counts, d)
        if d.ended_today:
            self.end_day = t
        if self.daily is not None:
            self.daily.append(_record(self.state, d))


def loop_couples(
    pp: PersonParams,
    cp: CoupleParams,
    s0: CoupleState,
    flags: np.ndarray,
    days: int,
    draws_fn: CoupleDrawsFn | np.ndarray | None = None,
    *,
    seed: int = 0,
    daily: bool = False,
) -> Run:
    """Run ``days`` adult days of N couples one couple object at a time (agent-based style).

    Arguments as :func:`numpy_couples`, except ``draws_fn(i, t)`` -> (N_COUPLE_DRAWS,) for
    couple ``i`` (or an array (days, N_COUPLE_DRAWS, N)); by default each couple owns a NumPy
    Generator seeded with ``(seed, i)``. Each day steps every couple in turn. Returns the same
    ``engine.Run`` as :func:`numpy_couples`.
    """
    s0 = _f32(_as_numpy(s0))
    pp = _f32(_as_numpy(pp))
    cp = _f32(_as_numpy(cp))
    fl = np.asarray(flags, dtype=np.float32)
    n = s0.ended.shape[0]

    def drawer(i: int) -> Callable[[int], np.ndarray]:
        if draws_fn is None:
            rng = np.random.default_rng([seed, i])
            return lambda t: rng.random(N_COUPLE_DRAWS, dtype=np.float32)
        if isinstance(draws_fn, np.ndarray):
            u = draws_fn
            return lambda t: u[t, :, i]
        fn = draws_fn
        return lambda t: fn(i, t)

    def take(tree: Any, i: int) -> Any:
        return jax.tree.map(lambda a: np.array(a[..., i]), tree)

    agents = [
        CoupleAgent(take(pp, i), take(cp, i), take(s0, i), fl, drawer(i), daily) for i in range(n)
    ]
    for t in range(days):
        for a in agents:
            a.step(t)

    def stack(xs: list[Any], axis: int = -1) -> Any:
        return jax.tree.map(lambda *a: np.stack([np.asarray(x) for x in a], axis=axis), *xs)

    rec = None
    if daily:
        per = [stack(a.daily or [], axis=0) for a in agents]  # each (days, ...)
        rec = {k: np.stack([p[k] for p in per], axis=-1) for k in DAILY}
    return _result(
        s0,
        stack([a.state for a in agents]),
        stack([a.counts for a in agents]),
        np.array([a.end_day for a in agents], dtype=np.int32),
        rec,
    )
