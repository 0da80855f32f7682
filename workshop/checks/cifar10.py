"""Checkers for notebook 05, CIFAR-10: ``from workshop.checks import cifar10 as check``.

Nothing here imports TensorFlow: the expected layer table of ``models.live_cnn()`` is
``workshop.layers.LIVE_CNN_TABLE`` (a test keeps it equal to the real model), and a learner's
model is only read, never rebuilt, so layer names in the notebook stay the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workshop import ops
from workshop.checks._core import Choice, Exercise, Mistake, compare
from workshop.layers import (
    ACTIVATION_LAYERS,
    LIVE_CNN_TABLE,
    activation_name,
    format_shape,
    layer_table,
)

__all__ = [
    "conv1_params",
    "last_pool_shape",
    "live_model",
    "softmax",
    "dense_first_params",
    "from_logits",
    "softmax_and_from_logits",
]

# Fixed logits for the softmax exercise: one clear winner, one negative, two equal.
SOFTMAX_LOGITS = np.array([2.0, 1.0, 0.1, -1.5, 1.0])


# What each weighted layer of models.live_cnn() applies to its output. The table above holds
# no activations (it compares shapes and counts), so a model with no ReLU, or with a softmax on
# its last layer, would match it: these are checked on their own.
_LAST = len(LIVE_CNN_TABLE) - 1
LIVE_CNN_ACTIVATIONS: dict[int, str] = {
    i: ("linear" if i == _LAST else "relu")
    for i, row in enumerate(LIVE_CNN_TABLE)
    if row.kind in ("Conv2D", "Dense")
}


def _describe(row: tuple[str, tuple[int, ...], int]) -> str:
    kind, shape, params = row
    return f"{kind} with output {format_shape(shape)} and {params:,} parameters"


# What to compare with the description when a layer's output or count is off. The true shape
# and count are not printed: they are what conv1_params and last_pool_shape ask for.
_LAYER_CHECK = {
    "Conv2D": "its number of filters, its kernel size (3) and padding='same', and the layers "
    "before it",
    "MaxPooling2D": "its pool size (2) and the layers before it",
    "Flatten": "the layers before it",
    "Dense": "its number of units and the layers before it",
}


def _layer_reason(
    index: int, got: tuple[str, tuple[int, ...], int], want: tuple[str, tuple[int, ...], int]
) -> str:
    """Why layer ``index`` differs from the description, naming only the learner's layer."""
    if got[0] != want[0]:
        return f"layer {index} is a {got[0]}; the model described above has a {want[0]} there"
    check = _LAYER_CHECK.get(got[0], "its settings and the layers before it")
    return (
        f"layer {index} is a {_describe(got)}, which is not what the description gives: "
        f"check {check}"
    )


def _folded(model: Any) -> list[tuple[tuple[str, tuple[int, ...], int], str]]:
    """(signature, activation) per layer; a lone ReLU/Softmax/Activation layer folds into the
    layer before it, so Conv2D(...) + ReLU() reads like Conv2D(..., activation="relu")."""
    rows: list[tuple[tuple[str, tuple[int, ...], int], str]] = []
    for layer, info in zip(model.layers, layer_table(model)):
        kind = type(layer).__name__
        if rows and (kind in ACTIVATION_LAYERS or kind == "Activation"):
            signature, before = rows[-1]
            rows[-1] = (signature, activation_name(layer) if before == "linear" else before)
            continue
        rows.append((info.signature, activation_name(layer)))
    return rows


def _activation_reason(index: int, kind: str, got: str, want: str) -> str:
    where = f"layer {index} ({kind})"
    if want == "linear" and got == "softmax":
        return (
            f"{where}, the last layer, applies softmax: the loss is compiled with "
            "from_logits=True and applies softmax itself, so the model must output raw scores "
            "(logits). Remove activation='softmax' from the last Dense"
        )
    if want == "linear":
        return (
            f"{where}, the last layer, applies {got}: it must output raw scores (logits), "
            "so give it no activation"
        )
    if got == "linear":
        return (
            f"{where} has no activation: without ReLU, stacked layers collapse into one "
            "linear map (notebook 03). Add activation='relu'"
        )
    return f"{where} applies {got}; this model uses relu after every Conv2D and hidden Dense"


def _compare_model(answer: Any, expected: Any) -> str | None:
    if not hasattr(answer, "layers") or not hasattr(answer, "count_params"):
        return f"expected a keras model, got {type(answer).__name__}"
    try:
        rows = _folded(answer)
    except ValueError:
        return "the model has no input shape yet: start it with keras.Input(shape=(32, 32, 3))"
    want = [tuple(row) for row in expected]
    for i, ((g, _), w) in enumerate(zip(rows, want)):
        if g != w:
            return _layer_reason(i, g, w)
    if len(rows) != len(want):
        return f"the model has {len(rows)} layers; expected {len(want)}"
    for i, (signature, got) in enumerate(rows):
        wanted = LIVE_CNN_ACTIVATIONS.get(i)
        if wanted is not None and got != wanted:
            return _activation_reason(i, signature[0], got, wanted)
    return None


