"""Measured minutes per exercise from a room's CSV export, beside the schedule's estimate.

The room (``python -m workshop room``) keeps when each anonymous learner first tried and first
passed each exercise, and writes it as CSV (``/export.csv``, or the file it saves on Ctrl+C).
A learner's time on an exercise is counted from their previous checker result (the end of the
exercise before, roughly) to their first pass of this one, so it holds the reading and thinking
before the first try too. The first exercise a learner sends has no "before" and is left out.

Usage: ``python -m tools.schedule --measured room-20261205-0930.csv``
"""

from __future__ import annotations

import csv
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools.make_learner import instructor_notebooks

__all__ = ["ExerciseTime", "estimates", "measured", "read_export", "report"]

COLUMNS = ["learner", "exercise", "first_tried_min", "first_passed_min", "failed_tries"]
IMPORT = re.compile(r"from workshop\.checks import (\w+) as check")
CALL = re.compile(r"\bcheck\.(\w+)\(")


@dataclass(frozen=True)
class Row:
    learner: str
    exercise: str
    tried: float
    passed: float | None
    failed: int


@dataclass(frozen=True)
class ExerciseTime:
    exercise: str
    minutes: list[float]  # one per learner who passed it with a result before
    tried: int
    passed: int


def read_export(path: Path) -> list[Row]:
    """The rows of a room export; a file that is not one says which column is missing."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: not a room export (no column {', '.join(missing)})")
        rows = []
        for line, record in enumerate(reader, start=2):
            try:
                passed = record["first_passed_min"].strip()
                rows.append(
                    Row(
                        record["learner"],
                        record["exercise"],
                        float(record["first_tried_min"]),
                        float(passed) if passed else None,
                        int(record["failed_tries"]),
                    )
                )
            except ValueError as bad:
                raise ValueError(f"{path}, line {line}: {bad}") from None
    return rows


def measured(rows: list[Row]) -> dict[str, ExerciseTime]:
    """Per exercise: each learner's minutes from their previous result to this first pass."""
    by_learner: dict[str, list[Row]] = {}
    for row in rows:
        by_learner.setdefault(row.learner, []).append(row)
    minutes: dict[str, list[float]] = {}
    tried: dict[str, int] = {}
    passed: dict[str, int] = {}
    for own in by_learner.values():
        events = [(t, r.exercise) for r in own for t in (r.tried, r.passed) if t is not None]
        for row in own:
            tried[row.exercise] = tried.get(row.exercise, 0) + 1
            if row.passed is None:
                continue
            passed[row.exercise] = passed.get(row.exercise, 0) + 1
            # Another exercise's result at the same time counts as before (the export rounds).
            before = [t for t, other in events if other != row.exercise and t <= row.tried]
            if before:
                minutes.setdefault(row.exercise, []).append(row.passed - max(before))
    return {
        ex: ExerciseTime(ex, sorted(minutes.get(ex, [])), tried[ex], passed.get(ex, 0))
        for ex in tried
    }


def checker_calls(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """``(cell index, exercise id)`` of every ``check.<name>(`` call in a notebook, in order;
    the module is the one the notebook imports as ``check``."""
    module = next((m.group(1) for c in nb.cells for m in [IMPORT.search(c.source)] if m), "")
    return [
        (index, f"{module}.{name}")
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for name in CALL.findall(cell.source)
    ]


def estimates() -> dict[str, tuple[float, str]]:
    """``exercise id -> (estimated minutes, exercise cell's first checker)``, from the rule.

    The estimate belongs to the exercise cell (tagged ``exercise``) before the checker call;
    when one cell feeds several checkers, the first one carries its minutes.
    """
    from tools.schedule import human_minutes

    found: dict[str, tuple[float, str]] = {}
    for path in instructor_notebooks():
        nb = nbformat.read(path, as_version=4)
        by_cell: dict[int, list[str]] = {}
        for index, ident in checker_calls(nb):
            by_cell.setdefault(index, []).append(ident)
        exercise_cell = None
        owner: dict[int, str] = {}
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and "exercise" in cell.get("metadata", {}).get("tags", []):
                exercise_cell = index
            for ident in by_cell.get(index, []) if exercise_cell is not None else []:
                if ident in found:
                    continue
                first = owner.setdefault(exercise_cell, ident)
                minutes = human_minutes(nb.cells[exercise_cell])
                found[ident] = (minutes if first == ident else 0.0, first)
    return found


def report(path: Path) -> str:
    """A markdown table: estimate beside the measured median and range, exercise by exercise."""
    from workshop.checks.catalogue import ORDER

    times = measured(read_export(path))
    planned = estimates()
    lines = [
        f"Measured in {path.name}: {len({r.learner for r in read_export(path)})} learners.",
        "",
        "| exercise | estimated min | measured median min | middle half | learners (tried / "
        "passed) |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    for exercise in ORDER:
        estimate, first = planned.get(exercise, (0.0, exercise))
        shown = f"{estimate:.1f}" if first == exercise else f"with {first.split('.')[1]}"
        time = times.get(exercise)
        if time is None:
            lines.append(f"| {exercise} | {shown} |  |  | none |")
            continue
        median = middle = ""
        if time.minutes:
            median = f"{statistics.median(time.minutes):.1f}"
            if len(time.minutes) >= 4:
                q1, _, q3 = statistics.quantiles(time.minutes, n=4)
                middle = f"{q1:.1f}–{q3:.1f}"
        lines.append(
            f"| {exercise} | {shown} | {median} | {middle} | {time.tried} / {time.passed} |"
        )
    return "\n".join(lines)
