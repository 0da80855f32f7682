"""Checker for notebook 00, setup: ``from workshop.checks import setup as check``.

One question on the words of the "before you start" box, so that the first checker a learner
meets is a friendly one, and so they know how checkers answer.
"""

from __future__ import annotations

from workshop.checks._core import Choice

__all__ = ["filters_are"]

filters_are = Choice(
    "filters_are",
    "Keras writes Conv2D(16, 3): 16 filters of 3x3. What is a filter?",
    {
        "a": "an image filter such as blur, applied to the photo before the network sees it",
        "b": "a kernel: a small grid of weights slid over the image, one feature map per filter",
        "c": "a pooling window that filters out the smaller values",
        "d": "one of the ten output classes the network filters photos into",
    },
    "b",
    {
        "a": "blur is one kernel a filter *could* learn, but the filters are part of the layer "
        "and are learned, not applied beforehand",
        "c": "pooling windows have no weights; filters are the convolution's weights",
        "d": "the classes are the last Dense layer's outputs; filters belong to convolutions",
    },
    hint="look up 'kernel = filter' in the box above",
    explain="Filter and kernel are the same thing: 16 filters make 16 feature maps.",
)
