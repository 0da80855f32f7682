"""The Colab mirror: a Python 3.13 environment with Colab's own pins, built once and reused.

tests/colab-pins.txt holds Colab's versions (its published snapshot) of every package the
notebooks touch. The mirror installs exactly that list, then runs the notebooks' real Colab
install cell (``%pip install ...`` under IPython 7.34, with ``google.colab`` present) pointed at
this checkout, and records whether that install changed any of Colab's packages. The
environment is built once per key (the pins, the package's dependencies, the install cell, the
interpreter and this file) in the user's cache, ``~/.cache/cnn-workshop/colab-mirror/<key>/``
(``COLAB_MIRROR_CACHE`` names another folder), so a fresh clone reuses it; the two most recently
used keys are kept.

Which Python 3.13: ``COLAB_PYTHON`` if set (``.ci/run`` sets it), else ``python3.13`` on PATH,
else pyenv's copy. Standard library only: tests/test_colab.py and the classic-Notebook browser
test both use it from the suite's own Python.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PINS = ROOT / "tests" / "colab-pins.txt"
BUILD_TIMEOUT_S = 900
KEPT_KEYS = 2  # e.g. main and a branch that changes the pins: neither rebuilds the other away


class MirrorUnavailable(RuntimeError):
    """The mirror cannot be built here (no Python of Colab's version, no package index)."""


@dataclass(frozen=True)
class Mirror:
    python: Path
    home: Path  # IPython's and Jupyter's own folders, away from the user's
    install_report: dict

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a process in the mirror: this checkout's ``workshop`` comes first."""
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PYTHONNOUSERSITE": "1",
            "IPYTHONDIR": str(self.home / "ipython"),
            "JUPYTER_CONFIG_DIR": str(self.home / "jupyter-config"),
            "JUPYTER_DATA_DIR": str(self.home / "jupyter-data"),
            "JUPYTER_RUNTIME_DIR": str(self.home / "jupyter-runtime"),
            "TF_CPP_MIN_LOG_LEVEL": "3",
            **extra,
        }
        env.pop("MPLBACKEND", None)  # kernels draw inline
        env.pop("JUPYTER_PATH", None)
        return env


def colab_minor() -> str:
    """Colab's Python, ``"3.13"``, as the pins' header states it."""
    match = re.search(r"Python (\d+\.\d+)", PINS.read_text())
    if not match:
        raise ValueError(f"{PINS.name}: the header does not name Colab's Python")
    return match.group(1)


def _runs(candidate: str, minor: str) -> bool:
    try:
        out = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and out.stdout.strip() == minor


def find_python(minor: str) -> str | None:
    """A Python ``minor`` that starts (a pyenv shim of an inactive version does not)."""
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates = [
        os.environ.get("COLAB_PYTHON", ""),
        shutil.which(f"python{minor}") or "",
        *sorted(glob.glob(f"{pyenv_root}/versions/{minor}.*/bin/python{minor}"), reverse=True),
        f"/usr/bin/python{minor}",
    ]
    return next((c for c in candidates if c and _runs(c, minor)), None)


def _key(python: str) -> str:
    from tools import sync_colab

    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version)"], capture_output=True, text=True
    ).stdout
    digest = hashlib.sha256()
    for part in (
        PINS.read_bytes(),
        (ROOT / "pyproject.toml").read_bytes(),  # the dependencies the install cell resolves
        sync_colab.install_source(sync_colab.load_location()).encode(),
        version.encode(),
        Path(__file__).read_bytes(),  # how the mirror is built
    ):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _clean_env(**extra: str) -> dict[str, str]:
    """No PYTHONPATH: pip must see only the mirror's packages, not this checkout's metadata."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return {**env, "PYTHONNOUSERSITE": "1", **extra}


def _run(args: list[str], what: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        args, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, env=_clean_env()
    )
    if proc.returncode != 0:
        raise MirrorUnavailable(f"{what} failed: {(proc.stderr or proc.stdout)[-2000:]}")
    return proc


def _installed(python: Path) -> dict[str, str]:
    listing = _run([str(python), "-m", "pip", "list", "--format=json"], "pip list").stdout
    return {re.sub(r"[-_.]+", "-", p["name"]).lower(): p["version"] for p in json.loads(listing)}


def _source_copy(into: Path) -> Path:
    """The files a clone of the repository would have (tracked ones), as they are now."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    names = [n for n in listed.stdout.split("\0") if n] if listed.returncode == 0 else []
    if not names:  # not a git checkout: the package and its build files are enough
        names = ["pyproject.toml", "README.md"]
        names += [str(p.relative_to(ROOT)) for p in (ROOT / "workshop").rglob("*.py")]
    for name in names:
        source = ROOT / name
        if source.is_file():
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return into


