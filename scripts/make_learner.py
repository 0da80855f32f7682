"""Generate the learner notebooks from the instructor notebooks.

For every ``notebooks/NN_name.ipynb`` this writes ``notebooks/learner/NN_name.ipynb``:
cells tagged ``solution`` removed, outputs and execution counts cleared, widget state and
execution timings dropped, and the "Open in Colab" badge pointing to the learner path.
The JSON is written in a stable form, so regenerating an unchanged notebook is a no-op.

Usage:
    python scripts/make_learner.py           # regenerate all (what `make learner` runs)
    python scripts/make_learner.py --check   # exit 1 if a learner notebook is stale
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sync_colab import load_location, sync_notebook  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
LEARNER = NOTEBOOKS / "learner"
SOLUTION_TAG = "solution"
# Cell metadata that only describes one run of the instructor notebook.
RUN_METADATA = ("execution", "collapsed", "scrolled", "jupyter")


def learner_version(nb: nbformat.NotebookNode, learner_relpath: str) -> nbformat.NotebookNode:
    """Return the learner notebook made from instructor notebook ``nb`` (which is not changed)."""
    out = copy.deepcopy(nb)
    cells = []
    for cell in out.cells:
        if SOLUTION_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        for key in RUN_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    out.cells = cells
    # Stored widget state only describes outputs that are gone now.
    out.metadata.pop("widgets", None)
    sync_notebook(out, load_location(), learner_relpath)
    return out


def learner_text(instructor: Path) -> str:
    """The exact JSON text the learner file of ``instructor`` must hold."""
    nb = nbformat.read(instructor, as_version=4)
    learner = learner_version(nb, f"notebooks/learner/{instructor.name}")
    return nbformat.writes(learner) + "\n"


def instructor_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale files, write nothing")
    args = parser.parse_args(argv)

    LEARNER.mkdir(parents=True, exist_ok=True)
    stale = 0
    sources = instructor_notebooks()
    for instructor in sources:
        target = LEARNER / instructor.name
        text = learner_text(instructor)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        stale += 1
        if args.check:
            print(f"{target.relative_to(ROOT)} is stale: run `make learner`")
        else:
            target.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote {target.relative_to(ROOT)}")
    # A learner notebook whose instructor notebook is gone would mislead learners.
    names = {p.name for p in sources}
    for orphan in sorted(p for p in LEARNER.glob("*.ipynb") if p.name not in names):
        stale += 1
        if args.check:
            print(f"{orphan.relative_to(ROOT)} has no instructor notebook")
        else:
            orphan.unlink()
            print(f"removed {orphan.relative_to(ROOT)}")
    if not stale:
        print(f"{len(sources)} learner notebook(s) up to date.")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
