"""workshop.budget: what 05's budget reaches, read off measured runs, and this laptop's speed."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from workshop import budget

ROOT = Path(__file__).resolve().parents[1]


def test_measured_runs_improve_with_epochs_and_beat_chance():
    epochs = sorted(budget.MEASURED)
    accuracies = [budget.MEASURED[e] for e in epochs]
    assert epochs[0] == 1 and epochs[-1] == 20  # 05's plan is 20 epochs
    assert all(0.1 < a < 1 for a in accuracies)
    assert accuracies == sorted(accuracies)


def test_expected_accuracy_reads_the_table_and_interpolates():
    (e0, a0), (e1, a1) = sorted(budget.MEASURED.items())[2:4]
    assert budget.expected_accuracy(e0) == pytest.approx(a0)
    assert budget.expected_accuracy((e0 + e1) / 2) == pytest.approx((a0 + a1) / 2)
    assert budget.expected_accuracy(0.3) == budget.MEASURED[1]  # less than one epoch
    assert budget.expected_accuracy(40) == budget.MEASURED[20]  # no more than measured
    with pytest.raises(ValueError, match="epochs must be positive"):
        budget.expected_accuracy(0)


def test_before_training_counts_the_epochs_that_fit():
    # 45,000 photos at 2,500 a second: 18 s an epoch, 10 of the 20 epochs fit in 3 minutes
    text = budget.before_training(2500, 45_000, 20, 3)
    assert "about 2,500 photos a second: about 10 of the 20 epochs fit in 3 minutes" in text
    assert f"about {budget.expected_accuracy(10):.0%}" in text
    fast = budget.before_training(100_000, 45_000, 20, 3)
    assert "all 20 epochs fit" in fast and f"{budget.MEASURED[20]:.0%}" in fast


def test_after_training_compares_with_runs_of_the_same_length():
    expected = budget.expected_accuracy(12.5)
    assert "about the same as" in budget.after_training(expected + 0.005, 12.5)
    assert "above" in budget.after_training(expected + 0.1, 12.5)
    assert "below" in budget.after_training(expected - 0.1, 12.5)
    assert "12.5 epochs" in budget.after_training(expected, 12.5)


def test_images_per_second_times_a_copy_and_leaves_the_model_alone():
    keras = pytest.importorskip("keras")
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    layers = [keras.Input((8, 8, 3)), keras.layers.Flatten(), keras.layers.Dense(3)]
    model = keras.Sequential(layers)
    model.compile(
        optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    )
    before = [w.copy() for w in model.get_weights()]
    x = np.random.default_rng(0).random((64, 8, 8, 3)).astype("float32")
    y = np.zeros((64, 1), dtype="int64")
    batches = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    speed = budget.images_per_second(model, batches, steps=4)
    assert speed > 0
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    one_batch = tf.data.Dataset.from_tensor_slices((x[:16], y[:16])).batch(16)
    assert budget.images_per_second(model, one_batch, steps=4) > 0  # WORKSHOP_N_TRAIN tiny
    with pytest.raises(ValueError, match="steps must be at least 2"):
        budget.images_per_second(model, batches, steps=1)


def test_the_guide_quotes_the_measured_runs():
    guide = " ".join((ROOT / "docs" / "instructor-guide.md").read_text(encoding="utf-8").split())
    for epochs, accuracy in budget.MEASURED.items():
        assert re.search(rf"\| {epochs} \| {accuracy:.1%} \|", guide), (epochs, accuracy)


def test_the_guides_slow_laptop_example_is_what_05_prints():
    guide = " ".join((ROOT / "docs" / "instructor-guide.md").read_text(encoding="utf-8").split())
    text = budget.before_training(1250, 45_000, 20, 3)
    assert "about 5 of the 20 epochs fit in 3 minutes" in text
    accuracy = f"{budget.expected_accuracy(5):.0%}"
    assert f"about {accuracy}" in text
    assert f"a laptop at 1,250 images a second fits 5 epochs: about {accuracy}" in guide
