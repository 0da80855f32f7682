"""Checkers for notebook 04 (CNN architecture): ``from workshop.checks import architecture``.

The expected table is ``workshop.layers.SMALL_CNN_TABLE``, the model notebook 04 builds, layer
by layer; a test builds the same model with Keras and compares.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workshop import ops
from workshop.checks._core import Choice, Exercise, Mistake, _unanswered
from workshop.layers import SMALL_CNN_TABLE, format_shape, parse_count, parse_shape

__all__ = [
    "TableExercise",
    "conv_output_shape",
    "conv_params",
    "dense_params",
    "flatten_size",
    "receptive_field",
    "shapes_and_params",
    "total_params",
]


def _rows(answer: Any) -> list[dict[str, Any]]:
    """Compare {layer: (shape, params)} with SMALL_CNN_TABLE, one dict per layer."""
    rows = []
    for row in SMALL_CNN_TABLE:
        name, shape, params = row.name, row.output_shape, row.params
        guess = answer.get(name, (..., ...)) if isinstance(answer, dict) else (..., ...)
        if not isinstance(guess, (tuple, list)) or len(guess) != 2:
            guess = (guess, ...)
        g_shape = None if _unanswered(guess[0]) else parse_shape(guess[0])
        g_params = None if _unanswered(guess[1]) else parse_count(guess[1])
        rows.append(
            {
                "layer": name,
                "typed_shape": guess[0],
                "guess_shape": g_shape,
                "true_shape": shape,
                "shape_ok": g_shape == shape,
                "typed_params": guess[1],
                "guess_params": g_params,
                "true_params": params,
                "params_ok": g_params == params,
            }
        )
    return rows


def _table_reason(answer: Any, expected: Any) -> str | None:
    if not isinstance(answer, dict):
        return f"expected a dict {{layer name: (shape, params)}}, got {type(answer).__name__}"
    unknown = sorted(set(answer) - {row.name for row in SMALL_CNN_TABLE})
    if unknown:
        return f"no layer named {', '.join(map(repr, unknown))} in this model"
    rows = _rows(answer)
    wrong = [r["layer"] for r in rows if not (r["shape_ok"] and r["params_ok"])]
    if not wrong:
        return None
    why = f"{len(wrong)} of {len(SMALL_CNN_TABLE)} layers not right yet"
    named = next(filter(None, (_row_misconception(i, r) for i, r in enumerate(rows))), None)
    return f"{why}; {named}" if named else why


def _row_misconception(index: int, r: dict[str, Any]) -> str | None:
    """Name the misconception behind one wrong row of the table, when it is a known one.

    The message may name the learner's value, never a true one (not even another row's: the
    depth of the layer before is a shape the table asks for too).
    """
    row = SMALL_CNN_TABLE[index]
    before = SMALL_CNN_TABLE[index - 1].output_shape if index else (32, 32, 3)
    guess_shape, guess_params = r["guess_shape"], r["guess_params"]
    where = f"{row.name} ({row.kind})"
    if not r["params_ok"] and guess_params is not None:
        if row.params == 0:
            return f"{where} has no parameters: it computes something fixed, nothing to learn"
        if guess_params == row.params - row.output_shape[-1]:
            return (
                f"{where}: bias forgotten, one per {'filter' if row.kind == 'Conv2D' else 'unit'}"
            )
        if row.kind == "Conv2D":
            filters = row.output_shape[-1]
            window = (row.params // filters - 1) // before[-1]  # kh * kw
            if guess_params == (window + 1) * filters:
                return (
                    f"{where}: depth forgotten, each kernel is as deep as its input "
                    "(the depth of the layer before)"
                )
    if not r["shape_ok"] and guess_shape is not None:
        if row.kind == "MaxPooling2D" and guess_shape[:-1] == row.output_shape[:-1]:
            return f"{where}: pooling keeps the depth, it pools each map on its own"
        if row.kind == "MaxPooling2D" and guess_shape == before:
            return f"{where}: 2x2 pooling halves height and width"
        if row.kind == "ReLU" and guess_shape != before:
            return f"{where}: ReLU changes values, never the shape"
        if (
            row.kind == "Flatten"
            and len(guess_shape) == 1
            and guess_shape[0] * before[-1] == (row.output_shape[0])
        ):
            return (
                f"{where}: depth forgotten, flatten lays out every map of the layer before, "
                "not just one"
            )
    return None


def _entry(typed: Any, parsed: Any, ok: bool, show: Callable[[Any], str]) -> tuple[str, str]:
    """A learner's entry as the table prints it, and its mark: ✅ / ❌, none for a blank."""
    if _unanswered(typed):
        return "?", "  "
    text = show(parsed) if parsed is not None else str(typed)
    if len(text) > 11:
        text = text[:10] + "…"
    return text, "✅" if ok else "❌"


def _count(value: int) -> str:
    return f"{value:,}"


