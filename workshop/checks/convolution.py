"""Checkers for notebook 02, convolution by hand.

Use: ``from workshop.checks import convolution as check``, then ``check.top_left(answer)``.
"""

from __future__ import annotations

from workshop import ops
from workshop.checks._core import Exercise
from workshop.kernels import SEED_IMAGE, SEED_KERNEL

__all__ = [
    "top_left",
    "feature_map",
    "output_size",
    "rgb_weights",
    "layer_parameters",
    "padding_same",
]

top_left = Exercise(
    "top_left",
    lambda: int(ops.conv2d(SEED_IMAGE[:3, :3], SEED_KERNEL)[0, 0]),
    "multiply the top-left 3x3 corner of the image by the kernel, cell by cell, "
    "then add up all nine products",
    explain="Four products are 1, the rest 0.",
)

feature_map = Exercise(
    "feature_map",
    lambda: ops.conv2d(SEED_IMAGE, SEED_KERNEL).astype(int).tolist(),
    "the window's top-left corner goes through rows 0..2 and columns 0..2; "
    "out[r, c] = (img[r:r+3, c:c+3] * K).sum()",
    explain="Your loop computes what ops.conv2d (and Keras) compute.",
)

output_size = Exercise(
    "output_size",
    lambda: ops.conv_output_size(32, 5, stride=1, padding=0),
    "use (n + 2p - k) / s + 1 with n=32, k=5, s=1, p=0",
    explain="A 5x5 kernel loses two pixels on each side.",
)

padding_same = Exercise(
    "padding_same",
    1,
    "find p so that (5 + 2p - 3) / 1 + 1 = 5",
    explain="For a k x k kernel with stride 1, p = (k - 1) / 2 keeps the size.",
)

rgb_weights = Exercise(
    "rgb_weights",
    5 * 5 * 3 + 1,
    "a 5x5 kernel as deep as the image has 5 * 5 * 3 weights; add one bias",
)

layer_parameters = Exercise(
    "layer_parameters",
    32 * (5 * 5 * 3 + 1),
    "32 feature maps need 32 kernels, each with 5 * 5 * 3 weights and 1 bias",
    explain="Keras' count_params() agrees.",
)