# The notebooks' Colab cell, run as Colab runs it: IPython's %pip, google.colab importable.
RUN_INSTALL_CELL = """
import sys, types
from IPython.core.interactiveshell import InteractiveShell
sys.modules["google.colab"] = types.ModuleType("google.colab")
shell = InteractiveShell.instance()
result = shell.run_cell(sys.argv[1])
code = shell.user_ns.get("_exit_code", 0)
sys.exit(0 if result.success and code == 0 else 1)
"""


def _install_like_colab(python: Path, home: Path) -> dict:
    """Run the Colab install cell against this checkout; report what it changed."""
    from tools import sync_colab

    location = sync_colab.load_location()
    before = _installed(python)
    with tempfile.TemporaryDirectory() as tmp:
        source = _source_copy(Path(tmp) / "cnn-workshop")
        # Only the address differs from Colab: this checkout instead of GitHub (unreachable here).
        cell = sync_colab.install_source(location).replace(
            location.install_spec, f"cnn-workshop @ {source.as_uri()}"
        )
        env = _clean_env(IPYTHONDIR=str(home / "ipython"))
        proc = subprocess.run(
            [str(python), "-c", RUN_INSTALL_CELL, cell],
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_S,
            env=env,
            cwd=tmp,
        )
    after = _installed(python)
    return {
        "cell": cell,
        "ok": proc.returncode == 0,
        "output": (proc.stdout + proc.stderr)[-3000:],
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": {
            n: [before[n], after[n]] for n in before if n in after and before[n] != after[n]
        },
    }


def cache_root() -> Path:
    """Where the mirrors live: outside any checkout, so a fresh clone finds its key's mirror."""
    explicit = os.environ.get("COLAB_MIRROR_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cnn-workshop" / "colab-mirror"


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One builder per key: two test runs (two checkouts) must not build into one folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: one run at a time is the user's to keep
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _prune(root: Path, current: Path) -> None:
    """Keep the most recently used mirrors; each is about 1.5 GB."""
    others = [p for p in root.iterdir() if p.is_dir() and p != current and (p / "key").exists()]
    others.sort(key=lambda p: (p / "key").stat().st_mtime, reverse=True)
    for old in others[KEPT_KEYS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def build_mirror() -> Mirror:
    """The mirror environment, built now or reused; MirrorUnavailable says why it cannot be."""
    minor = colab_minor()
    python = find_python(minor)
    if python is None:
        raise MirrorUnavailable(
            f"no Python {minor} (Colab's) found: install it, or set COLAB_PYTHON to one"
        )
    key = _key(python)
    root = cache_root()
    mirror = root / key[:16]
    with _locked(root / f"{key[:16]}.lock"):
        found = _build(python, mirror, key)
    _prune(root, mirror)
    return found


def _build(python: str, mirror: Path, key: str) -> Mirror:
    venv = mirror / "venv"
    home = mirror / "home"
    stamp, report_path = mirror / "key", mirror / "install-report.json"
    bindir = "Scripts" if os.name == "nt" else "bin"
    mirror_python = venv / bindir / ("python.exe" if os.name == "nt" else "python")
    if stamp.exists() and stamp.read_text() == key and mirror_python.exists():
        stamp.touch()  # most recently used: _prune keeps it
        return Mirror(mirror_python, home, json.loads(report_path.read_text()))

    stamp.unlink(missing_ok=True)
    shutil.rmtree(mirror, ignore_errors=True)
    home.mkdir(parents=True)
    _run([python, "-m", "venv", str(venv)], "creating the venv")
    pip = [str(mirror_python), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    pip_pin = re.search(r"^pip==\S+", PINS.read_text(), re.M)
    if pip_pin:  # Colab's own pip resolves the install cell
        _run([*pip, "install", pip_pin.group(0)], "installing Colab's pip")
    _run([*pip, "install", "--no-deps", "-r", str(PINS)], "installing Colab's pins")
    _run([*pip, "check"], "pip check of Colab's pins (the list must be complete)")
    report = _install_like_colab(mirror_python, home)
    report_path.write_text(json.dumps(report, indent=1))
    stamp.write_text(key)
    return Mirror(mirror_python, home, report)


def main() -> int:
    """``python -m tests.colab_mirror``: build (or find) the mirror and print its Python."""
    try:
        mirror = build_mirror()
    except MirrorUnavailable as exc:
        print(exc, file=sys.stderr)
        return 1
    print(mirror.python)
    return 0


if __name__ == "__main__":
    sys.exit(main())
