"""The checkers of notebooks 01 and 02 accept the right answers and reject near misses."""

import numpy as np
import pytest

from workshop import kernels, ops
from workshop.checks import convolution as conv
from workshop.checks import feature_extraction as fe


def test_seed_example_matches_reference():
    assert conv.feature_map.expected == [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
    assert conv.top_left.expected == 4
    np.testing.assert_allclose(
        ops.conv2d(kernels.SEED_IMAGE, kernels.SEED_KERNEL), conv.feature_map.expected
    )


@pytest.mark.parametrize(
    ("exercise", "right", "wrong"),
    [
        (conv.top_left, 4, 5),
        (conv.feature_map, [[4, 3, 4], [2, 4, 3], [2, 3, 4]], [[4, 3, 4], [2, 4, 3], [2, 3, 5]]),
        (conv.output_size, 28, 27),
        (conv.padding_same, 1, 0),
        (conv.rgb_weights, 76, 75),
        (conv.layer_parameters, 2432, 2400),
        (fe.inputs, 3072, 1024),
        (fe.dense_parameters, 196_672, 196_608),
        (fe.conv_parameters, 1_792, 1_728),
        (fe.blur_kernel, np.full((3, 3), 1 / 9), np.ones((3, 3))),
        (fe.better_model, "CNN", "dense"),
    ],
)
def test_right_passes_wrong_fails(exercise, right, wrong):
    assert exercise.passed(right)
    assert not exercise.passed(wrong)
    assert not exercise.passed(...)


def test_feature_map_rejects_wrong_shape(capsys):
    conv.feature_map(np.zeros((5, 5)))
    out = capsys.readouterr().out
    assert out.startswith("❌") and "shape (5, 5) should be (3, 3)" in out


def test_blur_hint_names_the_sum(capsys):
    fe.blur_kernel(np.ones((3, 3)))
    assert "add up to 9 instead of 1" in capsys.readouterr().out


def test_unanswered_prints_no_answer_yet(capsys):
    conv.top_left(...)
    assert "no answer yet" in capsys.readouterr().out


def test_kernels_library():
    assert kernels.names()[0] == "identity"
    k = kernels.get("Vertical_Edges")
    k[0, 0] = 99  # a copy: the library stays intact
    assert kernels.get("vertical edges")[0, 0] == 1
    for name in kernels.names():
        assert kernels.get(name).shape == (3, 3)
        assert name in kernels.DESCRIPTIONS
    # blur kernels keep brightness, edge kernels answer 0 on flat areas
    flat = np.full((5, 5), 0.7)
    np.testing.assert_allclose(ops.conv2d(flat, kernels.get("blur")), 0.7)
    np.testing.assert_allclose(ops.conv2d(flat, kernels.get("vertical edges")), 0, atol=1e-12)
    with pytest.raises(ValueError, match="name must be one of"):
        kernels.get("edges")
    with pytest.raises(TypeError, match="name must be a string"):
        kernels.get(3)


def test_vertical_edge_kernel_sign():
    # bright on the left, dark on the right: positive response
    step = np.array([[1.0, 1.0, 0.0, 0.0]] * 3)
    assert ops.conv2d(step, kernels.get("vertical edges")).min() > 0
    assert np.allclose(ops.conv2d(step.T, kernels.get("vertical edges")), 0)
