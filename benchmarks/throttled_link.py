"""A slow shared link on loopback: a TCP relay whose connections all draw on one token bucket.

A room's Wi-Fi access point is one shared medium: 30 laptops downloading at once share its
throughput, each getting about a thirtieth of it. :class:`ThrottledLink` relays TCP connections
from a loopback port to a server, and every byte of every connection, in either direction, waits
its turn in one :class:`TokenBucket`, so together they never exceed the configured rate, however
many there are. It can also cut chosen connections after some bytes, as a laptop losing the
Wi-Fi half-way through a download does.

Loopback only: the relay listens on 127.0.0.1 and is meant for benchmarks and tests.
"""

from __future__ import annotations

import math
import socket
import threading
import time
from collections.abc import Callable

__all__ = ["ThrottledLink", "TokenBucket", "mbit_to_bytes"]


def mbit_to_bytes(mbit_per_s: float) -> float:
    """Bytes per second in ``mbit_per_s`` megabits per second (1 Mbit = 10**6 bits)."""
    return mbit_per_s * 1e6 / 8


class TokenBucket:
    """Lets ``rate`` bytes per second through, shared by all callers, ``burst`` bytes of slack.

    Each :meth:`take` books the next free slot on the link and sleeps until its bytes have
    crossed it, so callers are served in the order they ask (no connection can starve the
    others) and, over any span of ``t`` seconds, at most ``rate * t + burst`` bytes pass.
    ``clock`` and ``sleep`` are replaceable so a test can run the bucket on a fake clock.
    """

    def __init__(
        self,
        rate: float,
        burst: float = 64 * 1024,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or burst < 0:
            raise ValueError(f"rate must be positive and burst not negative, got {rate}, {burst}")
        self.rate = float(rate)
        self.burst = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._free_at = -math.inf  # when the link has finished sending what is booked

    def reserve(self, n: int) -> float:
        """Book ``n`` bytes; the clock time at which they have crossed the link."""
        with self._lock:
            now = self._clock()
            # An idle link saves up at most `burst` bytes of credit, not the whole idle time.
            start = max(self._free_at, now - self.burst / self.rate)
            self._free_at = start + n / self.rate
            return self._free_at

    def take(self, n: int) -> None:
        """Wait until ``n`` more bytes may pass."""
        delay = self.reserve(n) - self._clock()
        if delay > 0:
            self._sleep(delay)


class _Connection:
    """One relayed connection: the client's socket, the server's, and what crossed between them."""

    def __init__(self, client: socket.socket, server: socket.socket, cut_at: int | None) -> None:
        self.client = client
        self.server = server
        self.cut_at = cut_at
        self.down = 0  # bytes from the server to the client
        self.was_cut = False
        self._running = 2  # the two directions still relaying
        self._lock = threading.Lock()

    def tear_down(self) -> None:
        """Stop both directions at once (wakes a thread blocked reading either socket)."""
        for sock in (self.client, self.server):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def direction_done(self) -> None:
        with self._lock:
            self._running -= 1
            last = self._running == 0
        if last:
            self.client.close()
            self.server.close()


class ThrottledLink:
    """Relays ``127.0.0.1:port`` to ``upstream``; all connections share ``rate`` bytes per second.

    ``cut_after(i)``: for the ``i``-th connection accepted (from 0), the number of bytes from the
    server after which the link drops it (both sides see it close mid-transfer), or ``None`` to
    leave it alone. ``chunk`` is the most bytes relayed per turn in the bucket: small enough that
    30 connections take turns many times a second. Use as a context manager, or call
    :meth:`close`.
    """

    def __init__(
        self,
        upstream: tuple[str, int],
        rate: float,
        *,
        cut_after: Callable[[int], int | None] | None = None,
        chunk: int = 16 * 1024,
        burst: float | None = None,
    ) -> None:
        self.upstream = upstream
        self.bucket = TokenBucket(rate, 4 * chunk if burst is None else burst)
        self.chunk = chunk
        self._cut_after = cut_after
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        # accept() in a closed socket does not return on every system: poll a flag instead.
        self._listener.settimeout(0.1)
        self.port: int = self._listener.getsockname()[1]
        self.connections: list[_Connection] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._acceptor = threading.Thread(target=self._accept, name="link-accept", daemon=True)
        self._acceptor.start()

    # --- what crossed -----------------------------------------------------------------------

    @property
    def bytes_down(self) -> int:
        """Bytes relayed from the server to clients so far, over all connections."""
        with self._lock:
            return sum(c.down for c in self.connections)

    @property
    def cuts(self) -> int:
        """How many connections the link has cut so far."""
        with self._lock:
            return sum(c.was_cut for c in self.connections)

    # --- relaying ----------------------------------------------------------------------------

    def _accept(self) -> None:
        index = 0
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # the listener was closed
            client.settimeout(None)
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()  # the client sees the refusal as a dropped connection
                continue
            cut_at = self._cut_after(index) if self._cut_after is not None else None
            index += 1
            conn = _Connection(client, server, cut_at)
            with self._lock:
                self.connections.append(conn)
            for src, dst, down in ((server, client, True), (client, server, False)):
                threading.Thread(
                    target=self._relay, args=(conn, src, dst, down), name="link-relay", daemon=True
                ).start()

    def _relay(self, conn: _Connection, src: socket.socket, dst: socket.socket, down: bool) -> None:
        """Copy ``src`` to ``dst`` through the bucket until either side closes."""
        try:
            while True:
                try:
                    data = src.recv(self.chunk)
                except OSError:
                    conn.tear_down()
                    return
                if not data:
                    try:  # pass the end on, so an HTTP/1.0 body ends as the server ended it
                        dst.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    return
                self.bucket.take(len(data))
                try:
                    dst.sendall(data)
                except OSError:
                    conn.tear_down()
                    return
                if down:
                    with self._lock:
                        conn.down += len(data)
                    if conn.cut_at is not None and conn.down >= conn.cut_at:
                        conn.was_cut = True
                        conn.tear_down()
                        return
        finally:
            conn.direction_done()

    def close(self) -> None:
        """Stop accepting and drop every connection still open."""
        self._closing.set()
        self._acceptor.join(timeout=5)
        self._listener.close()
        with self._lock:
            open_now = list(self.connections)
        for conn in open_now:
            conn.tear_down()

    def __enter__(self) -> ThrottledLink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
