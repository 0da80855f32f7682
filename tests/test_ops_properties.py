"""Property tests: workshop.ops agrees with SciPy and TensorFlow on random inputs."""

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import correlate2d

from workshop import ops

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


# Only the tests that compare with TensorFlow need it: the SciPy and NumPy properties run
# (and can fail) on a machine without it.
@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


@st.composite
def conv_case(draw, max_channels=3):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    h, w = draw(st.integers(kh, 9)), draw(st.integers(kw, 9))
    c = draw(st.integers(1, max_channels))
    f = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    image = rng.normal(size=(h, w, c)).astype(np.float32)
    bank = rng.normal(size=(kh, kw, c, f)).astype(np.float32)
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    return image, bank, stride


@settings(max_examples=60, deadline=None)
@given(
    h=st.integers(1, 12),
    w=st.integers(1, 12),
    kh=st.integers(1, 5),
    kw=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
)
def test_conv2d_matches_scipy_correlate2d(h, w, kh, kw, seed):
    rng = np.random.default_rng(seed)
    image, kernel = rng.normal(size=(h, w)), rng.normal(size=(kh, kw))
    if kh > h or kw > w:
        with pytest.raises(ValueError, match="larger than the padded image"):
            ops.conv2d(image, kernel)
        return
    np.testing.assert_allclose(
        ops.conv2d(image, kernel), correlate2d(image, kernel, "valid"), atol=1e-9
    )


@settings(max_examples=40, deadline=None)
@given(
    h=st.integers(1, 10),
    w=st.integers(1, 10),
    k=st.integers(1, 4),
    p=st.integers(0, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_int_padding_matches_scipy_on_zero_padded_input(h, w, k, p, seed):
    rng = np.random.default_rng(seed)
    image, kernel = rng.normal(size=(h, w)), rng.normal(size=(k, k))
    if k > min(h, w) + 2 * p:
        return
    expected = correlate2d(np.pad(image, p), kernel, "valid")
    np.testing.assert_allclose(ops.conv2d(image, kernel, padding=p), expected, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(case=conv_case(), padding=st.sampled_from(["valid", "same"]))
def test_conv2d_matches_tensorflow(tf, case, padding):
    image, bank, stride = case
    expected = tf.nn.conv2d(image[None], bank, strides=(1, *stride, 1), padding=padding.upper())
    np.testing.assert_allclose(
        ops.conv2d(image, bank, stride, padding), expected.numpy()[0], rtol=1e-4, atol=1e-4
    )


@settings(max_examples=40, deadline=None)
@given(
    h=st.integers(1, 10),
    w=st.integers(1, 10),
    c=st.integers(1, 3),
    size=st.integers(1, 3),
    stride=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(["max", "avg"]),
)
def test_pooling_matches_keras(keras, h, w, c, size, stride, seed, kind):
    if size > min(h, w):
        return
    x = np.random.default_rng(seed).normal(size=(h, w, c)).astype(np.float32)
    layer_cls = keras.layers.MaxPooling2D if kind == "max" else keras.layers.AveragePooling2D
    expected = np.asarray(layer_cls(pool_size=size, strides=stride)(x[None]))[0]
    ours = (ops.max_pool2d if kind == "max" else ops.avg_pool2d)(x, size, stride)
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 4), p=st.integers(0, 3))
def test_conv_output_size_agrees_with_conv2d(n, k, s, p):
    if k > n + 2 * p:  # the only setting that does not fit
        with pytest.raises(ValueError):
            ops.conv_output_size(n, k, s, p)
        return
    out = ops.conv2d(np.ones((n, 1)), np.ones((k, 1)), stride=(s, 1), padding=(p, 0))
    size, left = ops.conv_output_size(n, k, s, p), ops.conv_leftover(n, k, s, p)
    assert out.shape[0] == size
    assert 0 <= left < s and (size - 1) * s + k + left == n + 2 * p


@settings(max_examples=40, deadline=None)
@given(
    h=st.integers(2, 8), w=st.integers(2, 8), size=st.integers(1, 3), seed=st.integers(0, 2**32 - 1)
)
def test_pool_argmax_points_at_the_maximum(h, w, size, seed):
    if size > min(h, w):
        return
    x = np.random.default_rng(seed).normal(size=(h, w))
    where = ops.pool_argmax(x, size)
    np.testing.assert_array_equal(x[where[..., 0], where[..., 1]], ops.max_pool2d(x, size))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_relu_is_idempotent_and_nonnegative(seed):
    x = np.random.default_rng(seed).normal(size=(5, 5))
    once = ops.relu(x)
    assert (once >= 0).all()
    np.testing.assert_array_equal(ops.relu(once), once)
    np.testing.assert_array_equal(once[x > 0], x[x > 0])


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 8), st.integers(2, 8), st.integers(1, 3))
def test_max_pool_and_relu_commute(seed, h, w, size):
    # models.going_further_cnn pools before its ReLU to save work; this is why that is allowed.
    x = np.random.default_rng(seed).normal(size=(h, w)).astype(np.float32)
    size = min(size, h, w)
    np.testing.assert_array_equal(
        ops.max_pool2d(ops.relu(x), size), ops.relu(ops.max_pool2d(x, size))
    )
