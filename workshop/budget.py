"""What notebook 05's training budget reaches on the real photos, and on this laptop.

05 trains for 20 epochs or 3 minutes, whichever ends first, and its learning-rate schedule ends
with whichever it is (``training.OneCycle``), so a laptop that gets through *k* epochs in time
makes one complete run of *k* epochs. :data:`MEASURED` holds what such runs reached on the real
CIFAR-10 photos (``make bench``, ``benchmarks/bench_budget.py``); :func:`before_training` times
a few steps of this laptop and says what to expect, :func:`after_training` how a finished run
compares. :func:`forecast` is the one rule behind both 05's line and ``python -m workshop doctor``,
which times 05's training step on random photos (:func:`training_speed`) before the day.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BATCH_SIZE",
    "EPOCHS",
    "FEWEST_PHOTOS",
    "MEASURED",
    "MEASURED_HOW",
    "MINUTES",
    "N_TRAIN",
    "SLOW_EPOCHS",
    "Forecast",
    "after_training",
    "before_training",
    "expected_accuracy",
    "forecast",
    "images_per_second",
    "learn_photos",
    "photos_for",
    "training_speed",
]

# Notebook 05's lesson budget, as its budget cell sets it (tests/test_budget.py holds the two in
# step): the doctor predicts this budget, not one a test or a learner shrank.
N_TRAIN, EPOCHS, MINUTES, BATCH_SIZE = 50_000, 20, 3.0, 256

# Epochs of a complete one-cycle run -> test accuracy on the 10,000 real test photos.
# Measured 2026-12-04 on a 2-core CPU training 3,700-6,100 images a second (one run each).
MEASURED: dict[int, float] = {1: 0.499, 2: 0.585, 4: 0.672, 8: 0.721, 14: 0.747, 20: 0.767}
MEASURED_HOW = "one run of each length on a 2-core CPU; the instructor guide lists them"

# Fewer epochs than this in 05's minutes and the doctor warns. Read off MEASURED: up to 4 epochs
# each doubling adds 8-9 points (49.9% -> 58.5% -> 67.2%), after it 5 and then under 3, so a
# laptop short of 4 ends more than 9 points under a full run, with a curve of one to three
# points. Such a laptop is also over 4x slower than the build machine (16-20 epochs), so the
# rest of 05 (the load, scoring the test photos) lags the room as much.
SLOW_EPOCHS = 4
# The fewest photos worth suggesting: 500 of each class.
FEWEST_PHOTOS = 5_000


def expected_accuracy(epochs: float) -> float:
    """Test accuracy a complete run of ``epochs`` epochs reached, read off :data:`MEASURED`."""
    if not epochs > 0:
        raise ValueError(f"epochs must be positive, got {epochs!r}")
    points = sorted(MEASURED.items())
    if epochs <= points[0][0]:
        return points[0][1]
    for (e0, a0), (e1, a1) in zip(points, points[1:]):
        if epochs <= e1:
            return a0 + (a1 - a0) * (epochs - e0) / (e1 - e0)
    return points[-1][1]


def learn_photos(n_train: int = N_TRAIN) -> int:
    """The photos 05 trains on: it holds the last tenth of its ``n_train`` back to validate."""
    return n_train - n_train // 10


def images_per_second(
    model: Any, batches: Any, steps: int = 6, max_seconds: float | None = None
) -> float:
    """Training speed of this laptop: a copy of ``model`` trained on a few of ``batches``.

    The copy keeps the learner's model untouched (same layers, fresh weights); the first step
    builds the graph and is not timed. With ``max_seconds`` the timing stops early once that
    long has been timed, so a very slow laptop is not kept waiting.
    """
    import keras

    if steps < 2:
        raise ValueError(f"steps must be at least 2 (one untimed), got {steps!r}")
    probe = keras.models.clone_model(model)
    probe.compile(optimizer="adam", loss=model.loss)
    images, start = 0, 0.0
    for step, (x, y) in enumerate(batches.repeat().take(steps)):  # a tiny budget: round again
        if step == 1:
            start = time.perf_counter()
        probe.train_on_batch(x, y)
        if step >= 1:
            images += int(x.shape[0])
            if max_seconds is not None and time.perf_counter() - start >= max_seconds:
                break
    return images / (time.perf_counter() - start)


def training_speed(steps: int = 6, max_seconds: float | None = None) -> float:
    """Images a second of 05's training step on this machine, timed on random photos.

    The same work as a step of 05's ``fit``: the live model, batches of :data:`BATCH_SIZE`
    mirrored and shifted by ``training.augmented_batches``, 05's loss; no CIFAR-10 needed.
    """
    import numpy as np

    from workshop import models, training

    rng = np.random.default_rng(0)
    # Two batches' worth: the probe goes round them again, and building them costs nothing.
    x = rng.integers(0, 256, size=(2 * BATCH_SIZE, *models.INPUT_SHAPE), dtype=np.uint8)
    y = rng.integers(0, models.NUM_CLASSES, size=(len(x), 1))
    model = models.live_cnn()
    model.compile(loss=training.sparse_crossentropy(from_logits=True, label_smoothing=0.1))
    batches = training.augmented_batches(x, y, batch_size=BATCH_SIZE, seed=0)
    return images_per_second(model, batches, steps, max_seconds)


@dataclass(frozen=True)
class Forecast:
    """What 05's budget gives a laptop that trains ``speed`` images a second."""

    speed: float
    epochs: float  # epochs that fit in the minutes, at most the plan
    planned: int
    minutes: float
    accuracy: float  # what complete runs that long reached (MEASURED)

    @property
    def all_fit(self) -> bool:
        return self.epochs >= self.planned

    @property
    def below_measured(self) -> bool:
        """Shorter than the shortest measured run: :attr:`accuracy` is then an upper bound."""
        return self.epochs < min(MEASURED)

    @property
    def slow(self) -> bool:
        """Fewer epochs fit than :data:`SLOW_EPOCHS` (or than the plan, if that is shorter)."""
        return self.epochs < min(SLOW_EPOCHS, self.planned)


