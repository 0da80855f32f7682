"""Checkers for notebook 03 (ReLU and pooling): ``from workshop.checks import relu_pooling``.

The matrices below are the exercises' data: the notebook takes them from here
(``small_map = check.RELU_INPUT.copy()``) and prints them, and the expected answers are
computed from them with ``workshop.ops`` rather than typed in, so nothing can drift apart.
"""

from __future__ import annotations

import numpy as np

from workshop import ops
from workshop.checks._core import Choice, Exercise, Mistake

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
    "why_relu",
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


_MAX = ops.max_pool2d(POOL_INPUT, 2, 2)
_AVG = ops.avg_pool2d(POOL_INPUT, 2, 2)

relu_small = Exercise(
    "relu_small",
    lambda: ops.relu(RELU_INPUT),
    "what does max(0, x) give for a negative x, and for a positive one?",
    formula="ReLU(x) = max(0, x), value by value; the shape does not change",
    mistakes=[
        Mistake(
            np.abs(RELU_INPUT),
            "that is the absolute value: ReLU does not flip the sign "
            "of a negative value, it replaces it by 0",
        ),
        Mistake(np.minimum(RELU_INPUT, 0), "you kept the negatives; ReLU keeps the positives"),
        Mistake(ops.relu(RELU_INPUT).T, "rows and columns swapped: keep each value in its place"),
    ],
)

combined_weights = Exercise(
    "combined_weights",
    lambda: W2 @ W1,
    "substitute h = W1 x + b1 into y = W2 h + b2: which matrix ends up in front of x?",
    formula="W = W2 @ W1 (W1 acts first, so it stands on the right, next to x)",
    mistakes=[
        Mistake(
            W1 @ W2,
            "order of multiplication swapped: W1 acts on x first, so it stands "
            "next to x, on the right: W2 @ W1",
        ),
        Mistake((W2 @ W1).T, "rows and columns swapped: that is the transpose of the answer"),
    ],
    explain="Two stacked linear layers are one linear layer with this matrix.",
)

combined_bias = Exercise(
    "combined_bias",
    lambda: W2 @ B1 + B2,
    "after multiplying out W2 (W1 x + b1) + b2, which terms do not contain x?",
    formula="b = W2 @ b1 + b2",
    mistakes=[
        Mistake(B2, "the first layer's bias is forgotten: b1 also passes through W2"),
        Mistake(W2 @ B1, "the second layer's bias b2 is forgotten"),
    ],
)

xor_outputs = Exercise(
    "xor_outputs",
    _xor_outputs,
    "work out the hidden values first, one input row at a time; what does ReLU do to -1?",
    formula="hidden = relu([x1 + x2, x1 + x2 - 1]), then output = hidden[0] - 2 * hidden[1]",
    mistakes=[
        Mistake(
            (XOR_INPUTS @ XOR_W.T + XOR_B) @ XOR_V,
            "ReLU forgotten: for input (0, 0) the "
            "second hidden value is -1, and ReLU turns it into 0",
        ),
    ],
    explain="0, 1, 1, 0: exactly XOR, which no single linear map can produce.",
)

max_pooled = Exercise(
    "max_pooled",
    lambda: _MAX,
    "into how many 2x2 blocks does the 4x4 matrix split when the windows do not overlap?",
    formula="out[r, c] = x[2r:2r+2, 2c:2c+2].max(): the largest number of each block, in its place",
    mistakes=[
        Mistake(_AVG, "those are the averages; max pooling keeps the largest value"),
        Mistake(_MAX.T, "rows and columns swapped: the top-right block's maximum goes top right"),
        Mistake(
            ops.max_pool2d(POOL_INPUT, 2, 1),
            "a 3x3 result means the windows overlap "
            "(stride 1); with stride 2 they sit side by side",
        ),
    ],
)

avg_pooled = Exercise(
    "avg_pooled",
    lambda: _AVG,
    "same four blocks as max pooling; what is the mean of four numbers?",
    formula="out[r, c] = x[2r:2r+2, 2c:2c+2].mean(): the sum of the block divided by 4",
    mistakes=[
        Mistake(_MAX, "those are the maxima; average pooling takes the mean"),
        Mistake(_AVG.T, "rows and columns swapped: the top-right block's mean goes top right"),
        Mistake(_AVG * 4, "those are the sums; divide each by 4"),
    ],
)

pooled_shape = Exercise(
    "pooled_shape",
    (16, 16, 64),
    "which axes does pooling shrink, and does it ever mix feature maps?",
    formula="(H // 2, W // 2, depth): height and width halve, the depth stays",
    mistakes=[
        Mistake(
            (16, 16, 32), "the depth does not change: each of the 64 maps is pooled on its own"
        ),
        Mistake((32, 32, 32), "pooling shrinks height and width, never the depth"),
        Mistake((8, 8, 64), "one 2x2 pooling halves height and width once, not twice"),
        Mistake((32, 32, 64), "that is the input shape: pooling halves height and width"),
        Mistake((16, 16), "depth dropped: the answer has three entries, and the 64 maps stay"),
    ],
)

fraction_kept = Exercise(
    "fraction_kept",
    0.25,
    "count the values in a 4x4 map before, and in its 2x2 result after",
    formula="after / before = (n/2 * n/2) / (n * n)",
    mistakes=[
        Mistake(
            0.75,
            '"by a quarter": pooling does not remove a quarter of the values; count how '
            "many values of each 2x2 window are left after it",
        ),
        Mistake(0.5, "pooling halves the height and the width, not only one of them"),
        Mistake(
            4,
            "4 is how many values share one window; the question asks what fraction of all "
            "the values is kept, a number between 0 and 1",
        ),
        Mistake(25, "25 is a percentage; the question asks for a fraction between 0 and 1"),
    ],
    explain="2x2 pooling with stride 2 shrinks a map TO a quarter of its size (one value "
    "kept out of every four), not BY a quarter.",
)

pool_params = Exercise(
    "pool_params",
    0,
    "does max pooling multiply by anything that training could change?",
    formula="it only picks the largest value of each window: nothing to learn",
    mistakes=[
        Mistake(
            4,
            "the window has four positions, but it weighs none of them: it only picks the largest",
        ),
        Mistake(1, "there is no bias either: max pooling only picks the largest value"),
    ],
    explain="Pooling has no weights; it reduces the parameters of the layers after it by "
    "making their input smaller.",
)

why_relu = Choice(
    "why_relu",
    "Why does a CNN put a ReLU after each convolution?",
    {
        "a": "to make the feature maps abrupt instead of gradual",
        "b": "without a non-linearity, stacked layers collapse into one linear layer",
        "c": "to make every value non-negative so that pooling can work",
        "d": "to reduce the number of parameters",
    },
    "b",
    {
        "a": "a common story, but ReLU leaves positive values exactly as they are: the reason "
        "is what it does to stacked layers",
        "c": "max pooling works on negative values too: the largest of -3 and -1 is -1",
        "d": "ReLU has no parameters and removes none",
    },
    hint="a layer without ReLU only multiplies by weights and adds a bias: what do two such "
    "layers in a row compute, and could a single layer compute the same?",
    explain="The non-linearity is what lets depth add power: the cells below show two linear "
    "layers collapsing into one.",
)
