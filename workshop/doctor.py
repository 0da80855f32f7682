"""``python -m workshop doctor``: is this computer ready for the workshop?

One line for each part of the setup: OK, WARN (works, but act before the day) or FAIL (will not
work), each saying how to fix it.
"""

from __future__ import annotations

import importlib.metadata as md
import importlib.util
import math
import os
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workshop import budget
from workshop.commands import workshop_command

__all__ = ["DoctorLine", "collect_lines", "run_doctor"]

# Oldest and newest supported Python. Its home is `supported-python` in pyproject.toml, which an
# installed package cannot read; tests/test_environment_sync.py keeps this copy in step.
SUPPORTED_PYTHON = ((3, 10), (3, 13))
# Read when the package metadata is missing (running from a source tree without install).
SOURCE_PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
DISK_WARN_GB, DISK_FAIL_GB = 2.0, 0.5
# The speed line: 05's training step, the first (tracing) step untimed, then up to 10 timed
# steps or 5 seconds, whichever ends first: steady enough to count epochs, quick on any laptop.
SPEED_STEPS, SPEED_SECONDS = 11, 5.0


@dataclass(frozen=True)
class DoctorLine:
    """One finding of the doctor: its status, what it is about, and what it found."""

    status: str  # "OK", "WARN" or "FAIL"
    name: str
    detail: str

    def text(self) -> str:
        """The line as printed, e.g. ``OK    Python: 3.11.7``."""
        return f"{self.status:<5} {self.name}: {self.detail}"


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def python_line(version: tuple[int, int, int] | None = None) -> DoctorLine:
    v = version or sys.version_info[:3]
    low, high = SUPPORTED_PYTHON
    text = ".".join(map(str, v))
    if low <= tuple(v[:2]) <= high:
        return DoctorLine("OK", "Python", text)
    newest = f"{high[0]}.{high[1]}"
    why = f"TensorFlow has no build for Python {v[0]}.{v[1]} yet; " if tuple(v[:2]) > high else ""
    return DoctorLine(
        "FAIL",
        "Python",
        f"{text}; the workshop supports {low[0]}.{low[1]} to {newest} (TensorFlow wheels exist "
        f"for those): {why}install Python {newest} and recreate the environment with "
        f"`make PYTHON=python{newest}`",
    )


def _source_tree_requirements(pyproject: Path = SOURCE_PYPROJECT) -> list[str]:
    """``[project] dependencies`` of the source tree's pyproject.toml (empty when absent).

    A regular expression, not tomllib, which Python 3.10 lacks: the list holds plain strings.
    """
    try:
        text = pyproject.read_text(encoding="utf-8")
    except OSError:
        return []
    block = re.search(r"^dependencies\s*=\s*\[(.*?)^\]", text, re.M | re.S)
    return re.findall(r'"([^"]+)"', block.group(1)) if block else []


def required_minimums() -> dict[str, str]:
    """Package -> minimum version, from the installed cnn-workshop metadata.

    Without an install (a source tree on the path) they come from pyproject.toml itself, so the
    minimums have one home.
    """
    try:
        requires = md.requires("cnn-workshop") or []
    except md.PackageNotFoundError:
        requires = _source_tree_requirements()
    minimums = {}
    for spec in requires:
        if "extra ==" in spec:
            continue
        match = re.match(r"([A-Za-z0-9_.-]+)\s*(?:\[.*\])?\s*([^;]*)", spec)
        if match:
            low = re.search(r">=\s*([\d.]+)", match.group(2))
            minimums[match.group(1).lower()] = low.group(1) if low else "0"
    return minimums


def package_lines(minimums: dict[str, str] | None = None) -> list[DoctorLine]:
    results = []
    for name, low in sorted((minimums or required_minimums()).items()):
        try:
            have = md.version(name)
        except md.PackageNotFoundError:
            results.append(
                DoctorLine(
                    "FAIL", name, f'not installed; run `pip install "{name}>={low}"` or `make lab`'
                )
            )
            continue
        if _version_tuple(have) < _version_tuple(low):
            results.append(
                DoctorLine(
                    "FAIL",
                    name,
                    f'{have} is older than {low}; upgrade: pip install -U "{name}>={low}"',
                )
            )
        else:
            results.append(DoctorLine("OK", name, have))
    return results


