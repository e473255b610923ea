"""Chunks, devices and the compile cache.

Every population runs in fixed-size chunks of ``CHUNK`` units (the last one padded), so every
unit goes through the same compiled code whatever the population size: results are bitwise
identical for any batch size or chunking. With several JAX devices each call runs one chunk per
device side by side, every device on the same per-chunk program, so the results are the same
bits as on one device.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

CHUNK = 1024
"""Units per compiled call (per device). Fixed, so that batch size never changes the compiled
code; large enough that the per-step overhead of a scan is spread over many units."""

_CACHE: dict[Any, Any] = {}
_T = TypeVar("_T")


def devices() -> list[Any]:
    """The JAX devices a run spreads its chunks over."""
    return list(jax.local_devices())


def release_heap() -> bool:
    """Hand the heap memory that has been freed back to the system (glibc's ``malloc_trim``).

    Compiling the couple program allocates about 400 MB and frees most of it, but glibc keeps
    freed heap for reuse, and a streaming run's results (large arrays, mapped afresh) then pile
    on top: the peak of a 10,000-couple run was the compiler's leftovers plus the results. No
    number changes. Returns False where the C library has no ``malloc_trim`` (not glibc)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return False
    trim(0)
    return True


def _kind(a: Any) -> str:
    """An argument's dtype (an array's) or Python type (a scalar's), for a call signature."""
    return str(getattr(a, "dtype", type(a).__name__))


class _Program:
    """A jitted engine function that, meeting a new argument signature, compiles ahead of the
    call and hands the heap the compiler freed back to the system (``release_heap``) before
    running: the run's buffers and results then do not pile on top of the compiler's
    leftovers. Calls with a signature seen before go straight to the jitted function."""

    def __init__(self, jitted: Any) -> None:
        self.jitted = jitted
        self.seen: set[Any] = set()

    def __call__(self, *args: Any) -> Any:
        leaves, tree = jax.tree.flatten(args)
        signature = (tree, tuple((np.shape(a), _kind(a)) for a in leaves))
        if signature not in self.seen:
            self.jitted.lower(*args).compile()  # cached: the call below does not compile again
            release_heap()
            self.seen.add(signature)
        return self.jitted(*args)

    def cache_size(self) -> int:
        """Executables compiled for this function."""
        size: int = self.jitted._cache_size()
        return size


def compiled(fn: Callable[..., Any], n_args: int, n_split: int = 1, **static: Any) -> Any:
    """``fn`` jitted over ``len(devices)`` chunks at once: the first ``n_split`` arguments (the
    indices, then any per-unit arrays, unit-first) are split over the devices, every other
    argument is replicated. Cached per static arguments and device set, so repeated runs do not
    recompile."""
    key = (fn, n_args, n_split, tuple(sorted(static.items())), tuple(d.id for d in devices()))
    if key not in _CACHE:
        devs = devices()
        if len(devs) == 1:
            jitted = jax.jit(partial(fn, **static))
        else:
            mesh = Mesh(np.array(devs), ("units",))
            # Indices and per-unit arrays in, and every output (all unit-first), split.
            split = NamedSharding(mesh, PartitionSpec("units"))
            whole = NamedSharding(mesh, PartitionSpec())
            jitted = jax.jit(
                partial(fn, **static),
                in_shardings=(split,) * n_split + (whole,) * (n_args - n_split),
                out_shardings=split,
            )
        _CACHE[key] = _Program(jitted)
    return _CACHE[key]


def compiled_count() -> int:
    """Executables the engine has compiled so far (a new one only for a new number of days, a
    new daily flag or new devices; never for new values)."""
    return sum(f.cache_size() for f in _CACHE.values())


def _rows(tree: Any, start: int, size: int) -> Any:
    """Rows ``start .. start+size`` of every unit-first leaf, the last row repeated past the end
    (padding units are computed and dropped, so any valid value does)."""

    def take(a: np.ndarray) -> np.ndarray:
        part = a[start : start + size]
        if len(part) < size:
            part = np.concatenate([part, np.repeat(part[-1:], size - len(part), axis=0)])
        return part

    return jax.tree.map(take, tree)


def chunked(
    run: Callable[..., _T],
    n: int,
    progress: Callable[[int], None] | None,
    per_unit: Any = None,
    first: int = 0,
    chunk: int = CHUNK,
) -> _T:
    """Run ``n`` units in groups of one fixed-size chunk per device (the last group padded) and
    gather the results (NumPy, unit-first) into arrays allocated once: no list of parts and no
    concatenation, so the peak memory is the result plus one call's output.

    ``run(indices, per_unit_rows)`` runs one group; ``per_unit`` is a pytree of unit-first
    arrays of ``n`` rows (each unit its own parameter values), sliced to the group. Units are
    numbered from ``first``: unit ``first + i`` of one call is the same unit, with the same bits,
    as in any other call that numbers it so (a sweep runs its points in blocks this way).
    ``chunk``: units per device and call; a small interactive run (the explorer) takes fewer
    than ``CHUNK`` so as not to compute padding (each unit's arithmetic does not depend on the
    batch, so the numbers stay the same from 32 units on; each size is one more compiled
    program).
    """
    per_call = chunk * len(devices())
    out: Any = None
    for start in range(0, n, per_call):
        rows = None if per_unit is None else _rows(per_unit, start, per_call)
        ids = jnp.arange(first + start, first + start + per_call, dtype=jnp.uint32)
        part = run(ids, rows)
        take = min(per_call, n - start)
        if out is None:
            out = jax.tree.map(lambda a: np.empty((n, *a.shape[1:]), dtype=a.dtype), part)

        def fill(dst: np.ndarray, src: jax.Array, start: int = start, take: int = take) -> None:
            dst[start : start + take] = np.asarray(src[:take])

        jax.tree.map(fill, out, part)
        del part
        if progress is not None:
            progress(start + take)
    return out


def by_chunk(fn: Callable[..., Any], n_split: int = 1) -> Callable[..., Any]:
    """A chunk function made to take one chunk per device: the indices (and the first
    ``n_split - 1`` other arguments, unit-first) of the devices' chunks side by side, each chunk
    computed on its own as if alone (a vmap over chunks, which the sharded jit splits over the
    devices)."""

    def run(*args: Any, **static: Any) -> Any:
        split = [
            # One chunk per device, whatever the chunk's size (``chunked``'s ``chunk``).
            jax.tree.map(lambda a: a.reshape((len(devices()), -1) + a.shape[1:]), x)
            for x in args[:n_split]
        ]
        rest = args[n_split:]
        out = jax.vmap(lambda *xs: fn(*xs, *rest, **static))(*split)
        return jax.tree.map(lambda a: a.reshape((-1,) + a.shape[2:]), out)

    return run


def unit_first(tree: Any) -> Any:
    """Batch-last arrays (..., units) -> unit-first (units, ...), leaves of a pytree."""
    return jax.tree.map(lambda a: jnp.moveaxis(a, -1, 0), tree)


def unit_last(tree: Any) -> Any:
    """Unit-first arrays (units, ...) -> batch-last (..., units), leaves of a pytree."""
    return jax.tree.map(lambda a: jnp.moveaxis(a, 0, -1), tree)
