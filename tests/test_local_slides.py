"""make slides-local: photo decks for the instructor's projector, written only where git ignores.

No test here uses CIFAR-10: the "photos" are noise drawn by the tests. The fast tests splice fake
notebooks and run the command's core on a private copy of the repository with a stand-in
executor; the slow one runs the whole command (both notebooks executed) on a tiny image folder.
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from bs4 import BeautifulSoup
from PIL import Image

from tools import build_slides, local_slides
from tools.photo_outputs import NOTE, WIDGET_STATE, WIDGET_VIEW, note_output

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# The class folders load_cifar10 expects; the pictures in them are noise.
CLASSES = "airplane automobile bird cat deer dog frog horse ship truck".split()

needs_git = pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs git"
)
needs_assets = pytest.mark.skipif(
    not (build_slides.NODE_MODULES / "reveal.js").exists() and shutil.which("npm") is None,
    reason="slides need Node.js/npm once: `npm ci` in slides/",
)


def noise_png(seed: int = 0) -> str:
    pixels = np.random.default_rng(seed).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def image_output(seed: int = 0) -> nbformat.NotebookNode:
    return nbformat.v4.new_output(
        "display_data", data={"image/png": noise_png(seed), "text/plain": "<Figure>"}
    )


def widget_output(model_id: str) -> nbformat.NotebookNode:
    view = {"version_major": 2, "version_minor": 0, "model_id": model_id}
    return nbformat.v4.new_output("display_data", data={WIDGET_VIEW: view, "text/plain": "W"})


def widget_state(models: dict) -> dict:
    return {WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": models}}


def model(children: list[str] = ()) -> dict:
    return {
        "model_name": "VBoxModel",
        "model_module": "@jupyter-widgets/controls",
        "model_module_version": "2.0.0",
        "state": {"children": [f"IPY_MODEL_{c}" for c in children]},
    }


def fake_notebooks() -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """(stored, executed): the stored one has notes where photos go, the run has them."""
    cells = [
        nbformat.v4.new_markdown_cell("# Photos", metadata={"slideshow": {"slide_type": "slide"}}),
        nbformat.v4.new_code_cell("accuracy()"),
        nbformat.v4.new_code_cell("show_photo()", metadata={"tags": ["real-photos"]}),
        nbformat.v4.new_code_cell("Explorer()", metadata={"tags": ["real-photos"]}),
        nbformat.v4.new_code_cell("widget_only_stored()"),
    ]
    stored = nbformat.v4.new_notebook(cells=cells)
    stored.metadata["workshop"] = {"data_source": "image files"}
    stored.metadata["widgets"] = widget_state({"kept": model()})
    stored.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="0.81\n")]
    stored.cells[2].outputs = [note_output()]
    stored.cells[3].outputs = [note_output()]
    stored.cells[4].outputs = [widget_output("kept")]

    executed = nbformat.reads(nbformat.writes(stored), as_version=4)
    executed.metadata = nbformat.from_dict({"widgets": widget_state({})})
    executed.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="0.42\n")]
    executed.cells[2].outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="tf log line\n"),
        image_output(1),
    ]
    executed.cells[2].execution_count = 7
    executed.cells[3].outputs = [widget_output("top")]
    executed.metadata["widgets"][WIDGET_STATE]["state"] = {
        "top": model(["child"]),
        "child": model(["grandchild"]),
        "grandchild": model(),
        "unshown": model(),
    }
    return stored, executed


# ---------------------------------------------------------------- splicing


def test_splice_takes_the_photo_cells_outputs_and_their_widgets_and_nothing_else():
    stored, executed = fake_notebooks()
    before = nbformat.writes(stored)
    spliced, count = local_slides.splice(stored, executed)

    assert count == 2
    assert nbformat.writes(stored) == before, "the stored notebook itself is left alone"
    # The measured numbers stay the stored ones; the run's own are not taken.
    assert spliced.cells[1].outputs[0].text == "0.81\n"
    assert spliced.metadata["workshop"] == {"data_source": "image files"}
    # The photo cells show the run's outputs, without its log lines.
    assert [o.output_type for o in spliced.cells[2].outputs] == ["display_data"]
    assert spliced.cells[2].outputs[0].data["image/png"] == noise_png(1)
    assert spliced.cells[2].execution_count == 7
    assert spliced.cells[3].outputs[0].data[WIDGET_VIEW]["model_id"] == "top"
    # The explorer's models (and the ones they contain) join the stored state; nothing else.
    state = spliced.metadata["widgets"][WIDGET_STATE]["state"]
    assert set(state) == {"kept", "top", "child", "grandchild"}
    assert NOTE not in nbformat.writes(spliced)
    nbformat.validate(spliced)


def test_splice_makes_a_widget_state_when_the_stored_notebook_has_none():
    stored, executed = fake_notebooks()
    del stored.metadata["widgets"]
    stored.cells = stored.cells[:4]
    spliced, _ = local_slides.splice(stored, executed)
    container = spliced.metadata["widgets"][WIDGET_STATE]
    assert container["version_major"] == 2
    assert set(container["state"]) == {"top", "child", "grandchild"}


def test_splice_matches_cells_by_position_without_ids():
    stored, executed = fake_notebooks()
    for nb in (stored, executed):
        for cell in nb.cells:
            cell.pop("id", None)
    spliced, count = local_slides.splice(stored, executed)
    assert count == 2 and spliced.cells[2].outputs[0].data["image/png"] == noise_png(1)


@pytest.mark.parametrize("change", ["source", "missing", "empty", "widget"])
def test_splice_refuses_a_run_of_another_version_or_one_without_the_outputs(change):
    stored, executed = fake_notebooks()
    if change == "source":
        executed.cells[2].source = "show_other_photo()"
    elif change == "missing":
        del executed.cells[2]
    elif change == "empty":
        executed.cells[2].outputs = []
    else:
        del executed.metadata["widgets"][WIDGET_STATE]["state"]["grandchild"]
    with pytest.raises(ValueError):
        local_slides.splice(stored, executed)


def test_only_the_executed_part_is_run():
    stored, _ = fake_notebooks()
    cut = local_slides.until_last_photo(stored)
    assert [c.source for c in cut.cells][-1] == "Explorer()"


def test_the_photo_notebooks_are_04_and_05():
    names = [p.name for p in local_slides.photo_notebooks(NOTEBOOKS)]
    assert names == ["04_cnn_architecture.ipynb", "05_cifar10.ipynb"]


# ---------------------------------------------------------------- where it writes


@needs_git
def test_the_default_output_folders_are_ignored_by_git():
    for folder in (local_slides.DEFAULT_OUT, local_slides.work_dir(local_slides.DEFAULT_OUT)):
        assert folder.resolve().is_relative_to(ROOT / "build")
        assert local_slides.git_ignored(folder) is True
        done = subprocess.run(
            ["git", "check-ignore", "--no-index", str(folder)], cwd=ROOT, capture_output=True
        )
        assert done.returncode == 0, f"{folder} is not ignored: .gitignore must list build/"


@needs_git
def test_an_output_folder_git_would_track_is_refused(tmp_path):
    out = ROOT / "notebooks" / f"slides-local-test-{os.getpid()}"
    with pytest.raises(local_slides.LocalSlidesError, match="not ignored by git"):
        local_slides.build_local(out, execute=_never)
    assert not out.exists()


def _never(notebook, executed_path):
    raise AssertionError("nothing may be executed")


def test_the_synthetic_stand_in_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    out = tmp_path / "build" / "slides-local"
    with pytest.raises(SystemExit) as refused:
        monkeypatch.setenv("WORKSHOP_DATA", "synthetic")
        local_slides.build_local(out, execute=_never)
    assert "synthetic" in str(refused.value) and "DATA=" in str(refused.value)
    assert not (tmp_path / "build").exists()

    # The command line says the same, whatever the environment had.
    monkeypatch.delenv("WORKSHOP_DATA")
    done = subprocess.run(
        [sys.executable, "-m", "tools.local_slides", "--data", "synthetic", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "synthetic has none" in done.stderr
    assert not (tmp_path / "build").exists()


def write_noise_folder(root: Path, n_train: int, n_test: int) -> Path:
    """train/<class>/ and test/<class>/ PNGs of noise: the layout of WORKSHOP_DATA=<folder>."""
    rng = np.random.default_rng(0)
    for split, n in (("train", n_train), ("test", n_test)):
        for cls in CLASSES:
            folder = root / split / cls
            folder.mkdir(parents=True)
            for i in range(n):
                pixels = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
                Image.fromarray(pixels).save(folder / f"{i}.png")
    return root


def private_repository(dest: Path) -> Path:
    """A git repository holding this working tree's files (tracked and not yet tracked, never
    ignored ones), committed, with the slide assets linked in: the command may run there without
    anything else writing to it."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (dest / "slides" / "node_modules").symlink_to(build_slides.NODE_MODULES)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "copy"], cwd=dest, check=True)
    return dest


