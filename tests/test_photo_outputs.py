"""tools.photo_outputs: what `make notebooks` does to cells that show CIFAR-10 photos."""

from __future__ import annotations

import nbformat

from tools.photo_outputs import (
    TAG,
    WIDGET_STATE,
    WIDGET_VIEW,
    note_output,
    strip_photo_outputs,
)


def _widget_cell(model_id: str, tags: list[str]) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("Explorer()", metadata={"tags": tags})
    view = {"model_id": model_id, "version_major": 2, "version_minor": 0}
    cell.outputs = [nbformat.v4.new_output("display_data", data={WIDGET_VIEW: view})]
    return cell


def _model(*children: str) -> dict:
    return {
        "model_name": "VBoxModel",
        "state": {"children": [f"IPY_MODEL_{c}" for c in children]},
    }


def _notebook() -> nbformat.NotebookNode:
    photos = nbformat.v4.new_code_cell("image_grid(x_train[:8])", metadata={"tags": [TAG]})
    photos.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": "iVBOR", "text/plain": "fig"})
    ]
    never_run = nbformat.v4.new_code_cell("show_image(x_test[0])", metadata={"tags": [TAG]})
    kept = nbformat.v4.new_code_cell("print(1)")
    kept.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    nb = nbformat.v4.new_notebook()
    nb.cells = [photos, never_run, kept, _widget_cell("aa", [TAG]), _widget_cell("bb", [])]
    state = {"aa": _model("a1"), "a1": _model("a2"), "a2": _model(), "bb": _model("b1")}
    state |= {"b1": _model("shared"), "shared": _model(), "orphan": _model()}
    nb.metadata["widgets"] = {WIDGET_STATE: {"state": state, "version_major": 2}}
    return nb


def test_photos_become_a_note_and_nothing_else_changes():
    nb = _notebook()
    assert strip_photo_outputs(nb) == 2
    assert nb.cells[0].outputs == [note_output()]
    assert nb.cells[1].outputs == [], "a cell that never ran must not claim a run"
    assert nb.cells[2].outputs[0].text == "1\n"
    assert nb.cells[3].outputs == [note_output()]
    assert WIDGET_VIEW in nb.cells[4].outputs[0].data
    assert (
        "Photos from CIFAR-10 appear here when you run this cell"
        in note_output().data["text/markdown"]
    )


def test_widget_state_keeps_exactly_what_remaining_outputs_show():
    nb = _notebook()
    strip_photo_outputs(nb)
    state = nb.metadata["widgets"][WIDGET_STATE]["state"]
    assert set(state) == {"bb", "b1", "shared"}


def test_widget_state_goes_when_no_widget_is_left():
    nb = _notebook()
    nb.cells = nb.cells[:4]
    strip_photo_outputs(nb)
    assert "widgets" not in nb.metadata
    assert strip_photo_outputs(nb) == 2  # a second pass changes nothing
    assert nb.cells[0].outputs == [note_output()]


def test_a_learners_own_photos_get_their_own_note():
    from tools.photo_outputs import OWN_NOTE, OWN_TAG

    shown = nbformat.v4.new_code_cell("image_grid(mine)", metadata={"tags": [OWN_TAG]})
    shown.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": "iVBOR", "text/plain": "fig"}),
        nbformat.v4.new_output("stream", name="stdout", text="mugs: 12 photos\n"),
    ]
    nb = nbformat.v4.new_notebook(cells=[shown])
    assert strip_photo_outputs(nb) == 1
    assert shown.outputs == [note_output(OWN_NOTE)]
    assert "Your own photos appear here" in shown.outputs[0].data["text/markdown"]
