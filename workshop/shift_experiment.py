"""Notebook 01's experiment: does a network still recognise a pattern that has moved?

Two small patterns, a plus (+) and a cross (x), each 5x5 pixels with the same number of lit
pixels, are drawn on a noisy 16x16 canvas. During training they only ever appear in the
left part of the canvas. At test time the same patterns are moved ``shift`` pixels to the
right. A dense network has one weight per pixel, so pixels it never saw lit carry nothing
it has learned; a small CNN slides the same 3x3 kernels everywhere and pools globally, so
where the pattern sits does not matter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "CANVAS",
    "CLASS_NAMES",
    "PATTERNS",
    "ShiftResult",
    "build_cnn",
    "build_dense",
    "make_patterns",
    "run",
]

CANVAS = 16
TRAIN_COLUMNS = 4  # the pattern's left edge is in columns 0..3 during training
CLASS_NAMES = ("plus", "cross")
PATTERNS = {
    "plus": np.array(
        [
            [0, 0, 1, 0, 0],
            [0, 0, 1, 0, 0],
            [1, 1, 1, 1, 1],
            [0, 0, 1, 0, 0],
            [0, 0, 1, 0, 0],
        ],
        dtype=np.float32,
    ),
    "cross": np.array(
        [
            [1, 0, 0, 0, 1],
            [0, 1, 0, 1, 0],
            [0, 0, 1, 0, 0],
            [0, 1, 0, 1, 0],
            [1, 0, 0, 0, 1],
        ],
        dtype=np.float32,
    ),
}


def make_patterns(
    n: int, shift: int = 0, seed: int = 0, noise: float = 0.15
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` canvases (n, 16, 16, 1) and labels (0 plus, 1 cross).

    The pattern's left edge is drawn from columns ``shift`` .. ``shift + 3``; rows anywhere.
    """
    size = PATTERNS["plus"].shape[0]
    if not isinstance(shift, int) or not 0 <= shift <= CANVAS - size - TRAIN_COLUMNS + 1:
        raise ValueError(
            f"shift must be an int from 0 to {CANVAS - size - TRAIN_COLUMNS + 1} "
            f"(the pattern must stay on the {CANVAS}x{CANVAS} canvas), got {shift!r}"
        )
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, noise, size=(n, CANVAS, CANVAS)).astype(np.float32)
    y = rng.integers(0, 2, size=n)
    rows = rng.integers(0, CANVAS - size + 1, size=n)
    cols = shift + rng.integers(0, TRAIN_COLUMNS, size=n)
    shapes = [PATTERNS[name] for name in CLASS_NAMES]
    for i in range(n):
        r, c = rows[i], cols[i]
        x[i, r : r + size, c : c + size] = np.maximum(
            x[i, r : r + size, c : c + size], shapes[y[i]]
        )
    return x[..., None], y


def build_dense(units: int = 64):
    """Flatten the canvas, one hidden dense layer, two logits."""
    import keras

    return keras.Sequential(
        [
            keras.Input(shape=(CANVAS, CANVAS, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(2),
        ],
        name="dense",
    )


def build_cnn(filters: int = 8):
    """Eight 3x3 kernels slid over the whole canvas, the strongest response of each, two logits."""
    import keras

    return keras.Sequential(
        [
            keras.Input(shape=(CANVAS, CANVAS, 1)),
            keras.layers.Conv2D(filters, 3, activation="relu"),
            keras.layers.GlobalMaxPooling2D(),
            keras.layers.Dense(2),
        ],
        name="cnn",
    )


@dataclass
class ShiftResult:
    """Test accuracy of each model for each shift (pixels to the right of the training area)."""

    shifts: list[int]
    accuracy: dict[str, list[float]] = field(default_factory=dict)
    parameters: dict[str, int] = field(default_factory=dict)

    def table(self) -> str:
        """A small text table with accuracies rounded to two decimals."""
        lines = ["shift (px) " + "".join(f"{s:>7d}" for s in self.shifts)]
        for name, values in self.accuracy.items():
            lines.append(f"{name:<11}" + "".join(f"{v:>7.2f}" for v in values))
        return "\n".join(lines)


def run(
    seed: int = 0,
    shifts: tuple[int, ...] = (0, 2, 4, 6, 8),
    n_train: int = 1200,
    n_test: int = 400,
    epochs: int = 8,
) -> ShiftResult:
    """Train both models on unshifted patterns, test them at every shift. Seconds on a CPU."""
    import keras

    x_train, y_train = make_patterns(n_train, 0, seed=seed)
    result = ShiftResult(list(shifts))
    for build in (build_dense, build_cnn):
        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)
        model = build()
        model.compile(
            optimizer=keras.optimizers.Adam(0.01),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
        model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)
        scores = []
        for shift in shifts:
            x_test, y_test = make_patterns(n_test, shift, seed=seed + 1000 + shift)
            predicted = model.predict(x_test, verbose=0, batch_size=256).argmax(axis=1)
            scores.append(float(np.mean(predicted == y_test)))
        result.accuracy[model.name] = scores
        result.parameters[model.name] = int(model.count_params())
    return result
