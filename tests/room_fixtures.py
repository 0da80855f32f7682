"""A room on loopback for the tests: the real handler, in a thread, with counts to read back."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from workshop.checks.catalogue import exercises
from workshop.data._serve import build_server
from workshop.room._protocol import RoomAddress
from workshop.room._server import RateLimiter, room_handler
from workshop.room._tally import Tally

CODE = "ACDE"
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Room:
    server: object
    tally: Tally
    code: str

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def address(self) -> RoomAddress:
        return RoomAddress("127.0.0.1", self.port, self.code)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def pulse(self, payload: dict | bytes, path: str | None = None) -> tuple[int, dict]:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        status, _, answer = self.request(
            "POST", path or f"/pulse/{self.code}", body, {"Content-Type": "application/json"}
        )
        return status, json.loads(answer) if answer else {}

    def dashboard(self) -> dict:
        status, _, body = self.request("GET", "/dashboard.json")
        assert status == 200, body
        return json.loads(body)


@contextmanager
def running_room(
    *,
    limiter: RateLimiter | None = None,
    max_learners: int = 300,
    dashboard_anywhere: bool = False,
    archive=None,
) -> Iterator[Room]:
    tally = Tally(exercises(), max_learners=max_learners)
    handler = room_handler(
        archive,
        None,
        tally=tally,
        code=CODE,
        limiter=limiter or RateLimiter(),
        dashboard_anywhere=dashboard_anywhere,
    )
    server = build_server(archive, "127.0.0.1", 0, handler=handler)
    # A short poll: shutdown() waits for it, once per test.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield Room(server, tally, CODE)
    finally:
        server.shutdown()
        server.server_close()


def pulse_payload(learner: str, exercise: str, passed: bool, attempt: int = 1) -> dict:
    return {"v": 1, "id": learner, "exercise": exercise, "passed": passed, "attempt": attempt}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_room(port: int, env: dict) -> subprocess.Popen:
    """`python -m workshop room` on loopback, as the instructor starts it; back once it listens."""
    process = subprocess.Popen(
        [sys.executable, "-m", "workshop", "room", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                raise AssertionError(process.stdout.read()) from None
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the room did not start in 60 s")


def fresh_learner(monkeypatch, folder: Path, send_timeout: float = 2.0) -> None:
    """A learner's kernel as it starts: unjoined, its join file in ``folder``, nothing queued."""
    from workshop.room import _client

    monkeypatch.setenv("WORKSHOP_ROOM_DIR", str(folder))
    monkeypatch.delenv(_client.ENV_ROOM, raising=False)
    monkeypatch.setattr(_client, "_cached", None)
    monkeypatch.setattr(_client, "_left_env", False)
    monkeypatch.setattr(_client, "_env_announced", False)
    monkeypatch.setattr(_client, "_attempts", _client.Counter())
    monkeypatch.setattr(_client, "SENDER", _client.Sender(timeout=send_timeout))
