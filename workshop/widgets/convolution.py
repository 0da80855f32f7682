"""Explorers for notebook 02: step through a convolution, size it, play with kernels.

Every explorer is an :class:`~workshop.widgets._view.Explorer`: the object is what a notebook
cell shows (its last expression), and plain attributes hold its state (current step, arrays,
messages), so tests can drive the controls headless and assert on what a learner would see.

Only the ipywidgets API shared by 7.x (Google Colab) and 8.x is used. Figures are drawn
once and then updated in place (``set_data``/``set_text``); each redraw goes to the browser
through a :class:`~workshop.widgets._view.FigureView`.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from workshop import kernels as kernel_library
from workshop import ops
from workshop.images import square_photo
from workshop.plots import SIGNED_CMAP, MatrixPanel, signed_limit, value_range
from workshop.widgets._view import Explorer, FigureView, learner_change

__all__ = [
    "KernelPlayground",
    "OutputSizeCalculator",
    "StepThrough",
]


class StepThrough(Explorer):
    """Slide a kernel over a small image one position at a time.

    Shows the window on the (padded) image, the kernel, the products with their sum, and
    the feature map filling up. The ``step`` slider counts positions from 1; ``index`` is
    the same position counted from 0. Stride and padding buttons change the geometry. Rows
    and columns a stride cannot reach are dropped (``ops.conv_output_size``) and the flag
    says how many (``left_over``: rows, columns); a kernel larger than the padded image
    does not fit, and the flag shows the reason.
    """

    def __init__(
        self,
        image: object = None,
        kernel: object = None,
        stride: int = 1,
        padding: int = 0,
        interval_ms: int = 900,
    ) -> None:
        self.image = np.asarray(kernel_library.SEED_IMAGE if image is None else image, float)
        self.kernel = np.asarray(kernel_library.SEED_KERNEL if kernel is None else kernel, float)
        if self.image.ndim != 2 or self.kernel.ndim != 2:
            raise ValueError(
                f"image and kernel must be 2-D, got shapes {self.image.shape} and "
                f"{self.kernel.shape}"
            )
        self.steps: list[ops.ConvStep] = []
        self.error: str | None = None
        self.left_over = (0, 0)
        self.padded = self.image
        self.full_map = np.zeros((0, 0))
        self.partial = np.zeros((0, 0))
        self.view = FigureView((12.5, 3.6), dpi=80)

        self.slider = widgets.IntSlider(
            value=1, min=1, max=1, description="step", continuous_update=True
        )
        self.play = widgets.Play(value=1, min=1, max=1, interval=interval_ms, description="play")
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.label = widgets.HTML()
        self.sum_text = widgets.HTML()
        self.stride_buttons = widgets.ToggleButtons(
            options=[1, 2, 3], value=stride, description="stride"
        )
        self.padding_buttons = widgets.ToggleButtons(
            options=[0, 1, 2], value=padding, description="padding"
        )
        self.flag = widgets.HTML()
        self.slider.observe(self._on_step, names="value")
        self.stride_buttons.observe(self._on_geometry, names="value")
        self.padding_buttons.observe(self._on_geometry, names="value")
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.play, self.slider, self.label]),
                widgets.HBox([self.stride_buttons, self.padding_buttons]),
                self.flag,
                self.sum_text,
                self.view.image,
            ]
        )
        self._build()

    # ------------------------------------------------------------ state
    @property
    def stride(self) -> int:
        return int(self.stride_buttons.value)

    @property
    def padding(self) -> int:
        return int(self.padding_buttons.value)

    @property
    def fits(self) -> bool:
        return self.error is None

    @property
    def index(self) -> int:
        """Current position counted from 0 (reading order)."""
        return int(self.slider.value) - 1

    @property
    def current(self) -> ops.ConvStep | None:
        return self.steps[self.index] if self.fits else None

    def show(self, index: int) -> None:
        """Jump to position ``index`` (counted from 0)."""
        if not 0 <= index < max(len(self.steps), 1):
            raise ValueError(f"index must be between 0 and {len(self.steps) - 1}, got {index}")
        self.slider.value = index + 1

    # ------------------------------------------------------------ geometry
    def _output_shape(self) -> tuple[int, int]:
        sizes = zip(self.image.shape, self.kernel.shape)
        return tuple(ops.conv_output_size(n, k, self.stride, self.padding) for n, k in sizes)

    def _left_over(self) -> tuple[int, int]:
        sizes = zip(self.image.shape, self.kernel.shape)
        return tuple(ops.conv_leftover(n, k, self.stride, self.padding) for n, k in sizes)

    def _build(self) -> None:
        p = self.padding
        self.padded = np.pad(self.image, p)
        try:
            shape = self._output_shape()
        except ValueError as exc:
            self.error = str(exc)
            self.steps, shape, self.left_over = [], (0, 0), (0, 0)
        else:
            self.error = None
            self.left_over = self._left_over()
            self.steps = list(ops.conv2d_steps(self.image, self.kernel, self.stride, p))
        self.full_map = np.array([s.total for s in self.steps]).reshape(shape)
        n = max(len(self.steps), 1)
        # Moving the slider back to 1 must not redraw the panels before they are rebuilt below.
        with self.setting_controls():
            # Shrink the range before moving the value, so the slider never holds an invalid value.
            self.play.value = self.slider.value = 1
            self.play.max = self.slider.max = n
            self.slider.disabled = self.play.disabled = not self.fits
        if self.fits:
            self.flag.value = (
                f"output size: ⌊({self.image.shape[0]} + 2·{p} − {self.kernel.shape[0]}) / "
                f"{self.stride}⌋ + 1 = <b>{shape[0]}</b>, so the feature map is "
                f"{shape[0]}×{shape[1]}"
            )
            rows, cols = self.left_over
            if rows or cols:
                self.flag.value += (
                    f"<br><span style='color:#b2182b'><b>⚠ Left over:</b> {rows} row(s) at the "
                    f"bottom and {cols} column(s) at the right: no window reaches them, so "
                    "they are dropped, as Keras drops them.</span>"
                )
        else:
            self.flag.value = (
                f"<span style='color:#b2182b'><b>⚠ This setting does not fit:</b> "
                f"{self.error}</span>"
            )
        self._draw_axes(shape)
        self._update()

    def _draw_axes(self, shape: tuple[int, int]) -> None:
        fig = self.view.fig
        fig.clear()
        axes = fig.subplots(
            1,
            4,
            gridspec_kw={
                "width_ratios": [
                    self.padded.shape[1],
                    self.kernel.shape[1],
                    self.kernel.shape[1],
                    shape[1] if self.fits else self.kernel.shape[1],
                ]
            },
        )
        title = "image" if self.padding == 0 else f"image, padded by {self.padding}"
        lo, hi = value_range(self.padded, self.kernel)
        self.image_panel = MatrixPanel(axes[0], self.padded.shape, title, lo, hi)
        self.kernel_panel = MatrixPanel(axes[1], self.kernel.shape, "kernel", lo, hi)
        products = [s.products for s in self.steps] or [np.zeros(self.kernel.shape)]
        plo, phi = value_range(*products)
        self.product_panel = MatrixPanel(axes[2], self.kernel.shape, "window × kernel", plo, phi)
        flo, fhi = value_range(self.full_map) if self.fits else (0.0, 1.0)
        self.map_panel = MatrixPanel(
            axes[3], shape if self.fits else (1, 1), "feature map", flo, fhi
        )
        self.image_panel.update(self.padded)
        self.kernel_panel.update(self.kernel)
        fig.subplots_adjust(left=0.03, right=0.99, bottom=0.08, top=0.86, wspace=0.25)
        moving = [self.image_panel.box]
        for panel in (self.product_panel, self.map_panel):
            moving += [panel.im, *panel.texts.ravel(), panel.box, panel.ax.title]
        self.view.keep_background(moving)

    # ------------------------------------------------------------ redraw
    @learner_change
    def _on_step(self, change: dict) -> None:
        self._update()

    @learner_change
    def _on_geometry(self, change: dict) -> None:
        self._build()

    def _update(self) -> None:
        n = len(self.steps)
        kh, kw = self.kernel.shape
        if not self.fits:
            self.partial = np.full((0, 0), np.nan)
            self.label.value = "<b>no steps</b>: change stride or padding"
            self.sum_text.value = ""
            self.image_panel.update(self.padded)
            self.product_panel.update(np.full(self.kernel.shape, np.nan))
            self.map_panel.update(np.full((1, 1), np.nan))
            self.map_panel.ax.set_title("feature map: does not fit", color="#b2182b")
            self.view.refresh()
            return
        step = self.steps[self.index]
        self.partial = np.full(self.full_map.shape, np.nan)
        self.partial.flat[: self.index + 1] = self.full_map.flat[: self.index + 1]
        self.label.value = f"<b>step {self.index + 1} of {n}</b>"
        terms = " + ".join(f"{p:g}×{k:g}" for p, k in zip(step.patch.ravel(), self.kernel.ravel()))
        self.sum_text.value = (
            f"window at row {step.top}, column {step.left}: {terms} = "
            f"<b>{step.total:g}</b> → feature map[{step.row}, {step.col}]"
        )
        self.image_panel.update(self.padded, (step.top, step.left, kh, kw))
        self.product_panel.update(step.products)
        self.product_panel.ax.set_title(f"window × kernel, sum = {step.total:g}")
        self.map_panel.update(self.partial, (step.row, step.col, 1, 1))
        self.view.refresh()


class OutputSizeCalculator(Explorer):
    """Sliders for n, k, stride and padding; shows ⌊(n + 2p − k) / s⌋ + 1 and what is dropped.

    State: ``size`` (None when the kernel does not fit), ``left_over`` (rows and columns no
    window reaches, dropped as Keras drops them) and ``message``.
    """

    def __init__(self, n: int = 5, k: int = 3, stride: int = 1, padding: int = 0) -> None:
        style = {"description_width": "70px"}
        self.n = widgets.IntSlider(value=n, min=1, max=64, description="image n", style=style)
        self.k = widgets.IntSlider(value=k, min=1, max=11, description="kernel k", style=style)
        self.stride = widgets.IntSlider(
            value=stride, min=1, max=6, description="stride s", style=style
        )
        self.padding = widgets.IntSlider(
            value=padding, min=0, max=5, description="padding p", style=style
        )
        self.result = widgets.HTML()
        self.size: int | None = None
        self.left_over = 0
        self.message = ""
        for control in (self.n, self.k, self.stride, self.padding):
            control.observe(self._update, names="value")
        self.widget = widgets.VBox([self.n, self.k, self.stride, self.padding, self.result])
        self._update()

    def _update(self, change: dict | None = None) -> None:
        n, k, s, p = self.n.value, self.k.value, self.stride.value, self.padding.value
        formula = f"⌊({n} + 2·{p} − {k}) / {s}⌋ + 1"
        try:
            self.size = ops.conv_output_size(n, k, s, p)
        except ValueError as exc:
            self.size, self.left_over = None, 0
            self.message = f"does not fit: {exc}"
            self.result.value = (
                f"{formula} → <span style='color:#b2182b'><b>⚠ {self.message}</b></span>"
            )
            return
        self.left_over = ops.conv_leftover(n, k, s, p)
        self.message = f"output size {self.size}"
        self.result.value = f"{formula} = <b>{self.size}</b> (output is {self.size}×{self.size})"
        if self.left_over:
            note = (
                f"{self.left_over} row(s) and column(s) left over: no window reaches them, "
                "so they are dropped, as Keras drops them"
            )
            self.message += f"; {note}"
            self.result.value += f"<br><span style='color:#b2182b'>⚠ {note}</span>"


def _pixel_exact_view(shape: tuple[int, int], width: str) -> FigureView:
    """A JPEG figure whose single axes covers exactly ``shape`` pixels, with room for a title."""
    dpi, title_px = 100, 36
    h, w = shape
    view = FigureView((w / dpi, (h + title_px) / dpi), dpi=dpi, fmt="jpeg", width=width)
    ax = view.fig.add_axes((0, 0, 1, h / (h + title_px)))
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    return view


class KernelPlayground(Explorer):
    """Edit a 3x3 kernel (nine boxes or a preset) and see its feature map of a photograph.

    ``kernel`` is what the boxes hold, ``result`` the feature map last drawn. Padding 1
    keeps the map the size of the photograph, so the identity kernel gives the photo back.
    """

    def __init__(
        self, photo: object = None, kernel: str = "vertical edges", display_width: str = "360px"
    ) -> None:
        self.photo = square_photo() if photo is None else np.asarray(photo, float)
        if self.photo.ndim != 2:
            raise ValueError(f"photo must be a 2-D grayscale array, got shape {self.photo.shape}")
        self.preset = widgets.Dropdown(
            options=kernel_library.names() + ["custom"], value=kernel, description="preset"
        )
        start = kernel_library.get(kernel)
        self.boxes = [
            widgets.FloatText(
                value=round(float(v), 4), step=0.1, layout=widgets.Layout(width="80px")
            )
            for v in start.ravel()
        ]
        self.info = widgets.HTML()
        # The photograph never changes: it is drawn once, in a picture of its own. The map is
        # drawn one data pixel per screen pixel ("nearest"), so no resampling costs time.
        self.photo_view = _pixel_exact_view(self.photo.shape, display_width)
        self.photo_view.image.layout.margin = "0 8px 0 0"
        ax_photo = self.photo_view.fig.axes[0]
        ax_photo.imshow(self.photo, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax_photo.set_title("photograph", fontsize=16)
        self.photo_view.refresh()
        self.view = _pixel_exact_view(self.photo.shape, display_width)
        ax_map = self.view.fig.axes[0]
        self.result = ops.conv2d(self.photo, start, padding=1)
        self.map_image = ax_map.imshow(self.result, cmap="gray", interpolation="nearest")
        self.map_title = ax_map.set_title("", fontsize=16)
        for box in self.boxes:
            box.observe(self._on_box, names="value")
        self.preset.observe(self._on_preset, names="value")
        grid = widgets.VBox([widgets.HBox(self.boxes[r * 3 : r * 3 + 3]) for r in range(3)])
        # Never squeezed: on a narrow output area (the classic Notebook's, ipywidgets 7) the
        # pictures wrap below the controls instead of covering the preset and the boxes.
        controls = widgets.VBox(
            [self.preset, grid, self.info], layout=widgets.Layout(width="300px", flex="0 0 auto")
        )
        self.widget = widgets.HBox(
            [controls, self.photo_view.image, self.view.image],
            layout=widgets.Layout(flex_flow="row wrap"),
        )
        self.update()

    @property
    def kernel(self) -> np.ndarray:
        return np.array([float(b.value) for b in self.boxes]).reshape(3, 3)

    def set_kernel(self, kernel: object) -> None:
        """Put a 3x3 kernel into the boxes and redraw once."""
        k = np.asarray(kernel, dtype=float)
        if k.shape != (3, 3):
            raise ValueError(f"kernel must be 3x3, got shape {k.shape}")
        with self.setting_controls():  # nine box changes, one redraw below
            for box, v in zip(self.boxes, k.ravel()):
                box.value = round(float(v), 4)
        self.update()

    @learner_change
    def _on_preset(self, change: dict) -> None:
        if change["new"] != "custom":
            self.set_kernel(kernel_library.get(change["new"]))

    @learner_change
    def _on_box(self, change: dict) -> None:
        name = self.preset.value
        if name != "custom" and not np.allclose(self.kernel, kernel_library.get(name), atol=1e-4):
            with self.setting_controls():  # switching the label must not reload the preset
                self.preset.value = "custom"
        self.update()

    def update(self) -> None:
        """Recompute the feature map and redraw the right-hand picture in place."""
        k = self.kernel
        self.result = ops.conv2d(self.photo, k, padding=1)
        if k.min() < 0:  # signed map: blue negative, red positive, white zero
            lim = signed_limit(self.result)
            self.map_image.set_cmap(SIGNED_CMAP)
            self.map_image.set_clim(-lim, lim)
        else:
            self.map_image.set_cmap("gray")
            self.map_image.set_clim(float(self.result.min()), float(self.result.max()) or 1.0)
        self.map_image.set_data(self.result)
        name = self.preset.value if self.preset.value != "custom" else "your kernel"
        if self.map_title.get_text() != f"feature map: {name}":
            # The title changes only with the preset: keep it with the still parts, so a
            # change of a box paints only the map over them.
            self.map_title.set_text(f"feature map: {name}")
            self.view.keep_background([self.map_image])
        total = float(k.sum())
        if abs(total - 1) < 1e-6:
            note = "weights sum to 1: overall brightness is kept"
        elif abs(total) < 1e-6:
            note = "weights sum to 0: flat areas become 0, only changes remain"
        else:
            note = f"weights sum to {total:g}: flat areas are scaled by {total:g}"
        description = kernel_library.DESCRIPTIONS.get(self.preset.value, "")
        self.info.value = f"{description}<br>{note}" if description else note
        self.view.refresh()
