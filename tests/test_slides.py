"""Every notebook builds into an offline reveal.js deck (the browser check is in tests/browser)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from tools import build_slides

ROOT = Path(__file__).resolve().parents[1]

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
OUTSIDE = re.compile(r"^(https?:)?//", re.I)


def _have_assets() -> bool:
    if (build_slides.NODE_MODULES / "reveal.js").exists():
        return True
    import shutil

    return shutil.which("npm") is not None


pytestmark = pytest.mark.skipif(
    not _have_assets(), reason="slides need Node.js/npm once: `npm ci` in slides/"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, list[dict]]:
    if not NOTEBOOKS:
        pytest.skip("no notebooks yet")
    out = tmp_path_factory.mktemp("slides")
    return out, build_slides.build(NOTEBOOKS, out)


def test_every_notebook_has_a_deck_and_the_index_lists_it(built):
    out, decks = built
    assert [d["notebook"] for d in decks] == [p.name for p in NOTEBOOKS]
    index = (out / "index.html").read_text(encoding="utf-8")
    for deck in decks:
        assert (out / deck["file"]).exists()
        assert f'href="{deck["file"]}"' in index
        assert deck["slides"] >= 2, f"{deck['notebook']}: only {deck['slides']} slide(s)"
    assert json.loads((out / "decks.json").read_text()) == decks


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_deck_is_offline_and_follows_the_metadata(built, notebook):
    out, _ = built
    page = (out / f"{notebook.stem}.slides.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")

    # Nothing is fetched from outside: scripts, styles, images, frames, CSS imports.
    fetched = [t.get("src") for t in soup.find_all(["script", "img", "iframe"]) if t.get("src")]
    fetched += [t.get("href") for t in soup.find_all("link") if t.get("href")]
    outside = [u for u in fetched if OUTSIDE.match(u)]
    assert not outside, f"loads from outside: {outside}"
    assert not re.search(r"@import\s+url\(\s*['\"]?https?:", page)
    assert "import mermaid" not in page
    for url in fetched:
        if not url.startswith("data:"):
            local = out / url.split("?")[0]
            assert local.is_file(), f"{url} is referenced but not in the output folder"

    nb = nbformat.read(notebook, as_version=4)
    # Speaker notes come from `notes` cells.
    notes = [c for c in nb.cells if c.metadata.get("slideshow", {}).get("slide_type") == "notes"]
    assert len(soup.select("aside.notes")) == len(notes)
    # Colab cells never reach a slide.
    assert "google.colab" not in page
    assert "attachment:colab-badge.svg" not in page
    # One <section> per slide or subslide (reveal nests subslides inside slides).
    sections = [s for s in soup.select(".reveal .slides section") if not s.find("section")]
    assert len(sections) == build_slides.count_slides(build_slides.prepare(nb))


def test_no_notebook_needs_mermaid():
    """The deck template drops mermaid (it would come from a CDN): keep it unnecessary."""
    for path in NOTEBOOKS:
        text = path.read_text(encoding="utf-8")
        assert "```mermaid" not in text, f"{path.name} uses a mermaid diagram"


def test_prepare_hides_colab_cells_and_holds_back_solutions():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("badge", metadata={"tags": ["colab"]}),
        nbformat.v4.new_markdown_cell("# Title", metadata={"slideshow": {"slide_type": "slide"}}),
        nbformat.v4.new_code_cell("x = ...", metadata={"tags": ["exercise"]}),
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["solution"]}),
    ]
    prepared = build_slides.prepare(nb)
    assert [c.source for c in prepared.cells] == ["# Title", "x = ...", "x = 1"]
    assert prepared.cells[2].metadata["slideshow"]["slide_type"] == "fragment"
    assert build_slides.count_slides(prepared) == 1


def _leaf_sections(soup: BeautifulSoup) -> list:
    return [s for s in soup.select(".reveal .slides section") if not s.find("section")]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_slides_made_only_of_optional_cells_carry_the_label_and_core_slides_do_not(built, notebook):
    out, decks = built
    soup = BeautifulSoup(
        (out / f"{notebook.stem}.slides.html").read_text(encoding="utf-8"), "html.parser"
    )
    groups = build_slides.slide_groups(build_slides.prepare(nbformat.read(notebook, 4)))
    sections = _leaf_sections(soup)
    assert len(sections) == len(groups)
    marked = 0
    for number, (cells, section) in enumerate(zip(groups, sections), start=1):
        optional = all("optional" in c.metadata.get("tags", []) for c in cells)
        labels = section.select(":scope > .optional-label")
        if optional:
            marked += 1
            assert "optional-slide" in section.get("class", []), f"slide {number} is not marked"
            assert [label.get_text() for label in labels] == ["Optional · self-study"]
        else:
            assert "optional-slide" not in section.get("class", []), f"slide {number} is marked"
            assert not labels and not section.select(".optional-label")
    (row,) = [d for d in decks if d["notebook"] == notebook.name]
    assert row["optional"] == marked
    if notebook.stem.startswith(("04", "05")):
        assert marked >= 3, "04 and 05 have whole optional sections: their slides are marked"


def test_only_slides_whose_shown_cells_are_all_optional_are_marked():
    def cell(kind, slide_type="-", tags=()):
        new = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
        return new(kind, metadata={"slideshow": {"slide_type": slide_type}, "tags": list(tags)})

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        cell("md", "slide"),  # core
        cell("md", "subslide", ["optional"]),  # optional, with a core note and a skipped cell
        cell("code", "fragment", ["solution", "optional"]),
        cell("md", "notes"),
        cell("code", "skip"),
        cell("md", "subslide", ["optional"]),  # mixed: not marked
        cell("code", "-"),
        cell("md", "slide", ["optional"]),  # optional
    ]
    prepared = build_slides.prepare(nb)
    marks = [bool(c.metadata.get(build_slides.OPTIONAL_MARK)) for c in prepared.cells]
    assert marks == [False, True, False, False, False, False, False, True]
    assert build_slides.mark_optional_slides(prepared) == 2
    assert build_slides.count_slides(prepared) == len(build_slides.slide_groups(prepared)) == 4
