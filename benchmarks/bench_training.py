"""Training throughput of the live-coding CNN against the classic tutorial CNN, and of the
going-further CNN against the same model with its pooling last.

Both models of a pair train on the same CIFAR-shaped random images in the same run, with the
same batch size, compiled as notebook 05 compiles its models (AdamW, the smoothed loss on logits,
accuracy). Each model first trains one untimed warm-up epoch (graph tracing,
memory allocation); then the two models take turns for ``rounds`` timed epochs and the
fastest epoch of each counts, so a busy machine disturbs the comparison as little as
possible. Run it with ``python -m benchmarks.bench_training``; ``python -m benchmarks.run_all``
calls :func:`main`.
"""

from __future__ import annotations

import os
import time

import numpy as np

from benchmarks.bench_recipe import compile_like_05
from benchmarks.common import markdown_table
from workshop import models
from workshop.layers import multiply_adds

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


CIFAR_TRAIN = 50_000


def _best_throughput(
    built: dict, x: np.ndarray, y: np.ndarray, batch_size: int, rounds: int
) -> dict:
    """Images per second of each model's fastest timed epoch, the models taking turns."""
    best = dict.fromkeys(built, 0.0)
    for model in built.values():
        model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)  # warm-up, not timed
    for _ in range(rounds):
        for key, model in built.items():
            start = time.perf_counter()
            model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
            best[key] = max(best[key], len(x) / (time.perf_counter() - start))
    return best


def main(n_images: int = 4096, batch_size: int = 64, rounds: int = 5) -> list[dict]:
    """Measure both models and return benchmark rows; prints a markdown table."""
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(n_images, 32, 32, 3), dtype=np.uint8).astype("float32") / 255
    y = rng.integers(0, 10, size=(n_images, 1))
    keras.utils.set_random_seed(0)
    built = {
        "live": compile_like_05(models.live_cnn()),
        "classic": compile_like_05(models.classic_tutorial_cnn()),
    }
    best = _best_throughput(built, x, y, batch_size, rounds)
    live, classic = best["live"], best["classic"]
    macs = {k: multiply_adds(m) for k, m in built.items()}
    device = "GPU" if tf.config.list_physical_devices("GPU") else f"CPU, {os.cpu_count()} cores"
    note = f"batch {batch_size}, {device}"
    rows = [
        {
            "benchmark": f"training throughput ({note})",
            "ours": round(live),
            "reference": round(classic),
            "ratio": round(live / classic, 2),
            "unit": "images/s",
        },
        {
            "benchmark": f"one 50,000-image epoch ({note})",
            "ours": round(CIFAR_TRAIN / live, 1),
            "reference": round(CIFAR_TRAIN / classic, 1),
            "ratio": round(classic / live, 2),
            "unit": "s",
        },
        {
            "benchmark": "multiply-adds per image (forward)",
            "ours": macs["live"],
            "reference": macs["classic"],
            "ratio": round(macs["live"] / macs["classic"], 2),
            "unit": "MAC",
        },
    ]
    # The going-further recipe's batch of 256: pooling first saves work on every value it skips.
    keras.utils.set_random_seed(0)
    further = {
        "first": models.going_further_cnn(),
        "last": models.going_further_cnn(pool_first=False),
    }
    # 05 gives this model a lower peak learning rate; the rate does not change a step's time.
    for model in further.values():
        compile_like_05(model)
    pooled = _best_throughput(further, x, y, 256, rounds)
    rows.append(
        {
            "benchmark": f"going_further_cnn: pool first vs pool last (batch 256, {device})",
            "ours": round(pooled["first"]),
            "reference": round(pooled["last"]),
            "ratio": round(pooled["first"] / pooled["last"], 2),
            "unit": "images/s",
        }
    )
    print(
        "ours = models.live_cnn (89,834 parameters), "
        "reference = models.classic_tutorial_cnn (122,570); last row: "
        "models.going_further_cnn() against going_further_cnn(pool_first=False) (357,482 each)\n"
    )
    print(markdown_table(rows, ["benchmark", "ours", "reference", "ratio", "unit"]))
    return rows


if __name__ == "__main__":
    main()
