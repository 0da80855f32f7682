"""The notebook 03 checkers accept the right answers and reject the tempting wrong ones."""

from pathlib import Path

import nbformat
import numpy as np
import pytest

from workshop.checks import relu_pooling as check


def test_relu_small_accepts_clipped_matrix_and_rejects_abs():
    right = np.array([[0, 3, 0], [1.5, 0, 4], [0, 2, 0]])
    assert check.relu_small.passed(right)
    assert not check.relu_small.passed(np.abs(check.RELU_INPUT))


def test_combined_layer_equals_two_layers():
    x = np.array([0.7, -1.3])
    two_layers = check.W2 @ (check.W1 @ x + check.B1) + check.B2
    w, b = check.combined_weights.expected, check.combined_bias.expected
    np.testing.assert_allclose(w @ x + b, two_layers)
    assert check.combined_weights.passed([[2, 5], [4, 2]])
    assert check.combined_bias.passed([2.5, -2])
    # The wrong order of multiplication does not even have the right shape.
    assert not check.combined_weights.passed(check.W1 @ check.W2)
    assert not check.combined_bias.passed(check.B2)


def test_xor_outputs_are_xor():
    assert check.xor_outputs.passed([0, 1, 1, 0])
    # Without the ReLU the (0, 0) corner gives 2: the network collapses to a linear map.
    assert not check.xor_outputs.passed([2, 1, 1, 0])


def test_pooling_exercises():
    assert check.max_pooled.passed([[6, 8], [3, 4]])
    assert not check.max_pooled.passed([[6, 8], [3, 3]])
    assert check.avg_pooled.passed([[3.75, 5.25], [2, 2]])
    assert not check.avg_pooled.passed([[6, 8], [3, 4]])
    assert check.pooled_shape.passed((16, 16, 64))
    assert not check.pooled_shape.passed((16, 16, 32))
    assert not check.pooled_shape.passed((16, 16))
    assert check.fraction_kept.passed(0.25)
    assert check.fraction_kept.passed(1 / 4)
    assert not check.fraction_kept.passed(0.75)  # "reduced BY a quarter": the seed's mistake
    assert check.pool_params.passed(0)
    assert not check.pool_params.passed(4)


@pytest.mark.parametrize("name", ["relu_small", "max_pooled", "pooled_shape", "xor_outputs"])
def test_unanswered_and_wrong_print_helpful_lines(name, capsys):
    exercise = getattr(check, name)
    exercise(...)
    assert "no answer yet" in capsys.readouterr().out
    exercise("nonsense")
    out = capsys.readouterr().out
    assert out.startswith("❌") and "Hint:" in out
    exercise(exercise.expected)
    assert capsys.readouterr().out.startswith("✅")


def test_notebook_takes_the_exercise_data_from_the_checker():
    """One home for the numbers: the notebook assigns the checker's arrays, never a retyped copy."""
    path = Path(__file__).resolve().parents[1] / "notebooks" / "03_relu_and_pooling.ipynb"
    code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    for assignment in (
        "small_map = check.RELU_INPUT",
        "W1, b1 = check.W1, check.B1",
        "W2, b2 = check.W2, check.B2",
        "xor_x = check.XOR_INPUTS",
        "pool_input = check.POOL_INPUT",
    ):
        assert any(assignment in source for source in code), assignment
