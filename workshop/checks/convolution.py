"""Checkers for notebook 02, convolution by hand.

Use: ``from workshop.checks import convolution as check``, then ``check.top_left(answer)``.
"""

from __future__ import annotations

import numpy as np

from workshop import ops
from workshop.checks._core import Choice, Exercise, Mistake
from workshop.kernels import ASYMMETRIC_KERNEL, SEED_IMAGE, SEED_KERNEL

__all__ = [
    "top_left",
    "feature_map",
    "keras_top_left",
    "output_size",
    "rgb_weights",
    "layer_parameters",
    "padding_same",
    "kernels_for_32_maps",
]

_MAP = ops.conv2d(SEED_IMAGE, SEED_KERNEL)
# (window @ K).sum(): a matrix product where the products should be element by element.
_MATMUL_MAP = np.array(
    [[(SEED_IMAGE[r : r + 3, c : c + 3] @ SEED_KERNEL).sum() for c in range(3)] for r in range(3)]
)

top_left = Exercise(
    "top_left",
    lambda: int(_MAP[0, 0]),
    "lay the kernel on the outlined window: at which of the nine places do both hold a 1? "
    "Only those products are 1, the others 0",
    formula="out[0, 0] = (img[0:3, 0:3] * K).sum(): multiply cell by cell, add all nine",
    mistakes=[
        Mistake(
            5,
            "5 is how many ones the X kernel has: a window shaped exactly like the X "
            "would score 5, but this window does not have a 1 under every one of them",
        ),
        Mistake(9, "9 is how many products there are; add the products themselves"),
        Mistake(
            _MATMUL_MAP[0, 0],
            "that is the sum of a matrix product (window @ K); a "
            "convolution multiplies element by element (window * K)",
        ),
    ],
    explain="Four products are 1, the rest 0.",
)

feature_map = Exercise(
    "feature_map",
    lambda: _MAP.astype(int).tolist(),
    "how many window positions fit across the 5x5 image? Loop over them with two for loops "
    "and reuse the sum from exercise 1 for each window",
    formula="out[r, c] = (img[r:r+3, c:c+3] * K).sum() for r and c in range(3)",
    mistakes=[
        Mistake(
            _MAP.T,
            "rows and columns swapped: out[r, c] takes rows r..r+2 and columns "
            "c..c+2 (the first index is the row)",
        ),
        Mistake(
            _MATMUL_MAP,
            "a matrix product (window @ K) where the products should be "
            "element by element (window * K)",
        ),
        Mistake(
            ops.conv2d(SEED_IMAGE, SEED_KERNEL, padding=1),
            "a 5x5 map means the image was padded; without padding only 3x3 windows fit",
        ),
    ],
    explain="Your loop computes what ops.conv2d (and Keras) compute.",
)

keras_top_left = Exercise(
    "keras_top_left",
    lambda: int(ops.conv2d(SEED_IMAGE, ASYMMETRIC_KERNEL)[0, 0]),
    "Keras lays the kernel on the window as it is printed, without turning it around",
    formula="(img[0:3, 0:3] * A).sum(), with A exactly as printed",
    mistakes=[
        Mistake(
            ops.conv2d(SEED_IMAGE, ASYMMETRIC_KERNEL[::-1, ::-1])[0, 0],
            "that is the mathematician's convolution, kernel flipped (upside down and left to "
            "right); Keras' Conv2D does not flip: it computes cross-correlation",
        )
    ],
    explain="Keras' Conv2D is cross-correlation: the kernel is not flipped.",
)

output_size = Exercise(
    "output_size",
    lambda: ops.conv_output_size(32, 5, stride=1, padding=0),
    "how many pixels does a 5x5 window lose on each side when it may not hang over the edge?",
    formula="m = (n + 2p - k) / s + 1 with n=32, k=5, s=1, p=0",
    mistakes=[
        Mistake(
            27,
            "the + 1 is missing: (n - k) counts the steps, and the first window is "
            "there before any step",
        ),
        Mistake(
            32,
            "the map keeps the image's size only with padding (p = 2 here); without "
            "padding it shrinks",
        ),
        Mistake(30, "that is the size for a 3x3 kernel; this one is 5x5"),
    ],
    explain="A 5x5 kernel loses two pixels on each side.",
)

padding_same = Exercise(
    "padding_same",
    1,
    "a 3x3 window centred on a corner pixel hangs over the edge by how many rings?",
    formula="find p so that (5 + 2p - 3) / 1 + 1 = 5",
    mistakes=[
        Mistake(
            2,
            "p counts rings on *each* side: 2 rings make the map 7x7; (k - 1) = 2 is "
            "the total, split over both sides",
        ),
        Mistake(3, "3 is the kernel size, not the padding"),
        Mistake(0, "with no padding the map shrinks to 3x3"),
    ],
    explain="For a k x k kernel with stride 1, p = (k - 1) / 2 keeps the size.",
)

rgb_weights = Exercise(
    "rgb_weights",
    5 * 5 * 3 + 1,
    "how deep is a kernel that slides over a colour image? And what is added after the sum?",
    formula="height * width * channels + 1 bias",
    mistakes=[
        Mistake(5 * 5 * 3, "bias forgotten: each kernel adds one bias to its sum"),
        Mistake(5 * 5 + 1, "depth forgotten: the kernel is as deep as the image (3 channels)"),
        Mistake(5 * 5, "depth and bias forgotten: the kernel has 3 channels and one bias"),
    ],
)

layer_parameters = Exercise(
    "layer_parameters",
    32 * (5 * 5 * 3 + 1),
    "how many kernels does a layer need to make 32 feature maps?",
    formula="filters * (5 * 5 * 3 + 1)",
    mistakes=[
        Mistake(32 * 5 * 5 * 3, "bias forgotten: each of the 32 kernels has its own bias"),
        Mistake(32 * (5 * 5 + 1), "depth forgotten: each kernel is 5x5x3, as deep as the image"),
        Mistake(5 * 5 * 3 + 1, "that is one kernel; 32 maps need 32 kernels"),
        Mistake(32 * 5 * 5, "depth and bias forgotten: each kernel is 5x5x3 plus one bias"),
    ],
    explain="Keras' count_params() agrees.",
)

kernels_for_32_maps = Choice(
    "kernels_for_32_maps",
    "A Conv2D layer turns a 32x32 colour image (3 channels) into 32 feature maps with 5x5 "
    "kernels. What does it hold?",
    {
        "a": "one 5x5x3 kernel, which creates the 32 feature maps",
        "b": "32 kernels of 5x5x3, one per feature map",
        "c": "96 kernels of 5x5, one per channel and per feature map, added in pairs of three",
        "d": "32 kernels of 5x5x1, each reading one channel",
    },
    "b",
    {
        "a": "one kernel makes one map, however deep it is: its three channels are summed "
        "into a single number per position",
        "c": "close to how it is computed, but the three 5x5 slices whose results are added "
        "into one map are one 5x5x3 kernel, with one bias",
        "d": "a kernel reads every channel of its input; a 5x5x1 kernel would see only one colour",
    },
    hint="how many maps does one kernel make, and how deep is each kernel?",
    explain="One kernel per map, each as deep as its input.",
)
