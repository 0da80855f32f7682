"""How fast every explorer answers a key press, where the learner feels it: JupyterLab in Chromium.

A throwaway JupyterLab serves a notebook that shows each explorer in its own cell. For each
explorer, Chromium focuses one control and presses a key (arrow keys alternate on a slider,
Enter commits a kernel box or presses a button); the time runs from the ``keydown`` event to
the first animation frame after the new picture has decoded (or, for explorers without a
picture, after the result text changed). That covers the browser, the websocket, the kernel's
Python work and the picture's transfer and decoding; ``bench_widgets.py`` times the Python
part alone. The time the new picture arrived in the page, before decoding and painting, is
reported too: it is closer to what an earlier, unrecorded measurement called the round trip.
The budget is 100 ms, where a change stops feeling immediate.

Needs Debian's Chromium (``apt-get install -y chromium``) and the playwright package; without
them it prints one line and measures nothing. The network explorer needs TensorFlow.
Ratio = ours / the 100 ms budget. The machine's other load shows up directly in these numbers.
"""

from __future__ import annotations

import importlib.util
import json
import re
import statistics
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from benchmarks.common import markdown_table

BUDGET_MS = 100.0
PRESSES = 25
WARMUP = 3
NOTEBOOK = "explorers.ipynb"

SETUP = """\
%matplotlib inline
import numpy as np

from workshop.widgets.architecture import ShapeTracker
from workshop.widgets.convolution import KernelPlayground, OutputSizeCalculator, StepThrough
from workshop.widgets.relu_pooling import PoolingExplorer, ReLUExplorer
"""

NETWORK = """\
import keras

from workshop import models
from workshop.widgets.cifar10 import NetworkExplorer

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
images = rng.integers(0, 256, size=(12, 32, 32, 3), dtype=np.uint8)
labels = rng.integers(0, 10, 12)
NetworkExplorer(models.live_cnn(), images, labels, [f"class {i}" for i in range(10)])
"""


class Case(NamedTuple):
    """One explorer: the cell that shows it, the control a key press changes, what redraws."""

    name: str
    code: str
    control: str  # "slider" (its description), "box" (the first number box), "buttons"
    label: str  # slider description, or two button texts separated by "|"
    target: str  # "picture" or "text" (the explorer's last HTML text)
    needs: str | None = None  # a module that must be importable


CASES = [
    Case("step-through (02)", "StepThrough()", "slider", "step", "picture"),
    Case("output-size calculator (02)", "OutputSizeCalculator()", "slider", "image n", "text"),
    Case("kernel playground 512x512 (02)", "KernelPlayground()", "box", "", "picture"),
    Case("ReLU explorer (03)", "ReLUExplorer()", "slider", "bias", "picture"),
    Case("pooling explorer (03)", "PoolingExplorer()", "slider", "window size", "picture"),
    Case(
        "shape tracker (04)", "ShapeTracker()", "buttons", "check my guesses|show answers", "text"
    ),
    Case("network explorer (05)", NETWORK, "slider", "test image", "picture", needs="keras"),
]

# Called just before a key press: note the keydown time, then the first frame after the
# picture (a new img source, decoded) or the explorer's last text changed in ``cell``.
ARM = """([cell, target]) => {
  const t = window.__bench = {start: null, arrived: null, end: null, seen: false};
  const pictures = () => [...cell.querySelectorAll('.jp-OutputArea-output img')];
  const text = () => {
    const all = cell.querySelectorAll('.widget-html-content');
    return all.length ? all[all.length - 1].textContent : '';
  };
  const sources = new Set(pictures().map((img) => img.src));
  const text0 = text();
  window.addEventListener('keydown', (e) => { t.start = e.timeStamp; },
                          {capture: true, once: true});
  const done = () => requestAnimationFrame(() => { t.end = performance.now(); });
  const observer = new MutationObserver(() => {
    if (t.start === null || t.seen) return;
    if (target === 'picture') {
      const fresh = pictures().find((img) => !sources.has(img.src));
      if (!fresh) return;
      t.seen = true;
      t.arrived = performance.now();
      observer.disconnect();
      fresh.decode().then(done, done);
    } else if (text() !== text0) {
      t.seen = true;
      t.arrived = performance.now();
      observer.disconnect();
      done();
    }
  });
  observer.observe(cell, {subtree: true, childList: true, attributes: true,
                          attributeFilter: ['src'], characterData: true});
}"""


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def browser_missing() -> str | None:
    """Why the browser benchmark cannot run here, or None."""
    from tests.browser.lab_server import INSTALL_HINT, chromium_path

    if chromium_path() is None:
        return f"no Chromium: {INSTALL_HINT}"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright Python package is not installed"
    return None


def write_notebook(folder: Path, cases: list[Case], setup: str = SETUP) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(setup)] + [
        nbformat.v4.new_code_cell(case.code) for case in cases
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / NOTEBOOK)


