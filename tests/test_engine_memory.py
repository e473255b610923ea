"""The engine's compiled programs: a new argument signature is compiled ahead of its call, once,
and the heap the compiler freed is handed back before the run (the streaming run's peak memory
was the compiler's leftovers plus the results)."""

from __future__ import annotations

import platform

import jax.numpy as jnp
import numpy as np
import pytest

from closeloop import engine
from closeloop.engine import _devices


def _scaled(x: jnp.ndarray, *, k: float) -> jnp.ndarray:
    return x * k


def test_a_new_signature_compiles_once_ahead_of_the_call_then_releases_the_heap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    released: list[bool] = []
    monkeypatch.setattr(_devices, "release_heap", lambda: released.append(True) or True)
    f = engine.compiled(_scaled, 1, k=3.0)
    before = engine.compiled_count()
    x = jnp.arange(2 * len(engine.devices()), dtype=jnp.float32)
    np.testing.assert_array_equal(np.asarray(f(x)), np.asarray(x) * 3.0)
    assert engine.compiled_count() == before + 1
    assert released == [True]
    # The same signature again: no compile, no release.
    np.testing.assert_array_equal(np.asarray(f(x + 1.0)), (np.asarray(x) + 1.0) * 3.0)
    assert engine.compiled_count() == before + 1
    assert released == [True]
    # A new shape is a new program: compiled ahead once more.
    y = jnp.arange(4 * len(engine.devices()), dtype=jnp.float32)
    np.testing.assert_array_equal(np.asarray(f(y)), np.asarray(y) * 3.0)
    assert engine.compiled_count() == before + 2
    assert released == [True, True]


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_the_heap_is_released_on_glibc() -> None:
    assert _devices.release_heap() is True
