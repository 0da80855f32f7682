"""workshop.budget: what 05's budget reaches, read off measured runs, and this laptop's speed."""

from __future__ import annotations

import json
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


def _budget_cell() -> str:
    notebook = json.loads((ROOT / "notebooks" / "05_cifar10.ipynb").read_text(encoding="utf-8"))
    sources = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    return next(s for s in sources if s.lstrip().startswith("N_TRAIN ="))


def test_the_budget_is_05s_own():
    cell = _budget_cell()
    for name, value in [("N_TRAIN", budget.N_TRAIN), ("EPOCHS", budget.EPOCHS)]:
        assert re.search(
            rf'^{name} = int\(os\.environ\.get\("WORKSHOP_{name}", {value:_}\)\)', cell, re.M
        )
    assert f'"WORKSHOP_MINUTES", {budget.MINUTES:g})' in cell
    assert re.search(rf"^BATCH_SIZE = {budget.BATCH_SIZE}$", cell, re.M)
    # 05 validates on the last tenth of its photos and trains on the rest.
    assert budget.learn_photos() == 45_000 and budget.learn_photos(2_000) == 1_800


@pytest.mark.parametrize(
    ("speed", "epochs", "slow"),
    [
        (6_000, 20, False),  # all 20 fit: 4,500 s of photos in 180 s needs only 5,000 a second
        (2_500, 10, False),
        (1_000, 4, False),  # exactly SLOW_EPOCHS: the edge is not slow
        (999, 999 * 180 / 45_000, True),
        (500, 2, True),
    ],
)
def test_forecast_counts_epochs_and_reads_the_table(speed, epochs, slow):
    ahead = budget.forecast(speed)
    assert ahead.epochs == pytest.approx(epochs)
    assert ahead.accuracy == pytest.approx(budget.expected_accuracy(epochs))
    assert ahead.slow is slow
    assert ahead.all_fit is (epochs == 20)
    assert not ahead.below_measured


def test_forecast_below_one_epoch_is_an_upper_bound():
    ahead = budget.forecast(100)  # 18,000 photos in 3 minutes: 0.4 of an epoch
    assert ahead.epochs == pytest.approx(0.4)
    assert ahead.below_measured and ahead.slow
    assert ahead.accuracy == budget.MEASURED[1]  # what one whole epoch reached: at most that
    text = budget.before_training(100, 45_000, 20, 3)
    assert "only 0.4 of one epoch fits in 3 minutes" in text and "expect less" in text
    assert "about 0 of the" not in text


def test_forecast_takes_the_budget_and_refuses_a_speed_that_is_no_speed():
    assert budget.forecast(500, n_images=22_500).epochs == pytest.approx(4)
    assert budget.forecast(500, epochs=2).all_fit and not budget.forecast(500, epochs=2).slow
    assert budget.forecast(500, minutes=6).epochs == pytest.approx(4)
    for bad in (0, -3, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="speed must be"):
            budget.forecast(bad)


def test_the_threshold_sits_where_the_measured_curve_flattens():
    gain = {e: budget.expected_accuracy(2 * e) - budget.expected_accuracy(e) for e in (1, 2, 4)}
    assert gain[1] > 0.08 and gain[2] > 0.08  # each doubling up to SLOW_EPOCHS: 8-9 points
    assert gain[budget.SLOW_EPOCHS] < 0.06  # the next doubling: about 5
    assert budget.MEASURED[20] - budget.expected_accuracy(budget.SLOW_EPOCHS) > 0.09


@pytest.mark.parametrize(
    ("speed", "n_train"),
    [(100, 5_000), (249, 10_000), (500, 25_000), (999, 45_000), (10_000, 50_000), (50, None)],
)
def test_photos_for_fits_the_epochs_in_steps_of_five_thousand(speed, n_train):
    assert budget.photos_for(speed) == n_train
    if n_train is not None and n_train < budget.N_TRAIN:
        fits = budget.forecast(speed, budget.learn_photos(n_train)).epochs
        more = budget.forecast(speed, budget.learn_photos(n_train + 5_000)).epochs
        assert fits >= budget.SLOW_EPOCHS > more  # the most photos that still fit


def test_images_per_second_stops_early_after_max_seconds(monkeypatch):
    keras = pytest.importorskip("keras")
    import tensorflow as tf

    layers = [keras.Input((8, 8, 3)), keras.layers.Flatten(), keras.layers.Dense(3)]
    model = keras.Sequential(layers)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.zeros((32, 8, 8, 3), dtype="float32")
    batches = tf.data.Dataset.from_tensor_slices((x, np.zeros((32, 1), "int64"))).batch(16)
    calls = []
    original = keras.Model.train_on_batch

    def counted(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "train_on_batch", counted)
    assert budget.images_per_second(model, batches, steps=5) > 0
    assert len(calls) == 5
    calls.clear()
    assert budget.images_per_second(model, batches, steps=50, max_seconds=0.0) > 0
    assert len(calls) == 2  # the untimed step and one timed step


def test_training_speed_times_05s_step_on_random_photos(monkeypatch):
    pytest.importorskip("keras")
    seen = {}

    def probe(model, batches, steps, max_seconds):
        seen.update(model=model, batch=next(iter(batches)), steps=steps, max_seconds=max_seconds)
        return 1234.0

    monkeypatch.setattr(budget, "images_per_second", probe)
    assert budget.training_speed(7, 2.5) == 1234.0
    assert seen["model"].name == "live_cnn"
    assert seen["model"].loss.label_smoothing == pytest.approx(0.1)  # 05's loss
    images, labels = seen["batch"]
    assert tuple(images.shape) == (budget.BATCH_SIZE, 32, 32, 3) and images.dtype == "float32"
    assert 0.0 <= float(np.min(images)) and float(np.max(images)) <= 1.0  # augmented, scaled
    assert tuple(labels.shape) == (budget.BATCH_SIZE, 1)
    assert (seen["steps"], seen["max_seconds"]) == (7, 2.5)


def test_training_speed_really_times_a_step():
    pytest.importorskip("keras")
    assert budget.training_speed(steps=2) > 0