class TableExercise(Exercise):
    """An exercise whose answer is a whole table: prints each row of the learner's table first.

    Each entry the learner typed gets ✅ or ❌ and a blank one a "?"; the true shapes and counts
    are never printed here, only by ``solution()``.
    """

    def __call__(self, answer: Any) -> None:
        if isinstance(answer, dict):
            print(f"{'layer':<8} {'your shape':>11}    {'your params':>11}")
            blanks = False
            for r in _rows(answer):
                shape, shape_mark = _entry(
                    r["typed_shape"], r["guess_shape"], r["shape_ok"], format_shape
                )
                count, count_mark = _entry(
                    r["typed_params"], r["guess_params"], r["params_ok"], _count
                )
                blanks = blanks or "?" in (shape, count)
                print(f"{r['layer']:<8} {shape:>11} {shape_mark} {count:>11} {count_mark}")
            if blanks:
                print("(? = not answered yet)")
        super().__call__(answer)

    def solution(self) -> Any:
        value = self.expected
        print(f"{self.name}: the true table")
        print(f"{'layer':<8} {'output shape':>12} {'params':>8}")
        for name, (shape, params) in value.items():
            print(f"{name:<8} {format_shape(shape):>12} {params:>8,}")
        print(f"{'total':<8} {'':>12} {sum(params for _, params in value.values()):>8,}")
        return value


shapes_and_params = TableExercise(
    "shapes_and_params",
    lambda: {row.name: (row.output_shape, row.params) for row in SMALL_CNN_TABLE},
    "go row by row: which layers change the height and width, which the depth, and which "
    "have weights at all?",
    formula="padding='same' keeps height and width; MaxPooling2D(2) halves them; the depth "
    "after a Conv2D is its number of filters; Flatten multiplies everything out. Parameters: "
    "conv = (kh*kw*C_in + 1) * filters, dense = (inputs + 1) * units, ReLU/pool/Flatten 0.",
    comparer=_table_reason,
    explain="Every shape and every count matches what Keras computes for this model.",
)

conv_params = Exercise(
    "conv_params",
    (3 * 3 * 8 + 1) * 16,
    "how deep is each of conv2's kernels? Its input is pool1's output",
    formula="(3 * 3 * C_in + 1) * filters",
    mistakes=[
        Mistake(3 * 3 * 8 * 16, "bias forgotten: each of the 16 filters has one bias"),
        Mistake(
            (3 * 3 * 3 + 1) * 16,
            "conv2's kernels are as deep as *its* input (8 maps "
            "from pool1), not as the image (3 channels)",
        ),
        Mistake(
            (3 * 3 + 1) * 16, "depth forgotten: each 3x3 kernel is 8 deep, one slice per input map"
        ),
    ],
    explain="(3*3*8 + 1) * 16 = 1,168.",
)

flatten_size = Exercise(
    "flatten_size",
    8 * 8 * 16,
    "Flatten lays out every value of the (8, 8, 16) stack in one row: how many values?",
    formula="height * width * depth",
    mistakes=[
        Mistake(8 * 8, "depth forgotten: there are 16 maps of 8x8"),
        Mistake(8 + 8 + 16, "add or multiply? Count the values in the whole stack, not its sides"),
    ],
)

dense_params = Exercise(
    "dense_params",
    (8 * 8 * 16 + 1) * 32,
    "how many inputs does each of the 32 units see, and what does each unit add?",
    formula="(inputs + 1) * units",
    mistakes=[
        Mistake(8 * 8 * 16 * 32, "bias forgotten: each of the 32 units has one bias"),
        Mistake(8 * 8 * 16 + 1, "that is one unit; the layer has 32"),
    ],
    explain="Most of this small CNN's parameters sit in its first dense layer.",
)

conv_output_shape = Exercise(
    "conv_output_shape",
    (30, 30, 8),
    "with padding 'valid' the window may not hang over the edge: how many positions fit "
    "across 32 pixels? And where does the depth come from?",
    formula="(n - k + 1, n - k + 1, filters)",
    mistakes=[
        Mistake(
            (32, 32, 8),
            "that is padding='same'; Keras' default 'valid' adds no border, so the map shrinks",
        ),
        Mistake(
            (30, 30, 3),
            "the depth after a Conv2D is its number of filters, not the input's channels",
        ),
        Mistake((29, 29, 8), "the + 1 is missing: 32 - 3 steps, plus the first window"),
        Mistake((8, 30, 30), "Keras puts the depth last: (height, width, depth)"),
    ],
)

total_params = Exercise(
    "total_params",
    sum(row.params for row in SMALL_CNN_TABLE),
    "which layers have parameters at all? Add those up",
    formula="conv1 + conv2 + dense + logits (or model.count_params())",
    mistakes=[
        Mistake(
            sum(row.params for row in SMALL_CNN_TABLE if row.name != "logits"),
            "the last Dense layer (logits) has parameters too",
        ),
    ],
)

receptive_field = Choice(
    "receptive_field",
    "One value of conv2's output depends on a patch of the input image. How wide is that patch "
    "(its receptive field)?",
    {
        "a": "3x3: the size of conv2's kernel",
        "b": "5x5: two 3x3 kernels in a row",
        "c": f"{ops.receptive_field([(3, 1), (2, 2), (3, 1)])}x"
        f"{ops.receptive_field([(3, 1), (2, 2), (3, 1)])}",
        "d": "the whole 32x32 image",
    },
    "c",
    {
        "a": "3x3 is what conv2 sees of pool1's maps; each of those values already summarises "
        "a patch of the image",
        "b": "that would be without pool1: pooling makes each step of conv2 cover 2 pixels",
        "d": "only the dense layers see the whole image; each convolution looks at a patch",
    },
    hint="conv1 sees 3x3 pixels; pool1 summarises 2x2 of those; conv2 sees 3x3 pooled values",
    explain="3 pixels for conv1, 4 after pool1, and conv2's 3x3 steps of 2 pixels make 8.",
)
