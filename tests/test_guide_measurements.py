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
