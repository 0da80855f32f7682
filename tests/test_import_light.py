"""Importing workshop must not import TensorFlow (it takes seconds); checkers import no widgets."""

import ast
import json
import subprocess
import sys
from pathlib import Path

LIGHT_MODULES = [
    "workshop",
    "workshop.ops",
    "workshop.plots",
    "workshop.checks",
    "workshop.images",
    "workshop.kernels",
    "workshop.layers",
    "workshop.cli",
    "workshop.doctor",
]


def _modules_loaded_by_importing(package: str, also: tuple[str, ...] = ()) -> list[str]:
    """Every module a fresh interpreter holds after importing ``package`` and all below it."""
    code = (
        "import importlib, json, pkgutil, sys\n"
        f"for name in {list(also)!r}: importlib.import_module(name)\n"
        f"package = importlib.import_module({package!r})\n"
        "for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "    if not info.name.endswith('__main__'):\n"
        "        importlib.import_module(info.name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_workshop_does_not_import_tensorflow():
    loaded = _modules_loaded_by_importing("workshop", tuple(LIGHT_MODULES))
    heavy = [m for m in loaded if m.split(".")[0] in ("tensorflow", "keras")]
    assert not heavy, f"TensorFlow/Keras imported on import: {heavy[:5]}"


def _is_widget(name: str) -> bool:
    return name.split(".")[0] == "ipywidgets" or name.startswith("workshop.widgets")


def _imported_names(path: Path) -> set[str]:
    """What a module's import statements name, at the top or inside functions."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_checkers_import_no_widget_module():
    """A checker marks an answer: it must not drag in ipywidgets or an explorer."""
    checks = Path(__file__).resolve().parents[1] / "workshop" / "checks"
    written = {
        path.name: sorted(n for n in _imported_names(path) if _is_widget(n))
        for path in sorted(checks.glob("*.py"))
    }
    assert not any(written.values()), f"checkers import widgets: {written}"
    loaded = [m for m in _modules_loaded_by_importing("workshop.checks") if _is_widget(m)]
    assert not loaded, f"importing the checkers imported widgets: {loaded[:5]}"
