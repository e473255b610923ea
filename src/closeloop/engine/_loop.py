"""One blocked scan over days, told what to keep by a ``Record``.

Every run of the engine, people or couples, is the same loop: days in blocks of ``Record.every``;
a day is ``step(state, t, valid) -> (state, out)``; past the last day (the padded end of the last
block) the state is frozen. What the loop keeps is the caller's choice, in the way diffrax's
``SaveAt`` is: running summaries over the whole run, summaries reset at every block (a month's
counts), a snapshot at the end of each block, and optionally every day's record. Nothing else
is kept, so a long run of many units streams in constant memory.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

SNAP_DAYS = 30
"""Days between snapshots (a month)."""


class Summary(NamedTuple):
    """A streaming statistic: ``init(batch) -> acc`` and ``update(acc, state, out, valid, t)
    -> acc`` (``state``: after the day; ``valid``: the day is within the run)."""

    init: Callable[[tuple[int, ...]], Any]
    update: Callable[[Any, Any, Any, Any, Any], Any]


@dataclass(frozen=True)
class Record:
    """What a run keeps (every field optional).

    Attributes:
        every: days per block (snapshot period).
        running: a Summary over the whole run, returned as ``running``.
        block: a Summary reset at the start of every block, handed to ``snapshot``.
        snapshot: ``snapshot(state, block_acc) -> dict`` at the end of every block, stacked
            over blocks as ``snapshots`` (block axis first).
        daily: ``daily(state, out) -> dict`` every day, stacked as ``daily`` (day axis first);
            None keeps no daily record.
        dims: the structure dims of each kept leaf, by name (``snapshots.sat``:
            ``("member",)``), batch and time axes not included: the one place the Dataset
            schema reads its dims from.
    """

    every: int = SNAP_DAYS
    running: Summary | None = None
    block: Summary | None = None
    snapshot: Callable[[Any, Any], dict[str, Any]] | None = None
    daily: Callable[[Any, Any], dict[str, Any]] | None = None
    dims: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def keeping_days(self, daily: Callable[[Any, Any], dict[str, Any]] | None) -> Record:
        """This record, with (or without) a daily record."""
        return replace(self, daily=daily)


def _none(batch: tuple[int, ...]) -> None:
    return None


def run(
    step: Callable[[Any, jax.Array, jax.Array], tuple[Any, Any]],
    state0: Any,
    record: Record,
    *,
    days: int,
    batch: tuple[int, ...],
) -> dict[str, Any]:
    """Scan ``step`` over ``days`` days in blocks; return what ``record`` keeps.

    Returns:
        ``state`` (the final state), and as the record asks: ``running``, ``snapshots``
        (block axis first) and ``daily`` (day axis first, exactly ``days`` long).
    """
    n_blocks = max(1, math.ceil(days / record.every))
    running = record.running or Summary(_none, lambda a, *_: a)
    block_sum = record.block or Summary(_none, lambda a, *_: a)

    def day(carry: Any, t: jax.Array) -> Any:
        s, run_acc, blk_acc = carry
        valid = t < days
        s2, out = step(s, t, valid)
        s2 = jax.tree.map(lambda a, b: jnp.where(valid, a, b), s2, s)
        run_acc = running.update(run_acc, s2, out, valid, t)
        blk_acc = block_sum.update(blk_acc, s2, out, valid, t)
        rec = None if record.daily is None else record.daily(s2, out)
        return (s2, run_acc, blk_acc), rec

    def block(carry: Any, b: jax.Array) -> Any:
        s, run_acc, _ = carry
        carry = (s, run_acc, block_sum.init(batch))
        (s, run_acc, blk_acc), recs = jax.lax.scan(
            day, carry, b * record.every + jnp.arange(record.every)
        )
        snap = None if record.snapshot is None else record.snapshot(s, blk_acc)
        return (s, run_acc, blk_acc), (snap, recs)

    init = (state0, running.init(batch), block_sum.init(batch))
    (s, run_acc, _), (snaps, recs) = jax.lax.scan(block, init, jnp.arange(n_blocks))
    out: dict[str, Any] = {"state": s}
    if record.running is not None:
        out["running"] = run_acc
    if record.snapshot is not None:
        out["snapshots"] = snaps
    if record.daily is not None:
        # (block, day in block, ...) -> (days, ...)
        out["daily"] = jax.tree.map(lambda a: a.reshape((-1,) + a.shape[2:])[:days], recs)
    return out
