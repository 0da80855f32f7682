"""Helpers shared by the explorer tests."""

from __future__ import annotations

import numpy as np

from workshop.widgets._view import FigureView


def blitting_error(view: FigureView) -> float:
    """Mean pixel difference between the last blitted picture and a full redraw of it.

    The view draws everything on every refresh afterwards.
    """
    canvas = view.fig.canvas
    blitted = np.asarray(canvas.buffer_rgba()).copy()
    view.forget_background()
    canvas.draw()
    full = np.asarray(canvas.buffer_rgba())
    return float(np.mean(np.abs(blitted.astype(int) - full.astype(int))))