def _compare_softmax(answer: Any, expected: Any) -> str | None:
    if not callable(answer):
        return f"expected a function, got {type(answer).__name__}"
    try:
        got = answer(SOFTMAX_LOGITS.copy())
    except Exception as exc:  # the learner's code: report, don't crash the notebook
        return f"calling softmax(logits) raised {type(exc).__name__}: {exc}"
    if got is None:
        return "your function returns None: end it with `return` and the probabilities"
    why = compare(got, expected, atol=1e-6)
    if why is not None:
        return f"for logits {SOFTMAX_LOGITS.tolist()}: {why}"
    with np.errstate(all="ignore"):  # a naive softmax overflows here; say so, don't warn
        big = np.asarray(answer(SOFTMAX_LOGITS + 1000.0), dtype=float)
    if not np.all(np.isfinite(big)):
        return "it overflows for large logits (try logits + 1000): subtract the largest logit first"
    return None


conv1_params = Exercise(
    "conv1_params",
    3 * 3 * 3 * 16 + 16,
    "how deep is each first-layer kernel, how many kernels are there, and what does each add "
    "after its sum?",
    formula="kernels * (3 * 3 * channels + 1)",
    mistakes=[
        Mistake(3 * 3 * 3 * 16, "bias forgotten: each of the 16 kernels has one bias"),
        Mistake(
            (3 * 3 + 1) * 16, "depth forgotten: each kernel is 3x3x3, as deep as the colour image"
        ),
        Mistake(3 * 3 * 3 + 1, "that is one kernel; the layer has 16"),
    ],
    explain="16 kernels x (3*3*3 weights + 1 bias).",
)

last_pool_shape = Exercise(
    "last_pool_shape",
    (4, 4, 64),
    "what does padding='same' do to height and width, what does each pooling do, and where "
    "does the depth come from?",
    formula="32 halved three times, and the depth of the last Conv2D's filters",
    mistakes=[
        Mistake((8, 8, 64), "there are three poolings, and each halves height and width"),
        Mistake(
            (4, 4, 3),
            "the depth is the number of filters of the last Conv2D, not the image's channels",
        ),
        Mistake((32, 32, 64), "padding='same' keeps the size, but each pooling halves it"),
        Mistake(
            (26, 26, 64),
            "padding='same' adds a border, so the convolutions do not shrink "
            "the maps; only the poolings do",
        ),
    ],
    explain="Flatten turns it into 4 * 4 * 64 = 1024 numbers for the Dense layer.",
)

live_model = Exercise(
    "live_model",
    tuple(row.signature for row in LIVE_CNN_TABLE),
    "compare your layers with the description above, one by one: filters, padding, "
    "activations, and the last layer",
    formula="three blocks of Conv2D(filters, 3, padding='same', activation='relu') + "
    "MaxPooling2D(2) with 16, 32, 64 filters, then Flatten, Dense(64, activation='relu'), "
    "Dense(10)",
    comparer=_compare_model,
    explain="Same layers, shapes, parameter counts and activations as workshop.models.live_cnn().",
)

softmax = Exercise(
    "softmax",
    lambda: ops.softmax(SOFTMAX_LOGITS),
    "probabilities are positive and add up to 1: which two steps give that?",
    formula="p_i = exp(z_i - max(z)) / sum over j of exp(z_j - max(z)): subtract the "
    "largest logit, exponentiate, divide by the sum",
    comparer=_compare_softmax,
    mistakes=[
        Mistake(
            lambda f: np.allclose(f(SOFTMAX_LOGITS.copy()), SOFTMAX_LOGITS / SOFTMAX_LOGITS.sum()),
            "you divided the logits by their sum without exponentiating: logits can be negative, "
            "so these are no probabilities",
        ),
    ],
    explain="The probabilities are positive, sum to 1 and keep the logits' order.",
)

dense_first_params = Exercise(
    "dense_first_params",
    32 * 32 * 3 * 128 + 128,
    "how many numbers does Flatten make of one photo, and how many units see each of them?",
    formula="inputs * units + units",
    mistakes=[
        Mistake(32 * 32 * 3 * 128, "bias forgotten: each of the 128 units has one bias"),
        Mistake(32 * 32 * 128 + 128, "depth forgotten: each pixel is three numbers"),
    ],
    explain="Almost 400,000 weights in one layer: more than four times the whole CNN.",
)

from_logits = Exercise(
    "from_logits",
    True,
    "does the last Dense layer have a softmax activation, or does it output raw scores?",
    formula="raw scores (logits) out of the model -> from_logits=True; softmax in the model "
    "-> from_logits=False",
    mistakes=[
        Mistake(
            False,
            "False tells the loss the model already outputs probabilities; Dense(10) "
            "with no activation outputs raw scores (logits)",
        ),
    ],
    explain="The loss applies softmax itself, in a numerically safer way.",
)

softmax_and_from_logits = Choice(
    "softmax_and_from_logits",
    "A learner ends the model with Dense(10, activation='softmax') and compiles the loss with "
    "from_logits=True. What happens?",
    {
        "a": "Keras raises an error at compile time",
        "b": "it runs, but softmax is applied twice: the loss barely changes and training "
        "is slow and poor",
        "c": "Keras notices and skips the second softmax",
        "d": "nothing: softmax of probabilities gives the same probabilities",
    },
    "b",
    {
        "a": "no error: at most a warning; the model and the loss do not check each other",
        "c": "the loss trusts from_logits=True and applies softmax to whatever it gets",
        "d": "softmax of values between 0 and 1 is almost uniform: the differences shrink",
    },
    hint="what does softmax do to ten numbers that already lie between 0 and 1?",
    explain="Logits out of the model and from_logits=True in the loss: softmax once.",
)
