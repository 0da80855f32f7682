"""The Colab path: badges and install cells match pyproject.toml, the install cell does the
right thing when ``google.colab`` is present, and the Colab mirror: Colab's own stack (its
published snapshot, Python 3.13, IPython 7.34, ipywidgets 7.7.1, TensorFlow 2.20, Keras 3.13)
rebuilt from tests/colab-pins.txt, where the install cell must change none of Colab's packages
and every explorer is driven headless. Every learner copy runs top to bottom on that stack once,
in the classic Notebook in Chromium (tests/browser/test_classic_notebook.py).

What this cannot prove here (no internet beyond package registries): that Colab itself opens
the GitHub URL, that ``pip`` can clone the repository there, and how Colab's own page renders
the widgets (tests/browser/test_classic_notebook.py uses the classic Notebook 6.5.7 with the
same ipywidgets 7 front-end as the nearest stand-in). The README says so.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from tools import sync_colab

ROOT = Path(__file__).resolve().parents[1]

INSTRUCTOR = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LEARNER = sorted((ROOT / "notebooks" / "learner").glob("[0-9][0-9]_*.ipynb"))
ALL_NOTEBOOKS = INSTRUCTOR + LEARNER
# Colab's stack, every package pinned to its snapshot's version (tests/colab_mirror.py).
COLAB_PINS = ROOT / "tests" / "colab-pins.txt"


def _ids(paths: list[Path]) -> list[str]:
    return [p.relative_to(ROOT / "notebooks").as_posix() for p in paths]


def _demo_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("[Open in Colab](https://example.org/old)"),
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("print('old install cell')"),
        nbformat.v4.new_code_cell("x = 1"),
    ]
    nb.cells[0].metadata["tags"] = ["colab"]
    nb.cells[2].metadata["tags"] = ["colab"]
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", text="kept\n")]
    return nb


# --------------------------------------------------------------- the one configured location
def test_location_comes_from_pyproject():
    location = sync_colab.load_location()
    assert location.repository.startswith("https://github.com/")
    assert location.install_spec == f"cnn-workshop @ git+{location.repository}@{location.branch}"
    # The spec is a valid PEP 508 direct reference naming this very distribution.
    from packaging.requirements import Requirement

    requirement = Requirement(location.install_spec)
    assert requirement.name == "cnn-workshop"
    assert requirement.url == f"git+{location.repository}@{location.branch}"


def test_bad_repository_is_a_clear_error(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.cnn-workshop]\nrepository = "gitlab.com/x"\nbranch = "main"\n')
    with pytest.raises(ValueError, match="https://github.com/OWNER/NAME"):
        sync_colab.load_location(pyproject)


def test_sync_rewrites_only_the_colab_cells(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[tool.cnn-workshop]\nrepository = "https://github.com/someone/fork"\nbranch = "dev"\n'
    )
    path = tmp_path / "notebooks" / "07_demo.ipynb"
    path.parent.mkdir()
    nbformat.write(_demo_notebook(), path)

    assert sync_colab.main(["--verify", "--pyproject", str(pyproject), str(path)]) == 1
    assert sync_colab.main(["--pyproject", str(pyproject), str(path)]) == 0
    assert sync_colab.main(["--verify", "--pyproject", str(pyproject), str(path)]) == 0

    nb = nbformat.read(path, as_version=4)
    url = "https://colab.research.google.com/github/someone/fork/blob/dev/notebooks/07_demo.ipynb"
    assert nb.cells[0].source == f"[![Open in Colab](attachment:colab-badge.svg)]({url})"
    svg = base64.b64decode(nb.cells[0].attachments["colab-badge.svg"]["image/svg+xml"])
    assert b"Open in" in svg and b"Colab" in svg and b"http://www.w3.org/2000/svg" in svg
    assert '"cnn-workshop @ git+https://github.com/someone/fork@dev"' in nb.cells[2].source
    assert nb.cells[3].outputs[0]["text"] == "kept\n"
    assert nb.cells[1].source == "# Title"


def test_sync_adds_missing_cells(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("x = 1")]
    changes = sync_colab.sync_notebook(nb, sync_colab.load_location(), "notebooks/08_x.ipynb")
    assert "added the badge cell" in changes and "added the install cell" in changes
    assert [c.cell_type for c in nb.cells] == ["markdown", "markdown", "code", "code"]
    assert nb.cells[2].metadata["tags"] == ["colab"]


# --------------------------------------------------------------- the real notebooks
@pytest.mark.skipif(not ALL_NOTEBOOKS, reason="no notebooks yet")
def test_sync_verify_passes_on_the_repository():
    """`make colab` has been run: no badge or install cell drifts from pyproject.toml."""
    assert sync_colab.main(["--verify"]) == 0


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=_ids(ALL_NOTEBOOKS))
def test_badge_and_install_cell_positions(path):
    nb = nbformat.read(path, as_version=4)
    location = sync_colab.load_location()
    badge, install = nb.cells[0], nb.cells[2]
    assert badge.cell_type == "markdown" and "colab" in badge.metadata.get("tags", [])
    relpath = sync_colab.notebook_relpath(path)
    assert badge.source == sync_colab.badge_source(location, relpath)
    if path.parent.name == "learner":
        assert "/notebooks/learner/" in badge.source
    assert "colab-badge.svg" in badge.get("attachments", {})
    assert install.cell_type == "code" and "colab" in install.metadata.get("tags", [])
    assert install.source == sync_colab.install_source(location)


# --------------------------------------------------------------- the install cell in "Colab"
RUN_INSTALL_CELL = textwrap.dedent(
    """
    import json, sys, types
    from IPython.core.interactiveshell import InteractiveShell

    source, simulate = sys.argv[1], sys.argv[2] == "colab"
    shell = InteractiveShell.instance()
    calls = []
    shell.register_magic_function(lambda line: calls.append(line), "line", "pip")
    if simulate:
        sys.modules["google.colab"] = types.ModuleType("google.colab")
    result = shell.run_cell(source)
    print(json.dumps({"ok": result.success, "calls": calls}))
    """
)


@pytest.mark.parametrize("simulate", ["colab", "laptop"])
def test_install_cell_installs_only_in_colab(simulate):
    location = sync_colab.load_location()
    proc = subprocess.run(
        [sys.executable, "-c", RUN_INSTALL_CELL, sync_colab.install_source(location), simulate],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["ok"]
    if simulate == "colab":
        assert report["calls"] == [f'install --quiet "{location.install_spec}"']
    else:
        assert report["calls"] == []


# --------------------------------------------------------------- the Colab mirror
# Colab's own stack (tests/colab-pins.txt: its snapshot's versions, Python 3.13): built once in
# build/colab-mirror/ and reused while the pins, the dependencies and the install cell are the
# same (tests/colab_mirror.py).
COLAB_KEY_VERSIONS = {
    "tensorflow": "2.20.0",
    "keras": "3.13.2",
    "numpy": "2.1.3",
    "ipython": "7.34.0",
    "ipykernel": "6.17.1",
    "jupyter-client": "7.4.9",
    "ipywidgets": "7.7.1",
    "widgetsnbextension": "3.6.10",
    "notebook": "6.5.7",
}


def _pins() -> dict[str, str]:
    lines = COLAB_PINS.read_text().splitlines()
    return dict(ln.split("==") for ln in lines if "==" in ln and not ln.startswith("#"))


def test_pins_are_colabs_snapshot():
    """The mirror is Colab's stack as its snapshot says, not a look-alike."""
    header = COLAB_PINS.read_text().split("\n\n")[0]
    assert "snapshot of 20" in header and "Python 3.13" in header
    pins = _pins()
    assert {name: pins.get(name) for name in COLAB_KEY_VERSIONS} == COLAB_KEY_VERSIONS
    # Every package the workshop depends on is pinned, so the install cell must leave it be.
    from tools.refresh_colab_pins import normalise, package_requirements

    assert {normalise(n) for n in package_requirements()} <= set(pins)


