"""Run every benchmarks/bench_*.py and print one markdown table per benchmark file.

`make bench` runs this. Benchmarks measure; they never pass or fail. The explorers are timed
twice: ``bench_widgets`` times the Python side of a change, ``bench_widgets_browser`` the whole
round trip from a key press in JupyterLab in Chromium to the new picture (it prints one line
and measures nothing when no browser is available).
"""

from __future__ import annotations

import importlib.util
import os
import platform
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")
HERE = Path(__file__).resolve().parent


def main(selected: list[str]) -> int:
    print(
        f"# Benchmarks on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}\n"
    )
    for path in sorted(HERE.glob("bench_*.py")):
        if selected and path.stem not in selected:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"## {path.stem}\n")
        module.main()
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
