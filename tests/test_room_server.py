"""The room's server treats every request as hostile, and counts what honest ones say exactly."""

from __future__ import annotations

import json
import re
import socket
import time

import pytest

from tests.room_fixtures import CODE, pulse_payload, running_room
from workshop.room._protocol import MAX_BODY, ROOM_HEADER, parse_address
from workshop.room._server import RateLimiter, _loopback
from workshop.room._tally import STUCK_AFTER

LEARNER = "0123456789abcdef"
OTHER = "fedcba9876543210"


@pytest.fixture
def room():
    with running_room() as room:
        yield room


def _row(snapshot: dict, exercise: str) -> dict:
    return next(row for row in snapshot["exercises"] if row["id"] == exercise)


def test_hello_joins_and_a_pulse_counts(room):
    status, answer = room.pulse({"v": 1, "id": LEARNER}, f"/pulse/{CODE}/hello")
    assert status == 200 and answer["room"] == CODE
    assert room.pulse(pulse_payload(LEARNER, "convolution.top_left", False))[0] == 204
    assert room.pulse(pulse_payload(LEARNER, "convolution.top_left", True, 2))[0] == 204
    snapshot = room.dashboard()
    assert snapshot["joined"] == 1
    assert _row(snapshot, "convolution.top_left") | {} == {
        "id": "convolution.top_left",
        "notebook": "02 Convolution by hand",
        "name": "top_left",
        "tried": 1,
        "passed": 1,
        "stuck": 0,
    }


def test_stuck_means_failed_three_times_and_not_passed(room):
    for attempt in range(1, STUCK_AFTER + 1):
        room.pulse(pulse_payload(LEARNER, "relu_pooling.max_pooled", False, attempt))
    room.pulse(pulse_payload(OTHER, "relu_pooling.max_pooled", False))
    row = _row(room.dashboard(), "relu_pooling.max_pooled")
    assert (row["tried"], row["passed"], row["stuck"]) == (2, 0, 1)
    room.pulse(pulse_payload(LEARNER, "relu_pooling.max_pooled", True, 4))
    row = _row(room.dashboard(), "relu_pooling.max_pooled")
    assert (row["tried"], row["passed"], row["stuck"]) == (2, 1, 0)


def test_the_dashboard_lists_exercises_in_notebook_order(room):
    notebooks = [row["notebook"] for row in room.dashboard()["exercises"]]
    assert notebooks == sorted(notebooks)
    assert notebooks[0].startswith("00") and notebooks[-1].startswith("06")


@pytest.mark.parametrize(
    "payload, status",
    [
        (b"{not json", 400),
        (b"\xff\xfe", 400),
        (b"[1, 2]", 422),
        ({"v": 1, "id": LEARNER, "exercise": "convolution.top_left", "passed": True}, 422),
        ({**pulse_payload(LEARNER, "convolution.top_left", True), "answer": 42}, 422),
        ({**pulse_payload(LEARNER, "convolution.top_left", True), "name": "Ada"}, 422),
        (pulse_payload(LEARNER, "convolution.no_such_exercise", True), 422),
        (pulse_payload(LEARNER, "<script>alert(1)</script>", True), 422),
        (pulse_payload(LEARNER, "__import__('os').system('x')", True), 422),
        (pulse_payload("not-hex-at-all!!", "convolution.top_left", True), 422),
        (pulse_payload(LEARNER.upper(), "convolution.top_left", True), 422),
        ({**pulse_payload(LEARNER, "convolution.top_left", True), "passed": "yes"}, 422),
        ({**pulse_payload(LEARNER, "convolution.top_left", True), "passed": 1}, 422),
        ({**pulse_payload(LEARNER, "convolution.top_left", True), "attempt": 0}, 422),
        ({**pulse_payload(LEARNER, "convolution.top_left", True), "attempt": True}, 422),
        ({**pulse_payload(LEARNER, "convolution.top_left", True), "attempt": 10**9}, 422),
        ({**pulse_payload(LEARNER, "convolution.top_left", True), "v": 2}, 422),
        ({**pulse_payload(LEARNER, "convolution.top_left", True), "v": True}, 422),
    ],
)
def test_anything_but_the_five_fields_is_refused_and_counts_nothing(room, payload, status):
    got, answer = room.pulse(payload)
    assert got == status, answer
    assert answer["error"]
    snapshot = room.dashboard()
    assert snapshot["joined"] == 0
    assert all(row["tried"] == 0 for row in snapshot["exercises"])


def test_a_body_over_the_cap_is_refused_unread(room):
    big = json.dumps({**pulse_payload(LEARNER, "convolution.top_left", True), "x": "a" * 600})
    assert len(big) > MAX_BODY
    status, headers, _ = room.request("POST", f"/pulse/{CODE}", big.encode())
    assert status == 413
    assert headers.get(ROOM_HEADER) == "1"
    # A client that announces a huge body and sends none is answered at once, not waited for.
    with socket.create_connection(("127.0.0.1", room.port), timeout=5) as sock:
        sock.sendall(
            f"POST /pulse/{CODE} HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n".encode()
        )
        assert b" 413 " in sock.recv(1024).split(b"\r\n")[0]


