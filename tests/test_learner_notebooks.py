"""Learner notebooks and the answer key are generated from the instructor notebooks and fresh."""

from __future__ import annotations

import re

import nbformat
import pytest

from tools import make_learner, sync_colab

INSTRUCTOR = make_learner.instructor_notebooks()
IDS = [p.name for p in INSTRUCTOR]


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _checker_calls(nb) -> list[str]:
    return [
        name
        for cell in nb.cells
        if cell.cell_type == "code"
        for name in make_learner.CHECK_CALL.findall(cell.source)
        if name != "solution"
    ]


def _demo() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cells = [
        nbformat.v4.new_markdown_cell("[Open in Colab](placeholder)"),
        nbformat.v4.new_markdown_cell("# Demo"),
        nbformat.v4.new_code_cell("import sys"),
        nbformat.v4.new_markdown_cell("### Exercise 1: add"),
        nbformat.v4.new_code_cell("total = ...  # your answer"),
        nbformat.v4.new_code_cell("total = 2 + 2"),
        nbformat.v4.new_code_cell("check.total(total)"),
    ]
    cells[0].metadata["tags"] = ["colab"]
    cells[2].metadata["tags"] = ["colab"]
    cells[4].metadata["tags"] = ["exercise"]
    cells[5].metadata["tags"] = ["solution"]
    cells[6].execution_count = 3
    cells[6].outputs = [nbformat.v4.new_output("stream", text="✅ total: correct.\n")]
    cells[6].metadata["execution"] = {"iopub.status.idle": "2024-01-01T00:00:00Z"}
    nb.cells = cells
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def test_learner_version_of_a_demo_notebook():
    instructor = _demo()
    learner = make_learner.learner_version(instructor, "notebooks/learner/09_demo.ipynb")
    sources = [c.source for c in learner.cells]
    assert "total = 2 + 2" not in sources
    assert "total = ...  # your answer" in sources and "check.total(total)" in sources
    code = [c for c in learner.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert all("execution" not in c.metadata for c in learner.cells)
    assert "widgets" not in learner.metadata
    assert "/notebooks/learner/09_demo.ipynb" in learner.cells[0].source
    # The instructor notebook itself is untouched.
    assert len(instructor.cells) == 7 and instructor.cells[6].outputs


def test_answer_key_lists_each_solution(tmp_path):
    path = tmp_path / "09_demo.ipynb"
    nbformat.write(_demo(), path)
    key = make_learner.answer_key_text([path])
    assert "## 09_demo.ipynb: Demo" in key
    assert "### Exercise 1: add" in key
    assert "Checked by `check.total`." in key
    assert "```python\ntotal = 2 + 2\n```" in key


@pytest.mark.skipif(not INSTRUCTOR, reason="no instructor notebooks yet")
def test_answer_key_is_fresh():
    key = make_learner.ANSWER_KEY
    assert key.exists(), "docs/answer-key.md is missing: run `make learner`"
    assert key.read_text(encoding="utf-8") == make_learner.answer_key_text(INSTRUCTOR), (
        "docs/answer-key.md is stale: run `make learner`"
    )


@pytest.mark.parametrize("instructor", INSTRUCTOR, ids=IDS)
def test_learner_notebook_is_fresh(instructor):
    target = make_learner.LEARNER / instructor.name
    assert target.exists(), f"{target.name} is missing: run `make learner`"
    expected = make_learner.learner_text(instructor)
    assert target.read_text(encoding="utf-8") == expected, (
        f"notebooks/learner/{target.name} is stale: run `make learner`"
    )
    # Deterministic: generating twice gives the same bytes.
    assert make_learner.learner_text(instructor) == expected


@pytest.mark.parametrize("instructor", INSTRUCTOR, ids=IDS)
def test_learner_notebook_content(instructor):
    target = make_learner.LEARNER / instructor.name
    if not target.exists():
        pytest.skip("missing; test_learner_notebook_is_fresh reports it")
    source = nbformat.read(instructor, as_version=4)
    learner = nbformat.read(target, as_version=4)

    assert not [c for c in learner.cells if "solution" in _tags(c)], "a solution cell survived"
    assert all(
        not c.outputs and c.execution_count is None for c in learner.cells if c.cell_type == "code"
    )
    # Every exercise's checker call is still there, in the same order.
    assert _checker_calls(learner) == _checker_calls(source)
    solution_checks = [
        name
        for c in source.cells
        if "solution" in _tags(c)
        for name in make_learner.CHECK_CALL.findall(c.source)
        if name != "solution"
    ]
    assert not solution_checks, f"checker calls inside solution cells vanish: {solution_checks}"
    # Every exercise placeholder survives.
    exercises = [c.source for c in source.cells if "exercise" in _tags(c)]
    assert exercises == [c.source for c in learner.cells if "exercise" in _tags(c)]
    # The Colab link opens the learner copy.
    location = sync_colab.load_location()
    url = location.colab_url(f"notebooks/learner/{instructor.name}")
    assert learner.cells[0].source == sync_colab.badge_source(location, "x").replace(
        location.colab_url("x"), url
    )


def test_no_orphan_learner_notebooks():
    names = {p.name for p in INSTRUCTOR}
    orphans = [p.name for p in make_learner.LEARNER.glob("*.ipynb") if p.name not in names]
    assert not orphans, f"learner notebooks without an instructor notebook: {orphans}"


# What a learner must not meet: the instructor's side of the project.
INSTRUCTOR_ONLY = re.compile(
    r"\btests/|\bthe tests\b|\bpytest\b|\bbenchmark|\bbench_|\bseed page\b|\bthe seed\b", re.I
)


def test_learner_version_drops_notes_and_marks_optional_runs():
    nb = _demo()
    notes = nbformat.v4.new_markdown_cell("Ask the room: the answer is 4.")
    notes.metadata["slideshow"] = {"slide_type": "notes"}
    extra = [nbformat.v4.new_markdown_cell("## More"), nbformat.v4.new_code_cell("y = 1")]
    for cell in extra:
        cell.metadata["tags"] = ["optional"]
    nb.cells += [notes, *extra, nbformat.v4.new_code_cell("z = 2")]
    learner = make_learner.learner_version(nb, "notebooks/learner/09_demo.ipynb")
    sources = [c.source for c in learner.cells]
    assert "Ask the room: the answer is 4." not in sources
    banner = sources.index(make_learner.OPTIONAL_BANNER)
    assert sources[banner + 1 : banner + 5] == [
        "## More",
        "y = 1",
        make_learner.OPTIONAL_END,
        "z = 2",
    ]
    assert sources.count(make_learner.OPTIONAL_BANNER) == 1
    assert sources.count(make_learner.OPTIONAL_END) == 1
    assert make_learner.learner_version(nb, "notebooks/learner/09_demo.ipynb") == learner


@pytest.mark.parametrize("instructor", INSTRUCTOR, ids=IDS)
def test_learner_copy_is_for_learners(instructor):
    learner = nbformat.read(make_learner.LEARNER / instructor.name, as_version=4)
    notes = [c.source[:40] for c in learner.cells if make_learner.is_notes(c)]
    assert not notes, f"speaker notes in the learner copy: {notes}"
    for index, cell in enumerate(learner.cells):
        found = INSTRUCTOR_ONLY.search(cell.source)
        assert not found, f"cell {index} names {found.group(0)!r}: {cell.source[:80]!r}"
    # Every run of optional cells opens with the banner and closes where the core path goes on.
    previous_optional = False
    for index, cell in enumerate(learner.cells):
        optional = "optional" in _tags(cell)
        if optional and not previous_optional:
            assert cell.source == make_learner.OPTIONAL_BANNER
        if previous_optional and not optional:
            assert cell.source == make_learner.OPTIONAL_END, f"cell {index}: no end line"
        if cell.source == make_learner.OPTIONAL_END:
            assert previous_optional and index + 1 < len(learner.cells)
            assert "optional" not in _tags(learner.cells[index + 1])
        previous_optional = optional


def test_before_you_start_box_is_the_same_in_the_readme_and_00():
    readme = (make_learner.ROOT / "README.md").read_text(encoding="utf-8")
    setup = nbformat.read(make_learner.NOTEBOOKS / "00_setup.ipynb", as_version=4)
    box = next(c.source for c in setup.cells if c.source.startswith("> **Before you start**"))
    assert box in readme
    for word in ("NumPy", "dense", "loss", "epoch", "kernel = filter", "receptive field"):
        assert word in box