def _import_tensorflow_quietly():
    """Import TensorFlow with its C++ start-up log lines (not errors) kept off the terminal."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import tensorflow as tf
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    return tf


def tensorflow_line() -> DoctorLine:
    """Import TensorFlow and run one tiny convolution, reporting the device it ran on."""
    try:
        tf = _import_tensorflow_quietly()

        image = tf.ones((1, 5, 5, 1))
        kernel = tf.ones((3, 3, 1, 1))
        result = tf.nn.conv2d(image, kernel, strides=1, padding="VALID")
        if result.shape != (1, 3, 3, 1) or float(result[0, 0, 0, 0]) != 9.0:
            return DoctorLine("FAIL", "TensorFlow", "a test convolution gave a wrong result")
        gpus = tf.config.list_physical_devices("GPU")
        device = f"GPU ({len(gpus)} found)" if gpus else "CPU (fine for this workshop)"
        return DoctorLine("OK", "TensorFlow", f"{tf.__version__}, test convolution ran on {device}")
    except Exception as exc:  # any failure here means training will not work
        return DoctorLine("FAIL", "TensorFlow", f"could not run a convolution: {exc}")


def speed_line(steps: int = SPEED_STEPS, max_seconds: float = SPEED_SECONDS) -> DoctorLine:
    """Time 05's training step on random photos and say what 05's budget will reach here.

    Never raises: whatever fails (TensorFlow, Keras, the timing) becomes a WARN naming it.
    """
    try:
        _import_tensorflow_quietly()
        return speed_line_for(budget.training_speed(steps, max_seconds))
    except Exception as exc:  # the doctor reports; 05 times its own step again anyway
        return DoctorLine(
            "WARN",
            "speed",
            f"could not time 05's training step ({type(exc).__name__}: {exc}); notebook 05 "
            "says before training how far this laptop gets",
        )


def speed_line_for(speed: float) -> DoctorLine:
    """The speed line for a laptop that trains ``speed`` images a second (05's step)."""
    ahead = budget.forecast(speed)
    epochs, planned, minutes = ahead.epochs, ahead.planned, f"{ahead.minutes:g}"
    head = f"{speed:,.0f} training images/s"
    # Below the threshold a tenth, rounded down, so that 3.96 epochs never reads as "4" in a WARN.
    tenths = f"{math.floor(epochs * 10) / 10:.1f}"
    if ahead.below_measured:
        detail = (
            f"{head}: only {tenths} of one epoch fits in 05's {minutes} minutes; expected "
            f"test accuracy below the {ahead.accuracy:.0%} one whole epoch reached"
        )
    else:
        if ahead.all_fit:
            fit = f"all {planned}"
        else:
            fit = f"about {tenths if ahead.slow else f'{epochs:.0f}'} of its {planned}"
        detail = (
            f"{head}: 05's {minutes} minutes fit {fit} epochs, expected test accuracy about "
            f"{ahead.accuracy:.0%}"
        )
    if not ahead.slow:
        return DoctorLine("OK", "speed", detail)
    full = budget.expected_accuracy(planned)
    options = []
    n_train = budget.photos_for(speed, budget.SLOW_EPOCHS, ahead.minutes)
    if n_train is not None:
        # The same minutes are the same training steps, so fewer photos reach about the same
        # accuracy (real photos, one run each: 45,000 photos for 2 epochs gave 57.6%, 22,500 for
        # 4 gave 57.9%); what they save is the load, memory, and a curve with too few points.
        options.append(
            f"train on fewer photos: in 05's budget cell set `N_TRAIN = {n_train:_}` "
            f"({budget.SLOW_EPOCHS} epochs of them fit: about the same accuracy, a quicker "
            "load, less memory)"
        )
    options += [
        "pair up with a neighbour whose speed line says OK",
        "run 05 in Colab with a GPU (Runtime > Change runtime type)",
    ]
    return DoctorLine(
        "WARN",
        "speed",
        f"{detail} ({full:.0%} with all {planned}). Before the day: " + "; or ".join(options),
    )


def widgets_line() -> DoctorLine:
    try:
        widgets_version = md.version("ipywidgets")
    except md.PackageNotFoundError:
        return DoctorLine("FAIL", "widgets", "ipywidgets is not installed")
    if "google.colab" in sys.modules:
        return DoctorLine("OK", "widgets", f"ipywidgets {widgets_version} (Colab renders them)")
    major = _version_tuple(widgets_version)[0]
    frontend = "jupyterlab_widgets"
    if importlib.util.find_spec(frontend) is None:
        return DoctorLine(
            "FAIL",
            "widgets",
            f"ipywidgets {widgets_version} is installed but its JupyterLab part ({frontend}) is "
            "not: sliders will show as text; run `pip install jupyterlab_widgets` and restart",
        )
    lab_major = _version_tuple(md.version("jupyterlab_widgets"))[0]
    expected = {7: 1, 8: 3}.get(major)
    if expected is not None and lab_major != expected:
        return DoctorLine(
            "WARN",
            "widgets",
            f"ipywidgets {widgets_version} expects jupyterlab_widgets {expected}.x, found "
            f"{md.version('jupyterlab_widgets')}: widgets may not render",
        )
    return DoctorLine(
        "OK",
        "widgets",
        f"ipywidgets {widgets_version}, jupyterlab_widgets {md.version('jupyterlab_widgets')}",
    )


def cifar10_line() -> DoctorLine:
    try:
        from workshop.data import archive_path, cached_archive, data_mode, describe_leftovers
    except ImportError:
        return DoctorLine("WARN", "CIFAR-10", "the data module is not available in this version")
    if data_mode() == "folder":
        return _image_folder_line(os.environ["WORKSHOP_DATA"].strip())
    if data_mode() == "synthetic":
        return DoctorLine(
            "WARN",
            "CIFAR-10",
            "WORKSHOP_DATA=synthetic is set: notebooks will train on drawn shapes, not CIFAR-10; "
            "unset it for the real images",
        )
    path = cached_archive()
    # What a killed download left: its size and the command that clears it.
    leftovers = describe_leftovers(archive_path(), _short)
    if path is None:
        return DoctorLine(
            "WARN",
            "CIFAR-10",
            f"not downloaded yet (170 MB): run `{workshop_command('fetch')}` today, or "
            f"`{workshop_command('fetch --from <file or URL>')}` from a USB stick or the "
            "instructor" + (f"; {leftovers}" if leftovers else ""),
        )
    if leftovers:
        return DoctorLine("WARN", "CIFAR-10", f"cached at {_short(path)}; {leftovers}")
    return DoctorLine("OK", "CIFAR-10", f"cached at {_short(path)}")


def _image_folder_line(raw: str) -> DoctorLine:
    """WORKSHOP_DATA names a folder or .zip of images: is it there, and laid out right?"""
    from workshop.data import DataUnavailableError, count_images, resolve_source

    try:
        source = resolve_source(raw)
        n_train, n_test = count_images(source)  # lists and checks the layout; decodes nothing
    except DataUnavailableError as exc:
        return DoctorLine("FAIL", "CIFAR-10", " ".join(str(exc).split()))
    kind = "zip" if source.is_zip else "folder"
    return DoctorLine(
        "OK",
        "CIFAR-10",
        f"images from {_short(source.path)} ({kind}, WORKSHOP_DATA): {n_train:,} train and "
        f"{n_test:,} test images; not the official archive, not hash-verified",
    )


def _short(path: Path) -> str:
    """Show paths under the home folder as ~/..., so shared output names no user."""
    try:
        relative = Path(path).resolve().relative_to(Path.home().resolve()).as_posix()
        return "~" if relative == "." else f"~/{relative}"
    except ValueError:
        return str(path)


def disk_line(path: Path | None = None) -> DoctorLine:
    target = path or Path.home()
    free_gb = shutil.disk_usage(target).free / 1e9
    detail = f"{free_gb:.1f} GB free in {_short(target)}"
    if free_gb < DISK_FAIL_GB:
        return DoctorLine("FAIL", "disk", detail + "; the data and models need about 1 GB")
    if free_gb < DISK_WARN_GB:
        return DoctorLine("WARN", "disk", detail + "; free some space (2 GB is comfortable)")
    return DoctorLine("OK", "disk", detail)


def collect_lines(include_tensorflow: bool = True) -> list[DoctorLine]:
    """Every line of the doctor, in the order printed (TensorFlow's two take seconds)."""
    steps: list[Callable[[], DoctorLine | list[DoctorLine]]] = [
        python_line,
        package_lines,
        widgets_line,
        cifar10_line,
        disk_line,
    ]
    if include_tensorflow:
        steps[2:2] = [tensorflow_line, speed_line]
    results: list[DoctorLine] = []
    for step in steps:
        outcome = step()
        results.extend(outcome if isinstance(outcome, list) else [outcome])
    return results


def run_doctor() -> int:
    """Print every line; exit status 1 when any line says FAIL."""
    results = collect_lines()
    for result in results:
        print(result.text())
    failed = [r for r in results if r.status == "FAIL"]
    warned = [r for r in results if r.status == "WARN"]
    if failed:
        print(f"\n{len(failed)} problem(s) to fix before the workshop (see FAIL lines).")
        return 1
    print("\nReady for the workshop." + (" Act on the WARN lines beforehand." if warned else ""))
    return 0
