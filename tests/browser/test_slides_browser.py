"""A built deck pages through in Chromium with every outside request blocked."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tools import build_slides

ROOT = Path(__file__).resolve().parents[2]

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# Prefer a deck with widgets, figures and formulas; fall back to whatever exists.
PREFERRED = ["02_convolution_by_hand", "03_relu_and_pooling", "01_feature_extraction"]
# The widget renderer has put a view before every stored widget, and MathJax has typeset.
DECK_SETTLED = """() => {
  const tags = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
  for (const tag of tags) {
    const area = tag.previousElementSibling;
    if (!area || !area.classList.contains('widget-subarea') || !area.firstElementChild)
      return false;
  }
  const mj = window.MathJax;
  return !mj || !mj.Hub || (mj.isReady && mj.Hub.queue.pending === 0 && !mj.Hub.queue.running);
}"""
INDICES = "JSON.stringify(Reveal.getIndices())"


def _deck_notebook() -> Path | None:
    by_stem = {p.stem: p for p in NOTEBOOKS}
    fallback = NOTEBOOKS[0] if NOTEBOOKS else None
    return next((by_stem[s] for s in PREFERRED if s in by_stem), fallback)


@pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks yet")
def test_deck_pages_through_offline(page, tmp_path, screenshots):
    notebook = _deck_notebook()
    (deck,) = build_slides.build([notebook], tmp_path)
    expected = build_slides.count_slides(build_slides.prepare(nbformat.read(notebook, 4)))

    outside: list[str] = []
    failed: list[str] = []
    problems: list[str] = []

    def only_local(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", only_local)
    page.on("requestfailed", lambda r: failed.append(f"{r.url[:120]}: {r.failure}"))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    page.goto((tmp_path / deck["file"]).as_uri())
    page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
    page.wait_for_function(DECK_SETTLED, timeout=30_000)
    total = page.evaluate("Reveal.getTotalSlides()")

    visited = set()
    shots = 0
    for _ in range(10 * max(expected, 1)):  # fragments take extra key presses
        indices = page.evaluate("(() => { const i = Reveal.getIndices(); return [i.h, i.v]; })()")
        if tuple(indices) not in visited:
            visited.add(tuple(indices))
            if shots < 6:
                page.screenshot(path=str(screenshots / f"slides-{notebook.stem}-{shots}.png"))
                shots += 1
        if page.evaluate("Reveal.isLastSlide() && !Reveal.availableFragments().next"):
            break
        before = page.evaluate(INDICES)
        page.evaluate("Reveal.next()")
        page.wait_for_function(f"(before) => {INDICES} !== before", arg=before, timeout=10_000)
    page.screenshot(path=str(screenshots / f"slides-{notebook.stem}-last.png"))

    assert total == expected == deck["slides"]
    assert len(visited) == total, f"paged through {len(visited)} of {total} slides"
    assert not outside, f"the deck tried to reach outside: {outside}"
    assert not failed, f"requests failed: {failed}"
    assert not problems, f"console errors: {problems}"
    notes = page.locator("aside.notes").count()
    assert notes == sum(
        c.metadata.get("slideshow", {}).get("slide_type") == "notes"
        for c in nbformat.read(notebook, 4).cells
    )


def test_index_page_links_every_deck(page, tmp_path):
    if not NOTEBOOKS:
        pytest.skip("no notebooks yet")
    decks = build_slides.build(NOTEBOOKS[:2], tmp_path)
    page.goto((tmp_path / "index.html").as_uri())
    links = page.locator("a").evaluate_all("(as) => as.map((a) => a.getAttribute('href'))")
    assert links == [d["file"] for d in decks]


# [h, v] of every slide the presenter sees, and whether it carries the optional label.
SLIDE_MARKS = """() => Reveal.getSlides().map((s) => {
  const i = Reveal.getIndices(s);
  return [i.h, i.v || 0, s.classList.contains('optional-slide')];
})"""
LABEL_SHOWN = """() => {
  const label = Reveal.getCurrentSlide().querySelector(':scope > .optional-label');
  if (!label) return null;
  const box = label.getBoundingClientRect();
  const style = getComputedStyle(label);
  return box.width > 0 && box.height > 0 && box.top >= 0 && box.right <= innerWidth
    && style.visibility === 'visible' && style.display !== 'none' ? label.textContent : null;
}"""


def test_optional_slides_show_their_label_and_core_slides_do_not(page, tmp_path, screenshots):
    notebook = ROOT / "notebooks" / "04_cnn_architecture.ipynb"
    if not notebook.exists():
        pytest.skip("no notebook 04")
    (deck,) = build_slides.build([notebook], tmp_path)
    page.goto((tmp_path / deck["file"]).as_uri())
    page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
    page.wait_for_function(DECK_SETTLED, timeout=30_000)
    marks = page.evaluate(SLIDE_MARKS)
    assert sum(m[2] for m in marks) == deck["optional"] > 0
    optional = next(m for m in marks if m[2])
    core = next(m for m in marks if not m[2] and m[0] > 0)
    for (h, v, is_optional), name in ((optional, "optional"), (core, "core")):
        page.evaluate(f"Reveal.slide({h}, {v})")
        page.wait_for_function(
            "([h, v]) => { const i = Reveal.getIndices(); return i.h === h && (i.v || 0) === v; }",
            arg=[h, v],
        )
        page.screenshot(path=str(screenshots / f"slides-{name}-slide.png"))
        assert page.evaluate(LABEL_SHOWN) == ("Optional · self-study" if is_optional else None)
