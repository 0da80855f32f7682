"""Matplotlib figures the notebooks and widgets share: one colour rule, one matrix drawer.

Colour maps are chosen to be readable by colour-blind learners: ``viridis`` for
magnitudes, ``RdBu_r`` centred on zero for signed values, ``gray`` for photographs.
Every signed picture (matrices, feature maps, explorers, kernel changes) takes its scale
from :func:`signed_limit`, so "white is zero, full red is this much" means the same in every
figure. Every function draws on an ``ax`` it is given (or makes one) and returns it, so
widgets can redraw in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Colormap
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.ticker import PercentFormatter

from workshop.images import LUMA
from workshop.layers import LayerInfo, format_shape, layer_table

__all__ = [
    "SIGNED_CMAP",
    "WINDOW_COLOUR",
    "MatrixPanel",
    "colour_scale",
    "compare_accuracies",
    "compare_kernels",
    "confusion_matrix",
    "draw_architecture",
    "feature_maps",
    "image_grid",
    "is_signed",
    "show_image",
    "show_matrix",
    "signed_limit",
    "training_curves",
    "value_range",
]

SIGNED_CMAP = "RdBu_r"  # blue below zero, white at zero, red above
WINDOW_COLOUR = "#ff7f0e"  # orange: the kernel window, visible on viridis, gray and RdBu


def _axes(ax: Axes | None, size: tuple[float, float] = (4, 4)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


# ---------------------------------------------------------------- colour rule


def is_signed(values: object) -> bool:
    """True when ``values`` has both negative and positive entries (NaN ignored)."""
    arr = np.asarray(values, dtype=float)
    return bool(np.nanmin(arr) < 0 < np.nanmax(arr))


def signed_limit(*arrays: object) -> float:
    """The colour limit L of a signed picture: the scale runs from -L (blue) to +L (red).

    L is the 99th percentile of the absolute values (NaN ignored), taken as the next value up
    (``method="higher"``). For 100 values or fewer, as in every matrix with numbers written in,
    that is exactly the largest one, so no cell saturates; on a photograph's feature map it
    ignores the brightest 1%, so a few extreme pixels do not wash thin edges out to white.
    All-zero input gives 1.0.
    """
    parts = [np.asarray(a, dtype=float).ravel() for a in arrays]
    flat = np.abs(parts[0] if len(parts) == 1 else np.concatenate(parts))
    finite = np.isfinite(flat)
    if not finite.all():  # NaN marks cells not computed yet
        flat = flat[finite]
    if flat.size == 0:
        return 1.0
    return float(np.percentile(flat, 99, method="higher")) or 1.0


def value_range(*arrays: object) -> tuple[float, float]:
    """(low, high) over all ``arrays``, NaN ignored, widened by 1 when every value is equal."""
    lo = min(float(np.nanmin(a)) for a in arrays)
    hi = max(float(np.nanmax(a)) for a in arrays)
    return (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)


def colour_scale(
    *arrays: object, signed: bool | None = None, cmap: str = "viridis"
) -> dict[str, Any]:
    """``imshow`` keywords for one scale shared by ``arrays``: cmap, vmin, vmax.

    Signed data (or ``signed=True``) gets :data:`SIGNED_CMAP` from ``-signed_limit`` to
    ``+signed_limit``, so zero is white; otherwise ``cmap`` over the value range.
    """
    if signed is None:
        signed = any(is_signed(a) for a in arrays)
    if signed:
        lim = signed_limit(*arrays)
        return {"cmap": SIGNED_CMAP, "vmin": -lim, "vmax": lim}
    lo, hi = value_range(*arrays)
    return {"cmap": cmap, "vmin": lo, "vmax": hi}


def _text_colour(cmap: Colormap, shade: float) -> str:
    """White on dark cells, black on light ones: from the cell colour's brightness."""
    red, green, blue, _ = cmap(shade if np.isfinite(shade) else 0.5)
    return "white" if float(np.dot((red, green, blue), LUMA)) < 0.5 else "black"


# ---------------------------------------------------------------- matrices with numbers


