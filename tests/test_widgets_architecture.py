"""Notebook 04's shape-and-parameter tracker, driven headless like a learner's typing."""

from types import SimpleNamespace

import pytest

from workshop.layers import SMALL_CNN_TABLE, LayerInfo
from workshop.widgets.architecture import ShapeTracker


def _stub_layer(row: LayerInfo) -> object:
    """What the tracker reads from a Keras layer: class name, name, output shape, count."""
    layer = type(row.kind, (), {"count_params": lambda self: row.params})()
    layer.name = row.name
    layer.output = SimpleNamespace(shape=(None, *row.output_shape))  # with the batch axis
    return layer


@pytest.fixture
def model():
    """Notebook 04's model as the tracker sees it (test_layers checks the table against Keras)."""
    return SimpleNamespace(layers=[_stub_layer(row) for row in SMALL_CNN_TABLE])


def test_tracker_reads_the_model(model):
    assert ShapeTracker(model).truth == list(SMALL_CNN_TABLE)


def test_tracker_all_right_after_button_click(model):
    tracker = ShapeTracker(model)
    tracker.set_guesses({row.name: (row.output_shape, row.params) for row in SMALL_CNN_TABLE})
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


def test_tracker_defaults_to_the_notebook_model_without_keras():
    tracker = ShapeTracker()
    assert tracker.truth == list(SMALL_CNN_TABLE)
    tracker.shape_boxes["pool2"].value = "8, 8, 16"
    tracker.param_boxes["pool2"].value = "0"
    tracker.check_button.click()
    assert tracker.score == (2, 18)
    rows = [LayerInfo("a", "Dense", (4,), 12)]
    assert ShapeTracker(rows).truth == rows
    with pytest.raises(TypeError, match="LayerInfo"):
        ShapeTracker([("a", (4,), 12)])
