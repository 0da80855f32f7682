"""Checkers for notebook 03 (ReLU and pooling): ``from workshop.checks import relu_pooling``.

The matrices below are the exercises' data: the notebook takes them from here
(``small_map = check.RELU_INPUT.copy()``) and prints them, and the expected answers are
computed from them with ``workshop.ops`` rather than typed in, so nothing can drift apart.
"""

from __future__ import annotations

import numpy as np

from workshop import ops
from workshop.checks._core import Exercise

__all__ = [
    "RELU_INPUT",
    "POOL_INPUT",
    "W1",
    "B1",
    "W2",
    "B2",
    "XOR_INPUTS",
    "avg_pooled",
    "combined_bias",
    "combined_weights",
    "fraction_kept",
    "max_pooled",
    "pool_params",
    "pooled_shape",
    "relu_small",
    "xor_outputs",
]

RELU_INPUT = np.array([[-2.0, 3.0, 0.0], [1.5, -0.5, 4.0], [-1.0, 2.0, -3.0]])

# Two linear layers written the maths way: h = W1 @ x + b1, y = W2 @ h + b2.
W1 = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]])  # 2 inputs -> 3 hidden
B1 = np.array([1.0, 0.0, -1.0])
W2 = np.array([[2.0, -1.0, 0.0], [1.0, 1.0, 1.0]])  # 3 hidden -> 2 outputs
B2 = np.array([0.5, -2.0])

# The four corners of the XOR problem and the hand-made network from the notebook:
# hidden = relu([x1 + x2, x1 + x2 - 1]), output = hidden[0] - 2 * hidden[1].
XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_W = np.array([[1.0, 1.0], [1.0, 1.0]])
XOR_B = np.array([0.0, -1.0])
XOR_V = np.array([1.0, -2.0])

POOL_INPUT = np.array(
    [[1.0, 3.0, 2.0, 4.0], [5.0, 6.0, 7.0, 8.0], [3.0, 2.0, 1.0, 0.0], [1.0, 2.0, 3.0, 4.0]]
)


def _xor_outputs() -> np.ndarray:
    hidden = ops.relu(XOR_INPUTS @ XOR_W.T + XOR_B)
    return hidden @ XOR_V


relu_small = Exercise(
    "relu_small",
    lambda: ops.relu(RELU_INPUT),
    "ReLU keeps each positive value as it is and replaces each negative value by 0 "
    "(0 stays 0). The shape does not change.",
)

combined_weights = Exercise(
    "combined_weights",
    lambda: W2 @ W1,
    "Substitute h = W1 x + b1 into y = W2 h + b2 and multiply out: the matrix in front of "
    "x is W2 @ W1 (order matters: W1 acts first, so it stands on the right).",
    explain="Two stacked linear layers are one linear layer with this matrix.",
)

combined_bias = Exercise(
    "combined_bias",
    lambda: W2 @ B1 + B2,
    "After multiplying out W2 (W1 x + b1) + b2, everything that does not contain x is the "
    "bias: W2 @ b1 + b2.",
)

xor_outputs = Exercise(
    "xor_outputs",
    _xor_outputs,
    "For each input row compute hidden = relu([x1 + x2, x1 + x2 - 1]) first, then "
    "output = hidden[0] - 2 * hidden[1]. The ReLU turns the -1 for input (0, 0) into 0.",
    explain="0, 1, 1, 0: exactly XOR, which no single linear map can produce.",
)

max_pooled = Exercise(
    "max_pooled",
    lambda: ops.max_pool2d(POOL_INPUT, 2, 2),
    "Cut the 4x4 matrix into four 2x2 blocks that do not overlap (top-left, top-right, "
    "bottom-left, bottom-right) and keep the largest number of each block, in the same place.",
)

avg_pooled = Exercise(
    "avg_pooled",
    lambda: ops.avg_pool2d(POOL_INPUT, 2, 2),
    "Same four 2x2 blocks as for max pooling, but take the mean: add the four numbers of a "
    "block and divide by 4.",
)

pooled_shape = Exercise(
    "pooled_shape",
    (16, 16, 64),
    "Pooling 2x2 with stride 2 halves height and width; it works on each feature map "
    "separately, so the number of maps (the depth, 64) stays the same.",
)

fraction_kept = Exercise(
    "fraction_kept",
    0.25,
    "Count the values before (height x width) and after (half the height x half the width) "
    "and divide: after / before.",
    explain="2x2 pooling with stride 2 shrinks a map TO a quarter of its size (one value "
    "kept out of every four), not BY a quarter.",
)

pool_params = Exercise(
    "pool_params",
    0,
    "Does max pooling multiply by anything that training could change? It only picks the "
    "largest value of each window.",
    explain="Pooling has no weights; it reduces the parameters of the layers after it by "
    "making their input smaller.",
)
