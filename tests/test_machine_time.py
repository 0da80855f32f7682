"""tools/machine_time.py without a browser: fingerprints and staleness, matching the learner
copy's cells to the instructor notebook, the metadata written, the environment of a run."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import nbformat
import pytest

from tests.browser.lab_server import changed_environment, server_environment
from tools import machine_time as mt
from tools.make_learner import instructor_notebooks, learner_version
from tools.sync_colab import load_location, sync_notebook

ROOT = Path(__file__).resolve().parents[1]
WHEN = {"where": "JupyterLab 4 in Chromium 1, 2 CPU cores, CPU only", "measured": "2025-01-02"}


def small_notebook() -> nbformat.NotebookNode:
    """Markdown, three code cells, a solution and speaker notes, with stored outputs."""
    nb = nbformat.v4.new_notebook()
    cells = [
        nbformat.v4.new_markdown_cell("# Title", id="title"),
        nbformat.v4.new_code_cell("import numpy as np", id="imports"),
        nbformat.v4.new_code_cell("answer = ...  # your answer", id="exercise"),
        nbformat.v4.new_code_cell("answer = 42", id="solution"),
        nbformat.v4.new_markdown_cell("Ask the room.", id="notes"),
        nbformat.v4.new_code_cell("\n# train\nmodel.fit(x, y)", id="train"),
    ]
    cells[2].metadata["tags"] = ["exercise"]
    cells[3].metadata["tags"] = ["solution"]
    cells[4].metadata["slideshow"] = {"slide_type": "notes"}
    cells[5].outputs = [nbformat.v4.new_output("stream", name="stdout", text="done\n")]
    cells[5].execution_count = 7
    nb.cells = cells
    # The Colab badge and install cells, as every notebook has them (make_learner adds them)
    sync_notebook(nb, load_location(), "notebooks/09_demo.ipynb")
    nb.cells[0].id, nb.cells[2].id = "badge", "install"
    return nb


def cell(nb: nbformat.NotebookNode, cell_id: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if c.id == cell_id)


def learner_of(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return learner_version(nb, "notebooks/learner/09_demo.ipynb")


def timed_cell(cell_id, start="2025-01-02T10:00:00.000000Z", end="2025-01-02T10:00:01.250000Z"):
    execution = {"iopub.execute_input": start, "shell.execute_reply": end}
    return {"id": cell_id, "executionCount": 1, "tags": [], "execution": execution, "errors": []}


# ---------------------------------------------------------------- fingerprints and staleness


def test_fingerprint_is_12_hex_digits_of_the_sources_sha256():
    assert mt.fingerprint("x = 1") == hashlib.sha256(b"x = 1").hexdigest()[:12]
    assert mt.fingerprint("x = 1") != mt.fingerprint("x = 2")
    assert mt.fingerprint("é") == hashlib.sha256("é".encode()).hexdigest()[:12]


def test_a_cell_edited_after_its_measurement_is_stale():
    nb = small_notebook()
    run = mt.Run("09_demo.ipynb", seconds={"imports": 2.0, "exercise": 0.0, "train": 30.0})
    mt.apply_run(nb, learner_of(nb), run, data="official archive", **WHEN)
    assert mt.stale_cells(nb) == []
    cell(nb, "train").source += "\nmodel.evaluate(x, y)"
    assert mt.stale_cells(nb) == ["train"]
    assert mt.unmeasured_cells(nb) == ["install"]  # "train" is still measured, only stale


def test_unmeasured_cells_are_the_learners_code_cells_without_a_figure():
    nb = small_notebook()
    assert mt.unmeasured_cells(nb) == ["install", "imports", "exercise", "train"]  # no solution
    assert mt.stale_cells(nb) == []  # nothing measured, nothing stale


# ---------------------------------------------------------------- learner ids to instructor cells


def test_figures_go_to_the_instructor_cells_of_the_same_id():
    nb = small_notebook()
    outputs = copy.deepcopy(cell(nb, "train").outputs)
    run = mt.Run("09_demo.ipynb", seconds={"imports": 2.04, "exercise": 0.012, "train": 181.66})
    total = mt.apply_run(nb, learner_of(nb), run, data="cifar10-jpeg.zip (class folders)", **WHEN)

    cells = {c.id: c for c in nb.cells}
    assert cells["imports"].metadata["machine_seconds"] == 2.0
    assert cells["exercise"].metadata["machine_seconds"] == 0.0
    assert cells["train"].metadata["machine_seconds"] == 181.7
    assert cells["train"].metadata["machine_source"] == mt.fingerprint(cells["train"].source)
    for cell_id in ("title", "solution", "notes"):  # not in the learner copy, or not code
        assert "machine_seconds" not in cells[cell_id].metadata
        assert "machine_source" not in cells[cell_id].metadata
    assert cells["train"].outputs == outputs and cells["train"].execution_count == 7
    assert total == pytest.approx(183.7)  # the sum of the figures stored
    assert nb.metadata["machine_time"] == {
        "measured": "2025-01-02",
        "where": WHEN["where"],
        "data": "cifar10-jpeg.zip (class folders)",
        "learner_copy": True,
        "total_seconds": 183.7,
    }
    nbformat.validate(nb)


def test_a_new_measurement_replaces_the_old_one_everywhere():
    nb = small_notebook()
    first = mt.Run("09_demo.ipynb", seconds={"imports": 2.0, "exercise": 0.1, "train": 30.0})
    mt.apply_run(nb, learner_of(nb), first, data="official archive", **WHEN)
    cell(nb, "exercise").metadata["tags"] = ["solution"]  # the exercise became a solution
    second = mt.Run("09_demo.ipynb", seconds={"imports": 3.0, "train": 40.0})
    mt.apply_run(nb, learner_of(nb), second, data="official archive", **WHEN)
    assert "machine_seconds" not in cell(nb, "exercise").metadata
    assert nb.metadata["machine_time"]["total_seconds"] == 43.0


def test_a_learner_copy_out_of_date_is_refused():
    nb = small_notebook()
    learner = learner_of(nb)
    cell(
        nb, "imports"
    ).source = "import numpy"  # the instructor notebook moved on since `make learner`
    run = mt.Run("09_demo.ipynb", seconds={"imports": 2.0})
    with pytest.raises(ValueError, match="make learner"):
        mt.apply_run(nb, learner, run, data="official archive", **WHEN)


def test_timings_of_cells_the_learner_copy_lacks_are_refused():
    nb = small_notebook()
    run = mt.Run("09_demo.ipynb", seconds={"solution": 1.0})
    with pytest.raises(ValueError, match="not in the learner copy"):
        mt.apply_run(nb, learner_of(nb), run, data="official archive", **WHEN)


@pytest.mark.parametrize("path", instructor_notebooks(), ids=lambda p: p.name)
def test_every_learner_code_cell_of_the_real_notebooks_finds_its_instructor_cell(path):
    nb = nbformat.read(path, as_version=4)
    learner = learner_of(nb)
    learner_code = [c.id for c in learner.cells if c.cell_type == "code"]
    run = mt.Run(path.name, seconds=dict.fromkeys(learner_code, 1.0))
    mt.apply_run(nb, learner, run, data="official archive", **WHEN)
    measured = [c.id for c in nb.cells if "machine_seconds" in c.metadata]
    assert measured == learner_code
    solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    assert all("machine_seconds" not in c.metadata for c in solutions)
    assert mt.stale_cells(nb) == [] and mt.unmeasured_cells(nb) == []


def test_writing_an_unchanged_notebook_gives_back_the_same_bytes(tmp_path):
    path = instructor_notebooks()[0]
    target = tmp_path / path.name
    mt.write_notebook(nbformat.read(path, as_version=4), target)
    assert target.read_bytes() == path.read_bytes()


# ---------------------------------------------------------------- what the browser reports


def test_run_from_the_pages_cells():
    cells = [
        timed_cell("a"),
        {**timed_cell("b"), "execution": {"iopub.execute_input": "2025-01-02T10:00:00Z"}},
        {**timed_cell("c"), "executionCount": None, "execution": None},
        {**timed_cell("d"), "errors": ["ValueError: no"]},
        {**timed_cell("e"), "errors": ["TypeError: meant"], "tags": ["raises-exception"]},
    ]
    run = mt.Run.from_cells("09_demo.ipynb", cells)
    assert run.seconds == {"a": 1.25, "d": 1.25, "e": 1.25}
    assert run.untimed == ["b"] and run.unexecuted == ["c"]
    assert run.errors == ["cell d: ValueError: no"]
    problems = run.problems()
    assert len(problems) == 3 and "did not run" in problems[1] and "no timing" in problems[2]
    assert mt.Run.from_cells("x", [timed_cell("a")]).problems() == []


def test_cell_seconds_reads_the_kernels_timestamps():
    assert mt.cell_seconds(None) is None
    assert mt.cell_seconds({"iopub.execute_input": "2025-01-02T10:00:00Z"}) is None
    stamps = {
        "iopub.execute_input": "2025-01-02T10:59:59.900000Z",
        "shell.execute_reply": "2025-01-02T11:00:02.000000Z",
    }
    assert mt.cell_seconds(stamps) == pytest.approx(2.1)


def test_record_writes_complete_runs_only(tmp_path, capsys):
    (tmp_path / "learner").mkdir()
    for name in ("09_demo.ipynb", "10_broken.ipynb"):
        nb = small_notebook()
        mt.write_notebook(nb, tmp_path / name)
        mt.write_notebook(learner_of(nb), tmp_path / "learner" / name)
    before = (tmp_path / "10_broken.ipynb").read_bytes()
    every = {"install": 0.0, "imports": 1.0, "exercise": 0.1, "train": 2.0}
    good = mt.Run("09_demo.ipynb", seconds=every)
    broken = mt.Run("10_broken.ipynb", seconds={"imports": 1.0}, unexecuted=["train"])
    notes = {"image_cache": "empty at the start"}
    measurement = mt.Measurement(
        [good, broken], "4.6.6", "156.0", "demo.zip (class folders)", notes
    )
    problems = mt.record(measurement, "CPU only", tmp_path, measured="2025-01-02")
    assert problems == ["10_broken.ipynb: 1 code cell(s) did not run: ['train']"]
    # A notebook edited while it was measured: its learner copy no longer matches.
    edited = mt.Run("09_demo.ipynb", seconds=every, learner=learner_of(small_notebook()))
    cell(edited.learner, "train").source = "model.fit(x, y, epochs=2)"
    stale = mt.Measurement([edited], "4.6.6", "156.0", "demo.zip (class folders)")
    written_before = (tmp_path / "09_demo.ipynb").read_bytes()
    assert "make learner" in mt.record(stale, "CPU only", tmp_path)[0]
    assert (tmp_path / "09_demo.ipynb").read_bytes() == written_before
    assert (tmp_path / "10_broken.ipynb").read_bytes() == before
    written = nbformat.read(tmp_path / "09_demo.ipynb", as_version=4)
    assert written.metadata["machine_time"]["where"] == (
        f"JupyterLab 4.6.6 in Chromium 156.0, {mt.cpu_cores()} CPU cores, CPU only"
    )
    assert written.metadata["machine_time"]["image_cache"] == "empty at the start"
    assert written.metadata["machine_time"]["data"] == "demo.zip (class folders)"
    assert mt.verify(["09_demo.ipynb"], tmp_path) == 0
    assert mt.verify(["10_broken.ipynb"], tmp_path) == 1
    assert "10_broken.ipynb: not measured" in capsys.readouterr().out


def test_check_names_a_cell_edited_since(tmp_path, capsys):
    nb = small_notebook()
    run = mt.Run("09_demo.ipynb", seconds={"imports": 1.0, "exercise": 0.1, "train": 2.0})
    mt.apply_run(nb, learner_of(nb), run, data="official archive", **WHEN)
    cell(nb, "imports").source = "import numpy"
    mt.write_notebook(nb, tmp_path / "09_demo.ipynb")
    assert mt.verify(["09_demo.ipynb"], tmp_path) == 1
    assert "cell imports changed" in capsys.readouterr().out


def test_summary_lists_the_slowest_cells_with_their_first_line():
    nb = small_notebook()
    run = mt.Run("09_demo.ipynb", seconds={"imports": 2.0, "exercise": 0.1, "train": 181.7})
    mt.apply_run(nb, learner_of(nb), run, data="official archive", **WHEN)
    text = mt.summary(nb, "09_demo.ipynb", slowest=2)
    lines = text.splitlines()
    assert lines[0].startswith("09_demo.ipynb: 183.8 s machine time in 3 code cells")
    assert lines[1].split() == ["181.7", "s", "train:", "#", "train"]
    assert "import numpy as np" in lines[2] and len(lines) == 3
    assert "not measured" in mt.summary(small_notebook(), "09_demo.ipynb")


# ---------------------------------------------------------------- the environment of a run


def test_the_synthetic_stand_in_is_refused():
    for data in ("synthetic", " Synthetic "):
        with pytest.raises(mt.MachineTimeError, match="synthetic") as refused:
            mt.lesson_environment(data)
        assert "--data" in str(refused.value)


def test_the_command_refuses_the_stand_in_before_starting_anything(monkeypatch):
    def no_run(*args, **kwargs):
        raise AssertionError("nothing may start")

    monkeypatch.setattr(mt, "measure", no_run)
    with pytest.raises(mt.MachineTimeError, match="synthetic"):
        mt.main(["--data", "synthetic", "03"])
    monkeypatch.setenv("WORKSHOP_DATA", "synthetic")  # what the test suite sets
    with pytest.raises(mt.MachineTimeError, match="synthetic"):
        mt.main(["03"])


def test_a_smaller_budget_needs_the_development_flag():
    with pytest.raises(mt.MachineTimeError):
        mt.lesson_environment("/data/cifar.zip", budget={"WORKSHOP_N_TRAIN": "100"})
    changes = mt.lesson_environment(
        "synthetic", allow_synthetic=True, budget={"WORKSHOP_N_TRAIN": "100"}
    )
    assert changes["WORKSHOP_N_TRAIN"] == "100" and changes["WORKSHOP_DATA"] == "synthetic"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (None, None),
        ("", None),
        ("cifar10", None),
        (" /data/cifar10-jpeg.zip ", "/data/cifar10-jpeg.zip"),
    ],
)
def test_the_server_gets_the_lesson_budget_and_the_data(monkeypatch, tmp_path, data, expected):
    for name in mt.BUDGET_VARIABLES:  # the test suite's smaller budget must not leak in
        monkeypatch.setenv(name, "7")
    monkeypatch.setenv("WORKSHOP_DATA", "synthetic")
    env = changed_environment(server_environment(tmp_path), mt.lesson_environment(data))
    assert not set(mt.BUDGET_VARIABLES) & set(env)
    assert env.get("WORKSHOP_DATA") == expected
    assert set(mt.BUDGET_VARIABLES) == {
        "WORKSHOP_N_TRAIN",
        "WORKSHOP_N_TEST",
        "WORKSHOP_EPOCHS",
        "WORKSHOP_MINUTES",
    }


def test_the_data_is_described_without_its_path():
    assert mt.describe_data("") == mt.describe_data(None) == "official archive"
    assert mt.describe_data("cifar10") == "official archive"
    assert mt.describe_data("/work/shared/data/cifar10-jpeg.zip") == (
        "cifar10-jpeg.zip (class folders)"
    )
    assert mt.describe_data("/home/me/cifar10/") == "cifar10 (class folders)"


def test_a_missing_data_path_is_refused():
    with pytest.raises(mt.MachineTimeError, match="no such file"):
        mt.check_data("/no/such/cifar.zip")


def test_notebooks_are_named_by_number_stem_or_path():
    name = "03_relu_and_pooling.ipynb"
    assert mt.resolve("03") == name
    assert mt.resolve("03_relu_and_pooling") == name
    assert mt.resolve(f"notebooks/learner/{name}") == name
    with pytest.raises(mt.MachineTimeError, match="Choose one of"):
        mt.resolve("99")


def test_a_kept_run_writes_the_same_figures_later(tmp_path):
    nb = small_notebook()
    every = {"install": 0.0, "imports": 1.0, "exercise": 0.1, "train": 2.0}
    run = mt.Run("09_demo.ipynb", seconds=every, wall_seconds=5.0, learner=learner_of(nb))
    notes = {"image_cache": "emptied"}
    kept = mt.Measurement([run], "4.6.6", "156.0", "demo.zip (class folders)", notes, "2025-01-02")
    mt.save_run(kept, "CPU only", tmp_path / "run.json")
    again, device = mt.load_run(tmp_path / "run.json")
    assert device == "CPU only"
    assert again.runs[0].learner == run.learner and again.runs[0].seconds == every
    assert vars(again) | {"runs": None} == vars(kept) | {"runs": None}
    (tmp_path / "learner").mkdir()
    mt.write_notebook(nb, tmp_path / "09_demo.ipynb")
    assert mt.record(again, device, tmp_path, measured=again.measured) == []
    stored = nbformat.read(tmp_path / "09_demo.ipynb", as_version=4).metadata["machine_time"]
    assert stored["measured"] == "2025-01-02" and stored["total_seconds"] == 3.1


def test_learner_mismatches_name_changed_new_and_gone_code_cells():
    nb = small_notebook()
    learner = learner_of(nb)
    assert mt.learner_mismatches(nb, learner) == []
    cell(nb, "imports").source = "import numpy"  # changed
    nb.cells.append(nbformat.v4.new_code_cell("print(1)", id="new"))  # added since
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", id="answer"))  # a new solution: no
    nb.cells[-1].metadata["tags"] = ["solution"]
    learner.cells.append(nbformat.v4.new_code_cell("y = 2", id="gone"))  # removed since
    assert mt.learner_mismatches(nb, learner) == ["imports", "gone", "new"]


def test_stale_learner_copies_are_refused_before_anything_runs(tmp_path, monkeypatch):
    (tmp_path / "learner").mkdir()
    nb = small_notebook()
    mt.write_notebook(learner_of(nb), tmp_path / "learner" / "09_demo.ipynb")
    mt.write_notebook(nb, tmp_path / "09_demo.ipynb")
    mt.refuse_stale_learner_copies(["09_demo.ipynb"], tmp_path)
    cell(nb, "train").source = "model.fit(x, y, epochs=3)"
    mt.write_notebook(nb, tmp_path / "09_demo.ipynb")
    with pytest.raises(mt.MachineTimeError, match=r"09_demo.ipynb: code cell\(s\) \['train'\]"):
        mt.refuse_stale_learner_copies(["09_demo.ipynb"], tmp_path)
