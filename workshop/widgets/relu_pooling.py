"""Explorers for notebook 03: what ReLU clips and where each pooled value comes from.

Each explorer is shown by making it a cell's last expression (or ``display(explorer)``) and
keeps its state in plain attributes (arrays, messages) so a headless test can set ``.value``
on a control or click a button and then assert on the numbers, without looking at any
picture. Pictures go through a :class:`~workshop.widgets._view.FigureView`, whatever the
notebook's matplotlib backend. Only the ipywidgets API shared by 7.x (Colab) and 8.x is used.
"""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from workshop import kernels as kernel_library
from workshop import ops
from workshop.plots import SIGNED_CMAP, colour_scale, show_matrix, signed_limit
from workshop.widgets._view import Explorer, FigureView, learner_change

__all__ = [
    "RELU_KERNELS",
    "EXAMPLE_MAP",
    "PoolingExplorer",
    "ReLUExplorer",
]

# Kernels (by name in workshop.kernels) whose responses are signed on a photograph:
# bright-to-dark and dark-to-bright edges give opposite signs, which is exactly what ReLU
# then has to decide about.
RELU_KERNELS = ("vertical edges", "horizontal edges", "diagonal edges", "outline")

# Pixels per inch of the two pictures: about as wide as the notebook column, quick to draw.
RELU_DPI = 72
POOLING_DPI = 72

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


class ReLUExplorer(Explorer):
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
        self._build_figure()
        self.kernel.observe(self._on_change, names="value")
        self.bias.observe(self._on_change, names="value")
        self.widget = widgets.VBox(
            [widgets.HBox([self.kernel, self.bias]), self.summary, self.view.image]
        )
        self.update()

    def _build_figure(self) -> None:
        self.view = FigureView((13, 4.6), dpi=RELU_DPI, fmt="jpeg")
        self.fig = self.view.fig
        axes = self.fig.subplots(1, 3)
        self.axes = axes
        zeros = np.zeros_like(self.image)
        axes[0].imshow(self.image, cmap="gray")
        axes[0].set_title("input photo\n(gray, 0 = black, 1 = white)")
        self._before = axes[1].imshow(zeros, cmap=SIGNED_CMAP, vmin=-1, vmax=1)
        self._after = axes[2].imshow(zeros, cmap=SIGNED_CMAP, vmin=-1, vmax=1)
        for ax in axes:
            ax.set_xticks([])
            ax.set_yticks([])
        self.fig.subplots_adjust(left=0.01, right=1.0, bottom=0.02, top=0.86, wspace=0.08)
        colorbar = self.fig.colorbar(
            self._after, ax=axes[1:], shrink=0.8, label="value (blue < 0 < red)"
        )
        # The photo and the frames never change: drawn once, then only the maps, their
        # titles and the colour bar (whose scale follows the maps) are painted again.
        frames = [spine for ax in axes[1:] for spine in ax.spines.values()]  # over the maps
        self.view.keep_background(
            [self._before, self._after, *frames, axes[1].title, axes[2].title, colorbar.ax]
        )

    def _on_change(self, _change: object = None) -> None:
        self.update()

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
        self.view.refresh()


