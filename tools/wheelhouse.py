"""``make wheelhouse``: one folder holding everything a learner's laptop installs, for a room
without internet; ``make serve-data`` then serves it as a package index (workshop/wheelhouse.py).

The day before, with internet, it:

1. zips the workshop's tracked files as they are on disk (``cnn-workshop.zip``: the notebooks,
   constraints.txt, the Makefile), and builds the workshop's wheel from that very copy (``pip
   wheel --no-deps``), so a stale ``build/lib`` can never end up in it;
2. downloads, for each chosen laptop kind (``--platforms``, ``make wheelhouse PLATFORMS=...``)
   and Python (``--pythons``, ``PYTHONS=...``), every wheel ``cnn-workshop[lab]`` needs at the
   versions constraints.txt pins (``pip download --only-binary=:all:``), plus pip and the build
   backend, which ``make lab`` asks for;
3. checks that each kind installs from the folder alone (pip resolving with ``--no-index``), and
   records the files, their SHA-256 and what they were made for in ``wheelhouse.json``. Wheels
   that no chosen kind needs any more are removed.

``--verify`` only asks the index which kinds can be served (nothing is downloaded).

pip evaluates environment markers (``sys_platform == "win32"``, ``python_version < "3.11"``) for
the machine it runs on, not for ``--platform``/``--python-version`` (pypa/pip#11664): run as is,
it would leave out Windows-only dependencies (pywinpty, colorama) and Python 3.10's backports
(exceptiongroup, tomli). So pip runs here with the target laptop's marker values
(``_PIP_AS_TARGET``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tools.python_range import supported_minors
from workshop.wheelhouse import (
    DEFAULT_FOLDER,
    MANIFEST,
    PROJECT,
    SOURCE_ZIP,
    file_record,
    wheel_project,
)

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "cnn-workshop/"  # the folder the zip unpacks into


@dataclass(frozen=True)
class Platform:
    """A kind of learner laptop: pip's platform tags for it and its environment-marker values."""

    key: str
    label: str
    tags: tuple[str, ...]
    markers: dict[str, str]


def _manylinux(arch: str, newest_glibc: int) -> tuple[str, ...]:
    # pip does not widen a PEP 600 tag to older glibc versions by itself: list them all.
    return tuple(f"manylinux_2_{minor}_{arch}" for minor in range(newest_glibc, 16, -1)) + (
        f"manylinux2014_{arch}",
    )


def _posix(system: str, machine: str) -> dict[str, str]:
    sys_platform = {"Linux": "linux", "Darwin": "darwin"}[system]
    return {"os_name": "posix", "sys_platform": sys_platform, "platform_system": system,
            "platform_machine": machine}  # fmt: skip


PLATFORMS = {
    p.key: p
    for p in [
        # glibc 2.28: Debian 10, Ubuntu 20.04 (2.31), RHEL 8 and newer; TensorFlow needs 2.27.
        Platform("linux_x86_64", "Linux x86_64 (glibc 2.28+)", _manylinux("x86_64", 28),
                 _posix("Linux", "x86_64")),
        # macOS 12: TensorFlow's arm64 wheels need it.
        Platform("macos_arm64", "macOS arm64 (Apple silicon, macOS 12+)", ("macosx_12_0_arm64",),
                 _posix("Darwin", "arm64")),
        Platform("macos_x86_64", "macOS x86_64 (Intel, macOS 12+)", ("macosx_12_0_x86_64",),
                 _posix("Darwin", "x86_64")),
        Platform("windows_amd64", "Windows x86_64", ("win_amd64",),
                 {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows",
                  "platform_machine": "AMD64"}),
    ]
}  # fmt: skip
# Intel Macs are left out: TensorFlow published no macOS x86_64 wheel after 2.16.2, so the
# pinned TensorFlow cannot be installed on one from anywhere (`--verify --platforms
# macos_x86_64` shows it).
DEFAULT_PLATFORMS = ("linux_x86_64", "macos_arm64", "windows_amd64")


def default_pythons() -> list[str]:
    """Every Python the workshop supports (pyproject.toml's supported-python)."""
    return [f"{major}.{minor}" for major, minor in supported_minors()]


