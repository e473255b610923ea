"""Where the generated documents and the recorded results they render live."""

from __future__ import annotations

from pathlib import Path

MODEL_MD = Path(__file__).resolve().parents[3] / "docs" / "model.md"
"""docs/model.md of the source checkout this package lives in."""
ABLATION_JSON = MODEL_MD.parent / "ablation-matrix.json"
"""The claims x mechanisms matrix (``tools/ablation_matrix.py``)."""
ROBUSTNESS_JSON = MODEL_MD.parent / "robustness.json"
"""The claims over the fitting priors (``tools/robustness.py``)."""
