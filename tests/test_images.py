"""workshop.images: the one grey conversion, the sample photo crops and model inputs."""

import numpy as np
import pytest

from workshop import images


def test_to_gray_weighs_green_most():
    pixel = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]]], dtype=np.uint8)
    np.testing.assert_allclose(images.to_gray(pixel)[0], images.LUMA)
    assert images.LUMA.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="image must be"):
        images.to_gray(np.zeros((2, 2, 2)))


def test_square_photo_is_square_gray_in_zero_one():
    photo = images.square_photo()
    assert photo.shape == (512, 512) and 0 <= photo.min() and photo.max() <= 1
    assert images.square_photo(64).shape == (64, 64)


def test_as_model_input_scales_resizes_and_converts():
    rng = np.random.default_rng(0)
    photo = rng.integers(0, 256, size=(50, 70, 3), dtype=np.uint8)
    colour = images.as_model_input(photo, (32, 32, 3))
    assert colour.shape == (32, 32, 3) and colour.dtype == np.float32
    assert 0 <= colour.min() and colour.max() <= 1
    same_size = images.as_model_input(photo[:32, :32], (32, 32, 3))
    np.testing.assert_allclose(same_size, photo[:32, :32] / 255.0, atol=1e-6)
    gray = images.as_model_input(photo[:32, :32], (32, 32, 1))
    np.testing.assert_allclose(gray[..., 0], images.to_gray(photo[:32, :32]), atol=1e-6)
    assert images.as_model_input(gray[..., 0], (32, 32, 3)).shape == (32, 32, 3)
    with pytest.raises(ValueError, match="photo"):
        images.as_model_input(np.zeros(5), (32, 32, 3), name="photo")
