"""05's last section: the whole finale in plain Keras, run at the tests' budget.

The block is for learners to copy into their own projects, so it must run as printed (no
``workshop`` import) and teach the same recipe as the notebook. This runs it with one epoch on a
small stand-in for ``keras.datasets.cifar10.load_data`` and compares every setting it shares
with the notebook's cells and helpers; the four places where it differs are stated in the
notebook and checked here too.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from workshop import data, models, training  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NB05 = ROOT / "notebooks" / "05_cifar10.ipynb"
HEADING = "## 12. The whole finale in plain Keras"
CONSTANTS = "EPOCHS, BATCH_SIZE, PEAK = 20, 256, 0.006"


def _section() -> str:
    cells = [c.source for c in nbformat.read(NB05, as_version=4).cells if HEADING in c.source]
    assert len(cells) == 1, f"{len(cells)} cells of 05 hold {HEADING!r}"
    return cells[0]


def _code() -> str:
    blocks = re.findall(r"```python\n(.*?)```", _section(), re.S)
    assert len(blocks) == 1, "the section holds one python block"
    return blocks[0]


def _notebook_code() -> str:
    nb = nbformat.read(NB05, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


@pytest.fixture(scope="module")
def ran() -> tuple[dict, str]:
    """The block's namespace and what it printed, after one epoch on 1,000 stand-in photos."""
    code = _code()
    assert CONSTANTS in code
    small = data.load_cifar10(n_train=1000, n_test=200, seed=0)  # the suite's synthetic stand-in
    namespace: dict = {}
    printed = io.StringIO()
    original = keras.datasets.cifar10.load_data
    keras.datasets.cifar10.load_data = lambda: small
    try:
        keras.utils.set_random_seed(0)
        with contextlib.redirect_stdout(printed):
            exec(compile(code.replace(CONSTANTS, "EPOCHS, BATCH_SIZE, PEAK = 1, 256, 0.006"),
                         "<plain keras>", "exec"), namespace)  # fmt: skip
    finally:
        keras.datasets.cifar10.load_data = original
    return namespace, printed.getvalue()


def test_it_needs_nothing_of_the_workshop():
    code = _code()
    assert "workshop" not in code and "from workshop" not in code
    assert len(code.strip().splitlines()) <= 45  # one cell a learner can read and copy


def test_it_runs_and_reports_a_test_accuracy(ran):
    namespace, printed = ran
    assert re.search(r"test accuracy: \d+\.\d%", printed)
    assert 0.0 <= namespace["test_accuracy"] <= 1.0


def test_same_network_as_the_one_typed_in_05(ran):
    model = ran[0]["model"]
    augmentation = [type(layer).__name__ for layer in model.layers[:2]]
    assert augmentation == ["RandomFlip", "RandomTranslation"]
    network = model.layers[2:]
    typed = models.live_cnn().layers
    assert [type(layer).__name__ for layer in network] == [type(x).__name__ for x in typed]
    for plain, ours in zip(network, typed):
        for key in ("filters", "kernel_size", "padding", "activation", "units", "pool_size"):
            assert plain.get_config().get(key) == ours.get_config().get(key), (plain.name, key)
    assert model.count_params() == models.live_cnn().count_params() == 89_834


def test_same_recipe_as_05(ran):
    namespace, _ = ran
    notebook = _notebook_code()
    model = namespace["model"]
    # batches, epochs and peak: the values of 05's parameter and compile cells
    assert f"BATCH_SIZE = {namespace['BATCH_SIZE']}" in notebook
    assert '"WORKSHOP_EPOCHS", 20)' in notebook and CONSTANTS.endswith("20, 256, 0.006")
    assert f"PEAK_LEARNING_RATE = {namespace['PEAK']}" in notebook
    # AdamW with the same weight decay; the loss with the same label smoothing, from logits
    assert type(model.optimizer).__name__ == "AdamW"
    assert "weight_decay=1e-4" in notebook and math.isclose(model.optimizer.weight_decay, 1e-4)
    assert "label_smoothing=0.1" in notebook
    assert math.isclose(model.loss.label_smoothing, 0.1) and model.loss.from_logits
    # shifts of up to 2 pixels, as training.augmented_batches makes by default
    translation = model.layers[1].get_config()
    assert translation["height_factor"] == translation["width_factor"] == 2 / 32
    assert translation["fill_mode"] == "reflect"  # augmented_batches reflects at the border too
    assert "augmented_batches(x_learn, y_learn, batch_size=BATCH_SIZE, seed=0)" in notebook


def test_learning_rate_follows_the_notebooks_one_cycle():
    """Keras' CosineDecay with a warm-up is training.one_cycle_rate, step by step."""
    namespace: dict = {"keras": keras, "np": np, "EPOCHS": 20, "BATCH_SIZE": 256, "PEAK": 0.006}
    namespace["x_train"] = range(50_000)  # only its length is used
    lines = _code().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("steps = "))
    exec("\n".join(lines[start : start + 4]), namespace)  # steps, warmup, learning_rate
    steps, rate = namespace["steps"], namespace["learning_rate"]
    assert steps == 20 * math.ceil(45_000 / 256)  # 45,000 photos to learn from, as in 05
    for step in (0, steps // 20, namespace["warmup"], steps // 2, steps - 1):
        ours = training.one_cycle_rate(step / steps, 0.006)
        assert math.isclose(float(rate(step)), ours, rel_tol=1e-4, abs_tol=1e-6), step


def test_the_differences_are_stated():
    text = re.sub(r"\s+", " ", _section())
    for difference in (
        "No time limit",
        "Augmentation as layers",
        "One-hot labels",
        "Keras' own download",
    ):
        assert f"**{difference}**" in text
    assert "differs in four places" in text