class MatrixPanel:
    """A matrix drawn as coloured cells with each value written in, updatable in place.

    Draw once, then call :meth:`update` with new values of the same shape: the explorers move
    a window over it without drawing the axes again. NaN cells are left blank (used for the
    part of a feature map not computed yet). ``numbers=False`` draws the cells only.
    """

    def __init__(
        self,
        ax: Axes,
        shape: tuple[int, int],
        title: str,
        vmin: float,
        vmax: float,
        cmap: str = "viridis",
        fmt: str = "{:g}",
        fontsize: float = 12,
        numbers: bool = True,
    ) -> None:
        self.ax, self.fmt, self.title = ax, fmt, title
        self.im = ax.imshow(np.full(shape, np.nan), cmap=cmap, vmin=vmin, vmax=vmax)
        self.texts = np.empty(shape if numbers else (0, 0), dtype=object)
        for r, c in np.ndindex(self.texts.shape):
            self.texts[r, c] = ax.text(c, r, "", ha="center", va="center", fontsize=fontsize)
        self.box = Rectangle(
            (-0.5, -0.5), 1, 1, fill=False, edgecolor=WINDOW_COLOUR, linewidth=3, visible=False
        )
        ax.add_patch(self.box)
        ax.set_xticks(range(shape[1]))
        ax.set_yticks(range(shape[0]))
        ax.tick_params(length=0, labelsize=fontsize - 2)
        if title:
            ax.set_title(title)

    def _write_numbers(self, arr: np.ndarray) -> None:
        norm, cmap = self.im.norm, self.im.get_cmap()
        for (r, c), v in np.ndenumerate(arr):
            text = self.texts[r, c]
            if np.isnan(v):
                text.set_text("")
                continue
            text.set_text(self.fmt.format(v + 0.0))  # + 0.0 turns -0 into 0
            text.set_color(_text_colour(cmap, float(norm(v))))

    def update(self, values: object, box: tuple[int, int, int, int] | None = None) -> None:
        """Show ``values``; ``box`` = (top, left, height, width) outlines a window."""
        arr = np.asarray(values, dtype=float)
        self.im.set_data(arr)
        if self.texts.size:
            self._write_numbers(arr)
        if box is None:
            self.box.set_visible(False)
        else:
            top, left, h, w = box
            self.box.set_bounds(left - 0.5, top - 0.5, w, h)
            self.box.set_visible(True)


def show_matrix(
    values: object,
    ax: Axes | None = None,
    title: str = "",
    fmt: str = "{:g}",
    cmap: str | None = None,
    highlight: tuple[int, int, int, int] | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    numbers: bool = True,
) -> Axes:
    """Draw a 2-D array as coloured cells with each value written in its cell.

    ``highlight`` is (top, left, height, width) of a box to outline, e.g. the kernel
    window. Signed data uses the diverging map centred on zero (:func:`colour_scale`).
    A :class:`MatrixPanel` drawn once: the same cells and text colours as the explorers.
    """
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"values must be 2-D, got shape {arr.shape}")
    ax = _axes(ax, (0.6 * arr.shape[1] + 1, 0.6 * arr.shape[0] + 1))
    if cmap is None or cmap == SIGNED_CMAP:
        scale = colour_scale(arr, signed=True if cmap == SIGNED_CMAP else None)
    else:
        lo, hi = value_range(arr)
        scale = {"cmap": cmap, "vmin": lo, "vmax": hi}
    if vmin is not None:
        scale["vmin"] = vmin
    if vmax is not None:
        scale["vmax"] = vmax
    panel = MatrixPanel(ax, arr.shape, title, fmt=fmt, fontsize=10, numbers=numbers, **scale)
    panel.update(arr, highlight)
    return ax


def show_image(image: object, ax: Axes | None = None, title: str = "") -> Axes:
    """Show a photograph (H, W, 3) or a single-channel map (H, W) without axes ticks."""
    arr = np.asarray(image)
    ax = _axes(ax)
    if arr.ndim == 2:
        if is_signed(arr):
            ax.imshow(arr, **colour_scale(arr, signed=True))
        else:
            ax.imshow(arr, cmap="gray")
    else:
        ax.imshow(arr)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def image_grid(
    images: Sequence[np.ndarray] | np.ndarray,
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    size: float = 1.4,
    suptitle: str = "",
) -> Figure:
    """A grid of small images with an optional title under each."""
    n = len(images)
    if n == 0:
        raise ValueError("images is empty: give at least one image")
    if titles is not None and len(titles) != n:
        raise ValueError(f"titles has {len(titles)} entries but images has {n}")
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + 0.4), squeeze=False
    )
    for i, ax in enumerate(axes.flat):
        if i < n:
            show_image(images[i], ax, titles[i] if titles is not None else "")
            ax.title.set_fontsize(8)
        else:
            ax.axis("off")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    if titles is not None and nrows > 1:
        # tight_layout leaves too little room between rows for the small titles (it overlaps
        # them with the row above): make room for every title line, about 0.18 inch each.
        lines = max(str(t).count("\n") + 1 for t in titles)
        fig.subplots_adjust(hspace=max(fig.subplotpars.hspace, (0.18 * lines + 0.12) / size))
    return fig


def feature_maps(
    maps: object,
    ncols: int = 8,
    size: float = 1.3,
    suptitle: str = "",
    titles: Sequence[str] | None = None,
) -> Figure:
    """Every channel of a (H, W, F) stack as its own small picture."""
    arr = np.asarray(maps, dtype=float)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3:
        raise ValueError(f"maps must be (height, width, maps), got shape {arr.shape}")
    count = arr.shape[2]
    labels = list(titles) if titles is not None else [f"map {i}" for i in range(count)]
    return image_grid([arr[:, :, i] for i in range(count)], labels, ncols, size, suptitle)


