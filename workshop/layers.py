"""A model read layer by layer: the one layer table, activations, shapes and counts as text,
multiply-adds.

Checkers, the shape tracker, the diagrams, the benchmarks and the tests all describe a model
the same way: one :class:`LayerInfo` row per layer. The fixed tables below are the models the
notebooks build, written out so checkers and the tracker work without TensorFlow (tests build
the real models and compare).

Nothing here imports Keras at module level: the functions read what a model object already
holds (``layer.output.shape``, ``count_params()``); only :func:`intermediate_outputs` imports
Keras, inside the function.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "ACTIVATION_LAYERS",
    "LIVE_CNN_TABLE",
    "LayerInfo",
    "SMALL_CNN_TABLE",
    "activation_name",
    "format_shape",
    "intermediate_outputs",
    "layer_table",
    "multiply_adds",
    "parse_count",
    "parse_shape",
]


@dataclass(frozen=True)
class LayerInfo:
    """One row of a model's table: what the layer is, what comes out, how many weights."""

    name: str
    kind: str  # Keras class name, e.g. "Conv2D"
    output_shape: tuple[int, ...]  # without the batch axis
    params: int

    @property
    def signature(self) -> tuple[str, tuple[int, ...], int]:
        """(kind, output shape, parameters): what two models must share, names aside.

        Keras numbers its default names per session (``conv2d``, ``conv2d_1``...), so a
        learner's model is compared on this, never on names.
        """
        return self.kind, self.output_shape, self.params


# The model notebook 04 builds in visible code (named layers), as Keras reports it.
SMALL_CNN_TABLE: tuple[LayerInfo, ...] = (
    LayerInfo("conv1", "Conv2D", (32, 32, 8), (3 * 3 * 3 + 1) * 8),
    LayerInfo("relu1", "ReLU", (32, 32, 8), 0),
    LayerInfo("pool1", "MaxPooling2D", (16, 16, 8), 0),
    LayerInfo("conv2", "Conv2D", (16, 16, 16), (3 * 3 * 8 + 1) * 16),
    LayerInfo("relu2", "ReLU", (16, 16, 16), 0),
    LayerInfo("pool2", "MaxPooling2D", (8, 8, 16), 0),
    LayerInfo("flatten", "Flatten", (8 * 8 * 16,), 0),
    LayerInfo("dense", "Dense", (32,), (8 * 8 * 16 + 1) * 32),
    LayerInfo("logits", "Dense", (10,), (32 + 1) * 10),
)

# models.live_cnn(), the model notebook 05's learners type; the names are the ones Keras
# gives in a fresh session (after keras.backend.clear_session()).
LIVE_CNN_TABLE: tuple[LayerInfo, ...] = (
    LayerInfo("conv2d", "Conv2D", (32, 32, 16), (3 * 3 * 3 + 1) * 16),
    LayerInfo("max_pooling2d", "MaxPooling2D", (16, 16, 16), 0),
    LayerInfo("conv2d_1", "Conv2D", (16, 16, 32), (3 * 3 * 16 + 1) * 32),
    LayerInfo("max_pooling2d_1", "MaxPooling2D", (8, 8, 32), 0),
    LayerInfo("conv2d_2", "Conv2D", (8, 8, 64), (3 * 3 * 32 + 1) * 64),
    LayerInfo("max_pooling2d_2", "MaxPooling2D", (4, 4, 64), 0),
    LayerInfo("flatten", "Flatten", (4 * 4 * 64,), 0),
    LayerInfo("dense", "Dense", (64,), (4 * 4 * 64 + 1) * 64),
    LayerInfo("dense_1", "Dense", (10,), (64 + 1) * 10),
)


# Layers that only apply an activation. They hold no ``activation`` attribute, so they are named
# by their class; a learner may write Conv2D(...) then ReLU() instead of activation="relu".
ACTIVATION_LAYERS: dict[str, str] = {"ReLU": "relu", "Softmax": "softmax"}


