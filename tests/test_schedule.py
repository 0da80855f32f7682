"""The core path fits three hours: minutes live in each notebook's metadata, come from one
stated rule, and the instructor guide's schedule table is generated from them."""

from __future__ import annotations

import nbformat
import pytest

from tools import make_learner, schedule

NOTEBOOKS = make_learner.instructor_notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_metadata_minutes_follow_the_rule(path):
    nb = nbformat.read(path, as_version=4)
    assert schedule.stored(nb) == schedule.estimate(nb), (
        f"{path.name}: schedule metadata is stale: run `python -m tools.schedule`"
    )


def test_core_path_and_two_breaks_fit_three_hours():
    rows = schedule.schedule_rows(NOTEBOOKS)
    breaks = [minutes for what, minutes, _ in rows if "break" in what]
    assert len(breaks) == 2 and all(b >= 10 for b in breaks)
    total = schedule.total_minutes(NOTEBOOKS)
    assert total <= schedule.SESSION_MINUTES, (
        f"the core path plus breaks takes {total} minutes: tag more cells `optional`"
    )


def test_guide_table_is_generated_from_the_metadata():
    guide = schedule.GUIDE.read_text(encoding="utf-8")
    assert schedule.table_text(NOTEBOOKS) in guide, "run `python -m tools.schedule`"
    for path in NOTEBOOKS[1:]:
        minutes = schedule.stored(nbformat.read(path, as_version=4))
        assert f"| {minutes.core} | `{path.stem}`" in guide


def test_the_rule_cell_by_cell():
    words = " ".join(["word"] * 240)
    cells = [
        nbformat.v4.new_markdown_cell(words),  # 2 minutes of talking
        nbformat.v4.new_code_cell("x = ...", metadata={"tags": ["exercise"]}),  # 3
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["solution"]}),  # 0.5
        nbformat.v4.new_code_cell("plt.plot(x)\nplt.show()"),  # 1
        nbformat.v4.new_code_cell("KernelPlayground()"),  # 3
        nbformat.v4.new_code_cell(
            "answer = ...  # 'a', 'b', 'c' or 'd'", metadata={"tags": ["exercise"]}
        ),  # 2
        nbformat.v4.new_code_cell("model.fit(...)", metadata={"minutes": 4}),  # stated: 4
        nbformat.v4.new_markdown_cell("hidden", metadata={"slideshow": {"slide_type": "notes"}}),
        nbformat.v4.new_code_cell("import x", metadata={"slideshow": {"slide_type": "skip"}}),
        nbformat.v4.new_code_cell("y = 2", metadata={"tags": ["optional"]}),  # 0.5, optional
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    assert [schedule.cell_minutes(c) for c in cells] == [2, 3, 0.5, 1, 3, 2, 4, 0, 0, 0.5]
    assert schedule.estimate(nb) == schedule.Estimate(core=16, optional=1)


def test_the_guide_states_the_rule():
    guide = schedule.GUIDE.read_text(encoding="utf-8")
    for phrase in (
        f"{schedule.WORDS_PER_MINUTE} words a minute",
        f"{schedule.EXERCISE:g} minutes to read, think, type and check",
        f"multiple-choice question: {schedule.CHOICE:g} minutes",
    ):
        assert phrase in guide, phrase


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_minutes_stated_outside_the_metadata(path):
    """One place for the minutes: no notebook text or speaker note states its own."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        assert "**Time:**" not in cell.source and "Estimated time" not in cell.source
        assert not cell.source.startswith("Timing:"), cell.source[:60]
