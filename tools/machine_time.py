"""Measure how long each notebook keeps the learner's computer busy, cell by cell.

The schedule splits a notebook's minutes into human time (a rule, ``tools/schedule.py``) and
machine time, measured here: the LEARNER copy of each notebook (what learners run) is opened in
JupyterLab in Chromium, run with Run All at the lesson's budget on real CIFAR-10 photos, and
JupyterLab's own timing record of every code cell (``recordTiming``: the kernel's
``execute_input`` and ``execute_reply`` times) says how long it computed. Loading the data and
training count; the time a learner spends reading or typing does not.

The result goes into the INSTRUCTOR notebooks' metadata, matched by cell id:

- each code cell the learner copy ran: ``machine_seconds`` (rounded to 0.1 s) and
  ``machine_source``, a fingerprint of the source it was measured with (a later edit of the cell
  makes the figure stale: ``--verify`` says so); cells the learner copy does not have (solutions,
  speaker notes) get neither;
- the notebook: ``machine_time`` = where and when it was measured, on which data, the total.

The run uses a temporary copy of ``notebooks/`` (nothing tracked is executed), the lesson's
budget (``WORKSHOP_N_TRAIN``, ``WORKSHOP_N_TEST``, ``WORKSHOP_EPOCHS`` and ``WORKSHOP_MINUTES``
are removed from the environment: the test suite sets them) and the photos ``--data`` names:
a folder or ``.zip`` of class folders, or nothing for the verified official archive in Keras'
cache (``make fetch`` first). The synthetic stand-in is refused: it says nothing about how long
real photos take to load. With a folder or ``.zip``, the decoded-image cache is emptied before
each notebook, so a notebook's first load decodes the photos: each figure holds for the notebook
run on its own (the live session skips 04's optional load, so 05's load is the first there).
Notebooks are run in order (00 to 05), one kernel at a time; 05 trains for its 3 minutes.
Run it on a quiet machine: another job on the same cores inflates every figure.
Every run is also kept in ``build/machine-time/last-run.json``: when a notebook was edited while
it was measured (its figures are then refused), ``--from-run`` writes the others' again later
without running anything.

Usage:
    python -m tools.machine_time [--data SOURCE] [NOTEBOOK ...]   # measure, write metadata
    python -m tools.machine_time --verify [NOTEBOOK ...]          # exit 1 when stale
    python -m tools.machine_time --summary [NOTEBOOK ...]         # the stored figures
    python -m tools.machine_time --from-run build/machine-time/last-run.json [NOTEBOOK ...]

NOTEBOOK: ``03``, ``03_relu_and_pooling`` or a path; all six when none is given.
Chromium: Debian's ``/usr/bin/chromium`` (``apt-get install -y chromium``), driven by Playwright.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from tools.make_learner import SOLUTION_TAG, is_notes

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
LEARNER = "learner"

# Set by the test suite to shrink the run; a measurement is always at the lesson's budget.
BUDGET_VARIABLES = ("WORKSHOP_N_TRAIN", "WORKSHOP_N_TEST", "WORKSHOP_EPOCHS", "WORKSHOP_MINUTES")
SECONDS_KEY = "machine_seconds"
SOURCE_KEY = "machine_source"
NOTEBOOK_KEY = "machine_time"
FINGERPRINT_CHARS = 12
# Per notebook, from opening it to every cell done: 05 trains for 3 + 1 minutes at the lesson's
# budget and loads 60,000 photos first; the rest take a minute or two.
NOTEBOOK_TIMEOUT_S = 15 * 60
# After the last cell: how long JupyterLab may take to write the last timing into the cells.
TIMING_GRACE_S = 30
LAST_RUN = ROOT / "build" / "machine-time" / "last-run.json"
# JupyterLab's notebook setting that records each cell's kernel timestamps in its metadata.
RECORD_TIMING = {"recordTiming": True}
STARTED, REPLIED = "iopub.execute_input", "shell.execute_reply"

SYNTHETIC_REFUSAL = (
    "tools.machine_time measures how long the notebooks take on real CIFAR-10 photos, and "
    "WORKSHOP_DATA=synthetic is the drawn stand-in: its load and training times say nothing about "
    "the photos'. Give the photos: --data <folder or .zip of class folders>, or --data '' for the "
    "official archive in Keras' cache (make fetch first)."
)


class MachineTimeError(SystemExit):
    """A reason the command stops (its message says what to do)."""


# ---------------------------------------------------------------- fingerprints and staleness


def fingerprint(source: str) -> str:
    """A short fingerprint of a cell's source: the first 12 hex digits of its SHA-256."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:FINGERPRINT_CHARS]


