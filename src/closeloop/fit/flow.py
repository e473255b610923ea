"""The conditional normalizing flow q(z | s): a flowjax coupling flow with rational-quadratic
spline layers over the fitted quantities in unbounded space ``z``, conditioned on the diary's
standardised summaries ``s``; its training (held-out split, early stopping, deterministic for a
seed), sampling, and files (weights plus the arrays that standardise and check the inputs)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from flowjax.bijections import RationalQuadraticSpline
from flowjax.distributions import Normal
from flowjax.flows import coupling_flow
from flowjax.train import fit_to_data

from closeloop.io import atomic_write

LAYERS = 6
"""Coupling layers of the flow."""
WIDTH = 64
"""Width of each layer's conditioner network."""
DEPTH = 2
"""Hidden layers of each conditioner network."""
KNOTS = 8
"""Knots of each rational-quadratic spline."""
INTERVAL = 5.0
"""The splines act on [-INTERVAL, INTERVAL] (standardised units); identity outside."""
LEARNING_RATE = 1e-3
BATCH = 256
MAX_EPOCHS = 80
PATIENCE = 8
"""Epochs without a better validation loss before training stops (the best weights are kept)."""
VAL_SHARE = 0.1
"""Share of the simulations held out for early stopping."""
OOD_QUANTILE = 0.999
"""Training-set quantile of the summaries' Mahalanobis distance beyond which a diary is flagged
as unlike the training data."""


@dataclass(frozen=True)
class Network:
    """A trained posterior network and what it needs around it."""

    flow: Any
    s_mean: np.ndarray
    s_sd: np.ndarray
    z_mean: np.ndarray
    z_sd: np.ndarray
    ood_mean: np.ndarray
    ood_precision: np.ndarray
    ood_limit: float

    @property
    def dim(self) -> int:
        return int(self.z_mean.shape[0])


ARCHITECTURE = {"layers": LAYERS, "width": WIDTH, "depth": DEPTH, "knots": KNOTS}
"""The architecture new networks get (a loaded one takes its own from its manifest)."""


def _skeleton(dim: int, cond_dim: int, seed: int = 0, arch: dict[str, Any] | None = None) -> Any:
    a = ARCHITECTURE if arch is None else arch
    return coupling_flow(
        jax.random.PRNGKey(seed),
        base_dist=Normal(jnp.zeros(dim)),
        transformer=RationalQuadraticSpline(knots=int(a["knots"]), interval=INTERVAL),
        cond_dim=cond_dim,
        flow_layers=int(a["layers"]),
        nn_width=int(a["width"]),
        nn_depth=int(a["depth"]),
    )


def _ood_stats(s: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    mean = s.mean(axis=0)
    cov = np.cov(s, rowvar=False) + 1e-6 * np.eye(s.shape[1])
    prec = np.linalg.pinv(cov)
    d = _mahalanobis(s, mean, prec)
    return mean, prec, float(np.quantile(d, OOD_QUANTILE))


def _mahalanobis(s: np.ndarray, mean: np.ndarray, prec: np.ndarray) -> np.ndarray:
    x = np.asarray(s, np.float64) - mean
    return np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", x, prec, x), 0.0))


def train(
    z: np.ndarray, s: np.ndarray, seed: int, *, show_progress: bool = False
) -> tuple[Network, dict[str, Any]]:
    """Train q(z | s) on simulated pairs (``z``: (N, Q) unbounded quantities, ``s``: (N, S)
    summaries); deterministic for ``seed``. Returns the network and the training record."""
    s_mean, s_sd = s.mean(0), s.std(0) + 1e-6
    z_mean, z_sd = z.mean(0), z.std(0) + 1e-6
    sx = ((s - s_mean) / s_sd).astype(np.float32)
    zx = ((z - z_mean) / z_sd).astype(np.float32)
    key_init, key_fit = jax.random.split(jax.random.PRNGKey(seed))
    flow = _skeleton(z.shape[1], s.shape[1], int(jax.random.randint(key_init, (), 0, 2**30)))
    flow, losses = fit_to_data(
        key_fit,
        flow,
        data=(jnp.asarray(zx), jnp.asarray(sx)),
        optimizer=optax.adam(LEARNING_RATE),
        max_epochs=MAX_EPOCHS,
        max_patience=PATIENCE,
        batch_size=BATCH,
        val_prop=VAL_SHARE,
        show_progress=show_progress,
    )
    mean, prec, limit = _ood_stats(sx)
    net = Network(flow, s_mean, s_sd, z_mean, z_sd, mean, prec, limit)
    record = {
        "epochs": len(losses["train"]),
        "train_loss": float(losses["train"][-1]),
        "val_loss": float(min(losses["val"])),
    }
    return net, record


def ood_distance(net: Network, s: np.ndarray) -> np.ndarray:
    """(C,) Mahalanobis distance of each couple's standardised summaries to the training set."""
    return _mahalanobis((s - net.s_mean) / net.s_sd, net.ood_mean, net.ood_precision)


@eqx.filter_jit
def _draw(flow: Any, key: jax.Array, cond: jax.Array, n: int) -> jax.Array:
    return flow.sample(key, (n,), condition=cond)


def sample(net: Network, s: np.ndarray, draws: int, seed: int) -> np.ndarray:
    """(C, draws, Q) posterior draws in unbounded space for each couple's summaries ``s``."""
    cond = jnp.asarray(((s - net.s_mean) / net.s_sd).astype(np.float32))
    out = np.asarray(_draw(net.flow, jax.random.key(seed), cond, draws))  # (draws, C, Q)
    return np.moveaxis(out, 0, 1) * net.z_sd + net.z_mean


def save(net: Network, folder: Path) -> dict[str, str]:
    """Write ``npe.eqx`` (flow weights) and ``npe.npz`` (standardisation and OOD arrays)
    atomically; returns the file names."""
    buf = io.BytesIO()
    eqx.tree_serialise_leaves(buf, net.flow)
    atomic_write(folder / "npe.eqx", lambda p: Path(p).write_bytes(buf.getvalue()))
    arrays = {
        "s_mean": net.s_mean,
        "s_sd": net.s_sd,
        "z_mean": net.z_mean,
        "z_sd": net.z_sd,
        "ood_mean": net.ood_mean,
        "ood_precision": net.ood_precision,
        "ood_limit": np.asarray(net.ood_limit),
    }
    abuf = io.BytesIO()
    packed = {k: np.asarray(v, np.float32) for k, v in arrays.items()}
    np.savez(abuf, **packed)  # type: ignore[arg-type]
    atomic_write(folder / "npe.npz", lambda p: Path(p).write_bytes(abuf.getvalue()))
    return {"weights": "npe.eqx", "arrays": "npe.npz"}


def load(folder: Path, arch: dict[str, Any] | None = None) -> Network:
    """Read a network written by :func:`save` with architecture ``arch`` (its manifest's
    layers, width, depth and knots)."""
    with np.load(folder / "npe.npz") as a:
        arr = {k: np.asarray(a[k], np.float64) for k in a.files}
    skeleton = _skeleton(arr["z_mean"].shape[0], arr["s_mean"].shape[0], arch=arch)
    flow = eqx.tree_deserialise_leaves(folder / "npe.eqx", skeleton)
    return Network(
        flow,
        arr["s_mean"],
        arr["s_sd"],
        arr["z_mean"],
        arr["z_sd"],
        arr["ood_mean"],
        arr["ood_precision"],
        float(arr["ood_limit"]),
    )
