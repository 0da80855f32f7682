"""Fit one random 3x3 ``Conv2D`` kernel to reproduce an edge map: kernels are learned, visibly.

Notebook 04 uses it to show training at the scale of a single kernel: the target is the
feature map a hand-designed kernel makes of a photograph, the start is random, and gradient
descent alone brings the kernel to the hand-designed one in a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["KernelFit", "fit_kernel"]


@dataclass(frozen=True)
class KernelFit:
    """Snapshots of the kernel while it learned, and the loss at each."""

    steps: tuple[int, ...]
    kernels: np.ndarray  # (snapshots, 3, 3)
    losses: tuple[float, ...]
    seconds: float


def fit_kernel(
    image: np.ndarray,
    target_kernel: np.ndarray,
    steps: int = 150,
    snapshots: tuple[int, ...] = (0, 10, 25, 50, 150),
    learning_rate: float = 0.2,
    seed: int = 0,
) -> KernelFit:
    """Train ``Conv2D(1, 3, use_bias=False)`` so that its map of ``image`` equals the map
    ``target_kernel`` makes, by plain gradient descent on the mean squared difference.

    ``image`` is a 2-D gray image; ``snapshots`` lists the steps at which to keep the kernel
    (step 0 is the random start).
    """
    import time

    import keras

    from workshop import ops

    image = np.asarray(image, dtype="float32")
    target_kernel = np.asarray(target_kernel, dtype="float32")
    if image.ndim != 2:
        raise ValueError(f"image must be a 2-D gray image, got shape {image.shape}")
    if target_kernel.shape != (3, 3):
        raise ValueError(f"target_kernel must be 3x3, got shape {target_kernel.shape}")
    if steps < 1 or any(not 0 <= s <= steps for s in snapshots):
        raise ValueError(f"snapshots must lie in 0..steps={steps}, got {snapshots}")
    target = ops.conv2d(image, target_kernel).astype("float32")
    x, y = image[None, :, :, None], target[None, :, :, None]

    keras.utils.set_random_seed(seed)
    layer = keras.layers.Conv2D(1, 3, use_bias=False)
    model = keras.Sequential([keras.Input(shape=x.shape[1:]), layer])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")

    kept: dict[int, tuple[np.ndarray, float]] = {}

    def keep(step: int) -> None:
        if step in snapshots:
            kernel = layer.get_weights()[0][:, :, 0, 0].copy()
            loss = float(np.mean((ops.conv2d(image, kernel) - target) ** 2))
            kept[step] = (kernel, loss)

    class Snapshot(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            keep(batch + 1)

    start = time.perf_counter()
    keep(0)
    # One epoch of `steps` copies, one per batch: a step per batch, without the per-epoch
    # bookkeeping that would make 150 epochs take several seconds.
    model.fit(
        np.repeat(x, steps, axis=0),
        np.repeat(y, steps, axis=0),
        epochs=1,
        batch_size=1,
        shuffle=False,
        verbose=0,
        callbacks=[Snapshot()],
    )
    seconds = time.perf_counter() - start
    order = sorted(kept)
    return KernelFit(
        steps=tuple(order),
        kernels=np.stack([kept[s][0] for s in order]),
        losses=tuple(kept[s][1] for s in order),
        seconds=seconds,
    )