def in_learner_copy(cell: nbformat.NotebookNode) -> bool:
    """Whether ``tools.make_learner`` keeps this instructor cell (solutions and notes go)."""
    return SOLUTION_TAG not in cell.get("metadata", {}).get("tags", []) and not is_notes(cell)


def stale_cells(nb: nbformat.NotebookNode) -> list[str]:
    """Ids of the cells whose measurement was made with another source than they have now.

    Only measured cells count (those with ``machine_source``); see :func:`unmeasured_cells`
    for code cells that have no measurement at all.
    """
    return [
        cell.get("id", f"#{index}")
        for index, cell in enumerate(nb.cells)
        if SOURCE_KEY in cell.get("metadata", {})
        and cell.metadata[SOURCE_KEY] != fingerprint(cell.source)
    ]


def unmeasured_cells(nb: nbformat.NotebookNode) -> list[str]:
    """Ids of code cells a learner runs that have no ``machine_seconds`` (all of them when the
    notebook was never measured)."""
    return [
        cell.get("id", f"#{index}")
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and in_learner_copy(cell)
        and SECONDS_KEY not in cell.get("metadata", {})
    ]


# ---------------------------------------------------------------- the environment


def data_mode(data: str | None) -> str:
    """``"cifar10"``, ``"synthetic"`` or ``"folder"`` for a WORKSHOP_DATA value (as
    ``workshop.data.data_mode`` reads it)."""
    mode = (data or "").strip().lower() or "cifar10"
    return mode if mode in ("cifar10", "synthetic") else "folder"


def describe_data(data: str | None) -> str:
    """The data source as the metadata names it: no path, only the file or folder name."""
    mode = data_mode(data)
    if mode == "cifar10":
        return "official archive"
    if mode == "synthetic":
        return "synthetic stand-in (drawn shapes, not CIFAR-10)"
    return f"{Path(str(data).strip()).name} (class folders)"


def lesson_environment(
    data: str | None, *, allow_synthetic: bool = False, budget: Mapping[str, str] | None = None
) -> dict[str, str | None]:
    """What to change in the server's environment (None: remove) for a measurement.

    The lesson's budget: every ``WORKSHOP_N_TRAIN``-like knob removed. ``data`` is the
    ``WORKSHOP_DATA`` value (empty or None: the official archive). The synthetic stand-in is
    refused (MachineTimeError) unless ``allow_synthetic`` (the tool's own tests and development
    only), and so is a ``budget`` (smaller knobs, for the same tests) without it.
    """
    mode = data_mode(data)
    if not allow_synthetic and (mode == "synthetic" or budget):
        raise MachineTimeError(SYNTHETIC_REFUSAL if mode == "synthetic" else "budget is for tests")
    changes: dict[str, str | None] = {name: None for name in BUDGET_VARIABLES}
    changes.update(budget or {})
    changes["WORKSHOP_DATA"] = None if mode == "cifar10" else str(data).strip()
    return changes


def check_data(data: str | None) -> None:
    """Refuse a source that cannot give a clean measurement: a path that is not there, or the
    official archive missing from the cache (downloading it would be measured too)."""
    mode = data_mode(data)
    if mode == "folder" and not Path(str(data).strip()).expanduser().exists():
        raise MachineTimeError(f"--data {data}: there is no such file or folder")
    if mode == "cifar10":
        from workshop.data import cached_archive

        if cached_archive() is None:
            raise MachineTimeError(
                "The official CIFAR-10 archive is not in Keras' cache: run `make fetch` first "
                "(a download would be measured as load time), or give a folder or .zip of class "
                "folders with --data."
            )


# ---------------------------------------------------------------- what the browser reports


