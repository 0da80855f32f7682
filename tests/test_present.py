"""tools.present, the command behind `make present` (its browser test: tests/browser/)."""

from __future__ import annotations

import json

import pytest

from tools import present

NAMES = ("02_convolution_by_hand.ipynb", "03_relu_and_pooling.ipynb", "05_cifar10.ipynb")


@pytest.fixture
def notebooks(tmp_path):
    folder = tmp_path / "notebooks"
    (folder / "learner").mkdir(parents=True)
    for name in NAMES:
        (folder / name).write_text("{}")
        (folder / "learner" / name).write_text("{}")
    return folder


@pytest.mark.parametrize(
    "name",
    ["03_relu_and_pooling", "03_relu_and_pooling.ipynb", "notebooks/03_relu_and_pooling", "03"],
)
def test_a_notebook_is_named_as_an_instructor_would_type_it(notebooks, name):
    assert present.resolve_notebook(name, notebooks) == "03_relu_and_pooling.ipynb"


@pytest.mark.parametrize(
    "name",
    [
        "05",
        "05_cifar10",
        "05_cifar10.ipynb",
        "notebooks/05_cifar10",
        "learner/05_cifar10",
        "learner/05_cifar10.ipynb",
        "notebooks/learner/05_cifar10.ipynb",
    ],
)
def test_the_live_coding_session_presents_the_learner_copy(notebooks, name):
    # its model cell is the empty one the instructor types into, with the room
    assert present.resolve_notebook(name, notebooks) == "learner/05_cifar10.ipynb"


def test_only_the_live_coding_session_presents_its_learner_copy_unasked():
    # 02-04 reveal their solution cells one key press after each exercise: the instructor copy
    assert list(present.LIVE_CODING) == ["05_cifar10.ipynb"]
    repository = present.NOTEBOOKS
    assert present.resolve_notebook("05", repository) == "learner/05_cifar10.ipynb"
    model = [c for c in _cells(repository / "learner" / "05_cifar10.ipynb") if "model = " in c]
    assert model[0].startswith("model = ...")  # empty: typed live
    assert present.resolve_notebook("04", repository) == "04_cnn_architecture.ipynb"


def _cells(path):
    return ["".join(cell["source"]) for cell in json.loads(path.read_text())["cells"]]


def test_a_learner_copy_can_be_asked_for(notebooks):
    assert present.resolve_notebook("learner/03", notebooks) == "learner/03_relu_and_pooling.ipynb"


def test_a_missing_learner_copy_says_how_to_make_it(notebooks):
    (notebooks / "learner" / "05_cifar10.ipynb").unlink()
    with pytest.raises(SystemExit, match="make learner"):
        present.resolve_notebook("05", notebooks)


@pytest.mark.parametrize("name", ["04", "0", "learner/learner/05", "learner"])
def test_no_such_number_or_path_names_the_choices(notebooks, name):
    with pytest.raises(SystemExit, match="Choose one of"):
        present.resolve_notebook(name, notebooks)


def test_the_live_coding_how_to_runs_all_above_the_model_cell_before_the_talk():
    text = present.how_to("learner/05_cifar10.ipynb")
    first = text[text.index("first") : text.index("then")]
    assert "run all cells above the live-coding cell" in first
    assert "data is loaded ahead" in first
    assert "`model = ...` cell" in first and "Run All Above" in first
    assert "Run All Cells" not in text  # that would run the training before the talk
    assert "training cell" in text[text.index("live") :]
    assert all(len(line) <= 100 for line in text.splitlines())
    assert present.how_to("03_relu_and_pooling.ipynb") == present.HOW_TO
    assert present.how_to("learner/03_relu_and_pooling.ipynb") == present.HOW_TO
    assert present.how_to(None) == present.HOW_TO
    assert "Run All Cells" in present.HOW_TO


def test_a_misspelt_notebook_names_the_choices(notebooks):
    with pytest.raises(SystemExit) as error:
        present.resolve_notebook("03_relu", notebooks)
    message = str(error.value)
    assert "'03_relu'" in message
    assert "02_convolution_by_hand.ipynb, 03_relu_and_pooling.ipynb, 05_cifar10.ipynb" in message


def test_the_deck_is_switched_on_in_the_presenters_own_settings(tmp_path, notebooks):
    work = tmp_path / "present"
    stale = work / "settings" / "jupyterlab-slideshow" / "plugin.jupyterlab-settings"
    stale.parent.mkdir(parents=True)
    stale.write_text('{"active": false}')  # the last talk ended with the deck off
    present.write_settings(work / "settings")
    assert json.loads(stale.read_text()) == {"active": True}
    # running and typing in the talk leave the repository's notebooks (and learner copies) alone
    docmanager = work / "settings" / "@jupyterlab" / "docmanager-extension"
    assert json.loads((docmanager / "plugin.jupyterlab-settings").read_text()) == {
        "autosave": False
    }

    command = present.lab_command("03_relu_and_pooling.ipynb", notebooks, work, ["--port=9"])
    assert command[-1] == "--port=9"
    assert f"--LabApp.user_settings_dir={work / 'settings'}" in command
    assert f"--LabApp.workspaces_dir={work / 'workspaces'}" in command
    assert "--LabApp.default_url=/lab/tree/03_relu_and_pooling.ipynb" in command
    live = present.lab_command("learner/05_cifar10.ipynb", notebooks, work, [])
    assert f"--ServerApp.root_dir={notebooks}" in live  # the deck opens the copy below the root
    assert "--LabApp.default_url=/lab/tree/learner/05_cifar10.ipynb" in live
    assert not any("default_url" in part for part in present.lab_command(None, notebooks, work, []))
