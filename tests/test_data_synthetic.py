"""WORKSHOP_DATA=synthetic: CIFAR-10 shapes and dtypes, ten learnable classes, loud, seeded."""

from __future__ import annotations

import numpy as np
import pytest

from workshop.data import _load, load_cifar10, to_float
from workshop.data._synthetic import SYNTHETIC_SHAPES, synthetic_images
from workshop.images import LUMA


@pytest.fixture(autouse=True)
def synthetic(monkeypatch):
    monkeypatch.setenv("WORKSHOP_DATA", "synthetic")


def test_shapes_dtypes_and_balance():
    (x, y), (xt, yt) = load_cifar10(n_train=2000, n_test=500, seed=0)
    assert x.shape == (2000, 32, 32, 3) and x.dtype == np.uint8
    assert y.shape == (2000, 1) and y.dtype == np.uint8
    assert xt.shape == (500, 32, 32, 3) and yt.shape == (500, 1) and yt.dtype == np.uint8
    assert np.bincount(y[:, 0], minlength=10).tolist() == [200] * 10
    assert np.bincount(yt[:, 0], minlength=10).tolist() == [50] * 10
    assert len(SYNTHETIC_SHAPES) == 10


def test_default_sizes_are_cifar_sizes(monkeypatch):
    # Same code path as the full 50,000 / 10,000, made smaller to keep the test fast.
    monkeypatch.setattr(_load, "N_TRAIN", 120)  # the loader's own names, not the public face
    monkeypatch.setattr(_load, "N_TEST", 30)
    (x, _), (xt, _) = load_cifar10()
    assert x.shape == (120, 32, 32, 3) and xt.shape == (30, 32, 32, 3)


def test_announces_itself_on_every_load(capsys):
    load_cifar10(n_train=10, n_test=10)
    load_cifar10(n_train=10, n_test=10)
    assert capsys.readouterr().out.count("SYNTHETIC stand-in, not CIFAR-10") == 2


def test_deterministic_for_a_seed():
    (a, ya), (at, _) = load_cifar10(n_train=300, n_test=100, seed=7)
    (b, yb), (bt, _) = load_cifar10(n_train=300, n_test=100, seed=7)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ya, yb)
    np.testing.assert_array_equal(at, bt)
    (c, _), _ = load_cifar10(n_train=300, n_test=100, seed=8)
    assert not np.array_equal(a, c)
    # Test images are not copies of training images.
    assert not np.array_equal(a[:100], at)


def test_images_are_pictures_not_noise():
    x, y = synthetic_images(500, seed=1)
    assert x.std() > 30  # uses the range
    # Neighbouring pixels are strongly correlated in pictures, not in noise.
    f = x.astype(float)
    dx = np.abs(np.diff(f, axis=2)).mean()
    assert dx < 0.5 * np.abs(f - f.mean()).mean()  # uniform noise: about 1.3
    # Every image holds a shape: a brighter region covering a reasonable share of pixels.
    lum = f @ LUMA
    bright = lum > (lum.min(axis=(1, 2), keepdims=True) + lum.max(axis=(1, 2), keepdims=True)) / 2
    share = bright.mean(axis=(1, 2))
    assert 0.02 < share.min() and share.max() < 0.8


@pytest.mark.parametrize("n", [-1, 2.0, True])
def test_bad_n(n):
    with pytest.raises(ValueError, match="n must be a non-negative integer"):
        synthetic_images(n)


def test_a_small_cnn_learns_it_in_two_epochs():
    import keras

    (x, y), (xt, yt) = load_cifar10(n_train=2000, n_test=500, seed=0)
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(32, 32, 3)),
            keras.layers.Conv2D(16, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(10),
        ]
    )
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(to_float(x), y, epochs=2, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(to_float(xt), yt, verbose=0)
    assert accuracy > 0.2  # chance is 0.1
