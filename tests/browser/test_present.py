"""`make present` in Chromium: a notebook shown as live slides (jupyterlab-slideshow).

JupyterLab starts with ``tools.present``'s own command line on a copy of the notebooks, and the
test does what the README tells an instructor to do: the notebook opens as a deck on its title
slide; Run All Cells from the command palette; the table of contents jumps back to the title;
Space pages slide by slide (speaker notes never on screen) to the ReLU explorer; dragging its
slider and picking another kernel change the figure on the slide; Esc leaves the deck.
Screenshots: test-artifacts/screenshots/present-*.png.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from tests.browser.lab_server import (
    KERNEL_IDLE,
    NOTEBOOK_SETTLED,
    Lab,
    free_port,
    server_environment,
    server_options,
    serving,
)
from tools import present

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "03_relu_and_pooling.ipynb"
EXPLORER_SOURCE = "ReLUExplorer()"
PROJECTOR = {"width": 1280, "height": 720}

# Which cells the deck shows now, and which one is active.
DECK_STATE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const nb = panel && panel.content;
  if (!nb || !nb.widgets || !nb.widgets.length) return null;
  const onScreen = [];
  nb.widgets.forEach((c, i) => { if (c.hasClass('jp-deck-mod-onscreen')) onScreen.push(i); });
  return {active: nb.activeCellIndex, onScreen, mode: document.body.dataset.jpDeckMode || null};
}"""
IDLE_IF_OPEN = f"() => {{ try {{ return ({KERNEL_IDLE})(); }} catch (e) {{ return false; }} }}"
FIGURES = """(cell) => [...cell.querySelectorAll('.jp-OutputArea-output img')]
  .map((img) => img.src.length + ':' + img.src.slice(-120)).join('|')"""
ACTIVE_CHANGED = f"(before) => ({DECK_STATE})().active !== before"
FIGURES_CHANGED = f"""([index, before]) =>
  ({FIGURES})(document.querySelectorAll('.jp-Notebook .jp-Cell')[index]) !== before"""


@pytest.fixture(scope="module")
def presented(tmp_path_factory) -> Iterator[Lab]:
    """JupyterLab as `make present NB=03_relu_and_pooling` starts it, on a copy of notebooks/."""
    work = tmp_path_factory.mktemp("present")
    root = work / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    notebook = present.resolve_notebook(Path(NOTEBOOK).stem, root)
    present.write_settings(work / "present" / "settings")
    port, token = free_port(), "present-" + work.name
    command = present.lab_command(notebook, root, work / "present", server_options(port, token))
    env = server_environment(work)
    try:
        with serving(command, root, env, work / "present.log", port, token, "make present") as lab:
            yield lab
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture
def projector(browser):
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def _cells() -> tuple[int, int, set[int]]:
    """The title slide's index, the explorer cell's index and the speaker-notes cells."""
    nb = nbformat.read(ROOT / "notebooks" / NOTEBOOK, as_version=4)
    types = [c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells]
    title = types.index("slide")
    explorer = next(i for i, c in enumerate(nb.cells) if c.source.strip() == EXPLORER_SOURCE)
    return title, explorer, {i for i, t in enumerate(types) if t == "notes"}


def _state(page) -> dict:
    return page.evaluate(DECK_STATE)


@pytest.mark.timeout(600)
def test_notebook_presents_as_live_slides_and_the_explorer_answers_the_mouse(
    projector, presented, screenshots
):
    page = projector
    title, explorer, notes = _cells()

    page.goto(f"{presented.url}/?token={presented.token}")  # where `make present` opens
    page.wait_for_function(IDLE_IF_OPEN, timeout=120_000)
    page.wait_for_function(f"() => {{ const s = ({DECK_STATE})(); return s && s.mode; }}")
    state = _state(page)
    assert state["mode"] == "presenting", state
    assert state["onScreen"] == [title], f"the deck opened on {state}, not on the title slide"
    assert not page.get_by_text("Jupyter news").count(), "a first-run prompt covers the slide"
    page.screenshot(path=str(screenshots / "present-title.png"))

    # Before the talk: Run All Cells from the command palette (the menu bar is hidden).
    page.locator(".jp-Cell.jp-deck-mod-onscreen").first.click()
    page.keyboard.press("Control+Shift+C")
    page.keyboard.type("Run All Cells")
    page.locator(".lm-CommandPalette-item.lm-mod-active", has_text="Run All Cells").wait_for()
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => ({KERNEL_IDLE})() && ({NOTEBOOK_SETTLED})()", timeout=300_000, polling=250
    )

    # Back to the title: the table of contents sits under the left edge.
    page.mouse.move(3, PROJECTOR["height"] // 2)
    toc_tab = page.locator(".jp-SideBar .lm-TabBar-tab[title='Table of Contents']")
    toc_tab.click()
    page.locator(".jp-tocItem-content[title='03 · ReLU and pooling']").click()
    page.wait_for_function(f"() => ({DECK_STATE})().onScreen.includes({title})")
    toc_tab.click()  # closes the table of contents again
    page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").wait_for(state="detached")
    page.locator(".jp-Cell.jp-deck-mod-onscreen").first.click()  # the keys go to the deck

    # Space moves to the next cell of the slide (scrolling it into view), then to the next slide.
    slides = [_state(page)["onScreen"]]
    for _ in range(explorer * 2):
        if explorer in slides[-1]:
            break
        active = _state(page)["active"]
        page.keyboard.press("Space")
        page.wait_for_function(ACTIVE_CHANGED, arg=active)
        if _state(page)["onScreen"] != slides[-1]:
            slides.append(_state(page)["onScreen"])
    assert explorer in slides[-1], f"Space never reached the explorer: {slides}"
    shown = {index for slide in slides for index in slide}
    assert not shown & notes, f"speaker notes {sorted(shown & notes)} were on a slide: {slides}"
    assert all(slide for slide in slides), f"Space paged onto an empty slide: {slides}"

    cell = page.locator(".jp-Notebook .jp-Cell").nth(explorer)
    handle = cell.locator(".widget-slider .noUi-handle").first
    handle.wait_for(state="visible")
    page.screenshot(path=str(screenshots / "present-explorer.png"))
    before = cell.evaluate(FIGURES)
    assert before, "the explorer's figure is not on the slide"

    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y, steps=8)
    page.mouse.up()
    page.wait_for_function(FIGURES_CHANGED, arg=[explorer, before])
    dragged = cell.evaluate(FIGURES)
    assert explorer in _state(page)["onScreen"], "dragging the slider paged the deck away"
    page.screenshot(path=str(screenshots / "present-explorer-dragged.png"))

    cell.locator("select").first.select_option(index=1)
    page.wait_for_function(FIGURES_CHANGED, arg=[explorer, dragged])
    assert explorer in _state(page)["onScreen"]
    page.screenshot(path=str(screenshots / "present-explorer-kernel.png"))

    page.locator(".jp-Cell.jp-deck-mod-onscreen").first.click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.body.dataset.jpDeckMode !== 'presenting'")
