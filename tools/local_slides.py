"""Decks WITH the CIFAR-10 photos, from this machine's own copy of the data: never to be published.

Usage:
    python -m tools.local_slides [--data SOURCE] [--out DIR] [--reuse-run]
    make slides-local [DATA=SOURCE]

The stored notebooks show a note where CIFAR-10 photos would be (``tools/photo_outputs.py``: the
dataset may not be re-hosted), so the decks of ``make slides`` do too. For the instructor's own
projector this command puts the photos back, from the instructor's own copy of the data:

1. every notebook with cells tagged ``real-photos`` (04 and 05) is copied into ``DIR-work/`` and
   that copy is executed with the project's executor (``GuardedNotebookClient``), on the data
   ``WORKSHOP_DATA`` (or ``--data``) names: unset or ``cifar10`` for the verified official archive
   in Keras' cache (``make fetch``), or a folder / ``.zip`` of class folders. The synthetic
   stand-in is refused: it has no photos worth presenting;
2. the outputs of the ``real-photos`` cells of that run, and the widget state they show, are
   spliced into a copy of the stored notebook, so every other number on the slides stays the
   stored, measured one;
3. all decks are built into ``DIR`` (default ``build/slides-local/``) as ``make slides`` builds
   them (offline, same template), 04 and 05 from the spliced copies, with an index that says the
   folder holds CIFAR-10 photos.

Nothing is written outside ``DIR`` and ``DIR-work`` (both under ``build/``, which git ignores; a
``DIR`` inside the repository that git does not ignore is refused). Notebook 05 trains for
``WORKSHOP_MINUTES`` (default 3) plus a dense baseline for a third of that; ``WORKSHOP_N_TRAIN``,
``WORKSHOP_N_TEST``, ``WORKSHOP_EPOCHS`` and ``WORKSHOP_MINUTES`` are honoured for a faster run
(the spliced photos then come from a less trained network). ``--reuse-run`` rebuilds the decks
from the executed copies a previous run left in ``DIR-work/executed/``, without executing again.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import nbformat

from tools import build_slides
from tools.photo_outputs import (
    MODEL_REFERENCE,
    NOTE,
    WIDGET_STATE,
    WIDGET_VIEW,
    is_photo_cell,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_OUT = ROOT / "build" / "slides-local"
BUDGET_VARIABLES = ("WORKSHOP_N_TRAIN", "WORKSHOP_N_TEST", "WORKSHOP_EPOCHS", "WORKSHOP_MINUTES")
# Notebook 05's defaults: the lesson's budget (its cell 'N_TRAIN = ...').
DEFAULT_MINUTES = 3.0
NOTICE = (
    "These decks show photos from CIFAR-10, made on this computer from its own copy of the data. "
    "They are for presenting from this computer only: do not publish, upload or share this "
    "folder (the dataset may not be re-hosted). The shareable decks are in build/slides/."
)
SYNTHETIC_REFUSAL = (
    "make slides-local shows the real CIFAR-10 photos, and WORKSHOP_DATA=synthetic has none (its "
    "drawn shapes are not worth presenting). Leave WORKSHOP_DATA unset for the official archive "
    "in Keras' cache (make fetch first), or give a folder or .zip of class folders: "
    "make slides-local DATA=<folder or .zip>."
)


class LocalSlidesError(SystemExit):
    """A reason the command stops before executing anything (its message says what to do)."""


# ---------------------------------------------------------------- splicing


def photo_notebooks(notebooks: list[Path]) -> list[Path]:
    """The notebooks that have cells showing photos (04 and 05)."""
    return [
        p for p in notebooks if any(is_photo_cell(c) for c in nbformat.read(p, as_version=4).cells)
    ]


def _cell_key(cell: nbformat.NotebookNode, index: int) -> str:
    return cell.get("id") or f"#{index}"


def _widget_models(nb: nbformat.NotebookNode) -> dict:
    return nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def _referenced_models(outputs: list, models: dict) -> dict:
    """The widget models ``outputs`` show, with every model they refer to, from ``models``."""
    todo = [o["data"][WIDGET_VIEW]["model_id"] for o in outputs if WIDGET_VIEW in o.get("data", {})]
    kept: dict = {}
    while todo:
        model_id = todo.pop()
        if model_id in kept:
            continue
        if model_id not in models:
            raise ValueError(f"the executed notebook has no state for widget model {model_id}")
        kept[model_id] = models[model_id]
        todo.extend(MODEL_REFERENCE.findall(json.dumps(models[model_id])))
    return kept


def splice(
    stored: nbformat.NotebookNode, executed: nbformat.NotebookNode
) -> tuple[nbformat.NotebookNode, int]:
    """A copy of ``stored`` whose ``real-photos`` cells carry ``executed``'s outputs.

    Cells are matched by id (by position in notebooks without ids) and must have the same source:
    an executed copy of another version of the notebook is refused. Other cells, and the stored
    notebook's metadata, are left as stored; the widget models the spliced outputs show are added
    to its widget state. Returns the copy and how many cells were spliced.
    """
    result = copy.deepcopy(stored)
    ran = {_cell_key(c, i): c for i, c in enumerate(executed.cells)}
    ran_models = _widget_models(executed)
    added: dict = {}
    spliced = 0
    for index, cell in enumerate(result.cells):
        if not is_photo_cell(cell):
            continue
        key = _cell_key(cell, index)
        other = ran.get(key)
        if other is None or other.source != cell.source:
            raise ValueError(
                f"cell {index} ({key}) of the stored notebook is not in the executed copy, or its "
                "source differs: the run was made from another version of the notebook"
            )
        outputs = [copy.deepcopy(o) for o in other.get("outputs", []) if o.get("name") != "stderr"]
        if not outputs:
            raise ValueError(f"cell {index} ({key}) shows nothing in the executed copy")
        added.update(_referenced_models(outputs, ran_models))
        cell.outputs = outputs
        cell.execution_count = other.get("execution_count")
        spliced += 1
    if added:
        widgets = result.metadata.setdefault("widgets", {})
        container = widgets.setdefault(
            WIDGET_STATE,
            {
                key: value
                for key, value in executed.metadata["widgets"][WIDGET_STATE].items()
                if key != "state"
            },
        )
        container.setdefault("state", {}).update(added)
    return result, spliced


# ---------------------------------------------------------------- running a copy


def training_timeout_s() -> int:
    """A training cell's limit: the executor's, or more for a larger WORKSHOP_MINUTES."""
    from tools.execute_notebooks import TRAINING_TIMEOUT_S

    minutes = float(os.environ.get("WORKSHOP_MINUTES") or DEFAULT_MINUTES)
    return max(TRAINING_TIMEOUT_S, int(minutes * 60 * 2 + 300))


def until_last_photo(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without the cells after its last ``real-photos`` cell (they change nothing
    that is spliced, and one of them may train for minutes)."""
    last = max(i for i, c in enumerate(nb.cells) if is_photo_cell(c))
    nb.cells = nb.cells[: last + 1]
    return nb


