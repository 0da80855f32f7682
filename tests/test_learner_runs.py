"""Each learner notebook runs top to bottom with every exercise left unanswered.

A learner who is stuck on one exercise must still be able to run the rest of the notebook:
the checkers say "no answer yet" instead of the notebook crashing.
"""

import os
import shutil
import warnings
from pathlib import Path

import nbformat
import pytest

from tools.notebook_client import GuardedNotebookClient

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
    nb = nbformat.read(copy, as_version=4)
    client = GuardedNotebookClient(
        nb,
        name=f"notebooks/learner/{path.name}",
        training_s=300,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(cwd=os.fspath(tmp_path))
    if client.late:  # recovered within a second each, but worth seeing: the stall's signature
        warnings.warn(
            f"{path.name}: {len(client.late)} kernel message(s) waited unseen in the socket, "
            f"up to {max(w for _, w in client.late):.1f} s",
            stacklevel=1,
        )
    errors = [
        (index, output.ename, output.evalue)
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and "raises-exception" not in cell.metadata.get("tags", [])
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert not errors, f"cells that crash with the exercises unanswered: {errors}"
    text = "".join(
        output.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    if "exercise" in {tag for c in nb.cells for tag in c.metadata.get("tags", [])}:
        assert "no answer yet" in text
