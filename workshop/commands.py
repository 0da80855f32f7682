"""How to type a workshop command so that it works on the laptop that reads it.

``make lab`` installs the workshop into the project's ``.venv`` and never activates it, so a
bare ``python -m workshop fetch`` in a new terminal finds no workshop. Every message that tells
someone what to type comes from here:

- :func:`workshop_command` for this machine: the project's ``.venv`` Python by its path from the
  project folder when that is what runs (``make lab``), else ``python`` (an activated conda
  environment, Colab);
- :func:`room_commands` for other laptops (the line ``serve-data`` prints): the ``.venv`` form
  for macOS/Linux and for Windows, and the one for an activated environment.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["POSIX_PYTHON", "WINDOWS_PYTHON", "room_commands", "workshop_command"]

POSIX_PYTHON = ".venv/bin/python"
WINDOWS_PYTHON = r".venv\Scripts\python"


def _in_project_venv() -> bool:
    """Whether this Python is a ``.venv`` (the environment ``make lab`` creates)."""
    return sys.prefix != sys.base_prefix and Path(sys.prefix).name == ".venv"


def workshop_command(args: str = "", *, windows: bool | None = None) -> str:
    """``python -m workshop ARGS`` as it runs on this machine, typed in the project folder."""
    windows = os.name == "nt" if windows is None else windows
    if _in_project_venv():
        python = WINDOWS_PYTHON if windows else POSIX_PYTHON
    else:
        python = "python"
    return f"{python} -m workshop {args}".rstrip()


def room_commands(args: str) -> list[tuple[str, str]]:
    """``(command, where it works)`` for each kind of learner laptop, for a line given out."""
    return [
        (f"{POSIX_PYTHON} -m workshop {args}", "macOS, Linux: in the workshop folder"),
        (f"{WINDOWS_PYTHON} -m workshop {args}", "Windows: in the workshop folder"),
        (f"python -m workshop {args}", "conda, or an activated environment"),
    ]
