"""The Keras models the CIFAR-10 notebook builds, compares and benchmarks.

Every builder returns an **uncompiled** ``keras.Model`` whose last layer outputs
*logits* (no softmax): compile it with a loss that takes logits, as notebook 05's compile cell
does (``training.sparse_crossentropy(from_logits=True, ...)``). Keeping compile out of here lets
the notebook show that step in visible code, and ``tests/test_training.py`` runs that cell itself.

All models take ``keras.Input(shape=(32, 32, 3))`` images scaled to [0, 1]
(``workshop.data.to_float``) and output 10 logits, one per CIFAR-10 class.

Keras (and so TensorFlow) is imported inside each function: importing
``workshop.models`` costs nothing until a model is built.

===================  ==========  =========================================================
builder              parameters  what it is for
===================  ==========  =========================================================
live_cnn             89,834      the model the learners type; 3 x (Conv-ReLU-Pool), Dense
classic_tutorial_cnn 122,570     the well-known tutorial model, the speed yardstick
dense_baseline       402,250     no convolutions: Flatten then Dense layers (CNN vs NN)
going_further_cnn    357,482     twice the kernels, pool-first batch norm, dropout: more accurate
===================  ==========  =========================================================
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    import keras

__all__ = [
    "INPUT_SHAPE",
    "NUM_CLASSES",
    "SAVED_MODEL_ENV",
    "classic_tutorial_cnn",
    "dense_baseline",
    "going_further_cnn",
    "live_cnn",
    "saved_model_path",
]

INPUT_SHAPE = (32, 32, 3)
NUM_CLASSES = 10
SAVED_MODEL_ENV = "WORKSHOP_MODEL"


def saved_model_path() -> Path:
    """The file where notebook 05 keeps its trained network and notebook 06 looks for it.

    ``~/.cache/cnn-workshop/cifar10_cnn.keras``, outside the notebooks folder so that a learner
    who re-downloads the workshop keeps it; ``WORKSHOP_MODEL`` names another file (the tests
    do). Its folder is made here: ``model.save`` does not make one.
    """
    named = os.environ.get(SAVED_MODEL_ENV, "").strip()
    default = Path.home() / ".cache" / "cnn-workshop" / "cifar10_cnn.keras"
    path = Path(named).expanduser() if named else default
    if path.suffix != ".keras":
        raise ValueError(f"{SAVED_MODEL_ENV}: expected a file ending in .keras, got {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _check_shape(input_shape: tuple[int, ...], num_classes: int) -> None:
    if len(input_shape) != 3 or any(int(n) <= 0 for n in input_shape):
        raise ValueError(
            f"input_shape must be (height, width, channels) with positive sizes, "
            f"got {input_shape!r}"
        )
    if num_classes < 2:
        raise ValueError(f"num_classes must be at least 2, got {num_classes}")


def live_cnn(
    input_shape: tuple[int, int, int] = INPUT_SHAPE, num_classes: int = NUM_CLASSES
) -> keras.Model:
    """The live-coding CNN: three Conv(3x3, 'same', ReLU) + 2x2 max-pool blocks, then Dense.

    With 'same' padding each convolution keeps the height and width and each pooling
    halves them: 32 -> 16 -> 8 -> 4. Filters grow 16 -> 32 -> 64. It does fewer
    multiply-adds than :func:`classic_tutorial_cnn`, so an epoch is no slower.
    """
    import keras
    from keras import layers

    _check_shape(input_shape, num_classes)
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(16, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dense(num_classes),  # logits: the loss applies softmax itself
        ],
        name="live_cnn",
    )


def classic_tutorial_cnn(
    input_shape: tuple[int, int, int] = INPUT_SHAPE, num_classes: int = NUM_CLASSES
) -> keras.Model:
    """The classic CIFAR-10 tutorial CNN (122,570 parameters with the defaults).

    Conv32-Pool-Conv64-Pool-Conv64-Dense64-Dense10, 'valid' padding. Used as the yardstick
    in ``benchmarks/bench_training.py``.
    """
    import keras
    from keras import layers

    _check_shape(input_shape, num_classes)
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dense(num_classes),
        ],
        name="classic_tutorial_cnn",
    )


def dense_baseline(
    input_shape: tuple[int, int, int] = INPUT_SHAPE, num_classes: int = NUM_CLASSES
) -> keras.Model:
    """A plain neural network for the CNN-vs-NN comparison: Flatten, Dense 128, Dense 64.

    It has about four times the parameters of :func:`live_cnn` because every pixel of
    every channel connects to every unit of the first layer, and it knows nothing about
    which pixels are neighbours.
    """
    import keras
    from keras import layers

    _check_shape(input_shape, num_classes)
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(num_classes),
        ],
        name="dense_baseline",
    )


def going_further_cnn(
    input_shape: tuple[int, int, int] = INPUT_SHAPE,
    num_classes: int = NUM_CLASSES,
    dropout: float = 0.2,
    pool_first: bool = True,
) -> keras.Model:
    """The self-study CNN: the live model's three blocks, twice as wide, with batch norm.

    Conv(32, 64, 128 filters) -> 2x2 max pool -> BatchNormalization -> ReLU, three times, then
    dropout and Dense. Batch norm rescales each feature map to a steady range, which lets a
    higher learning rate train it in fewer epochs; dropout switches off a random fifth of the
    flattened values while training. Train it with ``workshop.training``'s augmented batches.

    Pooling comes before batch norm and ReLU: ReLU never changes which value of a window is the
    largest, so pool-then-ReLU equals ReLU-then-pool, and batch norm and ReLU then touch a
    quarter of the values. On a 2-core CPU a training step gets 1.7x to 2.2x faster
    (``python -m benchmarks.bench_training``), so more epochs fit in the same ten minutes.
    ``pool_first=False`` builds the textbook order (Conv -> BatchNormalization -> ReLU -> pool):
    the same parameters, but batch norm then sees the maps before pooling.
    """
    import keras
    from keras import layers

    _check_shape(input_shape, num_classes)
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    if not isinstance(pool_first, bool):
        raise TypeError(f"pool_first must be True or False, got {pool_first!r}")

    def block(filters: int) -> list[Any]:
        # Conv without bias: batch norm's own shift makes it redundant.
        conv = layers.Conv2D(filters, 3, padding="same", use_bias=False)
        normalise = [layers.BatchNormalization(), layers.ReLU()]
        if pool_first:
            return [conv, layers.MaxPooling2D(2), *normalise]
        return [conv, *normalise, layers.MaxPooling2D(2)]

    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            *block(32),
            *block(64),
            *block(128),
            layers.Flatten(),
            layers.Dropout(dropout),
            layers.Dense(128, activation="relu"),
            layers.Dense(num_classes),
        ],
        name="going_further_cnn",
    )
