"""Checkers for notebook 05, CIFAR-10: ``from workshop.checks import cifar10 as check``.

Nothing here imports TensorFlow: the expected layer table of ``models.live_cnn()`` is
``workshop.layers.LIVE_CNN_TABLE`` (a test keeps it equal to the real model), and a learner's
model is only read, never rebuilt, so layer names in the notebook stay the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workshop import ops
from workshop.checks._core import Exercise, compare
from workshop.layers import LIVE_CNN_TABLE, format_shape, layer_table

__all__ = [
    "conv1_params",
    "last_pool_shape",
    "live_model",
    "softmax",
    "dense_first_params",
    "from_logits",
]

# Fixed logits for the softmax exercise: one clear winner, one negative, two equal.
SOFTMAX_LOGITS = np.array([2.0, 1.0, 0.1, -1.5, 1.0])


def _describe(row: tuple[str, tuple[int, ...], int]) -> str:
    kind, shape, params = row
    return f"{kind} with output {format_shape(shape)} and {params:,} parameters"


def _compare_model(answer: Any, expected: Any) -> str | None:
    if not hasattr(answer, "layers") or not hasattr(answer, "count_params"):
        return f"expected a keras model, got {type(answer).__name__}"
    try:
        got = [row.signature for row in layer_table(answer)]
    except ValueError:
        return "the model has no input shape yet: start it with keras.Input(shape=(32, 32, 3))"
    want = [tuple(row) for row in expected]
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return f"layer {i} is a {_describe(g)}; expected a {_describe(w)}"
    if len(got) != len(want):
        return f"the model has {len(got)} layers; expected {len(want)}"
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
    "each of the 16 kernels is 3x3 and as deep as the image (3 colour channels), "
    "and each kernel has one bias",
    explain="16 kernels x (3*3*3 weights + 1 bias).",
)

last_pool_shape = Exercise(
    "last_pool_shape",
    (4, 4, 64),
    "padding='same' keeps height and width, each 2x2 pooling halves them (32 -> 16 -> ...); "
    "the depth is the number of filters of the last Conv2D",
    explain="Flatten turns it into 4 * 4 * 64 = 1024 numbers for the Dense layer.",
)

live_model = Exercise(
    "live_model",
    tuple(row.signature for row in LIVE_CNN_TABLE),
    "three blocks of Conv2D(filters, 3, padding='same', activation='relu') + "
    "MaxPooling2D(2) with 16, 32, 64 filters, then Flatten, Dense(64, relu), Dense(10)",
    comparer=_compare_model,
    explain="Same layers, shapes and parameter counts as workshop.models.live_cnn().",
)

softmax = Exercise(
    "softmax",
    lambda: ops.softmax(SOFTMAX_LOGITS),
    "exponentiate each logit (after subtracting the largest, so exp cannot overflow), "
    "then divide by the sum of the exponentials",
    comparer=_compare_softmax,
    explain="The probabilities are positive, sum to 1 and keep the logits' order.",
)

dense_first_params = Exercise(
    "dense_first_params",
    32 * 32 * 3 * 128 + 128,
    "Flatten makes 32 * 32 * 3 inputs; every one connects to each of the 128 units, "
    "and each unit has one bias",
    explain="Almost 400,000 weights in one layer: more than four times the whole CNN.",
)

from_logits = Exercise(
    "from_logits",
    True,
    "does the last Dense layer have a softmax activation, or does it output raw scores?",
    explain="The loss applies softmax itself, in a numerically safer way.",
)
