"""Notebook 06's checkers: right answers pass, the known mistakes are named."""

from __future__ import annotations

import pytest

from workshop.checks import own_photos as check


@pytest.fixture(autouse=True)
def _fresh():
    for exercise in (check.head_params, check.chance, check.why_features_help):
        exercise.reset()


def test_right_answers_pass():
    assert check.head_params.passed(64 * 3 + 3)
    assert check.chance.passed(1 / 5) and check.chance.passed(0.2)
    assert check.why_features_help.passed("b")


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (192, "bias forgotten"),
        (67, "multiply"),
        (89_184 + 195, "counts the frozen network too"),
    ],
)
def test_head_params_mistakes_are_named(answer, says):
    assert says in check.head_params.reason(answer)


@pytest.mark.parametrize(
    ("answer", "says"), [(20, "not a percentage"), (0.5, "not a coin toss"), (0.1, "CIFAR-10")]
)
def test_chance_mistakes_are_named(answer, says):
    assert says in check.chance.reason(answer)


def test_every_wrong_option_says_why(capsys):
    for letter in "acd":
        assert f"({letter})" in check.why_features_help.reason(letter)
    check.why_features_help.ask()
    assert "Answer with check.why_features_help('<letter>')." in capsys.readouterr().out
