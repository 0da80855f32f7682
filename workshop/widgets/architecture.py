"""Notebook 04's shape-and-parameter tracker: predict every layer, then check against Keras.

The layer table, shape parsing and the fixed table of notebook 04's model live in
:mod:`workshop.layers`; the diagrams in :mod:`workshop.plots`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets

from workshop.layers import (
    SMALL_CNN_TABLE,
    LayerInfo,
    format_shape,
    layer_table,
    parse_count,
    parse_shape,
)
from workshop.widgets._view import Explorer

__all__ = ["ShapeTracker"]


# ---------------------------------------------------------------- tracker


def _mark(ok: bool, answered: bool = True) -> str:
    """A tick or cross in words too: emoji fonts are missing on some machines, colours vary."""
    if not answered:
        return '<span style="color:#777777">&ndash; not answered</span>'
    if ok:
        return '<span style="color:#009E73"><b>&#10003; right</b></span>'
    return '<span style="color:#D55E00"><b>&#10007; wrong</b></span>'


class ShapeTracker(Explorer):
    """Predict every layer's output shape and parameter count, then check against the model.

    ``model``: a built Keras model, a list of :class:`LayerInfo`, or nothing for notebook 04's
    ``small_cnn`` (:data:`SMALL_CNN_TABLE`).
    One row per layer with two text boxes (descriptions ``"<layer> shape"`` and
    ``"<layer> params"``), a "check my guesses" button and a "show answers" button.
    State: ``truth`` (the model's :class:`LayerInfo` rows) and, after a check, ``results``:
    one dict per layer with the guesses, the truth and ``shape_ok`` / ``params_ok``;
    ``score`` is (right answers, total answers).
    """

    def __init__(self, model: Any | Sequence[LayerInfo] | None = None) -> None:
        if model is None:
            self.truth = list(SMALL_CNN_TABLE)
        elif isinstance(model, (list, tuple)):
            if not all(isinstance(row, LayerInfo) for row in model):
                raise TypeError("model given as a list must hold LayerInfo rows")
            self.truth = list(model)
        else:
            self.truth = layer_table(model)
        self.shape_boxes: dict[str, widgets.Text] = {}
        self.param_boxes: dict[str, widgets.Text] = {}
        self.verdicts: dict[str, widgets.HTML] = {}
        rows = [
            widgets.HTML(
                "<b>For every layer, type the output shape (without the batch axis, e.g. "
                "<code>16, 16, 8</code>) and the number of parameters, then check.</b>"
            )
        ]
        style = {"description_width": "110px"}
        for info in self.truth:
            self.shape_boxes[info.name] = widgets.Text(
                description=f"{info.name} shape", placeholder="e.g. 16, 16, 8", style=style
            )
            self.param_boxes[info.name] = widgets.Text(
                description=f"{info.name} params", placeholder="e.g. 0", style=style
            )
            self.verdicts[info.name] = widgets.HTML(f"<i>{info.kind}</i>")
            rows.append(
                widgets.HBox(
                    [
                        self.shape_boxes[info.name],
                        self.param_boxes[info.name],
                        self.verdicts[info.name],
                    ]
                )
            )
        self.check_button = widgets.Button(description="check my guesses", button_style="primary")
        self.answer_button = widgets.Button(description="show answers")
        self.summary = widgets.HTML()
        self.check_button.on_click(lambda _: self.check())
        self.answer_button.on_click(lambda _: self.reveal())
        self.results: list[dict[str, Any]] = []
        self.score = (0, 2 * len(self.truth))
        self.widget = widgets.VBox(
            rows + [widgets.HBox([self.check_button, self.answer_button]), self.summary]
        )

    def set_guesses(self, guesses: dict[str, tuple[object, object]]) -> None:
        """Fill the boxes from {layer name: (shape, params)} (what a test or a cell would type)."""
        for name, (shape, params) in guesses.items():
            if name not in self.shape_boxes:
                raise KeyError(f"no layer named {name!r}; layers: {list(self.shape_boxes)}")
            self.shape_boxes[name].value = (
                ", ".join(map(str, shape)) if isinstance(shape, (tuple, list)) else str(shape)
            )
            self.param_boxes[name].value = str(params)

    def check(self) -> list[dict[str, Any]]:
        """Compare every box with the model and mark each row ✅ / ❌."""
        self.results = []
        right = 0
        for info in self.truth:
            shape = parse_shape(self.shape_boxes[info.name].value)
            params = parse_count(self.param_boxes[info.name].value)
            shape_ok, params_ok = shape == info.output_shape, params == info.params
            right += shape_ok + params_ok
            self.results.append(
                {
                    "layer": info.name,
                    "kind": info.kind,
                    "guess_shape": shape,
                    "true_shape": info.output_shape,
                    "shape_ok": shape_ok,
                    "guess_params": params,
                    "true_params": info.params,
                    "params_ok": params_ok,
                }
            )
            self.verdicts[info.name].value = (
                f"shape {_mark(shape_ok, bool(self.shape_boxes[info.name].value.strip()))} "
                f"params {_mark(params_ok, bool(self.param_boxes[info.name].value.strip()))}"
            )
        self.score = (right, 2 * len(self.truth))
        done = right == self.score[1]
        self.summary.value = f"<b>{right} of {self.score[1]} right.</b> " + (
            "All correct: you can read a CNN's shapes."
            if done
            else "Hints: 'same' padding keeps height and width; 2x2 pooling halves them; "
            "conv params = (kh*kw*C_in + 1) * filters; dense = (inputs + 1) * units; "
            "ReLU, pooling and Flatten have 0."
        )
        return self.results

    def reveal(self) -> None:
        """Show the true shape and count next to each row (the boxes are left as typed)."""
        for info in self.truth:
            self.verdicts[
                info.name
            ].value = (
                f"<i>{info.kind}</i>: {format_shape(info.output_shape)}, {info.params:,} params"
            )
        total = sum(info.params for info in self.truth)
        self.summary.value = f"Total: <b>{total:,}</b> parameters (model.count_params())."
