"""What two common code errors cost on real CIFAR-10 photos, at notebook 05's lesson budget.

The instructor guide's table of learner errors says what a room sees when a model is typed
wrong. This measures it instead of guessing: in one run, on the same photos, with 05's recipe
(augmented batches of 256, AdamW one-cycle peaking at 0.006, label smoothing 0.1, 20 epochs or
3 minutes, 45,000 photos to learn from), it trains

- the model as 05 builds it (``models.live_cnn``: logits out, ``from_logits=True``);
- the **double softmax**: the same layers with ``activation="softmax"`` on the last ``Dense``,
  while the loss still says ``from_logits=True``;
- **no ReLU**: the same layers with no activation anywhere, so the network is one linear map
  (with max pooling, the only non-linearity left).

and scores each on the full 10,000-photo test set. Each row also gives its training images per
second, the machine's speed on that day: compare figures from one run only. Real photos only
(``WORKSHOP_BENCH_IMAGES`` or the verified archive, as in ``bench_recipe``); about 10 minutes
on a 2-core CPU.
"""

from __future__ import annotations

import os
import time

from benchmarks.bench_recipe import BATCH, EPOCHS, MINUTES, PEAK, compile_recipe, real_photos
from benchmarks.common import markdown_table

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

VARIANTS = {
    "as in notebook 05": "the live CNN, logits out, from_logits=True",
    "double softmax": 'last layer Dense(10, activation="softmax"), loss still from_logits=True',
    "no ReLU": "every activation removed (Conv2D and Dense linear; max pooling kept)",
}


def build(variant: str):
    """``models.live_cnn`` as 05 builds it, or with one of the two errors typed into it."""
    import keras

    from workshop import models

    model = models.live_cnn()
    if variant == "as in notebook 05":
        return model
    layers = []
    for layer in model.layers:
        config = layer.get_config()
        if variant == "no ReLU" and config.get("activation") == "relu":
            config["activation"] = "linear"
        layers.append(type(layer).from_config(config))
    if variant == "double softmax":
        last = layers[-1].get_config()
        layers[-1] = keras.layers.Dense.from_config({**last, "activation": "softmax"})
    return keras.Sequential([keras.Input(shape=(32, 32, 3)), *layers])


def train(variant: str, x_train, y_train, x_test, y_test) -> dict:
    """One lesson-budget run of ``variant``; its test accuracy, epochs, seconds, images/s."""
    import keras

    from workshop import data, training

    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = build(variant)
    n_val = len(x_train) // 10
    batches = compile_recipe(model, x_train, y_train)
    schedule = training.OneCycle(PEAK, EPOCHS, len(batches), minutes=MINUTES)
    start = time.perf_counter()
    model.fit(batches, epochs=EPOCHS, callbacks=[schedule], verbose=0)
    took = time.perf_counter() - start
    accuracy = model.evaluate(data.to_float(x_test), y_test, verbose=0, batch_size=1000)[1]
    images = (len(x_train) - n_val) * schedule.epochs_run
    return {
        "model": variant,
        "test accuracy": f"{accuracy:.1%}",
        "epochs": round(schedule.epochs_run, 1),
        "seconds": round(took),
        "images/s": round(images / took),
        "what": VARIANTS[variant],
    }


def main() -> list[dict]:
    photos = real_photos()
    if photos is None:
        return []
    (x_train, y_train), (x_test, y_test) = photos
    rows = [train(variant, x_train, y_train, x_test, y_test) for variant in VARIANTS]
    print(f"lesson budget: {EPOCHS} epochs or {MINUTES:g} minutes, batches of {BATCH}\n")
    print(markdown_table(rows, ["model", "test accuracy", "epochs", "seconds", "images/s", "what"]))
    return rows


if __name__ == "__main__":
    main()
