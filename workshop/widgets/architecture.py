"""Notebook 04 helpers: a CNN's layers as a table, a diagram, a shape-and-parameter tracker.

Nothing here imports Keras at module level: the functions read what a model object already
holds (``layer.output.shape``, ``count_params()``), and only :func:`intermediate_outputs`
imports Keras, inside the function.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from workshop.widgets._view import Explorer

__all__ = [
    "LayerInfo",
    "SMALL_CNN_TABLE",
    "ShapeTracker",
    "compare_kernels",
    "draw_architecture",
    "format_shape",
    "intermediate_outputs",
    "layer_table",
    "parse_count",
    "parse_shape",
]

# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies).
KIND_COLOURS = {
    "input": "#E0E0E0",
    "conv": "#56B4E9",
    "relu": "#F0E442",
    "pool": "#E69F00",
    "flatten": "#CC79A7",
    "dense": "#009E73",
    "other": "#BBBBBB",
}


@dataclass(frozen=True)
class LayerInfo:
    """One row of a model's table: what the layer is, what comes out, how many weights."""

    name: str
    kind: str  # Keras class name, e.g. "Conv2D"
    output_shape: tuple[int, ...]  # without the batch axis
    params: int


# The model notebook 04 builds in visible code, as the table Keras gives for it (a test
# builds the model and compares). The tracker and the checker default to it, so both work
# without TensorFlow.
SMALL_CNN_TABLE: tuple[LayerInfo, ...] = (
    LayerInfo("conv1", "Conv2D", (32, 32, 8), (3 * 3 * 3 + 1) * 8),
    LayerInfo("relu1", "ReLU", (32, 32, 8), 0),
    LayerInfo("pool1", "MaxPooling2D", (16, 16, 8), 0),
    LayerInfo("conv2", "Conv2D", (16, 16, 16), (3 * 3 * 8 + 1) * 16),
    LayerInfo("relu2", "ReLU", (16, 16, 16), 0),
    LayerInfo("pool2", "MaxPooling2D", (8, 8, 16), 0),
    LayerInfo("flatten", "Flatten", (8 * 8 * 16,), 0),
    LayerInfo("dense", "Dense", (32,), (8 * 8 * 16 + 1) * 32),
    LayerInfo("logits", "Dense", (10,), (32 + 1) * 10),
)


def _family(kind: str) -> str:
    lowered = kind.lower()
    for key, family in (
        ("conv", "conv"),
        ("relu", "relu"),
        ("activation", "relu"),
        ("pool", "pool"),
        ("flatten", "flatten"),
        ("dense", "dense"),
        ("input", "input"),
    ):
        if key in lowered:
            return family
    return "other"


def layer_table(model: Any) -> list[LayerInfo]:
    """Name, class, output shape (no batch axis) and parameter count of every layer.

    ``model`` must be built (made with ``keras.Input`` or called once), so every layer
    knows its output shape.
    """
    layers = getattr(model, "layers", None)
    if layers is None:
        raise TypeError(f"model must be a Keras model with .layers, got {type(model).__name__}")
    rows = []
    for layer in layers:
        try:
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError) as exc:
            raise ValueError(
                f"layer {layer.name!r} has no output shape yet: build the model with "
                "keras.Input(shape=...) first"
            ) from exc
        rows.append(
            LayerInfo(
                layer.name,
                type(layer).__name__,
                tuple(int(v) for v in shape[1:]),
                int(layer.count_params()),
            )
        )
    return rows


def format_shape(shape: Sequence[int]) -> str:
    """(32, 32, 8) -> '32x32x8'; (10,) -> '10'."""
    return "x".join(str(int(v)) for v in shape)


_SHAPE_SPLIT = re.compile(r"[\s,x×*]+")


def parse_shape(text: object) -> tuple[int, ...] | None:
    """Read a learner's shape: '32, 32, 8', '(32,32,8)', '32x32x8', '(None, 10)' or a tuple.

    A leading ``None`` (Keras' batch axis) is dropped. Returns ``None`` for an empty or
    unreadable answer rather than raising: the tracker marks it as not answered / wrong.
    """
    if isinstance(text, (tuple, list)):
        items = list(text)
    else:
        cleaned = str(text).strip().strip("()[]").replace("None", " ")
        items = [p for p in _SHAPE_SPLIT.split(cleaned.lower()) if p]
    if items and items[0] is None:
        items = items[1:]
    try:
        values = tuple(int(v) for v in items)
    except (TypeError, ValueError):
        return None
    return values or None


def parse_count(text: object) -> int | None:
    """Read a learner's parameter count: 1168, '1,168', '1 168' or '1_168'."""
    if isinstance(text, (int, np.integer)) and not isinstance(text, bool):
        return int(text)
    cleaned = re.sub(r"[\s,_']", "", str(text))
    return int(cleaned) if cleaned.isdigit() else None


# ---------------------------------------------------------------- diagram


