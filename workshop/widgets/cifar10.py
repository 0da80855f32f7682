"""Notebook 05's network explorer: one image travels through a trained CNN, layer by layer.

``NetworkExplorer(model, x_test, y_test, class_names)`` as a cell's last expression shows the
explorer. Pick a test image (slider) or a photograph (dropdown),
pick a stage (the feature maps after a convolution, after its ReLU, after pooling...),
and see the maps and the class probabilities as bars.

It works for any built Keras Sequential or functional model with image input: it reads the
model's layers. A ``Conv2D`` with a fused activation (``activation="relu"``) is shown twice,
before the activation (recomputed from the layer's own kernel and bias) and after it.
Layers that do nothing at prediction time (``Dropout``, ``Random*`` augmentation) are skipped.

Only the API shared by ipywidgets 7 (Colab) and 8 is used. The state is public for tests:
``index``, ``image``, ``stages``, ``activations`` (stage -> (H, W, C) array), ``logits``,
``probabilities``, ``predicted``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np

from workshop.images import as_model_input
from workshop.layers import activation_name
from workshop.ops import softmax
from workshop.plots import SIGNED_CMAP, signed_limit
from workshop.widgets._view import Explorer, FigureView

__all__ = ["NetworkExplorer", "model_stages"]

MAPS_SHOWN = 16  # feature maps drawn at once: 2 rows of 8 stay readable on a projector
_SKIPPED = ("Dropout", "SpatialDropout", "GaussianNoise", "GaussianDropout", "InputLayer")
_STAGE_NAMES = {
    "MaxPooling2D": "max pooling",
    "AveragePooling2D": "average pooling",
    "ReLU": "ReLU",
    "BatchNormalization": "batch norm",
}


def _skipped(layer: Any) -> bool:
    kind = type(layer).__name__
    return kind.startswith("Random") or kind in _SKIPPED


def model_stages(model: Any) -> list[tuple[str, Any, str]]:
    """The stages the explorer can show, as (label, layer, kind).

    ``kind`` is "pre" (a convolution before its fused activation) or "out" (the layer's
    output). Only layers whose output is an image-like (height, width, channels) stack count.
    """
    stages = []
    for layer in model.layers:
        if _skipped(layer):
            continue
        try:
            shape = layer.output.shape
        except (AttributeError, ValueError):
            continue
        if len(shape) != 4:
            continue
        kind = type(layer).__name__
        if kind.startswith("Conv"):
            act = activation_name(layer)
            if act != "linear":
                stages.append((f"{layer.name}: convolution (before {act})", layer, "pre"))
                stages.append((f"{layer.name}: after {act}", layer, "out"))
            else:
                stages.append((f"{layer.name}: convolution", layer, "out"))
        elif kind == "Activation":
            stages.append((f"{layer.name}: {activation_name(layer)}", layer, "out"))
        else:
            stages.append((f"{layer.name}: {_STAGE_NAMES.get(kind, kind)}", layer, "out"))
    return stages


class NetworkExplorer(Explorer):
    """See a test image or a photograph pass through a trained CNN, stage by stage.

    ``images`` are test images (uint8 or float in [0, 1]); ``labels`` their classes.
    ``photo`` is any photograph as an array (e.g. ``workshop.images.sample_photo()`` or one of
    your own read with Pillow), offered as "your photo"; ``photos`` names more of them. They
    are resized to the model's input. Without ``photos`` the bundled sample photograph is
    offered too (``photos={}`` offers only ``photo``).
    """

    def __init__(
        self,
        model: Any,
        images: np.ndarray,
        labels: np.ndarray | None = None,
        class_names: Sequence[str] | None = None,
        photo: np.ndarray | None = None,
        photos: dict[str, np.ndarray] | None = None,
    ) -> None:
        import keras

        if not isinstance(model, keras.Model):
            raise TypeError(f"model must be a trained keras.Model, got {type(model).__name__}")
        try:
            inputs = model.inputs
        except (AttributeError, ValueError):
            inputs = None
        if not inputs:
            raise ValueError(
                "model has no known input: build it with keras.Input(shape=(32, 32, 3)) as "
                "its first layer, or call it on a batch of images once"
            )
        in_shape = tuple(inputs[0].shape[1:])
        if len(in_shape) != 3 or None in in_shape:
            raise ValueError(f"model input must be (height, width, channels), got {in_shape}")
        self.input_shape: tuple[int, int, int] = in_shape  # type: ignore[assignment]
        self.model = model
        self.stages = model_stages(model)
        if not self.stages:
            raise ValueError("model has no convolution or pooling layer to show: is it a CNN?")

        images = np.asarray(images)
        if images.ndim != 4 or len(images) == 0:
            raise ValueError(
                f"images must be a (n, height, width, channels) batch, got shape {images.shape}"
            )
        self.images = images
        self.labels = None if labels is None else np.asarray(labels).ravel().astype(int)
        if self.labels is not None and len(self.labels) != len(images):
            raise ValueError(f"labels has {len(self.labels)} entries but images has {len(images)}")
        n_out = int(model.outputs[0].shape[-1])
        if class_names is None:
            class_names = [f"class {i}" for i in range(n_out)]
        if len(class_names) != n_out:
            raise ValueError(
                f"class_names has {len(class_names)} names but the model outputs {n_out} classes"
            )
        self.class_names = list(class_names)
        if photos is None:
            from workshop.images import sample_photo

            photos = {"sample photo": sample_photo()}
        self.photos = dict(photos)
        if photo is not None:
            self.photos["your photo"] = photo
        for name, p in self.photos.items():
            self.photos[name] = as_model_input(p, self.input_shape, f"photo {name!r}")
        self.outputs_softmax = activation_name(model.layers[-1]) == "softmax"

        # One model that returns every stage at once, plus the inputs of fused convolutions.
        tensors = []
        for _, layer, kind in self.stages:
            tensors.append(layer.input if kind == "pre" else layer.output)
        self._probe = keras.Model(
            inputs[0] if len(inputs) == 1 else inputs, [*tensors, *model.outputs]
        )

        self.index = 0
        self._computed_for: tuple[str, int] | None = None  # the input the state belongs to
        self.image: np.ndarray = np.zeros(self.input_shape, np.float32)
        self.activations: dict[str, np.ndarray] = {}
        self.logits = np.zeros(n_out)
        self.probabilities = np.zeros(n_out)
        self.predicted = 0
        self._build_controls()
        self._build_figure()
        self.update()

    # ----- computing -------------------------------------------------------------------
    def _current_input(self) -> tuple[np.ndarray, str]:
        source = self.source.value
        if source == "test images":
            idx = int(self.index_slider.value)
            img = as_model_input(self.images[idx], self.input_shape, "images")
            truth = ""
            if self.labels is not None:
                truth = f"true: {self.class_names[self.labels[idx]]}, "
            return img, f"test image {idx}: {truth}"
        return self.photos[source], f"{source}: "

    def compute(self, image: np.ndarray) -> None:
        """Run ``image`` (model-shaped float in [0, 1]) through the network; fill the state."""
        import keras

        self._computed_for = None
        # predict_on_batch runs a compiled function: several times quicker than an eager call
        results = self._probe.predict_on_batch(image[None].astype(np.float32))
        results = [np.asarray(r) for r in results]
        self.activations = {}
        for (label, layer, kind), value in zip(self.stages, results):
            if kind == "pre":
                # the convolution alone, with the layer's own weights: what goes into the ReLU
                pre = layer.convolution_op(value, layer.kernel)
                if layer.use_bias:
                    pre = pre + layer.bias
                value = keras.ops.convert_to_numpy(pre)
            self.activations[label] = np.asarray(value[0], dtype=float)
        out = np.asarray(results[-1][0], dtype=float)
        self.logits = out
        self.probabilities = out if self.outputs_softmax else softmax(out)
        self.predicted = int(np.argmax(self.probabilities))
        self.image = image

    # ----- widgets ----------------------------------------------------------------------
    def _build_controls(self) -> None:
        style = {"description_width": "initial"}
        self.source = widgets.Dropdown(
            options=["test images", *self.photos],
            value="test images",
            description="image from",
            style=style,
        )
        self.index_slider = widgets.IntSlider(
            value=0,
            min=0,
            max=len(self.images) - 1,
            description="test image",
            continuous_update=False,
            style=style,
        )
        self.stage_picker = widgets.Dropdown(
            options=[s[0] for s in self.stages],
            value=self.stages[0][0],
            description="show",
            style=style,
            layout=widgets.Layout(width="420px"),
        )
        self.first_map = widgets.IntSlider(
            value=0,
            min=0,
            max=0,
            step=MAPS_SHOWN,
            description="first map",
            continuous_update=False,
            style=style,
        )
        self.caption = widgets.HTML()
        # Not pyplot: the figure goes only into this picture, never twice, whatever the backend.
        # JPEG: the maps are pictures, and it encodes and travels several times quicker than PNG.
        self.view = FigureView((13, 4.2), dpi=80, fmt="jpeg")
        for control in (self.source, self.index_slider, self.stage_picker, self.first_map):
            control.observe(lambda change: self.update(), names="value")
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.source, self.index_slider]),
                widgets.HBox([self.stage_picker, self.first_map]),
                self.caption,
                self.view.image,
            ]
        )

    def _build_figure(self) -> None:
        fig = self.view.fig
        grid = fig.add_gridspec(
            2, 11, width_ratios=[2.2, 0.2, *([1] * 8), 2.6], wspace=0.15, hspace=0.35, top=0.94
        )
        self.ax_image = fig.add_subplot(grid[:, 0])
        self.ax_maps = [fig.add_subplot(grid[r, 2 + c]) for r in range(2) for c in range(8)]
        self.ax_probs = fig.add_subplot(grid[:, 10])
        self._im_image = self.ax_image.imshow(np.zeros(self.input_shape[:2] + (3,)))
        self._im_maps = []
        for ax in self.ax_maps:
            self._im_maps.append(ax.imshow(np.zeros((2, 2)), cmap="viridis"))
            ax.set_xticks([])
            ax.set_yticks([])
            ax.title.set_fontsize(8)
        self.ax_image.set_xticks([])
        self.ax_image.set_yticks([])
        k = len(self.class_names)
        self._bars = self.ax_probs.barh(range(k), np.zeros(k), color="#3b75af")
        self.ax_probs.set_yticks(range(k), self.class_names)
        self.ax_probs.invert_yaxis()
        self.ax_probs.set_xlim(0, 1)
        self.ax_probs.set_xlabel("probability")
        self.ax_probs.yaxis.tick_right()
        self._prob_texts = [
            self.ax_probs.text(0.02, i, "", va="center", fontsize=8) for i in range(k)
        ]
        self.figure = fig
        # Frames and class names are drawn once; each change paints only what moves over them.
        self.ax_probs.set_title("class probabilities")
        self._moving = [self._im_image]
        self._moving += [*self._im_maps, *self._bars, *self._prob_texts]
        # the frames go over the pictures, as in a full draw
        self._moving += [
            spine for ax in [self.ax_image, *self.ax_maps] for spine in ax.spines.values()
        ]
        self._frames: tuple[float, int] | None = None  # (map height / width, first map shown)
        self._map_shape: tuple[int, int] | None = None
        self._signed: bool | None = None

    def selected_maps(self) -> np.ndarray:
        """The (H, W, C) stack of the stage chosen in the dropdown, for the current image."""
        return self.activations[self.stage_picker.value]

    def update(self) -> None:
        """Recompute for the chosen image and redraw the figure in place."""
        is_test = self.source.value == "test images"
        self.index_slider.disabled = not is_test
        image, caption = self._current_input()
        if is_test:
            self.index = int(self.index_slider.value)
        shown = (self.source.value, self.index if is_test else -1)
        if shown != self._computed_for:  # a new stage or page of maps needs no new run
            self.compute(image)
            self._computed_for = shown
        maps = self.selected_maps()
        count = maps.shape[2]
        self.first_map.max = max(0, (count - 1) // MAPS_SHOWN * MAPS_SHOWN)
        first = min(int(self.first_map.value), self.first_map.max)
        name = self.class_names[self.predicted]
        verdict = f"predicted: {name} ({self.probabilities[self.predicted]:.0%})"
        self._draw(maps, first)
        # Words that change live in the caption, not in the figure: drawing text into the
        # picture on every change cost more time than all the feature maps together.
        colours = "blue &lt; 0 &lt; red" if self._signed else "dark 0 &rarr; bright max"
        self.caption.value = (
            f"<b>{caption}{verdict}</b> &nbsp; {self.stage_picker.value}, shape "
            f"{maps.shape[0]}x{maps.shape[1]}x{count} (colour: {colours})"
        )
        self.view.refresh()

    def _draw(self, maps: np.ndarray, first: int) -> None:
        shown = self.image if self.image.shape[2] == 3 else self.image[..., 0]
        self._im_image.set_data(shown)
        if shown.ndim == 2:
            self._im_image.set_cmap("gray")
        signed = bool(maps.min() < 0)
        # one colour scale for the whole stage, so strong and weak maps can be compared
        lim = signed_limit(maps) if signed else float(maps.max()) or 1.0
        h, w = maps.shape[:2]
        if (h, w) != self._map_shape:  # set_extent is slow: only when the size changes
            self._map_shape = (h, w)
            for im in self._im_maps:
                im.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
        frames = (h / w, first, maps.shape[2] - first)
        for i, (ax, im) in enumerate(zip(self.ax_maps, self._im_maps)):
            channel = first + i
            visible = channel < maps.shape[2]
            for artist in (ax, im, ax.title, *ax.spines.values()):
                artist.set_visible(visible)
            if not visible:
                continue
            im.set_data(maps[:, :, channel])
            if signed != self._signed:  # a new colour map rebuilds its tables: only on change
                im.set_cmap(SIGNED_CMAP if signed else "viridis")
            im.set_clim(-lim if signed else 0.0, lim)
            ax.set_title(f"map {channel}", fontsize=8)
        self._signed = signed
        for i, (bar, text) in enumerate(zip(self._bars, self._prob_texts)):
            p = float(self.probabilities[i])
            bar.set_width(p)
            bar.set_color("#e66101" if i == self.predicted else "#3b75af")
            text.set_text(f"{p:.0%}")
            text.set_x(min(p + 0.02, 0.85))
        if frames != self._frames:  # map frames or titles changed: draw the still parts again
            self._frames = frames
            self.view.keep_background(self._moving)
