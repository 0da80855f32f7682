"""Drive every workshop explorer headless; run inside the ipywidgets 7 (Colab-like) venv.

``tests/test_colab.py`` runs this file with the separate interpreter and reads the JSON it
prints last. Every explorer is a subclass of ``workshop.widgets._view.Explorer`` and shows
``explorer.widget``, so new widget modules are covered without editing this file: each
explorer class of ``workshop.widgets.*`` that builds without arguments is built, then each
control in its ``.widget`` tree gets a new value and each button is clicked once. Explorers
that need arguments (a trained model) are listed as skipped, and so are modules that need
TensorFlow (Colab has it; this venv does not).
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import os
import pkgutil
import sys
import traceback

os.environ.setdefault("MPLBACKEND", "Agg")

import ipywidgets  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")

# ipywidgets logs (and swallows) exceptions raised inside interact callbacks: catch them.
_logged: list[str] = []


class _Catch(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            _logged.append(record.getMessage())


logging.getLogger().addHandler(_Catch())
for name in ("traitlets", "ipywidgets"):
    logging.getLogger(name).addHandler(_Catch())


def _walk(widget: ipywidgets.Widget, seen: set[int]) -> list[ipywidgets.Widget]:
    if id(widget) in seen:
        return []
    seen.add(id(widget))
    found = [widget]
    for child in getattr(widget, "children", ()) or ():
        if isinstance(child, ipywidgets.Widget):
            found += _walk(child, seen)
    return found


def _next_value(control: ipywidgets.Widget) -> tuple[bool, object]:
    """A different valid value for ``control`` (False when it has none)."""
    if isinstance(
        control,
        (
            ipywidgets.Dropdown,
            ipywidgets.ToggleButtons,
            ipywidgets.RadioButtons,
            ipywidgets.SelectionSlider,
        ),
    ):
        values = [v[1] if isinstance(v, tuple) else v for v in control.options]
        others = [v for v in values if v != control.value]
        return (bool(others), others[0] if others else None)
    if isinstance(control, ipywidgets.Checkbox):
        return True, not control.value
    numeric = (
        ipywidgets.IntSlider,
        ipywidgets.FloatSlider,
        ipywidgets.BoundedIntText,
        ipywidgets.BoundedFloatText,
        ipywidgets.Play,
    )
    if isinstance(control, numeric):
        step = control.step or 1
        if control.value + step <= control.max:
            return True, control.value + step
        if control.value - step >= control.min:
            return True, control.value - step
        return False, None
    if isinstance(control, (ipywidgets.IntText, ipywidgets.FloatText)):
        return True, control.value + 1
    return False, None


def _fingerprint(explorer: object, tree: list[ipywidgets.Widget]) -> str:
    """What a learner would see change: arrays and numbers the explorer holds, widget texts."""
    import hashlib

    import numpy as np

    digest = hashlib.sha256()
    for key, value in sorted(vars(explorer).items()) if hasattr(explorer, "__dict__") else ():
        if isinstance(value, np.ndarray) and value.dtype != object:
            digest.update(key.encode() + np.ascontiguousarray(value).tobytes())
        elif isinstance(value, (int, float, str, tuple)) and not key.startswith("_"):
            digest.update(f"{key}={value!r}".encode())
    for widget in tree:
        if isinstance(widget, (ipywidgets.HTML, ipywidgets.Label, ipywidgets.Image)):
            digest.update(repr(widget.value).encode())
        if isinstance(widget, ipywidgets.Output):
            digest.update(repr(widget.outputs).encode())
    return digest.hexdigest()


def _no_args_needed(obj: object) -> bool:
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return False
    return all(
        p.default is not inspect.Parameter.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        for p in signature.parameters.values()
    )


def drive_module(module_name: str) -> dict:
    report: dict = {"module": module_name, "explorers": [], "errors": [], "skipped": None}
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        if any(n in str(exc) for n in ("keras", "tensorflow")):
            report["skipped"] = f"needs TensorFlow: {exc}"
        else:
            report["errors"].append(f"import failed: {exc!r}")
        return report
    from workshop.widgets._view import Explorer

    needs_arguments = []
    for name, obj in sorted(vars(module).items()):
        if not (inspect.isclass(obj) and issubclass(obj, Explorer)):
            continue
        if obj.__module__ != module_name:
            continue
        if not _no_args_needed(obj):
            needs_arguments.append(name)
            continue
        try:
            made = obj()
        except Exception as exc:  # an explorer that fails to build is what we look for
            report["errors"].append(f"{name}(): {exc!r}")
            continue
        root = getattr(made, "widget", None)
        if not isinstance(root, ipywidgets.Widget):
            report["errors"].append(f"{name}().widget is not a widget: {root!r}")
            continue
        entry = {"name": name, "changed": [], "clicked": [], "visible_effect": []}
        tree = _walk(root, set())
        for control in tree:
            label = f"{type(control).__name__}({getattr(control, 'description', '')!r})"
            before = _fingerprint(made, tree)
            try:
                if isinstance(control, ipywidgets.Button):
                    control.click()
                    entry["clicked"].append(label)
                else:
                    ok, value = _next_value(control)
                    if not ok:
                        continue
                    control.value = value
                    entry["changed"].append(label)
                if _fingerprint(made, tree) != before:
                    entry["visible_effect"].append(label)
            except Exception:
                report["errors"].append(f"{name}: {label}: {traceback.format_exc(limit=3)}")
        report["explorers"].append(entry)
    if needs_arguments and not report["explorers"] and not report["errors"]:
        report["skipped"] = f"needs arguments (e.g. a trained model): {needs_arguments}"
    return report


def main() -> int:
    import workshop.widgets as package

    names = sorted(
        f"{package.__name__}.{m.name}"
        for m in pkgutil.iter_modules(package.__path__)
        if not m.name.startswith("_")
    )
    reports = [drive_module(name) for name in names]
    summary = {
        "ipywidgets": ipywidgets.__version__,
        "python": sys.version.split()[0],
        "tensorflow_importable": importlib.util.find_spec("tensorflow") is not None,
        "modules": reports,
        "logged": [m for m in _logged if "exception" in m.lower() or "error" in m.lower()],
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
