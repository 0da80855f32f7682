"""Checkers for notebook 04 (CNN architecture): ``from workshop.checks import architecture``.

The expected table is ``workshop.layers.SMALL_CNN_TABLE``, the model notebook 04 builds, layer
by layer; a test builds the same model with Keras and compares.
"""

from __future__ import annotations

from typing import Any

from workshop.checks._core import Exercise, _unanswered
from workshop.layers import SMALL_CNN_TABLE, format_shape, parse_count, parse_shape

__all__ = [
    "TableExercise",
    "conv_output_shape",
    "conv_params",
    "dense_params",
    "flatten_size",
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
                "guess_shape": g_shape,
                "true_shape": shape,
                "shape_ok": g_shape == shape,
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
    wrong = [r["layer"] for r in _rows(answer) if not (r["shape_ok"] and r["params_ok"])]
    return None if not wrong else f"{len(wrong)} of {len(SMALL_CNN_TABLE)} layers not right yet"


class TableExercise(Exercise):
    """An exercise whose answer is a whole table: prints every row with ✅ / ❌ first."""

    def __call__(self, answer: Any) -> None:
        if isinstance(answer, dict):
            print(
                f"{'layer':<8} {'your shape':>11} {'true shape':>11}    "
                f"{'your params':>11} {'true params':>11}"
            )
            for r in _rows(answer):
                mine = "?" if r["guess_shape"] is None else format_shape(r["guess_shape"])
                count = "?" if r["guess_params"] is None else f"{r['guess_params']:,}"
                print(
                    f"{r['layer']:<8} {mine:>11} {format_shape(r['true_shape']):>11} "
                    f"{'✅' if r['shape_ok'] else '❌'} {count:>11} "
                    f"{r['true_params']:>11,} {'✅' if r['params_ok'] else '❌'}"
                )
        super().__call__(answer)


shapes_and_params = TableExercise(
    "shapes_and_params",
    lambda: {row.name: (row.output_shape, row.params) for row in SMALL_CNN_TABLE},
    "padding='same' keeps height and width; MaxPooling2D(2) halves them; the depth after a "
    "Conv2D is its number of filters; Flatten multiplies everything out. Parameters: "
    "conv = (kh*kw*C_in + 1) * filters, dense = (inputs + 1) * units, ReLU/pool/Flatten 0.",
    comparer=_table_reason,
    explain="Every shape and every count matches model.summary().",
)

conv_params = Exercise(
    "conv_params",
    (3 * 3 * 8 + 1) * 16,
    "Each of the 16 filters is a 3x3 kernel as deep as its input (8 maps): 3*3*8 weights, "
    "plus 1 bias. Multiply by the number of filters.",
    explain="(3*3*8 + 1) * 16 = 1,168.",
)

flatten_size = Exercise(
    "flatten_size",
    8 * 8 * 16,
    "Flatten lays every value of the (8, 8, 16) stack out in one row: multiply the three numbers.",
)

dense_params = Exercise(
    "dense_params",
    (8 * 8 * 16 + 1) * 32,
    "Each of the 32 units has one weight per input (1,024 inputs after Flatten) plus 1 bias.",
    explain="Most of this small CNN's parameters sit in its first dense layer.",
)

conv_output_shape = Exercise(
    "conv_output_shape",
    (30, 30, 8),
    "With padding='valid' (Keras' default) a 3x3 kernel cannot be centred on the outermost "
    "pixels: (32 - 3) / 1 + 1 per side. The depth is the number of filters.",
)

total_params = Exercise(
    "total_params",
    sum(row.params for row in SMALL_CNN_TABLE),
    "Add the parameter counts of all layers (or call model.count_params()).",
)
