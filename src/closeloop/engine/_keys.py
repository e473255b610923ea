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


def draws(keys: jax.Array, t: Any, n: int) -> jax.Array:
    """(n, *B) uniforms of step ``t``: unit i's come from fold_in(keys[i], t) alone."""

    def one(k: jax.Array) -> jax.Array:
        return jax.random.uniform(jax.random.fold_in(k, t), (n,))

    f: Callable[[jax.Array], jax.Array] = one
    for _ in range(keys.ndim - 1):
        f = jax.vmap(f)
    return jnp.moveaxis(f(keys), -1, 0)


def categorical(u: jax.Array, probs: jax.Array) -> jax.Array:
    """Inverse-CDF draw; never lands on a zero-weight entry (scaling by the total guards the
    float round-off of the cumulative sum)."""
    cum = jnp.cumsum(probs)
    return jnp.minimum(jnp.sum(u * cum[-1] > cum), cum.shape[0] - 1)
