"""How much memory a notebook's kernel needs: run a copy top to bottom, then read its peak.

Usage: python -m tools.kernel_memory [--data SOURCE] [NN ...]   (default: 05)

Each notebook's learner copy runs at the lesson budget (as a learner runs it) in a temporary
folder; a last cell added to the copy reads the kernel's own peak resident memory
(``getrusage``: the most it ever held, loads and training included). SOURCE is
``WORKSHOP_DATA`` as for ``make notebooks``. The slow tier asserts the same figure for 05 on the
synthetic stand-in, whose arrays have the real shapes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import nbformat

from tools.execute_notebooks import BUDGET_VARIABLES, TRAINING_TIMEOUT_S
from tools.notebook_client import execute_in

ROOT = Path(__file__).resolve().parents[1]
LEARNER = ROOT / "notebooks" / "learner"
MARKER = "kernel peak memory (bytes):"
# The most 05's kernel may hold: a learner's 4 GB laptop keeps its browser and system alive.
LIMIT_BYTES = 1_500_000_000

PEAK_CELL = f"""\
import resource as _resource
import sys as _sys

# ru_maxrss is in kilobytes on Linux and in bytes on macOS
_peak = _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss
print({MARKER!r}, _peak if _sys.platform == "darwin" else _peak * 1024)
"""


def with_peak_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose last cell prints the kernel's peak memory."""
    copy = nbformat.from_dict(nb)
    copy.cells.append(nbformat.v4.new_code_cell(PEAK_CELL))
    return copy


def peak_bytes(nb: nbformat.NotebookNode) -> int:
    """The peak that :data:`PEAK_CELL` printed in an executed notebook."""
    for output in nb.cells[-1].get("outputs", []):
        for line in output.get("text", "").splitlines():
            if line.startswith(MARKER):
                return int(line[len(MARKER) :])
    raise ValueError("the notebook's last cell printed no peak memory: did the run reach it?")


def measure(path: Path, training_s: int = TRAINING_TIMEOUT_S) -> tuple[int, nbformat.NotebookNode]:
    """(peak bytes, executed notebook) for one run of the notebook at ``path``."""
    nb = with_peak_cell(nbformat.read(path, as_version=4))
    with tempfile.TemporaryDirectory() as folder:
        execute_in(nb, Path(folder), name=str(path), training_s=training_s, allow_errors=True)
    return peak_bytes(nb), nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="", help="WORKSHOP_DATA for the notebooks")
    parser.add_argument("notebooks", nargs="*", default=["05"], help="NN prefixes (default 05)")
    args = parser.parse_args(argv)
    for name in BUDGET_VARIABLES:  # the lesson's budget, never the tests'
        os.environ.pop(name, None)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if args.data.strip():
        os.environ["WORKSHOP_DATA"] = args.data.strip()
    for prefix in args.notebooks:
        matches = sorted(LEARNER.glob(f"{prefix}*.ipynb"))
        if len(matches) != 1:
            print(f"{prefix}: no single learner notebook matches", file=sys.stderr)
            return 2
        peak, _ = measure(matches[0])
        print(f"{matches[0].name}: kernel peak {peak / 1e9:.2f} GB ({peak / 2**20:,.0f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
