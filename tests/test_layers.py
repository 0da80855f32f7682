"""workshop.layers: the layer table, the fixed tables against Keras, shapes and counts as text."""

import numpy as np
import pytest

from workshop.layers import (
    SMALL_CNN_TABLE,
    LayerInfo,
    activation_name,
    format_shape,
    intermediate_outputs,
    layer_table,
    multiply_adds,
    parse_count,
    parse_shape,
)


@pytest.fixture(scope="module")
def model():
    keras = pytest.importorskip("keras")
    layers = keras.layers
    keras.utils.set_random_seed(0)
    keras.backend.clear_session()
    # The same model notebook 04 builds in visible code.
    return keras.Sequential(
        [
            keras.Input(shape=(32, 32, 3)),
            layers.Conv2D(8, 3, padding="same", name="conv1"),
            layers.ReLU(name="relu1"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Conv2D(16, 3, padding="same", name="conv2"),
            layers.ReLU(name="relu2"),
            layers.MaxPooling2D(2, name="pool2"),
            layers.Flatten(name="flatten"),
            layers.Dense(32, activation="relu", name="dense"),
            layers.Dense(10, name="logits"),
        ],
        name="small_cnn",
    )


def test_layer_table_of_notebook_04_model_is_the_fixed_table(model):
    rows = layer_table(model)
    assert rows == list(SMALL_CNN_TABLE)
    assert sum(r.params for r in rows) == model.count_params() == 34522
    assert [r.kind for r in rows][:3] == ["Conv2D", "ReLU", "MaxPooling2D"]
    assert rows[0].signature == ("Conv2D", (32, 32, 8), 224)


def test_layer_table_rejects_non_models():
    with pytest.raises(TypeError, match="Keras model"):
        layer_table(np.zeros(3))


def test_multiply_adds_counts_conv_positions_and_dense_weights(model):
    conv1 = 32 * 32 * 8 * (3 * 3 * 3)
    conv2 = 16 * 16 * 16 * (3 * 3 * 8)
    dense = 1024 * 32 + 32 * 10
    assert multiply_adds(model) == conv1 + conv2 + dense


def test_intermediate_outputs_follow_the_table(model):
    image = np.random.default_rng(0).random((32, 32, 3)).astype("float32")
    outputs = intermediate_outputs(model, image)
    assert list(outputs) == [row.name for row in SMALL_CNN_TABLE]
    for row in SMALL_CNN_TABLE:
        assert outputs[row.name].shape == row.output_shape
    assert outputs["relu1"].min() >= 0
    np.testing.assert_allclose(
        outputs["logits"], model.predict(image[None], verbose=0)[0], rtol=1e-4, atol=1e-5
    )
    with pytest.raises(ValueError, match="input shape"):
        intermediate_outputs(model, image[:16])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("32, 32, 8", (32, 32, 8)),
        ("(32,32,8)", (32, 32, 8)),
        ("32x32x8", (32, 32, 8)),
        ("32 × 32 × 8", (32, 32, 8)),
        ("(None, 10)", (10,)),
        ("1024", (1024,)),
        ((16, 16, 8), (16, 16, 8)),
        ((None, 16), (16,)),
        ("", None),
        ("sixteen", None),
    ],
)
def test_parse_shape(text, expected):
    assert parse_shape(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (1168, 1168),
        ("1,168", 1168),
        ("1 168", 1168),
        ("1_168", 1168),
        ("", None),
        ("12.5", None),
        (True, None),
    ],
)
def test_parse_count(text, expected):
    assert parse_count(text) == expected


def test_format_shape_reads_back():
    assert format_shape((32, 32, 8)) == "32x32x8"
    assert format_shape((10,)) == "10"
    for row in SMALL_CNN_TABLE:
        assert parse_shape(format_shape(row.output_shape)) == row.output_shape


def test_fixed_tables_are_layer_rows():
    assert all(isinstance(row, LayerInfo) for row in SMALL_CNN_TABLE)
    flatten = next(row for row in SMALL_CNN_TABLE if row.kind == "Flatten")
    assert flatten.output_shape == (int(np.prod(SMALL_CNN_TABLE[5].output_shape)),)


def _activation_layers():
    keras = pytest.importorskip("keras")
    L = keras.layers
    return {
        "Dense relu": (L.Dense(4, activation="relu"), "relu"),
        "Conv2D relu": (L.Conv2D(4, 3, activation="relu"), "relu"),
        "Dense softmax": (L.Dense(4, activation="softmax"), "softmax"),
        "Dense, no activation": (L.Dense(4), "linear"),
        "Conv2D, no activation": (L.Conv2D(4, 3), "linear"),
        "Activation relu": (L.Activation("relu"), "relu"),
        "Activation softmax": (L.Activation("softmax"), "softmax"),
        "Activation linear": (L.Activation("linear"), "linear"),
        "ReLU layer": (L.ReLU(), "relu"),
        "Softmax layer": (L.Softmax(), "softmax"),
        "MaxPooling2D": (L.MaxPooling2D(2), "linear"),
        "Flatten": (L.Flatten(), "linear"),
    }


def test_activation_name_reads_fused_and_separate_activations_alike():
    # One rule for the checker (no ReLU, softmax last) and the network explorer (its stages,
    # and whether the model's output is already probabilities).
    for what, (layer, want) in _activation_layers().items():
        assert activation_name(layer) == want, what
    assert activation_name(object()) == "linear"  # not a layer at all: applies nothing
