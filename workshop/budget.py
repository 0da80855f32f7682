"""What notebook 05's training budget reaches on the real photos, and on this laptop.

05 trains for 20 epochs or 3 minutes, whichever ends first, and its learning-rate schedule ends
with whichever it is (``training.OneCycle``), so a laptop that gets through *k* epochs in time
makes one complete run of *k* epochs. :data:`MEASURED` holds what such runs reached on the real
CIFAR-10 photos (``make bench``, ``benchmarks/bench_budget.py``); :func:`before_training` times
a few steps of this laptop and says what to expect, :func:`after_training` how a finished run
compares.
"""

from __future__ import annotations

import time
from typing import Any

__all__ = [
    "MEASURED",
    "MEASURED_HOW",
    "after_training",
    "before_training",
    "expected_accuracy",
    "images_per_second",
]

# Epochs of a complete one-cycle run -> test accuracy on the 10,000 real test photos.
# Measured 2026-12-04 on a 2-core CPU training 3,700-6,100 images a second (one run each).
MEASURED: dict[int, float] = {1: 0.499, 2: 0.585, 4: 0.672, 8: 0.721, 14: 0.747, 20: 0.767}
MEASURED_HOW = "one run of each length on a 2-core CPU; the instructor guide lists them"


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


def images_per_second(model: Any, batches: Any, steps: int = 6) -> float:
    """Training speed of this laptop: a copy of ``model`` trained on a few of ``batches``.

    The copy keeps the learner's model untouched (same layers, fresh weights); the first step
    builds the graph and is not timed.
    """
    import keras

    if steps < 2:
        raise ValueError(f"steps must be at least 2 (one untimed), got {steps!r}")
    probe = keras.models.clone_model(model)
    probe.compile(optimizer="adam", loss=model.loss)
    images, start = 0, None
    for step, (x, y) in enumerate(batches.repeat().take(steps)):  # a tiny budget: round again
        if step == 1:
            start = time.perf_counter()
        probe.train_on_batch(x, y)
        if step >= 1:
            images += int(x.shape[0])
    return images / (time.perf_counter() - start)


def before_training(speed: float, n_images: int, epochs: int, minutes: float) -> str:
    """What a laptop training ``speed`` images a second can expect from 05's budget."""
    fits = min(float(epochs), minutes * 60 * speed / n_images)
    accuracy = expected_accuracy(fits)
    limit = "all" if fits >= epochs else f"about {fits:.0f} of the"
    return (
        f"This laptop trains about {speed:,.0f} photos a second: {limit} {epochs} epochs fit in "
        f"{minutes:g} minutes.\nOn the real photos, a run that ended after {fits:.0f} epochs "
        f"reached about {accuracy:.0%} ({MEASURED_HOW})."
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
