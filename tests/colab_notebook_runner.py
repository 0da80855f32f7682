"""Execute one notebook top to bottom; run inside the Colab mirror (tests/colab_mirror.py).

``tests/test_colab.py`` runs this file with the mirror's interpreter, so the kernel is Colab's
ipykernel 6.17 with IPython 7.34 and nbclient is Colab's too, driven by this checkout's
``execute_in``. It writes the executed notebook beside the copy and prints one JSON line: where
that notebook is, the versions the kernel saw and how many replies waited unseen; the test
reads the errors from the notebook, as it reads every other run (tests/notebook_runs.py).
Usage: python colab_notebook_runner.py NOTEBOOK WORKDIR
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
TRAINING_TIMEOUT_S = 300  # the tests' training budget (conftest.py) trains for about a minute

VERSIONS = """\
import json, sys, IPython, ipywidgets, keras, numpy, tensorflow
print(json.dumps({"python": sys.version.split()[0], "ipython": IPython.__version__,
    "ipywidgets": ipywidgets.__version__, "keras": keras.__version__,
    "numpy": numpy.__version__, "tensorflow": tensorflow.__version__}))
"""


def notebook_client_module():
    """``tools.notebook_client``, loaded from its file: the one module that executes notebooks.

    Plain nbclient can sit out a whole cell timeout on a reply it missed (that module explains
    the stall): notebook 00 was seen to take 300 s here instead of 8. The checkout is not put on
    ``sys.path``, since the kernel must import the workshop as the install cell installed it.
    """
    path = ROOT / "tools" / "notebook_client.py"
    spec = importlib.util.spec_from_file_location("workshop_notebook_client", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(source: Path, work: Path) -> int:
    work.mkdir(parents=True, exist_ok=True)
    copy = work / source.name  # files the notebook saves land here, not in the repository
    shutil.copy(source, copy)
    nb = nbformat.read(copy, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(VERSIONS))
    start = time.monotonic()
    client = notebook_client_module().execute_in(
        nb, work, name=source.name, training_s=TRAINING_TIMEOUT_S, allow_errors=True
    )
    seconds = time.monotonic() - start
    versions_cell = nb.cells.pop()
    # ipykernel flushes on a timer, so one print() may arrive as several stream messages
    # (the JSON, then its newline): join them before reading the last line.
    printed = "".join(o.get("text", "") for o in versions_cell.outputs if o.get("name") == "stdout")
    lines = printed.strip().splitlines()
    executed = work / f"executed-{source.name}"
    nbformat.write(nb, executed)
    report = {
        "executed": str(executed),  # the parent reads the run from here (tests/notebook_runs.py)
        "seconds": seconds,
        "versions": json.loads(lines[-1]) if lines else {},
        "missed_wakeups": len(client.late),  # each one a stall the guarded client cut short
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
