"""The stored outputs of 04 and 05, and so the slides built from them, come from real photos.

`make notebooks DATA=...` records where the photos came from and refuses the synthetic stand-in;
these tests catch a notebook that was executed some other way.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from workshop.data import SYNTHETIC_SHAPES

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
REAL_DATA_NOTEBOOKS = ["04_cnn_architecture.ipynb", "05_cifar10.ipynb"]
REAL_SOURCES = {"official archive, SHA-256 verified", "image files"}
# Shape names that are not also English words a CIFAR-10 lesson would print.
SHAPE_WORDS = [s for s in SYNTHETIC_SHAPES if s not in ("disc", "square", "ring", "plus", "frame")]


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
