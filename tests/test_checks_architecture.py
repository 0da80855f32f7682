"""The notebook 04 checkers: formulas, the per-layer table, and helpful failures."""

import pytest

from workshop.checks import architecture as check
from workshop.layers import SMALL_CNN_TABLE, format_shape

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
    assert "?" in dense and "✅" in dense and "❌" not in dense  # a blank is not a wrong entry
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
        ("conv2", ((16, 16, 16), 160), "conv2 (Conv2D): depth forgotten, each kernel is as deep"),
        ("pool1", ((16, 16, 4), 0), "pooling keeps the depth"),
        ("pool2", ((16, 16, 16), 0), "2x2 pooling halves height and width"),
        ("relu2", ((8, 8, 16), 0), "ReLU changes values, never the shape"),
        ("flatten", ((64,), 0), "flatten lays out every map of the layer before"),
    ],
)
def test_table_names_the_misconception_of_a_wrong_row(layer, guess, words):
    answer = dict(FULL)
    answer[layer] = guess
    why = check.shapes_and_params.reason(answer)
    assert why.startswith("1 of 9 layers not right yet; ") and words in why


# The learner copy's starting table: conv1 given, every other entry a blank.
STARTER = {row.name: (..., ...) for row in SMALL_CNN_TABLE} | {"conv1": FULL["conv1"]}


def _true_values(rows):
    """Each row's true shape and count as the table would print them (0 is too short to find)."""
    values = set()
    for row in rows:
        values.add(format_shape(row.output_shape))
        if row.params:
            values.add(f"{row.params:,}")
    return values


def _cells(line):
    return line.split()


@pytest.mark.parametrize(
    "answer",
    [
        STARTER,
        {row.name: (..., ...) for row in SMALL_CNN_TABLE},
        {row.name: (None, None) for row in SMALL_CNN_TABLE},
        {row.name: ((1, 2, 3), 5) for row in SMALL_CNN_TABLE},
    ],
    ids=["starter", "all-blank", "all-none", "all-wrong"],
)
def test_the_table_never_prints_a_true_value_the_learner_did_not_type(answer, capsys):
    check.shapes_and_params.reset()
    for _ in range(3):  # every hint tier
        check.shapes_and_params(answer)
    check.shapes_and_params.reset()
    out = capsys.readouterr().out
    unanswered = [row for row in SMALL_CNN_TABLE if answer[row.name] != FULL[row.name]]
    names = {row.name for row in unanswered}
    table = [line for line in out.splitlines() if line.split()[0] in names]
    assert len(table) == 3 * len(unanswered)
    for line in table:
        assert not set(_cells(line)) & _true_values(unanswered), line
    assert "true" not in out.splitlines()[0]


def test_blank_entries_show_a_question_mark_and_no_verdict(capsys):
    check.shapes_and_params.reset()
    check.shapes_and_params(STARTER)
    check.shapes_and_params.reset()
    lines = capsys.readouterr().out.splitlines()
    conv1 = next(line for line in lines if line.startswith("conv1"))
    assert conv1.count("✅") == 2 and "32x32x8" in conv1 and "224" in conv1
    relu1 = next(line for line in lines if line.startswith("relu1"))
    assert relu1.split()[1:] == ["?", "?"]
    assert any("not answered yet" in line for line in lines)


def test_the_solution_prints_the_whole_true_table(capsys):
    assert check.shapes_and_params.solution() == FULL
    out = capsys.readouterr().out
    for row in SMALL_CNN_TABLE:
        line = next(line for line in out.splitlines() if line.split()[:1] == [row.name])
        assert format_shape(row.output_shape) in line and f"{row.params:,}" in line
    assert f"{sum(row.params for row in SMALL_CNN_TABLE):,}" in out


@pytest.mark.parametrize(
    ("layer", "guess", "truth"),
    [
        ("conv2", ((16, 16, 16), 160), " 8 "),  # pool1's depth
        ("flatten", ((64,), 0), "16"),  # pool2's depth
        ("flatten", ((64,), 0), "1024"),
    ],
)
def test_a_misconception_names_no_true_value(layer, guess, truth):
    answer = dict(FULL)
    answer[layer] = guess
    assert truth not in f" {check.shapes_and_params.reason(answer)} "