def execute_copy(notebook: Path, executed_path: Path) -> nbformat.NotebookNode:
    """Execute a copy of ``notebook`` (never the file itself) in ``executed_path``'s folder and
    write the executed copy there, photos and all."""
    from tools.notebook_client import execute_in

    nb = until_last_photo(nbformat.read(notebook, as_version=4))
    executed_path.parent.mkdir(parents=True, exist_ok=True)
    # The kernel works in build/, so nothing a cell writes lands among tracked files.
    execute_in(nb, executed_path.parent, name=notebook.name, training_s=training_timeout_s())
    nbformat.write(nb, executed_path)
    return nb


# ---------------------------------------------------------------- the command


def check_data() -> str:
    """The data source line, or a refusal: no synthetic stand-in, no archive to download."""
    from workshop.data import cached_archive, data_mode, data_source

    mode = data_mode()
    if mode == "synthetic":
        raise LocalSlidesError(SYNTHETIC_REFUSAL)
    if mode == "cifar10" and cached_archive() is None:
        raise LocalSlidesError(
            "The official CIFAR-10 archive is not in Keras' cache: run `make fetch` first, or "
            "give your copy as a folder or .zip of class folders: make slides-local DATA=<path>."
        )
    try:
        return data_source()
    except Exception as exc:  # a WORKSHOP_DATA path that is not there or not laid out right
        raise LocalSlidesError(f"WORKSHOP_DATA={os.environ.get('WORKSHOP_DATA')}: {exc}") from exc


def repository_of(path: Path) -> Path | None:
    """The git working tree ``path`` would be in (it need not exist yet), or None."""
    for folder in (path.resolve(), *path.resolve().parents):
        if (folder / ".git").exists():
            return folder
    return None


