"""The instructor guide's "what to live-code and what to show" table, from the notebooks' tags.

A code cell tagged ``live-code`` is one the instructor types while the room types along; one
tagged ``show`` is run and talked over. Each such cell says in its metadata (``summary``) what
it is, in a few words. The self-study column lists the headings of the sections tagged
``optional``. ``python -m tools.schedule`` writes the table between the guide's
``<!-- live-code:start -->`` and ``<!-- live-code:end -->`` lines; a test fails when it is
stale, so the guide cannot disagree with the cells.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from tools.generated import with_block

LIVE_TAG, SHOW_TAG, OPTIONAL_TAG = "live-code", "show", "optional"
START, END = "<!-- live-code:start -->", "<!-- live-code:end -->"
_NUMBERED = re.compile(r"^(\d+\.\s+|Optional exercises? [A-Z](?: (?:and|to) [A-Z])?(?::\s*|$))")


def summary(cell: nbformat.NotebookNode) -> str:
    """The few words a tagged cell gives about itself (empty when it gives none)."""
    return str(cell.metadata.get("summary", "")).strip()


def tagged(nb: nbformat.NotebookNode, tag: str) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code" and tag in c.metadata.get("tags", [])]


def optional_headings(nb: nbformat.NotebookNode) -> list[str]:
    """Headings of the optional sections, numbering and "Optional exercise X:" removed."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "markdown" or OPTIONAL_TAG not in cell.metadata.get("tags", []):
            continue
        if cell.metadata.get("slideshow", {}).get("slide_type") == "notes":
            continue
        first = cell.source.lstrip().splitlines()[0] if cell.source.strip() else ""
        if first.startswith("#"):
            title = _NUMBERED.sub("", first.lstrip("#").strip())
            title = title[:1].upper() + title[1:]
            if title and title not in found:  # "Optional exercises A and B" names no topic
                found.append(title)
    return found


def _joined(cells: list[nbformat.NotebookNode]) -> str:
    names: list[str] = []
    for cell in cells:
        if (text := summary(cell)) and text not in names:
            names.append(text)
    return "; ".join(names) or "nothing"


def table_text(paths: list[Path]) -> str:
    lines = [
        START,
        "| notebook | live-code (type it in front of the room) | show (run it and talk) "
        "| self-study (tagged optional) |",
        "| --- | --- | --- | --- |",
    ]
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        live, shown = _joined(tagged(nb, LIVE_TAG)), _joined(tagged(nb, SHOW_TAG))
        extra = "; ".join(optional_headings(nb))
        lines.append(f"| {path.name[:2]} | {live} | {shown} | {extra} |")
    lines.append(END)
    return "\n".join(lines)


def guide_with_table(guide: str, paths: list[Path]) -> str:
    return with_block(guide, START, END, table_text(paths), "the live-code table")
