"""Each notebook's minutes, human and machine apart, in its metadata; the guide's table.

A live session spends two kinds of time, and they are found in two ways:

- **human** minutes, estimated cell by cell with one stated rule (``human_minutes`` below; the
  instructor guide quotes it): explaining the text, doing the exercises, trying an explorer;
- **machine** minutes, measured: each cell's ``machine_seconds``, written by
  ``python -m tools.machine_time`` from a run of the learner copy in JupyterLab in Chromium at
  the lesson budget on the real photos (loads and training included).

Each notebook's metadata ``schedule`` holds both, for the core path and for the optional
(self-study) cells, and their sum rounded up to whole minutes; the instructor guide's schedule
table is generated from it between two marker lines. A test fails when the metadata, the rule
and the table disagree, or when the whole plan (welcome, core path, two breaks) leaves less than
:data:`SLACK_MINUTES` of the session free.

Usage:
    python -m tools.schedule           # rewrite the metadata and the guide's table
    python -m tools.schedule --verify  # exit 1 when either is stale
    python -m tools.schedule --measured room.csv  # a real room's minutes beside the estimates
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools import live_table
from tools.generated import refresh, with_block
from tools.make_learner import OPTIONAL_TAG, SOLUTION_TAG, instructor_notebooks, is_notes

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "instructor-guide.md"
SESSION_MINUTES = 180
SLACK_MINUTES = 10  # a real room runs late: the plan leaves this much of the session free
BREAKS = (10, 10)  # two breaks, after notebooks 02 and 04
BREAK_AFTER = ("02", "04")
WELCOME_MINUTES = 5  # the wrap-up is 05's last cells: key points, where to go next
START, END = "<!-- schedule:start -->", "<!-- schedule:end -->"

# The rule for human minutes in a live session on a room of laptops. Calibrated against the
# Carpentries' published lesson timings: "Looping Over Data Sets" (Python novice gapminder)
# budgets 10 minutes of exercises for a multiple choice, a fill-in-the-blanks loop and a short
# program, about 2, 3 and 5 minutes; our loop over a 2-D window is a harder program (+3).
WORDS_PER_MINUTE = 120  # text the instructor reads out or explains: speaking pace
CHOICE = 2.0  # a multiple-choice question: read four options, pick one, read why
VALUE = 3.0  # an exercise that asks for a value: read, think, type, check
MORE_VALUE = 1.5  # each further value the same exercise cell asks for
PROGRAM = 8.0  # an exercise that writes a loop or a function
TABLE_ROW = 1.0  # a table exercise: each row to fill in
SOLUTION = 0.5  # the instructor reveals and explains it
WIDGET = 3.0  # an explorer: one or two things to try
CODE = 0.5  # run a cell and read its output
FIGURE = 0.5  # on top of CODE: look at a figure
WIDGET_CALL = re.compile(
    r"^\s*\w*\s*=?\s*\w*(Explorer|Playground|StepThrough|Calculator|Tracker)\(|interact\(", re.M
)
BLANK = re.compile(r"=\s*\.\.\.")
TABLE_BLANK_ROW = re.compile(r"^\s+\S+:\s*\(\.\.\.,\s*\.\.\.\),?\s*$", re.M)
PROGRAM_LINE = re.compile(r"^\s*(def|for)\s", re.M)


def exercise_minutes(source: str) -> float:
    """Human minutes of an exercise cell, by what the learner has to produce."""
    if "'a', 'b', 'c' or 'd'" in source:
        return CHOICE
    if PROGRAM_LINE.search(source):
        return PROGRAM
    rows = len(TABLE_BLANK_ROW.findall(source))
    if rows:
        return TABLE_ROW * rows
    blanks = max(1, len(BLANK.findall(source)))
    return VALUE + MORE_VALUE * (blanks - 1)


def human_minutes(cell: nbformat.NotebookNode) -> float:
    """Minutes people spend on one cell live. A cell's own ``minutes`` metadata (typing the
    model while the room types along) overrides the rule."""
    meta = cell.get("metadata", {})
    if "minutes" in meta:
        return float(meta["minutes"])
    tags = meta.get("tags", [])
    if is_notes(cell) or meta.get("slideshow", {}).get("slide_type") == "skip":
        return 0.0  # hidden from learners, or run once at home (imports, install)
    if cell.cell_type == "markdown":
        return len(re.findall(r"[A-Za-z0-9']+", cell.source)) / WORDS_PER_MINUTE
    if "exercise" in tags:
        return exercise_minutes(cell.source)
    if SOLUTION_TAG in tags:
        return SOLUTION
    if WIDGET_CALL.search(cell.source):
        return WIDGET
    return CODE + (FIGURE if "plt.show()" in cell.source else 0.0)


def machine_minutes(cell: nbformat.NotebookNode) -> float:
    """Minutes the learner's laptop computes on one cell, as measured (``tools.machine_time``)."""
    return float(cell.get("metadata", {}).get("machine_seconds", 0.0)) / 60


def cell_minutes(cell: nbformat.NotebookNode) -> float:
    """Human plus machine minutes of one cell."""
    return human_minutes(cell) + machine_minutes(cell)


@dataclass(frozen=True)
class Estimate:
    core: int
    optional: int
    human: tuple[float, float] = (0.0, 0.0)  # core, optional (minutes, one decimal)
    machine: tuple[float, float] = (0.0, 0.0)

    def metadata(self) -> dict:
        return {
            "core": self.core,
            "optional": self.optional,
            "human_minutes": {"core": self.human[0], "optional": self.human[1]},
            "machine_minutes": {"core": self.machine[0], "optional": self.machine[1]},
        }


