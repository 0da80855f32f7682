"""No checker shows the expected answer before ``solution()`` is called.

Every Exercise and Choice object of every checks module is fed a blank and several wrong
answers, three times each so that every hint tier fires (nudge, formula, pointer to
``solution()``); the text it prints must not contain the expected value in any form a learner
would recognise it in (``3072``, ``3,072``, ``(16, 16, 64)``, ``16x16x64``, ``[[6, 8], [3, 4]]``,
``1/4``...). The learner's own typed value may of course be echoed back. A companion test shows
that ``solution()`` does print one of those forms, so the search looks for the right text.
"""

from __future__ import annotations

import importlib
import re
from fractions import Fraction
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np
import pytest

from workshop.checks import (
    Choice,
    Exercise,
    architecture,
    catalogue,
    cifar10,
    feature_extraction,
    relu_pooling,
)
from workshop.layers import SMALL_CNN_TABLE, format_shape

# Every notebook's checker module, in notebook order: a new notebook's checkers join by itself.
MODULES: list[ModuleType] = [
    importlib.import_module(f"workshop.checks.{name}") for name in catalogue.NOTEBOOKS
]


def module_exercises(module: ModuleType) -> list[Exercise]:
    """Every Exercise (and Choice) defined at module level, exported or not, in file order."""
    seen: dict[int, Exercise] = {}
    for value in vars(module).values():
        if isinstance(value, Exercise):
            seen.setdefault(id(value), value)
    return list(seen.values())


EXERCISES = [exercise for module in MODULES for exercise in module_exercises(module)]
TRIES = 3  # nudge on the 1st wrong try, formula and the pointer to solution() from the 2nd


# ---------------------------------------------------------------- the forms a value is shown in


# A single digit appears in any text ("3x3 kernel", "2x2 pooling"), so looking for "4" would
# mean nothing; its word, "four", does not. 0 and 1 (and bools) are skipped altogether: "one"
# and "no" are in every other sentence.
_WORDS = dict(enumerate("zero one two three four five six seven eight nine".split()))


def _number_forms(value: Any) -> set[str]:
    """How a number shows up in a message."""
    if isinstance(value, (bool, np.bool_)):
        return set()
    number = float(value)
    if number.is_integer():
        whole = int(number)
        if abs(whole) < 10:
            return {_WORDS[whole]} if whole >= 2 else set()
        return {str(whole), f"{whole:,}", f"{whole:_}", f"{number:.1f}"}
    forms = {f"{number:g}", repr(number), f"{number:.2f}", f"{number:.3f}"}
    fraction = Fraction(number).limit_denominator(100)
    if abs(float(fraction) - number) < 1e-9 and fraction.denominator > 1:
        top, bottom = fraction.numerator, fraction.denominator
        forms |= {f"{top}/{bottom}", f"{top} / {bottom}", f"{top} of {bottom}"}
        forms |= {f"{top} in {bottom}", f"{number * 100:g}%", f"{number * 100:g} %"}
        if top == 1 and bottom in _PARTS:
            word, part = _PARTS[bottom]
            forms |= {f"one in {word}", f"one of {word}", f"one out of every {word}"}
            forms |= {f"to a {part}", f"to one {part}"}
    return forms


# 1/n in words: "one in four", "to a quarter".
_PARTS = {2: ("two", "half"), 3: ("three", "third"), 4: ("four", "quarter")}


def _shape_forms(shape: tuple[int, ...]) -> set[str]:
    if len(shape) == 1:
        return _number_forms(shape[0]) | {repr(tuple(shape))}
    forms = {repr(tuple(shape)), repr(list(shape)), format_shape(shape), ", ".join(map(str, shape))}
    # Height and width are what a shape exercise computes; an arrow shows a step's result:
    # "32 -> 16 -> 8 -> 4" gives the height away as surely as the tuple does.
    forms |= {format_shape(shape[:2]), f"{shape[0]}, {shape[1]},"}
    forms |= {f"-> {shape[0]}", f"→ {shape[0]}"}
    return forms


def _array_forms(value: Any) -> set[str]:
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return _number_forms(array.item())
    forms = {str(array), repr(array), repr(array.tolist()), np.array2string(array, separator=", ")}
    if np.allclose(array, array.flat[0]):  # every value the same, e.g. np.full((3, 3), 1 / 9)
        forms |= _number_forms(array.flat[0])
    if np.allclose(array, np.round(array)):
        whole = np.round(array).astype(int)
        forms |= {str(whole), repr(whole.tolist())}
        if array.size >= 3:
            forms.add(", ".join(str(v) for v in whole.ravel()))
    return forms


