"""The throttled link the classroom benchmark puts between serve-data and 30 laptops.

Its figures are only as good as the link: the bucket must let through the configured rate (no
more: else the room looks faster than it is; no less: else slower), shared by all connections
rather than per connection, and a cut must look to the client like a dropped download.
"""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from benchmarks.throttled_link import ThrottledLink, TokenBucket, mbit_to_bytes


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_bucket_keeps_the_rate_exactly_on_a_fake_clock():
    clock = FakeClock()
    bucket = TokenBucket(100_000, burst=10_000, clock=clock, sleep=clock.sleep)
    for _ in range(100):
        bucket.take(10_000)
    # 1 MB at 100 kB/s is 10 s, less the 10 kB of burst the idle link started with.
    assert clock.now == pytest.approx(9.9)


def test_an_idle_bucket_saves_up_no_more_than_its_burst():
    clock = FakeClock()
    bucket = TokenBucket(100_000, burst=10_000, clock=clock, sleep=clock.sleep)
    clock.now = 1_000.0  # idle for a long time
    bucket.take(50_000)
    assert clock.now == pytest.approx(1_000.4)


def test_bucket_refuses_a_rate_that_is_not_positive():
    with pytest.raises(ValueError):
        TokenBucket(0)


def test_megabits_are_decimal():
    assert mbit_to_bytes(100) == 12_500_000


class _Sender:
    """A loopback server that sends ``payload`` to each connection, then closes it."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._send, args=(conn,), daemon=True).start()

    def _send(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.sendall(self.payload)
            except OSError:
                pass  # the link cut it


def _receive(port: int) -> bytes:
    got = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        while chunk := sock.recv(1 << 16):
            got += chunk
    return bytes(got)


@pytest.fixture
def sender():
    server = _Sender(bytes(range(256)) * 2048)  # 512 kB
    yield server
    server.sock.close()


def test_two_connections_share_one_rate(sender):
    rate = 1_000_000  # 1 MB/s: two downloads of 512 kB need about 1 s together, not 0.5 s each
    with ThrottledLink(("127.0.0.1", sender.port), rate, chunk=8192, burst=8192) as link:
        began = time.monotonic()
        with ThreadPoolExecutor(2) as pool:
            got = list(pool.map(_receive, [link.port, link.port]))
        seconds = time.monotonic() - began
    assert got == [sender.payload, sender.payload]
    assert link.bytes_down == 2 * len(sender.payload)
    achieved = link.bytes_down / seconds
    # Above the rate only by the burst (under 1 % here); a bucket per connection would give 2x.
    # Below it only if this machine is too busy to wake the relay on time: leave room for that.
    assert 0.8 * rate < achieved < 1.02 * rate, achieved


def test_a_cut_connection_ends_early_and_the_next_is_whole(sender):
    half = len(sender.payload) // 2
    with ThrottledLink(
        ("127.0.0.1", sender.port), 4_000_000, cut_after=lambda i: half if i == 0 else None
    ) as link:
        first = _receive(link.port)
        second = _receive(link.port)
    assert half <= len(first) < len(sender.payload)
    assert first == sender.payload[: len(first)]
    assert second == sender.payload
    assert link.cuts == 1