def training_curves(history: object, ax: Sequence[Axes] | None = None) -> Figure:
    """Accuracy and loss per epoch, training and validation side by side.

    ``history`` is a Keras ``History`` or its ``.history`` dict.
    """
    data = getattr(history, "history", history)
    if not isinstance(data, dict) or "loss" not in data:
        raise ValueError("history must be a Keras History or a dict with at least 'loss'")
    if ax is None:
        fig, ax = plt.subplots(1, 2, figsize=(10, 3.5))
    else:
        fig = ax[0].figure
    epochs = np.arange(1, len(data["loss"]) + 1)
    for axis, metric in zip(ax, ("accuracy", "loss")):
        for prefix, style in (("", "-o"), ("val_", "--s")):
            key = prefix + metric
            if key in data:
                axis.plot(epochs, data[key], style, label="validation" if prefix else "training")
        axis.set_xlabel("epoch")
        axis.set_ylabel(metric)
        axis.set_title(f"{metric} per epoch")
        axis.legend()
        axis.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    return fig


def confusion_matrix(
    true: object, predicted: object, class_names: Sequence[str], ax: Axes | None = None
) -> Axes:
    """Counts of (true class, predicted class) with the numbers written in."""
    t = np.asarray(true).ravel().astype(int)
    p = np.asarray(predicted).ravel().astype(int)
    if t.shape != p.shape:
        raise ValueError(f"true has {t.size} labels but predicted has {p.size}")
    k = len(class_names)
    counts = np.zeros((k, k), dtype=int)
    np.add.at(counts, (t, p), 1)
    ax = _axes(ax, (7, 6))
    show_matrix(counts, ax, "confusion matrix", fmt="{:.0f}", cmap="viridis")
    ax.set_xticks(range(k), class_names, rotation=45, ha="right")
    ax.set_yticks(range(k), class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    return ax


# ---------------------------------------------------------------- diagrams

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


def draw_architecture(
    model: Any | Sequence[LayerInfo],
    input_shape: Sequence[int] | None = None,
    ax: Axes | None = None,
    title: str = "",
    per_row: int | None = None,
    show_numbers: bool = True,
) -> Axes:
    """Boxes and arrows, one box per layer: its kind, output shape and parameter count.

    ``model`` is a built Keras model or a list of :class:`LayerInfo`. Long models wrap onto
    rows of ``per_row`` boxes (default: at most 6, rows even) to stay readable on a projector.
    ``show_numbers=False`` draws "?" for every shape and count after the input's, so the
    diagram can come before the exercises that ask for them.
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
    if not show_numbers:
        boxes = [
            (family, kind, shape if family == "input" else "?", None if params is None else -1)
            for family, kind, shape, params in boxes
        ]
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
        if params is None:
            label = f"{kind}\n{shape}"
        else:
            label = f"{kind}\n{shape}\n" + ("? params" if params == -1 else f"{params:,} params")
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
    total = f"{sum(r.params for r in rows):,}" if show_numbers else "?"
    ax.set_title(title or f"{len(rows)} layers, {total} parameters in total")
    return ax


# ---------------------------------------------------------------- learned kernels


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
    change = (after - before).sum(axis=2)[..., :count]
    # Kernels without 3 channels are shown summed over their channels, signed, on one scale.
    summed = [w.sum(axis=2)[..., :count] for w in (before, after)]
    kernel_scale = colour_scale(*summed, signed=True)
    change_scale = colour_scale(change, signed=True)
    fig, axes = plt.subplots(3, count, figsize=(1.5 * count, 5), squeeze=False)
    for i in range(count):
        for row, weights in enumerate((before, after)):
            k = weights[..., i]
            if k.shape[2] == 3:
                axes[row, i].imshow(_to_rgb(k))
            else:
                axes[row, i].imshow(summed[row][..., i], **kernel_scale)
        image = axes[2, i].imshow(change[..., i], **change_scale)
        axes[0, i].set_title(f"filter {i}", fontsize=9)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    for row, label in enumerate(("before", "after", "change")):
        axes[row, 0].set_ylabel(label)
    fig.colorbar(image, ax=axes[2, :].tolist(), shrink=0.9, label="change")
    fig.suptitle("first-layer kernels: random at the start, then nudged by training")
    return fig


def compare_accuracies(
    scores: dict[str, float], chance: float, title: str = "", ax: Axes | None = None
) -> Figure:
    """Horizontal bars of held-out accuracy per way, each labelled, with chance as a line."""
    if not scores:
        raise ValueError("scores is empty: give at least one way and its accuracy")
    if not 0 <= chance <= 1:
        raise ValueError(f"chance must be a fraction between 0 and 1, got {chance}")
    ax = _axes(ax, (7, 0.6 * len(scores) + 1.2))
    names = list(scores)[::-1]  # the first way on top
    values = [scores[name] for name in names]
    bars = ax.barh(names, values, color=plt.get_cmap("viridis")(0.35))
    for bar, value in zip(bars, values):
        ax.text(value + 0.01, bar.get_y() + bar.get_height() / 2, f"{value:.0%}", va="center")
    ax.axvline(chance, color="black", linestyle="--", linewidth=1)
    ax.set_xlim(0, 1.08)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(f"held-out photos named correctly (dashed line: chance, {chance:.0%})")
    ax.set_title(title or "held-out accuracy")
    ax.figure.tight_layout()
    return ax.figure
