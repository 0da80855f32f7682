"""JupyterLab in a real browser: every learner copy opens, runs top to bottom with its exercises
unanswered, its widgets render and respond; in notebook 02's run, the step-through slider moves
the kernel window.

The learner copies are what learners open, and running them here also serves as their
"runs with every exercise unanswered" check (conftest.py then skips the nbclient run of the same
copy): each learner copy runs once in JupyterLab, and every check reads that run's record."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.browser.lab_server import KERNEL_IDLE, NOTEBOOK_MODEL, open_and_run
from tests.notebook_runs import NotebookRun, from_front_end

ROOT = Path(__file__).resolve().parents[2]
LEARNER_COPIES = sorted((ROOT / "notebooks" / "learner").glob("[0-9][0-9]_*.ipynb"))
STEP_NOTEBOOK = "02_convolution_by_hand.ipynb"
BROKEN_WIDGET_TEXT = ("Loading widget", "Error displaying widget", "Model not found")

# What a learner sees change in one cell's output: pictures and texts, not the slider readout.
OUTPUT_SIGNATURE = """(cell) => {
  const parts = [];
  cell.querySelectorAll('.jp-OutputArea-output img').forEach(
    (img) => parts.push(img.src.length + ':' + img.src.slice(-120)));
  cell.querySelectorAll('.widget-html-content, .jp-OutputArea-output pre, canvas').forEach(
    (e) => parts.push(e.tagName === 'CANVAS' ? e.toDataURL().slice(-120) : e.textContent));
  return parts.join('|');
}"""


def run_notebook(page, jupyterlab, name: str) -> NotebookRun:
    """Open ``name`` in JupyterLab, run all cells until every widget rendered; the run's record,
    read from JupyterLab's own notebook model."""
    start = time.monotonic()
    open_and_run(page, jupyterlab, name)
    return from_front_end(
        "jupyterlab", name, page.evaluate(NOTEBOOK_MODEL), time.monotonic() - start
    )


def _signature(cell) -> str:
    return cell.evaluate(OUTPUT_SIGNATURE)


def _wait_for_change(page, cell, before: str, seconds: float = 20) -> str:
    """The cell's output signature once it differs from ``before`` (``before`` if it never does)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            f"([cell, before]) => ({OUTPUT_SIGNATURE})(cell) !== before",
            arg=[cell.element_handle(), before],
            timeout=seconds * 1000,
        )
    except PlaywrightTimeout:
        return before
    return _signature(cell)


def _wait_until_idle(page) -> None:
    """The kernel has answered the last change: the explorer is done redrawing."""
    page.wait_for_function(KERNEL_IDLE, timeout=60_000)


def move_first_control(page):
    """Move the first slider (or dropdown) in the notebook; return (cell, before, after)."""
    handles = page.locator(".jp-Notebook .widget-slider .noUi-handle")
    if handles.count():
        handle = handles.first
        cell = handle.locator("xpath=ancestor::div[contains(@class,'jp-Cell')][1]")
        handle.scroll_into_view_if_needed()
        before = _signature(cell)
        handle.click()
        page.keyboard.press("ArrowRight")
        return cell, before, _wait_for_change(page, cell, before)
    selects = page.locator(".jp-Notebook .widget-dropdown select")
    if selects.count():
        select = selects.first
        cell = select.locator("xpath=ancestor::div[contains(@class,'jp-Cell')][1]")
        select.scroll_into_view_if_needed()
        before = _signature(cell)
        options = select.locator("option").all_inner_texts()
        select.select_option(label=options[1] if len(options) > 1 else options[0])
        return cell, before, _wait_for_change(page, cell, before)
    # Toggle buttons (an unselected option), then plain buttons.
    buttons = page.locator(
        ".jp-Notebook .widget-toggle-buttons button:not(.mod-active), "
        ".jp-Notebook .jupyter-widgets button.jupyter-button:not(.mod-active)"
    )
    if buttons.count():
        button = buttons.first
        cell = button.locator("xpath=ancestor::div[contains(@class,'jp-Cell')][1]")
        button.scroll_into_view_if_needed()
        before = _signature(cell)
        button.click()
        return cell, before, _wait_for_change(page, cell, before)
    return None, "", ""


@pytest.mark.parametrize(
    "notebook",
    [
        pytest.param(copy, id=copy.name, marks=pytest.mark.runs_learner_copy(copy.name))
        for copy in LEARNER_COPIES
    ],
)
def test_learner_copy_runs_and_widgets_respond(lab_page, jupyterlab, screenshots, notebook):
    page = lab_page
    run = run_notebook(page, jupyterlab, f"learner/{notebook.name}")
    page.screenshot(path=str(screenshots / f"{notebook.stem}.png"))

    assert not run.errors(), "\n".join(run.errors())
    assert run.unexecuted() == 0, f"{run.unexecuted()} code cells did not run"
    text = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").inner_text()
    if '"exercise"' in notebook.read_text():  # every checker answers an unanswered exercise
        assert "no answer yet" in text, "an unanswered exercise's checker said nothing"
    broken = [t for t in BROKEN_WIDGET_TEXT if t in text]
    assert not broken, f"widgets did not render: {broken}"
    if notebook.name == STEP_NOTEBOOK:
        step_through_slider_moves_the_window(page, screenshots)
    if not run.widget_outputs():
        return
    rendered = page.locator(".jp-Notebook .jupyter-widgets, .jp-Notebook .widget-box").count()
    assert rendered > 0, "the notebook displays widgets but none rendered"

    cell, before, after = move_first_control(page)
    if cell is None:
        pytest.skip("widgets rendered, but none has a slider, dropdown or button to move")
    _wait_until_idle(page)  # let the rest of the explorer finish redrawing
    cell.screenshot(path=str(screenshots / f"{notebook.stem}-control-moved.png"))
    assert after != before, "moving the control changed nothing in its output"


def step_through_slider_moves_the_window(page, screenshots) -> None:
    """Notebook 02's step-through: its step slider moves the kernel window and redraws."""
    slider = (
        page.locator(".jp-Notebook .widget-slider")
        .filter(has=page.locator(".widget-label", has_text=re.compile(r"^\s*step\s*$")))
        .first
    )
    slider.scroll_into_view_if_needed()
    explorer = slider.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea-output')][1]")
    pattern = re.compile(r"step (\d+) of (\d+)")

    def shown_step() -> tuple[int, int]:
        match = pattern.search(explorer.inner_text())
        assert match, "the step-through shows no 'step N of M' text"
        return int(match.group(1)), int(match.group(2))

    first, total = shown_step()
    cell = slider.locator("xpath=ancestor::div[contains(@class,'jp-Cell')][1]")
    picture = _signature(cell)
    slider.locator(".noUi-handle").click()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        """([el, first]) => { const m = el.innerText.match(/step (\\d+) of (\\d+)/);
                              return m && Number(m[1]) !== first; }""",
        arg=[explorer.element_handle(), first],
        timeout=20_000,
    )
    now, same_total = shown_step()
    _wait_until_idle(page)
    cell.screenshot(path=str(screenshots / "02_step_through_moved.png"))
    assert now != first and same_total == total
    assert _wait_for_change(page, cell, picture) != picture, "the picture did not redraw"
