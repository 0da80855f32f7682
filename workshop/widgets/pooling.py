"""Explorers for notebook 03: what ReLU clips and where each pooled value comes from.

Each explorer keeps its state in plain attributes (arrays, messages) so a headless test
can set ``.value`` on a control or click a button and then assert on the numbers, without
looking at any picture. Only the ipywidgets API shared by 7.x (Colab) and 8.x is used.
"""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from workshop import kernels as kernel_library
from workshop import ops
from workshop.plots import SIGNED_CMAP, colour_scale, show_matrix, signed_limit

__all__ = [
    "RELU_KERNELS",
    "EXAMPLE_MAP",
    "PoolingExplorer",
    "ReLUExplorer",
    "pooling_explorer",
    "relu_explorer",
]

# Kernels (by name in workshop.kernels) whose responses are signed on a photograph:
# bright-to-dark and dark-to-bright edges give opposite signs, which is exactly what ReLU
# then has to decide about.
RELU_KERNELS = ("vertical edges", "horizontal edges", "diagonal edges", "outline")

# A small signed feature map with distinct values, so every max has a single home.
EXAMPLE_MAP = np.array(
    [
        [1, -3, 4, 0, 2, -1],
        [5, 2, -2, 6, -4, 3],
        [-1, 7, 0, 1, 8, -2],
        [3, -5, 9, -6, 0, 4],
        [2, 0, -3, 1, 5, -7],
        [-4, 6, 1, -2, 3, 2],
    ],
    dtype=float,
)


def _render(fig: Figure, out: widgets.Output) -> None:
    """Show the (already updated) figure inside ``out``, replacing what was there."""
    from IPython.display import clear_output, display

    with out:
        clear_output(wait=True)
        display(fig)


class ReLUExplorer:
    """A signed feature map before and after ReLU, with the share of values clipped to zero.

    Controls: ``kernel`` (Dropdown) picks the filter, ``bias`` (FloatSlider) is added to
    every value before ReLU, as a convolution layer's bias would be.
    State: ``feature_map`` (conv + bias), ``activated`` (after ReLU), ``clipped_fraction``.
    """

    def __init__(
        self,
        image: np.ndarray | None = None,
        kernels: Mapping[str, np.ndarray] | None = None,
        size: tuple[int, int] = (150, 128),
    ) -> None:
        if image is None:
            from workshop.images import sample_photo

            image = sample_photo(gray=True, size=size)
        self.image = np.asarray(image, dtype=float)
        if self.image.ndim != 2:
            raise ValueError(f"image must be a 2-D gray image, got shape {self.image.shape}")
        if kernels is None:
            kernels = {name: kernel_library.get(name) for name in RELU_KERNELS}
        self.kernels = dict(kernels)
        if not self.kernels:
            raise ValueError("kernels is empty: give at least one named kernel")
        names = list(self.kernels)
        self.kernel = widgets.Dropdown(options=names, value=names[0], description="kernel")
        self.bias = widgets.FloatSlider(
            value=0.0,
            min=-1.0,
            max=1.0,
            step=0.05,
            description="bias",
            continuous_update=False,
            readout_format=".2f",
        )
        self.summary = widgets.HTML()
        self.out = widgets.Output()
        self._build_figure()
        self.kernel.observe(self._on_change, names="value")
        self.bias.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.kernel, self.bias]), self.summary, self.out])
        self.update()

    def _build_figure(self) -> None:
        self.fig, axes = plt.subplots(1, 3, figsize=(13, 4.6))
        plt.close(self.fig)  # shown through the Output widget, not by the inline backend
        self.axes = axes
        zeros = np.zeros_like(self.image)
        axes[0].imshow(self.image, cmap="gray")
        axes[0].set_title("input photo\n(gray, 0 = black, 1 = white)")
        self._before = axes[1].imshow(zeros, cmap=SIGNED_CMAP, vmin=-1, vmax=1)
        self._after = axes[2].imshow(zeros, cmap=SIGNED_CMAP, vmin=-1, vmax=1)
        for ax in axes:
            ax.set_xticks([])
            ax.set_yticks([])
        self.fig.colorbar(self._after, ax=axes[1:], shrink=0.8, label="value (blue < 0 < red)")

    def _on_change(self, _change: object = None) -> None:
        self.update()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def update(self) -> None:
        """Recompute from the controls and redraw the two maps in place."""
        kernel = self.kernels[self.kernel.value]
        self.feature_map = ops.conv2d(self.image, kernel) + float(self.bias.value)
        self.activated = ops.relu(self.feature_map)
        self.clipped_fraction = float(np.mean(self.feature_map < 0))
        # One colour scale for both panels, centred on zero, so "white" means zero in both.
        lim = signed_limit(self.feature_map)
        for artist, data in ((self._before, self.feature_map), (self._after, self.activated)):
            artist.set_data(data)
            artist.set_clim(-lim, lim)
        self.axes[1].set_title(f"before ReLU\n{self.kernel.value}, bias {self.bias.value:+.2f}")
        self.axes[2].set_title(f"after ReLU\n{self.clipped_fraction:.0%} of values set to 0")
        self.summary.value = (
            f"<b>{self.clipped_fraction:.0%}</b> of the {self.feature_map.size:,} values were "
            f"negative and became 0; min before {self.feature_map.min():.2f}, "
            f"max {self.feature_map.max():.2f}; min after {self.activated.min():.2f}."
        )
        _render(self.fig, self.out)