def test_a_body_without_its_length_is_refused(room):
    with socket.create_connection(("127.0.0.1", room.port), timeout=5) as sock:
        sock.sendall(
            f"POST /pulse/{CODE} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5\r\nhello\r\n0\r\n\r\n".encode()
        )
        assert b" 411 " in sock.recv(1024).split(b"\r\n")[0]


def test_a_silent_client_is_let_go(room, monkeypatch):
    monkeypatch.setattr(room.server.RequestHandlerClass, "timeout", 0.5)
    with socket.create_connection(("127.0.0.1", room.port), timeout=5) as sock:
        sock.sendall(f"POST /pulse/{CODE} HTTP/1.1\r\nContent-Length: 40\r\n\r\n{{".encode())
        started = time.monotonic()
        sock.recv(1024)  # the server hangs up (or answers) instead of waiting for ever
        assert time.monotonic() - started < 4


@pytest.mark.parametrize("path", ["/pulse/ABCD", "/pulse/acde", "/pulse/", "/pulse/ACDE/x"])
def test_every_pulse_path_needs_the_room_code(room, path):
    status, _ = room.pulse(pulse_payload(LEARNER, "convolution.top_left", True), path)
    assert status == 404
    assert room.dashboard()["joined"] == 0


def test_one_address_is_rate_limited():
    with running_room(limiter=RateLimiter(rate=1, burst=5)) as room:
        statuses = [
            room.pulse(pulse_payload(LEARNER, "convolution.top_left", False, n + 1))[0]
            for n in range(8)
        ]
        assert statuses[:5] == [204] * 5
        assert statuses[5:] == [429] * 3
        status, headers, _ = room.request("POST", f"/pulse/{CODE}", b"{}")
        assert status == 429 and headers["Retry-After"] == "1"
        # Only the accepted pulses counted.
        assert _row(room.dashboard(), "convolution.top_left")["tried"] == 1
        assert room.tally.snapshot()["exercises"][7]["tried"] == 1


def test_the_rate_limit_forgets_an_address_once_its_bucket_is_full():
    limiter = RateLimiter(rate=100, burst=2)
    assert limiter.allow("10.0.0.1") and limiter.allow("10.0.0.1")
    assert not limiter.allow("10.0.0.1")
    time.sleep(0.05)
    assert limiter.allow("10.0.0.1")


def test_the_room_holds_at_most_its_cap_of_learners():
    with running_room(max_learners=2) as room:
        for learner in ("a" * 16, "b" * 16):
            assert room.pulse(pulse_payload(learner, "setup.filters_are", True))[0] == 204
        status, answer = room.pulse(pulse_payload("c" * 16, "setup.filters_are", True))
        assert status == 403 and "300" not in answer["error"] and "2 learners" in answer["error"]
        # A learner already counted goes on.
        assert room.pulse(pulse_payload("a" * 16, "convolution.top_left", True))[0] == 204
        assert room.dashboard()["joined"] == 2


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_refused(room, method):
    status, _, _ = room.request(method, f"/pulse/{CODE}", b"{}")
    assert status == 501


def test_the_dashboard_answers_the_instructors_machine_only(room, monkeypatch):
    assert room.request("GET", "/dashboard")[0] == 200
    monkeypatch.setattr("workshop.room._server._loopback", lambda address: False)
    for path in ("/dashboard", "/dashboard.json", "/export.csv"):
        status, _, body = room.request("GET", path)
        assert status == 403, path
        assert b"instructor" in body


def test_dashboard_anywhere_opens_it_to_the_network(monkeypatch):
    monkeypatch.setattr("workshop.room._server._loopback", lambda address: False)
    with running_room(dashboard_anywhere=True) as room:
        assert room.request("GET", "/dashboard.json")[0] == 200


