"""Figures and claims stated in the prose of notebooks 00 and 05, computed independently.

Each test recomputes a number the markdown states and checks the markdown still states it,
so neither can drift from the other without a failure.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from workshop import data, models, plots  # noqa: E402
from workshop.checks import cifar10 as check  # noqa: E402
from workshop.data._archive import N_TEST, N_TRAIN  # noqa: E402
from workshop.data._cache import OFFICIAL_SIZE  # noqa: E402
from workshop.layers import multiply_adds  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NB05 = ROOT / "notebooks" / "05_cifar10.ipynb"
NB00 = ROOT / "notebooks" / "00_setup.ipynb"
LEARNER05 = ROOT / "notebooks" / "learner" / "05_cifar10.ipynb"


def _markdown(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return re.sub(r"\s+", " ", text)  # prose is wrapped: compare with single spaces


@pytest.fixture(scope="module")
def counts() -> dict[str, int]:
    return {
        "cnn": models.live_cnn().count_params(),
        "dense": models.dense_baseline().count_params(),
        "further": models.going_further_cnn().count_params(),
        "dense_first": models.dense_baseline().layers[1].count_params(),
    }


def test_parameter_comparisons_in_05(counts):
    text = _markdown(NB05)
    cnn, dense, further = counts["cnn"], counts["dense"], counts["further"]
    # "About four and a half times the parameters (402,250 against 89,834)"
    assert f"({dense:,} against {cnn:,})" in text
    assert "About four and a half times the parameters" in text
    assert 4.25 <= dense / cnn < 4.75
    # "about four times the parameters of your CNN (357,482 against 89,834)"
    assert f"({further:,} against {cnn:,})" in text
    assert "about four times the parameters of your CNN" in text
    assert 3.75 <= further / cnn < 4.25
    # the checker's explanation: "Almost 400,000 weights in one layer: more than four times the
    # whole CNN"
    assert check.dense_first_params.expected == counts["dense_first"] == 32 * 32 * 3 * 128 + 128
    assert "Almost 400,000" in check.dense_first_params.explain
    assert 380_000 <= counts["dense_first"] < 400_000
    assert "more than four times the whole CNN" in check.dense_first_params.explain
    assert counts["dense_first"] > 4 * cnn


def test_going_further_does_nearly_four_times_the_arithmetic():
    assert "nearly four times the multiply-adds per photo" in _markdown(NB05)
    ratio = multiply_adds(models.going_further_cnn()) / multiply_adds(models.live_cnn())
    assert 3.5 <= ratio < 4


def test_cifar10_facts_in_00_and_05():
    text05, text00 = _markdown(NB05), _markdown(NB00)
    total = N_TRAIN + N_TEST
    assert (N_TRAIN, N_TEST, len(data.CLASS_NAMES)) == (50_000, 10_000, 10)
    names = ", ".join(data.CLASS_NAMES[:-1]) + " and " + data.CLASS_NAMES[-1]
    assert f"ten classes: {names}." in text05
    assert f"{total:,} colour photos of 32x32 pixels, {total // 10:,} for each of ten classes" in (
        text05
    )
    assert f"{N_TRAIN:,} are for training and {N_TEST:,}" in text05
    assert f"{total:,} small colour photographs in ten classes" in text00
    megabytes = round(OFFICIAL_SIZE / 1e6)
    assert megabytes == 170
    assert f"{megabytes} MB archive" in text05 and f"{megabytes} MB download" in text00
    # "A plain (dense) network flattens the photo into 3,072 numbers"
    assert f"flattens the photo into {32 * 32 * 3:,} numbers" in text05


def test_recipe_claims_in_05():
    import inspect

    from workshop import training

    text = _markdown(NB05)
    # "it rises for the first 15% of training, then falls smoothly to zero at the end"
    assert "rises for the first 15% of training, then falls smoothly to zero" in text
    assert inspect.signature(training.OneCycle).parameters["warmup"].default == 0.15
    assert training.one_cycle_rate(0.15, 1.0) == pytest.approx(1.0)
    assert training.one_cycle_rate(1.0, 1.0) == pytest.approx(0.0)
    # "mirrored left-right half of the time and shifted by up to 2 pixels"
    assert "mirrored left-right half of the time and shifted by up to 2 pixels" in text
    assert inspect.signature(training.augmented_batches).parameters["shift"].default == 2
    # "with `label_smoothing=0` it is exactly Keras' loss"
    assert "with `label_smoothing=0` it is exactly Keras' loss" in text
    labels = np.array([0, 2, 1])
    logits = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 3.0], [-2.0, 4.0, 0.0]], dtype="float32")
    ours = training.sparse_crossentropy(from_logits=True, label_smoothing=0.0)(labels, logits)
    keras_own = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
    assert float(ours) == pytest.approx(float(keras_own), rel=1e-6)


def test_from_logits_claims():
    text = _markdown(NB05)
    assert "in a way that cannot overflow" in text
    assert "Mixing the two up raises no error (at most a warning from Keras)" in text
    labels = np.array([0, 1])
    huge = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 0.0]], dtype="float32")
    safe = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    assert np.isfinite(float(safe(labels, huge)))
    # Both mix-ups compute a loss without raising.
    probabilities = keras.ops.softmax(huge / 1000.0, axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrong_a = keras.losses.SparseCategoricalCrossentropy(from_logits=False)(labels, huge)
        wrong_b = safe(labels, probabilities)
    assert np.isfinite(float(wrong_a)) and np.isfinite(float(wrong_b))


def _run(source: str, namespace: dict) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<cell>", "exec"), namespace)
    return out.getvalue()


def test_learner_can_carry_on_from_unanswered_exercises():
    """Run the learner's untouched placeholders and the cells after them: nothing may crash."""
    nb = nbformat.read(LEARNER05, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code"]
    namespace = {"np": np, "keras": keras, "models": models, "check": check}
    model_at = next(i for i, c in enumerate(cells) if c.source.startswith("model = ..."))
    printed = "".join(_run(c.source, namespace) for c in cells[model_at : model_at + 4])
    assert "using models.live_cnn()" in printed
    assert check.live_model.passed(namespace["model"])
    softmax_at = next(i for i, c in enumerate(cells) if c.source.startswith("def softmax"))
    printed = "".join(_run(c.source, namespace) for c in cells[softmax_at : softmax_at + 2])
    assert "❌ softmax" in printed


def test_image_grid_titles_clear_the_row_above():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images = np.random.default_rng(0).random((16, 32, 32, 3))
    for titles, size in (
        ([f"true: cat\nsaid: dog {i}%" for i in range(16)], 2.0),
        ([f"map {i}" for i in range(16)], 1.5),
    ):
        fig = plots.image_grid(images, titles, ncols=8, size=size, suptitle="grid")
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        above, below = fig.axes[0], fig.axes[8]
        title_top = below.title.get_window_extent(renderer).y1
        assert title_top < above.get_window_extent(renderer).y0
        plt.close(fig)


def _cell(path: Path, marker: str) -> str:
    """The one code cell of ``path`` whose source contains ``marker``."""
    nb = nbformat.read(path, as_version=4)
    found = [c.source for c in nb.cells if c.cell_type == "code" and marker in c.source]
    assert len(found) == 1, f"{len(found)} code cells of {path.name} contain {marker!r}"
    return found[0]


@pytest.mark.parametrize("path", [NB05, LEARNER05], ids=["instructor", "learner"])
def test_confident_mistakes_cell_says_so_when_there_are_none(path):
    """A model that makes no mistakes (the synthetic stand-in at the lesson budget) leaves the
    "confidently wrong" cell with an empty selection: it must say so, not stop Run All."""
    import matplotlib.pyplot as plt

    source = _cell(path, 'suptitle="confidently wrong"')
    labels = np.array([[0], [1], [2], [3]])
    perfect = np.eye(10)[labels.ravel()] * 5  # logits whose largest is the true class
    namespace = {
        "np": np, "keras": keras, "plots": plots, "plt": plt,
        "logits": perfect, "predicted": perfect.argmax(axis=1), "y_test": labels,
        "x_test": np.zeros((4, 32, 32, 3), dtype=np.uint8), "class_names": data.class_names(),
    }  # fmt: skip
    printed = _run(source, namespace)
    assert "No mistakes to show" in printed and "all 4 test photos" in printed
    # and with one mistake it still draws the grid
    namespace["predicted"] = np.array([0, 1, 2, 4])
    assert "No mistakes" not in _run(source, namespace)
    plt.close("all")


def test_confusion_matrix_caption_names_the_colour_the_figure_has():
    """05's "what you should see" line says what colour the diagonal is: compute that colour.

    plots.confusion_matrix draws counts with viridis; the caption's word for the diagonal
    (bright or dark) must match the luminance of the diagonal cells against the others.
    """
    import matplotlib.pyplot as plt

    source = next(
        c.source
        for c in nbformat.read(NB05, as_version=4).cells
        if c.cell_type == "markdown"
        and "What you should see" in c.source
        and "diagonal" in c.source
    )
    caption = re.sub(r"\s+", " ", source)
    said = re.search(r"a (bright|dark)\b[^.;]*diagonal", caption)
    assert said, f"the caption names no colour for the diagonal: {caption!r}"
    rng = np.random.default_rng(0)
    true = rng.integers(0, 10, 2000)
    predicted = np.where(rng.random(2000) < 0.75, true, rng.integers(0, 10, 2000))
    ax = plots.confusion_matrix(true, predicted, data.class_names())
    image = ax.images[0]
    rgba = image.cmap(image.norm(image.get_array()))
    luminance = rgba[..., :3] @ np.array([0.2126, 0.7152, 0.0722])
    diagonal = np.diag(luminance).mean()
    off = luminance[~np.eye(10, dtype=bool)].mean()
    drawn = "bright" if diagonal > off else "dark"
    assert said.group(1) == drawn, f"caption says {said.group(1)}, the figure draws it {drawn}"
    assert ("dark cells off it" in caption) == (drawn == "bright")
    plt.close("all")


@pytest.mark.parametrize("state", ["raised", "skipped", "left as ...", "typed"])
def test_the_ready_made_model_steps_in_whenever_the_learner_has_none(state):
    """05's fallback after the model exercise: the learner's cell raised, was never run, or
    holds `...` -> the ready-made model; a typed model stays."""
    nb = nbformat.read(LEARNER05, as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    at = next(i for i, source in enumerate(cells) if source.startswith("model = ..."))
    fallback = next(s for s in cells[at:] if "models.live_cnn()" in s and "if " in s)
    namespace = {"np": np, "keras": keras, "models": models, "check": check}
    if state == "raised":
        with pytest.raises(ValueError):  # a string where a number belongs
            _run("model = keras.Sequential([keras.layers.Conv2D(16, '3')])", namespace)
    elif state == "left as ...":
        _run(cells[at], namespace)
    elif state == "typed":
        namespace["model"] = typed = models.dense_baseline()
    printed = _run(fallback, namespace)
    if state == "typed":
        assert namespace["model"] is typed and not printed
    else:
        assert "using models.live_cnn()" in printed
        assert check.live_model.passed(namespace["model"])


def test_the_stated_float32_sizes_are_the_photos_sizes_and_none_is_made_whole():
    text = " ".join(_markdown(NB05).split())
    assert "all 60,000 as `float32` would fill about 737 MB" in text
    assert "the 10,000 test photos alone 123 MB" in text
    assert round(60_000 * 32 * 32 * 3 * np.dtype("float32").itemsize / 1e6) == 737
    assert round(10_000 * 32 * 32 * 3 * np.dtype("float32").itemsize / 1e6) == 123
    code = "\n".join(
        c.source for c in nbformat.read(NB05, as_version=4).cells if c.cell_type == "code"
    )
    # Whole sets reach Keras as batches (training.augmented_batches, training.scaled_batches);
    # only a photo or a slice of them becomes a float32 array.
    converted = re.findall(r"data\.to_float\((\w+)(\[[^\]]*\])?", code)
    assert converted, "the notebook shows data.to_float"
    for name, part in converted:
        assert name not in {"x_train", "x_test", "x_learn"} or part, f"all of {name}"
        assert part != "[-n_val:]", "validation photos go in as training.scaled_batches"


def test_the_overfitting_step_shows_what_its_text_says():
    nb = nbformat.read(NB05, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "photos {name" in c.source)
    text = "".join(o.get("text", "") for o in cell.outputs)
    found = {
        name: (int(train), int(val), int(gap))
        for name, train, val, gap in re.findall(
            r"photos (as they are|changed)\s*: training accuracy (\d+)%, validation (\d+)%, "
            r"gap (-?\d+)%",
            text,
        )
    }
    assert set(found) == {"as they are", "changed"}, "run make notebooks: no stored figures"
    (_, plain_val, plain_gap), (_, changed_val, changed_gap) = (
        found["as they are"],
        found["changed"],
    )
    words = " ".join(_markdown(NB05).split())
    # "the training accuracy runs away from the validation accuracy": a wide gap, and a narrower
    # one with changed photos
    assert "runs away from the validation accuracy" in words and plain_gap >= 15
    assert "the gap stays small" in words and changed_gap <= plain_gap / 2
    assert "the validation accuracy ends at least as high" in words
    assert changed_val >= plain_val
    # "each run stops after 20 epochs or a minute": a third of 05's 3 minutes
    assert "stops after 20 epochs or a minute" in words
    assert "minutes=MINUTES / 3" in cell.source or any(
        "minutes=MINUTES / 3" in c.source for c in nb.cells if "def train_on" in c.source
    )
