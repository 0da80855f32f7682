"""Build one reveal.js deck per instructor notebook, presentable with no internet.

Usage:
    python -m tools.build_slides                     # all notebooks -> build/slides/
    python -m tools.build_slides --out DIR NB...     # chosen notebooks, another folder

Slides come from each cell's ``slideshow.slide_type``; ``notes`` cells become speaker notes
(press S in the deck), ``skip`` cells and the Colab cells are left out. Every script the deck
loads (reveal.js 4, require.js, jQuery, MathJax 2, the widget renderer) is copied from
``slides/node_modules`` (``npm ci`` in ``slides/``, run here when missing) into
``DIR/assets/`` (the widget renderer into ``DIR/@jupyter-widgets/``), so the output folder
can be copied to a USB stick and opened from disk.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SLIDES = ROOT / "slides"
NODE_MODULES = SLIDES / "node_modules"
TEMPLATES = SLIDES / "template"
DEFAULT_OUT = ROOT / "build" / "slides"
COLAB_TAG = "colab"
SOLUTION_TAG = "solution"
# Cells tagged `optional` are self-study, outside the live path: a slide made only of them carries
# a label (the template reads OPTIONAL_MARK), so the presenter sees at a glance what to skip.
OPTIONAL_TAG = "optional"
OPTIONAL_MARK = "workshop_optional_slide"
MATHJAX_CONFIG = "TeX-AMS_CHTML-full,Safe"

# (source inside node_modules, destination inside the output folder, files to copy)
FONTS = ("*.woff2", "*.woff", "*.ttf")
ASSETS: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "reveal.js/dist",
        "assets/reveal.js/dist",
        ("reveal.js", "reveal.css", "reset.css", "theme/**/*"),
    ),
    ("reveal.js/plugin/notes", "assets/reveal.js/plugin/notes", ("notes.js",)),
    ("requirejs", "assets", ("require.js",)),
    ("jquery/dist", "assets", ("jquery.min.js",)),
    # The widget renderer finds its icon fonts next to the AMD modules it defines, which
    # require.js resolves against the page: @jupyter-widgets/ and .../html-manager/dist/.
    (
        "@jupyter-widgets/html-manager/dist",
        "@jupyter-widgets/html-manager/dist",
        ("embed-amd.js", *FONTS),
    ),
    ("@jupyter-widgets/html-manager/dist", "@jupyter-widgets", FONTS),
    (
        "mathjax",
        "assets/mathjax",
        (
            "MathJax.js",
            *(f"config/{name}.js" for name in MATHJAX_CONFIG.split(",")),
            "extensions/**/*.js",
            "jax/input/TeX/**/*",
            "jax/output/CommonHTML/**/*",
            "jax/element/**/*",
            "localization/en/**/*",
            "fonts/HTML-CSS/TeX/woff/**/*",
            "fonts/HTML-CSS/TeX/otf/**/*",
        ),
    ),
]


def ensure_node_modules() -> None:
    """Install the pinned browser assets from slides/package-lock.json if they are missing."""
    if (NODE_MODULES / "reveal.js" / "dist" / "reveal.js").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "The slide assets are not installed and npm was not found. Install Node.js "
            "(it ships npm), then run `npm ci` in slides/ once (it needs the npm registry)."
        )
    print("Installing the slide assets: npm ci (slides/package-lock.json)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=SLIDES, check=True)


def copy_assets(out: Path) -> None:
    for source, dest, patterns in ASSETS:
        src = NODE_MODULES / source
        for pattern in patterns:
            matches = [p for p in src.glob(pattern) if p.is_file()]
            if not matches:
                raise SystemExit(f"slides asset missing: {src / pattern} (run `npm ci` in slides/)")
            for path in matches:
                target = out / dest / path.relative_to(src)
                if target.exists() and target.stat().st_size == path.stat().st_size:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)


def slides_config():
    """nbconvert settings that point every script and stylesheet at ``assets/``."""
    from traitlets.config import Config

    config = Config()
    config.SlidesExporter.reveal_url_prefix = "assets/reveal.js"
    config.SlidesExporter.reveal_theme = "white"
    config.SlidesExporter.reveal_transition = "none"
    config.SlidesExporter.reveal_number = "c/t"
    config.SlidesExporter.reveal_scroll = True
    config.SlidesExporter.reveal_width = "1280"
    config.SlidesExporter.reveal_height = "800"
    config.HTMLExporter.require_js_url = "assets/require.js"
    config.HTMLExporter.jquery_url = "assets/jquery.min.js"
    config.HTMLExporter.mathjax_url = f"assets/mathjax/MathJax.js?config={MATHJAX_CONFIG}"
    config.HTMLExporter.widget_renderer_url = "@jupyter-widgets/html-manager/dist/embed-amd.js"
    # The template drops the mermaid import (no notebook draws mermaid diagrams).
    return config


def prepare(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop the Colab cells (they only make sense in Colab); hold solutions back a click; mark
    the slides made only of optional cells."""
    nb.cells = [c for c in nb.cells if COLAB_TAG not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        slideshow = cell.metadata.setdefault("slideshow", {})
        solution = SOLUTION_TAG in cell.metadata.get("tags", [])
        if solution and slideshow.get("slide_type", "-") == "-":
            # The room sees the exercise first; the solution appears on the next key press.
            slideshow["slide_type"] = "fragment"
    mark_optional_slides(nb)
    return nb


def _slide_type(cell: nbformat.NotebookNode) -> str:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")


def slide_groups(nb: nbformat.NotebookNode) -> list[list[nbformat.NotebookNode]]:
    """The cells shown on each slide a presenter pages through (a slide or a subslide), in order,
    as nbconvert's reveal exporter groups them; ``skip`` and ``notes`` cells are left out."""
    groups: list[list[nbformat.NotebookNode]] = []
    for cell in nb.cells:
        kind = _slide_type(cell)
        if kind in {"skip", "notes"}:
            continue
        if not groups or kind in {"slide", "subslide"}:
            groups.append([])
        groups[-1].append(cell)
    return groups


def is_optional(cell: nbformat.NotebookNode) -> bool:
    return OPTIONAL_TAG in cell.get("metadata", {}).get("tags", [])


def mark_optional_slides(nb: nbformat.NotebookNode) -> int:
    """Flag the first cell of every slide whose shown cells are all optional; return how many."""
    for cell in nb.cells:
        cell.metadata.pop(OPTIONAL_MARK, None)
    marked = 0
    for group in slide_groups(nb):
        if all(is_optional(cell) for cell in group):
            group[0].metadata[OPTIONAL_MARK] = True
            marked += 1
    return marked


def deck_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, re.M)
            if match:
                return match.group(1).strip()
    return fallback


