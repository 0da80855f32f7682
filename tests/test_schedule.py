"""The core path fits three hours with slack: human minutes come from one stated rule, machine
minutes from a measured run of the learner copies, both live in each notebook's metadata, and the
instructor guide's schedule table is generated from them."""

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


def test_core_path_and_two_breaks_leave_slack_in_three_hours():
    rows = schedule.schedule_rows(NOTEBOOKS)
    breaks = [row.minutes for row in rows if "break" in row.what]
    assert len(breaks) == 2 and all(b >= 10 for b in breaks)
    total = schedule.total_minutes(NOTEBOOKS)
    assert total <= schedule.SESSION_MINUTES - schedule.SLACK_MINUTES == 170, (
        f"welcome, core path and breaks take {total} minutes: tag more cells `optional`"
    )


def test_guide_table_is_generated_from_the_metadata():
    guide = schedule.GUIDE.read_text(encoding="utf-8")
    assert schedule.table_text(NOTEBOOKS) in guide, "run `python -m tools.schedule`"
    for path in NOTEBOOKS[1:]:
        nb = nbformat.read(path, as_version=4)
        minutes = schedule.stored(nb)
        if schedule.is_self_study(nb):
            total = minutes.core + minutes.optional
            assert f"| 0 | `{path.stem}`" in guide and f"| {total} min self-study |" in guide
            continue
        assert f"| {minutes.core} | `{path.stem}`" in guide
        assert f"| {minutes.human[0]:.1f} | {minutes.machine[0]:.1f} |" in guide


def test_the_rule_cell_by_cell():
    words = " ".join(["word"] * 240)
    exercise = {"tags": ["exercise"]}
    cells = [
        nbformat.v4.new_markdown_cell(words),  # 2 minutes of talking
        nbformat.v4.new_code_cell("x = ...", metadata=exercise),  # a value: 3
        nbformat.v4.new_code_cell("x = ...\ny = ...", metadata=exercise),  # two values: 4.5
        nbformat.v4.new_code_cell("def f(a):\n    ...", metadata=exercise),  # a program: 8
        nbformat.v4.new_code_cell(
            'rows = {\n    "a": (1, 2),\n    "b": (..., ...),\n    "c": (..., ...),\n}',
            metadata=exercise,
        ),  # a table, two rows to fill: 2
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["solution"]}),  # 0.5
        nbformat.v4.new_code_cell("plt.plot(x)\nplt.show()"),  # 1
        nbformat.v4.new_code_cell("KernelPlayground()"),  # 3
        nbformat.v4.new_code_cell("answer = ...  # 'a', 'b', 'c' or 'd'", metadata=exercise),  # 2
        nbformat.v4.new_code_cell("model = ...", metadata={"minutes": 8, "tags": ["exercise"]}),
        nbformat.v4.new_markdown_cell("hidden", metadata={"slideshow": {"slide_type": "notes"}}),
        nbformat.v4.new_code_cell("import x", metadata={"slideshow": {"slide_type": "skip"}}),
        nbformat.v4.new_code_cell("y = 2", metadata={"tags": ["optional"]}),  # 0.5, optional
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    human = [schedule.human_minutes(c) for c in cells]
    assert human == [2, 3, 4.5, 8, 2, 0.5, 1, 3, 2, 8, 0, 0, 0.5]
    assert schedule.estimate(nb) == schedule.Estimate(34, 1, (34.0, 0.5), (0.0, 0.0))


def test_machine_minutes_are_the_measured_seconds():
    fit = nbformat.v4.new_code_cell("model.fit(x)", metadata={"machine_seconds": 183.0})
    load = nbformat.v4.new_code_cell("load()", metadata={"machine_seconds": 12.0})
    extra = nbformat.v4.new_code_cell(
        "dense.fit(x)", metadata={"machine_seconds": 60.0, "tags": ["optional"]}
    )
    nb = nbformat.v4.new_notebook(cells=[fit, load, extra])
    assert schedule.machine_minutes(fit) == 3.05
    assert schedule.cell_minutes(fit) == 0.5 + 3.05  # starting it, then the laptop computes
    assert schedule.estimate(nb) == schedule.Estimate(5, 2, (1.0, 0.5), (3.2, 1.0))
    assert schedule.estimate(nb).metadata()["machine_minutes"] == {"core": 3.2, "optional": 1.0}


def test_the_guide_states_the_rule():
    guide = " ".join(schedule.GUIDE.read_text(encoding="utf-8").split())  # prose is wrapped
    for phrase in (
        f"{schedule.WORDS_PER_MINUTE} words a minute",
        f"a value: {schedule.VALUE:g} minutes to read, think, type and check",
        f"a loop or a function: {schedule.PROGRAM:g} minutes",
        "Looping Over Data Sets",
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_machine_minutes_are_measured_on_real_photos_and_current(path):
    """Every code cell a learner runs has its measured seconds, taken from its present source."""
    from tools import machine_time

    nb = nbformat.read(path, as_version=4)
    assert not machine_time.unmeasured_cells(nb), "run `python -m tools.machine_time`"
    assert not machine_time.stale_cells(nb), "cells changed since measured: tools.machine_time"
    where = nb.metadata["machine_time"]
    assert "synthetic" not in str(where.get("data", "")).lower()
    assert "Chromium" in where["where"] and where["learner_copy"] is True
