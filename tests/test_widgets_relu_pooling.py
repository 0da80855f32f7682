"""Drive the ReLU and pooling explorers headless: set controls, assert on their state."""

import matplotlib
import numpy as np
import pytest

from tests.widget_fixtures import blitting_error

matplotlib.use("Agg")

from workshop import kernels, ops  # noqa: E402
from workshop.widgets.relu_pooling import RELU_KERNELS, PoolingExplorer, ReLUExplorer  # noqa: E402

FOUR = np.array([[1, 3, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])


@pytest.fixture
def pool():
    return PoolingExplorer(FOUR)


def test_max_2x2_stride_2_gives_output_and_argmax(pool):
    np.testing.assert_array_equal(pool.output, [[6, 8], [3, 4]])
    assert pool.argmax.tolist() == [[[1, 1], [1, 3]], [[2, 0], [3, 3]]]
    assert pool.window == (0, 0, 2, 2)
    assert "16 values" in pool.message and "4 value" in pool.message
    assert pool.cell.max == 3


def test_argmax_points_at_the_max_of_each_window(pool):
    for r, c in np.ndindex(pool.output.shape):
        i, j = pool.argmax[r, c]
        assert FOUR[i, j] == pool.output[r, c]
        assert 2 * r <= i < 2 * r + 2 and 2 * c <= j < 2 * c + 2


def test_switching_to_average_changes_output(pool):
    pool.mode.value = "average"
    np.testing.assert_allclose(pool.output, [[3.75, 5.25], [2, 2]])
    assert pool.argmax is None
    pool.mode.value = "max"
    np.testing.assert_array_equal(pool.output, [[6, 8], [3, 4]])


def test_selecting_a_cell_moves_the_window(pool):
    pool.cell.value = 3
    assert pool.window == (2, 2, 2, 2)
    pool.stride.value = 1  # 3x3 output now; the selected cell stays valid
    assert pool.output.shape == (3, 3)
    assert pool.cell.max == 8
    pool.cell.value = 8
    assert pool.window == (2, 2, 2, 2)
    pool.stride.value = 2  # back to 2x2: the cell is clamped, not left dangling
    assert pool.cell.value <= 3
    assert pool.window[0] in (0, 2)


def test_overlapping_windows_match_ops():
    x = np.arange(36.0).reshape(6, 6) % 7
    explorer = PoolingExplorer(x, size=3, stride=1)
    np.testing.assert_array_equal(explorer.output, ops.max_pool2d(x, 3, 1))
    assert "overlap" in explorer.message


def test_window_too_large_gives_message_not_traceback(pool):
    pool.size.value = 5
    assert pool.output is None and pool.window is None
    assert "does not fit" in pool.message
    assert "at most 4" in pool.message_box.value
    assert pool.cell.disabled
    pool.size.value = 2
    assert pool.output is not None and not pool.cell.disabled


def test_stride_that_leaves_rows_says_so(pool):
    pool.size.value = 3
    pool.stride.value = 2
    assert pool.output.shape == (1, 1)
    assert "Left over" in pool.message and "dropped" in pool.message
    assert "1 row(s)" in pool.message


def test_controls_have_stable_descriptions(pool):
    assert [
        pool.size.description,
        pool.stride.description,
        pool.mode.description,
        pool.cell.description,
    ] == ["window size", "stride", "pooling", "output cell"]


def test_pooling_explorer_rejects_3d_input():
    with pytest.raises(ValueError, match="2-D"):
        PoolingExplorer(np.zeros((4, 4, 2)))


@pytest.fixture(scope="module")
def relu_view():
    rng = np.random.default_rng(0)
    return ReLUExplorer(rng.random((24, 20)))


def test_relu_explorer_clips_negatives(relu_view):
    assert list(relu_view.kernels) == list(RELU_KERNELS)  # from the one kernel library
    fmap = ops.conv2d(relu_view.image, kernels.get("vertical edges"))
    np.testing.assert_allclose(relu_view.feature_map, fmap)
    assert relu_view.activated.min() == 0
    np.testing.assert_allclose(relu_view.activated, np.maximum(fmap, 0))
    assert relu_view.clipped_fraction == pytest.approx(np.mean(fmap < 0))
    assert 0 < relu_view.clipped_fraction < 1
    assert f"{relu_view.clipped_fraction:.0%}" in relu_view.summary.value


def test_relu_bias_and_kernel_controls(relu_view):
    relu_view.kernel.value = "vertical edges"
    relu_view.bias.value = 0.0
    before = relu_view.clipped_fraction
    relu_view.bias.value = 0.5
    assert relu_view.clipped_fraction < before
    relu_view.bias.value = -0.5
    assert relu_view.clipped_fraction > before
    relu_view.bias.value = 0.0
    relu_view.kernel.value = "horizontal edges"
    expected = ops.conv2d(relu_view.image, kernels.get("horizontal edges"))
    np.testing.assert_allclose(relu_view.feature_map, expected)
    # Both panels share one colour scale centred on zero.
    assert relu_view._before.get_clim() == relu_view._after.get_clim()
    low, high = relu_view._before.get_clim()
    assert low == -high
    assert relu_view.kernel.description == "kernel" and relu_view.bias.description == "bias"


def test_relu_explorer_default_photo():
    explorer = ReLUExplorer()
    assert explorer.image.shape == (150, 128)
    assert 0.2 < explorer.clipped_fraction < 0.8  # an edge map is signed


def test_relu_explorer_rejects_colour_image():
    with pytest.raises(ValueError, match="2-D gray"):
        ReLUExplorer(np.zeros((8, 8, 3)))


def test_every_change_redraws_the_pictures(pool, relu_view):
    for explorer, control, value in (
        (pool, pool.cell, 2),
        (pool, pool.size, 5),  # the "does not fit" picture
        (relu_view, relu_view.bias, 0.3),
    ):
        before = (explorer.view.redraws, explorer.view.image.value)
        control.value = value
        assert explorer.view.redraws == before[0] + 1
        assert explorer.view.image.value != before[1]


def test_relu_blitting_matches_a_full_redraw(relu_view):
    relu_view.bias.value = -0.25
    assert blitting_error(relu_view.view) < 0.5


def test_pooling_blitting_matches_a_full_redraw(pool):
    pool.stride.value = 1
    pool.cell.value = 4
    pool.mode.value = "average"
    pool.size.value = 3  # a stride that leaves no row uncovered, then one that does
    pool.stride.value = 2
    assert blitting_error(pool.view) < 0.5
