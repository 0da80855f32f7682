"""A notebook run never waits out a timeout silently (tools/notebook_client.py, conftest.py).

The stall, reproduced: nbclient answers an ``Output`` widget's comm messages on the shell socket
while it waits for the cell's reply on that socket; about one such cell in twelve then missed the
reply's wake-up and sat idle for exactly the cell timeout, with no error.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat

from tools.notebook_client import cell_timeout, execute_in

ROOT = Path(__file__).resolve().parents[1]


def _output_widget_notebook(cells: int) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    sources = ["import ipywidgets as w\nfrom IPython.display import display"]
    sources += [
        f"out = w.Output()\ndisplay(out)\nwith out:\n    print({i})\n    display('x' * {i})"
        for i in range(cells)
    ]
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def test_cells_that_train_get_the_training_budget():
    assert cell_timeout("history = model.fit(x, y)", training_s=300, quick_s=60) == 300
    assert cell_timeout("train_briefly(model)", training_s=300, quick_s=60) == 300
    assert cell_timeout("model.summary()", training_s=300, quick_s=60) == 60


def test_output_widget_cells_never_wait_out_the_timeout(tmp_path):
    quick_s = 30
    start = time.monotonic()
    client = execute_in(
        _output_widget_notebook(40),
        tmp_path,
        name="output widgets",
        training_s=quick_s,
        quick_s=quick_s,
    )
    took = time.monotonic() - start
    # Unguarded, three or four of these 40 cells each took the full 30 s.
    assert took < quick_s, f"40 small cells took {took:.0f} s: a stall was waited out"
    assert all(channel in {"shell", "iopub"} and waited < 5 for channel, waited in client.late)


NBVAL_WITH_A_LOST_REPLY = textwrap.dedent(
    """
    import sys, time
    from queue import Empty
    import nbval.kernel, pytest

    real, calls = nbval.kernel.RunningKernel.await_reply, []

    def lost_once(self, msg_id, timeout=None):
        calls.append(msg_id)
        if len(calls) == 3:  # the second cell: its reply is never seen, the kernel goes idle
            time.sleep(1)
            raise Empty
        return real(self, msg_id, timeout)

    nbval.kernel.RunningKernel.await_reply = lost_once
    sys.exit(pytest.main(["-p", "no:cacheprovider", "-q", "-p", "conftest", sys.argv[1],
                          "-o", "addopts=--nbval --nbval-current-env"]))
    """
)


def test_an_nbval_cell_whose_reply_never_came_fails(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in ("x = 1", "y = 2", "x + y")]
    path = tmp_path / "lost_reply.ipynb"
    nbformat.write(nb, path)
    proc = subprocess.run(
        [sys.executable, "-c", NBVAL_WITH_A_LOST_REPLY, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    # nbval alone reports "2 passed, 1 xpassed": the lost reply goes unnoticed.
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert "lost_reply.ipynb, cell 1: no execute_reply" in proc.stdout
    assert "the client stalled" in proc.stdout
