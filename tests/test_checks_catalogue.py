"""The room's list of exercises is every checker, in the order the notebooks call them."""

from __future__ import annotations

import importlib
from pathlib import Path

import nbformat

from tools.room_times import checker_calls
from workshop.checks import Exercise, catalogue

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _calls_in_notebook_order() -> list[str]:
    found: list[str] = []
    for path in sorted(NOTEBOOKS.glob("0*.ipynb")):
        for _, ident in checker_calls(nbformat.read(path, as_version=4)):
            if ident not in found:
                found.append(ident)
    return found


def test_the_order_is_the_order_the_notebooks_call_the_checkers():
    assert list(catalogue.ORDER) == _calls_in_notebook_order()


def test_every_checker_a_module_defines_is_listed():
    defined = set()
    for module in catalogue.NOTEBOOKS:
        found = importlib.import_module(f"workshop.checks.{module}")
        defined |= {
            f"{module}.{name}" for name, value in vars(found).items() if isinstance(value, Exercise)
        }
    assert defined == set(catalogue.ORDER)


def test_each_checker_knows_its_id_and_others_have_none():
    from workshop.checks import convolution

    assert catalogue.exercise_id(convolution.top_left) == "convolution.top_left"
    assert catalogue.exercise_id(Exercise("mine", 1, "hint")) is None
    assert [info.id for info in catalogue.exercises()] == list(catalogue.ORDER)