def full_version(python: str) -> str:
    """The patch release pip is told the laptop has: any current one (some pins need a late
    patch: soupsieve 4.1.3 requires Python 3.11.5), written ``3.11.99``."""
    return python if python.count(".") == 2 else f"{python}.99"


def marker_values(platform: Platform, python: str) -> dict[str, str]:
    """The PEP 508 environment of a CPython ``python`` on ``platform``."""
    full = full_version(python)
    return {
        **platform.markers,
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "implementation_version": full,
        "python_version": ".".join(full.split(".")[:2]),
        "python_full_version": full,
        "platform_release": "",
        "platform_version": "",
    }


# Runs pip with a target laptop's marker values (argv[1], JSON) in place of this machine's. pip
# reads them through its vendored packaging's default_environment() each time it evaluates a
# marker, so replacing that one function is enough; if a pip moves it, this fails loudly.
_PIP_AS_TARGET = """
import json, sys
from pip._vendor.packaging import markers
target = json.loads(sys.argv[1])
own = markers.default_environment
def default_environment():
    values = own()
    values.update(target)
    return values
markers.default_environment = default_environment
from pip._internal.cli.main import main
sys.exit(main(sys.argv[2:]))
"""


def pip_as(
    platform: Platform,
    python: str,
    args: list[str],
    *,
    env: dict[str, str] | None = None,
    capture: bool = False,
) -> subprocess.CompletedProcess[str]:
    """``python -m pip ARGS`` resolving for ``platform`` and ``python``."""
    target = ["--only-binary=:all:", "--implementation", "cp"]
    target += ["--python-version", full_version(python)]
    for tag in platform.tags:
        target += ["--platform", tag]
    values = json.dumps(marker_values(platform, python))
    command = [sys.executable, "-c", _PIP_AS_TARGET, values, *args, *target]
    return subprocess.run(command, env=env, capture_output=capture, text=True)


def isolated_env() -> dict[str, str]:
    """This environment without any pip setting: the folder alone must be enough."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def build_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """``[build-system] requires``: ``make lab``'s editable install builds with it."""
    text = pyproject.read_text(encoding="utf-8")
    section = re.search(r"^\[build-system\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    found = re.search(
        r"^requires\s*=\s*\[(.*?)\]", section.group(1) if section else "", re.M | re.S
    )
    return re.findall(r'"([^"]+)"', found.group(1)) if found else []


