"""A learner's kernel and the room: opt-in, visible, never in the way of a checker."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.room_fixtures import CODE, fresh_learner, running_room
from workshop import room as room_api
from workshop.checks import convolution, setup
from workshop.room import _client


@pytest.fixture(autouse=True)
def fresh_client(tmp_path, monkeypatch):
    """Each test starts unjoined, with its own join folder and no pulses in flight."""
    fresh_learner(monkeypatch, tmp_path / "room")
    for exercise in (convolution.top_left, convolution.output_size, setup.filters_are):
        exercise.reset()
    yield
    _client.SENDER.wait(5)


@pytest.fixture
def room():
    with running_room() as room:
        yield room


def _row(room, exercise):
    return next(r for r in room.dashboard()["exercises"] if r["id"] == exercise)


def test_nothing_is_sent_without_a_join(room, monkeypatch, capsys):
    sent = []
    monkeypatch.setattr(_client.SENDER, "put", lambda *args: sent.append(args))
    convolution.output_size(28)
    convolution.output_size(4)
    assert sent == []
    assert room.dashboard()["joined"] == 0
    room_api.status()
    assert "the checkers send nothing" in capsys.readouterr().out


def test_a_join_shows_what_is_sent_then_each_checker_call_reports(room, capsys):
    room_api.join(str(room.address))
    out = capsys.readouterr().out
    assert '"exercise":"convolution.top_left","passed":true,"attempt":1' in out
    assert "no name, no answer, no code" in out and f"✅ Joined room {CODE}" in out
    convolution.output_size(30)  # wrong
    convolution.output_size(...)  # not an answer: not a try, not sent
    convolution.output_size(28)
    assert _client.SENDER.wait(5)
    row = _row(room, "convolution.output_size")
    assert (row["tried"], row["passed"], row["stuck"]) == (1, 1, 0)
    assert room.dashboard()["joined"] == 1
    assert _client.SENDER.sent == 2


def test_the_pulse_holds_the_five_fields_and_counts_attempts(room, monkeypatch):
    room_api.join(str(room.address))
    bodies = []
    monkeypatch.setattr(_client.SENDER, "put", lambda address, body: bodies.append(body))
    convolution.top_left(1)
    convolution.top_left(2)
    setup.filters_are("b")
    sent = [json.loads(body) for body in bodies]
    learner = _client.joined().learner
    assert sent == [
        {"v": 1, "id": learner, "exercise": "convolution.top_left", "passed": False, "attempt": 1},
        {"v": 1, "id": learner, "exercise": "convolution.top_left", "passed": False, "attempt": 2},
        {"v": 1, "id": learner, "exercise": "setup.filters_are", "passed": True, "attempt": 1},
    ]


def test_the_join_holds_for_the_next_notebooks_and_expires(room, tmp_path):
    room_api.join(str(room.address))
    saved = json.loads((tmp_path / "room" / "room.json").read_text())
    assert set(saved) == {"address", "id", "expires"}
    assert 11.9 * 3600 < saved["expires"] - time.time() <= 12 * 3600
    saved["expires"] = time.time() - 1
    (tmp_path / "room" / "room.json").write_text(json.dumps(saved))
    assert _client.joined() is None


def test_leave_stops_sending(room, monkeypatch, capsys):
    room_api.join(str(room.address))
    room_api.leave()
    assert "Nothing is sent any more" in capsys.readouterr().out
    sent = []
    monkeypatch.setattr(_client.SENDER, "put", lambda *args: sent.append(args))
    convolution.output_size(28)
    assert sent == [] and _client.joined() is None


def test_the_environment_variable_joins_visibly_once(room, monkeypatch, capsys):
    monkeypatch.setenv(_client.ENV_ROOM, str(room.address))
    convolution.output_size(28)
    convolution.output_size(28)
    out = capsys.readouterr().out
    assert out.count(f"Room pulse on ({_client.ENV_ROOM}=") == 1
    assert _client.SENDER.wait(5)
    assert _row(room, "convolution.output_size")["passed"] == 1
    room_api.leave()
    assert _client.joined() is None


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_refused_join_says_so(capsys):
    room_api.join(f"127.0.0.1:{_closed_port()}/{CODE}")
    out = capsys.readouterr().out
    assert "❌ Not joined: refused: nothing listens at 127.0.0.1:" in out
    assert "Nothing is sent." in out and _client.joined() is None


def test_a_wrong_code_says_so(room, capsys):
    room_api.join(f"127.0.0.1:{room.port}/ACDF")
    assert "❌ Not joined: wrong room code ACDF" in capsys.readouterr().out
    assert _client.joined() is None


def test_a_silent_address_times_out_and_points_at_the_tap_page(capsys):
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        started = time.monotonic()
        room_api.join(f"127.0.0.1:{port}/{CODE}", timeout=0.5)
        assert time.monotonic() - started < 5
    out = capsys.readouterr().out
    assert "❌ Not joined: timed out" in out and f"/tap/{CODE}" in out


class _Proxy(BaseHTTPRequestHandler):
    status = 407

    def do_POST(self):  # noqa: N802
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("status", [200, 407, 502])
def test_something_else_answering_is_named_a_proxy_in_the_way(status, capsys):
    handler = type("Proxy", (_Proxy,), {"status": status})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    try:
        room_api.join(f"127.0.0.1:{server.server_address[1]}/{CODE}")
    finally:
        server.shutdown()
        server.server_close()
    out = capsys.readouterr().out
    assert "something else answered" in out and "a proxy in the way" in out
    assert _client.joined() is None


def test_in_colab_a_failed_join_says_why_and_where_to_tap(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "google.colab", type(sys)("google.colab"))
    room_api.join(f"127.0.0.1:{_closed_port()}/{CODE}")
    out = capsys.readouterr().out
    assert "Google's cloud" in out and f"/tap/{CODE}" in out


def test_a_badly_typed_address_is_named(capsys):
    room_api.join("192.168.1.5:8765")
    assert "❌ Not joined: room address" in capsys.readouterr().out


def test_the_system_proxy_is_not_used_for_the_room(room, monkeypatch):
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")
    room_api.join(str(room.address))
    assert _client.joined() is not None


def _join_file_pointing_at(port: int, tmp_path) -> None:
    folder = tmp_path / "room"
    folder.mkdir(exist_ok=True)
    (folder / "room.json").write_text(
        json.dumps(
            {"address": f"127.0.0.1:{port}/{CODE}", "id": "0" * 16, "expires": time.time() + 60}
        )
    )


def test_a_room_that_never_answers_never_holds_up_a_checker(tmp_path, capsys):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        _join_file_pointing_at(listener.getsockname()[1], tmp_path)
        durations = []
        for answer in (30, 29, 28) * 5:
            started = time.perf_counter()
            convolution.output_size(answer)
            durations.append(time.perf_counter() - started)
        # The sender's own timeout is 2 s a pulse; the checker returned long before any.
        assert max(durations) < 1.0
        assert capsys.readouterr().out.count("✅ output_size") == 5


def test_a_broken_sender_never_reaches_the_notebook(room, monkeypatch, capsys):
    room_api.join(str(room.address))

    def broken(*args):
        raise RuntimeError("network stack on fire")

    monkeypatch.setattr(_client.SENDER, "put", broken)
    convolution.output_size(28)
    assert "✅ output_size" in capsys.readouterr().out


def test_a_full_queue_drops_pulses_instead_of_blocking(monkeypatch):
    sender = _client.Sender(size=2)
    monkeypatch.setattr(sender, "_run", lambda: time.sleep(60))
    address = _client.parse_address(f"127.0.0.1:1/{CODE}")
    for _ in range(5):
        sender.put(address, b"{}")
    assert sender.failed == 3
