"""Present a notebook as live slides: ``make present NB=03_relu_and_pooling.ipynb``.

JupyterLab opens with jupyterlab-slideshow's deck mode on, so the notebook itself is the slide
deck: cells run on the projector and an explorer answers the mouse. It keeps its settings and
workspace in a folder of its own (``build/present/``), so ``make lab`` on the same laptop still
opens the ordinary notebook view. The static decks (``make slides``) stay the fallback for a
laptop without a working kernel.

Which copy is presented: the instructor notebook, except for the live-coding session
(:data:`LIVE_CODING`, notebook 05), which opens its learner copy ``learner/05_cifar10.ipynb``.
In 02-04 the instructor reveals each solution one key press after its exercise: only the
instructor notebooks have those solution cells (as fragments), and their stored outputs are what
the room expects to see. In 05 the solution cell *is* the talk: the instructor types the model
live into the learner copy's empty ``model = ...`` cell, as the room does in theirs, and runs the
cells above it before the talk (data loaded ahead, :func:`how_to` says how), so only typing and
training take the session's minutes. ``learner/<name>`` presents any learner copy on request.

The presenter's settings also switch autosave off: a talk runs cells and types into them, and
none of that belongs in the repository's notebooks (a learner copy with a typed model no longer
matches ``make learner``). Ctrl+S still saves on purpose.

Usage: python -m tools.present [NOTEBOOK] [jupyter lab options]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
WORK = ROOT / "build" / "present"

# Written into the presenter's own settings folder at every start: deck mode on, even when the
# previous talk ended with the deck switched off.
DECK_SETTINGS: dict[str, dict] = {
    "jupyterlab-slideshow/plugin.jupyterlab-settings": {"active": True},
    # Running and typing during the talk must not rewrite the repository's notebooks.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}

LEARNER = "learner"

HOW_TO = """\
Presenting (README, Instructors):
  first   Ctrl+Shift+C, type Run All Cells, Enter; open the table of contents at the left edge,
          click the title, close the table and click the slide
  then    Space: on (down a long slide, then the next slide); Shift+Space: back; Esc: leave
  sliders drag them with the mouse: the arrow keys page the deck even on a slider
"""

# Live-coding sessions, presented from their learner copy, and what to do with them instead.
LIVE_CODING: dict[str, str] = {
    "05_cifar10.ipynb": """\
Presenting the learner copy, its model cell empty for you to type in (README, Instructors):
  first   run all cells above the live-coding cell, so the data is loaded ahead (a minute):
          open the table of contents at the left edge, click "Live coding: type the model",
          click the `model = ...` cell; Ctrl+Shift+C, type Run All Above, Enter; wait until
          no cell shows [*]; in the table click the title, close the table, click the slide
  then    Space: on (down a long slide, then the next slide); Shift+Space: back; Esc: leave
  live    click into the `model = ...` cell and type the model (Space types there);
          Shift+Enter runs it, Shift+Enter the check after it, then each next cell down to
          the training cell (model.fit); Esc leaves the editor, a second Esc the deck
""",
}


def how_to(notebook: str | None) -> str:
    """What ``make present`` prints for ``notebook`` (a path from :func:`resolve_notebook`)."""
    if notebook and Path(notebook).parts[0] == LEARNER:
        return LIVE_CODING.get(Path(notebook).name, HOW_TO)
    return HOW_TO


def write_settings(settings_dir: Path) -> None:
    """Write :data:`DECK_SETTINGS` under ``settings_dir``."""
    for relative, values in DECK_SETTINGS.items():
        path = settings_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2) + "\n")


def resolve_notebook(name: str, notebooks: Path) -> str:
    """``name`` as the path below ``notebooks`` to present; SystemExit naming the choices when
    there is none.

    Accepts ``03_relu_and_pooling.ipynb``, ``03_relu_and_pooling``, ``03`` or
    ``notebooks/03_...``; ``learner/03_...`` asks for the learner copy. A live-coding notebook
    (:data:`LIVE_CODING`) always gives its learner copy: ``05`` is ``learner/05_cifar10.ipynb``.
    """
    parts = Path(name).parts
    if parts and parts[0] == notebooks.name:
        parts = parts[1:]
    learner = bool(parts) and parts[0] == LEARNER
    if learner:
        parts = parts[1:]
    if len(parts) != 1:
        _no_such_notebook(name, notebooks)
    stem = parts[0].removesuffix(".ipynb")
    if stem.isdigit():  # "05": the notebook of that number
        matches = sorted(notebooks.glob(f"{stem}_*.ipynb"))
        if len(matches) != 1:
            _no_such_notebook(name, notebooks)
        stem = matches[0].stem
    filename = stem + ".ipynb"
    if not (notebooks / filename).is_file():
        _no_such_notebook(name, notebooks)
    if not (learner or filename in LIVE_CODING):
        return filename
    copy = Path(LEARNER, filename)
    if not (notebooks / copy).is_file():
        raise SystemExit(f"No learner copy {notebooks / copy}: `make learner` writes it")
    return copy.as_posix()


def _no_such_notebook(name: str, notebooks: Path) -> NoReturn:
    choices = ", ".join(sorted(p.name for p in notebooks.glob("[0-9][0-9]_*.ipynb")))
    raise SystemExit(f"No notebook {name!r} in {notebooks}. Choose one of: {choices}")


def lab_command(notebook: str | None, notebooks: Path, work: Path, extra: list[str]) -> list[str]:
    """The ``jupyter lab`` command line that presents ``notebook`` (or the file browser)."""
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--ServerApp.root_dir={notebooks}",
        f"--LabApp.user_settings_dir={work / 'settings'}",
        f"--LabApp.workspaces_dir={work / 'workspaces'}",
    ]
    if notebook:
        command.append(f"--LabApp.default_url=/lab/tree/{notebook}")
    return command + extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", nargs="?", help="notebook to open, e.g. 03_relu_and_pooling")
    args, extra = parser.parse_known_args(argv)
    notebook = resolve_notebook(args.notebook, NOTEBOOKS) if args.notebook else None
    write_settings(WORK / "settings")
    print(how_to(notebook))
    process = subprocess.Popen(lab_command(notebook, NOTEBOOKS, WORK, extra))
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue  # JupyterLab got the same Ctrl+C and asks itself whether to stop


if __name__ == "__main__":
    sys.exit(main())