class PoolingExplorer:
    """Pool a small matrix with every number visible and see where each output came from.

    Controls: ``size`` (window), ``stride``, ``mode`` ("max" or "average") and ``cell``
    (which output to trace back to its window).
    State: ``output`` (None when the window does not fit), ``argmax`` ((oh, ow, 2) input
    positions of each max, None for average), ``window`` (top, left, height, width) of the
    selected output's window, ``message`` (what the learner should know about the setting).
    """

    def __init__(self, x: object | None = None, size: int = 2, stride: int = 2) -> None:
        self.x = EXAMPLE_MAP.copy() if x is None else np.asarray(x, dtype=float)
        if self.x.ndim != 2:
            raise ValueError(f"x must be a 2-D matrix, got shape {self.x.shape}")
        limit = max(self.x.shape) + 1  # one past the edge, so "does not fit" can be seen
        self.size = widgets.IntSlider(
            value=size, min=1, max=limit, description="window size", continuous_update=False
        )
        self.stride = widgets.IntSlider(
            value=stride, min=1, max=limit, description="stride", continuous_update=False
        )
        self.mode = widgets.ToggleButtons(
            options=["max", "average"], value="max", description="pooling"
        )
        self.cell = widgets.IntSlider(
            value=0, min=0, max=0, description="output cell", continuous_update=False
        )
        self.message_box = widgets.HTML()
        self.out = widgets.Output()
        self.fig, self.axes = plt.subplots(
            1, 2, figsize=(10, 4.5), gridspec_kw={"width_ratios": [3, 2]}
        )
        plt.close(self.fig)
        self._busy = False
        for control in (self.size, self.stride, self.mode, self.cell):
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.size, self.stride]),
                widgets.HBox([self.mode, self.cell]),
                self.message_box,
                self.out,
            ]
        )
        self.update()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def _on_change(self, _change: object = None) -> None:
        if not self._busy:  # changing cell.max below fires another change; handle it once
            self.update()

    def _compute(self) -> None:
        k, s = int(self.size.value), int(self.stride.value)
        h, w = self.x.shape
        self.output, self.argmax, self.window = None, None, None
        if k > h or k > w:
            self.message = (
                f"A {k}x{k} window does not fit in a {h}x{w} input: choose a window size "
                f"of at most {min(h, w)}."
            )
            return
        if self.mode.value == "max":
            self.output = ops.max_pool2d(self.x, k, s)
            self.argmax = ops.pool_argmax(self.x, k, s)
        else:
            self.output = ops.avg_pool2d(self.x, k, s)
        oh, ow = self.output.shape
        left_out = [ops.conv_leftover(n, k, s) for n in (h, w)]
        self.message = (
            f"{h}x{w} = {h * w} values &rarr; {oh}x{ow} = {oh * ow} value(s) "
            f"(rows: floor((n - window) / stride) + 1 = floor(({h} - {k}) / {s}) + 1 = {oh})."
        )
        if any(left_out):
            self.message += (
                f" <b>Left over:</b> the stride leaves {left_out[0]} row(s) and "
                f"{left_out[1]} column(s) at the bottom/right that no window reaches; they "
                "are dropped, as Keras drops them (shown in grey)."
            )
        if k > s:
            self.message += " Window larger than stride: windows overlap."

    def update(self) -> None:
        """Recompute from the controls, keep the selected cell valid, redraw."""
        self._busy = True
        try:
            self._compute()
            count = 0 if self.output is None else self.output.size
            self.cell.max = max(count - 1, 0)
            self.cell.disabled = self.output is None
            if self.output is not None:
                k, s = int(self.size.value), int(self.stride.value)
                r, c = divmod(int(self.cell.value), self.output.shape[1])
                self.window = (r * s, c * s, k, k)
        finally:
            self._busy = False
        self.message_box.value = self.message
        self._draw()

    def _draw(self) -> None:
        left, right = self.axes
        left.clear()
        right.clear()
        # One colour scale for input and output, so each pooled value wears its source's colour.
        scale = colour_scale(self.x)
        show_matrix(self.x, left, "input", highlight=self.window, **scale)
        if self.output is None:
            right.text(0.5, 0.5, "window does not fit", ha="center", va="center")
            right.set_axis_off()
            _render(self.fig, self.out)
            return
        k, s = int(self.size.value), int(self.stride.value)
        oh, ow = self.output.shape
        h, w = self.x.shape
        covered_h, covered_w = h - ops.conv_leftover(h, k, s), w - ops.conv_leftover(w, k, s)
        if covered_h < h:  # rows no window reaches
            left.axhspan(covered_h - 0.5, h - 0.5, color="0.6", alpha=0.7)
        if covered_w < w:
            left.axvspan(covered_w - 0.5, w - 0.5, color="0.6", alpha=0.7)
        if self.argmax is not None:
            rows, cols = self.argmax[..., 0].ravel(), self.argmax[..., 1].ravel()
            left.scatter(
                cols,
                rows,
                s=700,
                facecolors="none",
                edgecolors="black",
                linewidths=2,
                label="a max came from here",
            )
            left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.04), frameon=False)
        r, c = divmod(int(self.cell.value), ow)
        fmt = "{:g}" if self.mode.value == "max" else "{:.2f}"
        show_matrix(
            self.output,
            right,
            f"{self.mode.value} pooling, {k}x{k} window, stride {s}",
            fmt=fmt,
            highlight=(r, c, 1, 1),
            **scale,
        )
        _render(self.fig, self.out)


def relu_explorer(image: np.ndarray | None = None) -> widgets.VBox:
    """The ReLU explorer's widget, ready to display (state on ``.explorer``)."""
    explorer = ReLUExplorer(image)
    explorer.widget.explorer = explorer
    return explorer.widget


def pooling_explorer(x: object | None = None, size: int = 2, stride: int = 2) -> widgets.VBox:
    """The pooling explorer's widget, ready to display (state on ``.explorer``)."""
    explorer = PoolingExplorer(x, size, stride)
    explorer.widget.explorer = explorer
    return explorer.widget
