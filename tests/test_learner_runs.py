"""Each learner notebook runs top to bottom with every exercise left unanswered.

A learner who is stuck on one exercise must still be able to run the rest of the notebook:
the checkers say "no answer yet" instead of the notebook crashing.
"""

import shutil
from pathlib import Path

import nbformat
import pytest

from tests.notebook_runs import run_in_venv

ROOT = Path(__file__).resolve().parents[1]
LEARNER = sorted((ROOT / "notebooks" / "learner").glob("*.ipynb"))


# `learner_copy`: conftest.py leaves a copy to the browser test that already executes it.
@pytest.mark.parametrize("learner_copy", LEARNER, ids=[p.name for p in LEARNER])
def test_learner_notebook_runs_with_exercises_unanswered(learner_copy, tmp_path, monkeypatch):
    path = learner_copy
    monkeypatch.setenv("WORKSHOP_DATA", "synthetic")
    monkeypatch.setenv("WORKSHOP_EPOCHS", "1")  # notebook 05: the flow, not the accuracy
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    monkeypatch.delenv("MPLBACKEND", raising=False)
    copy = tmp_path / path.name  # files the notebook saves land here, not in the repository
    shutil.copy(path, copy)
    run = run_in_venv(nbformat.read(copy, as_version=4), tmp_path, f"learner/{path.name}")
    found = run.errors()
    assert not found, f"cells that crash with the exercises unanswered: {found}"
    text = run.printed()
    if "exercise" in {tag for c in run.nb.cells for tag in c.metadata.get("tags", [])}:
        assert "no answer yet" in text
