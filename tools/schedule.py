"""Estimate each notebook's minutes cell by cell, keep them in its metadata, write the table.

The minutes live in one place: each instructor notebook's metadata, under ``schedule``
(``core`` and ``optional`` minutes). They come from one stated rule, ``cell_minutes`` below
(the instructor guide quotes it), and the instructor guide's schedule table is generated from
them between two marker lines. A test fails when the metadata, the rule and the table disagree,
or when the core path and its breaks do not fit the three-hour session.

Usage:
    python -m tools.schedule           # rewrite the metadata and the guide's table
    python -m tools.schedule --check   # exit 1 when either is stale
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools.generated import refresh
from tools.make_learner import OPTIONAL_TAG, SOLUTION_TAG, instructor_notebooks, is_notes

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "instructor-guide.md"
SESSION_MINUTES = 180
BREAKS = (10, 10)  # two breaks, after notebooks 02 and 04
BREAK_AFTER = ("02", "04")
WELCOME_MINUTES = 5  # the wrap-up is 05's last cells: key points, where to go next
START, END = "<!-- schedule:start -->", "<!-- schedule:end -->"

# The rule, in minutes of a live session on a room of laptops.
WORDS_PER_MINUTE = 120  # text the instructor reads out or explains: speaking pace
EXERCISE = 3.0  # a learner types an answer: read, think, type, check
CHOICE = 2.0  # a multiple-choice question: read four options, pick one, read why
SOLUTION = 0.5  # the instructor reveals and explains it
WIDGET = 3.0  # an explorer: one or two things to try
CODE = 0.5  # run a cell and read its output
FIGURE = 0.5  # on top of CODE: look at a figure
WIDGET_CALL = re.compile(
    r"^\s*\w*\s*=?\s*\w*(Explorer|Playground|StepThrough|Calculator|Tracker)\(|interact\(", re.M
)


def cell_minutes(cell: nbformat.NotebookNode) -> float:
    """Minutes one cell takes live. A cell's own ``minutes`` metadata (a training run, a
    download) overrides the rule."""
    meta = cell.get("metadata", {})
    if "minutes" in meta:
        return float(meta["minutes"])
    tags = meta.get("tags", [])
    if is_notes(cell) or meta.get("slideshow", {}).get("slide_type") == "skip":
        return 0.0  # hidden from learners, or run once at home (imports, install)
    if cell.cell_type == "markdown":
        return len(re.findall(r"[A-Za-z0-9']+", cell.source)) / WORDS_PER_MINUTE
    if "exercise" in tags:
        return CHOICE if "'a', 'b', 'c' or 'd'" in cell.source else EXERCISE
    if SOLUTION_TAG in tags:
        return SOLUTION
    if WIDGET_CALL.search(cell.source):
        return WIDGET
    return CODE + (FIGURE if "plt.show()" in cell.source else 0.0)


@dataclass(frozen=True)
class Estimate:
    core: int
    optional: int


def estimate(nb: nbformat.NotebookNode) -> Estimate:
    """Core and optional minutes of a notebook, each rounded up to whole minutes."""
    core = optional = 0.0
    for cell in nb.cells:
        minutes = cell_minutes(cell)
        if OPTIONAL_TAG in cell.get("metadata", {}).get("tags", []):
            optional += minutes
        else:
            core += minutes
    return Estimate(math.ceil(core - 1e-9), math.ceil(optional - 1e-9))


def stored(nb: nbformat.NotebookNode) -> Estimate | None:
    meta = nb.metadata.get("schedule")
    if not isinstance(meta, dict):
        return None
    return Estimate(int(meta.get("core", -1)), int(meta.get("optional", -1)))


def _title(nb: nbformat.NotebookNode, path: Path) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            return cell.source.lstrip()[2:].splitlines()[0].strip()
    return path.stem


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def schedule_rows(paths: list[Path]) -> list[tuple[str, int, str]]:
    """(what, minutes, stored optional minutes as text) for the session, breaks included."""
    rows = [
        ("welcome; look for FAIL lines of `00_setup` (run the day before)", WELCOME_MINUTES, "")
    ]
    breaks = list(BREAKS)
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        minutes = stored(nb) or Estimate(0, 0)
        if path.name.startswith("00"):
            continue  # learners run it the day before; the welcome covers it
        extra = f"{minutes.optional} min optional" if minutes.optional else ""
        rows.append((f"`{path.stem}`: {_title(nb, path)}", minutes.core, extra))
        if path.name[:2] in BREAK_AFTER and breaks:
            rows.append(("**break**", breaks.pop(0), ""))
    return rows


def total_minutes(paths: list[Path]) -> int:
    return sum(minutes for _, minutes, _ in schedule_rows(paths))


def table_text(paths: list[Path]) -> str:
    lines = [
        START,
        "| time | minutes | what | self-study (tagged optional) |",
        "| --- | ---: | --- | --- |",
    ]
    clock = 0
    for what, minutes, extra in schedule_rows(paths):
        lines.append(
            f"| {_clock(clock)}–{_clock(clock + minutes)} | {minutes} | {what} | {extra} |"
        )
        clock += minutes
    lines.append(f"| | **{clock}** | **total** (of {SESSION_MINUTES}) | |")
    lines.append(END)
    return "\n".join(lines)


def guide_with_table(guide: str, paths: list[Path]) -> str:
    if START not in guide or END not in guide:
        raise ValueError(f"{GUIDE.name} has no {START} ... {END} block for the schedule")
    before, rest = guide.split(START, 1)
    _, after = rest.split(END, 1)
    return before + table_text(paths) + after


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale files, write nothing")
    args = parser.parse_args(argv)
    stale = 0
    paths = instructor_notebooks()
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        want = estimate(nb)
        if stored(nb) == want:
            continue
        stale += 1
        if args.check:
            print(f"{path.relative_to(ROOT)}: schedule metadata is stale: run tools.schedule")
        else:
            nb.metadata["schedule"] = {"core": want.core, "optional": want.optional}
            nbformat.write(nb, path)
            print(f"{path.relative_to(ROOT)}: core {want.core} min, optional {want.optional} min")
    guide = GUIDE.read_text(encoding="utf-8")
    stale += refresh(GUIDE, guide_with_table(guide, paths), args.check, "python -m tools.schedule")
    print(f"session: {total_minutes(paths)} of {SESSION_MINUTES} minutes, breaks included")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