def draw_architecture(
    model: Any | Sequence[LayerInfo],
    input_shape: Sequence[int] | None = None,
    ax: plt.Axes | None = None,
    title: str = "",
    per_row: int | None = None,
) -> plt.Axes:
    """Boxes and arrows, one box per layer: its kind, output shape and parameter count.

    ``model`` is a built Keras model or a list of :class:`LayerInfo`. Long models wrap onto
    rows of ``per_row`` boxes (default: at most 6, rows even) to stay readable on a projector.
    """
    rows = list(model) if isinstance(model, (list, tuple)) else layer_table(model)
    if input_shape is None and not isinstance(model, (list, tuple)):
        input_shape = tuple(int(v) for v in model.inputs[0].shape[1:])
    boxes = []
    if input_shape is not None:
        boxes.append(("input", "Input", format_shape(input_shape), None))
    boxes += [(_family(r.kind), r.kind, format_shape(r.output_shape), r.params) for r in rows]
    names = ([""] if input_shape is not None else []) + [r.name for r in rows]
    if per_row is None:  # at most 6 boxes a row, rows as even as possible
        per_row = -(-len(boxes) // -(-len(boxes) // 6))
    n_rows = -(-len(boxes) // per_row)
    if ax is None:
        _, ax = plt.subplots(figsize=(2.2 * min(per_row, len(boxes)), 2.3 * n_rows + 0.3))
    width, height, gap = 1.6, 1.3, 0.6
    centres = []
    for i, (family, kind, shape, params) in enumerate(boxes):
        row, col = divmod(i, per_row)
        x, y = col * (width + gap), -row * (height + 1.0)
        ax.add_patch(
            FancyBboxPatch(
                (x, y),
                width,
                height,
                boxstyle="round,pad=0.05",
                facecolor=KIND_COLOURS[family],
                edgecolor="black",
            )
        )
        label = f"{kind}\n{shape}" + ("" if params is None else f"\n{params:,} params")
        ax.text(x + width / 2, y + height / 2 + 0.08, label, ha="center", va="center", fontsize=9.5)
        if names[i]:
            ax.text(
                x + width / 2, y - 0.16, names[i], ha="center", va="center", fontsize=8, color="0.3"
            )
        centres.append((x, y))
    for (x0, y0), (x1, y1) in zip(centres, centres[1:]):
        if y0 == y1:
            path = [(x0 + width, y0 + height / 2), (x1, y1 + height / 2)]
        else:  # wrap to the next row: down, back left along the gap, down again
            mid = y0 - 0.55
            path = [
                (x0 + width / 2, y0 - 0.3),
                (x0 + width / 2, mid),
                (x1 + width / 2, mid),
                (x1 + width / 2, y1 + height + 0.08),
            ]
            ax.plot(*zip(*path[:-1]), color="0.25", linewidth=1.4)
            path = path[-2:]
        ax.add_patch(
            FancyArrowPatch(
                path[0],
                path[1],
                arrowstyle="-|>",
                mutation_scale=14,
                color="0.25",
                linewidth=1.4,
                shrinkA=0,
                shrinkB=0,
            )
        )
    total_w = min(per_row, len(boxes)) * (width + gap) - gap
    ax.set_xlim(-0.2, total_w + 0.2)
    ax.set_ylim(-(n_rows - 1) * (height + 1.0) - 0.5, height + 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
    total = sum(r.params for r in rows)
    ax.set_title(title or f"{len(rows)} layers, {total:,} parameters in total")
    return ax


# ---------------------------------------------------------------- kernels and feature maps


def _to_rgb(kernel: np.ndarray) -> np.ndarray:
    """Stretch one (kh, kw, 3) kernel to [0, 1] so it can be shown as a colour patch."""
    low, high = kernel.min(), kernel.max()
    return (kernel - low) / (high - low) if high > low else np.full_like(kernel, 0.5)


def compare_kernels(before: np.ndarray, after: np.ndarray, max_filters: int = 8) -> Figure:
    """First-layer kernels before and after training, and what training changed.

    ``before``/``after``: Conv2D weights (kh, kw, channels, filters). Rows: the kernels
    before (as colour patches when there are 3 channels), after, and the change summed over
    the channels (blue: went down, red: went up, one scale for all).
    """
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    if before.shape != after.shape or before.ndim != 4:
        raise ValueError(
            "before and after must be Conv2D kernels of the same shape (kh, kw, channels, "
            f"filters), got {before.shape} and {after.shape}"
        )
    count = min(before.shape[3], max_filters)
    change = (after - before).sum(axis=2)
    lim = float(np.abs(change[..., :count]).max()) or 1.0
    fig, axes = plt.subplots(3, count, figsize=(1.5 * count, 5), squeeze=False)
    for i in range(count):
        for row, weights in enumerate((before, after)):
            k = weights[..., i]
            if k.shape[2] == 3:
                axes[row, i].imshow(_to_rgb(k))
            else:
                axes[row, i].imshow(k.sum(axis=2), cmap="RdBu_r")
        image = axes[2, i].imshow(change[..., i], cmap="RdBu_r", vmin=-lim, vmax=lim)
        axes[0, i].set_title(f"filter {i}", fontsize=9)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    for row, label in enumerate(("before", "after", "change")):
        axes[row, 0].set_ylabel(label)
    fig.colorbar(image, ax=axes[2, :].tolist(), shrink=0.9, label="change")
    fig.suptitle("first-layer kernels: random at the start, then nudged by training")
    return fig


def intermediate_outputs(model: Any, image: np.ndarray) -> dict[str, np.ndarray]:
    """Every layer's output for one image (H, W, C), keyed by layer name, batch axis removed."""
    import keras

    arr = np.asarray(image, dtype="float32")
    expected = tuple(int(v) for v in model.inputs[0].shape[1:])
    if arr.shape != expected:
        raise ValueError(f"image must have the model's input shape {expected}, got {arr.shape}")
    probe = keras.Model(model.inputs, [layer.output for layer in model.layers])
    outputs = probe.predict(arr[None], verbose=0)
    return {layer.name: np.asarray(out)[0] for layer, out in zip(model.layers, outputs)}


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
