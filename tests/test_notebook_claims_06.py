"""Notebook 06 (your own photos): its visible head is the one the benchmark measures, its
expectation line is the benchmark's, its stored copy keeps no photo, and the paths nbval does not
take (Colab's uploads, leave-one-out, a classifier with no mistakes) run to the end."""

from __future__ import annotations

import io
import os
import re
import sys
import types
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from tools.photo_outputs import OWN_NOTE, OWN_TAG
from workshop import demo_photos, models, photos, transfer

ROOT = Path(__file__).resolve().parents[1]
NB06 = ROOT / "notebooks" / "06_own_photos.ipynb"
GUIDE = ROOT / "docs" / "instructor-guide.md"
README = ROOT / "README.md"


def _nb() -> nbformat.NotebookNode:
    return nbformat.read(NB06, as_version=4)


def _code(start: str) -> str:
    cells = [c for c in _nb().cells if c.cell_type == "code" and c.source.startswith(start)]
    assert len(cells) == 1, f"06 has {len(cells)} code cells starting {start!r}"
    return cells[0].source


def _text(nb: nbformat.NotebookNode) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


# ---------------------------------------------------------------- the head, as measured


@pytest.fixture
def vectors():
    rng = np.random.default_rng(0)
    return rng.normal(size=(12, 64)).astype("float32"), np.arange(12) % 3


def test_the_visible_head_is_the_one_the_benchmark_trains(vectors, monkeypatch):
    import keras

    train_vectors, train_labels = vectors
    frozen = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(64)])
    ns = {
        "keras": keras,
        "train_vectors": train_vectors,
        "train_labels": train_labels,
        "class_names": ["a", "b", "c"],
        "feature_model": frozen,
    }
    exec(_code("keras.utils.set_random_seed(0)"), ns)
    ns["np"] = np
    fitted = {}
    ns["head"].fit = lambda x, y, **kwargs: fitted.update(kwargs, n=len(x))
    ns["head"].evaluate = lambda *a, **k: [0.0, 1.0]
    exec(_code("head.compile("), ns)
    # HEAD_EPOCHS steps, each on the whole training set in order: fit_head's steps exactly.
    assert fitted == {
        "batch_size": len(train_vectors),
        "shuffle": False,
        "verbose": 0,
        "n": transfer.HEAD_EPOCHS * len(train_vectors),
    }

    monkeypatch.setattr(transfer, "HEAD_EPOCHS", 1)
    measured = transfer.fit_head(train_vectors, train_labels, 3)
    mine = ns["head"]
    assert [type(layer).__name__ for layer in mine.layers] == [
        type(layer).__name__ for layer in measured.layers
    ]
    for ours, theirs in zip(mine.layers, measured.layers, strict=True):
        config, expected = ours.get_config(), theirs.get_config()
        for key in ("rate", "units", "kernel_regularizer", "axis"):
            assert config.get(key) == expected.get(key), (type(ours).__name__, key)
    np.testing.assert_allclose(mine.layers[0].mean, measured.layers[0].mean, rtol=1e-6)
    assert float(mine.optimizer.learning_rate) == float(measured.optimizer.learning_rate)
    assert type(mine.optimizer) is type(measured.optimizer)
    assert mine.loss.get_config()["from_logits"] and measured.loss.get_config()["from_logits"]


def test_the_head_learns_from_each_photo_and_its_mirror_image_as_measured():
    source = _code("train_images = np.concatenate")
    assert "images[train][:, :, ::-1]" in source and "[labels[train], labels[train]]" in source
    # transfer.compare, which the benchmark runs, mirrors the same axis.
    assert "images[:, :, ::-1]" in Path(transfer.__file__).read_text(encoding="utf-8")


# ---------------------------------------------------------------- the expectation line

ROW = re.compile(
    r"\| cat, truck \| 20 \| (\d+)% \([^|]*\| (\d+)% \([^|]*\| (\d+)% \([^|]*\| (\d+)% \|"
)


@pytest.mark.parametrize("document", [GUIDE, README], ids=["guide", "README"])
def test_the_expectation_line_agrees_with_the_benchmark_table(document):
    table = ROW.search(document.read_text(encoding="utf-8"))
    assert table, f"{document.name}: no measured row for cat, truck at 20 photos per class"
    frozen, pixels, scratch, chance = table.groups()
    line = (
        f"20 photos per class: {frozen}% against {pixels}% for the head on raw pixels and "
        f"{scratch}% for the network from scratch, with chance at {chance}%"
    )
    assert line in " ".join(_text(_nb()).split()), f"06 should say: {line}"
    assert int(frozen) > max(int(pixels), int(scratch)), "the table no longer shows the claim"


# ---------------------------------------------------------------- no photo is stored


def test_cells_that_show_photos_keep_only_the_note():
    nb = _nb()
    tagged = [
        c for c in nb.cells if c.cell_type == "code" and OWN_TAG in c.metadata.get("tags", [])
    ]
    assert len(tagged) == 3
    for cell in tagged:
        assert [o.data["text/markdown"] for o in cell.outputs] == [OWN_NOTE]


def test_the_only_stored_figure_is_the_comparison_and_no_widget_state():
    nb = _nb()
    with_images = [
        c.source.splitlines()[0]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if any(k.startswith("image/") for k in o.get("data", {}))
    ]
    assert with_images == ["smallest = min(photo_set.counts().values())"]
    assert "widgets" not in nb.metadata
    raw = NB06.read_text(encoding="utf-8")
    assert "/9j/" not in raw, "a JPEG is stored in 06"  # base64 of every JPEG starts so


