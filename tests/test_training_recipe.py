"""The recipe helpers in ``workshop.training``: augmentation, one-cycle schedule, smoothed loss.

Tiny arrays and tiny models only: the whole file runs in a few seconds on a 2-core CPU.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import math  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from workshop import data, training  # noqa: E402

# --------------------------------------------------------------------------------------------
# augmented_batches
# --------------------------------------------------------------------------------------------


def _random_images(n=64, size=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(n, size, size, 3), dtype=np.uint8)
    y = np.arange(n, dtype=np.int64)  # label = index: says which input an output came from
    return x, y


def _epoch(dataset):
    """One pass over the dataset: (images, labels) as numpy, in the order they came out."""
    images, labels, sizes = [], [], []
    for xb, yb in dataset:
        images.append(xb.numpy())
        labels.append(yb.numpy())
        sizes.append(len(yb))
    return np.concatenate(images), np.concatenate(labels), sizes


def _matches(out, original, shift):
    """Every (mirrored, dy, dx) whose crop of the reflect-padded input equals ``out``."""
    found = []
    for mirrored in (False, True):
        src = original[:, ::-1] if mirrored else original
        padded = np.pad(src, [(shift, shift), (shift, shift), (0, 0)], mode="reflect")
        h, w = original.shape[:2]
        for dy in range(2 * shift + 1):
            for dx in range(2 * shift + 1):
                if np.array_equal(padded[dy : dy + h, dx : dx + w], out):
                    found.append((mirrored, dy - shift, dx - shift))
    return found


def test_batches_have_the_right_shapes_dtype_and_range():
    x, y = _random_images(n=64, size=8)
    images, labels, sizes = _epoch(training.augmented_batches(x, y, batch_size=24, seed=1))
    assert sizes == [24, 24, 16]
    assert images.shape == (64, 8, 8, 3)
    assert images.dtype == np.float32
    assert labels.shape == (64,)
    assert 0.0 <= images.min() and images.max() <= 1.0
    # Scaled like data.to_float: every value is k/255 for a whole k, and the extremes survive.
    k = images * 255.0
    np.testing.assert_allclose(k, np.round(k), atol=1e-4)
    assert images.max() == pytest.approx(1.0) and images.min() == pytest.approx(0.0)


def test_labels_stay_with_their_images():
    n = 64
    values = np.arange(n, dtype=np.uint8) * 3 + 5  # one distinct constant value per image
    x = np.broadcast_to(values[:, None, None, None], (n, 32, 32, 3)).copy()
    y = np.arange(n) * 7 + 1  # labels unrelated to the order
    images, labels, _ = _epoch(training.augmented_batches(x, y, batch_size=10, seed=2))
    for image, label in zip(images, labels):
        i = (label - 1) // 7
        np.testing.assert_array_equal(image, np.full_like(image, values[i] / 255.0))


def test_labels_shaped_n_by_1_come_out_shaped_n_by_1():
    x, y = _random_images(n=16)
    images, labels, _ = _epoch(training.augmented_batches(x, y[:, None], batch_size=8, shift=0))
    assert labels.shape == (16, 1)
    for image, label in zip(images, labels[:, 0]):
        assert _matches((image * 255).round().astype(np.uint8), x[label], 0)


def test_without_shift_each_photo_is_itself_or_its_mirror_and_both_occur():
    x, y = _random_images(n=64, size=8)
    images, labels, _ = _epoch(training.augmented_batches(x, y, batch_size=16, seed=3, shift=0))
    restored = np.round(images * 255.0).astype(np.uint8)
    mirrored = []
    for out, label in zip(restored, labels):
        same = np.array_equal(out, x[label])
        flipped = np.array_equal(out, x[label][:, ::-1])  # axis 1 of one image = width
        assert same or flipped, f"image {label} is neither itself nor its left-right mirror"
        mirrored.append(flipped and not same)
    assert 5 < sum(mirrored) < 59, f"{sum(mirrored)} of 64 mirrored: not a fair coin"


def test_shifted_photos_are_crops_of_the_reflect_padded_photo():
    shift = 2
    x, y = _random_images(n=64, size=8, seed=4)
    images, labels, _ = _epoch(training.augmented_batches(x, y, batch_size=32, seed=5, shift=shift))
    restored = np.round(images * 255.0).astype(np.uint8)
    mirrors, shifts = set(), set()
    for out, label in zip(restored, labels):
        found = _matches(out, x[label], shift)
        assert found, f"image {label} is no mirrored/shifted crop of its reflect-padded input"
        assert all(abs(dy) <= shift and abs(dx) <= shift for _, dy, dx in found)
        if len(found) == 1:  # random pixels: one match unless a crop is ambiguous
            mirrors.add(found[0][0])
            shifts.add(found[0][1:])
    assert mirrors == {False, True}
    assert len(shifts) > 5, shifts
    # Every offset from -shift to +shift is drawn, down and up, left and right.
    assert {dy for dy, _ in shifts} == set(range(-shift, shift + 1))
    assert {dx for _, dx in shifts} == set(range(-shift, shift + 1))


def test_shift_reaches_the_edge_of_32_pixel_photos():
    # The notebook's case: 32x32 photos shifted by up to 2 px, padding by reflecting the border.
    x, y = _random_images(n=64, size=32, seed=6)
    images, labels, _ = _epoch(training.augmented_batches(x, y, batch_size=64, seed=7))
    restored = np.round(images * 255.0).astype(np.uint8)
    shifts = set()
    for out, label in zip(restored, labels):
        found = _matches(out, x[label], 2)
        assert len(found) == 1, (label, found)
        shifts.add(found[0][1:])
    assert {dy for dy, _ in shifts} == set(range(-2, 3))
    assert {dx for _, dx in shifts} == set(range(-2, 3))


def test_every_photo_once_per_epoch_and_each_epoch_reshuffles():
    x, y = _random_images(n=64)
    dataset = training.augmented_batches(x, y, batch_size=16, seed=8)
    orders = [_epoch(dataset)[1] for _ in range(3)]
    for order in orders:
        np.testing.assert_array_equal(np.sort(order), y)  # all 64, none twice
    assert not np.array_equal(orders[0], y)  # shuffled at all
    assert not np.array_equal(orders[0], orders[1])
    assert not np.array_equal(orders[1], orders[2])


def test_each_epoch_draws_new_mirrors_and_shifts():
    x, y = _random_images(n=64)
    dataset = training.augmented_batches(x, y, batch_size=64, seed=9)
    first, second = (_epoch(dataset) for _ in range(2))
    by_label_1 = first[0][np.argsort(first[1])]
    by_label_2 = second[0][np.argsort(second[1])]
    differ = sum(not np.array_equal(a, b) for a, b in zip(by_label_1, by_label_2))
    assert differ > 32, f"only {differ} of 64 photos changed between epochs"


def test_same_seed_gives_the_same_first_epoch_and_another_seed_does_not():
    # Holds exactly, checked: the shuffle gets `seed` as its op seed (TF pairs it with the global
    # seed, or a fixed default when none is set, so two datasets built back to back agree), and
    # the mirrors/shifts come from a tf.random.Generator made from the same seed.
    x, y = _random_images(n=64)
    a = _epoch(training.augmented_batches(x, y, batch_size=16, seed=11))
    b = _epoch(training.augmented_batches(x, y, batch_size=16, seed=11))
    c = _epoch(training.augmented_batches(x, y, batch_size=16, seed=12))
    np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[1], c[1])


@pytest.mark.parametrize(
    "change, error, name",
    [
        (dict(x=np.zeros((4, 8, 8, 3), np.float32)), TypeError, "x"),
        (dict(x=np.zeros((4, 8, 8, 3), np.float64)), TypeError, "x"),
        (dict(x=np.zeros((8, 8, 3), np.uint8)), ValueError, "x"),
        (dict(x=np.zeros((4, 8, 8), np.uint8)), ValueError, "x"),
        (dict(x=np.zeros((4, 8, 8, 1), np.uint8)), ValueError, "x"),
        (dict(y=np.zeros(3)), ValueError, "y"),
        (dict(y=np.zeros(5)), ValueError, "y"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(batch_size=-2), ValueError, "batch_size"),
        (dict(batch_size=True), ValueError, "batch_size"),
        (dict(batch_size=2.0), ValueError, "batch_size"),
        (dict(shift=-1), ValueError, "shift"),
        (dict(shift=8), ValueError, "shift"),
        (dict(shift=9), ValueError, "shift"),
        (dict(shift=True), ValueError, "shift"),
        (dict(shift=1.5), ValueError, "shift"),
    ],
)
def test_bad_arguments_are_refused_by_name(change, error, name):
    args = dict(x=np.zeros((4, 8, 8, 3), np.uint8), y=np.zeros(4), batch_size=2, shift=2)
    args.update(change)
    with pytest.raises(error, match=rf"^{name} must"):
        training.augmented_batches(**args)


def test_largest_allowed_shift_works():
    x, y = _random_images(n=8, size=8)
    images, labels, _ = _epoch(training.augmented_batches(x, y, batch_size=8, shift=7))
    restored = np.round(images * 255.0).astype(np.uint8)
    for out, label in zip(restored, labels):
        assert _matches(out, x[label], 7)


# --------------------------------------------------------------------------------------------
# one_cycle_rate
# --------------------------------------------------------------------------------------------


def test_one_cycle_rate_landmarks():
    assert training.one_cycle_rate(0.0, 0.1, warmup=0.2) == 0.0
    assert training.one_cycle_rate(0.1, 0.1, warmup=0.2) == pytest.approx(0.05)
    assert training.one_cycle_rate(0.2, 0.1, warmup=0.2) == pytest.approx(0.1)
    assert training.one_cycle_rate(0.6, 0.1, warmup=0.2) == pytest.approx(0.05)  # cosine midway
    assert training.one_cycle_rate(1.0, 0.1, warmup=0.2) == pytest.approx(0.0, abs=1e-15)
    # The default warm-up: 15% of the run.
    assert training.one_cycle_rate(0.15, 3e-3) == pytest.approx(3e-3)
    assert training.one_cycle_rate(0.075, 3e-3) == pytest.approx(1.5e-3)


def test_one_cycle_rate_rises_then_falls():
    peak, warmup = 0.5, 0.3
    grid = np.linspace(0.0, 1.0, 1001)
    rates = np.array([training.one_cycle_rate(p, peak, warmup) for p in grid])
    top = int(np.argmax(rates))
    assert grid[top] == pytest.approx(warmup, abs=1e-3)
    assert rates[top] == pytest.approx(peak, rel=1e-3)
    assert np.all(np.diff(rates[: top + 1]) > 0)
    assert np.all(np.diff(rates[top:]) < 0)
    assert np.all((rates >= 0) & (rates <= peak))


def test_one_cycle_rate_clamps_progress_outside_zero_to_one():
    assert training.one_cycle_rate(-0.5, 0.1) == 0.0
    assert training.one_cycle_rate(1.5, 0.1) == training.one_cycle_rate(1.0, 0.1)
    assert training.one_cycle_rate(7, 0.1) == pytest.approx(0.0, abs=1e-15)


def test_one_cycle_rate_without_warmup_starts_at_the_peak():
    assert training.one_cycle_rate(0.0, 0.2, warmup=0.0) == pytest.approx(0.2)
    assert training.one_cycle_rate(0.5, 0.2, warmup=0.0) == pytest.approx(0.1)


# --------------------------------------------------------------------------------------------
# OneCycle
# --------------------------------------------------------------------------------------------


class _Recorder(keras.callbacks.Callback):
    """Listed after OneCycle: sees the learning rate each batch actually trains with."""

    def __init__(self, pause=0.0):
        super().__init__()
        self.rates = []
        self.pause = pause

    def on_train_batch_begin(self, batch, logs=None):
        self.rates.append(float(self.model.optimizer.learning_rate.numpy()))
        if self.pause:
            time.sleep(self.pause)


def _tiny_model(learning_rate=0.5):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def _tiny_data(n=32):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 4)).astype(np.float32), rng.integers(0, 3, size=n)


def test_one_cycle_sets_the_scheduled_rate_before_every_batch(capsys):
    x, y = _tiny_data(32)
    epochs, steps, peak, warmup = 3, 4, 0.2, 0.25
    model = _tiny_model(learning_rate=99.0)  # overwritten before the first step
    recorder = _Recorder()
    history = model.fit(
        x,
        y,
        batch_size=8,
        epochs=epochs,
        verbose=0,
        shuffle=False,
        callbacks=[training.OneCycle(peak, epochs, steps, warmup=warmup), recorder],
    )
    total = epochs * steps
    expected = [training.one_cycle_rate(k / total, peak, warmup) for k in range(total)]
    np.testing.assert_allclose(recorder.rates, expected, rtol=1e-6, atol=1e-9)
    assert recorder.rates[0] == 0.0
    assert max(recorder.rates) == pytest.approx(peak, rel=1e-6)  # step 3 of 12 = the warm-up
    assert len(history.epoch) == epochs
    out = capsys.readouterr().out
    assert re.search(r"trained 3\.0 of 3 epochs in \d+\.\d min \(all epochs done\)", out), out


def test_one_cycle_stops_when_the_planned_steps_are_done():
    # Keras is asked for more epochs than OneCycle planned: the schedule ends training.
    x, y = _tiny_data(32)
    model = _tiny_model()
    recorder = _Recorder()
    history = model.fit(
        x,
        y,
        batch_size=8,
        epochs=10,
        verbose=0,
        callbacks=[training.OneCycle(0.1, 2, 4), recorder],
    )
    assert len(recorder.rates) == 8
    assert len(history.epoch) == 2


def test_one_cycle_stops_mid_epoch_when_the_time_is_up(capsys):
    x, y = _tiny_data(32)
    model = _tiny_model()
    # 0.03 s allowed, each batch takes over 0.02 s: the second batch at the latest ends training.
    recorder = _Recorder(pause=0.021)
    history = model.fit(
        x,
        y,
        batch_size=8,
        epochs=50,
        verbose=0,
        callbacks=[training.OneCycle(0.1, 50, 4, minutes=0.0005), recorder],
    )
    batches = len(recorder.rates)
    assert 1 <= batches <= 2, batches
    assert len(history.epoch) == 1  # stopped inside the first epoch
    out = capsys.readouterr().out
    match = re.search(r"trained (\d+\.\d) of 50 epochs in \d+\.\d min \(time budget reached\)", out)
    assert match, out
    assert float(match.group(1)) == pytest.approx(round(batches / 4, 1))
    assert all(0.0 <= rate <= 0.1 for rate in recorder.rates)


def test_one_cycle_ends_at_an_epoch_end_rather_than_start_a_stub_epoch(capsys):
    # 4 batches of >= 0.05 s per epoch; 0.23 s allowed. After epoch 1 (~0.2 s) less than a
    # fifth of an epoch is left: training ends there instead of running a batch of epoch 2.
    x, y = _tiny_data(32)
    model = _tiny_model()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)  # trace first: not part of the timing
    recorder = _Recorder(pause=0.05)
    history = model.fit(
        x,
        y,
        batch_size=8,
        epochs=50,
        verbose=0,
        callbacks=[training.OneCycle(0.1, 50, 4, minutes=0.23 / 60), recorder],
    )
    assert len(history.epoch) == 1
    assert len(recorder.rates) <= 4
    assert "time budget reached" in capsys.readouterr().out


def test_one_cycle_with_time_to_spare_runs_every_epoch(capsys):
    x, y = _tiny_data(16)
    model = _tiny_model()
    history = model.fit(
        x, y, batch_size=8, epochs=2, verbose=0, callbacks=[training.OneCycle(0.1, 2, 2, 10.0)]
    )
    assert len(history.epoch) == 2
    assert "trained 2.0 of 2 epochs" in capsys.readouterr().out
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(
        training.one_cycle_rate(3 / 4, 0.1), rel=1e-5
    )


@pytest.mark.parametrize(
    "change, name",
    [
        (dict(peak=0.0), "peak"),
        (dict(peak=-1e-3), "peak"),
        (dict(peak=math.nan), "peak"),
        (dict(epochs=0), "epochs"),
        (dict(epochs=2.0), "epochs"),
        (dict(steps_per_epoch=0), "steps_per_epoch"),
        (dict(steps_per_epoch=3.5), "steps_per_epoch"),
        (dict(minutes=0), "minutes"),
        (dict(minutes=-1.0), "minutes"),
        (dict(minutes=math.nan), "minutes"),
        (dict(warmup=1.0), "warmup"),
        (dict(warmup=-0.1), "warmup"),
    ],
)
def test_one_cycle_refuses_bad_arguments_by_name(change, name):
    args = dict(peak=1e-3, epochs=2, steps_per_epoch=3, minutes=None, warmup=0.15)
    args.update(change)
    with pytest.raises(ValueError, match=rf"^{name} must"):
        training.OneCycle(**args)


# --------------------------------------------------------------------------------------------
# sparse_crossentropy
# --------------------------------------------------------------------------------------------


def _logits_and_labels(n=16, classes=10, seed=0):
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=2.0, size=(n, classes)).astype(np.float32)
    labels = rng.integers(0, classes, size=n)
    return logits, labels


def _value(loss, y_true, y_pred):
    return float(loss(y_true, y_pred))


@pytest.mark.parametrize("shape", ["flat", "column"])
def test_without_smoothing_it_is_keras_sparse_crossentropy(shape):
    logits, labels = _logits_and_labels()
    y = labels if shape == "flat" else labels[:, None]
    ours = _value(training.sparse_crossentropy(), y, logits)
    keras_ = _value(keras.losses.SparseCategoricalCrossentropy(from_logits=True), labels, logits)
    assert ours == pytest.approx(keras_, rel=1e-5)
    assert ours > 0.5  # not trivially zero: random logits


@pytest.mark.parametrize("smoothing", [0.1, 0.3])
@pytest.mark.parametrize("shape", ["flat", "column"])
def test_smoothing_matches_keras_categorical_crossentropy_on_one_hot(smoothing, shape):
    logits, labels = _logits_and_labels(seed=1)
    y = labels if shape == "flat" else labels[:, None]
    one_hot = np.eye(10, dtype=np.float32)[labels]
    ours = _value(training.sparse_crossentropy(label_smoothing=smoothing), y, logits)
    reference = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=smoothing)
    assert ours == pytest.approx(_value(reference, one_hot, logits), rel=1e-5)
    # ...and smoothing changes the value: it is really applied.
    assert abs(ours - _value(training.sparse_crossentropy(), y, logits)) > 1e-3


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_on_probabilities_it_matches_keras_too(smoothing):
    logits, labels = _logits_and_labels(seed=2)
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = (shifted / shifted.sum(axis=1, keepdims=True)).astype(np.float32)
    one_hot = np.eye(10, dtype=np.float32)[labels]
    ours = _value(
        training.sparse_crossentropy(from_logits=False, label_smoothing=smoothing), labels, probs
    )
    reference = keras.losses.CategoricalCrossentropy(from_logits=False, label_smoothing=smoothing)
    assert ours == pytest.approx(_value(reference, one_hot, probs), rel=1e-4)
    if smoothing == 0.0:
        sparse = keras.losses.SparseCategoricalCrossentropy(from_logits=False)
        assert ours == pytest.approx(_value(sparse, labels, probs), rel=1e-4)


def test_per_sample_values_follow_the_smoothed_target():
    logits, labels = _logits_and_labels(n=4, classes=5, seed=3)
    loss = training.sparse_crossentropy(label_smoothing=0.2)
    per_sample = np.asarray(loss.call(labels, logits))
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    target = np.full((4, 5), 0.2 / 5) + 0.8 * np.eye(5)[labels]
    np.testing.assert_allclose(per_sample, -(target * log_p).sum(axis=1), rtol=1e-5)


def test_a_model_with_the_loss_trains_saves_and_reloads(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.1),
        loss=training.sparse_crossentropy(from_logits=True, label_smoothing=0.2),
    )
    x, y = _tiny_data(32)
    model.fit(x, y[:, None], batch_size=16, epochs=1, verbose=0)  # (n, 1) labels in fit too
    path = tmp_path / "tiny.keras"
    model.save(path)
    again = keras.models.load_model(path)
    assert type(again.loss).__name__ == "SparseCrossentropy"
    assert again.loss.label_smoothing == pytest.approx(0.2)
    assert again.loss.from_logits is True
    assert again.loss.get_config() == model.loss.get_config()
    assert again.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))


def test_the_loss_config_round_trips():
    loss = training.sparse_crossentropy(from_logits=False, label_smoothing=0.05)
    config = keras.saving.serialize_keras_object(loss)
    back = keras.saving.deserialize_keras_object(config)
    assert type(back) is type(loss)
    assert back.from_logits is False and back.label_smoothing == pytest.approx(0.05)
    assert back.name == "sparse_crossentropy"


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        (dict(from_logits="True"), TypeError, "from_logits"),
        (dict(from_logits=1), TypeError, "from_logits"),
        (dict(label_smoothing=1.0), ValueError, "label_smoothing"),
        (dict(label_smoothing=-0.1), ValueError, "label_smoothing"),
        (dict(label_smoothing=math.nan), ValueError, "label_smoothing"),
    ],
)
def test_the_loss_refuses_bad_arguments(kwargs, error, name):
    with pytest.raises(error, match=rf"^{name} must"):
        training.sparse_crossentropy(**kwargs)


def test_a_saved_model_loads_in_a_fresh_session(tmp_path):
    import subprocess
    import sys

    keras = pytest.importorskip("keras")
    from workshop import training

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.compile(optimizer="adam", loss=training.sparse_crossentropy(label_smoothing=0.2))
    path = tmp_path / "m.keras"
    model.save(path)
    code = (
        "import os; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'\n"
        "from workshop import training\n"
        f"m = training.load_model({str(path)!r})\n"
        "print(m.loss.get_config()['label_smoothing'])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("0.2")


# unchanged photos: training without augmentation, and validation / test batches


def test_without_shift_or_mirror_every_photo_comes_out_exactly_as_it_went_in():
    x, y = _random_images(n=48, size=8)
    images, labels, sizes = _epoch(
        training.augmented_batches(x, y, batch_size=16, seed=3, shift=0, mirror=False)
    )
    assert sizes == [16, 16, 16]
    assert sorted(labels.tolist()) == list(range(48)), "each photo once per epoch"
    for image, label in zip(images, labels):
        np.testing.assert_array_equal(image, data.to_float(x[label]))


def test_mirror_must_be_a_bool():
    x, y = _random_images(n=8, size=8)
    with pytest.raises(TypeError, match="mirror"):
        training.augmented_batches(x, y, mirror="no")


def test_scaled_batches_keep_the_order_and_scale_like_to_float():
    x, y = _random_images(n=50, size=8)
    images, labels, sizes = _epoch(training.scaled_batches(x, y, batch_size=16))
    assert sizes == [16, 16, 16, 2]
    np.testing.assert_array_equal(labels, y)
    np.testing.assert_array_equal(images, data.to_float(x))
    again, _, _ = _epoch(training.scaled_batches(x, y, batch_size=16))
    np.testing.assert_array_equal(again, images)  # the same every time: nothing is random


def test_scaled_batches_refuse_floats_a_bad_batch_size_and_mismatched_labels():
    x, y = _random_images(n=8, size=8)
    with pytest.raises(TypeError, match="uint8"):
        training.scaled_batches(data.to_float(x), y)
    with pytest.raises(ValueError, match="batch_size"):
        training.scaled_batches(x, y, batch_size=0)
    with pytest.raises(ValueError, match="one label per image"):
        training.scaled_batches(x, y[:5])


def test_keras_scores_scaled_batches_as_it_scores_the_float_arrays():
    x, y = _random_images(n=40, size=8)
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input(shape=(8, 8, 3)), keras.layers.Flatten(), keras.layers.Dense(3)]
    )
    model.compile(loss=training.sparse_crossentropy(from_logits=True), metrics=["accuracy"])
    labels = (y % 3).astype(np.int64)
    batches = training.scaled_batches(x, labels, batch_size=16)
    assert model.evaluate(batches, verbose=0) == pytest.approx(
        model.evaluate(data.to_float(x), labels, verbose=0), rel=1e-5
    )
    np.testing.assert_allclose(
        model.predict(batches, verbose=0), model.predict(data.to_float(x), verbose=0), atol=1e-5
    )