def estimate(nb: nbformat.NotebookNode) -> Estimate:
    """Core and optional minutes of a notebook (human plus machine, each rounded up)."""
    human = {True: 0.0, False: 0.0}
    machine = {True: 0.0, False: 0.0}
    for cell in nb.cells:
        optional = OPTIONAL_TAG in cell.get("metadata", {}).get("tags", [])
        human[optional] += human_minutes(cell)
        machine[optional] += machine_minutes(cell)
    return Estimate(
        math.ceil(human[False] + machine[False] - 1e-9),
        math.ceil(human[True] + machine[True] - 1e-9),
        (round(human[False], 1), round(human[True], 1)),
        (round(machine[False], 1), round(machine[True], 1)),
    )


def stored(nb: nbformat.NotebookNode) -> Estimate | None:
    meta = nb.metadata.get("schedule")
    if not isinstance(meta, dict):
        return None
    human = meta.get("human_minutes", {})
    machine = meta.get("machine_minutes", {})
    return Estimate(
        int(meta.get("core", -1)),
        int(meta.get("optional", -1)),
        (human.get("core", -1.0), human.get("optional", -1.0)),
        (machine.get("core", -1.0), machine.get("optional", -1.0)),
    )


def _title(nb: nbformat.NotebookNode, path: Path) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            return cell.source.lstrip()[2:].splitlines()[0].strip()
    return path.stem


def is_self_study(nb: nbformat.NotebookNode) -> bool:
    """A notebook for after the session (06): listed in the table, not timed into the day."""
    return bool(nb.metadata.get("workshop", {}).get("self_study"))


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Row:
    what: str
    minutes: int
    human: str = ""  # estimated by the rule (core path)
    machine: str = ""  # measured (core path)
    extra: str = ""  # self-study minutes


def schedule_rows(paths: list[Path]) -> list[Row]:
    """The session's rows, breaks included, from each notebook's stored minutes."""
    rows = [
        Row(
            "welcome; look for FAIL lines of `00_setup` (run the day before); start "
            "`make room` (serve-data and the room pulse) for laptops without CIFAR-10",
            WELCOME_MINUTES,
        )
    ]
    breaks = list(BREAKS)
    for path in paths:
        if path.name.startswith("00"):
            continue  # learners run it the day before; the welcome covers it
        nb = nbformat.read(path, as_version=4)
        minutes = stored(nb) or Estimate(0, 0)
        if is_self_study(nb):
            # Not part of the session's three hours: its whole length goes in the last column.
            total = minutes.core + minutes.optional
            rows.append(
                Row(f"`{path.stem}`: {_title(nb, path)}", 0, extra=f"{total} min self-study")
            )
            continue
        extra = f"{minutes.optional} min optional" if minutes.optional else ""
        rows.append(
            Row(
                f"`{path.stem}`: {_title(nb, path)}",
                minutes.core,
                f"{minutes.human[0]:.1f}",
                f"{minutes.machine[0]:.1f}",
                extra,
            )
        )
        if path.name[:2] in BREAK_AFTER and breaks:
            rows.append(Row("**break**", breaks.pop(0)))
    return rows


def total_minutes(paths: list[Path]) -> int:
    return sum(row.minutes for row in schedule_rows(paths))


def table_text(paths: list[Path]) -> str:
    lines = [
        START,
        "| time | minutes | what | people (estimated) | laptops (measured) "
        "| self-study (tagged optional) |",
        "| --- | ---: | --- | ---: | ---: | --- |",
    ]
    clock = 0
    for row in schedule_rows(paths):
        lines.append(
            f"| {_clock(clock)}–{_clock(clock + row.minutes)} | {row.minutes} | {row.what} "
            f"| {row.human} | {row.machine} | {row.extra} |"
        )
        clock += row.minutes
    lines.append(
        f"| | **{clock}** | **total** (of {SESSION_MINUTES}; {SESSION_MINUTES - clock} left "
        "for a room that runs late) | | | |"
    )
    lines.append(END)
    return "\n".join(lines)


def guide_with_table(guide: str, paths: list[Path]) -> str:
    return with_block(guide, START, END, table_text(paths), f"the schedule in {GUIDE.name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verify", action="store_true", help="report stale files, write nothing")
    parser.add_argument(
        "--measured",
        metavar="CSV",
        type=Path,
        help="a room's export (python -m workshop room): print measured minutes per exercise "
        "beside the estimate, write nothing",
    )
    args = parser.parse_args(argv)
    if args.measured is not None:
        from tools.room_times import report

        try:
            print(report(args.measured))
        except (OSError, ValueError) as bad:
            print(f"cannot read {args.measured}: {bad}", file=sys.stderr)
            return 2
        return 0
    stale = 0
    paths = instructor_notebooks()
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        want = estimate(nb)
        if stored(nb) == want:
            continue
        stale += 1
        if args.verify:
            print(f"{path.relative_to(ROOT)}: schedule metadata is stale: run tools.schedule")
        else:
            nb.metadata["schedule"] = want.metadata()
            nbformat.write(nb, path)
            print(f"{path.relative_to(ROOT)}: core {want.core} min, optional {want.optional} min")
    guide = live_table.guide_with_table(GUIDE.read_text(encoding="utf-8"), paths)
    stale += refresh(GUIDE, guide_with_table(guide, paths), args.verify, "python -m tools.schedule")
    print(f"session: {total_minutes(paths)} of {SESSION_MINUTES} minutes, breaks included")
    return 1 if args.verify and stale else 0


if __name__ == "__main__":
    sys.exit(main())