# ------------------------------------------------------------------------- the workshop itself
def tracked_files(root: Path = ROOT) -> list[str]:
    """The files git tracks, as paths relative to ``root``."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z"], capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SystemExit(
            f"make wheelhouse zips the files git tracks, and {root} is not a git checkout ({exc})"
        ) from exc
    return [name for name in out.decode("utf-8").split("\0") if name]


def write_source_zip(dest: Path, root: Path = ROOT) -> tuple[Path, list[str]]:
    """``dest/cnn-workshop.zip``: the tracked files as they are on disk, under ``cnn-workshop/``.

    Returns the zip and the tracked files that differ from the last commit (they are zipped as
    they are now: the instructor's edits go to the room).
    """
    changed = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    target = dest / SOURCE_ZIP
    partial = dest / (SOURCE_ZIP + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in tracked_files(root):
            path = root / name
            if path.is_symlink() or not path.is_file():  # a link, or deleted and not committed
                continue
            info = zipfile.ZipInfo.from_file(path, PREFIX + name)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    os.replace(partial, target)  # a serve-data already running never sees half a zip
    return target, [line[3:] for line in changed]


def build_project_wheel(source_zip: Path, dest: Path) -> Path:
    """The workshop's wheel, built from the zip's copy of the files, into ``dest``."""
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(source_zip) as archive:
            archive.extractall(tmp)
        built = Path(tmp) / "dist"
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet"]
        command += ["--wheel-dir", str(built), str(Path(tmp) / PREFIX)]
        # Quiet unless it fails: setuptools' notices are for the maintainers, not the day before.
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"Building the workshop's wheel failed:\n{done.stdout}{done.stderr}")
        (wheel,) = built.glob("*.whl")
        for old in dest.glob(wheel.name.split("-")[0] + "-*.whl"):
            old.unlink()
        return Path(shutil.copy2(wheel, dest / wheel.name))


# ------------------------------------------------------------------------------ the wheels
def requirements(project_wheel: Path) -> list[str]:
    """What a learner's laptop installs: the workshop with its lab extra, pip and the build
    backend (``make lab`` upgrades pip, then builds the editable install)."""
    return [f"{project_wheel}[lab]", "pip", *build_requirements()]


def download(dest: Path, project_wheel: Path, platform: Platform, python: str) -> int:
    """``pip download`` of every wheel ``platform``/``python`` needs into ``dest``."""
    args = ["download", "--dest", str(dest), "--no-cache-dir", "--progress-bar", "off"]
    args += ["-c", str(ROOT / "constraints.txt"), *requirements(project_wheel)]
    return pip_as(platform, python, args)


def resolve(
    project_wheel: Path, platform: Platform, python: str, *, offline_from: Path | None = None
) -> tuple[list[str] | None, str]:
    """The files pip would install for ``platform``/``python``, without downloading them.

    ``offline_from``: from that folder alone (``--no-index``, no pip settings); else from the
    configured index. Returns the file names (``None`` when it cannot) and pip's first error.
    """
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        args = ["install", "--dry-run", "--ignore-installed", "--target", tmp]
        args += ["--report", str(report), "-c", str(ROOT / "constraints.txt")]
        env = None
        if offline_from is not None:
            args += ["--no-index", "--find-links", str(offline_from)]
            env = isolated_env()
        args += requirements(project_wheel)
        result = pip_as(platform, python, args, env=env, capture=True)
        if result.returncode != 0 or not report.exists():
            return None, _pip_error(result.stdout + result.stderr)
        installs = json.loads(report.read_text(encoding="utf-8"))["install"]
    urls = [item["download_info"]["url"] for item in installs]
    return [unquote(urlsplit(url).path.rsplit("/", 1)[1]) for url in urls], ""


def _pip_error(output: str) -> str:
    """pip's first error line, with the packages it found no wheel of when it names them."""
    lines = output.splitlines()
    errors = [line for line in lines if line.startswith("ERROR")]
    said = errors[0] if errors else output.strip()[-300:]
    for n, line in enumerate(lines):
        if "no matching distributions available" in line:
            missing = []
            for name in lines[n + 1 :]:
                if not name.startswith(" ") or not name.strip():
                    break
                missing.append(name.strip())
            said = f"no wheel of {', '.join(missing)} for it ({said.removeprefix('ERROR: ')})"
    return said


# ------------------------------------------------------------------------------- the folder
def prune(dest: Path, keep: set[str]) -> list[str]:
    """Remove the wheels in ``dest`` that nothing chosen needs; their names."""
    gone = []
    for path in sorted(dest.glob("*.whl")):
        if path.name not in keep:
            path.unlink()
            gone.append(path.name)
    return gone


def write_manifest(dest: Path, targets: list[dict[str, object]]) -> dict:
    """``wheelhouse.json``: what the folder was made for and each file's hash, so that
    ``serve-data`` starts without reading gigabytes (a file changed since is hashed again)."""
    path = dest / MANIFEST
    try:
        old = json.loads(path.read_text(encoding="utf-8")).get("files", {})
    except (OSError, ValueError, AttributeError):
        old = {}
    files: dict[str, object] = {}
    for item in sorted(dest.iterdir()):
        if item.name == MANIFEST or not item.is_file() or item.is_symlink():
            continue
        if wheel_project(item.name) is None and item.name != SOURCE_ZIP:
            continue
        info = item.stat()
        before = old.get(item.name) if isinstance(old, dict) else None
        same = isinstance(before, dict) and (before.get("size"), before.get("mtime_ns")) == (
            info.st_size,
            info.st_mtime_ns,
        )
        try:
            files[item.name] = before if same else file_record(item)
        except zipfile.BadZipFile as exc:  # serve-data leaves it out too, and says so
            print(f"!! {item.name} is not a readable wheel ({exc}): delete it and run again")
    manifest = {
        "made": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "project": PROJECT,
        "targets": targets,
        "files": files,
    }
    partial = dest / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return manifest


def _mb(n: int) -> str:
    return f"{n / 1e6:,.0f}"


def build(dest: Path, platforms: list[Platform], pythons: list[str]) -> int:
    """Fill ``dest`` for every platform and Python; 0 when every one of them can be served."""
    dest.mkdir(parents=True, exist_ok=True)
    source, changed = write_source_zip(dest)
    print(f"{source}: the workshop's tracked files ({source.stat().st_size / 1e6:.1f} MB)")
    if changed:
        print(f"  with {len(changed)} file(s) not committed yet, as they are now: {changed[:5]}")
    project = build_project_wheel(source, dest)
    print(f"{project.name}: built from them")
    targets: list[dict[str, object]] = []
    keep = {project.name}
    failed: list[str] = []
    for platform in platforms:
        for python in pythons:
            name = f"{platform.label}, Python {python}"
            print(f"\n== {name}: downloading", flush=True)
            files: list[str] | None = None
            why = "pip download failed (its error is above)"
            if download(dest, project, platform, python).returncode == 0:
                files, why = resolve(project, platform, python, offline_from=dest)
            if files is None:
                print(f"!! {name}: not served: {why}")
                failed.append(name)
                continue
            size = sum((dest / f).stat().st_size for f in files)
            keep.update(files)
            targets.append(
                {"platform": platform.key, "label": platform.label, "python": python,
                 "files": sorted(files), "bytes": size}
            )  # fmt: skip
            print(
                f"== {name}: installs from the folder alone ({len(files)} wheels, {_mb(size)} MB)"
            )
    gone = prune(dest, keep)
    if gone:
        print(f"\nRemoved {len(gone)} wheel(s) no chosen laptop needs any more.")
    files_kept = write_manifest(dest, targets)["files"]
    total = sum(record["size"] for record in files_kept.values())
    print("\n| laptops | Python | wheels | MB |\n|---|---|---|---|")
    for target in targets:
        count, size = len(target["files"]), int(target["bytes"])
        print(f"| {target['label']} | {target['python']} | {count} | {_mb(size)} |")
    print(
        f"\n{dest}: {len(files_kept)} files, {_mb(total)} MB in all (a wheel that is the same for "
        "several laptops is there once). Share it with: make serve-data"
    )
    if failed:
        print(f"Not served: {', '.join(failed)}.")
    return 1 if failed else 0


def verify(platforms: list[Platform], pythons: list[str]) -> int:
    """Ask the index, without downloading, which laptops the pinned set can be served to."""
    with tempfile.TemporaryDirectory() as tmp:
        source, _ = write_source_zip(Path(tmp))
        project = build_project_wheel(source, Path(tmp))
        failed = 0
        for platform in platforms:
            for python in pythons:
                files, why = resolve(project, platform, python)
                verdict = f"OK, {len(files)} wheels" if files is not None else f"NO: {why}"
                failed += files is None
                print(f"{platform.label}, Python {python}: {verdict}", flush=True)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.wheelhouse", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--platforms", default=" ".join(DEFAULT_PLATFORMS),
        help=f"space-separated, of {', '.join(PLATFORMS)} (default: {' '.join(DEFAULT_PLATFORMS)})",
    )  # fmt: skip
    parser.add_argument(
        "--pythons", default=" ".join(default_pythons()),
        help=f"space-separated (default: {' '.join(default_pythons())})",
    )  # fmt: skip
    parser.add_argument("--dest", type=Path, default=ROOT / DEFAULT_FOLDER, help="the folder")
    parser.add_argument(
        "--verify", action="store_true", help="only say which laptops can be served (no download)"
    )
    args = parser.parse_args(argv)
    unknown = [p for p in args.platforms.split() if p not in PLATFORMS]
    if unknown:
        parser.error(f"unknown platform(s) {unknown}: choose from {list(PLATFORMS)}")
    platforms = [PLATFORMS[p] for p in args.platforms.split()]
    pythons = args.pythons.split()
    bad = [p for p in pythons if not re.fullmatch(r"3\.\d+(\.\d+)?", p)]
    if bad:
        parser.error(f"Pythons are written like 3.11, got {bad}")
    if args.verify:
        return verify(platforms, pythons)
    return build(args.dest, platforms, pythons)


if __name__ == "__main__":
    sys.exit(main())
