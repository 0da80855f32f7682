"""The room under a room's load: 30, then 100 simulated learners, and a restart mid-session.

Every simulated learner runs on loopback from 127.0.0.1, so they share one address: the room's
per-address limit, which a real room applies per laptop, is raised here for all of them
together (its own test is in test_room_server.py). Counts must equal the truth exactly.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.room_fixtures import free_port, fresh_learner, running_room, start_room
from workshop.checks.catalogue import ORDER
from workshop.room import _client
from workshop.room._protocol import hello_body, new_learner_id, pulse_body
from workshop.room._server import RateLimiter
from workshop.room._tally import STUCK_AFTER


def _learner_session(rng: random.Random) -> list[tuple[str, bool]]:
    """What one learner's checkers report: notebook order, a few wrong tries, some give up."""
    reached = rng.randint(3, len(ORDER))
    tries = []
    for exercise in ORDER[:reached]:
        wrong = rng.choice([0, 0, 0, 1, 1, 2, 3, 4, 5])
        tries += [(exercise, False)] * wrong
        if rng.random() < 0.85:
            tries.append((exercise, True))
            if rng.random() < 0.2:  # ran the cell again after it passed
                tries.append((exercise, True))
    return tries


def _truth(sessions: list[list[tuple[str, bool]]]) -> dict[str, tuple[int, int, int]]:
    counts = {exercise: [0, 0, 0] for exercise in ORDER}
    for session in sessions:
        failures: Counter[str] = Counter()
        passed: set[str] = set()
        for exercise, ok in session:
            if ok:
                passed.add(exercise)
            else:
                failures[exercise] += 1
        for exercise in {e for e, _ in session}:
            counts[exercise][0] += 1
            counts[exercise][1] += exercise in passed
            counts[exercise][2] += exercise not in passed and failures[exercise] >= STUCK_AFTER
    return {exercise: tuple(row) for exercise, row in counts.items()}


@pytest.mark.parametrize("learners", [30, 100])
def test_the_dashboard_counts_a_whole_room_exactly(learners):
    rng = random.Random(learners)
    sessions = [_learner_session(rng) for _ in range(learners)]
    with running_room(limiter=RateLimiter(rate=1e6, burst=10**6)) as room:

        def learner(session) -> None:
            me = new_learner_id()
            _client._post(room.address, f"/pulse/{room.code}/hello", hello_body(me), 10)
            attempts: Counter[str] = Counter()
            for exercise, ok in session:
                attempts[exercise] += 1
                body = pulse_body(me, exercise, ok, attempts[exercise])
                with _client._post(room.address, f"/pulse/{room.code}", body, 10) as answer:
                    assert answer.status == 204

        started = time.monotonic()
        # One thread per learner, all at once; .result() raises what any learner met.
        with ThreadPoolExecutor(max_workers=learners) as pool:
            for done in [pool.submit(learner, session) for session in sessions]:
                done.result(timeout=120)
        seconds = time.monotonic() - started
        snapshot = room.dashboard()
    assert snapshot["joined"] == learners
    got = {row["id"]: (row["tried"], row["passed"], row["stuck"]) for row in snapshot["exercises"]}
    assert got == _truth(sessions)
    total = sum(len(s) for s in sessions)
    print(f"{learners} learners, {total} pulses in {seconds:.1f} s")


def _dashboard(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/dashboard.json", timeout=5) as answer:
        return json.loads(answer.read())


@pytest.fixture
def learner_client(tmp_path, monkeypatch):
    fresh_learner(monkeypatch, tmp_path / "room", send_timeout=1)


def test_a_killed_and_restarted_room_keeps_its_code_and_counts_again_from_zero(
    tmp_path, learner_client, capsys
):
    from workshop import room
    from workshop.checks import convolution as check

    env = {
        **os.environ,
        "WORKSHOP_ROOM_DIR": str(tmp_path / "instructor"),
        "KERAS_HOME": str(tmp_path / "keras"),
    }
    port = free_port()
    first = start_room(port, env)
    try:
        code = json.loads((tmp_path / "instructor" / "room-code.json").read_text())["code"]
        room.join(f"127.0.0.1:{port}/{code}")
        check.output_size(30)
        check.output_size(28)
        assert _client.SENDER.wait(5)
        before = _dashboard(port)
        row = next(r for r in before["exercises"] if r["id"] == "convolution.output_size")
        assert (before["joined"], row["tried"], row["passed"]) == (1, 1, 1)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    # The room is gone: the learner goes on, every checker answers, nothing raises.
    started = time.perf_counter()
    check.top_left(1)
    check.top_left(4)
    assert time.perf_counter() - started < 1
    assert "✅ top_left" in capsys.readouterr().out
    assert _client.SENDER.wait(10)
    second = start_room(port, env)
    try:
        out_code = json.loads((tmp_path / "instructor" / "room-code.json").read_text())["code"]
        assert out_code == code  # the learners' joins still hold
        check.feature_map([[0]])
        assert _client.SENDER.wait(5)
        after = _dashboard(port)
        counted = {r["id"]: r["tried"] for r in after["exercises"] if r["tried"]}
        # Only what was sent since the restart: the counts were in memory, and say since when.
        assert counted == {"convolution.feature_map": 1}
        assert after["joined"] == 1
    finally:
        second.send_signal(signal.SIGINT)
        output, _ = second.communicate(timeout=20)
    assert second.returncode == 0
    assert "Stopped the room" in output
    assert "Counts are kept in memory" in output
    assert "times (1 learner(s)) are in" in output
