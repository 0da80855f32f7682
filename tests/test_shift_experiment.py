"""Notebook 01's claim, checked: a CNN keeps recognising a moved pattern, a dense net does not."""

import numpy as np
import pytest

from workshop import shift_experiment as se


def test_patterns_have_equal_ink():
    # otherwise a model could tell them apart by brightness alone
    assert se.PATTERNS["plus"].sum() == se.PATTERNS["cross"].sum() == 9
    assert not np.array_equal(se.PATTERNS["plus"], se.PATTERNS["cross"])


def test_make_patterns_places_patterns_where_asked():
    x, y = se.make_patterns(200, shift=8, seed=3)
    assert x.shape == (200, 16, 16, 1) and x.dtype == np.float32
    assert set(np.unique(y)) == {0, 1}
    lit = x[..., 0] >= 1.0
    columns = np.nonzero(lit.any(axis=(0, 1)))[0]
    assert columns.min() >= 8  # nothing left of the shifted area
    x0, _ = se.make_patterns(200, shift=0, seed=3)
    assert np.nonzero((x0[..., 0] >= 1).any(axis=(0, 1)))[0].max() <= 7


def test_make_patterns_is_reproducible_and_validates():
    a, ya = se.make_patterns(10, seed=5)
    b, yb = se.make_patterns(10, seed=5)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ya, yb)
    with pytest.raises(ValueError, match="shift must be an int from 0 to 8"):
        se.make_patterns(10, shift=9)


@pytest.mark.parametrize("seed", [0, 1])
def test_cnn_generalises_dense_does_not(seed):
    result = se.run(seed=seed, shifts=(0, 8))
    dense, cnn = result.accuracy["dense"], result.accuracy["cnn"]
    assert dense[0] >= 0.9 and cnn[0] >= 0.9  # both learn the training positions
    assert cnn[1] >= 0.9  # the CNN still recognises the moved patterns
    assert dense[1] <= 0.7  # the dense net is near chance (0.5) on pixels it never saw lit
    assert result.parameters["cnn"] < result.parameters["dense"]
    assert "shift (px)" in result.table()