@pytest.mark.parametrize(
    "address, local",
    [
        ("127.0.0.1", True),
        ("127.5.6.7", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("192.168.1.20", False),
        ("10.0.0.5", False),
        ("::ffff:192.168.1.2", False),
        ("x", False),
    ],
)
def test_only_loopback_counts_as_the_instructors_machine(address, local):
    assert _loopback(address) is local


def test_the_dashboard_page_escapes_and_fetches_nothing_from_elsewhere(room, monkeypatch):
    from workshop.checks import catalogue

    hostile = catalogue.ExerciseInfo("x.y", "<script>alert('nb')</script>", "<img src=x>")
    monkeypatch.setattr(room.tally, "exercises", (hostile,) + room.tally.exercises)
    status, headers, body = room.request("GET", "/dashboard")
    page = body.decode()
    assert status == 200
    assert "<script>alert" not in page and "<img src=x>" not in page
    assert "&lt;script&gt;alert(&#x27;nb&#x27;)&lt;/script&gt;" in page
    assert not re.search(r"(src|href)=\"https?://", page)
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_csv_export_numbers_learners_and_holds_no_ids(room):
    room.pulse(pulse_payload(LEARNER, "convolution.top_left", False))
    room.pulse(pulse_payload(LEARNER, "convolution.top_left", True, 2))
    room.pulse(pulse_payload(OTHER, "setup.filters_are", False))
    status, headers, body = room.request("GET", "/export.csv")
    text = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert LEARNER not in text and OTHER not in text
    lines = text.splitlines()
    assert lines[0] == "learner,exercise,first_tried_min,first_passed_min,failed_tries"
    assert lines[1].startswith("1,convolution.top_left,") and lines[1].endswith(",1")
    assert lines[2].startswith("2,setup.filters_are,") and lines[2].endswith(",,1")


def test_the_tap_page_counts_done_and_stuck_with_a_cookie_id(room):
    status, headers, body = room.request("GET", f"/tap/{CODE}")
    assert status == 200 and b"filters_are" in body
    cookie = headers["Set-Cookie"].split(";")[0]
    assert "HttpOnly" in headers["Set-Cookie"]
    form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    status, headers, _ = room.request(
        "POST", f"/tap/{CODE}", b"exercise=convolution.top_left&what=stuck", form
    )
    assert status == 303 and headers["Location"] == f"/tap/{CODE}#convolution.top_left"
    row = _row(room.dashboard(), "convolution.top_left")
    assert (row["tried"], row["passed"], row["stuck"]) == (1, 0, 1)
    room.request("POST", f"/tap/{CODE}", b"exercise=convolution.top_left&what=done", form)
    row = _row(room.dashboard(), "convolution.top_left")
    assert (row["tried"], row["passed"], row["stuck"]) == (1, 1, 0)
    assert room.dashboard()["joined"] == 1
    page = room.request("GET", f"/tap/{CODE}", headers={"Cookie": cookie})[2].decode()
    assert "✓ done" in page


@pytest.mark.parametrize(
    "body",
    [
        b"exercise=%3Cscript%3Ealert(1)%3C%2Fscript%3E&what=done",
        b"exercise=convolution.top_left&what=delete",
        b"exercise=convolution.top_left",
        b"exercise=convolution.top_left&what=done&what=stuck",
        b"exercise=convolution.top_left&what=done&extra=1",
        b"%%%",
    ],
)
def test_the_tap_form_takes_only_a_known_exercise_and_done_or_stuck(room, body):
    status, _, answer = room.request(
        "POST", f"/tap/{CODE}", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status in (400, 422)
    assert b"<script>" not in answer
    assert room.dashboard()["joined"] == 0


def test_a_forged_cookie_gets_a_fresh_id(room):
    status, headers, _ = room.request(
        "GET", f"/tap/{CODE}", headers={"Cookie": "room_tap=<script>; other=1"}
    )
    assert status == 200 and re.match(r"room_tap=[0-9a-f]{16};", headers["Set-Cookie"])


def test_the_room_still_serves_data_as_serve_data_does(tmp_path):
    archive = tmp_path / "cifar-10-python.tar.gz"
    archive.write_bytes(b"x" * 1000)
    with running_room(archive=archive) as room:
        status, headers, body = room.request("GET", "/cifar-10-python.tar.gz")
        assert status == 200 and body == b"x" * 1000
        status, _, body = room.request(
            "GET", "/cifar-10-python.tar.gz", headers={"Range": "bytes=990-"}
        )
        assert status == 206 and body == b"x" * 10
        assert room.request("GET", "/etc/passwd")[0] == 404


@pytest.mark.parametrize(
    "text, expected",
    [
        ("192.168.1.5:8765/ACDE", ("192.168.1.5", 8765, "ACDE")),
        ("http://192.168.1.5:9000/acde/", ("192.168.1.5", 9000, "ACDE")),
        ("  10.0.0.2/ACDE ", ("10.0.0.2", 8765, "ACDE")),
        ("[::1]:8765/ACDE", ("::1", 8765, "ACDE")),
    ],
)
def test_a_room_address_is_read_from_the_projectors_line(text, expected):
    address = parse_address(text)
    assert (address.host, address.port, address.code) == expected


@pytest.mark.parametrize(
    "text, says",
    [
        ("", "the line your instructor shows"),
        ("192.168.1.5:8765", "4 letters"),
        ("192.168.1.5:8765/AB1", "4 letters"),
        ("192.168.1.5:port/ACDE", "port must be a number"),
        ("https://192.168.1.5/ACDE", "host:port/CODE"),
    ],
)
def test_a_wrong_room_address_says_what_is_wrong(text, says):
    with pytest.raises(ValueError, match=says):
        parse_address(text)
