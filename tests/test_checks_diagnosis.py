"""Checkers name the misconception behind each typical wrong answer, and hint in tiers."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from workshop import kernels, ops
from workshop.checks import (
    Choice,
    Exercise,
    architecture,
    catalogue,
    cifar10,
    convolution,
    feature_extraction,
    relu_pooling,
)

# Every notebook's checker module, in notebook order: a new notebook's checkers join by itself.
MODULES = [importlib.import_module(f"workshop.checks.{name}") for name in catalogue.NOTEBOOKS]
EXERCISES = [
    value
    for module in MODULES
    for name in module.__all__
    if isinstance(value := getattr(module, name), Exercise)
]
LISTED = [
    pytest.param(exercise, mistake, id=f"{exercise.name}-{index}")
    for exercise in EXERCISES
    if not isinstance(exercise, Choice)
    for index, mistake in enumerate(exercise.mistakes)
    if not callable(mistake.answer)
]


@pytest.fixture(autouse=True)
def _fresh_tries():
    for exercise in EXERCISES:
        exercise.reset()
    yield
    for exercise in EXERCISES:
        exercise.reset()


@pytest.mark.parametrize(("exercise", "mistake"), LISTED)
def test_every_listed_wrong_answer_gets_its_own_message(exercise, mistake):
    assert not exercise.passed(mistake.answer)
    assert exercise.reason(mistake.answer) == mistake.says


def test_every_exercise_has_a_nudge_and_most_a_formula():
    for exercise in EXERCISES:
        assert exercise.hint, exercise.name
        if not isinstance(exercise, Choice):
            assert exercise.formula, f"{exercise.name}: no formula for the second try"


@pytest.mark.parametrize(
    ("exercise", "answer", "words"),
    [
        (feature_extraction.conv_parameters, 640, "depth forgotten"),
        (convolution.layer_parameters, 32 * (5 * 5 + 1), "depth forgotten"),
        (convolution.rgb_weights, 75, "bias forgotten"),
        (cifar10.conv1_params, 432, "bias forgotten"),
        (architecture.conv_params, 1152, "bias forgotten"),
        (relu_pooling.fraction_kept, 0.75, '"by a quarter"'),
        (relu_pooling.max_pooled, [[6, 3], [8, 4]], "rows and columns swapped"),
        (convolution.feature_map, [[4, 2, 2], [3, 4, 3], [4, 3, 4]], "rows and columns swapped"),
        (convolution.keras_top_left, 1, "kernel flipped"),
        (cifar10.from_logits, "True", "a string"),
        (cifar10.from_logits, "False", "a string"),
        (convolution.output_size, "28", "not a number: remove the quotes"),
        (relu_pooling.pooled_shape, "16, 16, 64", "not a tuple"),
        (relu_pooling.combined_weights, relu_pooling.W1 @ relu_pooling.W2, "order"),
        (relu_pooling.xor_outputs, [2, 1, 1, 0], "ReLU forgotten"),
    ],
)
def test_the_issues_named_misconceptions(exercise, answer, words):
    assert words in exercise.reason(answer)


def test_flip_demo_kernel_really_tells_convolution_from_cross_correlation():
    flipped = ops.conv2d(kernels.SEED_IMAGE, kernels.ASYMMETRIC_KERNEL[::-1, ::-1])
    keras_like = ops.conv2d(kernels.SEED_IMAGE, kernels.ASYMMETRIC_KERNEL)
    assert not np.array_equal(flipped, keras_like)
    assert convolution.keras_top_left.expected == keras_like[0, 0] != flipped[0, 0]


def test_hints_come_in_tiers_and_the_solution_only_when_asked(capsys):
    exercise = feature_extraction.conv_parameters
    exercise(1)
    first = capsys.readouterr().out
    assert "Hint:" in first and "Formula:" not in first and "solution()" not in first
    assert "1792" not in first and "1,792" not in first
    exercise(2)
    second = capsys.readouterr().out
    assert "Formula:" in second and "solution()" in second and "1792" not in second
    assert exercise.solution() == 1792
    assert "1792" in capsys.readouterr().out
    exercise(...)  # an unanswered exercise is no wrong try and gets no hint
    assert "Hint:" not in capsys.readouterr().out


def test_a_string_true_is_not_the_bool_true():
    assert not cifar10.from_logits.passed("True")
    assert cifar10.from_logits.passed(True)


@pytest.mark.parametrize(
    "choice", [e for e in EXERCISES if isinstance(e, Choice)], ids=lambda e: e.name
)
def test_multiple_choice_explains_every_distractor(choice, capsys):
    choice.ask()
    shown = capsys.readouterr().out
    for letter, text in choice.options.items():
        assert f"({letter}) {text}" in shown
        if letter == choice.expected:
            assert choice.passed(letter) and choice.passed(f" ({letter.upper()}) ")
        else:
            why = choice.reason(letter)
            assert why.startswith(f"({letter}) ") and len(why) > 30
    assert "one letter" in choice.reason("z")
    assert "one letter" in choice.reason(2)


def test_receptive_field_choice_is_computed():
    assert ops.receptive_field([(3, 1), (2, 2), (3, 1)]) == 8
    assert architecture.receptive_field.options["c"] == "8x8"


def test_receptive_field_matches_an_impulse_through_the_layers():
    """Propagate which input pixels reach the centre output: the patch is as wide as claimed."""
    image = np.zeros((40, 40))
    widths = []
    for row in range(40):
        for col in (20,):
            image[:] = 0
            image[row, col] = 1.0
            out = ops.conv2d(image, np.ones((3, 3)))  # conv1
            out = ops.max_pool2d(out, 2, 2)  # pool1
            out = ops.conv2d(out, np.ones((3, 3)))  # conv2
            widths.append(out[8, 8] > 0)
    assert sum(widths) == ops.receptive_field([(3, 1), (2, 2), (3, 1)])
    with pytest.raises(ValueError, match="layers\\[0\\]"):
        ops.receptive_field([(0, 1)])


def test_every_lesson_notebook_asks_a_multiple_choice_question():
    from pathlib import Path

    import nbformat

    root = Path(__file__).resolve().parents[1] / "notebooks"
    for path in sorted(root.glob("0*.ipynb")):
        code = "".join(c.source for c in nbformat.read(path, as_version=4).cells)
        asked = [
            e.name for e in EXERCISES if isinstance(e, Choice) and f"check.{e.name}.ask()" in code
        ]
        assert asked, f"{path.name} asks no multiple-choice question"
