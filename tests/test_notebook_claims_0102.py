"""Figures that notebooks 01 and 02 state in prose, computed independently here.

Each test computes a figure (with Keras, SciPy or plain arithmetic, not with the notebook's own
code) and checks that the notebook's markdown still states it, so a change to either side fails.
"""

from pathlib import Path

import nbformat
import numpy as np
import pytest
from scipy.signal import correlate2d

from workshop import kernels, ops, shift_experiment

ROOT = Path(__file__).resolve().parents[1]
NB01 = ROOT / "notebooks" / "01_feature_extraction.ipynb"
NB02 = ROOT / "notebooks" / "02_convolution_by_hand.ipynb"


def _markdown(path: Path) -> str:
    """All markdown cells (speaker notes included), whitespace collapsed to single spaces."""
    nb = nbformat.read(path, as_version=4)
    return " ".join(" ".join(c.source.split()) for c in nb.cells if c.cell_type == "markdown")


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def _count(keras, layer, shape, flatten=False):
    keras.backend.clear_session()
    x = keras.Input(shape=shape)
    layer(keras.layers.Flatten()(x) if flatten else x)
    return layer.count_params()


def test_nb01_parameter_counts(keras):
    text = _markdown(NB01)
    inputs = 32 * 32 * 3
    dense = _count(keras, keras.layers.Dense(64), (32, 32, 3), flatten=True)
    conv = _count(keras, keras.layers.Conv2D(64, 3), (32, 32, 3))
    assert (inputs, dense, conv) == (3_072, 196_672, 1_792)
    assert f"{inputs:,} inputs" in text
    assert f"{dense:,} parameters" in text
    assert f"needs {conv:,}" in text
    # objectives: "differ by a factor of about a hundred"
    assert round(dense / conv, -2) == 100
    assert "a factor of about a hundred" in text
    # speaker notes: a 224x224 photo, same 64 units
    big = _count(keras, keras.layers.Dense(64), (224, 224, 3), flatten=True)
    assert f"{big / 1e6:.1f} million" == "9.6 million"
    assert "about 9.6 million weights" in text
    assert f"stays at {conv:,}" in text


def test_nb01_shift_experiment_setup(keras):
    text = _markdown(NB01)
    dense = shift_experiment.build_dense().count_params()
    cnn = shift_experiment.build_cnn().count_params()
    assert (dense, cnn) == (16_578, 98)
    assert f"({dense:,} parameters)" in text and f"({cnn} parameters)" in text
    # the run() the notebook calls uses the numbers the prose gives
    import inspect

    defaults = {k: v.default for k, v in inspect.signature(shift_experiment.run).parameters.items()}
    assert defaults["n_train"] == 1200 and defaults["epochs"] == 8
    assert "1,200 unshifted canvases for 8 epochs" in text
    assert defaults["shifts"] == (0, 2, 4, 6, 8)
    assert "moved 0, 2, 4, 6 or 8 pixels" in text
    size = shift_experiment.CANVAS
    assert f"noisy {size}×{size} canvas" in text
    assert shift_experiment.PATTERNS["plus"].sum() == shift_experiment.PATTERNS["cross"].sum() == 9
    assert "exactly nine bright pixels" in text


def test_nb01_kernel_claims():
    text = _markdown(NB01)
    # edge kernels are zero on flat areas; blur and sharpen keep brightness
    for name in ("vertical edges", "horizontal edges", "outline"):
        assert kernels.get(name).sum() == 0, name
    for name in ("blur", "sharpen", "gaussian blur"):
        assert np.isclose(kernels.get(name).sum(), 1), name
    assert "is zero on flat areas" in text and "Blur and sharpen keep brightness" in text
    # speaker notes: nine equal weights adding up to 9 make a flat area nine times brighter
    flat = np.full((5, 5), 0.1)
    assert np.allclose(correlate2d(flat, np.ones((3, 3)), "valid"), 9 * 0.1)
    assert "nine times brighter" in text
    # section 5: the gaussian blur removes the +-1 checkerboard, the outline keeps it
    rows, cols = np.mgrid[0:8, 0:8]
    checkerboard = np.where((rows + cols) % 2 == 0, 1.0, -1.0)
    assert np.allclose(correlate2d(checkerboard, kernels.get("gaussian blur"), "valid"), 0)
    assert np.all(np.abs(correlate2d(checkerboard, kernels.get("outline"), "valid")) == 8)


def test_nb02_worked_example():
    text = _markdown(NB02)
    img, k = kernels.SEED_IMAGE, kernels.SEED_KERNEL
    fmap = correlate2d(img, k, "valid").astype(int)
    assert fmap.tolist() == [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
    assert "[[4, 3, 4], [2, 4, 3], [2, 3, 4]]" in text
    products = (img[:3, :3] * k).astype(int).ravel()
    assert "The sum is " + " + ".join(map(str, products)) in text
    assert products.sum() == 4 and "1 + 1 + 1 + 1 = 4" in text
    # "the X kernel has five ones, so 5 would be a perfect X"; the smallest value is 2
    assert k.sum() == 5 and fmap.min() == 2 and "the X kernel has five ones" in text
    assert "3×3 instead of 5×5" in text
    # speaker notes: the X kernel is symmetric, so flipping it changes nothing
    assert np.array_equal(k, k[::-1, ::-1])


def test_nb02_colour_layer(keras):
    text = _markdown(NB02)
    keras.backend.clear_session()
    layer = keras.layers.Conv2D(32, kernel_size=5)
    maps = layer(keras.Input(shape=(32, 32, 3)))
    assert layer.count_params() == 32 * (5 * 5 * 3 + 1) == 2_432
    assert "32 × (5·5·3 + 1) = 2,432 parameters" in text
    assert tuple(maps.shape[1:3]) == (28, 28) and "32 maps of 28×28" in text


def test_nb02_output_size_rounds_down_and_drops_the_rest_as_keras_does(keras):
    text = _markdown(NB02)
    assert "rounds down" in text and "**left over** and dropped" in text
    assert "⌊(n + 2p − k) / s⌋ + 1" in text  # key points
    # the setting the notebook prints: n=5, k=3, stride 3 -> one window, 2 rows left over
    keras.backend.clear_session()
    layer = keras.layers.Conv2D(1, 3, strides=3)
    out = layer(np.zeros((1, 5, 5, 1), dtype="float32"))
    assert tuple(out.shape[1:3]) == (1, 1) == (ops.conv_output_size(5, 3, stride=3),) * 2
    assert ops.conv_leftover(5, 3, stride=3) == 2
    assert ops.conv2d(kernels.SEED_IMAGE, kernels.SEED_KERNEL, stride=3).shape == (1, 1)