class PoolingExplorer(Explorer):
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
        self._build_figure()
        for control in (self.size, self.stride, self.mode, self.cell):
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.size, self.stride]),
                widgets.HBox([self.mode, self.cell]),
                self.message_box,
                self.view.image,
            ]
        )
        self.update()

    @learner_change
    def _on_change(self, _change: object = None) -> None:
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
        # Lowering cell.max can move cell.value, which fires _on_change: this update covers it.
        with self.setting_controls():
            self._compute()
            count = 0 if self.output is None else self.output.size
            self.cell.max = max(count - 1, 0)
            self.cell.disabled = self.output is None
            if self.output is not None:
                k, s = int(self.size.value), int(self.stride.value)
                r, c = divmod(int(self.cell.value), self.output.shape[1])
                self.window = (r * s, c * s, k, k)
        self.message_box.value = self.message
        self._draw()

    def _build_figure(self) -> None:
        """Draw the input once; later changes only move marks and swap the output panel.

        Drawing a matrix with its numbers and ticks is what takes time, so each output panel
        (one per window size, stride and mode) is drawn once, the first time it is needed, and
        then only shown or hidden.
        """
        self.view = FigureView((10, 4.5), dpi=POOLING_DPI)
        self.fig = self.view.fig
        self._grid = self.fig.add_gridspec(1, 2, width_ratios=[3, 2])
        left = self.fig.add_subplot(self._grid[0])
        # One colour scale for input and output, so each pooled value wears its source's colour.
        self._scale = colour_scale(self.x)
        show_matrix(self.x, left, "input", highlight=(0, 0, 1, 1), **self._scale)
        self._window = left.patches[-1]  # the highlight box, moved to the selected window
        h, w = self.x.shape
        grey = {"color": "0.6", "alpha": 0.7}  # rows and columns that no window reaches
        self._uncovered = [
            left.add_patch(Rectangle((-0.5, h - 0.5), w, 0, **grey)),
            left.add_patch(Rectangle((w - 0.5, -0.5), 0, h, **grey)),
        ]
        self._maxima = left.scatter(
            [0],
            [0],
            s=700,
            facecolors="none",
            edgecolors="black",
            linewidths=2,
            label="a max came from here",
        )
        self._legend = left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.04), frameon=False)
        self._no_fit = self.fig.add_subplot(self._grid[1])
        self._no_fit.text(0.5, 0.5, "window does not fit", ha="center", va="center")
        self._no_fit.set_axis_off()
        self._panels: dict[tuple[int, int, str], Axes] = {}
        self.axes = [left, self._no_fit]
        self.view.keep_background(
            [*self._uncovered, self._maxima, self._window, self._legend, self._no_fit]
        )

    def _output_panel(self, k: int, s: int) -> Axes:
        """The axes showing ``self.output`` for this window, stride and mode (drawn once)."""
        key = (k, s, self.mode.value)
        if key not in self._panels:
            ax = self.fig.add_subplot(self._grid[1])
            fmt = "{:g}" if self.mode.value == "max" else "{:.2f}"
            title = f"{self.mode.value} pooling, {k}x{k} window, stride {s}"
            show_matrix(self.output, ax, title, fmt=fmt, highlight=(0, 0, 1, 1), **self._scale)
            self.view.also_moving([ax])
            self._panels[key] = ax
        return self._panels[key]

    def _draw(self) -> None:
        fits = self.output is not None
        panel = None
        if fits:
            k, s = int(self.size.value), int(self.stride.value)
            panel = self._output_panel(k, s)
        for ax in [self._no_fit, *self._panels.values()]:
            ax.set_visible(ax is (panel or self._no_fit))
        self.axes[1] = panel or self._no_fit
        for mark in [self._window, *self._uncovered, self._maxima, self._legend]:
            mark.set_visible(fits)
        if not fits:
            self.view.refresh()
            return
        top, left_col, _, _ = self.window
        self._window.set_bounds(left_col - 0.5, top - 0.5, k, k)
        oh, ow = self.output.shape
        h, w = self.x.shape
        covered_h, covered_w = h - ops.conv_leftover(h, k, s), w - ops.conv_leftover(w, k, s)
        rows, cols = self._uncovered
        rows.set_bounds(-0.5, covered_h - 0.5, w, h - covered_h)  # empty when all rows fit
        cols.set_bounds(covered_w - 0.5, -0.5, w - covered_w, h)
        if self.argmax is None:
            self._maxima.set_visible(False)
            self._legend.set_visible(False)
        else:
            self._maxima.set_offsets(self.argmax[..., ::-1].reshape(-1, 2))
        r, c = divmod(int(self.cell.value), ow)
        panel.patches[-1].set_bounds(c - 0.5, r - 0.5, 1, 1)  # the selected output cell
        self.view.refresh()
