"""The three small demonstrations of notebooks 02 and 04 show what they claim, in seconds."""

from __future__ import annotations

import time

import numpy as np
import pytest

from workshop import kernel_fit, kernels, ops
from workshop.images import sample_photo

DEMO_SECONDS = 10  # each demonstration, on the 2-core build machine


def test_asymmetric_kernel_keras_is_cross_correlation_not_convolution():
    import keras

    start = time.perf_counter()
    img, a = kernels.SEED_IMAGE, kernels.ASYMMETRIC_KERNEL
    conv = keras.layers.Conv2D(filters=1, kernel_size=3, use_bias=False)
    conv.build((None, 5, 5, 1))
    conv.set_weights([a.reshape(3, 3, 1, 1).astype("float32")])
    keras_map = conv(img.reshape(1, 5, 5, 1).astype("float32")).numpy()[0, :, :, 0]
    seconds = time.perf_counter() - start
    true_convolution = ops.conv2d(img, a[::-1, ::-1])
    assert np.array_equal(keras_map, ops.conv2d(img, a))
    assert not np.array_equal(keras_map, true_convolution)
    assert not np.array_equal(a, a[::-1, ::-1])  # the kernel really is asymmetric
    assert seconds < DEMO_SECONDS


def test_one_random_kernel_learns_the_edge_detector():
    edge = kernels.get("vertical edges")
    fit = kernel_fit.fit_kernel(sample_photo(gray=True, size=(64, 56)), edge, steps=150)
    assert fit.steps == (0, 10, 25, 50, 150)
    assert np.abs(fit.kernels[0] - edge).max() > 1  # a random start, far from the target
    assert np.abs(fit.kernels[-1] - edge).max() < 0.1  # "the same numbers" at one decimal
    assert np.all(np.round(fit.kernels[-1], 1) + 0.0 == edge)
    assert list(fit.losses) == sorted(fit.losses, reverse=True)  # the error shrinks
    assert fit.losses[-1] < 1e-3 * fit.losses[0]  # "towards zero"
    assert fit.seconds < DEMO_SECONDS


def test_fit_kernel_rejects_bad_arguments():
    with pytest.raises(ValueError, match="image must be a 2-D"):
        kernel_fit.fit_kernel(np.zeros((4, 4, 3)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="target_kernel must be 3x3"):
        kernel_fit.fit_kernel(np.zeros((8, 8)), np.zeros((5, 5)))
    with pytest.raises(ValueError, match="snapshots"):
        kernel_fit.fit_kernel(np.zeros((8, 8)), np.zeros((3, 3)), steps=5, snapshots=(0, 9))


def test_all_bright_window_scores_as_high_as_the_perfect_x():
    k = kernels.SEED_KERNEL
    start = time.perf_counter()
    windows = {
        "perfect X": k,
        "all bright": np.ones((3, 3)),
        "top-left of img": kernels.SEED_IMAGE[0:3, 0:3],
        "all dark": np.zeros((3, 3)),
    }
    zero_sum = k - k.mean()
    np.testing.assert_allclose(k.mean(), 5 / 9)  # "every weight lowered by 5/9"
    raw = {name: (w * k).sum() for name, w in windows.items()}
    centred = {name: (w * zero_sum).sum() for name, w in windows.items()}
    fired = {name: max(0.0, v - 1.0) for name, v in centred.items()}  # bias -1, then ReLU
    assert raw["perfect X"] == raw["all bright"] == 5  # "scores 5, as high as the perfect X"
    assert raw["top-left of img"] == 4
    assert abs(centred["all bright"]) < 1e-12 and abs(centred["all dark"]) < 1e-12
    assert [name for name, v in fired.items() if v > 0] == ["perfect X"]  # only the X
    # Edge kernels add up to zero, so flat areas give 0.
    assert abs(kernels.get("vertical edges").sum()) < 1e-12
    assert abs(kernels.get("horizontal edges").sum()) < 1e-12
    assert time.perf_counter() - start < DEMO_SECONDS


def test_max_pooling_is_not_linear_average_pooling_is():
    a = np.array([[1.0, 0.0], [0.0, 0.0]])
    b = np.array([[0.0, 0.0], [0.0, 1.0]])
    assert (
        ops.max_pool2d(a + b, 2).item()
        == 1
        != ops.max_pool2d(a, 2).item() + ops.max_pool2d(b, 2).item()
    )
    assert (
        ops.avg_pool2d(a + b, 2).item() == ops.avg_pool2d(a, 2).item() + ops.avg_pool2d(b, 2).item()
    )
    # "a convolution with a 2x2 kernel of 1/4 and stride 2"
    x = np.random.default_rng(0).normal(size=(6, 6))
    np.testing.assert_allclose(ops.avg_pool2d(x, 2), ops.conv2d(x, np.full((2, 2), 0.25), stride=2))


def test_shifted_input_shifts_the_map_and_global_max_stays():
    """The numbers notebook 03's equivariance cell prints."""
    rng = np.random.default_rng(2)
    picture = np.zeros((10, 10))
    picture[2:7, 2:6] = rng.integers(1, 5, size=(5, 4))
    moved = np.roll(picture, 1, axis=1)
    edge = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    maps, moved_maps = ops.conv2d(picture, edge), ops.conv2d(moved, edge)
    assert np.array_equal(moved_maps, np.roll(maps, 1, axis=1))
    assert ops.relu(maps).max() == ops.relu(moved_maps).max()
