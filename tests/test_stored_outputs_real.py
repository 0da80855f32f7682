"""The stored outputs of 04 and 05, and so the slides built from them, come from real photos,
and show none of them.

`make notebooks DATA=...` records where the photos came from and refuses the synthetic stand-in;
these tests catch a notebook that was executed some other way. CIFAR-10 may not be re-hosted, so
cells that display photos (or maps computed from one) store a note instead (tools/photo_outputs.py).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
import pytest

from tools.photo_outputs import TAG, is_photo_cell, note_output, prune_widget_state
from workshop.data._synthetic import SYNTHETIC_SHAPES

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
REAL_DATA_NOTEBOOKS = ["04_cnn_architecture.ipynb", "05_cifar10.ipynb"]
REAL_SOURCES = {"official archive, SHA-256 verified", "image files"}
# Shape names that are not also English words a CIFAR-10 lesson would print.
SHAPE_WORDS = [s for s in SYNTHETIC_SHAPES if s not in ("disc", "square", "ring", "plus", "frame")]


# A cell that calls a display helper on the data (or on maps computed from a photo) shows photos.
DISPLAYS = re.compile(r"\b(image_grid|show_image|feature_maps|NetworkExplorer)\(")
DATA = re.compile(r"\bx_(train|test)\b|\bimage\b|\boutputs\[|\bmaps(_per_layer)?\b")


def output_text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        for mime in ("text/plain", "text/html"):
            value = out.get("data", {}).get(mime)
            if value:
                parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


@pytest.fixture(params=REAL_DATA_NOTEBOOKS)
def notebook(request) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / request.param, as_version=4)


def test_executed_on_real_photos(notebook):
    source = notebook.metadata.get("workshop", {}).get("data_source")
    assert source in REAL_SOURCES, (
        f"stored outputs come from {source!r}: run `make notebooks DATA=<photos>`"
    )


def test_no_synthetic_banner_or_shape_names_in_outputs(notebook):
    for index, cell in enumerate(notebook.cells):
        text = output_text(cell)
        assert "SYNTHETIC" not in text, f"cell {index} stores the synthetic stand-in's banner"
        for word in SHAPE_WORDS:
            assert word not in text, f"cell {index} names the drawn shape {word!r}"


def test_every_code_cell_was_executed(notebook):
    skipped = [
        i
        for i, c in enumerate(notebook.cells)
        if c.cell_type == "code"
        and not c.outputs
        and c.execution_count is None
        and "exercise" not in c.metadata.get("tags", [])
    ]
    assert not skipped, f"code cells {skipped} have never been executed"


def test_05_stores_the_full_lesson_budget():
    nb = nbformat.read(NOTEBOOKS / "05_cifar10.ipynb", as_version=4)
    texts = [output_text(c) for c in nb.cells if c.cell_type == "code"]
    loaded = next(t for t in texts if "x_train (" in t)
    assert "x_train (50000, 32, 32, 3)" in loaded and "x_test  (10000, 32, 32, 3)" in loaded
    assert "[5000 5000 5000 5000 5000 5000 5000 5000 5000 5000]" in loaded
    accuracy = next(t for t in texts if t.startswith("test accuracy:"))
    assert re.match(r"test accuracy: \d+\.\d%", accuracy)


def test_cells_that_show_photos_are_tagged(notebook):
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and DISPLAYS.search(cell.source) and DATA.search(cell.source):
            assert is_photo_cell(cell), f"cell {index} shows photos: tag it {TAG!r}"


def test_no_photo_is_stored(notebook):
    tagged = [(i, c) for i, c in enumerate(notebook.cells) if is_photo_cell(c)]
    assert tagged, "no cell is tagged as showing photos"
    for index, cell in tagged:
        assert cell.outputs in ([], [note_output()]), f"cell {index} stores its photos"
        # its run in the tests shows the stand-in, not the note
        assert "nbval-ignore-output" in cell.metadata.tags, f"cell {index}"
    pruned = copy.deepcopy(notebook)
    prune_widget_state(pruned)
    assert pruned.metadata == notebook.metadata, "stored widget state no output shows"
