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
    "LEAVE_ONE_OUT_BELOW",
    "Scores",
    "compare",
    "feature_extractor",
    "features",
    "fit_head",
    "from_scratch",
    "head_accuracy",
    "imagenet_extractor",
    "leave_one_out",
    "quick_network",
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
    from workshop.data import to_float

    out = extractor.predict(to_float(images), batch_size=batch_size, verbose=0)
    return out.reshape(len(images), -1)


def fit_head(
    train_x: np.ndarray,
    train_y: np.ndarray,
    num_classes: int,
    epochs: int | None = None,
    seed: int = 0,
) -> keras.Model:
    """The new head, trained on feature vectors: each feature scaled to mean 0 and spread 1
    (from the training vectors), then one Dense layer with weight decay.

    Notebook 06 builds and trains the same head in visible Keras code (a test keeps the two
    alike); this one runs its steps faster, for :func:`compare` and the benchmark.
    """
    import keras

    epochs = HEAD_EPOCHS if epochs is None else epochs
    keras.utils.set_random_seed(seed)
    normalise = keras.layers.Normalization()
    normalise.adapt(train_x)
    head = keras.Sequential(
        [
            keras.Input(shape=(train_x.shape[1],)),
            normalise,
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
    """Held-out accuracy of :func:`fit_head`."""
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

    from workshop.data import to_float
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
    logits = model.predict(to_float(test_images), verbose=0)
    return float(np.mean(np.argmax(logits, axis=1) == test_y))


@dataclass(frozen=True)
class Scores:
    """Held-out accuracy of the three ways, and chance (the biggest class's share)."""

    frozen_features: float
    raw_pixels: float
    from_scratch: float | None
    chance: float
    seconds: dict[str, float]

    def named(self) -> dict[str, float]:
        """The ways that ran, by the names notebook 06 gives them."""
        ways = {
            "frozen features + new head": self.frozen_features,
            "same head, raw pixels": self.raw_pixels,
            "same network, from scratch": self.from_scratch,
        }
        return {name: score for name, score in ways.items() if score is not None}


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


def _as_vectors(extractor: keras.Model | None, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each photo's vector and its mirror image's: the extractor's features, or (``None``) the
    raw pixels scaled to [0, 1]."""
    from workshop.data import to_float

    mirrored = images[:, :, ::-1]
    if extractor is not None:
        return features(extractor, images), features(extractor, mirrored)
    return to_float(images).reshape(len(images), -1), to_float(mirrored).reshape(len(images), -1)


def compare(
    extractor: keras.Model,
    images: np.ndarray,
    labels: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    *,
    scratch: bool = True,
    frozen_features: float | None = None,
    seed: int = 0,
) -> Scores:
    """The three ways on one split (``train``/``test`` index ``images``).

    ``frozen_features``: that way's accuracy, when the caller has trained the head already (as
    notebook 06 does in visible code); it is then not trained a second time.
    """
    import time

    num_classes = int(labels.max()) + 1
    # The heads learn from each training photo and its mirror image, as 05's network did; the
    # network from scratch gets the same mirroring (and shifts) from augmented_batches.
    seconds = {}
    started = time.perf_counter()
    if frozen_features is None:
        vectors, mirrored = _as_vectors(extractor, images)
        feature_score = _with_mirrors(vectors, mirrored, labels, train, test, seed)
        seconds["frozen_features"] = time.perf_counter() - started
    else:
        feature_score = float(frozen_features)
    started = time.perf_counter()
    pixels, flipped = _as_vectors(None, images)
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


LEAVE_ONE_OUT_BELOW = 8  # fewer photos than this in a class: a held-out split says too little


def leave_one_out(
    extractor: keras.Model,
    images: np.ndarray,
    labels: np.ndarray,
    *,
    scratch: bool = True,
    scratch_epochs: int | None = None,
    seed: int = 0,
) -> Scores:
    """The three ways of :func:`compare`, each trained once per photo on all the others and
    scored on the one left out: for a set too small to spare a held-out share of each class."""
    import time

    labels = np.asarray(labels)
    if len(np.unique(labels)) < 2 or np.bincount(labels).min() < 2:
        raise ValueError("labels: leave-one-out needs at least two classes of two photos each")
    num_classes = int(labels.max()) + 1
    ways = (
        ("frozen_features", "raw_pixels", "from_scratch")
        if scratch
        else ("frozen_features", "raw_pixels")
    )
    seconds = dict.fromkeys(ways, 0.0)
    started = time.perf_counter()
    vectors, mirrored = _as_vectors(extractor, images)
    seconds["frozen_features"] += time.perf_counter() - started
    pixels, flipped = _as_vectors(None, images)
    right = {"frozen_features": 0, "raw_pixels": 0, "from_scratch": 0}
    everyone = np.arange(len(images))
    for left_out in everyone:
        train, test = everyone[everyone != left_out], np.array([left_out])
        for way, (a, b) in (
            ("frozen_features", (vectors, mirrored)),
            ("raw_pixels", (pixels, flipped)),
        ):
            started = time.perf_counter()
            right[way] += _with_mirrors(a, b, labels, train, test, seed)
            seconds[way] += time.perf_counter() - started
        if scratch:
            started = time.perf_counter()
            right["from_scratch"] += from_scratch(
                images[train],
                labels[train],
                images[test],
                labels[test],
                num_classes,
                epochs=scratch_epochs,
                seed=seed,
            )
            seconds["from_scratch"] += time.perf_counter() - started
    n = len(images)
    return Scores(
        right["frozen_features"] / n,
        right["raw_pixels"] / n,
        right["from_scratch"] / n if scratch else None,
        float(np.bincount(labels).max() / n),
        seconds,
    )


def quick_network(
    n_train: int = 50_000, epochs: int = 20, minutes: float = 1.0, seed: int = 0
) -> keras.Model:
    """``models.live_cnn`` trained with notebook 05's recipe at a small time budget: for a
    learner who reaches 06 without the network 05 saves. Prints what it does and how it did."""
    import keras

    from workshop import budget, data, models, training

    (x_train, y_train), (x_test, y_test) = data.load_cifar10(
        n_train=n_train, n_test=2000, seed=seed
    )
    keras.utils.set_random_seed(seed)
    network = training.compile_like_05(models.live_cnn())
    batches = training.augmented_batches(x_train, y_train, batch_size=256, seed=seed)
    cycle = training.OneCycle(
        peak=training.PEAK, epochs=epochs, steps_per_epoch=len(batches), minutes=minutes
    )
    network.fit(batches, epochs=epochs, callbacks=[cycle], verbose=0)
    accuracy = network.evaluate(training.scaled_batches(x_test, y_test), verbose=0)[1]
    full = budget.expected_accuracy(budget.EPOCHS)
    print(
        f"test accuracy on CIFAR-10: {accuracy:.0%} (on the real photos, notebook 05's full "
        f"budget reaches about {full:.0%})"
    )
    return network


IMAGENET_SIZE = 96


def imagenet_extractor(size: int = IMAGENET_SIZE, weights: str | None = "imagenet") -> keras.Model:
    """Keras' MobileNetV3Small without its classifier, averaged to one vector a photo.

    ``weights="imagenet"`` downloads a few MB of weights learned on 1.3 million photos (it
    needs the internet); ``None`` gives the same network untrained, which is how the tests run
    this path. It takes photos scaled to [0, 1], as :func:`features` gives them.
    """
    import keras

    if size < 32:
        raise ValueError(f"size: MobileNetV3Small takes photos of at least 32x32, got {size}")
    backbone = keras.applications.MobileNetV3Small(
        input_shape=(size, size, 3),
        include_top=False,
        weights=weights,
        pooling="avg",
        include_preprocessing=True,  # it expects pixels from 0 to 255
    )
    photos = keras.Input(shape=(size, size, 3))
    vectors = backbone(keras.layers.Rescaling(255.0)(photos), training=False)
    extractor = keras.Model(photos, vectors, name="mobilenet_v3_small_features")
    extractor.trainable = False
    return extractor