def forecast(
    speed: float,
    n_images: int | None = None,
    epochs: int = EPOCHS,
    minutes: float = MINUTES,
) -> Forecast:
    """How many epochs of ``n_images`` photos fit in ``minutes``, and what such runs reached.

    ``n_images`` defaults to the 45,000 photos 05 trains on.
    """
    if not speed > 0 or math.isinf(speed):
        raise ValueError(f"speed must be a positive number of images a second, got {speed!r}")
    n = learn_photos() if n_images is None else n_images
    fits = min(float(epochs), minutes * 60 * speed / n)
    return Forecast(speed, fits, epochs, minutes, expected_accuracy(fits))


def photos_for(speed: float, epochs: int = SLOW_EPOCHS, minutes: float = MINUTES) -> int | None:
    """The most photos, in steps of 5,000, for which ``epochs`` of 05's epochs fit in ``minutes``.

    The figure is for 05's ``N_TRAIN`` (it trains on nine tenths of them); ``None`` when it would
    be under :data:`FEWEST_PHOTOS`, too few to be worth training on.
    """
    room = minutes * 60 * speed  # photos a laptop trains on in the time
    n_train = min(N_TRAIN, int(room / epochs / 0.9) // FEWEST_PHOTOS * FEWEST_PHOTOS)
    while n_train > 0 and learn_photos(n_train) * epochs > room:
        n_train -= FEWEST_PHOTOS
    return n_train if n_train >= FEWEST_PHOTOS else None


def before_training(speed: float, n_images: int, epochs: int, minutes: float) -> str:
    """What a laptop training ``speed`` images a second can expect from 05's budget."""
    ahead = forecast(speed, n_images, epochs, minutes)
    fits = ahead.epochs
    if ahead.below_measured:
        return (
            f"This laptop trains about {speed:,.0f} photos a second: only {fits:.1f} of one epoch "
            f"fits in {minutes:g} minutes.\nOn the real photos, even a run of one whole epoch "
            f"reached only about {ahead.accuracy:.0%} ({MEASURED_HOW}): expect less."
        )
    limit = "all" if ahead.all_fit else f"about {fits:.0f} of the"
    return (
        f"This laptop trains about {speed:,.0f} photos a second: {limit} {epochs} epochs fit in "
        f"{minutes:g} minutes.\nOn the real photos, a run that ended after {fits:.0f} epochs "
        f"reached about {ahead.accuracy:.0%} ({MEASURED_HOW})."
    )


def after_training(accuracy: float, epochs_run: float) -> str:
    """How a finished run compares with the measured runs of the same length."""
    expected = expected_accuracy(epochs_run)
    gap = accuracy - expected
    verdict = "about the same as" if abs(gap) < 0.02 else ("above" if gap > 0 else "below")
    return (
        f"Your run: {accuracy:.1%} after {epochs_run:.1f} epochs, {verdict} the {expected:.0%} "
        f"that measured runs of that length reached on the real photos."
    )
