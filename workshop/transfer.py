"""Feature extraction: the CIFAR-10 network a learner trained, reused for their own classes.

Notebook 06 compares three ways to classify a handful of photos per class, each scored on the
same held-out photos:

- **frozen features + a new head**: the trained network cut before its classifier
  (:func:`feature_extractor`), frozen, and one new Dense layer trained on what it outputs;
- **the same head on raw pixels**: what the features add over the pixels themselves;
- **the same network from scratch** on the learner's photos alone.

TensorFlow is imported inside each function, as in :mod:`workshop.models`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import keras

__all__ = [
    "Scores",
    "compare",
    "feature_extractor",
    "features",
    "fit_head",
    "from_scratch",
    "head_accuracy",
]

HEAD_EPOCHS = 300
SCRATCH_EPOCHS = 60


def feature_extractor(model: keras.Model, layer: str | int = -2) -> keras.Model:
    """``model`` up to ``layer`` (its name, or index), frozen: photos in, feature vectors out.

    The default cuts before the classifier, the last Dense layer: for
    :func:`workshop.models.live_cnn` that leaves its 64 hidden units, which learned what the
    convolutions' 1,024 values (``"flatten"``) say about a photo's class. On classes the
    network never saw, those 64 did better with a new head (``bench_own_photos``).
    """
    import keras

    if isinstance(layer, int):
        cut = model.layers[layer]
    else:
        names = [item.name for item in model.layers]
        matches = [item for item in model.layers if item.name.startswith(layer)]
        if not matches:
            raise ValueError(f"layer: {layer!r} is not a layer of {model.name} ({names})")
        cut = matches[0]
    extractor = keras.Model(model.inputs, cut.output, name=f"{model.name}_features")
    extractor.trainable = False
    return extractor


def features(extractor: keras.Model, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Feature vectors of uint8 ``images`` (scaled to [0, 1] here, as the network was trained)."""
    out = extractor.predict(images.astype(np.float32) / 255.0, batch_size=batch_size, verbose=0)
    return out.reshape(len(images), -1)


def _standardise(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = train.mean(axis=0)
    scale = train.std(axis=0) + 1e-6
    return (train - mean) / scale, (test - mean) / scale


def fit_head(
    train_x: np.ndarray,
    train_y: np.ndarray,
    num_classes: int,
    epochs: int | None = None,
    seed: int = 0,
) -> keras.Model:
    """One Dense layer (softmax regression with weight decay) trained on feature vectors."""
    import keras

    epochs = HEAD_EPOCHS if epochs is None else epochs
    keras.utils.set_random_seed(seed)
    head = keras.Sequential(
        [
            keras.Input(shape=(train_x.shape[1],)),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(num_classes, kernel_regularizer=keras.regularizers.l2(1e-2)),
        ],
        name="head",
    )
    head.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        steps_per_execution=min(epochs, 100),
    )
    # Every photo in each step, the steps as one epoch: Keras' per-epoch overhead (tens of ms)
    # would otherwise be most of the time.
    import tensorflow as tf

    steps = tf.data.Dataset.from_tensors((train_x, train_y)).repeat(epochs)
    head.fit(steps, epochs=1, shuffle=False, verbose=0)
    return head


def head_accuracy(
    train_x: np.ndarray,
    train_y: np.ndarray,
    test_x: np.ndarray,
    test_y: np.ndarray,
    num_classes: int,
    seed: int = 0,
) -> float:
    """Held-out accuracy of :func:`fit_head` on standardised vectors."""
    train_x, test_x = _standardise(train_x, test_x)
    head = fit_head(train_x, train_y, num_classes, seed=seed)
    logits = head.predict(test_x, verbose=0)
    return float(np.mean(np.argmax(logits, axis=1) == test_y))


def from_scratch(
    train_images: np.ndarray,
    train_y: np.ndarray,
    test_images: np.ndarray,
    test_y: np.ndarray,
    num_classes: int,
    epochs: int | None = None,
    seed: int = 0,
) -> float:
    """Held-out accuracy of a new :func:`workshop.models.live_cnn` trained on these photos only
    (mirrored and shifted, as in 05)."""
    import keras

    from workshop.models import live_cnn
    from workshop.training import augmented_batches, sparse_crossentropy

    epochs = SCRATCH_EPOCHS if epochs is None else epochs
    keras.utils.set_random_seed(seed)
    model = live_cnn(input_shape=train_images.shape[1:], num_classes=num_classes)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=sparse_crossentropy())
    batch = min(32, len(train_images))
    model.fit(
        augmented_batches(train_images, train_y, batch_size=batch, seed=seed),
        epochs=epochs,
        verbose=0,
    )
    logits = model.predict(test_images.astype(np.float32) / 255.0, verbose=0)
    return float(np.mean(np.argmax(logits, axis=1) == test_y))


@dataclass(frozen=True)
class Scores:
    """Held-out accuracy of the three ways, and chance (the biggest class's share)."""

    frozen_features: float
    raw_pixels: float
    from_scratch: float | None
    chance: float
    seconds: dict[str, float]


def _with_mirrors(vectors, mirrored, labels, train, test, seed: int) -> float:
    """Held-out accuracy of a head trained on the training vectors and their mirror images'."""
    return head_accuracy(
        np.concatenate([vectors[train], mirrored[train]]),
        np.concatenate([labels[train], labels[train]]),
        vectors[test],
        labels[test],
        int(labels.max()) + 1,
        seed,
    )


def compare(
    extractor: keras.Model,
    images: np.ndarray,
    labels: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    *,
    scratch: bool = True,
    seed: int = 0,
) -> Scores:
    """The three ways on one split (``train``/``test`` index ``images``)."""
    import time

    num_classes = int(labels.max()) + 1
    # The heads learn from each training photo and its mirror image, as 05's network did; the
    # network from scratch gets the same mirroring (and shifts) from augmented_batches.
    seconds = {}
    started = time.perf_counter()
    vectors = features(extractor, images)
    mirrored = features(extractor, images[:, :, ::-1])
    feature_score = _with_mirrors(vectors, mirrored, labels, train, test, seed)
    seconds["frozen_features"] = time.perf_counter() - started
    started = time.perf_counter()
    pixels = images.reshape(len(images), -1).astype(np.float32) / 255.0
    flipped = images[:, :, ::-1].reshape(len(images), -1).astype(np.float32) / 255.0
    pixel_score = _with_mirrors(pixels, flipped, labels, train, test, seed)
    seconds["raw_pixels"] = time.perf_counter() - started
    scratch_score = None
    if scratch:
        started = time.perf_counter()
        scratch_score = from_scratch(
            images[train], labels[train], images[test], labels[test], num_classes, seed=seed
        )
        seconds["from_scratch"] = time.perf_counter() - started
    chance = float(np.bincount(labels[test]).max() / len(test))
    return Scores(feature_score, pixel_score, scratch_score, chance, seconds)
