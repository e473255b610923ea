"""Fitting the model to diary data: amortized neural posterior estimation in pure JAX.

The likelihood of a diary is not tractable for this model (the partner's response to one's
sharing and the arousal noise drive learning but are never in a diary; docs/fitting.md), so a
conditional normalizing flow is trained on the model's own simulations and a couple's
posterior is a few milliseconds of sampling. Modules: ``prior`` (fitted quantities and the
fitting prior), ``simulate`` (prior couples through the engine and the diary), ``summaries``
(the one summary function), ``flow`` (the network), ``train`` (the one training command),
``checks`` (recovery, contraction, coverage, SBC), ``diaries`` (what the fit accepts), ``api``
(``fit``), ``ppc``, ``population`` (NumPyro), ``plots`` and ``output`` (files and report),
``study`` (the identifiability study behind docs/fitting.md), ``command`` (the CLI).
"""

from closeloop.fit.api import FitResult, fit, load_network

__all__ = ["FitResult", "fit", "load_network"]
