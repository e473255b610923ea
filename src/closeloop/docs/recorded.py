"""The blocks of docs/model.md rendered from recorded results (never rerun here): the claims,
the claims x mechanisms matrix, the claims by model variant and the robustness over the priors.
Each is optional: when the claims package does not import, the block is left as it is."""

from __future__ import annotations

import json
import sys
from typing import Any

from closeloop.docs.paths import ABLATION_JSON, ROBUSTNESS_JSON
from closeloop.markdown import table


def _claims() -> list[Any] | None:
    """The registered claims, or None when the claims package does not import (yet)."""
    try:
        from closeloop.claims import CLAIMS
    except Exception as e:  # the registry is optional for the docs; say why it is skipped
        print(f"closeloop.docs: claims not rendered ({type(e).__name__}: {e})", file=sys.stderr)
        return None
    return list(CLAIMS)


def claims_table() -> str | None:
    """The claims registered in ``closeloop.claims.CLAIMS``; None when they do not import."""
    claims = _claims()
    if claims is None:
        return None
    if not claims:
        return "_No claims are registered yet._"
    rows = [
        [
            f"**{c.id}**",
            c.where,
            c.statement,
            ", ".join(f"`{m}`" for m in c.mechanisms) or "-",
            ", ".join(f"`{m}`" for m in c.negative_controls) or "-",
            c.threshold_why
            + (f" **Expected to fail:** {c.expected_to_fail}" if c.expected_to_fail else ""),
        ]
        for c in claims
    ]
    return table(
        [
            "id",
            "article section",
            "what the check shows",
            "depends on (ablations must fail it)",
            "must not need (ablations must leave it passing)",
            "threshold: why that size",
        ],
        rows,
    )


def ablation_matrix_table() -> str | None:
    """The claims x mechanisms table recorded by ``tools/ablation_matrix.py`` (read from its
    JSON, never rerun here); a line saying it has not been run when the file is absent."""
    if not ABLATION_JSON.exists():
        return "_The ablation matrix has not been run yet (`tools/ablation_matrix.py`)._"
    try:
        from closeloop.claims.matrix import render as render_matrix
    except Exception as e:  # the claims package is optional for the docs; say why it is skipped
        print(
            f"closeloop.docs: ablation matrix not rendered ({type(e).__name__}: {e})",
            file=sys.stderr,
        )
        return None
    return render_matrix(json.loads(ABLATION_JSON.read_text(encoding="utf-8")))


def variants_block() -> str | None:
    """Claims by model variant, from the recorded docs/variants.json (never rerun here)."""
    try:
        from closeloop.claims.variants_table import variants_table
    except Exception as e:  # as for the claims block: optional, and say why it is skipped
        print(f"closeloop.docs: variants not rendered ({type(e).__name__}: {e})", file=sys.stderr)
        return None
    return variants_table()


def robustness_block() -> str | None:
    """Claims over the fitting priors, from docs/robustness.json (``tools/robustness.py``;
    never rerun here); a line saying it has not been run when the file is absent."""
    if not ROBUSTNESS_JSON.exists():
        return "_The robustness check has not been run yet (`tools/robustness.py`)._"
    try:
        from closeloop.claims.robustness import render as render_robustness
    except Exception as e:  # as for the claims block: optional, and say why it is skipped
        print(f"closeloop.docs: robustness not rendered ({type(e).__name__}: {e})", file=sys.stderr)
        return None
    return render_robustness(json.loads(ROBUSTNESS_JSON.read_text(encoding="utf-8")))


def calibration_variants_block() -> str | None:
    """The calibration figures by model, from the recorded docs/calibration-variants.json
    (``tools/calibration_variants.py``; never rerun here); a line when it has not been run."""
    from closeloop.calibration.variants_table import RECORDED, calibration_variants_table

    if not RECORDED.exists():
        return (
            "_The figures have not been run on each model yet (`tools/calibration_variants.py`)._"
        )
    return calibration_variants_table(RECORDED)
