"""The instructor guide's table of learner errors states what was measured, not a guess.

Its accuracy rows for a double softmax and a model without ReLU come from one bench_code_errors
run; the README's benchmark table quotes the same run. The two must agree, and the old guess
("accuracy stays at about 10%") must not come back.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _text(name: str) -> str:
    return " ".join((ROOT / name).read_text(encoding="utf-8").split())


def _row(text: str, start: str) -> str:
    found = re.search(re.escape(start) + r"[^\n]*?\|[^|]*\|[^|]*\|", text)
    assert found, start
    return found.group(0)


def test_error_table_gives_the_measured_accuracies():
    guide = _text("docs/instructor-guide.md")
    assert "stays at about 10%" not in guide
    assert "64.2% against 76.8% for the model as typed" in guide
    assert "73.8% against 76.8%" in guide
    assert "benchmarks/bench_code_errors.py" in guide


def test_readme_quotes_the_same_run():
    readme = _text("README.md")
    for start, accuracy in (
        ("| `bench_code_errors`: the model as 05 types it", "76.8%"),
        ("| the same with softmax on the last layer", "64.2%"),
        ("| the same with no ReLU anywhere", "73.8%"),
    ):
        assert f"| {accuracy} |" in _row(readme, start)


ARCHIVE_BYTES = 170_498_071  # the official cifar-10-python.tar.gz
LAPTOPS = 30


def _room_minutes(mbit_per_s: float) -> float:
    """Minutes for 30 laptops to share one link: 30 archives through the room's rate."""
    return LAPTOPS * ARCHIVE_BYTES * 8 / (mbit_per_s * 1e6) / 60


def test_the_data_timeline_arithmetic_holds():
    guide = _text("docs/instructor-guide.md")
    # measured 6.8 minutes at 100 Mbit/s: the link was the limit, as the arithmetic says
    assert "the last laptop held a verified archive after 6.8 minutes" in guide
    assert round(_room_minutes(100), 1) == 6.8
    for rate, minutes in ((50, 14), (20, 34), (10, 68)):
        assert round(_room_minutes(rate)) == minutes
    assert "at 20 Mbit/s, 34 minutes" in guide and "10 Mbit/s (68 minutes)" in guide
    assert "about 14 minutes, done by about 0:25" in guide
    # "ahead of the break down to about 14 Mbit/s": started by 0:10, done before 1:01
    assert _room_minutes(14) <= 61 - 10 < _room_minutes(12)
    assert "20 Mbit/s" in guide and "down to about 14 Mbit/s" in guide
