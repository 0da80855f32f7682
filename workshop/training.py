"""The parts of the CIFAR-10 training recipe that learners use but do not type.

Each is a few lines of Keras or ``tf.data``; the notebook says in one sentence what each does:

- :func:`augmented_batches`: every epoch shows each photo slightly changed (mirrored left-right,
  shifted by up to 2 pixels), so the network cannot memorise exact pixels;
- :func:`scaled_batches`: validation and test photos as they are, scaled one batch at a time, so
  no float32 copy of thousands of photos sits in memory;
- :class:`OneCycle`: the learning rate warms up, then falls smoothly to zero at the end of the
  budget, which ends at the last epoch or at the time limit, whichever comes first, so a slow
  laptop still finishes on time with a fully cooled-down model;
- :func:`sparse_crossentropy`: the usual loss for integer labels, with label smoothing, so the
  network is not pushed to be 100% sure of any training photo.

Keras and TensorFlow are imported inside the functions: importing this module costs nothing.
"""

from __future__ import annotations

import functools
import math
import os
import sys
import time
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    import keras
    import tensorflow as tf

__all__ = [
    "OneCycle",
    "PEAK",
    "augmented_batches",
    "compile_like_05",
    "load_model",
    "one_cycle_rate",
    "scaled_batches",
    "sparse_crossentropy",
]

# Measured on the real photos, live model, 3 minutes each: shifts of 2 px with a peak learning rate
# of 0.006 gave 76.7%, against 75.0% for 4 px and 0.004 (75.5% and 75.3% changing one of the two).
# A small network learns faster from photos that change less; the going-further model asks for 4.
_PAD = 2
PEAK = 0.006


def _check_images(x: np.ndarray, y: np.ndarray) -> None:
    if np.ndim(x) != 4 or np.shape(x)[-1] != 3:
        raise ValueError(f"x must be a batch of RGB images (n, h, w, 3), got shape {np.shape(x)}")
    if len(y) != len(x):
        raise ValueError(f"y must have one label per image: {len(y)} labels for {len(x)} images")


def _check_batch_size(batch_size: int) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")


def _uint8_rows(x: np.ndarray) -> np.ndarray:
    """The photos as (n, pixels, 3) uint8, sharing the learner's array where it can.

    Batches read their photos from this array, not from a ``tf.constant`` copy of it: on 45,000
    photos that copy held 138 MB more for the whole session (and 276 MB while it was made).
    """
    arr = np.asarray(x)
    if arr.dtype != np.uint8:
        raise TypeError(f"x must be the uint8 photos (0..255), got dtype {arr.dtype}")
    return np.ascontiguousarray(arr.reshape(len(arr), -1, 3))


def _picked(rows: np.ndarray, idx: tf.Tensor) -> tf.Tensor:
    """The photos at ``idx``, read from ``rows`` (see :func:`_uint8_rows`)."""
    import tensorflow as tf

    picked = tf.numpy_function(rows.take, [idx, 0], tf.uint8, stateful=False)
    picked.set_shape([None, rows.shape[1], 3])
    return picked


