"""How to type a workshop command so that it works on the laptop that reads it.

``make lab`` installs the workshop into the project's ``.venv`` and never activates it, so a
bare ``python -m workshop fetch`` in a new terminal finds no workshop. Every message that tells
someone what to type comes from here:

- :func:`workshop_command` for this machine: the project's ``.venv`` Python by its path from the
  project folder when that is what runs (``make lab``), else ``python`` (an activated conda
  environment, Colab);
- :func:`room_commands` for other laptops (the lines ``serve-data`` prints): the ``.venv`` form
  for macOS/Linux and for Windows, and the one for an activated environment; ``VENV_COMMANDS``
  make that ``.venv`` on a laptop that installs the workshop from the room.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = [
    "POSIX_PYTHON",
    "VENV_COMMANDS",
    "WINDOWS_PYTHON",
    "room_commands",
    "workshop_command",
]

POSIX_PYTHON = ".venv/bin/python"
WINDOWS_PYTHON = r".venv\Scripts\python"
# The `.venv` that `make lab` would make, for a laptop that installs without make; `py` is the
# Python launcher python.org's Windows installer puts on PATH.
VENV_COMMANDS = [
    ("python3 -m venv .venv", "macOS, Linux"),
    ("py -m venv .venv", "Windows"),
]


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


def room_commands(args: str, module: str = "workshop") -> list[tuple[str, str]]:
    """``(command, where it works)`` for each kind of learner laptop, for a line given out.

    ``python -m MODULE ARGS``: ``workshop`` by default; ``pip`` to install into that Python.
    """
    return [
        (f"{POSIX_PYTHON} -m {module} {args}", "macOS, Linux: in the workshop folder"),
        (f"{WINDOWS_PYTHON} -m {module} {args}", "Windows: in the workshop folder"),
        (f"python -m {module} {args}", "conda, or an activated environment"),
    ]
