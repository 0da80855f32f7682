"""tools.present, the command behind `make present` (its browser test: tests/browser/)."""

from __future__ import annotations

import json

import pytest

from tools import present


@pytest.fixture
def notebooks(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in ("02_convolution_by_hand.ipynb", "03_relu_and_pooling.ipynb"):
        (folder / name).write_text("{}")
    return folder


@pytest.mark.parametrize(
    "name", ["03_relu_and_pooling", "03_relu_and_pooling.ipynb", "notebooks/03_relu_and_pooling"]
)
def test_a_notebook_is_named_as_an_instructor_would_type_it(notebooks, name):
    assert present.resolve_notebook(name, notebooks) == "03_relu_and_pooling.ipynb"


def test_a_misspelt_notebook_names_the_choices(notebooks):
    with pytest.raises(SystemExit) as error:
        present.resolve_notebook("03_relu", notebooks)
    message = str(error.value)
    assert "'03_relu'" in message
    assert "02_convolution_by_hand.ipynb, 03_relu_and_pooling.ipynb" in message


def test_the_deck_is_switched_on_in_the_presenters_own_settings(tmp_path, notebooks):
    work = tmp_path / "present"
    stale = work / "settings" / "jupyterlab-slideshow" / "plugin.jupyterlab-settings"
    stale.parent.mkdir(parents=True)
    stale.write_text('{"active": false}')  # the last talk ended with the deck off
    present.write_settings(work / "settings")
    assert json.loads(stale.read_text()) == {"active": True}

    command = present.lab_command("03_relu_and_pooling.ipynb", notebooks, work, ["--port=9"])
    assert command[-1] == "--port=9"
    assert f"--LabApp.user_settings_dir={work / 'settings'}" in command
    assert f"--LabApp.workspaces_dir={work / 'workspaces'}" in command
    assert "--LabApp.default_url=/lab/tree/03_relu_and_pooling.ipynb" in command
    assert not any("default_url" in part for part in present.lab_command(None, notebooks, work, []))
