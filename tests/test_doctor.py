"""python -m workshop doctor: one OK / WARN / FAIL line each, non-zero exit on FAIL."""

import os
import re
import shutil
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import pytest

from workshop import budget, doctor

ROOT = Path(__file__).resolve().parents[1]

# `python -m workshop doctor` as a learner runs it, but with a fixed 100 GB free and the synthetic
# data source: whether it passes must not depend on this machine's disk or CIFAR-10 cache.
DOCTOR_WITH_ROOMY_DISK = """
import shutil, sys
from collections import namedtuple

shutil.disk_usage = lambda path: namedtuple("usage", "total used free")(10**12, 0, 10**11)
from workshop.cli import main

sys.exit(main(["doctor"]))
"""


def test_doctor_command_prints_its_lines_and_passes_here():
    result = subprocess.run(
        [sys.executable, "-c", DOCTOR_WITH_ROOMY_DISK],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "WORKSHOP_DATA": "synthetic"},
    )
    lines = [ln for ln in result.stdout.splitlines() if ln[:4] in ("OK  ", "WARN", "FAIL")]
    names = {ln.split(":")[0].split(maxsplit=1)[1] for ln in lines}
    assert {"Python", "tensorflow", "TensorFlow", "speed", "widgets", "CIFAR-10", "disk"} <= names
    assert "test convolution ran on" in result.stdout
    assert re.search(r"speed: [\d,]+ training images/s: 05's 3 minutes fit ", result.stdout)
    assert result.returncode == 0, result.stdout
    assert "I0000" not in result.stderr  # TensorFlow's start-up chatter is kept off the screen
    assert "OK    disk: 100.0 GB free" in result.stdout


def test_unsupported_python_fails():
    assert doctor.python_line((3, 9, 1)).status == "FAIL"
    assert doctor.python_line((3, 13, 0)).status == "OK"
    assert doctor.python_line((3, 11, 7)).status == "OK"
    # 3.14 has no TensorFlow build yet: the line says which Python to install and how.
    too_new = doctor.python_line((3, 14, 0))
    assert too_new.status == "FAIL"
    assert "no build for Python 3.14" in too_new.detail
    assert "make PYTHON=python3.13" in too_new.detail


def test_missing_and_old_packages_fail_with_the_fix():
    missing, old = doctor.package_lines({"no-such-package-xyz": "1.0", "numpy": "999.0"})
    assert missing.status == "FAIL" and "pip install" in missing.detail
    assert old.status == "FAIL" and "older than 999.0" in old.detail


def test_low_disk_warns_then_fails(monkeypatch, tmp_path):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(doctor.shutil, "disk_usage", lambda p: usage(10**12, 0, int(1e9)))
    assert doctor.disk_line(tmp_path).status == "WARN"
    monkeypatch.setattr(doctor.shutil, "disk_usage", lambda p: usage(10**12, 0, int(1e8)))
    assert doctor.disk_line(tmp_path).status == "FAIL"


def test_any_fail_gives_nonzero_exit(monkeypatch, capsys):
    monkeypatch.setattr(
        doctor,
        "collect_lines",
        lambda: [
            doctor.DoctorLine("OK", "Python", "3.11"),
            doctor.DoctorLine("FAIL", "disk", "full"),
        ],
    )
    assert doctor.run_doctor() == 1
    assert "FAIL  disk: full" in capsys.readouterr().out


def test_required_minimums_come_from_the_package_metadata():
    minimums = doctor.required_minimums()
    assert minimums["tensorflow"] == "2.16" and minimums["ipywidgets"] == "7.7"
    assert "pytest" not in minimums  # dev extras are not needed for the workshop


@pytest.mark.parametrize("speed", [1_250, 2_500, 4_000])
def test_speed_line_says_how_many_epochs_fit_and_what_they_reached(speed):
    result = doctor.speed_line_for(speed)
    epochs = speed * 180 / 45_000
    assert result.status == "OK"
    assert result.text() == (
        f"OK    speed: {speed:,} training images/s: 05's 3 minutes fit about {epochs:.0f} of its "
        f"20 epochs, expected test accuracy about {budget.expected_accuracy(epochs):.0%}"
    )


def test_a_fast_laptop_fits_all_epochs():
    result = doctor.speed_line_for(50_000)
    assert result.status == "OK"
    assert "fit all 20 epochs" in result.detail
    assert f"about {budget.MEASURED[20]:.0%}" in result.detail


