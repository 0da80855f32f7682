"""What 05's recipe reaches when its schedule ends after a given number of epochs.

A laptop that gets through only *k* epochs in 05's 3 minutes does not stop half-way down the
learning-rate schedule: ``training.OneCycle`` ends the schedule with the time limit, so its run
is a complete one-cycle run of *k* epochs. This trains exactly that, for several *k*, on the real
photos, with 05's recipe and no time limit, and scores each on the full 10,000-photo test set.
``workshop.budget.MEASURED`` holds the figures 05 quotes before and after training; the last
column is the day's speed (training images per second), the context every time figure needs.
Real photos only (``WORKSHOP_BENCH_IMAGES`` or the verified archive, as in ``bench_recipe``);
about 10 minutes on a 2-core CPU.
"""

from __future__ import annotations

import os
import time

from benchmarks.bench_recipe import PEAK, compile_recipe, real_photos
from benchmarks.common import markdown_table

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SCHEDULES = (1, 2, 4, 8, 14, 20)  # epochs the one-cycle schedule runs


def one_cycle_run(epochs: int, x_train, y_train, x_test, y_test) -> dict:
    """05's recipe with a schedule of ``epochs`` epochs and no time limit."""
    import keras

    from workshop import data, models, training

    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = models.live_cnn()
    n_val = len(x_train) // 10
    batches = compile_recipe(model, x_train, y_train)
    schedule = training.OneCycle(PEAK, epochs, len(batches))
    start = time.perf_counter()
    model.fit(batches, epochs=epochs, callbacks=[schedule], verbose=0)
    took = time.perf_counter() - start
    accuracy = model.evaluate(data.to_float(x_test), y_test, verbose=0, batch_size=1000)[1]
    return {
        "epochs": epochs,
        "test accuracy": f"{accuracy:.1%}",
        "seconds": round(took),
        "images/s": round((len(x_train) - n_val) * epochs / took),
    }


def main() -> list[dict]:
    photos = real_photos()
    if photos is None:
        return []
    (x_train, y_train), (x_test, y_test) = photos
    rows = [one_cycle_run(k, x_train, y_train, x_test, y_test) for k in SCHEDULES]
    print("05's recipe, one-cycle schedule over k epochs, no time limit, one run each\n")
    print(markdown_table(rows, ["epochs", "test accuracy", "seconds", "images/s"]))
    return rows


if __name__ == "__main__":
    main()
