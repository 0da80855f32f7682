"""Hand-designed 3x3 kernels: the features people designed before networks learned their own.

The one kernel library: notebooks, the kernel playground and the ReLU explorer all take their
kernels from here by name.

Each kernel is written for cross-correlation (what ``workshop.ops.conv2d`` and Keras compute),
so "vertical edges" is positive where the image gets darker from left to right.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ASYMMETRIC_KERNEL",
    "DESCRIPTIONS",
    "KERNELS",
    "SEED_IMAGE",
    "SEED_KERNEL",
    "get",
    "names",
]

KERNELS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    "blur": np.full((3, 3), 1 / 9),
    "gaussian blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=float) / 16,
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
    # Sobel: a difference across the edge, smoothed along it
    "vertical edges": np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=float),
    "horizontal edges": np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], dtype=float),
    "diagonal edges": np.array([[0, 1, 2], [-1, 0, 1], [-2, -1, 0]], dtype=float),
    # The 8-neighbour Laplacian, negated: it answers to edges in every direction, diagonals
    # included (the 4-neighbour one, [[0,-1,0],[-1,4,-1],[0,-1,0]], is weaker on diagonals).
    "outline": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=float),
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=float),
}

DESCRIPTIONS: dict[str, str] = {
    "identity": "copies the centre pixel: the map is the image itself",
    "blur": "averages the 3x3 neighbourhood: fine detail fades",
    "gaussian blur": "a weighted average, centre counts most: smoother than the plain blur",
    "sharpen": "centre minus its neighbours, added back: edges get crisper",
    "vertical edges": "left column minus right column: large where brightness changes sideways",
    "horizontal edges": "top row minus bottom row: large where brightness changes up-down",
    "diagonal edges": "top-right corner minus bottom-left: large where brightness changes "
    "along a diagonal",
    "outline": "centre minus all eight neighbours: zero on flat areas, large on any edge",
    "emboss": "bottom-right minus top-left: a relief lit from one corner",
}

# The worked example of notebook 02: a 5x5 binary image and an X-shaped 3x3 kernel.
SEED_IMAGE = np.array(
    [
        [1, 1, 1, 0, 0],
        [0, 1, 1, 1, 0],
        [0, 0, 1, 1, 1],
        [0, 0, 1, 1, 0],
        [0, 1, 1, 0, 0],
    ],
    dtype=float,
)
SEED_KERNEL = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=float)
# Notebook 02's flip demonstration: unlike the X, this kernel differs from its flipped self, so
# true convolution (kernel flipped) and Keras' Conv2D (not flipped) give different maps.
ASYMMETRIC_KERNEL = np.array([[1, 2, 3], [0, 0, 0], [0, 0, 0]], dtype=float)


def names() -> list[str]:
    """The kernel names, in the order the widgets list them."""
    return list(KERNELS)


def get(name: str) -> np.ndarray:
    """A fresh copy of the kernel called ``name`` (so callers may edit it)."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    key = name.strip().lower().replace("_", " ")
    if key not in KERNELS:
        raise ValueError(f"name must be one of {names()}, got {name!r}")
    return KERNELS[key].copy()
