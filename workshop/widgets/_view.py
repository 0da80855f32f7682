"""One way to draw an explorer's picture and one way to show an explorer.

:class:`FigureView` draws a matplotlib figure on its own Agg canvas and sends the pixels to an
``ipywidgets.Image``. It never goes through pyplot or the notebook's matplotlib backend, so the
picture looks and behaves the same in JupyterLab, classic Notebook, Colab (ipywidgets 7) and in
the slides, and a figure is never shown twice. From a key press in JupyterLab in Chromium to
the new picture, it is about twice as quick as ``display(fig)`` or a saved PNG inside an
``Output`` widget (``benchmarks/bench_widgets_browser.py`` measures every explorer).

:class:`Explorer` is the base of every explorer. Each builds its controls and pictures into one
root widget, ``.widget``, and a notebook shows any explorer the same way: make the explorer the
last expression of a cell (``StepThrough()``), or call ``display(explorer)``. Tests and the
Colab driver drive ``explorer.widget``'s controls headless and read the explorer's plain state.

When an explorer changes its own controls (a slider's range, a reset, a preset's label), it does
so inside ``with self.setting_controls():``, and its callbacks marked :func:`learner_change` do
nothing there: the one rule that keeps a callback from re-triggering itself.
"""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["Explorer", "FigureView", "learner_change"]


class FigureView:
    """A matplotlib figure shown as a PNG or JPEG inside an ``ipywidgets.Image``.

    The figure is not registered with pyplot, so the notebook never displays it a second
    time on its own. Call :meth:`refresh` after changing artists.
    """

    def __init__(
        self,
        figsize: tuple[float, float],
        dpi: int = 90,
        fmt: str = "png",
        width: str | None = None,
    ) -> None:
        if fmt not in ("png", "jpeg"):
            raise ValueError(f"fmt must be 'png' or 'jpeg', got {fmt!r}")
        self.fig = Figure(figsize=figsize, dpi=dpi)
        FigureCanvasAgg(self.fig)
        self.fmt = fmt
        # The browser scales the picture to ``width``: smooth and free, unlike resampling here.
        layout = widgets.Layout(width=width, height="auto") if width else widgets.Layout()
        self.image = widgets.Image(format=fmt, layout=layout)
        self.redraws = 0
        self._background = None
        self._moving: list = []

    def keep_background(self, moving: list) -> None:
        """Draw everything except the ``moving`` artists once and keep those pixels.

        Later :meth:`refresh` calls paint only the moving artists over the kept pixels
        (blitting): the tick labels and the numbers that never change are not drawn again.
        """
        for artist in moving:
            artist.set_animated(True)
        self.fig.canvas.draw()
        self._background = self.fig.canvas.copy_from_bbox(self.fig.bbox)
        self._moving = list(moving)

    def also_moving(self, artists: list) -> None:
        """Paint ``artists`` on every refresh too: ones added after :meth:`keep_background`."""
        if self._background is None:
            return  # every refresh draws the whole figure anyway
        for artist in artists:
            artist.set_animated(True)
        self._moving += list(artists)

    def forget_background(self) -> None:
        """Go back to drawing the whole figure on every :meth:`refresh` (after a relayout)."""
        for artist in self._moving:
            artist.set_animated(False)
        self._background, self._moving = None, []

    def refresh(self) -> None:
        """Draw the figure and send the pixels to the widget."""
        from PIL import Image

        canvas = self.fig.canvas
        if self._background is not None:
            canvas.restore_region(self._background)
            for artist in self._moving:
                self.fig.draw_artist(artist)
        else:
            canvas.draw()
        rgb = np.asarray(canvas.buffer_rgba())[..., :3]
        buf = io.BytesIO()
        # PNG keeps numbers crisp; JPEG is several times quicker for photographs.
        # Both are much quicker than matplotlib's savefig, which draws the figure again.
        if self.fmt == "png":
            Image.fromarray(rgb).save(buf, format="png", compress_level=1)
        else:
            Image.fromarray(rgb).save(buf, format="jpeg", quality=90)
        self.image.value = buf.getvalue()
        self.redraws += 1


class Explorer:
    """Base of every explorer: one root widget, shown the same way everywhere.

    A subclass builds its controls and :class:`FigureView` pictures into ``self.widget`` in
    ``__init__`` and keeps its state in plain attributes. In a notebook, the explorer object
    itself is what a cell shows: as the cell's last expression or with ``display(explorer)``.
    """

    widget: widgets.Widget
    # Open setting_controls() blocks; a count, so a block inside another one ends nothing early.
    _setting_controls: int = 0

    @contextlib.contextmanager
    def setting_controls(self) -> Iterator[None]:
        """A block in which the explorer changes its own controls; callbacks marked
        :func:`learner_change` ignore the changes made inside it."""
        self._setting_controls += 1
        try:
            yield
        finally:
            self._setting_controls -= 1

    def _ipython_display_(self) -> None:
        # Not _repr_mimebundle_: ipywidgets 7 (Colab) widgets display only this way.
        from IPython.display import display

        display(self.widget)


_Callback = TypeVar("_Callback", bound=Callable[..., Any])


def learner_change(callback: _Callback) -> _Callback:
    """Mark an explorer's control callback: it runs for the learner's changes only, never for
    those the explorer makes inside :meth:`Explorer.setting_controls`."""

    @functools.wraps(callback)
    def guarded(self: Explorer, *args: Any, **kwargs: Any) -> Any:
        if self._setting_controls:
            return None
        return callback(self, *args, **kwargs)

    return guarded  # type: ignore[return-value]
