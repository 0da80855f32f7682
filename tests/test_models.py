"""workshop.models: parameter counts, shapes, logits, and the checks built on them."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from workshop import layers, models  # noqa: E402
from workshop.checks import cifar10 as check  # noqa: E402

BUILDERS = {
    models.live_cnn: 89_834,
    models.classic_tutorial_cnn: 122_570,
    models.dense_baseline: 402_250,
    models.going_further_cnn: 357_482,
}


@pytest.mark.parametrize(
    "build, params", BUILDERS.items(), ids=lambda v: getattr(v, "__name__", "")
)
def test_parameter_counts_and_logit_output(build, params):
    model = build()
    assert model.count_params() == params
    assert tuple(model.input_shape) == (None, 32, 32, 3)
    assert tuple(model.output_shape) == (None, 10)
    # logits: the last layer has no softmax, so outputs are not probabilities
    assert model.layers[-1].activation.__name__ == "linear"
    assert not model.compiled


def test_classic_tutorial_model_is_the_known_122570_parameter_network():
    model = models.classic_tutorial_cnn()
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == [
        "Conv2D",
        "MaxPooling2D",
        "Conv2D",
        "MaxPooling2D",
        "Conv2D",
        "Flatten",
        "Dense",
        "Dense",
    ]
    assert model.count_params() == 122_570


def test_live_cnn_halves_the_image_at_each_pool_and_does_fewer_multiply_adds():
    table = layers.layer_table(models.live_cnn())
    pools = [row.output_shape for row in table if row.kind == "MaxPooling2D"]
    assert pools == [(16, 16, 16), (8, 8, 32), (4, 4, 64)]
    live = layers.multiply_adds(models.live_cnn())
    classic = layers.multiply_adds(models.classic_tutorial_cnn())
    assert live < 0.7 * classic


def test_outputs_are_finite_logits_for_a_batch():
    keras.utils.set_random_seed(0)
    model = models.live_cnn()
    x = np.random.default_rng(0).random((4, 32, 32, 3), dtype=np.float32)
    out = keras.ops.convert_to_numpy(model(x))
    assert out.shape == (4, 10)
    assert np.all(np.isfinite(out))
    assert not np.allclose(out.sum(axis=1), 1.0)  # not probabilities


def test_going_further_differs_only_while_training():
    # Batch norm and dropout behave differently in training; augmentation lives in the batches.
    keras.utils.set_random_seed(0)
    model = models.going_further_cnn()
    kinds = {type(layer).__name__ for layer in model.layers}
    assert {"BatchNormalization", "Dropout"} <= kinds
    assert not {"RandomFlip", "RandomTranslation"} & kinds
    x = np.random.default_rng(1).random((2, 32, 32, 3), dtype=np.float32)
    a = keras.ops.convert_to_numpy(model(x, training=False))
    b = keras.ops.convert_to_numpy(model(x, training=False))
    c = keras.ops.convert_to_numpy(model(x, training=True))
    np.testing.assert_allclose(a, b)
    assert not np.allclose(a, c)


def test_going_further_pools_before_batch_norm_and_relu():
    names = [type(layer).__name__ for layer in models.going_further_cnn().layers]
    block = ["Conv2D", "MaxPooling2D", "BatchNormalization", "ReLU"]
    assert names[:12] == block * 3
    textbook = models.going_further_cnn(pool_first=False)
    names = [type(layer).__name__ for layer in textbook.layers]
    assert names[:12] == ["Conv2D", "BatchNormalization", "ReLU", "MaxPooling2D"] * 3
    assert textbook.count_params() == 357_482
    with pytest.raises(TypeError, match="pool_first"):
        models.going_further_cnn(pool_first="yes")


def test_learner_errors_name_the_argument():
    with pytest.raises(ValueError, match="input_shape"):
        models.live_cnn(input_shape=(32, 32))
    with pytest.raises(ValueError, match="num_classes"):
        models.dense_baseline(num_classes=1)
    with pytest.raises(ValueError, match="dropout"):
        models.going_further_cnn(dropout=1.5)


def test_other_input_shapes_and_class_counts_work():
    model = models.live_cnn(input_shape=(64, 64, 1), num_classes=3)
    assert tuple(model.output_shape) == (None, 3)
    assert model.layers[0].count_params() == 3 * 3 * 1 * 16 + 16


def test_importing_models_checks_and_explorer_does_not_import_tensorflow():
    code = (
        "import sys, workshop.models, workshop.checks.cifar10, workshop.widgets.cifar10; "
        "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]; "
        "sys.exit(f'imported {bad}' if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr + result.stdout


def test_checker_constants_match_the_reference_models():
    keras.backend.clear_session()  # Keras' default layer names, as the table writes them
    live = models.live_cnn()
    assert tuple(layers.layer_table(live)) == layers.LIVE_CNN_TABLE
    assert check.live_model.expected == tuple(row.signature for row in layers.LIVE_CNN_TABLE)
    assert check.conv1_params.expected == live.layers[0].count_params()
    assert check.last_pool_shape.expected == tuple(live.layers[5].output.shape[1:])
    assert check.dense_first_params.expected == models.dense_baseline().layers[1].count_params()


def test_live_model_check_accepts_the_reference_and_explains_a_wrong_model():
    assert check.live_model.passed(models.live_cnn())
    why = check.live_model.reason(models.classic_tutorial_cnn())
    assert why is not None and why.startswith("layer 0 is a Conv2D with output 30x30x32")
    shorter = keras.Sequential(models.live_cnn().layers[:-1])
    assert "layers" in check.live_model.reason(shorter)
    assert not check.live_model.passed(models.dense_baseline())
    assert "keras model" in check.live_model.reason(42)
    assert not check.live_model.passed(...)


def test_softmax_check_wants_a_stable_function():
    def stable(z):
        e = np.exp(z - np.max(z))
        return e / e.sum()

    def naive(z):
        return np.exp(z) / np.exp(z).sum()  # overflows for large logits

    assert check.softmax.passed(stable)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the checker must not spill numpy warnings
        assert "overflows" in check.softmax.reason(naive)
    assert not check.softmax.passed(lambda z: z / z.sum())
    assert "raised" in check.softmax.reason(lambda z: 1 / 0)
    assert not check.softmax.passed(np.ones(5))
    assert "returns None" in check.softmax.reason(lambda z: None)


def test_simple_checks(capsys):
    assert check.conv1_params.passed(448)
    assert not check.conv1_params.passed(432)
    assert check.last_pool_shape.passed((4, 4, 64))
    assert not check.last_pool_shape.passed((8, 8, 64))
    assert check.dense_first_params.passed(393_344)
    assert check.from_logits.passed(True)
    assert not check.from_logits.passed(False)
    check.conv1_params(...)
    assert "no answer yet" in capsys.readouterr().out
