"""Every exercise checker, in the order a learner meets them in the notebooks.

The room pulse (:mod:`workshop.room`) names an exercise by its id, ``"<module>.<name>"``
(``"convolution.top_left"``): learners' kernels send it, and the room accepts only the ids
listed here. A test holds this order against the notebooks' own ``check.<name>(...)`` calls
and against the checkers the modules define, so a new exercise cannot be left out.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

from workshop.checks._core import Exercise

__all__ = ["NOTEBOOKS", "ORDER", "ExerciseInfo", "checker_ids", "exercise_id", "exercises"]

# Checker module -> the notebook that imports it as `check`, as the dashboard names it.
NOTEBOOKS = {
    "setup": "00 Setup",
    "feature_extraction": "01 Feature extraction",
    "convolution": "02 Convolution by hand",
    "relu_pooling": "03 ReLU and pooling",
    "architecture": "04 CNN architecture",
    "cifar10": "05 CIFAR-10",
    "own_photos": "06 Your own photos",
}

ORDER = (
    "setup.filters_are",
    "feature_extraction.inputs",
    "feature_extraction.dense_parameters",
    "feature_extraction.conv_parameters",
    "feature_extraction.better_model",
    "feature_extraction.why_cnn_generalises",
    "feature_extraction.blur_kernel",
    "convolution.top_left",
    "convolution.feature_map",
    "convolution.output_size",
    "convolution.padding_same",
    "convolution.kernels_for_32_maps",
    "convolution.rgb_weights",
    "convolution.layer_parameters",
    "convolution.keras_top_left",
    "relu_pooling.relu_small",
    "relu_pooling.why_relu",
    "relu_pooling.combined_weights",
    "relu_pooling.combined_bias",
    "relu_pooling.xor_outputs",
    "relu_pooling.max_pooled",
    "relu_pooling.avg_pooled",
    "relu_pooling.fraction_kept",
    "relu_pooling.pooled_shape",
    "relu_pooling.pool_params",
    "architecture.conv_output_shape",
    "architecture.conv_params",
    "architecture.flatten_size",
    "architecture.dense_params",
    "architecture.shapes_and_params",
    "architecture.total_params",
    "architecture.receptive_field",
    "cifar10.live_model",
    "cifar10.conv1_params",
    "cifar10.last_pool_shape",
    "cifar10.softmax_and_from_logits",
    "cifar10.softmax",
    "cifar10.from_logits",
    "cifar10.dense_first_params",
    "own_photos.head_params",
    "own_photos.chance",
    "own_photos.why_features_help",
)


@dataclass(frozen=True)
class ExerciseInfo:
    """One exercise as the room shows it."""

    id: str
    notebook: str  # "02 Convolution by hand"
    name: str  # "top_left"


def exercises() -> tuple[ExerciseInfo, ...]:
    """Every exercise, in notebook order."""
    infos = []
    for ident in ORDER:
        module, name = ident.split(".")
        infos.append(ExerciseInfo(ident, NOTEBOOKS[module], name))
    return tuple(infos)


@cache
def checker_ids() -> dict[int, str]:
    """``id(checker) -> exercise id`` for every checker of :data:`ORDER`."""
    found = {}
    for ident in ORDER:
        module, name = ident.split(".")
        checker = getattr(importlib.import_module(f"workshop.checks.{module}"), name)
        found[id(checker)] = ident
    return found


def exercise_id(checker: Exercise) -> str | None:
    """The id of a module-level checker, ``None`` for one made elsewhere (a test's own)."""
    return checker_ids().get(id(checker))
