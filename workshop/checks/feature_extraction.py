"""Checkers for notebook 01, feature extraction.

Use: ``from workshop.checks import feature_extraction as check``, then ``check.inputs(answer)``.
"""

from __future__ import annotations

import numpy as np

from workshop.checks._core import Exercise, compare

__all__ = ["inputs", "dense_parameters", "conv_parameters", "blur_kernel", "better_model"]

inputs = Exercise(
    "inputs",
    32 * 32 * 3,
    "a flattened image has one input per pixel per colour channel: height * width * channels",
)

dense_parameters = Exercise(
    "dense_parameters",
    (32 * 32 * 3) * 64 + 64,
    "every one of the 64 units has a weight for every input, plus its own bias",
    explain="Almost two hundred thousand numbers for a single layer.",
)

conv_parameters = Exercise(
    "conv_parameters",
    (3 * 3 * 3) * 64 + 64,
    "each of the 64 kernels is 3x3 and as deep as the image (3 channels), plus one bias each; "
    "the image size does not appear",
    explain="The same kernels are reused at every position, so the image size does not matter.",
)


def _blur_comparer(answer: object, expected: object) -> str | None:
    why = compare(answer, expected)
    if why is None:
        return None
    arr = np.asarray(answer, dtype=float) if not isinstance(answer, str) else None
    if arr is not None and arr.shape == (3, 3) and np.allclose(arr, arr.flat[0]):
        return f"all nine weights are equal, but they add up to {arr.sum():g} instead of 1"
    return why


blur_kernel = Exercise(
    "blur_kernel",
    np.full((3, 3), 1 / 9),
    "nine equal weights that add up to 1, so each output is an average (np.full may help)",
    comparer=_blur_comparer,
    explain="Each output pixel is the mean of its 3x3 neighbourhood.",
)

better_model = Exercise(
    "better_model",
    "cnn",
    "look at the accuracies at the largest shift: which model stayed near 1.0? "
    "Answer 'dense' or 'cnn'",
    explain="Same kernels everywhere + global pooling: position does not matter.",
)
