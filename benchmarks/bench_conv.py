"""workshop.ops.conv2d (NumPy reference) against SciPy and TensorFlow, measured in one run.

Ratio = our time / their time: 1.0 is as fast, 10 is ten times slower.
"""

from __future__ import annotations

import os

import numpy as np

from benchmarks.common import markdown_table, median_seconds
from workshop import ops

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main() -> list[dict]:
    import tensorflow as tf
    from scipy.signal import correlate2d

    rng = np.random.default_rng(0)
    rows = []

    image = rng.random((512, 512)).astype(np.float32)
    kernel = rng.normal(size=(3, 3)).astype(np.float32)
    tf_image, tf_kernel = (
        tf.constant(image[None, :, :, None]),
        tf.constant(kernel[:, :, None, None]),
    )
    ours = median_seconds(lambda: ops.conv2d(image, kernel))
    scipy_t = median_seconds(lambda: correlate2d(image, kernel, "valid"))
    tf_t = median_seconds(lambda: tf.nn.conv2d(tf_image, tf_kernel, 1, "VALID").numpy())
    rows.append(_row("512x512 image, one 3x3 kernel", ours, scipy_t, tf_t))

    batch = rng.random((32, 32, 32, 3)).astype(np.float32)
    bank = rng.normal(size=(3, 3, 3, 32)).astype(np.float32)
    tf_batch, tf_bank = tf.constant(batch), tf.constant(bank)
    ours = median_seconds(lambda: [ops.conv2d(x, bank) for x in batch])
    scipy_t = median_seconds(
        lambda: [
            [
                sum(correlate2d(x[..., c], bank[..., c, f], "valid") for c in range(3))
                for f in range(32)
            ]
            for x in batch
        ],
        repeat=3,
    )
    tf_t = median_seconds(lambda: tf.nn.conv2d(tf_batch, tf_bank, 1, "VALID").numpy())
    rows.append(_row("32 images 32x32x3, 32 kernels 3x3x3", ours, scipy_t, tf_t))

    print(
        markdown_table(
            rows, ["case", "ops.conv2d ms", "scipy ms", "tf.nn.conv2d ms", "ours/scipy", "ours/tf"]
        )
    )
    return rows


def _row(case: str, ours: float, scipy_t: float, tf_t: float) -> dict:
    return {
        "case": case,
        "ops.conv2d ms": f"{ours * 1e3:.2f}",
        "scipy ms": f"{scipy_t * 1e3:.2f}",
        "tf.nn.conv2d ms": f"{tf_t * 1e3:.2f}",
        "ours/scipy": f"{ours / scipy_t:.2f}",
        "ours/tf": f"{ours / tf_t:.2f}",
    }


if __name__ == "__main__":
    main()
