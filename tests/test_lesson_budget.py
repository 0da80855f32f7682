"""Notebook 05 at the lesson's own budget on the venue fallback, top to bottom (slow tier).

A venue with no copy of CIFAR-10 runs ``WORKSHOP_DATA=synthetic`` with the lesson budget: all
50,000 training images, 20 epochs or 3 minutes. The drawn shapes are easy, so the network may
make no mistakes at all, and every cell that selects a subset (the mistakes, a class) must still
run to the end. The rest of the suite shrinks the budget and never sees that case. The same run
measures the kernel's peak memory: the stand-in's arrays have the real shapes, so a learner's
laptop needs what this kernel needed. Run by ``make test-slow``; about 6 minutes on a 2-core CPU.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from tests.notebook_runs import run_in_venv
from tools.execute_notebooks import BUDGET_VARIABLES, TRAINING_TIMEOUT_S
from tools.kernel_memory import LIMIT_BYTES, peak_bytes, with_peak_cell

ROOT = Path(__file__).resolve().parents[1]
LEARNER05 = ROOT / "notebooks" / "learner" / "05_cifar10.ipynb"


@pytest.mark.slow
@pytest.mark.timeout(1500)  # 3 + 1 minutes of training, loads, and a slow machine
def test_05_runs_to_the_end_on_the_stand_in_at_the_lesson_budget(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_DATA", "synthetic")
    for name in BUDGET_VARIABLES:  # the lesson's budget, not the tests'
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("MPLBACKEND", raising=False)
    copy = tmp_path / LEARNER05.name
    shutil.copy(LEARNER05, copy)
    nb = with_peak_cell(nbformat.read(copy, as_version=4))
    run = run_in_venv(nb, tmp_path, f"learner/{LEARNER05.name}", TRAINING_TIMEOUT_S)
    found = run.errors()
    assert not found, f"cells that stop Run All at the lesson budget: {found}"
    text = run.printed()
    assert "50,000 training photos" in text  # the lesson's budget, not the tests'
    explorer = [c for c in nb.cells if "NetworkExplorer(" in c.source and c.cell_type == "code"]
    assert explorer and all(c.outputs for c in explorer), "the network explorer never ran"
    peak = peak_bytes(nb)
    assert peak <= LIMIT_BYTES, f"05's kernel held {peak / 1e9:.2f} GB at its peak (limit 1.5 GB)"


LEARNER06 = ROOT / "notebooks" / "learner" / "06_own_photos.ipynb"


@pytest.mark.slow
@pytest.mark.timeout(900)  # 1 minute of training, the stand-in's 60,000 images, a slow machine
def test_06_without_05s_network_trains_one_at_its_budget_and_runs_to_the_end(tmp_path, monkeypatch):
    # A learner who reaches 06 without 05's saved network, at a venue with no CIFAR-10: 06 trains
    # the smaller network itself at its own budget (all 50,000 images, 20 epochs or 1 minute).
    monkeypatch.setenv("WORKSHOP_DATA", "synthetic")
    monkeypatch.setenv("WORKSHOP_MODEL", str(tmp_path / "never-saved" / "cifar10_cnn.keras"))
    for name in BUDGET_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("MPLBACKEND", raising=False)
    copy = tmp_path / LEARNER06.name
    shutil.copy(LEARNER06, copy)
    nb = nbformat.read(copy, as_version=4)
    run = run_in_venv(
        nb, tmp_path, f"learner/{LEARNER06.name}, no saved network", TRAINING_TIMEOUT_S
    )
    found = run.errors()
    assert not found, f"cells that stop Run All without 05's network: {found}"
    text = run.printed()
    assert "no cifar10_cnn.keras yet: notebook 05 saves it" in text
    assert "test accuracy on CIFAR-10" in text  # the smaller network was trained and scored
    assert "drawn stand-in photos" in text and "frozen features + new head" in text
