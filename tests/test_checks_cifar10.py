"""check.live_model reads each layer's activation: the two mistakes notebooks 03 and 05 exist
to prevent (no ReLU, softmax on the last layer) get a message naming the layer and the reason."""

from __future__ import annotations

import keras
import pytest

from workshop import models
from workshop.checks import cifar10 as check


def _live(activation="relu", last=None, separate_relu=False):
    keras.backend.clear_session()
    stack = [keras.Input(shape=(32, 32, 3))]
    for filters in (16, 32, 64):
        stack.append(
            keras.layers.Conv2D(
                filters, 3, padding="same", activation=None if separate_relu else activation
            )
        )
        if separate_relu:
            stack.append(keras.layers.ReLU())
        stack.append(keras.layers.MaxPooling2D(2))
    stack += [
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation=activation),
        keras.layers.Dense(10, activation=last),
    ]
    return keras.Sequential(stack)


def test_the_reference_and_a_model_with_relu_layers_pass():
    assert check.live_model.passed(models.live_cnn())
    assert check.live_model.passed(_live())
    assert check.live_model.passed(_live(separate_relu=True))


def test_no_relu_is_rejected_at_the_first_layer_with_the_reason():
    why = check.live_model.reason(_live(activation=None))
    assert why.startswith("layer 0 (Conv2D) has no activation")
    assert "collapse into one linear map" in why


def test_softmax_on_the_last_layer_is_rejected_with_the_reason():
    why = check.live_model.reason(_live(last="softmax"))
    assert why.startswith("layer 8 (Dense), the last layer, applies softmax")
    assert "from_logits=True" in why


def test_a_softmax_layer_after_the_last_dense_is_rejected_too():
    model = _live()
    with_softmax = keras.Sequential(
        [keras.Input(shape=(32, 32, 3)), *model.layers, keras.layers.Softmax()]
    )
    assert "applies softmax" in check.live_model.reason(with_softmax)


@pytest.mark.parametrize(("activation", "word"), [("sigmoid", "sigmoid"), ("tanh", "tanh")])
def test_another_hidden_activation_is_named(activation, word):
    assert f"applies {word}" in check.live_model.reason(_live(activation=activation))


def test_softmax_from_logits_choice():
    assert check.softmax_and_from_logits.passed("b")
    assert "no error" in check.softmax_and_from_logits.reason("a")
