"""The Python versions the workshop supports, read from their one home in pyproject.toml.

``[tool.cnn-workshop] supported-python`` says which Pythons a laptop may use (the ones
TensorFlow publishes wheels for). ``requires-python`` only states the lower bound, so that Colab,
whatever its Python, can still install the helpers. ``make`` runs this module with the system
Python before it creates ``.venv``; tests/test_environment_sync.py keeps environment.yml, the
README, ``workshop.doctor`` and .ci/run in step with it.

Usage: ``python -m tools.python_range`` exits 0 on a supported Python, else 1 with the fix.
Standard library only, and syntax old Pythons still parse: it runs before anything is installed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from tools.pyproject import PYPROJECT, tool_settings

KEY = "supported-python"


def supported_spec(pyproject: Path = PYPROJECT) -> str:
    """The ``supported-python`` specifier, e.g. ``">=3.10,<3.14"``."""
    spec = tool_settings(pyproject).get(KEY, "")
    if not spec:
        raise ValueError(f"{pyproject.name}: [tool.cnn-workshop] {KEY} is missing")
    return spec.replace(" ", "")


def supported_minors(spec: str | None = None) -> list[tuple[int, int]]:
    """Every supported ``(major, minor)``, oldest first, for a spec ``>=3.A,<3.B``."""
    spec = supported_spec() if spec is None else spec
    match = re.fullmatch(r">=(\d+)\.(\d+),<(\d+)\.(\d+)", spec)
    if not match:
        raise ValueError(f"{KEY} must look like '>=3.10,<3.14', got {spec!r}")
    major, low, high_major, high = (int(g) for g in match.groups())
    if high_major != major or high <= low:
        raise ValueError(f"{KEY} {spec!r} names no Python version")
    return [(major, minor) for minor in range(low, high)]


def describe(minors: list[tuple[int, int]]) -> str:
    """``"3.10-3.13"``: how the range reads in messages."""
    first, last = minors[0], minors[-1]
    return f"{first[0]}.{first[1]}-{last[0]}.{last[1]}"


def check(version: tuple[int, int] | None = None) -> str | None:
    """None when ``version`` (default: this Python) is supported, else what to do about it.

    The fix always names the newest supported Python: a laptop with a too-new Python (3.14 has
    no TensorFlow build yet) needs that one installed beside it, and it is Colab's Python too.
    """
    minors = supported_minors()
    have = tuple(version or sys.version_info[:2])
    if have in minors:
        return None
    newest = f"{minors[-1][0]}.{minors[-1][1]}"
    why = ""
    if have > minors[-1]:
        why = f"TensorFlow has no build for Python {have[0]}.{have[1]} yet; "
    return (
        f"Python {describe(minors)} needed, found {have[0]}.{have[1]}: "
        f"{why}install Python {newest} and run make PYTHON=python{newest}"
    )


def main() -> int:
    problem = check()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
