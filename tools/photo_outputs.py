"""Keep CIFAR-10's pixels out of the repository.

The dataset has no licence that lets anyone re-host it, so a committed notebook may state what
the photos gave (accuracies, confusions, learned kernels, curves) but must not show the photos.
Cells tagged ``real-photos`` display photos, or maps computed from one; after a run on the real
data, ``make notebooks`` replaces their outputs with a note, and drops the stored widget state
that only those outputs used. A learner who runs the cell sees the photos, from their own copy.
"""

from __future__ import annotations

import json
import re

import nbformat

TAG = "real-photos"
NOTE = (
    "*Photos from CIFAR-10 appear here when you run this cell. The stored notebook leaves them "
    "out: the dataset may not be re-hosted.*"
)
# Notebook 06 shows a learner's own photos; its stored run used drawn stand-ins, but the rule is
# the same: cells tagged so never keep what they showed.
OWN_TAG = "own-photos"
OWN_NOTE = (
    "*Your own photos appear here when you run this cell. The stored notebook keeps none of them.*"
)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
MODEL_REFERENCE = re.compile(r"IPY_MODEL_(\w+)")


def note_output(note: str = NOTE) -> nbformat.NotebookNode:
    """The output that stands in for a ``real-photos`` (or ``own-photos``) cell's own."""
    return nbformat.v4.new_output(
        "display_data", data={"text/markdown": note, "text/plain": note.strip("*")}
    )


def is_photo_cell(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and TAG in cell.metadata.get("tags", [])


def is_own_photo_cell(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and OWN_TAG in cell.metadata.get("tags", [])


def strip_photo_outputs(nb: nbformat.NotebookNode) -> int:
    """Replace every ``real-photos`` and ``own-photos`` cell's outputs with its note; return
    how many were replaced.

    Cells that were never run keep their empty outputs, so the note never claims a run.
    """
    replaced = 0
    for cell in nb.cells:
        if not cell.get("outputs"):
            continue
        if is_photo_cell(cell):
            cell.outputs = [note_output()]
            replaced += 1
        elif is_own_photo_cell(cell):
            cell.outputs = [note_output(OWN_NOTE)]
            replaced += 1
    prune_widget_state(nb)
    return replaced


def prune_widget_state(nb: nbformat.NotebookNode) -> None:
    """Drop stored widget models that no remaining output shows, directly or as a part."""
    container = nb.metadata.get("widgets", {}).get(WIDGET_STATE)
    if not container:
        return
    models = container.get("state", {})
    todo = [
        out["data"][WIDGET_VIEW]["model_id"]
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if WIDGET_VIEW in out.get("data", {})
    ]
    kept: set[str] = set()
    while todo:
        model_id = todo.pop()
        if model_id in kept or model_id not in models:
            continue
        kept.add(model_id)
        todo.extend(MODEL_REFERENCE.findall(json.dumps(models[model_id])))
    container["state"] = {k: v for k, v in models.items() if k in kept}
    if not container["state"]:
        nb.metadata.pop("widgets")
