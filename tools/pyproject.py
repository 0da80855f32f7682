"""``[tool.cnn-workshop]`` in pyproject.toml: the repository's own settings, in one place.

Read with a regular expression rather than tomllib: Python 3.10 has no tomllib, and ``make``
reads the supported Python range with the system Python before anything is installed. Every
value in the table is a plain string, which is all the expression understands.
"""

from __future__ import annotations

import re
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
SECTION = re.compile(r"^\[tool\.cnn-workshop\]\s*$(.*?)(?=^\[|\Z)", re.M | re.S)
STRING_KEY = re.compile(r'^\s*([\w-]+)\s*=\s*"([^"]*)"', re.M)


def tool_settings(pyproject: Path = PYPROJECT) -> dict[str, str]:
    """Every ``key = "value"`` of ``[tool.cnn-workshop]`` (empty when the table is missing)."""
    section = SECTION.search(pyproject.read_text(encoding="utf-8"))
    return dict(STRING_KEY.findall(section.group(1))) if section else {}