def expected_forms(exercise: Exercise) -> set[str]:
    """The texts in which a learner would recognise ``exercise``'s expected answer."""
    expected = exercise.expected
    if isinstance(exercise, Choice):
        # The letter alone is one character: look for it as the options are printed, "(b)",
        # and for the right option's own words.
        return {f"({expected})", exercise.options[expected]}
    if exercise is architecture.shapes_and_params:
        return {
            form
            for shape, params in expected.values()
            for form in _shape_forms(shape) | _number_forms(params)
        }
    if exercise is cifar10.live_model:
        # A Dense layer's output, (64,) or (10,), is its number of units, which the task
        # states; every other shape and every parameter count is worked out.
        return {
            form
            for kind, shape, params in expected
            for form in (set() if kind == "Dense" else _shape_forms(shape)) | _number_forms(params)
        }
    if isinstance(expected, str):
        # Quoted, as a message would name it; better_model's nudge lists both answers,
        # "'dense' or 'cnn'", which test_a_text_answer_is_named_only_beside_the_other handles.
        return set()
    if isinstance(expected, tuple):
        return _shape_forms(expected)
    if isinstance(expected, (int, float, np.number, bool)):
        return _number_forms(expected)
    return _array_forms(expected)


def answer_forms(exercise: Exercise, answer: Any) -> set[str]:
    """What the learner typed, in the same forms: echoing it back is no leak."""
    if answer is None or answer is Ellipsis or callable(answer) or isinstance(answer, str):
        return set()
    if exercise is architecture.shapes_and_params:
        if not isinstance(answer, dict):
            return set()
        typed = [v for pair in answer.values() for v in pair if v is not Ellipsis]
        return {
            form
            for v in typed
            for form in (_shape_forms(tuple(v)) if isinstance(v, tuple) else _number_forms(v))
        }
    if exercise is cifar10.live_model:
        return {
            form
            for layer in answer.layers
            for form in _shape_forms(tuple(layer.output.shape[1:]))
            | _number_forms(layer.count_params())
        }
    if isinstance(answer, tuple):
        return _shape_forms(answer)
    try:
        return _array_forms(answer)
    except (TypeError, ValueError):
        return set()


def shown(form: str, text: str) -> bool:
    """``form`` appears in ``text`` as a value of its own, not as part of a longer number
    ("1,168" is not inside "11,168", "32" not inside "32x32")."""
    before = r"(?<![\w.,])" if form[0].isalnum() else ""
    after = r"(?![\w]|[.,]\d)" if form[-1].isalnum() else ""
    return re.search(before + re.escape(form) + after, text, re.IGNORECASE) is not None


# ---------------------------------------------------------------- wrong answers to feed


def _layer(kind: str, shape: tuple[int, ...], params: int, activation: str | None = None):
    """A stand-in for a built Keras layer: what the live_model checker reads, no TensorFlow."""
    layer = type(kind, (), {})()
    layer.name = kind.lower()
    layer.output = SimpleNamespace(shape=(None, *shape))
    layer.count_params = lambda: params
    if activation is not None:
        layer.activation = SimpleNamespace(__name__=activation)
    return layer


def _model(rows: list[tuple[str, tuple[int, ...], int, str | None]]):
    layers = [_layer(*row) for row in rows]
    return SimpleNamespace(layers=layers, count_params=lambda: sum(r[2] for r in rows))


def _live_rows(filters=(16, 32, 64), padding_same=True, last="linear", hidden="relu", units=64):
    rows, size, depth = [], 32, 3
    for f in filters:
        size = size if padding_same else size - 2
        rows.append(("Conv2D", (size, size, f), (3 * 3 * depth + 1) * f, hidden))
        size, depth = size // 2, f
        rows.append(("MaxPooling2D", (size, size, depth), 0, None))
    flat = size * size * depth
    rows.append(("Flatten", (flat,), 0, None))
    rows.append(("Dense", (units,), (flat + 1) * units, hidden))
    rows.append(("Dense", (10,), (units + 1) * 10, last))
    return rows


def _softmax_attempts():
    def naive(x):
        return np.exp(x) / np.exp(x).sum()

    def broken(x):
        raise ValueError("not yet")

    return [
        lambda x: x,
        lambda x: x / x.sum(),
        lambda x: np.exp(x),
        lambda x: np.exp(x - x.max()),
        naive,
        lambda x: None,
        broken,
        "not a function",
    ]


def _table_attempts():
    blank = {row.name: (..., ...) for row in SMALL_CNN_TABLE}
    nonsense = {row.name: ((1, 2, 3), 5) for row in SMALL_CNN_TABLE}
    # Wrong rows that the table names a misconception for, with everything else blank.
    slips = {
        "relu1": ((32, 32, 8), 224),
        "pool1": ((16, 16, 4), 8),
        "conv2": ((16, 16, 16), 160),
        "relu2": ((8, 8, 16), 0),
        "pool2": ((16, 16, 16), 0),
        "flatten": ((64,), 0),
        "dense": ((32,), 32768),
    }
    with_slips = {**blank, **slips}
    bias_forgotten = {**blank, "conv2": (..., 1152)}
    return [blank, nonsense, with_slips, bias_forgotten, {"conv1": ((32, 32, 8), 224)}, [1, 2]]


