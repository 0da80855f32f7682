"""Run a copy of a learner notebook with nbclient and read what it left: the one way the
notebook-run tests outside nbval execute a notebook and collect its errors and printed text."""

from __future__ import annotations

import warnings
from pathlib import Path

import nbformat

from tools.notebook_client import execute_in


def run_copy(nb: nbformat.NotebookNode, folder: Path, name: str, training_s: int = 300):
    """Execute ``nb`` (changed in place) with ``folder`` as its working folder; files it saves
    land there. Errors do not stop the run: :func:`errors` lists them."""
    client = execute_in(nb, folder, name=name, training_s=training_s, allow_errors=True)
    if client.late:  # recovered within a second each, but worth seeing: the stall's signature
        warnings.warn(
            f"{name}: {len(client.late)} kernel message(s) waited unseen in the socket, "
            f"up to {max(w for _, w in client.late):.1f} s",
            stacklevel=2,
        )
    return nb


def errors(nb: nbformat.NotebookNode) -> list[tuple[int, str, str]]:
    """(cell index, exception name, message) of every error, except in cells meant to raise."""
    return [
        (index, output.ename, output.evalue)
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and "raises-exception" not in cell.metadata.get("tags", [])
        for output in cell.outputs
        if output.output_type == "error"
    ]


def printed(nb: nbformat.NotebookNode) -> str:
    """Everything the code cells printed."""
    return "".join(
        output.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
