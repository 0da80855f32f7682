"""Every notebook is valid, executed in order, clean of errors and machine details, and small.

Size budget: 2 MB per instructor notebook. Stored figures are what makes notebooks big; 2 MB
holds about 30 projector-sized PNG figures, keeps a clone of the whole course small on venue
Wi-Fi, and stays well inside what GitHub and Colab render quickly. One output image may not
exceed 400 kB (a sign of a figure saved at needless resolution).
"""

import getpass
import json
import re
import socket
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
INSTRUCTOR = sorted((ROOT / "notebooks").glob("*.ipynb"))
LEARNER = sorted((ROOT / "notebooks" / "learner").glob("*.ipynb"))
NOTEBOOK_BUDGET = 2_000_000
IMAGE_BUDGET = 400_000
# A cell without a slide type continues the slide above it. "-" means the same to nbconvert, but
# the live deck (`make present`, jupyterlab-slideshow 0.3) drops such cells from every slide.
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", None}

ABSOLUTE_PATH = re.compile(
    r"(/home/\w|/root/|/Users/\w|/tmp/|/work/|/var/folders/|[A-Za-z]:\\\\?Users|site-packages)"
)


def _ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


def _output_text(output) -> str:
    parts = [output.get("text", ""), output.get("ename", ""), output.get("evalue", "")]
    parts += output.get("traceback", [])
    for mime, value in output.get("data", {}).items():
        if mime.startswith("text/") or mime.endswith("json"):
            parts.append(value if isinstance(value, str) else json.dumps(value))
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in parts)


def test_there_are_notebooks():
    names = [p.name for p in INSTRUCTOR]
    assert "00_setup.ipynb" in names


@pytest.mark.parametrize("path", INSTRUCTOR + LEARNER, ids=_ids(INSTRUCTOR + LEARNER))
def test_valid_nbformat4_with_python3_kernel(path):
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    assert nb.nbformat == 4
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["kernelspec"]["language"] == "python"


@pytest.mark.parametrize("path", INSTRUCTOR, ids=_ids(INSTRUCTOR))
def test_executed_in_order_without_errors(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"execution counts {counts}: run `make notebooks`"
    )
    for cell in code:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if "raises-exception" not in cell.metadata.get("tags", []):
            assert not errors, f"error output in cell {cell.execution_count}: {errors[0]['ename']}"


@pytest.mark.parametrize("path", INSTRUCTOR, ids=_ids(INSTRUCTOR))
def test_outputs_hold_no_paths_user_or_host_names(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(_output_text(o) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert not ABSOLUTE_PATH.search(text), ABSOLUTE_PATH.search(text).group(0)
    host = socket.gethostname()
    assert not (len(host) >= 4 and re.search(rf"\b{re.escape(host)}\b", text)), "host name"
    user = getpass.getuser()
    if user not in ("root", "runner", "user") and len(user) >= 4:
        assert not re.search(rf"\b{re.escape(user)}\b", text), "user name in outputs"
    assert not re.search(r"at 0x[0-9a-f]{6,}", text), "memory address in outputs"


@pytest.mark.parametrize("path", INSTRUCTOR, ids=_ids(INSTRUCTOR))
def test_size_budget(path):
    assert path.stat().st_size < NOTEBOOK_BUDGET, f"{path.name} is {path.stat().st_size:,} bytes"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            for mime, value in output.get("data", {}).items():
                if mime.startswith("image/"):
                    assert len(value) < IMAGE_BUDGET, f"a {mime} output of {len(value):,} bytes"


@pytest.mark.parametrize("path", INSTRUCTOR + LEARNER, ids=_ids(INSTRUCTOR + LEARNER))
def test_every_slide_type_is_one_the_live_deck_reads_and_no_outside_images(path):
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        slide = cell.metadata.get("slideshow", {}).get("slide_type")
        hint = " (leave it unset to continue the slide above)" if slide == "-" else ""
        assert slide in SLIDE_TYPES, f"cell {index} has slide_type {slide!r}{hint}"
        source = cell.source
        assert not re.search(r"<img[^>]+src=[\"']https?://", source), f"cell {index}"
        assert not re.search(r"!\[[^\]]*\]\(https?://", source), f"cell {index} links an image"


@pytest.mark.parametrize("path", INSTRUCTOR, ids=_ids(INSTRUCTOR))
def test_solutions_wait_for_a_key_press_on_the_live_deck(path):
    """The room sees each exercise before its solution, in `make present` as in the static deck."""
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        if "solution" in cell.metadata.get("tags", []):
            slide = cell.metadata.get("slideshow", {}).get("slide_type")
            assert slide == "fragment", f"solution cell {index} has slide_type {slide!r}"