def wrong_answers(exercise: Exercise) -> list[Any]:
    """Answers that are not right: the known slips, and generic ones built from the answer."""
    if isinstance(exercise, Choice):
        return [letter for letter in exercise.options if letter != exercise.expected] + ["z"]
    if exercise is architecture.shapes_and_params:
        return _table_attempts()
    if exercise is cifar10.live_model:
        return [
            _model(_live_rows(filters=(8, 32, 64))),
            _model(_live_rows(filters=(16, 32, 32))),
            _model(_live_rows(padding_same=False)),
            _model(_live_rows(units=128)),
            _model(_live_rows(last="softmax")),
            _model(_live_rows(hidden="linear")),
            _model(_live_rows()[:-1]),
            _model(_live_rows()[:2] + _live_rows()[4:]),
            "a model",
        ]
    if exercise is cifar10.softmax:
        return _softmax_attempts()
    answers = [m.answer for m in exercise.mistakes if not callable(m.answer)]
    expected = exercise.expected
    if isinstance(expected, str):
        answers += ["something else", 3]
    elif isinstance(expected, bool):
        answers += [not expected, "True", 1.5]
    elif isinstance(expected, tuple):
        answers += [tuple(v + 1 for v in expected), expected[:-1], expected[::-1], "1, 2, 3"]
    elif np.ndim(expected) == 0:
        answers += [expected * 1.5 + 7, expected * 2 + 3, -1, str(expected + 1), "lots"]
    else:
        array = np.asarray(expected, dtype=float)
        answers += [array + 1, array * 0, array[:1], -array, "an array"]
        if array.ndim == 2:
            answers.append(array.T + 0.5)
    return answers


def printed_feedback(exercise: Exercise, answer: Any, capsys) -> str:
    """What ``check.name(answer)`` prints on its first ``TRIES`` calls, from a fresh start."""
    exercise.reset()
    try:
        for _ in range(TRIES):
            exercise(answer)
    finally:
        exercise.reset()
    return capsys.readouterr().out


CASES = [
    pytest.param(exercise, answer, id=f"{exercise.name}-{index}")
    for exercise in EXERCISES
    for index, answer in enumerate([None, ..., *wrong_answers(exercise)])
]


def test_every_checks_module_is_enumerated():
    names = {exercise.name for exercise in EXERCISES}
    for module in MODULES:
        exported = [getattr(module, n) for n in module.__all__]
        assert all(e.name in names for e in exported if isinstance(e, Exercise)), module
    assert len(EXERCISES) >= 35 and any(isinstance(e, Choice) for e in EXERCISES)


@pytest.mark.parametrize(("exercise", "answer"), CASES)
def test_feedback_never_shows_the_expected_answer(exercise, answer, capsys):
    assert not exercise.passed(answer), "a wrong answer to feed must be wrong"
    text = printed_feedback(exercise, answer, capsys)
    assert "❌" in text
    leaked = sorted(
        form
        for form in expected_forms(exercise) - answer_forms(exercise, answer)
        if shown(form, text)
    )
    assert not leaked, f"{exercise.name} shows {leaked} before solution():\n{text}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_solution_shows_what_the_search_looks_for(exercise, capsys):
    """The forms searched for are the ones the learner sees: solution() prints one of them."""
    forms = expected_forms(exercise)
    expected = exercise.expected
    if not isinstance(expected, (str, bool, tuple, dict)) and np.ndim(expected) == 0:
        if float(expected).is_integer() and abs(expected) < 10:
            forms = {str(int(expected))}  # solution() prints the digit, messages its word
    if not forms:  # 0, 1, a bool or a text answer: nothing meaningful to look for
        assert isinstance(expected, (str, bool)) or abs(int(expected)) < 2, exercise.name
        return
    if isinstance(exercise, Choice):
        exercise.ask()  # prints "(b) <the right option>" among the others
    else:
        exercise.solution()
    text = capsys.readouterr().out
    assert any(shown(form, text) for form in forms), (exercise.name, text)


def test_a_text_answer_is_named_only_beside_the_other():
    """better_model's answer is 'dense' or 'cnn': its messages may name both, never 'cnn' alone."""
    exercise = feature_extraction.better_model
    for answer in wrong_answers(exercise):
        for text in (exercise.feedback(answer) for _ in range(TRIES)):
            assert text.count("'cnn'") <= text.count("'dense'"), text
        exercise.reset()


def test_the_search_catches_a_leak():
    """The forms and the word-boundary search find an answer in the ways it used to leak."""
    pooled = relu_pooling.pooled_shape
    assert any(shown(f, "2x2 pooling halves once: 32 -> 16") for f in expected_forms(pooled))
    blur = feature_extraction.blur_kernel
    assert any(shown(f, "np.full((3, 3), 1 / 9)") for f in expected_forms(blur))
    assert shown("1,168", "conv2 has 1,168 parameters") and not shown("1,168", "11,168")
    assert shown("32x32x16", "expected a Conv2D with output 32x32x16")
    assert not shown("32", "32x32x16")
    assert any(shown(f, "it keeps one in four: 1/4") for f in _number_forms(0.25))
