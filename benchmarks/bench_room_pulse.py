"""What the room pulse costs a learner's checker call, and what one room takes at once.

A checker call is timed with its ✅/❌ line printed (to nowhere), as a notebook makes it:
the reference is the same checker with the pulse switched off, measured in the same run. The
room's states: not joined; joined and answering (loopback); joined to an address that refuses
(nothing listens); joined to one that never answers (it accepts and stays silent, as a frozen
laptop or a dropped Wi-Fi does). Then 100 learners send their pulses at once to one room on
loopback: pulses per second the room takes.
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.common import markdown_table
from workshop.checks import _core
from workshop.checks import convolution as check
from workshop.checks.catalogue import ORDER, exercises
from workshop.data._serve import build_server
from workshop.room import _client
from workshop.room._protocol import RoomAddress, hello_body, new_learner_id, pulse_body
from workshop.room._server import RateLimiter, room_handler
from workshop.room._state import ENV_DIR
from workshop.room._tally import Tally

CALLS = 1000
LEARNERS = 100
PULSES_EACH = 20


def _call_times(calls: int = CALLS) -> list[float]:
    """Seconds of each checker call, wrong and right answers in turn, printing to nowhere."""
    times = []
    with contextlib.redirect_stdout(io.StringIO()):
        for n in range(calls):
            started = time.perf_counter()
            check.output_size(28 if n % 2 else 30)
            times.append(time.perf_counter() - started)
    return times


@contextlib.contextmanager
def _room() -> Iterator[int]:
    tally = Tally(exercises())
    limiter = RateLimiter(rate=1e6, burst=10**6)  # every learner here shares 127.0.0.1
    handler = room_handler(None, None, tally=tally, code="ACDE", limiter=limiter)
    server = build_server(None, "127.0.0.1", 0, handler=handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def _joined_to(port: int, folder: Path) -> Iterator[None]:
    (folder / "room.json").write_text(
        json.dumps({"address": f"127.0.0.1:{port}/ACDE", "id": new_learner_id(), "expires": 2e9})
    )
    _client._cached = None
    _client.SENDER = _client.Sender()
    try:
        yield
    finally:
        (folder / "room.json").unlink()
        _client._cached = None


def _row(state: str, times: list[float], reference: float) -> dict:
    median = statistics.median(times)
    return {
        "room": state,
        "checker call, median ms": f"{median * 1e3:.3f}",
        "slowest ms": f"{max(times) * 1e3:.2f}",
        "added ms (median)": f"{(median - reference) * 1e3:+.3f}",
        "ratio": f"{median / reference:.2f}",
    }


def _load(port: int) -> tuple[float, int]:
    address = RoomAddress("127.0.0.1", port, "ACDE")

    def learner(index: int) -> None:
        me = new_learner_id()
        _client._post(address, "/pulse/ACDE/hello", hello_body(me), 10).close()
        for n in range(PULSES_EACH):
            body = pulse_body(me, ORDER[(index + n) % len(ORDER)], n % 3 == 0, n + 1)
            _client._post(address, "/pulse/ACDE", body, 10).close()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=LEARNERS) as pool:
        for done in [pool.submit(learner, i) for i in range(LEARNERS)]:
            done.result()
    return time.perf_counter() - started, LEARNERS * (PULSES_EACH + 1)


def main() -> list[dict]:
    import os

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ[ENV_DIR] = tmp
        os.environ.pop(_client.ENV_ROOM, None)
        real_report = _core._report
        _core._report = lambda exercise, passed: None
        _call_times(200)  # warm-up: the first calls fill caches the later ones find
        switched_off = _call_times()
        reference = statistics.median(switched_off)
        _core._report = real_report
        rows = [_row("pulse switched off (reference)", switched_off, reference)]
        rows.append(_row("not joined", _call_times(), reference))
        with _room() as port, _joined_to(port, folder):
            rows.append(_row("joined, answering", _call_times(), reference))
            _client.SENDER.wait(30)
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            refused_port = closed.getsockname()[1]
        with _joined_to(refused_port, folder):
            rows.append(_row("joined, refusing (not started)", _call_times(), reference))
        with socket.socket() as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(CALLS)
            with _joined_to(silent.getsockname()[1], folder):
                rows.append(_row("joined, never answering", _call_times(), reference))
        with _room() as port:
            seconds, pulses = _load(port)
    columns = ["room", "checker call, median ms", "slowest ms", "added ms (median)", "ratio"]
    print(markdown_table(rows, columns))
    print(
        f"\n{LEARNERS} learners at once, {PULSES_EACH} pulses each plus a hello, one room on "
        f"loopback: {pulses} requests in {seconds:.1f} s = {pulses / seconds:,.0f} a second."
    )
    return rows


if __name__ == "__main__":
    main()