def scaled_batches(x: np.ndarray, y: np.ndarray, batch_size: int = 256) -> tf.data.Dataset:
    """The photos unchanged and in order, in batches scaled like ``data.to_float``.

    For validation and test photos: ``fit(validation_data=...)``, ``evaluate`` and ``predict``
    take these batches as they take arrays, but only one batch is ever float32. Keras keeps a
    copy of an array it was given for as long as the session runs: 123 MB for the 10,000 test
    photos as float32.
    """
    import tensorflow as tf

    _check_images(x, y)
    _check_batch_size(batch_size)
    height, width = int(np.shape(x)[1]), int(np.shape(x)[2])
    rows, labels = _uint8_rows(x), tf.constant(np.asarray(y))

    def batch(idx: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        xb = tf.reshape(_picked(rows, idx), [-1, height, width, 3])
        return tf.cast(xb, tf.float32) / 255.0, tf.gather(labels, idx)

    return tf.data.Dataset.range(len(x)).batch(batch_size).map(batch).prefetch(1)


def _reflected_windows(size: int, shift: int) -> np.ndarray:
    """Row (or column) indices of each shift -shift..+shift, reflected at the border.

    Row ``d`` reads the image moved by ``d - shift`` pixels; an index that falls off the edge is
    mirrored back inside without repeating the edge pixel, as padding with mode "REFLECT" does.
    """
    index = np.arange(size)[None, :] + np.arange(-shift, shift + 1)[:, None]
    index = np.abs(index)
    return np.where(index > size - 1, 2 * (size - 1) - index, index).astype(np.int32)


def augmented_batches(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int = 256,
    seed: int = 0,
    shift: int = _PAD,
    mirror: bool = True,
) -> tf.data.Dataset:
    """Shuffled training batches, each photo randomly mirrored and shifted by up to ``shift`` px.

    The shift pads the photo by reflecting its border, then crops a random window of the
    original size: the content moves, and no black edge appears. ``shift=0, mirror=False``
    gives the photos unchanged (shuffled each epoch): training without augmentation. ``x`` is
    the uint8 photos (0..255); the batches come out as float32 in [0, 1], scaled like
    ``data.to_float``. Only the training data is augmented; validation and test photos stay as
    they are (:func:`scaled_batches`).
    """
    import tensorflow as tf

    _check_images(x, y)
    _check_batch_size(batch_size)
    if isinstance(shift, bool) or not isinstance(shift, int) or shift < 0:
        raise ValueError(f"shift must be a whole number of pixels >= 0, got {shift!r}")
    height, width = int(np.shape(x)[1]), int(np.shape(x)[2])
    if shift >= min(height, width):
        raise ValueError(f"shift must be smaller than the image ({height}x{width}), got {shift}")
    # uint8 until the batch is cut: a quarter of the memory traffic of float32 on every step.
    photos = _uint8_rows(x)
    if not isinstance(mirror, bool):
        raise TypeError(f"mirror must be True or False, got {mirror!r}")
    # These batches are already shuffled, every epoch: Keras' reminder of that is noise here.
    warnings.filterwarnings("ignore", message="`shuffle=True` was passed", category=UserWarning)
    labels = tf.constant(np.asarray(y))
    rng = tf.random.Generator.from_seed(seed)
    # Row and column indices of every possible shift, reflected at the border: reading pixels
    # through them is padding by reflection and then cropping, without building the padded batch.
    rows_for = tf.constant(_reflected_windows(height, shift))
    cols_for = tf.constant(_reflected_windows(width, shift))

    def batch(idx: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        # Whole batches at once, and one gather per batch: per-image tf.data steps, or a padded
        # copy cropped by two gathers, cost about as much as the training itself on 2 cores.
        n = tf.shape(idx)[0]
        rows = tf.gather(rows_for, rng.uniform([n], 0, 2 * shift + 1, dtype=tf.int32))
        cols = tf.gather(cols_for, rng.uniform([n], 0, 2 * shift + 1, dtype=tf.int32))
        if mirror:
            flip = rng.uniform([n, 1]) < 0.5
            cols = tf.where(flip, width - 1 - cols, cols)
        pixels = tf.reshape(rows[:, :, None] * width + cols[:, None, :], [n, height * width])
        xb = tf.gather(_picked(photos, idx), pixels, batch_dims=1)
        xb = tf.reshape(xb, [n, height, width, 3])
        return tf.cast(xb, tf.float32) / 255.0, tf.gather(labels, idx)

    return (
        tf.data.Dataset.range(len(x))
        .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .map(batch)
        .prefetch(tf.data.AUTOTUNE)
    )


def one_cycle_rate(progress: float, peak: float, warmup: float = 0.15) -> float:
    """Learning rate at ``progress`` (0 = start, 1 = end): linear warm-up, then cosine to 0."""
    progress = min(max(float(progress), 0.0), 1.0)
    if progress < warmup:
        return peak * progress / warmup
    return peak * 0.5 * (1.0 + math.cos(math.pi * (progress - warmup) / (1.0 - warmup)))


def OneCycle(  # noqa: N802 - used like a class: callbacks=[training.OneCycle(...)]
    peak: float,
    epochs: int,
    steps_per_epoch: int,
    minutes: float | None = None,
    warmup: float = 0.15,
) -> keras.callbacks.Callback:
    """A callback: one-cycle learning rate over ``epochs`` epochs or ``minutes`` of training.

    Progress is the larger of "steps done / steps planned" and "time used / time allowed", so a
    slow laptop reaches the end of the schedule (a learning rate of zero) on time, stops there
    (mid-epoch if need be), and prints how many epochs ran. The optimizer's learning rate must
    be a plain number (``AdamW(learning_rate=...)``), which this callback then sets every step.
    """
    import keras

    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if (
        isinstance(steps_per_epoch, bool)
        or not isinstance(steps_per_epoch, int)
        or steps_per_epoch < 1
    ):
        raise ValueError(f"steps_per_epoch must be a positive int, got {steps_per_epoch!r}")
    if minutes is not None and not minutes > 0:
        raise ValueError(f"minutes must be positive or None, got {minutes!r}")
    if not peak > 0:
        raise ValueError(f"peak must be a positive learning rate, got {peak!r}")
    if not 0 <= warmup < 1:
        raise ValueError(f"warmup must be a fraction in [0, 1), got {warmup!r}")

    class _OneCycle(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.total_steps = epochs * steps_per_epoch
            self.seconds = None if minutes is None else 60.0 * minutes
            self.step = 0
            self.epochs_run = 0.0
            self.stopped_by_time = False
            self.started = 0.0

        def progress(self) -> float:
            done = self.step / self.total_steps
            if self.seconds is None:
                return done
            return max(done, (time.perf_counter() - self.started) / self.seconds)

        def on_train_begin(self, logs: Any = None) -> None:
            self.started = time.perf_counter()
            self.step = 0
            self.epochs_run = 0.0
            self.stopped_by_time = False

        def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
            self.model.optimizer.learning_rate.assign(one_cycle_rate(self.progress(), peak, warmup))

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            self.step += 1
            self.epochs_run = self.step / steps_per_epoch
            if self.progress() >= 1.0:
                self.stopped_by_time = self.step < self.total_steps
                self.model.stop_training = True

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if self.seconds is None or self.model.stop_training or self.step >= self.total_steps:
                return
            # Less than a fifth of an epoch left: its learning rate would be almost zero, and a
            # stub epoch only adds a flat point to the curves.
            elapsed = time.perf_counter() - self.started
            per_epoch = elapsed / max(self.epochs_run, 1e-9)
            if elapsed + 0.2 * per_epoch >= self.seconds:
                self.stopped_by_time = True
                self.model.stop_training = True

        def on_train_end(self, logs: Any = None) -> None:
            took = time.perf_counter() - self.started
            how = "time budget reached" if self.stopped_by_time else "all epochs done"
            print(
                f"trained {self.epochs_run:.1f} of {epochs} epochs in {took / 60:.1f} min ({how})"
            )

    return _OneCycle()


@functools.cache
def _loss_class() -> type:
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="workshop")
    class SparseCrossentropy(keras.losses.Loss):
        """Cross-entropy for integer labels, with optional label smoothing."""

        def __init__(
            self, from_logits: bool = True, label_smoothing: float = 0.0, **kwargs: Any
        ) -> None:
            kwargs.setdefault("name", "sparse_crossentropy")
            super().__init__(**kwargs)
            self.from_logits = from_logits
            self.label_smoothing = label_smoothing

        def call(self, y_true: Any, y_pred: Any) -> Any:
            if self.from_logits:
                log_p = ops.log_softmax(y_pred, axis=-1)
            else:
                log_p = ops.log(ops.clip(y_pred, 1e-7, 1.0))
            labels = ops.cast(ops.reshape(y_true, (-1,)), "int32")
            true_class = -ops.take_along_axis(log_p, labels[:, None], axis=-1)[:, 0]
            spread = -ops.mean(log_p, axis=-1)
            eps = self.label_smoothing
            return (1.0 - eps) * true_class + eps * spread

        def get_config(self) -> dict[str, Any]:
            return {
                **super().get_config(),
                "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing,
            }

    return SparseCrossentropy


def sparse_crossentropy(from_logits: bool = True, label_smoothing: float = 0.0) -> Any:
    """``SparseCategoricalCrossentropy`` with the ``label_smoothing`` option Keras' lacks.

    With ``label_smoothing=s`` the target keeps ``1 - s`` on the true class and spreads ``s``
    evenly over all ten, exactly like ``CategoricalCrossentropy(label_smoothing=s)`` on one-hot
    labels, so the network is never pushed to be 100% sure of a training photo. With ``s = 0``
    it is plain ``SparseCategoricalCrossentropy``.
    """
    if not isinstance(from_logits, bool):
        raise TypeError(f"from_logits must be True or False, got {from_logits!r}")
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, (int, float)):
        raise TypeError(f"label_smoothing must be a number, got {label_smoothing!r}")
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing!r}")
    return _loss_class()(from_logits=from_logits, label_smoothing=float(label_smoothing))


def compile_like_05(model: keras.Model, peak: float = PEAK) -> keras.Model:
    """Compile ``model`` as notebook 05's compile cell does (``tests/test_training.py`` holds
    the two equal), for the benchmarks and notebook 06's stand-in network; returns the model."""
    import keras

    model.compile(
        optimizer=keras.optimizers.AdamW(learning_rate=peak, weight_decay=1e-4),
        loss=sparse_crossentropy(from_logits=True, label_smoothing=0.1),
        metrics=["accuracy"],
    )
    return model


def load_model(path: str | os.PathLike[str]) -> keras.Model:
    """``keras.models.load_model`` for a model compiled with :func:`sparse_crossentropy`.

    Keras finds the loss by its registered name, which exists once this module has defined it;
    in a fresh Python session that has not happened yet, so plain ``load_model`` would fail.
    """
    import keras

    _loss_class()
    return keras.models.load_model(path)


if "keras" in sys.modules:  # already paid for: register the loss so plain load_model works too
    _loss_class()
