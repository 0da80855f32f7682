"""Execute instructor notebooks in place so their stored outputs are fresh.

Usage: python scripts/execute_notebooks.py notebooks/02_convolution_by_hand.ipynb [...]
Run through `make notebooks`, which sets WORKSHOP_DATA=synthetic so the stored outputs
are the ones CI reproduces.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    for cell in nb.cells:
        if cell.cell_type == "code":
            # stderr is never compared by the tests and carries machine-specific log lines
            cell.outputs = [o for o in cell.outputs if o.get("name") != "stderr"]
    nbformat.write(nb, path)
    print(f"executed {path}")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        execute(Path(arg))
