"""python -m workshop check: one line per check, non-zero exit on FAIL."""

import os
import subprocess
import sys
from collections import namedtuple

from workshop import doctor

# `python -m workshop check` as a learner runs it, but with a fixed 100 GB free and the synthetic
# data source: whether it passes must not depend on this machine's disk or CIFAR-10 cache.
CHECK_WITH_ROOMY_DISK = """
import shutil, sys
from collections import namedtuple

shutil.disk_usage = lambda path: namedtuple("usage", "total used free")(10**12, 0, 10**11)
from workshop.cli import main

sys.exit(main(["check"]))
"""


def test_check_command_prints_one_line_per_check_and_passes_here():
    result = subprocess.run(
        [sys.executable, "-c", CHECK_WITH_ROOMY_DISK],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "WORKSHOP_DATA": "synthetic"},
    )
    lines = [ln for ln in result.stdout.splitlines() if ln[:4] in ("OK  ", "WARN", "FAIL")]
    names = {ln.split(":")[0].split(maxsplit=1)[1] for ln in lines}
    assert {"Python", "tensorflow", "TensorFlow", "widgets", "CIFAR-10", "disk"} <= names
    assert "test convolution ran on" in result.stdout
    assert result.returncode == 0, result.stdout
    assert "I0000" not in result.stderr  # TensorFlow's start-up chatter is kept off the screen
    assert "OK    disk: 100.0 GB free" in result.stdout


def test_unsupported_python_fails():
    assert doctor.check_python((3, 9, 1)).status == "FAIL"
    assert doctor.check_python((3, 13, 0)).status == "OK"
    assert doctor.check_python((3, 11, 7)).status == "OK"
    # 3.14 has no TensorFlow build yet: the line says which Python to install and how.
    too_new = doctor.check_python((3, 14, 0))
    assert too_new.status == "FAIL"
    assert "no build for Python 3.14" in too_new.detail
    assert "make PYTHON=python3.13" in too_new.detail


def test_missing_and_old_packages_fail_with_the_fix():
    missing, old = doctor.check_packages({"no-such-package-xyz": "1.0", "numpy": "999.0"})
    assert missing.status == "FAIL" and "pip install" in missing.detail
    assert old.status == "FAIL" and "older than 999.0" in old.detail


def test_low_disk_warns_then_fails(monkeypatch, tmp_path):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(doctor.shutil, "disk_usage", lambda p: usage(10**12, 0, int(1e9)))
    assert doctor.check_disk(tmp_path).status == "WARN"
    monkeypatch.setattr(doctor.shutil, "disk_usage", lambda p: usage(10**12, 0, int(1e8)))
    assert doctor.check_disk(tmp_path).status == "FAIL"


def test_any_fail_gives_nonzero_exit(monkeypatch, capsys):
    monkeypatch.setattr(
        doctor,
        "collect_checks",
        lambda: [
            doctor.CheckResult("OK", "Python", "3.11"),
            doctor.CheckResult("FAIL", "disk", "full"),
        ],
    )
    assert doctor.run_checks() == 1
    assert "FAIL  disk: full" in capsys.readouterr().out


def test_required_minimums_come_from_the_package_metadata():
    minimums = doctor.required_minimums()
    assert minimums["tensorflow"] == "2.16" and minimums["ipywidgets"] == "7.7"
    assert "pytest" not in minimums  # dev extras are not needed for the workshop
