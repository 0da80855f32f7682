"""Matplotlib figures the notebooks and widgets share.

Colour maps are chosen to be readable by colour-blind learners: ``viridis`` for
magnitudes, ``RdBu_r`` centred on zero for signed values, ``gray`` for photographs.
Every function draws on an ``ax`` it is given (or makes one) and returns it, so
widgets can redraw in place.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = [
    "confusion_matrix",
    "feature_maps",
    "image_grid",
    "show_image",
    "show_matrix",
    "training_curves",
]


def _axes(ax: Axes | None, size: tuple[float, float] = (4, 4)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def _signed(values: np.ndarray) -> bool:
    return bool(values.min() < 0 < values.max())


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
    window. Signed data uses a diverging map centred on zero.
    """
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"values must be 2-D, got shape {arr.shape}")
    ax = _axes(ax, (0.6 * arr.shape[1] + 1, 0.6 * arr.shape[0] + 1))
    if cmap is None:
        cmap = "RdBu_r" if _signed(arr) else "viridis"
    if cmap == "RdBu_r" and vmin is None and vmax is None:
        lim = float(np.abs(arr).max()) or 1.0
        vmin, vmax = -lim, lim
    image = ax.imshow(arr, cmap=cmap, vmin=vmin, vmax=vmax)
    if numbers:
        norm = image.norm
        for (r, c), v in np.ndenumerate(arr):
            shade = norm(v) if np.isfinite(norm(v)) else 0.5
            dark = cmap in ("viridis", "cividis", "gray") and shade < 0.55
            if cmap == "RdBu_r":
                dark = abs(shade - 0.5) > 0.3
            ax.text(
                c,
                r,
                fmt.format(v),
                ha="center",
                va="center",
                color="white" if dark else "black",
                fontsize=10,
            )
    if highlight is not None:
        top, left, h, w = highlight
        ax.add_patch(
            plt.Rectangle(
                (left - 0.5, top - 0.5), w, h, fill=False, edgecolor="#ff7f0e", linewidth=3
            )
        )
    ax.set_xticks(range(arr.shape[1]))
    ax.set_yticks(range(arr.shape[0]))
    ax.tick_params(length=0, labelsize=8)
    if title:
        ax.set_title(title)
    return ax


def show_image(image: object, ax: Axes | None = None, title: str = "") -> Axes:
    """Show a photograph (H, W, 3) or a single-channel map (H, W) without axes ticks."""
    arr = np.asarray(image)
    ax = _axes(ax)
    if arr.ndim == 2:
        signed = _signed(arr.astype(float))
        lim = float(np.abs(arr).max()) or 1.0
        ax.imshow(
            arr,
            cmap="RdBu_r" if signed else "gray",
            vmin=-lim if signed else None,
            vmax=lim if signed else None,
        )
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
