"""Exercise headings: the core path counts 1, 2, 3... with no gap; self-study ones go A, B, C.

A learner in the room skips every optional part, so numbers that jump (01 starting at 2, 04
holding only exercise 5) read as missed work. Optional exercises are lettered and say so.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
HEADING = re.compile(r"^#+ ((?:Optional e|E)xercises?) (\w+)(?: (and|to) (\w+))?(?::|$)", re.M)


def _labels(first: str, joiner: str | None, last: str | None, alphabet: str) -> list[str]:
    if joiner is None:
        return [first]
    start, end = alphabet.index(first), alphabet.index(last)
    if joiner == "and":
        assert end == start + 1, f"'{first} and {last}' must be neighbours"
    return list(alphabet[start : end + 1])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_core_exercises_count_from_one_and_optional_ones_are_lettered(path):
    core: list[str] = []
    optional: list[str] = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "markdown":
            continue
        is_optional = "optional" in cell.metadata.get("tags", [])
        for word, first, joiner, last in HEADING.findall(cell.source):
            joiner = joiner or None
            if is_optional:
                assert word.startswith("Optional"), f"{path.name}: {first} is optional: say so"
                optional += _labels(first, joiner, last or None, string.ascii_uppercase)
            else:
                assert word.startswith("Exercise"), f"{path.name}: exercise {first} is core"
                digits = [str(n) for n in range(1, 100)]
                core += _labels(first, joiner, last or None, digits)
    assert core == [str(n) for n in range(1, len(core) + 1)], f"{path.name}: core {core}"
    assert optional == list(string.ascii_uppercase[: len(optional)]), f"{path.name}: {optional}"


def test_references_to_exercises_name_ones_that_exist():
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in nb.cells)
        named = {m[1] for m in HEADING.findall(text)}
        named |= {m[3] for m in HEADING.findall(text) if m[3]}
        for ref in re.findall(r"(?<!# )(?<!Optional )\bexercise (\d+|[A-Z])\b", text):
            assert ref in named, f"{path.name} mentions exercise {ref}, which has no heading"
