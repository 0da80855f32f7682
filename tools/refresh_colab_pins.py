"""Rewrite tests/colab-pins.txt from Colab's published ``pip freeze``.

Colab publishes its runtime's packages (``pip-freeze.txt`` and ``os-info.txt`` in the
googlecolab/backend-info repository on GitHub). The Colab mirror of the test suite
(tests/test_colab.py) builds an environment with exactly the pins written here: the packages the
notebooks, the workshop package and the mirror's test drivers touch, with everything they
depend on, every version Colab's own. pip resolves that set on a Python of Colab's version with
Colab's freeze as constraints; a package Colab does not have is an error, not a silent extra.

Usage:
    python -m tools.refresh_colab_pins --freeze pip-freeze.txt --os-info os-info.txt \\
        --date 2026-08-19 --python python3.13
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PINS = ROOT / "tests" / "colab-pins.txt"
# What the mirror runs besides the workshop package's own dependencies: the kernel and
# IPython the notebooks run under, nbclient to execute them, and the classic Notebook with the
# ipywidgets 7 front-end for the browser test.
MIRROR_EXTRAS = (
    "ipython",
    "ipykernel",
    "jupyter_client",
    "nbclient",
    "nbformat",
    "notebook",
    "widgetsnbextension",
)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_freeze(path: Path) -> dict[str, str]:
    """``name -> version`` for every ``name==version`` line (direct URLs cannot be pinned)."""
    pins = {}
    for line in path.read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line.strip())
        if match:
            pins[normalise(match.group(1))] = match.group(2)
    return pins


def package_requirements() -> list[str]:
    """The workshop package's runtime dependencies, names only (Colab's versions decide)."""
    from tools.pyproject import PYPROJECT

    text = PYPROJECT.read_text()
    block = re.search(r"^dependencies = \[(.*?)^\]", text, re.M | re.S)
    if not block:
        raise ValueError("pyproject.toml: [project] dependencies not found")
    specs = re.findall(r'"([^"]+)"', block.group(1))
    return [re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0] for spec in specs]


def resolve(python: str, freeze: dict[str, str]) -> dict[str, str]:
    """pip's resolution of the mirror's packages on ``python`` with Colab's versions forced.

    A dependency Colab lacks (it removes jedi, which IPython 7.34 requires) takes the version
    of the workshop's own constraints.txt.
    """
    roots = [*package_requirements(), *MIRROR_EXTRAS]
    ours = [
        line
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line and normalise(line.split("==")[0]) not in freeze
    ]
    with tempfile.TemporaryDirectory() as tmp:
        constraints = Path(tmp) / "colab.txt"
        pins = [f"{n}=={v}" for n, v in sorted(freeze.items())]
        constraints.write_text("\n".join(pins + ours) + "\n")
        report = Path(tmp) / "report.json"
        subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "--dry-run", "--ignore-installed"]
            + ["--report", str(report), "-c", str(constraints), *roots],
            check=True,
        )
        installs = json.loads(report.read_text())["install"]
    return {normalise(i["metadata"]["name"]): i["metadata"]["version"] for i in installs}


def render(resolved: dict[str, str], freeze: dict[str, str], date: str, os_info: str) -> str:
    lacking = ", ".join(sorted(n for n in resolved if n not in freeze)) or "nothing"
    header = f"""\
# Google Colab's runtime, as the Colab mirror (tests/colab_mirror.py) rebuilds it: every package
# the notebooks, the workshop package and the mirror's drivers touch, with all they depend on.
# Source: Colab's published `pip freeze` (pip-freeze.txt and os-info.txt of the
# googlecolab/backend-info repository on GitHub), snapshot of {date}:
# {os_info}.
# Every version is Colab's own; Colab lacks only {lacking}, a dependency of one of
# its packages, pinned as in constraints.txt. The mirror installs this list with --no-deps, so it
# cannot drift with the package index, then installs the workshop exactly as the notebooks'
# Colab cell does and asserts that no package here changed. Refresh from a newer snapshot:
#   python -m tools.refresh_colab_pins --freeze pip-freeze.txt --os-info os-info.txt \\
#       --date YYYY-MM-DD --python python3.X
"""
    pip_line = f"pip=={freeze['pip']}\n" if "pip" in freeze else ""
    body = "".join(f"{name}=={version}\n" for name, version in sorted(resolved.items()))
    return header + pip_line + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--freeze", type=Path, required=True, help="Colab's pip-freeze.txt")
    parser.add_argument("--os-info", type=Path, required=True, help="Colab's os-info.txt")
    parser.add_argument("--date", required=True, help="the snapshot's date, YYYY-MM-DD")
    parser.add_argument("--python", required=True, help="a Python of Colab's minor version")
    args = parser.parse_args(argv)

    freeze = read_freeze(args.freeze)
    resolved = resolve(args.python, freeze)
    foreign = {n: v for n, v in resolved.items() if freeze.get(n, v) != v}
    if foreign:
        print(f"not Colab's versions: {foreign}", file=sys.stderr)
        return 1
    facts = [ln.strip() for ln in args.os_info.read_text().splitlines() if ln and ln[0] != "#"]
    os_info = ", ".join(f for f in facts if f.startswith(("Ubuntu", "Python")))
    PINS.write_text(render(resolved, freeze, args.date, os_info))
    print(f"{PINS.relative_to(ROOT)}: {len(resolved)} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
