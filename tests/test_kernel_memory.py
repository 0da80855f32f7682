"""The peak-memory reading that the slow tier and ``python -m tools.kernel_memory`` rely on."""

from __future__ import annotations

import nbformat
import pytest

from tools import kernel_memory


def test_the_peak_cell_runs_last_and_its_reading_is_parsed():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    copy = kernel_memory.with_peak_cell(nb)
    assert len(nb.cells) == 1, "the original notebook is left as it was"
    namespace: dict = {}
    printed: list[str] = []
    source = copy.cells[-1].source.replace("print(", "_out(")
    exec(source, {"_out": lambda *a: printed.append(" ".join(map(str, a)))}, namespace)
    copy.cells[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed[0])]
    peak = kernel_memory.peak_bytes(copy)
    assert 10 * 2**20 < peak < 64 * 2**30  # this test process: more than 10 MiB, less than 64 GiB


def test_a_run_that_never_reached_the_last_cell_says_so():
    nb = kernel_memory.with_peak_cell(nbformat.v4.new_notebook())
    with pytest.raises(ValueError, match="no peak memory"):
        kernel_memory.peak_bytes(nb)