@pytest.fixture(scope="session")
def colab_mirror():
    from tests.colab_mirror import MirrorUnavailable, build_mirror

    try:
        return build_mirror()
    except MirrorUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(f"{exc} (needs Python 3.13 and the package index)")


# The first test to use the mirror may build it (downloads about 1 GB on a fresh machine): more
# than the suite's 600 s backstop.
@pytest.mark.timeout(1800)
def test_colab_install_cell_changes_none_of_colabs_packages(colab_mirror):
    """Colab would otherwise upgrade TensorFlow, Keras, numpy or ipywidgets under the learner."""
    report = colab_mirror.install_report
    assert report["ok"], f"the install cell failed under IPython 7.34:\n{report['output']}"
    assert report["added"] == ["cnn-workshop"], report["added"]
    assert not report["removed"], report["removed"]
    assert not report["changed"], f"the install cell changed Colab's packages: {report['changed']}"


@pytest.fixture(scope="module")
def widget_report(colab_mirror) -> dict:
    proc = subprocess.run(
        [str(colab_mirror.python), str(ROOT / "tests" / "colab_widget_driver.py")],
        capture_output=True,
        text=True,
        timeout=300,
        env=colab_mirror.env(MPLBACKEND="Agg"),
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_widgets_run_on_ipywidgets_7(widget_report):
    assert widget_report["ipywidgets"] == "7.7.1"
    assert widget_report["tensorflow_importable"], "the mirror lacks Colab's TensorFlow"
    errors = [e for m in widget_report["modules"] for e in m["errors"]]
    assert not errors, "\n".join(errors)
    assert not widget_report["logged"], widget_report["logged"]
    explorers = [e for m in widget_report["modules"] for e in m["explorers"]]
    assert explorers, "no explorer was found in workshop.widgets"
    for explorer in explorers:
        # Moving a control must change what the learner sees (numbers, text or picture).
        assert explorer["visible_effect"], f"{explorer['name']}: no control changed anything"
    skipped = {m["module"]: m["skipped"] for m in widget_report["modules"] if m["skipped"]}
    assert not any("TensorFlow" in why for why in skipped.values()), skipped
    summary = {
        m["module"]: [e["name"] for e in m["explorers"]] or m["skipped"]
        for m in widget_report["modules"]
    }
    print("driven on ipywidgets", widget_report["ipywidgets"], json.dumps(summary, indent=1))
