"""The population layer: a NumPyro hierarchical model over the per-couple posteriors.

Each fitted parameter (derived quantities excluded: they have no prior density) gets a normal
population in the unbounded space, z ~ N(mu, tau). The network's draws for couple i were made
under the fitting prior pi, so the couple's likelihood of (mu, tau) is estimated by recycling
them: p(y_i | mu, tau) is proportional to the mean over draws of N(z_is; mu, tau) / pi(z_is)
(two-stage "posterior recycling"). NUTS runs over (mu, tau); ArviZ reports R-hat, ESS and
divergences, and the importance ESS of each couple's reweighted draws says where the prior the
network was trained under is too narrow for the population.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import arviz as az
import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
import pandas as pd
from jax.scipy.special import logsumexp
from numpyro.infer import MCMC, NUTS

from closeloop.fit import prior

DRAWS_PER_COUPLE = 100
"""Posterior draws of each couple the population likelihood uses."""
WARMUP = 500
SAMPLES = 500
CHAINS = 2
TARGET_ACCEPT = 0.95
"""NUTS step-size target: high, because the recycled likelihood is rough where tau is small."""
MU_SD = 2.0
"""Prior sd of a population mean in the unbounded (logit) space: flat over most of the range."""
TAU_SCALE = 1.0
"""Scale of the half-normal prior of a population sd (logit units)."""
ESS_WARN = 50.0
"""A couple's importance ESS below this is reported (the prior the network used is too narrow
or the population too far from it)."""


@dataclass(frozen=True)
class Population:
    """The population layer's posterior and diagnostics."""

    idata: az.InferenceData
    summary: pd.DataFrame
    divergences: int
    importance_ess: pd.DataFrame
    correlations: pd.DataFrame


def _model(z: jax.Array, log_pi: jax.Array) -> None:
    q = z.shape[2]
    mu = numpyro.sample("mu", dist.Normal(jnp.zeros(q), MU_SD))
    tau = numpyro.sample("tau", dist.HalfNormal(TAU_SCALE * jnp.ones(q)))
    lp = dist.Normal(mu, tau).log_prob(z) - log_pi  # (C, S, Q)
    ll = logsumexp(lp, axis=1) - jnp.log(z.shape[1])
    numpyro.factor("couples", ll.sum())


def fit_population(x: np.ndarray, couples: np.ndarray, seed: int) -> Population:
    """Population layer over the draws ``x`` (C, L, Q) in natural units."""
    idx = [j for j, q in enumerate(prior.QUANTITIES) if q.prior is not None]
    names = [prior.QUANTITIES[j].name for j in idx]
    s = min(DRAWS_PER_COUPLE, x.shape[1])
    z_all = prior.to_unbounded(x[:, :s, :])
    z = z_all[:, :, idx]
    log_pi = np.stack([prior.unbounded_log_prior(z_all[:, :, j], j) for j in idx], axis=-1)
    mcmc = MCMC(
        NUTS(_model, target_accept_prob=TARGET_ACCEPT),
        num_warmup=WARMUP,
        num_samples=SAMPLES,
        num_chains=CHAINS,
        chain_method="sequential",
        progress_bar=False,
    )
    mcmc.run(jax.random.PRNGKey(seed), jnp.asarray(z), jnp.asarray(log_pi))
    idata = az.from_numpyro(
        mcmc, coords={"quantity": names}, dims={"mu": ["quantity"], "tau": ["quantity"]}
    )
    summ = az.summary(idata, var_names=["mu", "tau"])
    divergences = int(np.asarray(idata.sample_stats["diverging"]).sum())
    post = mcmc.get_samples()
    mu, tau = np.asarray(post["mu"]), np.asarray(post["tau"])
    rows = []
    rng = np.random.default_rng(seed)
    eps = rng.standard_normal((mu.shape[0], 64))
    for k, name in enumerate(names):
        zz = mu[:, k, None] + tau[:, k, None] * eps
        j = idx[k]
        q = prior.QUANTITIES[j]
        nat = q.low + (q.high - q.low) / (1.0 + np.exp(-zz))
        means, sds = nat.mean(1), nat.std(1)
        rows.append(
            {
                "quantity": name,
                "population_mean": float(means.mean()),
                "population_mean_q05": float(np.quantile(means, 0.05)),
                "population_mean_q95": float(np.quantile(means, 0.95)),
                "population_sd": float(sds.mean()),
                "population_sd_q05": float(np.quantile(sds, 0.05)),
                "population_sd_q95": float(np.quantile(sds, 0.95)),
            }
        )
    natural = pd.DataFrame(rows).set_index("quantity")
    summary = summ.join(_flat(natural), how="outer")
    ess = _importance_ess(z, log_pi, mu.mean(0), tau.mean(0))
    ess_df = pd.DataFrame(ess, index=couples, columns=names)
    ess_df.index.name = "couple"
    means = pd.DataFrame(x[:, :, idx].mean(1), columns=names)
    return Population(idata, summary, divergences, ess_df, means.corr())


def _flat(natural: pd.DataFrame) -> pd.DataFrame:
    """Natural-unit population summaries keyed like ArviZ's rows (``mu[name]``)."""
    out = natural.copy()
    out.index = [f"mu[{n}]" for n in natural.index]
    return out


def _importance_ess(z: np.ndarray, log_pi: np.ndarray, mu: np.ndarray, tau: np.ndarray) -> Any:
    lw = -0.5 * ((z - mu) / tau) ** 2 - np.log(tau) - log_pi
    lw = lw - lw.max(axis=1, keepdims=True)
    w = np.exp(lw)
    return w.sum(1) ** 2 / (w**2).sum(1)