def git_ignored(path: Path) -> bool | None:
    """Whether git ignores ``path`` (True/False), or None when it cannot tell (no git, or
    ``path`` is in no repository)."""
    repo = repository_of(path)
    git = shutil.which("git")
    if git is None or repo is None:
        return None
    done = subprocess.run(
        [git, "check-ignore", "-q", "--no-index", str(path.resolve())],
        cwd=repo,
        capture_output=True,
    )
    return {0: True, 1: False}.get(done.returncode)


def check_out(out: Path) -> None:
    """Refuse an output folder inside a git repository that git would track."""
    for folder in (out, work_dir(out)):
        if git_ignored(folder) is False:
            raise LocalSlidesError(
                f"{folder} is inside the repository and not ignored by git; decks with photos "
                "must never be committed. Use a folder under build/ (the default)."
            )


def work_dir(out: Path) -> Path:
    """Where the executed and spliced notebooks go: next to ``out``, not in it, so that ``out``
    holds only the decks."""
    return out.parent / f"{out.name}-work"


def describe_budget() -> str:
    values = {name: os.environ.get(name) for name in BUDGET_VARIABLES}
    minutes = float(values["WORKSHOP_MINUTES"] or DEFAULT_MINUTES)
    chosen = ", ".join(f"{k}={v}" for k, v in values.items() if v) or "the lesson's budget"
    return (
        f"budget: {chosen}. Notebook 05 trains its CNN for up to {minutes:g} min and a dense "
        f"baseline for up to {minutes / 3:g} min; with loading the data and notebook 04, expect "
        f"about {minutes * 4 / 3 + 3:.0f} min in all on a laptop CPU (more on the first run, which "
        "decodes and caches image files)."
    )


Executor = Callable[[Path, Path], nbformat.NotebookNode]


def build_local(
    out: Path = DEFAULT_OUT,
    notebooks: list[Path] | None = None,
    *,
    execute: Executor = execute_copy,
    reuse_run: bool = False,
) -> list[dict]:
    """Execute, splice and build (see the module docstring); return the deck rows."""
    out = Path(out)
    notebooks = notebooks or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    check_out(out)
    work = work_dir(out)
    with_photos = photo_notebooks(notebooks)
    if not reuse_run:
        print(f"data: {check_data()}")
        print(describe_budget())
    sources = {p: p for p in notebooks}
    for notebook in with_photos:
        executed_path = work / "executed" / notebook.name
        if reuse_run:
            if not executed_path.is_file():
                raise LocalSlidesError(f"--reuse-run: no earlier run at {executed_path}")
            executed = nbformat.read(executed_path, as_version=4)
            print(f"{notebook.name}: reusing {executed_path}")
        else:
            print(f"{notebook.name}: executing a copy in {executed_path.parent} ...", flush=True)
            start = time.perf_counter()
            executed = execute(notebook, executed_path)
            print(f"{notebook.name}: executed in {time.perf_counter() - start:.0f} s", flush=True)
        stored = nbformat.read(notebook, as_version=4)
        spliced, count = splice(stored, executed)
        target = work / notebook.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(spliced, target)
        print(f"{notebook.name}: {count} cell(s) show the photos of this run")
        sources[notebook] = target
    decks = build_slides.build([sources[p] for p in notebooks], out, notice=NOTICE)
    for deck in decks:
        if deck["notebook"] in {p.name for p in with_photos}:
            page = (out / deck["file"]).read_text(encoding="utf-8")
            if NOTE.strip("*")[:40] in page:
                raise RuntimeError(f"{deck['file']} still shows the note instead of a photo")
    return decks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        default=None,
        help="WORKSHOP_DATA for the run (default: the environment's; empty: the official archive)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--reuse-run",
        action="store_true",
        help="splice from the executed copies of an earlier run instead of executing again",
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if args.data is not None:
        if args.data.strip():
            os.environ["WORKSHOP_DATA"] = args.data.strip()
        else:
            os.environ.pop("WORKSHOP_DATA", None)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    start = time.perf_counter()
    decks = build_local(args.out, args.notebooks or None, reuse_run=args.reuse_run)
    for deck in decks:
        print(f"{deck['file']}: {deck['slides']} slides")
    print(f"took {(time.perf_counter() - start) / 60:.1f} min")
    print(f"Open {args.out / 'index.html'} in a browser (works offline). {NOTICE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
