"""A drawn stand-in for CIFAR-10: ten shapes, so notebooks run without the 170 MB download.

Each class is one shape or texture (see ``SYNTHETIC_SHAPES``) drawn at a random position, size
and small tilt, in random colours on a random shaded background, plus pixel noise. Colour says
nothing about the class, so a network has to learn *where edges are*, which is what a CNN's
filters are for. It is deterministic for a seed and fast (10,000 images in a fraction of a second).
"""

from __future__ import annotations

import numpy as np

from workshop.images import LUMA

__all__ = ["SYNTHETIC_SHAPES", "SYNTHETIC_BANNER", "synthetic_images"]

# What class k looks like in the stand-in (index = label, in CIFAR-10's class order).
SYNTHETIC_SHAPES = (
    "disc",
    "square",
    "triangle",
    "ring",
    "plus",
    "cross (x)",
    "stripes",
    "checkerboard",
    "two dots",
    "frame",
)

SYNTHETIC_BANNER = (
    "⚠️  SYNTHETIC stand-in, not CIFAR-10 (WORKSHOP_DATA=synthetic).\n"
    "   Drawn shapes with CIFAR-10's array shapes, dtypes and ten labels; accuracies here say\n"
    "   nothing about real photos. Unset WORKSHOP_DATA to use the real data."
)

_SIZE = 32


def _shape_mask(label: int, u: np.ndarray, v: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """Soft mask in [0, 1] of shape ``label`` in normalised coordinates (u, v), shape (m, 32, 32).

    ``u``/``v`` are 0 at the shape's centre and +-1 at its edge; ``phase`` (m, 1, 1) shifts
    textures so stripes and checks do not always start at the same pixel.
    """
    r = np.hypot(u, v)
    box = np.maximum(np.abs(u), np.abs(v))
    if label == 0:  # disc
        inside = 1.0 - r
    elif label == 1:  # square
        inside = 0.85 - box
    elif label == 2:  # triangle pointing up (v grows downwards, like image rows)
        inside = np.minimum(0.8 - v, (v + 1.0) / 1.8 - np.abs(u))
    elif label == 3:  # ring
        inside = np.minimum(1.0 - r, r - 0.55)
    elif label == 4:  # plus
        inside = np.maximum(
            np.minimum(0.28 - np.abs(u), 1.0 - np.abs(v)),
            np.minimum(0.28 - np.abs(v), 1.0 - np.abs(u)),
        )
    elif label == 5:  # x-shaped cross
        diag = np.minimum(np.abs(u - v), np.abs(u + v)) / np.sqrt(2.0)
        inside = np.minimum(0.22 - diag, 0.95 - box)
    elif label == 6:  # horizontal stripes in a square patch
        inside = np.minimum(1.0 - box, 0.25 * np.sin(v * 2.5 * np.pi + phase))
    elif label == 7:  # checkerboard in a square patch
        checks = np.sin(u * 2.0 * np.pi + phase) * np.sin(v * 2.0 * np.pi + phase)
        inside = np.minimum(1.0 - box, 0.25 * checks)
    elif label == 8:  # two dots side by side
        left = np.hypot(u + 0.55, v)
        right = np.hypot(u - 0.55, v)
        inside = 0.42 - np.minimum(left, right)
    elif label == 9:  # hollow square
        inside = np.minimum(1.0 - box, box - 0.55)
    else:
        raise ValueError(f"label must be 0..9, got {label}")
    return inside


def synthetic_images(
    n: int, seed: int | np.random.SeedSequence = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` drawn images (uint8, (n, 32, 32, 3)) and labels (uint8, (n, 1)), classes balanced.

    Deterministic for ``seed``. Labels are as balanced as ``n`` allows and in random order.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 10
    rng.shuffle(labels)

    # Per-image drawing parameters, all drawn at once.
    half = rng.uniform(7.0, 11.0, n)  # half-size of the shape in pixels
    cx = rng.uniform(half * 0.7 + 1.0, _SIZE - 1.0 - half * 0.7)
    cy = rng.uniform(half * 0.7 + 1.0, _SIZE - 1.0 - half * 0.7)
    tilt = rng.uniform(-0.35, 0.35, n)  # radians, about +-20 degrees
    phase = rng.uniform(0.0, 2.0 * np.pi, n)
    # Random colours (colour says nothing about the class), but the shape is always lighter
    # than its background, like a lit object, so every class has one clear edge polarity.
    background = rng.uniform(0.0, 0.55, (n, 3))
    foreground = rng.uniform(0.45, 1.0, (n, 3))
    gap = (foreground - background) @ LUMA
    lift = np.clip(0.35 - gap, 0.0, None)[:, None]  # keep at least 0.35 brightness between them
    foreground = np.clip(foreground + lift, 0.0, 1.0)
    background = np.clip(background - lift, 0.0, 1.0)
    gradient = rng.normal(0.0, 0.12, (n, 2)).astype(np.float32)  # shading in x and y
    noise_level = rng.uniform(0.02, 0.08, n).astype(np.float32)
    background = background.astype(np.float32)
    foreground = foreground.astype(np.float32)

    coords = np.arange(_SIZE, dtype=np.float32) + 0.5
    out = np.empty((n, _SIZE, _SIZE, 3), dtype=np.uint8)
    # Work in chunks so 50,000 images never need more than a few tens of MB of floats.
    for start in range(0, n, 4096):
        sl = slice(start, min(start + 4096, n))
        m = sl.stop - sl.start
        dx = coords[None, None, :] - cx[sl, None, None].astype(np.float32)
        dy = coords[None, :, None] - cy[sl, None, None].astype(np.float32)
        cos = np.cos(tilt[sl])[:, None, None].astype(np.float32)
        sin = np.sin(tilt[sl])[:, None, None].astype(np.float32)
        scale = half[sl, None, None].astype(np.float32)
        u = (dx * cos + dy * sin) / scale
        v = (-dx * sin + dy * cos) / scale
        mask = np.empty((m, _SIZE, _SIZE), dtype=np.float32)
        lab = labels[sl]
        ph = phase[sl, None, None].astype(np.float32)
        for k in range(10):
            idx = np.flatnonzero(lab == k)
            if idx.size:
                # float64 here: sin/hypot may differ in the last bit between CPUs, and in
                # float64 that never moves a pixel across a rounding step (stored notebook
                # outputs stay reproducible on any machine).
                f64 = np.float64
                inside = _shape_mask(k, u[idx].astype(f64), v[idx].astype(f64), ph[idx].astype(f64))
                # Signed "distance" in shape units times pixels per unit = about pixels.
                mask[idx] = np.clip(inside * scale[idx] + 0.5, 0.0, 1.0)
        ramp = gradient[sl, 0, None, None] * (dx / _SIZE) + gradient[sl, 1, None, None] * (
            dy / _SIZE
        )
        bg = background[sl, None, None, :] + ramp[..., None]
        img = bg + (foreground[sl, None, None, :] - bg) * mask[..., None]
        noise = rng.standard_normal(img.shape, dtype=np.float32)
        noise *= noise_level[sl, None, None, None]
        img += noise
        img *= 255.0
        img += 0.5
        np.clip(img, 0.0, 255.0, out=img)
        out[sl] = img.astype(np.uint8)
    return out, labels.astype(np.uint8).reshape(-1, 1)
