"""Importing workshop (and its light modules) must not import TensorFlow: it takes seconds."""

import subprocess
import sys

LIGHT_MODULES = [
    "workshop",
    "workshop.ops",
    "workshop.plots",
    "workshop.checks",
    "workshop.images",
    "workshop.cli",
    "workshop.doctor",
]


def test_import_workshop_does_not_import_tensorflow():
    code = (
        "import importlib, pkgutil, sys\n"
        "import workshop\n"
        f"for name in {LIGHT_MODULES!r}: importlib.import_module(name)\n"
        "for info in pkgutil.walk_packages(workshop.__path__, 'workshop.'):\n"
        "    if info.name.endswith('__main__'): continue\n"
        "    importlib.import_module(info.name)\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras'))\n"
        "print(heavy[:5])\n"
        "sys.exit(1 if heavy else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"TensorFlow/Keras imported on import: {result.stdout}"
