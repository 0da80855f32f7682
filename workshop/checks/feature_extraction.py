"""Checkers for notebook 01, feature extraction.

Use: ``from workshop.checks import feature_extraction as check``, then ``check.inputs(answer)``.
"""

from __future__ import annotations

import numpy as np

from workshop.checks._core import Choice, Exercise, Mistake, compare

__all__ = [
    "inputs",
    "dense_parameters",
    "conv_parameters",
    "blur_kernel",
    "better_model",
    "why_cnn_generalises",
]

inputs = Exercise(
    "inputs",
    32 * 32 * 3,
    "how many numbers does one pixel of a colour image hold?",
    formula="height * width * channels",
    mistakes=[
        Mistake(
            32 * 32,
            "depth forgotten: 32 * 32 counts pixels, and each colour pixel is "
            "three numbers (red, green, blue)",
        ),
    ],
)

dense_parameters = Exercise(
    "dense_parameters",
    (32 * 32 * 3) * 64 + 64,
    "how many weights does one unit have if it sees every input? What else does a unit add?",
    formula="inputs * units + units (one bias per unit)",
    mistakes=[
        Mistake((32 * 32 * 3) * 64, "bias forgotten: each of the 64 units adds its own bias"),
        Mistake(
            (32 * 32) * 64 + 64,
            "depth forgotten: the flattened image has 32 * 32 * 3 inputs, three per pixel",
        ),
        Mistake(32 * 32 * 3 + 1, "that is one unit; the layer has 64"),
    ],
    explain="Almost two hundred thousand numbers for a single layer.",
)

conv_parameters = Exercise(
    "conv_parameters",
    (3 * 3 * 3) * 64 + 64,
    "how deep is each 3x3 kernel on a colour image? Does the image size appear at all?",
    formula="(3 * 3 * channels + 1) * kernels",
    mistakes=[
        Mistake((3 * 3 * 3) * 64, "bias forgotten: each of the 64 kernels has one bias"),
        Mistake(
            (3 * 3) * 64 + 64,
            "depth forgotten: on a colour image each kernel is 3x3x3, "
            "as deep as the image, so it has 27 weights, not 9",
        ),
        Mistake(3 * 3 * 3 + 1, "that is one kernel; the layer has 64"),
        Mistake(
            32 * 32 * 3 * 64 + 64,
            "the image size does not appear: the same small kernels are reused at every position",
        ),
    ],
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
    "an average of nine numbers gives each of them which weight?",
    formula="nine equal weights that add up to 1; np.full((3, 3), w) makes a 3x3 array "
    "whose every value is w",
    comparer=_blur_comparer,
    explain="Each output pixel is the mean of its 3x3 neighbourhood.",
)

better_model = Exercise(
    "better_model",
    "cnn",
    "look at the accuracies at the largest shift: which model stayed near 1.0? "
    "Answer 'dense' or 'cnn'",
    formula="the model whose accuracy in the table's last row (shift 8) is near 1.0, not 0.5",
    mistakes=[
        Mistake(
            "dense",
            "the dense network is right where it trained (shift 0) but falls to "
            "guessing (0.5) once the pattern moves",
        ),
    ],
    explain="Same kernels everywhere + global pooling: position does not matter.",
)

why_cnn_generalises = Choice(
    "why_cnn_generalises",
    "Why does the small CNN still recognise a pattern moved to where it never saw one?",
    {
        "a": "it has fewer parameters, so it cannot overfit",
        "b": "the same kernels are applied at every position, and global max pooling only asks "
        "whether a kernel fired anywhere",
        "c": "its kernels were trained on the shifted patterns too",
        "d": "convolutions blur the canvas, so a small shift no longer matters",
    },
    "b",
    {
        "a": "fewer parameters help, but a small dense network would still have no weights "
        "trained on the right-hand pixels: it is the sharing that counts",
        "c": "both models trained only on unshifted patterns",
        "d": "a 3x3 kernel cannot blur away a shift of 8 pixels; the kernels are not blurs",
    },
    hint="what is the same at every position of the canvas, and what does global pooling "
    "throw away?",
    explain="Sharing kernels makes the maps shift with the input (equivariance); global "
    "pooling then forgets where (invariance).",
)
