"""The network explorer, driven headless: controls change the state, the state matches Keras."""

from __future__ import annotations

import numpy as np
import pytest

from tests.widget_fixtures import blitting_error

keras = pytest.importorskip("keras")

from workshop import models  # noqa: E402
from workshop.ops import softmax  # noqa: E402
from workshop.widgets.cifar10 import NetworkExplorer, model_stages  # noqa: E402

CLASSES = [f"class {i}" for i in range(10)]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(12, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, size=(12, 1))
    return images, labels


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    return models.live_cnn()


@pytest.fixture()
def explorer(model, data):
    images, labels = data
    return NetworkExplorer(model, images, labels, CLASSES)


def test_stages_cover_conv_relu_and_pool_of_every_block(explorer):
    labels = [s[0] for s in explorer.stages]
    assert len(labels) == 9
    assert labels[0].endswith("convolution (before relu)")
    assert labels[1].endswith("after relu")
    assert labels[2].endswith("max pooling")
    shapes = [explorer.activations[label].shape for label in labels]
    assert shapes == [
        (32, 32, 16),
        (32, 32, 16),
        (16, 16, 16),
        (16, 16, 32),
        (16, 16, 32),
        (8, 8, 32),
        (8, 8, 64),
        (8, 8, 64),
        (4, 4, 64),
    ]


def test_choosing_an_image_updates_maps_and_matches_model_predictions(explorer, model, data):
    images, labels = data
    before = {k: v.copy() for k, v in explorer.activations.items()}
    explorer.index_slider.value = 5
    assert explorer.index == 5
    for k, v in explorer.activations.items():
        assert not np.allclose(v, before[k]), k
    want = keras.ops.convert_to_numpy(model(images[5:6].astype("float32") / 255))[0]
    np.testing.assert_allclose(explorer.logits, want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(explorer.probabilities, softmax(want), rtol=1e-4, atol=1e-6)
    assert explorer.probabilities.sum() == pytest.approx(1.0)
    assert explorer.predicted == int(np.argmax(want))
    assert f"test image 5: true: {CLASSES[int(labels[5, 0])]}" in explorer.caption.value


def test_relu_stage_is_the_positive_part_of_the_convolution_and_pool_takes_maxima(explorer):
    explorer.index_slider.value = 2
    pre, post, pool = (explorer.activations[s[0]] for s in explorer.stages[:3])
    assert pre.min() < 0 < pre.max()
    np.testing.assert_allclose(post, np.maximum(pre, 0), atol=1e-5)
    np.testing.assert_allclose(pool, post.reshape(16, 2, 16, 2, 16).max(axis=(1, 3)), atol=1e-6)


def test_stage_picker_and_map_pages_redraw_the_figure(explorer):
    explorer.stage_picker.value = explorer.stages[6][0]  # 64 maps of 8x8
    assert explorer.selected_maps().shape == (8, 8, 64)
    assert explorer.first_map.max == 48
    explorer.first_map.value = 48
    shown = explorer._im_maps[0].get_array()
    np.testing.assert_allclose(shown, explorer.selected_maps()[:, :, 48])
    assert explorer.ax_maps[0].get_title() == "map 48"
    explorer.stage_picker.value = explorer.stages[0][0]  # 16 maps: the page resets
    assert explorer.first_map.max == 0 and explorer.first_map.value == 0
    widths = [bar.get_width() for bar in explorer._bars]
    np.testing.assert_allclose(widths, explorer.probabilities)


def test_a_photograph_of_any_size_is_resized_and_classified(model, data):
    images, labels = data
    photo = np.random.default_rng(3).integers(0, 256, size=(50, 70, 3), dtype=np.uint8)
    explorer = NetworkExplorer(model, images, labels, CLASSES, photo=photo)
    assert explorer.source.options == ("test images", "sample photo", "your photo")
    explorer.source.value = "your photo"
    assert explorer.index_slider.disabled
    assert explorer.image.shape == (32, 32, 3)
    assert 0.0 <= explorer.image.min() and explorer.image.max() <= 1.0
    want = keras.ops.convert_to_numpy(model(explorer.image[None]))[0]
    np.testing.assert_allclose(explorer.logits, want, rtol=1e-4, atol=1e-5)
    explorer.source.value = "sample photo"
    assert not np.allclose(explorer.logits, want)
    assert explorer.caption.value.startswith("<b>sample photo:")


def test_functional_model_with_separate_relu_and_softmax_output():
    keras.utils.set_random_seed(1)
    inputs = keras.Input(shape=(16, 16, 1))
    x = keras.layers.Conv2D(4, 3, name="conv")(inputs)
    x = keras.layers.ReLU(name="relu")(x)
    x = keras.layers.AveragePooling2D(2, name="pool")(x)
    x = keras.layers.Dropout(0.5)(x)
    x = keras.layers.Flatten()(x)
    outputs = keras.layers.Dense(3, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    assert [s[0] for s in model_stages(model)] == [
        "conv: convolution",
        "relu: ReLU",
        "pool: average pooling",
    ]
    images = np.random.default_rng(0).random((4, 16, 16, 1))
    explorer = NetworkExplorer(model, images, class_names=["a", "b", "c"])
    explorer.index_slider.value = 3
    want = keras.ops.convert_to_numpy(model(images[3:4].astype("float32")))[0]
    np.testing.assert_allclose(explorer.probabilities, want, rtol=1e-4, atol=1e-6)
    assert explorer.activations["relu: ReLU"].min() >= 0


@pytest.mark.parametrize("last", ["Softmax", "Activation"])
def test_a_separate_softmax_layer_counts_as_probabilities_output(last):
    # The model already outputs probabilities: the explorer must not apply softmax again.
    keras.utils.set_random_seed(2)
    softmax_layer = (
        keras.layers.Softmax() if last == "Softmax" else keras.layers.Activation("softmax")
    )
    model = keras.Sequential(
        [
            keras.Input(shape=(8, 8, 1)),
            keras.layers.Conv2D(2, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(3),
            softmax_layer,
        ]
    )
    images = np.random.default_rng(1).random((2, 8, 8, 1))
    explorer = NetworkExplorer(model, images, class_names=["a", "b", "c"])
    assert explorer.outputs_softmax
    want = keras.ops.convert_to_numpy(model(images[:1].astype("float32")))[0]
    np.testing.assert_allclose(explorer.probabilities, want, rtol=1e-4, atol=1e-6)


def test_errors_say_what_to_fix(model, data):
    images, _ = data
    with pytest.raises(TypeError, match="keras.Model"):
        NetworkExplorer("model", images)
    with pytest.raises(ValueError, match="images"):
        NetworkExplorer(model, images[0])
    with pytest.raises(ValueError, match="class_names"):
        NetworkExplorer(model, images, class_names=["cat", "dog"])
    with pytest.raises(ValueError, match="labels"):
        NetworkExplorer(model, images, labels=np.zeros(3))
    with pytest.raises(ValueError, match="photo"):
        NetworkExplorer(model, images, photo=np.zeros(5))
    dense = models.dense_baseline()
    with pytest.raises(ValueError, match="CNN"):
        NetworkExplorer(dense, images)


def test_every_change_redraws_and_blitting_matches_a_full_redraw(explorer):
    redraws, picture = explorer.view.redraws, explorer.view.image.value
    explorer.stage_picker.value = explorer.stages[6][0]  # 64 maps of 8x8
    explorer.first_map.value = 48
    assert explorer.view.redraws > redraws and explorer.view.image.value != picture
    assert blitting_error(explorer.view) < 0.5