def _press_plan(page, cell, case: Case):
    """Focus the case's control; return (prepare(i), press(i)) for press ``i``.

    ``prepare`` readies the control without sending anything; ``press`` is the one key press
    that is timed. Consecutive presses alternate, so every press is a real change.
    """
    if case.control == "slider":
        label = re.compile(rf"^\s*{re.escape(case.label)}\s*$")
        handle = (
            cell.locator(".widget-slider")
            .filter(has=page.locator(".widget-label", has_text=label))
            .locator(".noUi-handle")
            .first
        )
        handle.scroll_into_view_if_needed()
        return (
            lambda i: handle.focus(),
            lambda i: page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft"),
        )
    if case.control == "box":
        box = cell.locator(".widget-text input").first
        box.scroll_into_view_if_needed()
        # typed without key events, so not sent yet: Enter sends it
        return lambda i: box.fill("2" if i % 2 == 0 else "1"), lambda i: box.press("Enter")
    if case.control == "buttons":
        buttons = [cell.locator("button", has_text=text).first for text in case.label.split("|")]
        buttons[0].scroll_into_view_if_needed()
        return (
            lambda i: buttons[i % len(buttons)].focus(),
            lambda i: page.keyboard.press("Enter"),
        )
    raise ValueError(f"control must be 'slider', 'box' or 'buttons', got {case.control!r}")


def measure_case(page, cell, case: Case, presses: int) -> tuple[list[float], list[float]]:
    """Milliseconds from key press to new picture on screen, and to its arrival in the page,
    for ``presses`` presses (after a warm-up)."""
    from tests.browser.lab_server import KERNEL_IDLE

    prepare, press = _press_plan(page, cell, case)
    times, arrivals = [], []
    for i in range(WARMUP + presses):
        page.wait_for_function(KERNEL_IDLE, timeout=60_000)
        prepare(i)
        page.evaluate(ARM, [cell.element_handle(), case.target])
        press(i)
        page.wait_for_function("window.__bench.end !== null", timeout=30_000, polling="raf")
        if i >= WARMUP:
            shown, arrived = page.evaluate(
                "[window.__bench.end - window.__bench.start,"
                " window.__bench.arrived - window.__bench.start]"
            )
            times.append(float(shown))
            arrivals.append(float(arrived))
    return times, arrivals


def run(
    cases: list[Case], presses: int = PRESSES, setup: str = SETUP, source: Path | None = None
) -> dict[str, tuple[list[float], list[float]]]:
    """Serve the explorers in JupyterLab, press keys in Chromium; return times per explorer:
    (key press to picture on screen, key press to picture arrived), in milliseconds.

    ``source`` is the checkout whose ``workshop`` the kernel imports (default: this one), so
    an older commit can be measured with the same machinery.
    """
    from playwright.sync_api import sync_playwright

    from tests.browser.lab_server import (
        CHROMIUM_FLAGS,
        chromium_path,
        open_and_run,
        running_jupyterlab,
    )

    times: dict[str, tuple[list[float], list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        root = work / "notebooks"
        root.mkdir()
        write_notebook(root, cases, setup)
        lab_source = running_jupyterlab(root, work, **({"source": source} if source else {}))
        with lab_source as lab, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_FLAGS
            )
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.set_default_timeout(60_000)
            try:
                open_and_run(page, lab, NOTEBOOK)
                cells = page.locator(".jp-Notebook .jp-CodeCell")
                for index, case in enumerate(cases, start=1):
                    times[case.name] = measure_case(page, cells.nth(index), case, presses)
            finally:
                browser.close()
                lab.shutdown_kernels()
    return times


def main(presses: int = PRESSES) -> list[dict]:
    """Measure and return the rows; prints a markdown table (or one line when skipped)."""
    missing = browser_missing()
    if missing:
        print(f"skipped: {missing}")
        return []
    cases = [c for c in CASES if c.needs is None or importlib.util.find_spec(c.needs)]
    times = run(cases, presses)
    rows = []
    for name, (shown, arrived) in times.items():
        n = len(shown)
        for what, value in (
            (f"key press to new picture, median of {n}", statistics.median(shown)),
            (f"key press to new picture, p90 of {n}", _percentile(shown, 90)),
            (f"key press to picture arrived, median of {n}", statistics.median(arrived)),
        ):
            rows.append(
                {
                    "benchmark": f"{name}: {what}",
                    "ours": round(value, 1),
                    "reference": BUDGET_MS,
                    "ratio": round(value / BUDGET_MS, 2),
                    "unit": "ms",
                }
            )
    print(markdown_table(rows, ["benchmark", "ours", "reference", "ratio", "unit"]))
    skipped = [c.name for c in CASES if c not in cases]
    if skipped:
        print(f"\nnot measured (needs TensorFlow): {', '.join(skipped)}")
    return rows


if __name__ == "__main__":
    rows = main()
    if "--json" in sys.argv:
        print(json.dumps(rows))
