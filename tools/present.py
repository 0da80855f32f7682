"""Present a notebook as live slides: ``make present NB=03_relu_and_pooling.ipynb``.

JupyterLab opens with jupyterlab-slideshow's deck mode on, so the notebook itself is the slide
deck: cells run on the projector and an explorer answers the mouse. It keeps its settings and
workspace in a folder of its own (``build/present/``), so ``make lab`` on the same laptop still
opens the ordinary notebook view. The static decks (``make slides``) stay the fallback for a
laptop without a working kernel.

Usage: python -m tools.present [NOTEBOOK] [jupyter lab options]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
WORK = ROOT / "build" / "present"

# Written into the presenter's own settings folder at every start: deck mode on, even when the
# previous talk ended with the deck switched off.
DECK_SETTINGS: dict[str, dict] = {
    "jupyterlab-slideshow/plugin.jupyterlab-settings": {"active": True},
}


HOW_TO = """\
Presenting (README, Instructors):
  first   Ctrl+Shift+C, type Run All Cells, Enter; open the table of contents at the left edge,
          click the title, close the table and click the slide
  then    Space: on (down a long slide, then the next slide); Shift+Space: back; Esc: leave
  sliders drag them with the mouse: the arrow keys page the deck even on a slider
"""


def write_settings(settings_dir: Path) -> None:
    """Write :data:`DECK_SETTINGS` under ``settings_dir``."""
    for relative, values in DECK_SETTINGS.items():
        path = settings_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2) + "\n")


def resolve_notebook(name: str, notebooks: Path) -> str:
    """``name`` as a path below ``notebooks``; SystemExit naming the choices when it is not there.

    Accepts ``03_relu_and_pooling.ipynb``, ``03_relu_and_pooling`` or ``notebooks/03_...``.
    """
    candidate = Path(name)
    if candidate.parts and candidate.parts[0] == notebooks.name:
        candidate = Path(*candidate.parts[1:])
    if candidate.suffix != ".ipynb":
        candidate = candidate.with_name(candidate.name + ".ipynb")
    if not (notebooks / candidate).is_file():
        choices = ", ".join(sorted(p.name for p in notebooks.glob("[0-9][0-9]_*.ipynb")))
        raise SystemExit(f"No notebook {name!r} in {notebooks}. Choose one of: {choices}")
    return candidate.as_posix()


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
    print(HOW_TO)
    process = subprocess.Popen(lab_command(notebook, NOTEBOOKS, WORK, extra))
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue  # JupyterLab got the same Ctrl+C and asks itself whether to stop


if __name__ == "__main__":
    sys.exit(main())
