"""workshop.ops: the worked example, hand-checked cases and every bad input."""

import numpy as np
import pytest

from workshop import ops

SEED_IMAGE = [
    [1, 1, 1, 0, 0],
    [0, 1, 1, 1, 0],
    [0, 0, 1, 1, 1],
    [0, 0, 1, 1, 0],
    [0, 1, 1, 0, 0],
]
SEED_KERNEL = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]


def test_seed_worked_example_whole_feature_map():
    out = ops.conv2d(SEED_IMAGE, SEED_KERNEL)
    assert out[0, 0] == 4
    np.testing.assert_array_equal(out, [[4, 3, 4], [2, 4, 3], [2, 3, 4]])
    assert out.dtype.kind == "f"


def test_steps_match_conv2d_and_walk_in_reading_order():
    steps = list(ops.conv2d_steps(SEED_IMAGE, SEED_KERNEL))
    assert [(s.row, s.col) for s in steps] == [(r, c) for r in range(3) for c in range(3)]
    first = steps[0]
    np.testing.assert_array_equal(first.patch, [[1, 1, 1], [0, 1, 1], [0, 0, 1]])
    np.testing.assert_array_equal(first.products, [[1, 0, 1], [0, 1, 0], [0, 0, 1]])
    assert first.total == 4
    totals = np.array([s.total for s in steps]).reshape(3, 3)
    np.testing.assert_array_equal(totals, ops.conv2d(SEED_IMAGE, SEED_KERNEL))


def test_steps_with_stride_and_padding_report_padded_coordinates():
    steps = list(ops.conv2d_steps(SEED_IMAGE, SEED_KERNEL, stride=2, padding=1))
    assert [(s.top, s.left) for s in steps[:3]] == [(0, 0), (0, 2), (0, 4)]
    assert len(steps) == 9
    np.testing.assert_array_equal(steps[0].patch[0], [0, 0, 0])  # the zero padding row


def test_rgb_kernel_sums_channels():
    rng = np.random.default_rng(0)
    image = rng.normal(size=(6, 6, 3))
    kernel = rng.normal(size=(3, 3, 3))
    per_channel = sum(ops.conv2d(image[..., c], kernel[..., c]) for c in range(3))
    np.testing.assert_allclose(ops.conv2d(image, kernel), per_channel)


def test_kernel_bank_gives_one_map_per_filter():
    rng = np.random.default_rng(1)
    image = rng.normal(size=(8, 8, 3))
    bank = rng.normal(size=(5, 5, 3, 32))
    out = ops.conv2d(image, bank)
    assert out.shape == (4, 4, 32)
    np.testing.assert_allclose(out[..., 7], ops.conv2d(image, bank[..., 7]))


def test_same_padding_keeps_size_and_stride_pairs():
    image = np.arange(35.0).reshape(5, 7)
    assert ops.conv2d(image, np.ones((3, 3)), padding="same").shape == (5, 7)
    assert ops.conv2d(image, np.ones((3, 3)), stride=(1, 2)).shape == (3, 3)
    assert ops.conv2d(image, np.ones((3, 3)), padding=(1, 0)).shape == (5, 5)


def test_relu_and_pooling_by_hand():
    x = np.array([[1, -2, 3, 0], [-4, 5, -6, 2], [7, 0, 1, 1], [-1, 2, 3, -8]])
    np.testing.assert_array_equal(ops.relu(x), np.maximum(x, 0))
    np.testing.assert_array_equal(ops.max_pool2d(x), [[5, 3], [7, 3]])
    np.testing.assert_array_equal(ops.avg_pool2d(x), [[0, -0.25], [2, -0.75]])
    assert ops.max_pool2d(x).size == x.size // 4  # to a quarter, not by a quarter
    np.testing.assert_array_equal(ops.pool_argmax(x)[0, 0], [1, 1])
    np.testing.assert_array_equal(ops.max_pool2d(x, size=3, stride=1), [[7, 5], [7, 5]])


def test_pooling_keeps_depth():
    x = np.random.default_rng(2).normal(size=(6, 6, 4))
    assert ops.max_pool2d(x).shape == (3, 3, 4)
    np.testing.assert_array_equal(ops.max_pool2d(x)[..., 2], ops.max_pool2d(x[..., 2]))


@pytest.mark.parametrize(
    ("n", "k", "s", "p", "expected"),
    [(5, 3, 1, 0, 3), (5, 3, 1, 1, 5), (5, 3, 2, 1, 3), (32, 3, 1, 0, 30), (32, 2, 2, 0, 16)],
)
def test_conv_output_size(n, k, s, p, expected):
    assert ops.conv_output_size(n, k, s, p) == expected
    assert ops.conv_leftover(n, k, s, p) == 0


@pytest.mark.parametrize(
    ("n", "k", "s", "p", "size", "left"),
    [(5, 3, 3, 0, 1, 2), (6, 3, 2, 0, 2, 1), (7, 2, 2, 0, 3, 1), (32, 5, 2, 1, 15, 1)],
)
def test_a_stride_that_does_not_land_on_the_edge_drops_what_is_left_over(n, k, s, p, size, left):
    # Keras' rule for padding="valid": floor((n + 2p - k) / s) + 1, the rest is dropped.
    assert ops.conv_output_size(n, k, s, p) == size
    assert ops.conv_leftover(n, k, s, p) == left
    assert (size - 1) * s + k + left == n + 2 * p  # windows' reach plus the leftover: all of it
    image = np.arange(float(n * n)).reshape(n, n)
    assert ops.conv2d(image, np.ones((k, k)), stride=s, padding=p).shape == (size, size)
    assert len(list(ops.conv2d_steps(image, np.ones((k, k)), s, p))) == size * size
    if p == 0:
        assert ops.max_pool2d(image, k, s).shape == (size, size)


