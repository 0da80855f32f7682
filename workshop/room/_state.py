"""Where the room's small files live on this computer: a learner's join, the instructor's code.

``~/.cache/cnn-workshop`` (``WORKSHOP_ROOM_DIR`` moves it: the tests do). A join is a file, not
a variable, so that the join typed in notebook 00 holds in the kernels of 01 to 05 too.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ENV_DIR", "room_dir"]

ENV_DIR = "WORKSHOP_ROOM_DIR"


def room_dir() -> Path:
    folder = os.environ.get(ENV_DIR, "").strip()
    return Path(folder).expanduser() if folder else Path.home() / ".cache" / "cnn-workshop"
