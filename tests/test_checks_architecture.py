"""The notebook 04 checkers: formulas, the per-layer table, and helpful failures."""

import pytest

from workshop.checks import architecture as check
from workshop.layers import SMALL_CNN_TABLE

FULL = {row.name: (row.output_shape, row.params) for row in SMALL_CNN_TABLE}


def test_formula_exercises_accept_right_and_reject_classic_slips():
    assert check.conv_params.passed(1168)
    assert not check.conv_params.passed(1152)  # forgot the bias
    assert not check.conv_params.passed(3 * 3 * 16 + 1)  # forgot the input depth
    assert check.flatten_size.passed(1024)
    assert not check.flatten_size.passed(8 * 8)
    assert check.dense_params.passed(32800)
    assert not check.dense_params.passed(1024 * 32)  # forgot the biases
    assert check.conv_output_shape.passed((30, 30, 8))
    assert not check.conv_output_shape.passed((32, 32, 8))  # that would be padding='same'
    assert check.total_params.passed(34522)
    assert not check.total_params.passed(34521)


def test_small_cnn_table_is_consistent_with_the_formulas():
    rows = dict(FULL)
    assert rows["conv2"][1] == check.conv_params.expected
    assert rows["dense"][1] == check.dense_params.expected
    assert rows["flatten"][0] == (check.flatten_size.expected,)
    assert sum(p for _, p in rows.values()) == check.total_params.expected


def test_table_exercise_full_answer_passes_and_prints_every_row(capsys):
    assert check.shapes_and_params.passed(FULL)
    check.shapes_and_params(FULL)
    out = capsys.readouterr().out
    assert out.count("✅") == 2 * len(SMALL_CNN_TABLE) + 1
    assert "❌" not in out


def test_table_exercise_accepts_text_shapes_and_counts():
    answer = dict(FULL)
    answer["conv2"] = ("16, 16, 16", "1,168")
    answer["flatten"] = ("1024", 0)
    answer["logits"] = ("(None, 10)", "330")
    assert check.shapes_and_params.passed(answer)


def test_table_exercise_marks_the_wrong_rows(capsys):
    answer = dict(FULL)
    answer["pool2"] = ((8, 8, 8), 0)  # depth lost
    answer["dense"] = ((32,), ...)
    check.shapes_and_params.reset()  # the first wrong try: the nudge alone
    assert not check.shapes_and_params.passed(answer)
    assert "2 of 9" in check.shapes_and_params.reason(answer)
    check.shapes_and_params(answer)
    lines = capsys.readouterr().out.splitlines()
    pool2 = next(line for line in lines if line.startswith("pool2"))
    assert pool2.count("❌") == 1
    dense = next(line for line in lines if line.startswith("dense"))
    assert "?" in dense and "❌" in dense
    assert lines[-2].startswith("❌") and "Hint:" in lines[-1]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (..., "no answer yet"),
        ([1, 2], "expected a dict"),
        ({"conv9": ((1,), 0)}, "no layer named 'conv9'"),
        ({}, "9 of 9 layers"),
    ],
)
def test_table_exercise_reasons(answer, reason):
    assert reason in check.shapes_and_params.reason(answer)


@pytest.mark.parametrize(
    ("layer", "guess", "words"),
    [
        ("relu1", ((32, 32, 8), 224), "relu1 (ReLU) has no parameters"),
        ("pool1", ((16, 16, 8), 8), "pool1 (MaxPooling2D) has no parameters"),
        ("conv2", ((16, 16, 16), 1152), "conv2 (Conv2D): bias forgotten, one per filter"),
        ("dense", ((32,), 32768), "dense (Dense): bias forgotten, one per unit"),
        ("conv2", ((16, 16, 16), 160), "conv2 (Conv2D): depth forgotten, each kernel is 8 deep"),
        ("pool1", ((16, 16, 4), 0), "pooling keeps the depth"),
        ("pool2", ((16, 16, 16), 0), "2x2 pooling halves height and width"),
        ("relu2", ((8, 8, 16), 0), "ReLU changes values, never the shape"),
        ("flatten", ((64,), 0), "flatten lays out all 16 maps"),
    ],
)
def test_table_names_the_misconception_of_a_wrong_row(layer, guess, words):
    answer = dict(FULL)
    answer[layer] = guess
    why = check.shapes_and_params.reason(answer)
    assert why.startswith("1 of 9 layers not right yet; ") and words in why
