"""Your own photos, measured without anyone's photos: classes the network never saw.

Notebook 06 reuses the network a learner trained in 05 for classes of their own. No learner
photos exist here, so the benchmark makes the same situation from CIFAR-10:

1. a backbone: ``live_cnn`` trained with 05's recipe (20 epochs or 3 minutes) on 8 classes,
   every class but **cat** and **truck**;
2. "the learner's photos": n = 10, 20 and 50 training photos per class of the two held-out
   classes, and a 5-class case at 20 per class (cat and truck, which the backbone never saw,
   with airplane, dog and frog, which it saw but the new head did not);
3. the three ways of notebook 06 on the same photos (:func:`workshop.transfer.compare`): frozen
   features + a new head, the same head on raw pixels, the same network from scratch. Each is
   scored on 500 test photos per class (CIFAR-10's test split), and each case is drawn 5 times
   (5 seeds): the table gives the mean and the range.

Real photos only (``WORKSHOP_BENCH_IMAGES`` or the fetched archive), as ``bench_recipe``.
About 10 minutes on a 2-core CPU.
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

from benchmarks.bench_recipe import BATCH, EPOCHS, MINUTES, PEAK, compile_like_05, real_photos
from benchmarks.common import markdown_table

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HELD_OUT = ("cat", "truck")
FIVE = ("cat", "truck", "airplane", "dog", "frog")
PER_CLASS = (10, 20, 50)
TEST_PER_CLASS = 500
DRAWS = 5


def _backbone(x_train, y_train, x_test, y_test, keep: list[int]):
    """``live_cnn`` with 05's recipe on the classes in ``keep`` only; its test accuracy."""
    import keras

    from workshop import models, training

    keras.utils.set_random_seed(0)
    remap = {old: new for new, old in enumerate(keep)}
    mask = np.isin(y_train[:, 0], keep)
    x, y = x_train[mask], np.vectorize(remap.get)(y_train[mask, 0])
    model = compile_like_05(models.live_cnn(num_classes=len(keep)))
    batches = training.augmented_batches(x, y, BATCH, seed=0)
    schedule = training.OneCycle(PEAK, EPOCHS, len(batches), minutes=MINUTES)
    started = time.perf_counter()
    model.fit(batches, epochs=EPOCHS, callbacks=[schedule], verbose=0)
    seconds = time.perf_counter() - started
    test_mask = np.isin(y_test[:, 0], keep)
    yt = np.vectorize(remap.get)(y_test[test_mask, 0])
    logits = model.predict(x_test[test_mask].astype(np.float32) / 255.0, verbose=0)
    accuracy = float(np.mean(logits.argmax(axis=1) == yt))
    return model, seconds, schedule.epochs_run, accuracy


def _case(extractor, x_train, y_train, x_test, y_test, classes, names, per_class, seed):
    """One draw: ``per_class`` training photos of each class, 500 test photos of each."""
    from workshop.transfer import compare

    rng = np.random.default_rng(seed)
    wanted = [names.index(c) for c in classes]
    train_idx, test_idx, train_y, test_y = [], [], [], []
    for label, cls in enumerate(wanted):
        pool = np.flatnonzero(y_train[:, 0] == cls)
        train_idx.extend(rng.choice(pool, per_class, replace=False))
        train_y += [label] * per_class
        tests = np.flatnonzero(y_test[:, 0] == cls)[:TEST_PER_CLASS]
        test_idx.extend(tests)
        test_y += [label] * len(tests)
    images = np.concatenate([x_train[train_idx], x_test[test_idx]])
    labels = np.asarray(train_y + test_y)
    train = np.arange(len(train_idx))
    test = np.arange(len(train_idx), len(images))
    return compare(extractor, images, labels, train, test, seed=seed)


def _summary(values: list[float]) -> str:
    return f"{statistics.mean(values):.0%} ({min(values):.0%}–{max(values):.0%})"


def main() -> list[dict]:
    photos = real_photos()
    if photos is None:
        return []
    (x_train, y_train), (x_test, y_test) = photos
    from workshop.data import CLASS_NAMES
    from workshop.transfer import feature_extractor

    names = list(CLASS_NAMES)
    keep = [i for i, c in enumerate(names) if c not in HELD_OUT]
    model, seconds, epochs, accuracy = _backbone(x_train, y_train, x_test, y_test, keep)
    print(
        f"Backbone: live_cnn on the 8 classes without {' and '.join(HELD_OUT)}, 05's recipe: "
        f"{epochs:g} epochs in {seconds:.0f} s, {accuracy:.1%} on their test photos.\n"
    )
    extractor = feature_extractor(model)
    cases = [(HELD_OUT, n) for n in PER_CLASS] + [(FIVE, 20)]
    rows = []
    for classes, per_class in cases:
        scores = [
            _case(extractor, x_train, y_train, x_test, y_test, classes, names, per_class, seed)
            for seed in range(DRAWS)
        ]
        training_s = [s.seconds for s in scores]
        rows.append(
            {
                "classes": ", ".join(classes),
                "photos per class": per_class,
                "frozen features + head": _summary([s.frozen_features for s in scores]),
                "head on raw pixels": _summary([s.raw_pixels for s in scores]),
                "from scratch": _summary([s.from_scratch for s in scores]),
                "chance": f"{scores[0].chance:.0%}",
                "training s (features / pixels / scratch)": " / ".join(
                    f"{statistics.median(t[k] for t in training_s):.1f}"
                    for k in ("frozen_features", "raw_pixels", "from_scratch")
                ),
            }
        )
        print(f"  {rows[-1]}", flush=True)
    columns = list(rows[0])
    print()
    print(markdown_table(rows, columns))
    print(
        f"\nMean over {DRAWS} draws (range in brackets), each scored on {TEST_PER_CLASS} test "
        "photos per class; training seconds are medians and include computing the features."
    )
    return rows


if __name__ == "__main__":
    main()
