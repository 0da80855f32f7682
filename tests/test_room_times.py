"""`python -m tools.schedule --measured`: a room's export read back as minutes per exercise."""

from __future__ import annotations

import pytest

from tests.room_fixtures import pulse_payload, running_room
from tools import room_times, schedule
from workshop.checks.catalogue import ORDER

EXPORT = """learner,exercise,first_tried_min,first_passed_min,failed_tries
1,setup.filters_are,1.00,1.50,1
1,feature_extraction.inputs,4.00,6.50,2
2,setup.filters_are,2.00,,3
2,feature_extraction.inputs,5.00,9.00,0
3,feature_extraction.inputs,3.00,4.00,0
"""


def test_minutes_run_from_the_learners_previous_result_to_this_first_pass(tmp_path):
    path = tmp_path / "room.csv"
    path.write_text(EXPORT)
    times = room_times.measured(room_times.read_export(path))
    # Learner 1: 1.50 -> 6.50; learner 2: 2.00 (a try, not passed) -> 9.00; learner 3 has no
    # result before its first: left out.
    assert times["feature_extraction.inputs"].minutes == [5.0, 7.0]
    assert (
        times["feature_extraction.inputs"].tried,
        times["feature_extraction.inputs"].passed,
    ) == (3, 3)
    assert times["setup.filters_are"].minutes == []
    assert (times["setup.filters_are"].tried, times["setup.filters_are"].passed) == (2, 1)


def test_the_report_puts_each_estimate_beside_the_measured_median(tmp_path, capsys):
    path = tmp_path / "room.csv"
    path.write_text(EXPORT)
    assert schedule.main(["--measured", str(path)]) == 0
    out = capsys.readouterr().out
    assert "3 learners" in out
    line = next(ln for ln in out.splitlines() if ln.startswith("| feature_extraction.inputs |"))
    assert line == "| feature_extraction.inputs | 3.0 | 6.0 |  | 3 / 3 |"
    assert "| convolution.top_left | 3.0 |  |  | none |" in out


def test_every_exercise_has_an_estimate_from_its_exercise_cell():
    planned = room_times.estimates()
    assert set(planned) == set(ORDER)
    owners = {owner for _, owner in planned.values()}
    assert all(planned[owner][0] > 0 for owner in owners)


@pytest.mark.parametrize(
    "text, says",
    [
        ("a,b\n1,2\n", "not a room export"),
        (EXPORT.replace("1,setup.filters_are,1.00", "1,setup.filters_are,soon"), "line 2"),
    ],
)
def test_a_file_that_is_not_an_export_is_named(tmp_path, capsys, text, says):
    path = tmp_path / "room.csv"
    path.write_text(text)
    assert schedule.main(["--measured", str(path)]) == 2
    assert says in capsys.readouterr().err


def test_a_real_rooms_export_reads_back(tmp_path):
    with running_room() as room:
        room.pulse(pulse_payload("a" * 16, "setup.filters_are", True))
        room.pulse(pulse_payload("a" * 16, "convolution.top_left", False))
        room.pulse(pulse_payload("a" * 16, "convolution.top_left", True, 2))
        path = tmp_path / "room.csv"
        path.write_bytes(room.request("GET", "/export.csv")[2])
    times = room_times.measured(room_times.read_export(path))
    assert times["convolution.top_left"].passed == 1
    assert len(times["convolution.top_left"].minutes) == 1
