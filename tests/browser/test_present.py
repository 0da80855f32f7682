"""`make present` in Chromium: a notebook shown as live slides (jupyterlab-slideshow).

JupyterLab starts with ``tools.present``'s own command line on a copy of the notebooks, and the
tests do what the README tells an instructor to do.

03: the notebook opens as a deck on its title slide; Run All Cells from the command palette; the
table of contents jumps back to the title; Space pages slide by slide (speaker notes never on
screen) to the ReLU explorer; dragging its slider and picking another kernel change the figure on
the slide; Esc leaves the deck.

05, the live-coding session: `make present NB=05` opens the learner copy, whose model cell holds
``model = ...``; the table of contents goes to that cell's slide, and Run All Above loads the data
ahead; the model is typed into the cell key by key, its check answers ✅, and Shift+Enter runs on
down to the training cell, which trains on the slide (the suite's synthetic stand-in and small
budget, conftest.py). Prints how long the run ahead and the training took.

Screenshots: test-artifacts/screenshots/present-*.png.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from tests.browser.lab_server import (
    KERNEL_IDLE,
    NOTEBOOK_MODEL,
    NOTEBOOK_SETTLED,
    Lab,
    free_port,
    server_environment,
    server_options,
    serving,
)
from tests.notebook_runs import from_front_end
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
def presented(request, tmp_path_factory) -> Iterator[Lab]:
    """JupyterLab as `make present NB=<param>` starts it, on a copy of notebooks/.

    Parametrised indirectly by each test with the NB it presents; one server at a time.
    """
    work = tmp_path_factory.mktemp("present")
    root = work / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    notebook = present.resolve_notebook(request.param, root)
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


@pytest.mark.parametrize("presented", [Path(NOTEBOOK).stem], indirect=True)
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
    started = time.monotonic()
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => ({KERNEL_IDLE})() && ({NOTEBOOK_SETTLED})()", timeout=300_000, polling=250
    )
    run = from_front_end(
        "present", NOTEBOOK, page.evaluate(NOTEBOOK_MODEL), time.monotonic() - started
    )
    assert not run.errors(), "\n".join(run.errors())
    assert not run.unexecuted(), f"{run.unexecuted()} code cells did not run"

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


# ---------------------------------------------------------------- 05: the live-coding session
LIVE = "05"  # as the instructor types it: make present NB=05
LIVE_COPY = ROOT / "notebooks" / "learner" / "05_cifar10.ipynb"
LIVE_HEADING = "Live coding: type the model"
EMPTY_MODEL = "model = ..."
# The instructor notebook's solution, typed line by line: the editor indents inside the brackets.
MODEL_LINES = [
    "model = keras.Sequential([",
    "keras.Input(shape=(32, 32, 3)),",
    'keras.layers.Conv2D(16, 3, padding="same", activation="relu"),',
    "keras.layers.MaxPooling2D(2),",
    'keras.layers.Conv2D(32, 3, padding="same", activation="relu"),',
    "keras.layers.MaxPooling2D(2),",
    'keras.layers.Conv2D(64, 3, padding="same", activation="relu"),',
    "keras.layers.MaxPooling2D(2),",
    "keras.layers.Flatten(),",
    'keras.layers.Dense(64, activation="relu"),',
    "keras.layers.Dense(10),",
    "])",
]
CELL = "(i) => window.jupyterapp.shell.currentWidget.content.widgets[i]"
SOURCE = f"(i) => ({CELL})(i).model.sharedModel.getSource()"
OUTPUT_TEXT = f"""(i) => {{
  const area = ({CELL})(i).node.querySelector('.jp-OutputArea');
  return area ? area.textContent : '';
}}"""
# Every code cell before ``i`` has run, none from ``i`` on, and none shows an error.
RUN_ABOVE = """(i) => {
  const report = {notRun: [], ranBelow: [], errors: []};
  window.jupyterapp.shell.currentWidget.content.widgets.forEach((cell, j) => {
    if (cell.model.type !== 'code') return;
    const ran = cell.model.executionCount !== null;
    if (j < i && !ran) report.notRun.push(j);
    if (j >= i && ran) report.ranBelow.push(j);
    for (const out of cell.model.outputs.toJSON())
      if (out.output_type === 'error') report.errors.push(`${j}: ${out.ename}: ${out.evalue}`);
  });
  return report;
}"""
# Cell ``i`` has run (its prompt shows a number, not [*]) and the kernel is idle again.
CELL_DONE = f"""(i) => {{
  const cell = ({CELL})(i);
  const prompt = cell.node.querySelector('.jp-InputArea-prompt');
  return cell.model.executionCount !== null && !(prompt && prompt.textContent.includes('*'))
    && ({KERNEL_IDLE})();
}}"""


def _live_cells() -> dict:
    """Indexes in the learner copy: the model cell, its check, the training cell, and the `skip`
    code cells between the check and the training cell."""
    cells = nbformat.read(LIVE_COPY, as_version=4).cells
    types = [c.metadata.get("slideshow", {}).get("slide_type") for c in cells]
    model = next(i for i, c in enumerate(cells) if c.source.startswith(EMPTY_MODEL))
    check = next(i for i, c in enumerate(cells) if "check.live_model(model)" in c.source)
    fit = next(i for i, c in enumerate(cells) if "model.fit(" in c.source)
    return {
        "model": model,
        "check": check,
        "fit": fit,
        "skipped": [
            i for i in range(check + 1, fit) if types[i] == "skip" and cells[i].cell_type == "code"
        ],
    }


def _palette(page, command: str) -> None:
    """Ctrl+Shift+C, type ``command``, Enter: the menu bar is hidden in the deck."""
    page.keyboard.press("Control+Shift+C")
    page.keyboard.type(command)
    page.locator(".lm-CommandPalette-item.lm-mod-active", has_text=command).wait_for()
    page.keyboard.press("Enter")


def _setting(lab: Lab, plugin: str) -> dict:
    request = urllib.request.Request(
        f"{lab.url}/lab/api/settings/{plugin}", headers={"Authorization": f"token {lab.token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["settings"]


@pytest.mark.parametrize("presented", [LIVE], indirect=True)
@pytest.mark.timeout(600)
def test_live_coding_session_types_the_model_and_trains_on_the_slide(
    projector, presented, screenshots
):
    page = projector
    at = _live_cells()
    copy = presented.root / "learner" / LIVE_COPY.name
    stored = copy.read_bytes()
    assert _setting(presented, "@jupyterlab/docmanager-extension:plugin")["autosave"] is False

    took, started = {}, time.monotonic()
    opened_at = started
    page.goto(f"{presented.url}/?token={presented.token}")  # where `make present NB=05` opens
    page.wait_for_function(IDLE_IF_OPEN, timeout=120_000)
    page.wait_for_function(f"() => {{ const s = ({DECK_STATE})(); return s && s.mode; }}")
    assert _state(page)["mode"] == "presenting"
    opened = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path")
    assert opened == "learner/05_cifar10.ipynb", f"`make present NB={LIVE}` opened {opened}"
    assert page.evaluate(SOURCE, at["model"]).startswith(EMPTY_MODEL)
    took["open"] = time.monotonic() - started

    # Before the talk: the table of contents goes to the live-coding slide; click the model
    # cell; Run All Above loads the data ahead.
    page.locator(".jp-Cell.jp-deck-mod-onscreen").first.click()
    page.mouse.move(3, PROJECTOR["height"] // 2)
    toc_tab = page.locator(".jp-SideBar .lm-TabBar-tab[title='Table of Contents']")
    toc_tab.click()
    page.locator(f".jp-tocItem-content[title='{LIVE_HEADING}']").click()
    page.wait_for_function(f"() => ({DECK_STATE})().onScreen.includes({at['model']})")
    toc_tab.click()
    page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").wait_for(state="detached")
    model_cell = page.locator(".jp-Notebook .jp-Cell").nth(at["model"])
    model_cell.locator(".cm-content").click()
    page.wait_for_function(f"() => ({DECK_STATE})().active === {at['model']}")
    started = time.monotonic()
    _palette(page, "Run All Above Selected Cell")
    page.wait_for_function(
        f"() => ({KERNEL_IDLE})() && ({NOTEBOOK_SETTLED})()", timeout=300_000, polling=250
    )
    took["run all above"] = time.monotonic() - started
    report = page.evaluate(RUN_ABOVE, at["model"])
    assert report == {"notRun": [], "ranBelow": [], "errors": []}, report
    state = _state(page)
    assert state["mode"] == "presenting" and at["model"] in state["onScreen"], state
    assert page.evaluate(SOURCE, at["model"]).startswith(EMPTY_MODEL)
    page.screenshot(path=str(screenshots / "present-05-empty-model.png"))

    # Live: type the model into the empty cell, key by key; Shift+Enter runs it and its check.
    started = time.monotonic()
    model_cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    for number, line in enumerate(MODEL_LINES):
        if number:
            page.keyboard.press("Enter")
        page.keyboard.type(line)
    took["typing"] = time.monotonic() - started
    typed = page.evaluate(SOURCE, at["model"])
    assert [line.strip() for line in typed.splitlines()] == MODEL_LINES, typed
    assert _state(page)["mode"] == "presenting", "typing paged or left the deck"
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(f"() => ({DECK_STATE})().active === {at['check']}")
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(CELL_DONE, arg=at["check"], timeout=60_000)
    checked = page.evaluate(OUTPUT_TEXT, at["check"])
    assert "✅ live_model" in checked, checked
    assert at["check"] in _state(page)["onScreen"], _state(page)
    page.screenshot(path=str(screenshots / "present-05-model-checked.png"))

    # Shift+Enter on through the cells (the summary, compile, the split) to the training cell.
    started, visited = time.monotonic(), [_state(page)["active"]]
    while (active := _state(page)["active"]) < at["fit"]:
        page.keyboard.press("Shift+Enter")
        page.wait_for_function(ACTIVE_CHANGED, arg=active)
        visited.append(_state(page)["active"])
    page.wait_for_function(
        f"() => ({KERNEL_IDLE})() && ({NOTEBOOK_SETTLED})()", timeout=120_000, polling=250
    )
    took["on to the training cell"] = time.monotonic() - started
    report = page.evaluate(RUN_ABOVE, at["fit"])
    # The deck pages past `skip` cells, so Shift+Enter never runs them: here only the fallback
    # to models.live_cnn(), which a typed model does not need.
    assert report == {"notRun": at["skipped"], "ranBelow": [], "errors": []}, report
    started = time.monotonic()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(CELL_DONE, arg=at["fit"], timeout=300_000, polling=250)
    took["training cell"] = time.monotonic() - started
    trained = page.evaluate(OUTPUT_TEXT, at["fit"])
    assert re.search(r"trained [\d.]+ of \d+ epochs in", trained), trained
    assert "val_accuracy" in trained, trained
    assert not page.evaluate(RUN_ABOVE, at["fit"] + 1)["errors"]
    # Its run on this stack: down to the training cell (the cells after it stay for the talk).
    run = from_front_end(
        "present",
        f"learner/{LIVE_COPY.name}",
        page.evaluate(NOTEBOOK_MODEL),
        time.monotonic() - opened_at,
    )
    assert not run.errors(), "\n".join(run.errors())
    state = _state(page)
    assert state["mode"] == "presenting" and at["fit"] in state["onScreen"], state
    page.locator(".jp-Notebook .jp-Cell").nth(at["fit"]).locator(
        ".jp-OutputArea"
    ).scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "present-05-trained.png"))
    print("\n05 presented, seconds:", ", ".join(f"{k} {v:.1f}" for k, v in took.items()))
    print(f"Shift+Enter from the check visited cells {visited}")
    assert copy.read_bytes() == stored, "presenting wrote into the learner copy"