def test_the_stored_run_started_from_the_network_05_saved():
    nb = _nb()
    outputs = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    assert "your network from notebook 05 (cifar10_cnn.keras)" in outputs
    assert "the frozen network keeps its 89,184" in outputs  # live_cnn without Dense(10)


# ---------------------------------------------------------------- Colab's uploads


@pytest.fixture
def colab(monkeypatch, tmp_path):
    """A stand-in for google.colab.files: upload() saves what it gives into the working
    folder, as Colab does, and returns name -> bytes."""
    monkeypatch.chdir(tmp_path)
    given: dict[str, bytes] = {}
    files = types.SimpleNamespace(
        upload=lambda: {n: Path(n).write_bytes(b) or b for n, b in given.items()}
    )
    module = types.ModuleType("google.colab")
    module.files = files
    monkeypatch.setitem(sys.modules, "google.colab", module)
    return given


def _zip_of_two_classes(tmp_path: Path) -> bytes:
    folder = demo_photos.make_folder(tmp_path / "made", per_class=3)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(folder.rglob("*.jpg")):
            if "stripes" not in path.parts:
                zf.write(path, Path("my_photos") / path.relative_to(folder))
    return buffer.getvalue()


def _photos_cells(ns: dict) -> None:
    exec(_code("PHOTOS = Path("), ns)
    exec(_code('IN_COLAB = "google.colab" in sys.modules'), ns)  # tagged colab
    exec(_code("if not PHOTOS.exists():"), ns)


def _namespace() -> dict:
    return {
        "os": os,
        "Path": Path,
        "np": np,
        "photos": photos,
        "demo_photos": demo_photos,
        "sys": sys,
    }


def test_in_colab_a_zip_of_class_folders_is_uploaded(colab, tmp_path, monkeypatch):
    monkeypatch.delenv("WORKSHOP_PHOTOS", raising=False)
    colab["my_photos.zip"] = _zip_of_two_classes(tmp_path)
    ns = _namespace()
    _photos_cells(ns)
    assert ns["PHOTOS"] == Path("my_photos.zip")
    assert ns["photo_set"].class_names == ["dots", "rings"]


def test_in_colab_cancelling_the_upload_gives_the_stand_in_photos(colab, capsys, monkeypatch):
    monkeypatch.delenv("WORKSHOP_PHOTOS", raising=False)
    ns = _namespace()
    _photos_cells(ns)
    assert ns["photo_set"].class_names == list(demo_photos.CLASSES)
    assert "drawn stand-in photos" in capsys.readouterr().out


def test_in_colab_the_network_from_05_is_uploaded(colab, tmp_path, monkeypatch, capsys):
    import keras

    monkeypatch.setenv(models.SAVED_MODEL_ENV, str(tmp_path / "none" / "cifar10_cnn.keras"))
    keras.utils.set_random_seed(0)
    saved = tmp_path / "saved.keras"
    models.live_cnn().save(saved)
    colab["cifar10_cnn.keras"] = saved.read_bytes()
    ns = {"keras": keras, "models": models, "transfer": transfer, "Path": Path, "os": os}
    ns["IN_COLAB"] = True
    exec(_code("# Only when notebook 05's network is not found"), ns)
    exec(_code("if IN_COLAB and not MODEL_FILE.exists():"), ns)  # tagged colab
    exec(_code("if MODEL_FILE.exists():"), ns)
    assert ns["network"].predict(np.zeros((1, 32, 32, 3)), verbose=0).shape == (1, 10)
    assert "your network from notebook 05" in capsys.readouterr().out


# ---------------------------------------------------------------- the other branches


def test_a_tiny_set_is_judged_by_leave_one_out(monkeypatch, capsys):
    import matplotlib.pyplot as plt

    from workshop import plots

    calls = []
    scores = transfer.Scores(0.75, 0.5, 0.5, 0.5, {})
    monkeypatch.setattr(transfer, "leave_one_out", lambda *a, **k: calls.append(a) or scores)
    monkeypatch.setattr(plt, "show", lambda: None)
    labels = np.array([0, 0, 0, 1, 1, 1])
    photo_set = photos.PhotoSet(np.zeros((6, 32, 32, 3), np.uint8), labels, ["a", "b"], [""] * 6)
    ns = {
        "photo_set": photo_set,
        "images": photo_set.images,
        "labels": labels,
        "class_names": ["a", "b"],
        "feature_model": None,
        "transfer": transfer,
        "plots": plots,
        "plt": plt,
    }
    exec(_code("smallest = min(photo_set.counts().values())"), ns)
    assert len(calls) == 1
    assert (
        "3 photos in the smallest class: leave-one-out, each way 6 times" in capsys.readouterr().out
    )
    plt.close("all")


def test_a_classifier_with_no_mistakes_gets_a_sentence(capsys):
    test = np.array([1, 4, 7])
    labels = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    ns = {"np": np, "test": test, "labels": labels, "predicted": labels[test]}
    exec(_code("wrong = np.flatnonzero("), ns)
    assert capsys.readouterr().out == (
        "No mistakes to show: all 3 held-out photos were named correctly.\n"
    )
