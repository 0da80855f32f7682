"""The notebook 04 helpers against a real Keras model: table, diagram, tracker, kernels, maps."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from workshop.checks.architecture import SMALL_CNN  # noqa: E402
from workshop.widgets.architecture import (  # noqa: E402
    LayerInfo,
    ShapeTracker,
    compare_kernels,
    draw_architecture,
    format_shape,
    intermediate_outputs,
    layer_table,
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


def test_layer_table_matches_the_checker_table_and_keras(model):
    rows = layer_table(model)
    assert [(r.name, r.output_shape, r.params) for r in rows] == list(SMALL_CNN)
    assert sum(r.params for r in rows) == model.count_params() == 34522
    assert [r.kind for r in rows][:3] == ["Conv2D", "ReLU", "MaxPooling2D"]


def test_layer_table_rejects_non_models():
    with pytest.raises(TypeError, match="Keras model"):
        layer_table(np.zeros(3))


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


def test_format_shape():
    assert format_shape((32, 32, 8)) == "32x32x8"
    assert format_shape((10,)) == "10"


def test_tracker_all_right_after_button_click(model):
    tracker = ShapeTracker(model)
    tracker.set_guesses({name: (shape, params) for name, shape, params in SMALL_CNN})
    tracker.check_button.click()
    assert tracker.score == (18, 18)
    assert all(r["shape_ok"] and r["params_ok"] for r in tracker.results)
    assert "18 of 18" in tracker.summary.value
    assert tracker.verdicts["conv2"].value.count("right") == 2


def test_tracker_marks_each_wrong_field(model):
    tracker = ShapeTracker(model)
    tracker.shape_boxes["conv1"].value = "32, 32, 8"
    tracker.param_boxes["conv1"].value = "216"  # forgot the 8 biases
    tracker.shape_boxes["pool1"].value = "16x16x8"
    tracker.param_boxes["pool1"].value = "0"
    tracker.shape_boxes["flatten"].value = "what?"
    results = {r["layer"]: r for r in tracker.check()}
    assert results["conv1"]["shape_ok"] and not results["conv1"]["params_ok"]
    assert results["conv1"]["guess_params"] == 216 and results["conv1"]["true_params"] == 224
    assert results["pool1"]["shape_ok"] and results["pool1"]["params_ok"]
    assert results["flatten"]["guess_shape"] is None and not results["flatten"]["shape_ok"]
    assert tracker.score == (3, 18)
    assert tracker.verdicts["conv1"].value.count("wrong") == 1
    assert tracker.verdicts["flatten"].value.count("wrong") == 1  # typed, unreadable
    assert "not answered" in tracker.verdicts["flatten"].value  # params box left empty
    assert tracker.verdicts["dense"].value.count("not answered") == 2
    assert "conv params" in tracker.summary.value


def test_tracker_reveal_and_descriptions(model):
    tracker = ShapeTracker(model)
    tracker.answer_button.click()
    assert "16x16x16, 1,168 params" in tracker.verdicts["conv2"].value
    assert "34,522" in tracker.summary.value
    assert tracker.shape_boxes["dense"].description == "dense shape"
    assert tracker.param_boxes["dense"].description == "dense params"
    assert tracker.check_button.description == "check my guesses"
    with pytest.raises(KeyError, match="conv9"):
        tracker.set_guesses({"conv9": ((1,), 0)})


def test_draw_architecture_boxes_and_title(model):
    ax = draw_architecture(model)
    assert len(ax.patches) == 10 + 9  # input + 9 layer boxes, 9 arrows
    assert "34,522 parameters" in ax.get_title()
    texts = [t.get_text() for t in ax.texts]
    assert "Conv2D\n32x32x8\n224 params" in texts and "Input\n32x32x3" in texts
    plt.close(ax.figure)


def test_draw_architecture_from_rows_without_keras():
    rows = [LayerInfo("a", "Dense", (4,), 12), LayerInfo("b", "Dense", (2,), 10)]
    ax = draw_architecture(rows, input_shape=(2,), title="tiny")
    assert ax.get_title() == "tiny" and len(ax.patches) == 3 + 2
    plt.close(ax.figure)


def test_compare_kernels_shapes_and_errors():
    rng = np.random.default_rng(0)
    before = rng.normal(size=(3, 3, 3, 8))
    fig = compare_kernels(before, before + 0.1)
    assert len(fig.axes) == 3 * 8 + 1  # three rows of eight, plus the colour bar
    plt.close(fig)
    with pytest.raises(ValueError, match="same shape"):
        compare_kernels(before, before[..., :4])


def test_intermediate_outputs_follow_the_table(model):
    image = np.random.default_rng(0).random((32, 32, 3)).astype("float32")
    outputs = intermediate_outputs(model, image)
    assert list(outputs) == [name for name, _, _ in SMALL_CNN]
    for name, shape, _ in SMALL_CNN:
        assert outputs[name].shape == shape
    assert outputs["relu1"].min() >= 0
    np.testing.assert_allclose(
        outputs["logits"], model.predict(image[None], verbose=0)[0], rtol=1e-4, atol=1e-5
    )
    with pytest.raises(ValueError, match="input shape"):
        intermediate_outputs(model, image[:16])


def test_tracker_defaults_to_the_notebook_model_without_keras():
    tracker = ShapeTracker()
    assert [r.name for r in tracker.truth] == [name for name, _, _ in SMALL_CNN]
    tracker.shape_boxes["pool2"].value = "8, 8, 16"
    tracker.param_boxes["pool2"].value = "0"
    tracker.check_button.click()
    assert tracker.score == (2, 18)
    rows = [LayerInfo("a", "Dense", (4,), 12)]
    assert ShapeTracker(rows).truth == rows
    with pytest.raises(TypeError, match="LayerInfo"):
        ShapeTracker([("a", (4,), 12)])


def test_small_cnn_table_matches_keras(model):
    from workshop.widgets.architecture import SMALL_CNN_TABLE

    assert layer_table(model) == list(SMALL_CNN_TABLE)
