"""The guide's live-code / show table is generated from the notebooks' tags and agrees with them."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tools import live_table, schedule
from tools.make_learner import instructor_notebooks

NOTEBOOKS = instructor_notebooks()
WIDGET_CALL = re.compile(r"^\s*(\w+Explorer|StepThrough)\(", re.MULTILINE)


def _cells(path: Path) -> list[nbformat.NotebookNode]:
    return nbformat.read(path, as_version=4).cells


def test_the_guide_holds_the_table_the_tags_give():
    guide = schedule.GUIDE.read_text(encoding="utf-8")
    assert live_table.table_text(NOTEBOOKS) in guide, "run `python -m tools.schedule`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_every_live_or_shown_cell_is_on_the_core_path_and_says_what_it_is(path):
    for index, cell in enumerate(_cells(path)):
        tags = cell.metadata.get("tags", [])
        roles = {live_table.LIVE_TAG, live_table.SHOW_TAG} & set(tags)
        if not roles:
            assert "summary" not in cell.metadata, f"{path.name} cell {index}: summary, no role"
            continue
        where = f"{path.name} cell {index}"
        assert cell.cell_type == "code", f"{where}: only code cells are typed or shown"
        assert len(roles) == 1, f"{where}: typed live or shown, not both"
        assert live_table.OPTIONAL_TAG not in tags, f"{where}: the live session skips it"
        assert 0 < len(live_table.summary(cell)) <= 80, f"{where}: a few words in `summary`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_every_explorer_on_the_core_path_is_shown(path):
    for index, cell in enumerate(_cells(path)):
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and WIDGET_CALL.search(cell.source):
            if live_table.OPTIONAL_TAG not in tags:
                assert live_table.SHOW_TAG in tags, f"{path.name} cell {index}: tag it `show`"


def test_05_types_the_model_compile_and_fit_live():
    cells = _cells(next(p for p in NOTEBOOKS if p.name.startswith("05")))
    live = [c.source for c in cells if live_table.LIVE_TAG in c.metadata.get("tags", [])]
    assert [s for s in live if "keras.Sequential(" in s]
    assert [s for s in live if "model.compile(" in s]
    assert [s for s in live if "model.fit(" in s]


def test_the_table_lists_optional_headings_without_their_numbers():
    nb = nbformat.v4.new_notebook()
    heading = nbformat.v4.new_markdown_cell("## 8. Keras computes the same thing\n\ntext")
    exercise = nbformat.v4.new_markdown_cell("### Optional exercise B: collapse two layers")
    notes = nbformat.v4.new_markdown_cell("## Not a heading of the deck")
    bare = nbformat.v4.new_markdown_cell("### Optional exercises C and D\n\ntwo values")
    for cell in (heading, exercise, notes, bare):
        cell.metadata["tags"] = ["optional"]
    notes.metadata["slideshow"] = {"slide_type": "notes"}
    core = nbformat.v4.new_markdown_cell("## 2. On the core path")
    nb.cells = [heading, core, exercise, notes, bare]
    assert live_table.optional_headings(nb) == [
        "Keras computes the same thing",
        "Collapse two layers",
    ]
