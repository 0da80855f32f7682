"""Rewrite every "Open in Colab" badge and Colab install cell from pyproject.toml.

The repository location lives in one place, ``[tool.cnn-workshop]`` in pyproject.toml
(``repository`` and ``branch``). Each notebook starts with

* cell 0: a markdown cell tagged ``colab`` holding the badge, a link to the notebook in Colab
  whose image is a cell attachment (an SVG drawn here, so nothing is fetched from outside);
* cell 2: a code cell tagged ``colab`` that installs the helper package when run in Colab.

Usage:
    python -m tools.sync_colab            # rewrite notebooks/*.ipynb, notebooks/learner/*.ipynb
    python -m tools.sync_colab --verify   # report drift, exit 1 if any, write nothing
    python -m tools.sync_colab PATH...    # only these notebooks

Only the two Colab cells change; outputs and every other cell are left as they are.
"""

from __future__ import annotations

import argparse
import base64
import copy
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools.pyproject import PYPROJECT, tool_settings

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
LEARNER = NOTEBOOKS / "learner"
BADGE_NAME = "colab-badge.svg"
COLAB_TAG = "colab"

INSTALL_COMMENT = (
    "# In Google Colab, install the workshop helpers first (on your own laptop this does nothing)."
)

# Drawn by hand: a flat two-part badge. No logo, no outside fonts: the viewer's sans-serif.
BADGE_SVG = """\
<svg xmlns="http://www.w3.org/2000/svg" width="117" height="20" role="img" \
aria-label="Open in Colab">
<title>Open in Colab</title>
<rect width="117" height="20" rx="3" fill="#555555"/>
<rect x="60" width="57" height="20" rx="3" fill="#E37400"/>
<rect x="60" width="6" height="20" fill="#E37400"/>
<g fill="#ffffff" font-family="Verdana,DejaVu Sans,Geneva,sans-serif" font-size="11" \
text-anchor="middle">
<text x="30" y="14">Open in</text>
<text x="88" y="14">Colab</text>
</g>
</svg>
"""


@dataclass(frozen=True)
class Location:
    """Where the repository lives: ``owner/name`` on GitHub and the branch to use."""

    owner: str
    name: str
    branch: str

    @property
    def repository(self) -> str:
        return f"https://github.com/{self.owner}/{self.name}"

    def colab_url(self, relpath: str) -> str:
        return (
            f"https://colab.research.google.com/github/{self.owner}/{self.name}"
            f"/blob/{self.branch}/{relpath}"
        )

    @property
    def install_spec(self) -> str:
        return f"cnn-workshop @ git+{self.repository}@{self.branch}"


def load_location(pyproject: Path = PYPROJECT) -> Location:
    """Read ``[tool.cnn-workshop] repository`` and ``branch`` from pyproject.toml."""
    table = tool_settings(pyproject)
    repository = table.get("repository", "")
    match = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?", repository)
    if not match:
        raise ValueError(
            f"[tool.cnn-workshop] repository in {pyproject.name} must look like "
            f"'https://github.com/OWNER/NAME', got {repository!r}"
        )
    branch = table.get("branch", "")
    if not branch:
        raise ValueError(f"[tool.cnn-workshop] branch in {pyproject.name} is missing or empty")
    return Location(match.group(1), match.group(2), branch)


def notebook_relpath(path: Path) -> str:
    """The notebook's path inside the repository, as Colab's URL wants it.

    Instructor notebooks live in notebooks/, learner copies in notebooks/learner/; deciding by
    the folder name keeps copies elsewhere (tests, a temp checkout) pointing at the right file.
    """
    folder = "notebooks/learner" if path.parent.name == "learner" else "notebooks"
    return f"{folder}/{path.name}"


def badge_source(location: Location, relpath: str) -> str:
    return f"[![Open in Colab](attachment:{BADGE_NAME})]({location.colab_url(relpath)})"


def badge_attachments() -> dict:
    encoded = base64.b64encode(BADGE_SVG.encode("utf-8")).decode("ascii")
    return {BADGE_NAME: {"image/svg+xml": encoded}}


def install_source(location: Location) -> str:
    return "\n".join(
        [
            INSTALL_COMMENT,
            "import sys",
            "",
            'if "google.colab" in sys.modules:',
            f'    %pip install --quiet "{location.install_spec}"',
        ]
    )


def _tagged(cell: dict, cell_type: str) -> bool:
    return cell.get("cell_type") == cell_type and COLAB_TAG in cell.get("metadata", {}).get(
        "tags", []
    )


def _with_colab_metadata(metadata: dict) -> dict:
    metadata = copy.deepcopy(dict(metadata))
    tags = list(metadata.get("tags", []))
    if COLAB_TAG not in tags:
        tags.append(COLAB_TAG)
    metadata["tags"] = tags
    # Colab plumbing never appears on a slide.
    metadata.setdefault("slideshow", {})["slide_type"] = "skip"
    return metadata


def sync_notebook(nb: nbformat.NotebookNode, location: Location, relpath: str) -> list[str]:
    """Make the badge cell and the install cell match ``location``; return what changed."""
    changes: list[str] = []
    cells = nb.cells

    badge_ix = next((i for i, c in enumerate(cells) if _tagged(c, "markdown")), None)
    if badge_ix is None:
        cells.insert(0, nbformat.v4.new_markdown_cell(""))
        badge_ix = 0
        changes.append("added the badge cell")
    badge = cells[badge_ix]
    wanted = badge_source(location, relpath)
    if badge.source != wanted:
        changes.append(f"badge link -> {location.colab_url(relpath)}")
        badge.source = wanted
    if badge.get("attachments") != badge_attachments():
        changes.append("badge image")
        badge["attachments"] = badge_attachments()
    metadata = _with_colab_metadata(badge.metadata)
    if metadata != badge.metadata:
        badge.metadata = nbformat.from_dict(metadata)
        changes.append("badge cell metadata")

    install_ix = next((i for i, c in enumerate(cells) if _tagged(c, "code")), None)
    if install_ix is None:
        # After the badge and the title cell, where the convention puts it.
        install_ix = min(badge_ix + 2, len(cells))
        cells.insert(install_ix, nbformat.v4.new_code_cell(""))
        changes.append("added the install cell")
    install = cells[install_ix]
    wanted = install_source(location)
    if install.source != wanted:
        changes.append(f"install spec -> {location.install_spec}")
        install.source = wanted
    metadata = _with_colab_metadata(install.metadata)
    if metadata != install.metadata:
        install.metadata = nbformat.from_dict(metadata)
        changes.append("install cell metadata")
    return changes


def default_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb")) + sorted(LEARNER.glob("*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: all)")
    parser.add_argument("--verify", action="store_true", help="report drift, write nothing")
    parser.add_argument("--pyproject", type=Path, default=PYPROJECT)
    args = parser.parse_args(argv)

    location = load_location(args.pyproject)
    drift = 0
    for path in args.paths or default_paths():
        nb = nbformat.read(path, as_version=4)
        changes = sync_notebook(nb, location, notebook_relpath(path))
        if not changes:
            continue
        drift += 1
        verb = "out of date" if args.verify else "updated"
        print(f"{path}: {verb}: {'; '.join(changes)}")
        if not args.verify:
            nbformat.write(nb, path)
    if args.verify and drift:
        print(f"{drift} notebook(s) drift from pyproject.toml: run `make colab`.")
        return 1
    if not drift:
        print(f"Colab badges and install cells match {location.repository}@{location.branch}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