def parse_time(stamp: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def cell_seconds(execution: Mapping[str, str] | None) -> float | None:
    """Seconds between the kernel starting a cell and its reply (None without both times)."""
    if not execution or STARTED not in execution or REPLIED not in execution:
        return None
    return (parse_time(execution[REPLIED]) - parse_time(execution[STARTED])).total_seconds()


@dataclass
class Run:
    """One learner copy run in the browser: seconds per cell id, and what went wrong."""

    notebook: str  # the file name, e.g. 03_relu_and_pooling.ipynb
    seconds: dict[str, float] = field(default_factory=dict)
    untimed: list[str] = field(default_factory=list)  # ran, but JupyterLab recorded no times
    unexecuted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0  # from opening the notebook to the last cell done
    learner: nbformat.NotebookNode | None = None  # the learner copy that ran, as it was

    @classmethod
    def from_cells(
        cls,
        notebook: str,
        cells: list[dict],
        wall_seconds: float = 0.0,
        learner: nbformat.NotebookNode | None = None,
    ) -> Run:
        """From :data:`tests.browser.lab_server.CODE_CELLS`' report of the page."""
        run = cls(notebook, wall_seconds=wall_seconds, learner=learner)
        for cell in cells:
            if cell["executionCount"] is None:
                run.unexecuted.append(cell["id"])
                continue
            seconds = cell_seconds(cell.get("execution"))
            if seconds is None:
                run.untimed.append(cell["id"])
            else:
                run.seconds[cell["id"]] = seconds
            if "raises-exception" not in (cell.get("tags") or []):
                run.errors += [f"cell {cell['id']}: {e}" for e in cell.get("errors", [])]
        return run

    def problems(self) -> list[str]:
        """Why this run must not be stored (empty when it may)."""
        found = list(self.errors)
        if self.unexecuted:
            found.append(f"{len(self.unexecuted)} code cell(s) did not run: {self.unexecuted}")
        if self.untimed:
            found.append(f"{len(self.untimed)} cell(s) ran with no timing: {self.untimed}")
        if not self.seconds:
            found.append("no cell reported a run time")
        return found


# ---------------------------------------------------------------- writing the metadata


def learner_mismatches(
    instructor: nbformat.NotebookNode, learner: nbformat.NotebookNode
) -> list[str]:
    """Ids of code cells whose source differs between the ``learner`` copy and ``instructor``,
    or that only one of them has (solution cells and speaker notes aside): empty when the
    learner copy is up to date as far as its figures go."""
    mine = {c.get("id"): c.source for c in instructor.cells if c.cell_type == "code"}
    theirs = {c.get("id"): c.source for c in learner.cells if c.cell_type == "code"}
    kept = {c.get("id") for c in instructor.cells if c.cell_type == "code" and in_learner_copy(c)}
    ids = [c.get("id") for c in learner.cells if c.cell_type == "code"]
    ids += [i for i in mine if i in kept and i not in theirs]
    return [i for i in ids if mine.get(i) != theirs.get(i)]


def apply_run(
    instructor: nbformat.NotebookNode,
    learner: nbformat.NotebookNode,
    run: Run,
    *,
    where: str,
    data: str,
    measured: str,
    notes: Mapping[str, str] | None = None,
) -> float:
    """Write ``run``'s figures into the ``instructor`` notebook (in place); return the total.

    Cells are matched by id. Every code cell of the ``learner`` copy must be in ``instructor``
    with the same source (else ValueError: the learner copy is out of date, `make learner`).
    Figures of an earlier measurement are removed first, so a cell that left the learner copy
    keeps none. Outputs are not touched.
    """
    by_id = {cell.get("id"): cell for cell in instructor.cells}
    if differ := learner_mismatches(instructor, learner):
        raise ValueError(
            f"{run.notebook}: code cell(s) {differ} differ between the learner copy and the "
            "instructor notebook: the learner copy is out of date (run `make learner`)"
        )
    measured_ids = {c.get("id") for c in learner.cells if c.cell_type == "code"}
    unknown = sorted(set(run.seconds) - measured_ids)
    if unknown:
        raise ValueError(f"{run.notebook}: timings for cells not in the learner copy: {unknown}")
    for cell in instructor.cells:
        cell.get("metadata", {}).pop(SECONDS_KEY, None)
        cell.get("metadata", {}).pop(SOURCE_KEY, None)
    total = 0.0
    for cell_id, seconds in run.seconds.items():
        cell = by_id[cell_id]
        cell.metadata[SECONDS_KEY] = round(seconds, 1)
        cell.metadata[SOURCE_KEY] = fingerprint(cell.source)
        total += cell.metadata[SECONDS_KEY]  # the figures stored, so they add up
    instructor.metadata[NOTEBOOK_KEY] = {
        "measured": measured,
        "where": where,
        "data": data,
        "learner_copy": True,
        "total_seconds": round(total, 1),
        **(notes or {}),
    }
    return total


def write_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write ``nb`` as this repository stores notebooks (nbformat's JSON, a final newline)."""
    nbformat.validate(nb)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8", newline="\n")


def first_line(source: str, width: int = 70) -> str:
    lines = [line for line in source.splitlines() if line.strip()]
    line = lines[0].strip() if lines else ""
    return line if len(line) <= width else line[: width - 3] + "..."


def summary(nb: nbformat.NotebookNode, name: str, slowest: int = 5) -> str:
    """The stored figures: total machine seconds, the slowest cells with their first line."""
    timed = [c for c in nb.cells if SECONDS_KEY in c.get("metadata", {})]
    info = nb.metadata.get(NOTEBOOK_KEY)
    if not info:
        return f"{name}: not measured (python -m tools.machine_time {name})"
    total = sum(c.metadata[SECONDS_KEY] for c in timed)
    lines = [
        f"{name}: {total:.1f} s machine time in {len(timed)} code cells "
        f"({total / 60:.1f} min; measured {info.get('measured')}, {info.get('where')}, "
        f"{info.get('data')})"
    ]
    ranked = sorted(timed, key=lambda c: -c.metadata[SECONDS_KEY])[:slowest]
    for cell in ranked:
        optional = " (optional)" if "optional" in cell.metadata.get("tags", []) else ""
        lines.append(
            f"  {cell.metadata[SECONDS_KEY]:7.1f} s  {cell.get('id')}{optional}: "
            f"{first_line(cell.source)}"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- the browser run


@dataclass
class Measurement:
    runs: list[Run]
    lab_version: str
    chromium_version: str
    data: str  # describe_data()
    notes: dict[str, str] = field(default_factory=dict)  # more to store with every notebook
    measured: str = field(default_factory=lambda: datetime.date.today().isoformat())


def cpu_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def accelerator(environment: Mapping[str, str | None]) -> str:
    """'CPU only', or how many GPUs TensorFlow sees in the kernels' environment."""
    from tests.browser.lab_server import changed_environment

    env = changed_environment(os.environ, {**environment, "TF_CPP_MIN_LOG_LEVEL": "3"})
    code = "import tensorflow as tf; print(len(tf.config.list_physical_devices('GPU')))"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    try:
        gpus = int(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return "GPU unknown"
    return "CPU only" if gpus == 0 else f"{gpus} GPU" + ("s" if gpus > 1 else "")


def where(measurement: Measurement, device: str, cores: int | None = None) -> str:
    return (
        f"JupyterLab {measurement.lab_version} in Chromium {measurement.chromium_version}, "
        f"{cores or cpu_cores()} CPU cores, {device}"
    )


def _fresh_image_cache(work: Path) -> Path:
    """A KERAS_HOME of its own for the run, so the decoded-image cache can be emptied (Keras'
    settings file copied in, so the backend is the same)."""
    home = work / "keras-home"
    (home / "datasets").mkdir(parents=True, exist_ok=True)
    own = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras") / "keras.json"
    if own.is_file():
        shutil.copy2(own, home / "keras.json")
    return home


def measure(
    names: list[str],
    data: str | None,
    *,
    allow_synthetic: bool = False,
    budget: Mapping[str, str] | None = None,
    notebooks: Path = NOTEBOOKS,
    timeout_s: float = NOTEBOOK_TIMEOUT_S,
    screenshots: Path | None = None,
    fresh_learner: bool = False,
) -> Measurement:
    """Run the learner copies of ``names`` (instructor file names) in JupyterLab in Chromium,
    from a temporary copy of ``notebooks``; return every cell's seconds. Writes nothing.

    ``fresh_learner``: run the learner copies `make learner` would write from the instructor
    notebooks as they are now, not the ones on disk (which may wait for `make learner`).
    ``allow_synthetic`` and ``budget`` are for the tool's own tests and development only: a
    run with either must never be stored (:func:`main` never passes them).
    """
    from playwright.sync_api import sync_playwright

    from tests.browser.lab_server import (
        CHROMIUM_FLAGS,
        INSTALL_HINT,
        chromium_path,
        code_cells,
        open_and_run,
        running_jupyterlab,
    )

    environment = lesson_environment(data, allow_synthetic=allow_synthetic, budget=budget)
    executable = chromium_path()
    if executable is None:
        raise MachineTimeError(f"Chromium not found: {INSTALL_HINT}")
    runs: list[Run] = []
    notes: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="machine-time-") as folder:
        work = Path(folder)
        root = work / "notebooks"
        shutil.copytree(notebooks, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        if fresh_learner:
            from tools.make_learner import learner_text

            for name in names:
                (root / LEARNER / name).write_text(learner_text(root / name), encoding="utf-8")
        keras_home = None
        if data_mode(data) == "folder":
            keras_home = _fresh_image_cache(work)
            environment["KERAS_HOME"] = str(keras_home)
            notes["image_cache"] = "emptied before each notebook: its first load decodes the photos"
        with (
            running_jupyterlab(root, work, environment=environment, tracker=RECORD_TIMING) as lab,
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
            chromium_version = browser.version
            lab_version = "?"
            try:
                for name in names:
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    page = context.new_page()
                    page.set_default_timeout(60_000)
                    print(f"{name}: running the learner copy ...", flush=True)
                    learner = nbformat.read(root / LEARNER / name, as_version=4)
                    if keras_home:  # each notebook's first load decodes, as if run on its own
                        shutil.rmtree(keras_home / "datasets", ignore_errors=True)
                    start = time.monotonic()
                    try:
                        open_and_run(page, lab, f"{LEARNER}/{name}", timeout_ms=timeout_s * 1000)
                        wall = time.monotonic() - start
                        lab_version = page.evaluate("window.jupyterapp.version")
                        cells = code_cells(page, timing_grace_s=TIMING_GRACE_S)
                        if screenshots:
                            screenshots.mkdir(parents=True, exist_ok=True)
                            page.screenshot(path=str(screenshots / f"{Path(name).stem}.png"))
                    finally:
                        context.close()
                        lab.shutdown_kernels()  # the next notebook gets the cores to itself
                    run = Run.from_cells(name, cells, wall_seconds=wall, learner=learner)
                    runs.append(run)
                    print(
                        f"{name}: done in {wall:.0f} s, cells {sum(run.seconds.values()):.0f} s",
                        flush=True,
                    )
            finally:
                browser.close()
    return Measurement(runs, lab_version, chromium_version, describe_data(data), notes)


def record(
    measurement: Measurement,
    device: str,
    notebooks: Path = NOTEBOOKS,
    measured: str | None = None,
) -> list[str]:
    """Write each complete run into its instructor notebook under ``notebooks``; return the
    problems of the runs that were not written."""
    measured = measured or datetime.date.today().isoformat()
    place = where(measurement, device)
    problems: list[str] = []
    for run in measurement.runs:
        if found := run.problems():
            problems += [f"{run.notebook}: {p}" for p in found]
            continue
        path = notebooks / run.notebook
        # Read just before writing: others may edit the notebook while the run takes minutes.
        instructor = nbformat.read(path, as_version=4)
        learner = run.learner or nbformat.read(notebooks / LEARNER / run.notebook, as_version=4)
        try:
            apply_run(
                instructor,
                learner,
                run,
                where=place,
                data=measurement.data,
                measured=measured,
                notes=measurement.notes,
            )
        except ValueError as exc:  # the notebook changed while it was measured
            problems.append(str(exc))
            continue
        write_notebook(instructor, path)
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"wrote the machine time into {shown}")
    return problems


def save_run(measurement: Measurement, device: str, path: Path) -> None:
    """Keep ``measurement`` (with each learner copy as it ran) in ``path`` as JSON."""
    runs = []
    for run in measurement.runs:
        kept = {k: v for k, v in vars(run).items() if k != "learner"}
        kept["learner"] = nbformat.writes(run.learner) if run.learner is not None else None
        runs.append(kept)
    saved = {**vars(measurement), "runs": runs, "device": device}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(saved, indent=1) + "\n", encoding="utf-8")


def load_run(path: Path) -> tuple[Measurement, str]:
    """A measurement :func:`save_run` kept, and the device it named."""
    saved = json.loads(Path(path).read_text(encoding="utf-8"))
    device = saved.pop("device")
    runs = []
    for kept in saved.pop("runs"):
        learner = kept.pop("learner")
        runs.append(Run(**kept, learner=nbformat.reads(learner, as_version=4) if learner else None))
    return Measurement(runs=runs, **saved), device


# ---------------------------------------------------------------- the command


def resolve(name: str, notebooks: Path = NOTEBOOKS) -> str:
    """The instructor file name for ``03``, ``03_relu_and_pooling``, or a path to either copy."""
    stem = Path(name).name.removesuffix(".ipynb")
    matches = sorted(notebooks.glob(f"{stem}_*.ipynb" if stem.isdigit() else f"{stem}.ipynb"))
    if len(matches) != 1:
        choices = ", ".join(p.name for p in sorted(notebooks.glob("[0-9][0-9]_*.ipynb")))
        raise MachineTimeError(f"No notebook {name!r} in {notebooks}. Choose one of: {choices}")
    if not (notebooks / LEARNER / matches[0].name).is_file():
        raise MachineTimeError(f"No learner copy of {matches[0].name}: run `make learner`")
    return matches[0].name


def refuse_stale_learner_copies(names: list[str], notebooks: Path = NOTEBOOKS) -> None:
    """MachineTimeError, before anything runs, when a learner copy's code cells are not the
    instructor notebook's: its figures would be refused at the end."""
    stale = []
    for name in names:
        instructor = nbformat.read(notebooks / name, as_version=4)
        learner = nbformat.read(notebooks / LEARNER / name, as_version=4)
        if differ := learner_mismatches(instructor, learner):
            stale.append(f"{name}: code cell(s) {differ}")
    if stale:
        raise MachineTimeError(
            "These learner copies differ from their instructor notebooks:\n  "
            + "\n  ".join(stale)
            + "\nRun `make learner` first, or measure the copies it would write: --fresh-learner"
        )


def verify(names: list[str], notebooks: Path = NOTEBOOKS) -> int:
    """Report stale or missing measurements; 1 when there is any."""
    bad = 0
    for name in names:
        nb = nbformat.read(notebooks / name, as_version=4)
        if NOTEBOOK_KEY not in nb.metadata:
            print(f"{name}: not measured")
            bad += 1
            continue
        for cell_id in stale_cells(nb):
            print(f"{name}: cell {cell_id} changed since its machine time was measured")
            bad += 1
        for cell_id in unmeasured_cells(nb):
            print(f"{name}: code cell {cell_id} has no machine time")
            bad += 1
    if bad:
        print(
            f"{bad} machine time(s) stale or missing: run `python -m tools.machine_time` "
            "on a quiet machine"
        )
        return 1
    print(f"{len(names)} notebook(s): machine times up to date.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        default=None,
        help="WORKSHOP_DATA for the run: a folder or .zip of class folders; empty for the "
        "official archive (default: the environment's WORKSHOP_DATA)",
    )
    parser.add_argument("--verify", action="store_true", help="report stale figures, run nothing")
    parser.add_argument("--summary", action="store_true", help="print the stored figures only")
    parser.add_argument("--screenshots", type=Path, help="folder for a screenshot per notebook")
    parser.add_argument(
        "--from-run",
        type=Path,
        help="write the figures of a kept run (build/machine-time/last-run.json), run nothing",
    )
    parser.add_argument(
        "--fresh-learner",
        action="store_true",
        help="run the learner copies `make learner` would write now, not the ones on disk",
    )
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    names = [resolve(n) for n in args.notebooks] or [
        p.name for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    ]
    if args.verify:
        return verify(names)
    if args.summary:
        for name in names:
            print(summary(nbformat.read(NOTEBOOKS / name, as_version=4), name))
        return 0
    if args.from_run:
        measurement, device = load_run(args.from_run)
        measurement.runs = [r for r in measurement.runs if r.notebook in names]
    else:
        data = os.environ.get("WORKSHOP_DATA", "") if args.data is None else args.data
        environment = lesson_environment(data)  # refuses the stand-in before anything starts
        check_data(data)
        if not args.fresh_learner:
            refuse_stale_learner_copies(names)
        print(f"data: {describe_data(data)}; the lesson's budget; {cpu_cores()} CPU cores")
        measurement = measure(
            names, data, screenshots=args.screenshots, fresh_learner=args.fresh_learner
        )
        device = accelerator(environment)
        save_run(measurement, device, LAST_RUN)
        print(f"kept the run in {LAST_RUN.relative_to(ROOT)}")
    problems = record(measurement, device, measured=measurement.measured)
    print()
    for name in names:
        print(summary(nbformat.read(NOTEBOOKS / name, as_version=4), name))
    for problem in problems:
        print(f"NOT WRITTEN: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
