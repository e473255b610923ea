"""The trajectory classifier on constructed couples: one per class, the order of the tests, and
the thresholds' edges."""

from __future__ import annotations

import numpy as np
import pytest

from closeloop import trajectory as tr

W = tr.WINDOW


def _couple(
    *,
    ended: bool = False,
    conflicts: float = 0.0,
    repaired_share: float = 1.0,
    pursuit: tuple[float, float] = (0.0, 0.0),
    declined_share: tuple[float, float] = (0.0, 0.0),
    known: float = 1.0,
) -> dict[str, np.ndarray]:
    """One couple's last WINDOW months, constant month to month (20 bids received a month)."""
    offered = np.full((1, W, 2), 20.0)
    return {
        "ended": np.array([ended]),
        "conflicts": np.full((1, W), conflicts),
        "repaired": np.full((1, W), conflicts * repaired_share),
        "pursuit": np.broadcast_to(np.array(pursuit), (1, W, 2)).copy(),
        "offered": offered,
        "declined": offered * np.array(declined_share),
        "known": np.full((1, W, 2), known),
    }


def _label(**kw) -> str:
    return str(tr.classify_arrays(**_couple(**kw))[0])


@pytest.mark.parametrize(
    ("kw", "label"),
    [
        ({"ended": True}, "ended"),
        ({"conflicts": 2.0, "repaired_share": 0.2}, "high-conflict"),
        ({"pursuit": (0.0, 0.6), "declined_share": (0.7, 0.1)}, "pursue-withdraw"),
        ({"conflicts": 0.1, "known": 1.0}, "functional-but-empty"),
        ({"conflicts": 0.1, "known": 4.0}, "deepening"),
    ],
)
def test_each_class_on_a_constructed_couple(kw, label):
    assert _label(**kw) == label


def test_order_of_the_tests():
    # an ended couple is ended whatever came before
    assert _label(ended=True, conflicts=3.0, repaired_share=0.0) == "ended"
    # high conflict wins over a pursue-withdraw loop
    kw = {"pursuit": (0.0, 0.6), "declined_share": (0.7, 0.0)}
    assert _label(conflicts=2.0, repaired_share=0.0, **kw) == "high-conflict"
    # frequent conflict that is mostly repaired is not high-conflict
    assert _label(conflicts=2.0, repaired_share=0.9, known=4.0) == "deepening"


def test_the_loop_needs_pursuit_on_one_side_and_withdrawal_on_the_other():
    # the pursuer's own bids are turned away by the other: member b pursues, a declines
    assert _label(pursuit=(0.0, 0.5), declined_share=(0.5, 0.0)) == "pursue-withdraw"
    # pursuing without being turned away is no loop
    assert _label(pursuit=(0.0, 0.5), declined_share=(0.0, 0.5)) != "pursue-withdraw"
    # turning away without anyone pursuing is no loop either
    assert _label(pursuit=(0.0, 0.1), declined_share=(0.9, 0.0)) == "functional-but-empty"


def test_thresholds_at_their_edges():
    at = {"declined_share": (tr.DECLINE, 0.0)}
    assert _label(pursuit=(0.0, tr.PURSUIT), **at) == "pursue-withdraw"
    assert _label(pursuit=(0.0, tr.PURSUIT - 0.01), **at) != "pursue-withdraw"
    assert _label(known=tr.DEEP) == "deepening"
    assert _label(known=tr.DEEP - 0.01) == "functional-but-empty"
    # moderate conflict without intimacy is still empty rather than deepening
    assert _label(conflicts=tr.LOW_CONFLICT + 0.2, known=1.0) == "functional-but-empty"


def test_labels_are_known_classes_for_many_couples():
    rng = np.random.default_rng(0)
    n = 200
    arrays = {
        "ended": rng.random(n) < 0.2,
        "conflicts": rng.poisson(1.0, (n, W)).astype(float),
        "repaired": np.zeros((n, W)),
        "pursuit": rng.random((n, W, 2)),
        "offered": rng.integers(0, 30, (n, W, 2)).astype(float),
        "declined": np.zeros((n, W, 2)),
        "known": rng.random((n, W, 2)) * 5,
    }
    arrays["repaired"] = np.floor(arrays["conflicts"] * rng.random((n, W)))
    arrays["declined"] = np.floor(arrays["offered"] * rng.random((n, W, 2)))
    labels = tr.classify_arrays(**arrays)
    assert labels.shape == (n,) and set(labels) <= set(tr.CLASSES)
    assert (labels[arrays["ended"]] == "ended").all()