def test_the_threshold_edge_is_ok_and_just_below_it_warns():
    at = budget.SLOW_EPOCHS * 45_000 / 180  # 1,000 images a second: exactly 4 epochs
    assert doctor.speed_line_for(at).status == "OK"
    below = doctor.speed_line_for(at - 1)
    assert below.status == "WARN"
    assert "fit about 3.9 of its 20 epochs" in below.detail  # never rounded up to the threshold


def test_below_the_threshold_the_warning_says_what_to_do():
    result = doctor.speed_line_for(500)  # 2 epochs: 58.5% measured
    assert result.status == "WARN"
    assert "fit about 2.0 of its 20 epochs, expected test accuracy about 58%" in result.detail
    assert f"({budget.MEASURED[20]:.0%} with all 20)" in result.detail
    assert "in 05's budget cell set `N_TRAIN = 25_000`" in result.detail  # 4 epochs of 22,500
    assert "pair up with a neighbour" in result.detail
    assert "Colab with a GPU" in result.detail


def test_less_than_one_epoch_warns_with_an_upper_bound():
    result = doctor.speed_line_for(100)
    assert result.status == "WARN"
    assert "only 0.4 of one epoch fits in 05's 3 minutes" in result.detail
    assert f"below the {budget.MEASURED[1]:.0%} one whole epoch reached" in result.detail
    assert "N_TRAIN = 5_000" in result.detail
    # So slow that even 5,000 photos do not fit 4 epochs: no photo count to suggest.
    slowest = doctor.speed_line_for(50)
    assert "N_TRAIN" not in slowest.detail and "Colab" in slowest.detail


def test_the_speed_line_times_a_real_step_quickly(monkeypatch):
    pytest.importorskip("keras")
    measured = []
    real = budget.training_speed

    def recorded(*args, **kwargs):
        measured.append(real(*args, **kwargs))
        return measured[-1]

    monkeypatch.setattr(budget, "training_speed", recorded)
    result = doctor.speed_line(steps=2)  # one untimed (tracing) step and one timed
    assert len(measured) == 1 and measured[0] > 0
    assert result == doctor.speed_line_for(measured[0])  # the line is the forecast for that speed
    assert result.detail.startswith(f"{measured[0]:,.0f} training images/s: "), result.text()


@pytest.mark.parametrize(
    ("where", "failure"),
    [
        ("_import_tensorflow_quietly", ImportError("no module named tensorflow")),
        ("timing", RuntimeError("out of memory")),
        ("speed", None),
    ],
)
def test_a_failure_inside_the_speed_line_is_a_warning_not_a_crash(monkeypatch, where, failure):
    def fail(*args, **kwargs):
        raise failure

    if where == "_import_tensorflow_quietly":
        monkeypatch.setattr(doctor, where, fail)
    elif where == "timing":
        monkeypatch.setattr(budget, "training_speed", fail)
    else:  # a timer that measured nothing: 0 images a second
        monkeypatch.setattr(budget, "training_speed", lambda *a, **k: 0.0)
    result = doctor.speed_line()
    assert result.status == "WARN" and result.name == "speed"
    assert "could not time 05's training step" in result.detail
    expected = f"{type(failure).__name__}: {failure}" if failure else "ValueError: speed must be"
    assert expected in result.detail


def test_the_speed_line_follows_the_tensorflow_switch(monkeypatch):
    called = []

    def stub(name):
        return lambda: called.append(name) or doctor.DoctorLine("OK", name, "stub")

    monkeypatch.setattr(doctor, "tensorflow_line", stub("TensorFlow"))
    monkeypatch.setattr(doctor, "speed_line", stub("speed"))
    monkeypatch.setattr(doctor, "package_lines", lambda: [])
    without = [r.name for r in doctor.collect_lines(include_tensorflow=False)]
    assert called == [] and "speed" not in without
    with_tf = [r.name for r in doctor.collect_lines(include_tensorflow=True)]
    assert called == ["TensorFlow", "speed"]
    assert with_tf.index("speed") == with_tf.index("TensorFlow") + 1


def test_the_readme_shows_the_slow_laptop_line_the_doctor_prints():
    from workshop.doctor import speed_line_for

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert speed_line_for(500).text() in readme.splitlines()


def test_the_old_check_command_names_the_doctor_and_fails(capsys):
    from workshop.cli import main
    from workshop.commands import workshop_command

    assert main(["check"]) != 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and f"`{workshop_command('doctor')}`" in out


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_check_names_make_doctor_and_fails():
    done = subprocess.run(
        ["make", "-s", "check"], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert done.returncode != 0
    assert done.stdout == "make check is now make doctor: run make doctor\n"