def test_softmax_is_stable_and_sums_to_one():
    probabilities = ops.softmax([2.0, 1.0, 0.1])
    np.testing.assert_allclose(probabilities, [0.659, 0.242, 0.099], atol=1e-3)
    np.testing.assert_allclose(ops.softmax([1000.0, 999.0]), ops.softmax([1.0, 0.0]))
    batch = ops.softmax(np.array([[0.0, 0.0], [0.0, np.log(3.0)]]))
    np.testing.assert_allclose(batch, [[0.5, 0.5], [0.25, 0.75]])
    np.testing.assert_allclose(ops.softmax(np.zeros((2, 3)), axis=0).sum(axis=0), 1.0)


# ------------------------------------------------------------------ bad input, named clearly


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: ops.conv2d(np.zeros((3, 3)), np.zeros((5, 5))),
            ValueError,
            "kernel 5x5 is larger than the padded image 3x3",
        ),
        (
            lambda: ops.conv2d(SEED_IMAGE, SEED_KERNEL, stride=0),
            ValueError,
            "stride must be at least 1",
        ),
        (
            lambda: ops.conv2d(SEED_IMAGE, SEED_KERNEL, stride=-2),
            ValueError,
            "stride must be at least 1",
        ),
        (
            lambda: ops.conv2d(SEED_IMAGE, SEED_KERNEL, stride=1.5),
            TypeError,
            "stride must be an int or a pair of ints",
        ),
        (
            lambda: ops.conv2d(SEED_IMAGE, SEED_KERNEL, padding=-1),
            ValueError,
            "padding must be at least 0",
        ),
        (
            lambda: ops.conv2d(SEED_IMAGE, SEED_KERNEL, padding="full"),
            ValueError,
            "padding must be an int, a pair, 'valid' or 'same'",
        ),
        (
            lambda: ops.conv2d(np.zeros(5), SEED_KERNEL),
            ValueError,
            "image must be 2-D (height, width) or 3-D (height, width, channels), got 1-D",
        ),
        (lambda: ops.conv2d(np.zeros((2, 5, 5, 3)), SEED_KERNEL), ValueError, "image must be 2-D"),
        (lambda: ops.conv2d(SEED_IMAGE, np.zeros(3)), ValueError, "kernel must be (kh, kw)"),
        (
            lambda: ops.conv2d(np.zeros((5, 5, 3)), np.zeros((3, 3, 2))),
            ValueError,
            "kernel has 2 channel(s) but image has 3",
        ),
        (
            lambda: ops.conv2d(np.zeros((5, 5, 3)), np.zeros((3, 3, 1, 8))),
            ValueError,
            "kernel has 1 channel(s) but image has 3",
        ),
        (lambda: ops.conv2d("abc", SEED_KERNEL), TypeError, "image must be a numeric array"),
        (lambda: ops.conv2d([["a", "b"], ["c", "d"]], [[1]]), TypeError, "image must hold numbers"),
        (lambda: ops.conv2d([[1, 2], [3]], [[1]]), ValueError, "image must be a rectangular"),
        (
            lambda: ops.conv2d(SEED_IMAGE, [[1, np.nan], [0, 1]]),
            ValueError,
            "kernel contains NaN or infinite values",
        ),
        (lambda: ops.conv2d(np.zeros((0, 5)), SEED_KERNEL), ValueError, "image is empty"),
        (lambda: ops.conv2d(SEED_IMAGE, []), ValueError, "kernel is empty"),
        (lambda: ops.relu([np.inf]), ValueError, "x contains NaN or infinite values"),
        (
            lambda: ops.max_pool2d(np.zeros((3, 3)), size=4),
            ValueError,
            "pooling window 4x4 is larger than the padded image 3x3",
        ),
        (lambda: ops.max_pool2d(np.zeros((4, 4)), size=0), ValueError, "size must be at least 1"),
        (
            lambda: ops.avg_pool2d(np.zeros((4, 4)), stride=(1, 0)),
            ValueError,
            "stride must be at least 1",
        ),
        (lambda: ops.max_pool2d(np.zeros((2, 4, 4, 1))), ValueError, "x must be 2-D"),
        (
            lambda: ops.conv_output_size(3, 5),
            ValueError,
            "kernel 5 is larger than the padded input 3",
        ),
        (lambda: ops.conv_leftover(3, 5), ValueError, "kernel 5 is larger than the padded"),
        (lambda: ops.softmax("2, 1"), TypeError, "logits must be a numeric array"),
        (lambda: ops.conv_output_size(6, 3, 0), ValueError, "stride must be at least 1"),
        (lambda: ops.conv_output_size(6.0, 3), TypeError, "n must be an int"),
        (
            lambda: list(ops.conv2d_steps(SEED_IMAGE, np.zeros((3, 3, 1, 2)))),
            ValueError,
            "must be one kernel",
        ),
    ],
)
def test_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
