"""Run every benchmarks/bench_*.py and print one markdown table per benchmark module.

`make bench` runs this as ``python -m benchmarks.run_all [bench_name ...]`` from the repository
root. Benchmarks measure; they never pass or fail. The explorers are timed twice:
``bench_widgets`` times the Python side of a change, ``bench_widgets_browser`` the whole round
trip from a key press in JupyterLab in Chromium to the new picture (it prints one line and
measures nothing when no browser is available).
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")
HERE = Path(__file__).resolve().parent


def benchmark_names() -> list[str]:
    """The benchmark modules, in the order they run: ``bench_*.py`` in this folder."""
    return sorted(path.stem for path in HERE.glob("bench_*.py"))


def main(selected: list[str]) -> int:
    names = benchmark_names()
    unknown = sorted(set(selected) - set(names))
    if unknown:
        print(f"unknown benchmark(s) {unknown}; choose from {names}", file=sys.stderr)
        return 2
    print(
        f"# Benchmarks on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}\n"
    )
    for name in names:
        if selected and name not in selected:
            continue
        module = importlib.import_module(f"{__package__ or 'benchmarks'}.{name}")
        print(f"## {name}\n")
        module.main()
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