def activation_name(layer: Any) -> str:
    """The activation ``layer`` applies to its output: "relu", "softmax"... or "linear" for none.

    Reads a fused activation (``Dense(10, activation="softmax")``), an ``Activation`` layer and
    the ``ReLU`` and ``Softmax`` layers alike; a layer with no activation (``Dense(10)``,
    pooling, ``Flatten``) is "linear".
    """
    kind = type(layer).__name__
    if kind in ACTIVATION_LAYERS:
        return ACTIVATION_LAYERS[kind]
    function = getattr(layer, "activation", None)
    if function is None:
        return "linear"
    return str(getattr(function, "__name__", function)).lower()


def layer_table(model: Any) -> list[LayerInfo]:
    """Name, class, output shape (no batch axis) and parameter count of every layer.

    ``model`` must be built (made with ``keras.Input`` or called once), so every layer
    knows its output shape.
    """
    layers = getattr(model, "layers", None)
    if layers is None:
        raise TypeError(f"model must be a Keras model with .layers, got {type(model).__name__}")
    rows = []
    for layer in layers:
        try:
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError) as exc:
            raise ValueError(
                f"layer {layer.name!r} has no output shape yet: build the model with "
                "keras.Input(shape=...) first"
            ) from exc
        rows.append(
            LayerInfo(
                layer.name,
                type(layer).__name__,
                tuple(int(v) for v in shape[1:]),
                int(layer.count_params()),
            )
        )
    return rows


def multiply_adds(model: Any) -> int:
    """Multiply-adds per image in the Conv2D and Dense layers (the forward pass).

    A convolution does one multiply-add per kernel weight at every output position; a dense
    layer one per weight. This is the arithmetic that sets how long an epoch takes.
    """
    total = 0
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Conv2D":
            _, h, w, f = layer.output.shape
            total += h * w * f * int(np.prod(layer.kernel.shape[:-1]))
        elif kind == "Dense":
            total += int(np.prod(layer.kernel.shape))
    return int(total)


def intermediate_outputs(model: Any, image: np.ndarray) -> dict[str, np.ndarray]:
    """Every layer's output for one image (H, W, C), keyed by layer name, batch axis removed."""
    import keras

    arr = np.asarray(image, dtype="float32")
    expected = tuple(int(v) for v in model.inputs[0].shape[1:])
    if arr.shape != expected:
        raise ValueError(f"image must have the model's input shape {expected}, got {arr.shape}")
    probe = keras.Model(model.inputs, [layer.output for layer in model.layers])
    outputs = probe.predict(arr[None], verbose=0)
    return {layer.name: np.asarray(out)[0] for layer, out in zip(model.layers, outputs)}


# ---------------------------------------------------------------- shapes and counts as text


def format_shape(shape: Sequence[int]) -> str:
    """(32, 32, 8) -> '32x32x8'; (10,) -> '10'."""
    return "x".join(str(int(v)) for v in shape)


_SHAPE_SPLIT = re.compile(r"[\s,x×*]+")


def parse_shape(text: object) -> tuple[int, ...] | None:
    """Read a learner's shape: '32, 32, 8', '(32,32,8)', '32x32x8', '(None, 10)' or a tuple.

    A leading ``None`` (Keras' batch axis) is dropped. Returns ``None`` for an empty or
    unreadable answer rather than raising: the tracker marks it as not answered / wrong.
    """
    if isinstance(text, (tuple, list)):
        items = list(text)
    else:
        cleaned = str(text).strip().strip("()[]").replace("None", " ")
        items = [p for p in _SHAPE_SPLIT.split(cleaned.lower()) if p]
    if items and items[0] is None:
        items = items[1:]
    try:
        values = tuple(int(v) for v in items)
    except (TypeError, ValueError):
        return None
    return values or None


def parse_count(text: object) -> int | None:
    """Read a learner's parameter count: 1168, '1,168', '1 168' or '1_168'."""
    if isinstance(text, (int, np.integer)) and not isinstance(text, bool):
        return int(text)
    cleaned = re.sub(r"[\s,_']", "", str(text))
    return int(cleaned) if cleaned.isdigit() else None
