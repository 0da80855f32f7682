"""The record of a notebook run, whatever ran it: the one reader of a run's errors and text.

Four stacks execute the notebooks in a test run: the project venv (nbval for the instructor
copies; nbclient here for any other run), JupyterLab in Chromium (the learner copies), the
Colab mirror (Colab's packages, the learner copies in its classic Notebook in Chromium) and
`make present` (JupyterLab as live slides: 03, and 05's live-coding session down to its
training cell). Each hands back the executed notebook as nbformat, from the client or
from the browser's own notebook model, and :class:`NotebookRun` reads every one the same way.

:data:`EXECUTIONS` counts the runs per stack; ``record`` refuses a second run of one notebook
on one stack, so no test executes again what another test already ran: it reads the record.
conftest.py prints the counts at the end of the session.
"""

from __future__ import annotations

import time
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from tools.notebook_client import execute_in

ROOT = Path(__file__).resolve().parents[1]
STACKS = ("venv", "nbval", "jupyterlab", "colab", "present")
# (stack, notebook) -> how many times it ran in this session
EXECUTIONS: Counter[tuple[str, str]] = Counter()


@dataclass
class NotebookRun:
    """One execution of one notebook on one stack, with what every cell left."""

    stack: str
    name: str  # e.g. "learner/05_cifar10.ipynb", or a test's own label
    nb: nbformat.NotebookNode
    seconds: float
    facts: dict = field(default_factory=dict)  # what only this stack reports (versions, ...)

    def errors(self) -> list[str]:
        """``cell N: Name: message`` for every error, except in cells meant to raise."""
        return [f"cell {index}: {name}: {message}" for index, name, message in errors(self.nb)]

    def printed(self) -> str:
        return printed(self.nb)

    def unexecuted(self) -> int:
        """Code cells that never ran (no execution count)."""
        return sum(
            1
            for cell in self.nb.cells
            if cell.cell_type == "code" and cell.get("execution_count") is None
        )

    def widget_outputs(self) -> int:
        return sum(
            1
            for cell in self.nb.cells
            if cell.cell_type == "code"
            for output in cell.get("outputs", [])
            if "application/vnd.jupyter.widget-view+json" in output.get("data", {})
        )


def record(
    stack: str, name: str, nb: nbformat.NotebookNode, seconds: float, **facts
) -> NotebookRun:
    """Count a finished run and wrap it; a second run of ``name`` on ``stack`` is a test bug."""
    if stack not in STACKS:
        raise ValueError(f"stack must be one of {STACKS}, got {stack!r}")
    EXECUTIONS[(stack, name)] += 1
    if EXECUTIONS[(stack, name)] > 1 and name.endswith(".ipynb"):
        raise AssertionError(
            f"{name} ran a second time on {stack}: read the first run's record instead"
        )
    return NotebookRun(stack, name, nb, seconds, facts)


def record_nbval(name: str) -> None:
    """Count nbval's run of an instructor copy: nbval executes it, and compares stored outputs
    as it goes, so there is no record to read."""
    EXECUTIONS[("nbval", name)] += 1


def from_front_end(stack: str, name: str, model: dict, seconds: float, **facts) -> NotebookRun:
    """A browser front-end's notebook model (JupyterLab's ``model.toJSON()``, the classic
    Notebook's ``Jupyter.notebook.toJSON()``) as a record."""
    nb = nbformat.from_dict({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, **model})
    return record(stack, name, nb, seconds, **facts)


def run_in_venv(
    nb: nbformat.NotebookNode, folder: Path, name: str, training_s: int = 300
) -> NotebookRun:
    """Execute ``nb`` (changed in place) in the project venv with nbclient, ``folder`` as its
    working folder (files it saves land there). Errors do not stop the run."""
    start = time.monotonic()
    client = execute_in(nb, folder, name=name, training_s=training_s, allow_errors=True)
    seconds = time.monotonic() - start
    if client.late:  # recovered within a second each, but worth seeing: the stall's signature
        warnings.warn(
            f"{name}: {len(client.late)} kernel message(s) waited unseen in the socket, "
            f"up to {max(w for _, w in client.late):.1f} s",
            stacklevel=2,
        )
    return record("venv", name, nb, seconds, missed_wakeups=len(client.late))


def errors(nb: nbformat.NotebookNode) -> list[tuple[int, str, str]]:
    """(cell index, exception name, message) of every error, except in cells meant to raise."""
    return [
        (index, output["ename"], output["evalue"])
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and "raises-exception" not in cell.metadata.get("tags", [])
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]


def printed(nb: nbformat.NotebookNode) -> str:
    """Everything the code cells printed."""
    return "".join(
        output.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


def merge(runs: Iterable[tuple[str, str, int]]) -> None:
    """Add another process's counts (a pytest-xdist worker's) to this one's."""
    for stack, name, count in runs:
        EXECUTIONS[(stack, name)] += count


def repeated() -> list[str]:
    """A line for each notebook that ran more than once on one stack, in any process."""
    return [
        f"{name} ran {count} times on {stack}: one run per stack, the others read its record"
        for (stack, name), count in sorted(EXECUTIONS.items())
        if count > 1 and name.endswith(".ipynb")
    ]


def summary() -> str:
    """Executions per stack, e.g. ``venv 2, jupyterlab 8``: the figure the issue tracker asks
    for, printed at the end of every session."""
    per_stack = Counter()
    for (stack, name), count in EXECUTIONS.items():
        if name.endswith(".ipynb"):
            per_stack[stack] += count
    return ", ".join(f"{stack} {per_stack[stack]}" for stack in STACKS if per_stack[stack])
