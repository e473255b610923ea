"""What an engine run returns: ``Run``, a typed container of NumPy (or JAX) arrays, unit first.

Its parts are those of the run's ``Record`` (``_loop``): ``running`` (the summaries over the whole
run), ``snapshots`` (one per block, block axis after the unit's) and ``daily`` (every day's record,
day axis after the unit's), beside ``start`` (who each unit is and how its adult life began) and
``final`` (what is kept of the last state). It is a registered pytree, so the compiled chunk
function returns it and the chunks are gathered leaf by leaf.

It also reads as the flat mapping the engine returned before it existed (``run["offers"]``,
``run["monthly"]``, ``run["daily"]``), so code written against that keeps working, and
``run[lo:hi]`` takes units ``lo .. hi - 1`` of every part.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import jax


@dataclass(frozen=True, eq=False)
class Run(Mapping[str, Any]):
    """One run's output (every array unit first).

    Attributes:
        start: who each unit is and how it began: preset, style, params (the traits), and for
            people event_week, event_kind, history (counts) and the adult template (V0, I0,
            R0, H0, E0); for couples threat0.
        final: what is kept of the final state (people: V, I, R, H, E, L; couples: threat).
        running: the record's running summaries (people: counts per context, depth and
            importance; couples: the days of first events).
        snapshots: the record's snapshots, (unit, block, ...) each.
        daily: the record's daily fields, (unit, day, ...) each; None when not kept.
        snapshot_key: the name the snapshots go by in the record's dims and the mapping view
            ("snapshots" for people, "monthly" for couples).
    """

    start: dict[str, Any]
    final: dict[str, Any]
    running: dict[str, Any]
    snapshots: dict[str, Any]
    daily: dict[str, Any] | None = None
    snapshot_key: str = field(default="snapshots")

    def _parts(self) -> tuple[dict[str, Any], ...]:
        return (self.start, self.final, self.running)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            return jax.tree.map(lambda a: a[key], self)
        for part in self._parts():
            if key in part:
                return part[key]
        if key == self.snapshot_key:
            return self.snapshots
        if key == "daily" and self.daily is not None:
            return self.daily
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        for part in self._parts():
            yield from part
        yield self.snapshot_key
        if self.daily is not None:
            yield "daily"

    def __len__(self) -> int:
        return sum(len(p) for p in self._parts()) + 1 + (self.daily is not None)

    def names(self) -> dict[str, tuple[str, ...]]:
        """Each part's field names (for listings and tests)."""
        out = {
            "start": tuple(self.start),
            "final": tuple(self.final),
            "running": tuple(self.running),
            self.snapshot_key: tuple(self.snapshots),
        }
        if self.daily is not None:
            out["daily"] = tuple(self.daily)
        return out


jax.tree_util.register_dataclass(
    Run,
    data_fields=["start", "final", "running", "snapshots", "daily"],
    meta_fields=["snapshot_key"],
)