def git_status(repo: Path) -> list[str]:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all", "--ignored"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()


def assert_wrote_only_ignored_files_under_build(repo: Path, before: list[str]) -> list[str]:
    """Every path the command wrote is untracked, ignored and under build/; no tracked file
    changed. Returns the new paths."""
    new = [line for line in git_status(repo) if line not in before]
    assert new, "the command wrote nothing"
    for line in new:
        assert line.startswith("!! build/"), f"not an ignored path under build/: {line}"
    tracked = subprocess.run(
        ["git", "ls-files", "build"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    assert tracked == ""
    assert subprocess.run(["git", "diff", "--quiet", "HEAD"], cwd=repo).returncode == 0, (
        "a tracked file changed"
    )
    return new


def fake_execute(notebook: Path, executed_path: Path) -> nbformat.NotebookNode:
    """Stands in for the kernel: the notebook with a picture of noise in every photo cell."""
    nb = local_slides.until_last_photo(nbformat.read(notebook, as_version=4))
    for seed, cell in enumerate(nb.cells):
        if "real-photos" in cell.metadata.get("tags", []):
            cell.outputs = [image_output(seed)]
    executed_path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, executed_path)
    return nb


@needs_git
@needs_assets
def test_the_command_writes_only_ignored_files_under_build(tmp_path, monkeypatch):
    repo = private_repository(tmp_path / "repo")
    data = write_noise_folder(tmp_path / "data", n_train=1, n_test=1)
    monkeypatch.setenv("WORKSHOP_DATA", str(data))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    before = git_status(repo)
    # The photo decks and one other (the command itself builds them all, the same way).
    notebooks = [
        repo / "notebooks" / f"{name}.ipynb"
        for name in ("03_relu_and_pooling", "04_cnn_architecture", "05_cifar10")
    ]

    out = repo / "build" / "slides-local"
    decks = local_slides.build_local(out, notebooks, execute=fake_execute)

    new = assert_wrote_only_ignored_files_under_build(repo, before)
    assert any(line.startswith("!! build/slides-local/") for line in new)
    assert [d["notebook"] for d in decks] == [p.name for p in notebooks]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "do not publish" in index
    for name in ("04_cnn_architecture", "05_cifar10"):
        page = (out / f"{name}.slides.html").read_text(encoding="utf-8")
        assert "Photos from CIFAR-10 appear here" not in page
        executed = repo / "build" / "slides-local-work" / "executed" / f"{name}.ipynb"
        pictures = [
            o.data["image/png"]
            for c in nbformat.read(executed, as_version=4).cells
            if "real-photos" in c.metadata.get("tags", [])
            for o in c.outputs
        ]
        assert pictures and all(f"base64,{png}" in page for png in pictures)
    # The other decks are the ones make slides builds.
    page = (out / "03_relu_and_pooling.slides.html").read_text(encoding="utf-8")
    assert BeautifulSoup(page, "html.parser").select(".reveal .slides section")

    # --reuse-run rebuilds from the executed copies without running anything.
    local_slides.build_local(out, notebooks, execute=_never, reuse_run=True)


# ---------------------------------------------------------------- the whole command, executed


@pytest.mark.slow
@needs_git
@needs_assets
def test_make_slides_local_executes_copies_and_shows_their_pictures(tmp_path):
    """The real command, kernels and all, on a tiny folder of noise pictures (about 2 minutes)."""
    repo = private_repository(tmp_path / "repo")
    # Notebook 04 draws 2,000 training and 500 test images; 05 takes the budget below.
    data = write_noise_folder(tmp_path / "data", n_train=200, n_test=50)
    env = {
        **os.environ,
        "WORKSHOP_DATA": str(data),
        "KERAS_HOME": str(tmp_path / "keras"),
        "WORKSHOP_N_TRAIN": "2000",
        "WORKSHOP_N_TEST": "500",
        "WORKSHOP_EPOCHS": "1",
        "WORKSHOP_MINUTES": "0.2",
    }
    before = git_status(repo)
    done = subprocess.run(
        [sys.executable, "-m", "tools.local_slides"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "05_cifar10.ipynb: executed in" in done.stdout
    assert_wrote_only_ignored_files_under_build(repo, before)
    out = repo / "build" / "slides-local"
    for name, photo_cells in (("04_cnn_architecture", 4), ("05_cifar10", 5)):
        assert f"{name}.ipynb: {photo_cells} cell(s) show the photos of this run" in done.stdout
        page = (out / f"{name}.slides.html").read_text(encoding="utf-8")
        assert "Photos from CIFAR-10 appear here" not in page
    explorer = (out / "05_cifar10.slides.html").read_text(encoding="utf-8")
    assert WIDGET_STATE in explorer
