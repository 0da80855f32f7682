"""A checker's words only point back: what a hint names, the learner has already seen.

For every checker call in a learner notebook (the copy the learner works in), the cells the
learner has seen by then are the cells before it; on the core path (the call cell is not tagged
``optional``) the optional cells before it do not count, since the room may skip them. Every text
a checker can print (nudge, formula, misconception messages, the options of a multiple-choice
question, the ✅ explanation, and the feedback to a range of wrong answers) is searched for
references to things a notebook shows: a table, the box above, a widget, the stacked linear
layers, XOR, an exercise by number, another notebook. Each reference must be backed by a seen
cell that shows that thing. ``test_the_rules_catch_the_old_forward_pointers`` shows the rules
flag the hints this test was written for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from tests.test_checks_no_leaks import MODULES, module_exercises, wrong_answers
from workshop.checks import Choice, Exercise
from workshop.checks import convolution as check02
from workshop.checks import relu_pooling as check03

LEARNER = Path(__file__).resolve().parents[1] / "notebooks" / "learner"
IMPORT = re.compile(r"from workshop\.checks import (\w+) as check\b")
CALL = re.compile(r"\bcheck\.(\w+)(?:\.ask)?\(")
OPTIONAL = "optional"


@dataclass(frozen=True)
class Cell:
    index: int
    kind: str
    source: str
    optional: bool


def _cells(path: Path) -> list[Cell]:
    nb = nbformat.read(path, as_version=4)
    return [
        Cell(i, c.cell_type, c.source, OPTIONAL in c.get("metadata", {}).get("tags", []))
        for i, c in enumerate(nb.cells)
    ]


NOTEBOOKS = {int(p.name[:2]): _cells(p) for p in sorted(LEARNER.glob("[0-9][0-9]_*.ipynb"))}


def _module_of(cells: list[Cell]) -> str | None:
    for cell in cells:
        if cell.kind == "code" and (found := IMPORT.search(cell.source)):
            return found.group(1)
    return None


def seen_before(number: int, index: int) -> list[Cell]:
    """The cells a learner has seen when they reach cell ``index`` of notebook ``number``."""
    cells = NOTEBOOKS[number]
    core = not cells[index].optional
    return [c for c in cells[:index] if not (core and c.optional)]


# ---------------------------------------------------------------- what a message may refer to


def _markdown_table(cell: Cell) -> bool:
    table_rule = re.search(r"^\s*\|[\s:|-]*---", cell.source, re.M)
    return cell.kind == "markdown" and table_rule is not None


def _printed_table(cell: Cell) -> bool:
    return cell.kind == "code" and re.search(r"\.table\(|\.summary\(", cell.source) is not None


def _has(pattern: str, kind: str | None = None) -> Callable[[Cell], bool]:
    regex = re.compile(pattern)
    return lambda cell: kind in (None, cell.kind) and regex.search(cell.source) is not None


@dataclass(frozen=True)
class Reference:
    """Words in a message that name something a notebook shows, and how to see it was shown."""

    words: str  # a regex on the message, case-insensitive
    shown_by: Callable[[Cell], bool]
    what: str


REFERENCES = [
    Reference(r"\btable\b", lambda c: _markdown_table(c) or _printed_table(c), "a table"),
    Reference(r"\bbox above\b", _has(r"^>", "markdown"), "a quoted box"),
    Reference(r"\boutlined\b", _has(r"highlight=|outlined"), "the outlined window"),
    Reference(r"description above", _has(r"Dense\(", "markdown"), "the model's description"),
    Reference(
        r"the two stacked linear layers|what did .*linear layers|linear layers turned into",
        _has(r"W2 @ W1", "code"),
        "the two stacked linear layers collapsed into one",
    ),
    Reference(r"\bXOR\b", _has(r"XOR"), "the XOR problem"),
    Reference(r"pooling explorer", _has(r"PoolingExplorer\(", "code"), "the pooling explorer"),
    Reference(r"relu explorer", _has(r"ReLUExplorer\(", "code"), "the ReLU explorer"),
    Reference(r"step-?through", _has(r"StepThrough\(", "code"), "the step-through"),
    Reference(r"calculator", _has(r"OutputSizeCalculator\(", "code"), "the calculator"),
    Reference(r"\btracker\b", _has(r"ShapeTracker\(", "code"), "the shape tracker"),
    Reference(r"\bsummary\b", _has(r"\.summary\(", "code"), "model.summary()"),
    Reference(r"Keras stores", _has(r"kernel\.shape", "code"), "a Keras kernel bank's shape"),
]
NOTEBOOK_NUMBER = re.compile(r"\bnotebook (\d\d)\b", re.I)
EXERCISE_NUMBER = re.compile(r"\bexercise (\d+)\b", re.I)


def forward_pointers(number: int, index: int, text: str) -> list[str]:
    """What ``text``, printed at cell ``index`` of notebook ``number``, names but the learner
    has not seen yet."""
    seen = seen_before(number, index)
    problems = []
    for found in NOTEBOOK_NUMBER.finditer(text):
        other = int(found.group(1))
        if other > number:
            problems.append(f"names notebook {other:02d}, which comes later")
        elif other < number:
            seen = seen + [c for c in NOTEBOOKS[other] if not c.optional]
    for reference in REFERENCES:
        if re.search(reference.words, text, re.I) and not any(map(reference.shown_by, seen)):
            problems.append(f"names {reference.what}, not shown before cell {index}")
    for found in EXERCISE_NUMBER.finditer(text):
        heading = re.compile(rf"^#+ .*Exercises? (\d+ and )?{found.group(1)}\b", re.M)
        if not any(c.kind == "markdown" and heading.search(c.source) for c in seen):
            problems.append(f"names exercise {found.group(1)}, not met before cell {index}")
    return problems


# ---------------------------------------------------------------- every text a checker prints


def static_texts(exercise: Exercise) -> list[str]:
    texts = [exercise.hint, exercise.formula, exercise.explain]
    texts += [m.says for m in exercise.mistakes]
    if isinstance(exercise, Choice):
        texts += [exercise.question, *exercise.options.values()]
    return [t for t in texts if t]


def printed_texts(exercise: Exercise) -> list[str]:
    texts = []
    for answer in wrong_answers(exercise):
        exercise.reset()
        texts += [exercise.feedback(answer) for _ in range(3)]
    exercise.reset()
    return texts


def _calls() -> list[tuple[int, int, Exercise]]:
    """(notebook, cell, exercise) of the first cell that calls or asks each checker."""
    modules = {module.__name__.rsplit(".", 1)[-1]: module for module in MODULES}
    found = []
    for number, cells in NOTEBOOKS.items():
        module = modules.get(_module_of(cells) or "")
        if module is None:
            continue
        named = {e.name: e for e in module_exercises(module)}
        first: dict[str, int] = {}
        for cell in cells:
            if cell.kind == "code":
                for name in CALL.findall(cell.source):
                    if name in named:
                        first.setdefault(name, cell.index)
        found += [(number, index, named[name]) for name, index in first.items()]
    return found


CALLS = _calls()


def test_every_checker_is_called_in_a_learner_notebook():
    called = {exercise.name for _, _, exercise in CALLS}
    every = {e.name for module in MODULES for e in module_exercises(module)}
    assert called == every, every - called


@pytest.mark.parametrize(
    ("number", "index", "exercise"), CALLS, ids=[f"{n:02d}-{e.name}" for n, _, e in CALLS]
)
def test_a_checker_names_only_what_the_learner_has_seen(number, index, exercise):
    problems = {
        f"{problem}: {text!r}"
        for text in static_texts(exercise) + printed_texts(exercise)
        for problem in forward_pointers(number, index, text)
    }
    assert not problems, "\n".join(sorted(problems))


def _position(exercise: Exercise) -> tuple[int, int]:
    return next((n, i) for n, i, e in CALLS if e is exercise)


@pytest.mark.parametrize(
    ("exercise", "old_text"),
    [
        (check02.top_left, "which of the nine products in the table above are 1, and which are 0?"),
        (
            check03.why_relu,
            "what did the two stacked linear layers turn into, and what changed with a ReLU "
            "between them?",
        ),
        (
            check03.why_relu,
            "max pooling works on negative values too (notebook 03's pooling explorer shows it)",
        ),
        (check03.why_relu, "The non-linearity is what lets depth add power (XOR needs it)."),
        (check02.kernels_for_32_maps, "one kernel with one bias; Keras stores it as (5, 5, 3, 32)"),
        (check02.top_left, "compare with notebook 03"),
    ],
)
def test_the_rules_catch_the_old_forward_pointers(exercise, old_text):
    """Texts these checkers printed before (and, last, a pointer to a later notebook): at
    today's cell order each names something the learner has not seen yet (notebook 02's
    products table follows exercise 1; notebook 03's stacked linear layers, XOR and pooling
    explorer follow the ReLU question; Keras' kernel bank shape follows the 32-maps question)."""
    number, index = _position(exercise)
    assert forward_pointers(number, index, old_text)
