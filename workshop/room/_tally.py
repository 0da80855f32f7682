"""What the room knows: per anonymous learner and exercise, tries, passes and their first times.

Everything is in memory: a restarted room starts from zero, and says since when it counts. No
answer, name, code or address is ever stored; the anonymous id is random and made by the
learner's kernel (or the tap page's cookie), and the CSV export numbers learners 1, 2, 3...
instead of giving even that id.
"""

from __future__ import annotations

import csv
import io
import threading
import time
from dataclasses import dataclass, field

from workshop.checks.catalogue import ExerciseInfo

__all__ = ["STUCK_AFTER", "RoomFull", "Tally"]

# "Stuck": tried, failed at least this many times, and not passed yet.
STUCK_AFTER = 3


class RoomFull(Exception):
    """A new learner arrived when the room already counts its maximum."""


@dataclass
class _Progress:
    first_tried: float
    first_passed: float | None = None
    failures: int = 0


@dataclass
class Tally:
    """The counts of one room, safe to update from many request threads at once."""

    exercises: tuple[ExerciseInfo, ...]
    max_learners: int = 300
    started: float = field(default_factory=time.time)
    _learners: set[str] = field(default_factory=set)
    _progress: dict[tuple[str, str], _Progress] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.known = frozenset(info.id for info in self.exercises)

    def knows(self, exercise: str) -> bool:
        return exercise in self.known

    def join(self, learner: str) -> None:
        """Count ``learner`` as joined; raises :class:`RoomFull` for one too many."""
        with self._lock:
            self._join(learner)

    def _join(self, learner: str) -> None:
        if learner not in self._learners:
            if len(self._learners) >= self.max_learners:
                raise RoomFull(f"the room already has {self.max_learners} learners")
            self._learners.add(learner)

    def record(self, learner: str, exercise: str, passed: bool, *, stuck: bool = False) -> None:
        """One checker result (or a tap: ``stuck`` counts as enough failures to be stuck)."""
        if exercise not in self.known:
            raise KeyError(exercise)
        now = time.time()
        with self._lock:
            self._join(learner)
            progress = self._progress.setdefault((learner, exercise), _Progress(now))
            if passed:
                if progress.first_passed is None:
                    progress.first_passed = now
            elif stuck:
                progress.failures = max(progress.failures, STUCK_AFTER)
            else:
                progress.failures += 1

    def learner_state(self, learner: str) -> dict[str, str]:
        """``exercise -> "done" | "stuck" | "tried"`` for one learner (the tap page's marks)."""
        with self._lock:
            items = [(ex, p) for (who, ex), p in self._progress.items() if who == learner]
        return {ex: _state(p) for ex, p in items}

    def snapshot(self) -> dict:
        """The dashboard's numbers: aggregates only, exercises in notebook order."""
        with self._lock:
            joined = len(self._learners)
            rows = {info.id: {"tried": 0, "passed": 0, "stuck": 0} for info in self.exercises}
            for (_, exercise), progress in self._progress.items():
                row = rows[exercise]
                row["tried"] += 1
                state = _state(progress)
                row["passed"] += state == "done"
                row["stuck"] += state == "stuck"
        return {
            "since": time.strftime("%H:%M", time.localtime(self.started)),
            "joined": joined,
            "exercises": [
                {"id": info.id, "notebook": info.notebook, "name": info.name, **rows[info.id]}
                for info in self.exercises
            ],
        }

    def export_csv(self) -> str:
        """First try and first pass of each learner on each exercise, minutes from the start.

        Learners are numbered in the order they joined; their ids are not written.
        """
        with self._lock:
            order = {ex.id: i for i, ex in enumerate(self.exercises)}
            numbers: dict[str, int] = {}
            rows = []
            for (learner, exercise), progress in sorted(
                self._progress.items(), key=lambda item: (item[1].first_tried, order[item[0][1]])
            ):
                number = numbers.setdefault(learner, len(numbers) + 1)
                rows.append((number, exercise, progress))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            ["learner", "exercise", "first_tried_min", "first_passed_min", "failed_tries"]
        )
        for number, exercise, progress in sorted(rows, key=lambda r: (r[0], order[r[1]])):
            passed = progress.first_passed
            writer.writerow(
                [
                    number,
                    exercise,
                    f"{(progress.first_tried - self.started) / 60:.2f}",
                    "" if passed is None else f"{(passed - self.started) / 60:.2f}",
                    progress.failures,
                ]
            )
        return out.getvalue()


def _state(progress: _Progress) -> str:
    if progress.first_passed is not None:
        return "done"
    return "stuck" if progress.failures >= STUCK_AFTER else "tried"
