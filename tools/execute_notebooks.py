"""Execute instructor notebooks in place so their stored outputs are fresh.

Usage: python -m tools.execute_notebooks [--data SOURCE] notebooks/NN_name.ipynb [...]

SOURCE is what ``WORKSHOP_DATA`` means to the notebooks: empty or ``cifar10`` for the verified
official archive in Keras' cache, or a folder / ``.zip`` of class folders. Notebooks that load
CIFAR-10 (04 and 05) refuse the synthetic stand-in: their stored outputs, and the slides built
from them, must come from real photos, though never show them (``tools/photo_outputs.py``).
The tests' smaller budget (``WORKSHOP_N_TRAIN`` and friends) is never used for stored outputs.
Run through ``make notebooks DATA=...``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat

from tools.notebook_client import execute_in
from tools.photo_outputs import strip_photo_outputs

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

# Set by the test suite to shrink training; stored outputs always show the lesson's budget.
BUDGET_VARIABLES = ("WORKSHOP_N_TRAIN", "WORKSHOP_N_TEST", "WORKSHOP_EPOCHS", "WORKSHOP_MINUTES")
# The longest cell trains for ~3 minutes (notebook 05's time limit); every other cell gets
# notebook_client.QUICK_CELL_S.
TRAINING_TIMEOUT_S = 900


def loads_cifar10(nb: nbformat.NotebookNode) -> bool:
    return any("load_cifar10(" in cell.source for cell in nb.cells if cell.cell_type == "code")


def execute(path: Path) -> None:
    from workshop.data import data_mode, data_source

    nb = nbformat.read(path, as_version=4)
    if loads_cifar10(nb):
        if data_mode() == "synthetic":
            sys.exit(
                f"{path}: refusing to store outputs from the synthetic stand-in. Give the real "
                "photos: make notebooks DATA=<folder or .zip of class folders>, or fetch the "
                "official archive first (make fetch) and leave DATA unset."
            )
        nb.metadata.setdefault("workshop", {})["data_source"] = data_source().split(":")[0]
        print(f"{path}: data from {data_source()}")
    client = execute_in(nb, path.parent, name=str(path), training_s=TRAINING_TIMEOUT_S)
    for cell in nb.cells:
        if cell.cell_type == "code":
            # stderr is never compared by the tests and carries machine-specific log lines
            cell.outputs = [o for o in cell.outputs if o.get("name") != "stderr"]
    if replaced := strip_photo_outputs(nb):
        print(f"{path}: {replaced} cell(s) showing photos store a note instead")
    nbformat.write(nb, path)
    print(f"executed {path}")
    if client.late:
        print(
            f"{path}: {len(client.late)} kernel message(s) waited unseen, up to "
            f"{max(w for _, w in client.late):.1f} s: the stall nbclient would have waited out"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="", help="WORKSHOP_DATA for the notebooks")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for name in BUDGET_VARIABLES:
        os.environ.pop(name, None)
    if args.data.strip():
        os.environ["WORKSHOP_DATA"] = args.data.strip()
    else:
        os.environ.pop("WORKSHOP_DATA", None)
    for path in args.notebooks:
        execute(path)


if __name__ == "__main__":
    main()
