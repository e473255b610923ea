"""Random numbers by address: a unit's key comes from the run seed and the unit's index alone.

Every draw of a unit is ``fold_in(unit key, step)`` followed by a fixed number of uniforms, so a
unit's randomness never depends on which chunk, device or batch size it runs in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp


def unit_keys(seed_key: jax.Array, indices: jax.Array) -> jax.Array:
    """(*B, 2) keys: fold_in(seed_key, i) for each unit index i of ``indices`` (shape B)."""
    return fold(jnp.broadcast_to(seed_key, (*indices.shape, 2)), indices)


def fold(keys: jax.Array, j: Any) -> jax.Array:
    """fold_in(key, j) for every key of a (*B, 2) array of keys (j: a scalar or of shape B)."""
    f: Callable[..., jax.Array] = jax.random.fold_in
    for _ in range(keys.ndim - 1):
        f = jax.vmap(f)
    return f(keys, jnp.broadcast_to(j, keys.shape[:-1]))


def _pcg(v: jax.Array) -> jax.Array:
    """The PCG-RXS-M-XS hash of 32-bit words (O'Neill 2014; recommended for GPU random numbers
    by Jarzynski & Olano 2020, Hash functions for GPU rendering)."""
    s = v * jnp.uint32(747796405) + jnp.uint32(2891336453)
    w = ((s >> ((s >> 28) + jnp.uint32(4))) ^ s) * jnp.uint32(277803737)
    return (w >> 22) ^ w


def draws(keys: jax.Array, t: Any, n: int) -> jax.Array:
    """(n, *B) uniforms in [0, 1) of step ``t``: unit i's come from its key and ``t`` alone.

    One Threefry block per unit and step (``fold_in(key, t)``, a counter-based generator:
    Salmon et al. 2011, Parallel random numbers: as easy as 1, 2, 3) gives 64 random bits; the
    step's ``n`` words are a nested hash of them and the draw's index j,
    ``pcg(s0 + pcg(s1 + j))`` (Jarzynski & Olano 2020's construction for several inputs). This
    costs one Threefry block per step instead of one per two words: the draws were about 40% of
    the engine's time. Each word's top 23 bits make a float32 in [0, 1), as ``jax.random.uniform``
    does. Everything is elementwise, so the bits do not depend on batch, chunk or device.
    """
    kd = fold(keys, t)  # (*B, 2) uint32
    j = jnp.arange(n, dtype=jnp.uint32).reshape((n,) + (1,) * (kd.ndim - 1))
    w = _pcg(kd[..., 0] + _pcg(kd[..., 1] + j))
    one = jnp.uint32(0x3F800000)  # the bits of 1.0f: (w >> 9) | one is a float in [1, 2)
    return jax.lax.bitcast_convert_type((w >> 9) | one, jnp.float32) - 1.0


def categorical(u: jax.Array, probs: jax.Array) -> jax.Array:
    """Inverse-CDF draw; never lands on a zero-weight entry (scaling by the total guards the
    float round-off of the cumulative sum)."""
    cum = jnp.cumsum(probs)
    return jnp.minimum(jnp.sum(u * cum[-1] > cum), cum.shape[0] - 1)
