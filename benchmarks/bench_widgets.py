"""How fast notebook 02's explorers answer a learner's click.

Kernel playground: one box of the 3x3 kernel changes on a 512x512 grayscale photograph.
The time runs from setting the box's value (which fires the observer, as a click does)
until the new PNG is in the ``Image`` widget: convolution, ``set_data``, a full
``fig.canvas.draw()`` on the Agg canvas and the PNG encoding. The budget is 50 ms.
For context, the same convolution alone with ``ops.conv2d`` and ``scipy.signal.correlate2d``.
Step-through: one slider move on the 5x5 example, measured the same way; it draws the
unchanging parts once and repaints only the window, products and map (blitting).

Ratio = ours / reference (for latencies the reference is the 50 ms budget).
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

from benchmarks.common import markdown_table
from workshop import ops

os.environ.setdefault("MPLBACKEND", "Agg")

BUDGET_MS = 50.0


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def _latencies(change, count: int) -> list[float]:
    """Milliseconds for each of ``count`` calls of ``change(i)``."""
    times = []
    for i in range(count):
        start = time.perf_counter()
        change(i)
        times.append((time.perf_counter() - start) * 1e3)
    return times


def _row(benchmark: str, ours: float, reference: float, unit: str = "ms") -> dict:
    return {
        "benchmark": benchmark,
        "ours": round(ours, 2),
        "reference": round(reference, 2),
        "ratio": round(ours / reference, 2),
        "unit": unit,
    }


def main(changes: int = 50) -> list[dict]:
    """Measure and return the rows; prints a markdown table."""
    from scipy.signal import correlate2d

    from workshop.widgets.convolution import KernelPlayground, StepThrough

    playground = KernelPlayground()  # 512x512 photograph, vertical-edge kernel
    box = playground.boxes[0]
    values = [1.0 + 0.1 * (i % 7) for i in range(changes)]  # every change is a real change

    def click(i: int) -> None:
        box.value = values[i] if box.value != values[i] else values[i] + 0.05

    _latencies(click, 3)  # warm caches (font glyphs, colormap tables)
    redraws = playground.view.redraws
    times = _latencies(click, changes)
    # Reported, not asserted: benchmarks measure (tests/test_widgets_* check behaviour). A change
    # that skipped its redraw would make the latency rows look better than a learner's clicks.
    redrawn = playground.view.redraws - redraws

    stepper = StepThrough()
    steps = _latencies(lambda i: stepper.slider.__setattr__("value", 1 + (i + 1) % 9), changes)

    photo, kernel = playground.photo, playground.kernel
    conv = _latencies(lambda i: ops.conv2d(photo, kernel, padding=1), changes)
    scipy_conv = _latencies(lambda i: correlate2d(photo, kernel, mode="same"), changes)

    rows = [
        _row(
            f"playground redraw 512x512, median of {changes}", statistics.median(times), BUDGET_MS
        ),
        _row(f"playground redraw 512x512, p90 of {changes}", _percentile(times, 90), BUDGET_MS),
        _row(f"step-through slider move, median of {changes}", statistics.median(steps), BUDGET_MS),
        _row(
            "3x3 convolution 512x512: ops.conv2d vs scipy correlate2d",
            statistics.median(conv),
            statistics.median(scipy_conv),
        ),
        {
            "benchmark": f"playground changes that redrew, of {changes}",
            "ours": redrawn,
            "reference": changes,
            "ratio": round(redrawn / changes, 2),
            "unit": "redraws",
        },
    ]
    print(markdown_table(rows, ["benchmark", "ours", "reference", "ratio", "unit"]))
    return rows


if __name__ == "__main__":
    main()