def count_slides(nb: nbformat.NotebookNode) -> int:
    """Slides a presenter pages through: horizontal slides plus vertical subslides."""
    return len(slide_groups(nb))


def build_deck(notebook: Path, out: Path) -> dict:
    from nbconvert import SlidesExporter

    nb = prepare(nbformat.read(notebook, as_version=4))
    slides_exporter = SlidesExporter(
        config=slides_config(),
        template_name="workshop-reveal",
        extra_template_basedirs=[str(TEMPLATES)],
    )
    body, _ = slides_exporter.from_notebook_node(
        nb, resources={"metadata": {"name": notebook.stem}}
    )
    target = out / f"{notebook.stem}.slides.html"
    target.write_text(body, encoding="utf-8")
    return {
        "notebook": notebook.name,
        "file": target.name,
        "title": deck_title(nb, notebook.stem),
        "slides": count_slides(nb),
        "optional": sum(bool(c.metadata.get(OPTIONAL_MARK)) for c in nb.cells),
    }


INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>CNN workshop slides</title>
<style>
body {{ font-family: sans-serif; font-size: 22px; max-width: 46em; margin: 2em auto; }}
li {{ margin: 0.6em 0; }}
.hint {{ color: #444; font-size: 18px; }}
.notice {{ border: 2px solid #b02a37; background: #f8d7da; padding: 0.6em 0.9em; }}
</style>
</head>
<body>
<h1>CNN workshop slides</h1>
{notice}<ol>
{items}
</ol>
<p class="hint">Arrow keys move between slides, S opens the speaker notes, F goes full screen,
Esc shows an overview. Slides labelled "Optional · self-study" are outside the live path.
Everything loads from this folder: no internet needed.</p>
</body>
</html>
"""


def write_index(out: Path, decks: list[dict], notice: str = "") -> None:
    items = "\n".join(
        f'<li><a href="{html.escape(d["file"])}">{html.escape(d["title"])}</a> '
        f'<span class="hint">({d["slides"]} slides, {d["optional"]} of them optional; '
        f"from {html.escape(d['notebook'])})</span></li>"
        for d in decks
    )
    notice_html = f'<p class="notice">{html.escape(notice)}</p>\n' if notice else ""
    (out / "index.html").write_text(INDEX.format(items=items, notice=notice_html), encoding="utf-8")
    (out / "decks.json").write_text(json.dumps(decks, indent=1) + "\n", encoding="utf-8")


def build(notebooks: list[Path], out: Path, notice: str = "") -> list[dict]:
    """Build the decks for ``notebooks`` into ``out``; return one row per deck. ``notice`` is a
    warning the index page shows above the list (the photo decks of tools/local_slides.py)."""
    ensure_node_modules()
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    decks = [build_deck(nb, out) for nb in notebooks]
    write_index(out, decks, notice)
    return decks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        print("No notebooks found in notebooks/: nothing to build.")
        return 0
    decks = build(notebooks, args.out)
    for deck in decks:
        print(f"{deck['file']}: {deck['slides']} slides")
    print(f"Open {args.out / 'index.html'} in a browser (works offline).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
