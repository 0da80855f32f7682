"""The learner's side of the room pulse: join, leave, and one small report per checker call.

Nothing is sent by a kernel that has not joined (``join()`` in notebook 00, or the
``WORKSHOP_ROOM`` environment variable). After joining, each checker call hands one pulse
(``{v, id, exercise, passed, attempt}``) to a background thread and returns at once: the
✅/❌ line never waits for the network, and no failure of the room ever reaches the notebook.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass

from workshop.room._protocol import (
    ROOM_HEADER,
    RoomAddress,
    hello_body,
    new_learner_id,
    parse_address,
    pulse_body,
)
from workshop.room._state import room_dir

__all__ = [
    "ENV_ROOM",
    "JOIN_HOURS",
    "Joined",
    "Sender",
    "join",
    "joined",
    "leave",
    "report",
    "status",
]

ENV_ROOM = "WORKSHOP_ROOM"
JOIN_HOURS = 12
JOIN_TIMEOUT = 3.0  # seconds the join test waits: a room on the same Wi-Fi answers in ms
SEND_TIMEOUT = 2.0


@dataclass(frozen=True)
class Joined:
    address: RoomAddress
    learner: str
    expires: float
    source: str  # "join" or the environment variable's name


def _join_file():
    return room_dir() / "room.json"


# --- sending -------------------------------------------------------------------------------------

# No proxy for the room: it is on the local network, and a proxy set for the internet would
# either refuse it or see every pulse.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _post(address: RoomAddress, path: str, body: bytes, timeout: float):
    request = urllib.request.Request(
        f"{address.base}{path}",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    return _OPENER.open(request, timeout=timeout)


class Sender:
    """A daemon thread that sends queued pulses; a full queue drops the newest, never blocks."""

    def __init__(self, timeout: float = SEND_TIMEOUT, size: int = 200) -> None:
        self.timeout = timeout
        self._queue: queue.Queue = queue.Queue(maxsize=size)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.sent = 0
        self.failed = 0

    def put(self, address: RoomAddress, body: bytes) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="room-pulse", daemon=True)
                self._thread.start()
        try:
            self._queue.put_nowait((address, body))
        except queue.Full:
            self.failed += 1

    def _run(self) -> None:
        while True:
            address, body = self._queue.get()
            try:
                self._send(address, body)
            finally:
                self._queue.task_done()

    def _send(self, address: RoomAddress, body: bytes) -> None:
        for _ in range(3):
            try:
                with _post(address, f"/pulse/{address.code}", body, self.timeout):
                    self.sent += 1
                    return
            except urllib.error.HTTPError as error:
                if error.code != 429:
                    break
                time.sleep(min(5.0, float(error.headers.get("Retry-After") or 1)))
            except (OSError, ValueError, http.client.HTTPException):
                break
        self.failed += 1

    def wait(self, timeout: float = 10.0) -> bool:
        """Wait until every queued pulse was sent or given up (tests, and a notebook's end)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True


SENDER = Sender()
_attempts: Counter[str] = Counter()
_env_announced = False
_left_env = False
_cached: tuple[float, Joined | None] | None = None


# --- the join ------------------------------------------------------------------------------------


def _from_env() -> Joined | None:
    text = os.environ.get(ENV_ROOM, "").strip()
    if not text or _left_env:
        return None
    try:
        address = parse_address(text)
    except ValueError:
        return None
    return Joined(address, _ENV_LEARNER, float("inf"), ENV_ROOM)


# One id per kernel for a join by environment variable (no file holds it).
_ENV_LEARNER = new_learner_id()


def _from_file() -> Joined | None:
    """The join saved by ``join()``, if there is one and it has not expired (cheap: one stat)."""
    global _cached
    path = _join_file()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        _cached = None
        return None
    if _cached is None or _cached[0] != mtime:
        try:
            data = json.loads(path.read_text())
            found = Joined(
                parse_address(data["address"]), str(data["id"]), float(data["expires"]), "join"
            )
        except (OSError, ValueError, KeyError, TypeError):
            found = None
        _cached = (mtime, found)
    found = _cached[1]
    if found is not None and found.expires < time.time():
        return None
    return found


def joined() -> Joined | None:
    """The room this kernel reports to, or ``None`` (then nothing is ever sent)."""
    return _from_env() or _from_file()


def _announce_env(current: Joined) -> None:
    global _env_announced
    if current.source == ENV_ROOM and not _env_announced:
        _env_announced = True
        print(
            f"📊 Room pulse on ({ENV_ROOM}={current.address}): each checker call sends the "
            "exercise, ✅ or ❌ and the try number, nothing else. room.leave() stops it."
        )


def report(exercise: str, passed: bool) -> None:
    """Queue one pulse for ``exercise`` when this kernel has joined a room; never raises."""
    try:
        current = joined()
        if current is None:
            return
        _announce_env(current)
        _attempts[exercise] += 1
        body = pulse_body(current.learner, exercise, passed, _attempts[exercise])
        SENDER.put(current.address, body)
    except Exception:  # the room is a bonus: nothing about it may break a checker
        pass


def _in_colab() -> bool:
    return "google.colab" in sys.modules


class _NotTheRoom(Exception):
    """An answer without the room's header: a proxy, or another program on that port."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.code = status


def _failure(address: RoomAddress, error: BaseException) -> str:
    """What went wrong with a join test, in words, with what to do next."""
    where = f"{address.host}:{address.port}"
    tap = f"{address.base}/tap/{address.code}"
    if isinstance(error, (urllib.error.HTTPError, _NotTheRoom)):
        if isinstance(error, _NotTheRoom) or error.headers.get(ROOM_HEADER) is None:
            return (
                f"something else answered at {where} (HTTP {error.code}): a proxy in the way, "
                "or another program on that port. Check the address on the projector."
            )
        try:
            said = json.loads(error.read() or b"{}").get("error", "")
        except (ValueError, OSError):
            said = ""
        if error.code == 404:
            return f"wrong room code {address.code}: check the line on the projector."
        return f"the room said no (HTTP {error.code}): {said or 'no reason given'}."
    reason = getattr(error, "reason", error)
    if isinstance(reason, ConnectionRefusedError):
        return (
            f"refused: nothing listens at {where}. Is the room started, and are the address "
            "and port exactly as on the projector?"
        )
    if isinstance(reason, (TimeoutError, socket.timeout)) or "timed out" in str(reason):
        return (
            f"timed out: {where} did not answer in {JOIN_TIMEOUT:.0f} s. Are you on the same "
            "Wi-Fi as the instructor? Guest networks often keep laptops apart: tap on your "
            f"phone instead, at {tap}."
        )
    return f"could not reach {where} ({reason}). Check the address and your Wi-Fi."


def join(address: str, *, timeout: float = JOIN_TIMEOUT) -> None:
    """Join the room at ``address`` (the line on the projector): shows what will be sent, tests
    the connection, and says in words what went wrong when it cannot join."""
    try:
        room = parse_address(address)
    except ValueError as bad:
        print(f"❌ Not joined: {bad}.")
        return
    from workshop.checks.catalogue import checker_ids

    checker_ids()  # the catalogue, built now, so that no checker call waits for it
    previous = _from_file()
    learner = previous.learner if previous and previous.address == room else new_learner_id()
    example = pulse_body(learner, "convolution.top_left", True, 1).decode()
    print(
        f"Joining room {room.code} at {room.host}:{room.port}. After each checker call this "
        f"laptop sends only\n  {example}\n(a random id made now, the exercise, ✅ or ❌, the try "
        "number): no name, no answer, no code.\nTesting the connection…"
    )
    try:
        with _post(room, f"/pulse/{room.code}/hello", hello_body(learner), timeout) as answer:
            if answer.headers.get(ROOM_HEADER) is None:
                raise _NotTheRoom(answer.status)
    except (OSError, ValueError, http.client.HTTPException, _NotTheRoom) as error:
        why = _failure(room, error)
        extra = ""
        if _in_colab():
            extra = (
                "\nIn Colab your kernel runs in Google's cloud, which cannot reach the room's "
                f"network: tap on the room's page instead, {room.base}/tap/{room.code}"
            )
        print(f"❌ Not joined: {why}{extra}\nNothing is sent.")
        return
    expires = time.time() + JOIN_HOURS * 3600
    path = _join_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"address": str(room), "id": learner, "expires": expires}))
    until = time.strftime("%H:%M", time.localtime(expires))
    print(
        f"✅ Joined room {room.code}, until {until} (this notebook and the next ones). "
        "room.leave() stops sending."
    )


def leave() -> None:
    """Stop sending, in this kernel and the notebooks after it."""
    global _left_env
    current = joined()
    _join_file().unlink(missing_ok=True)
    _left_env = _left_env or bool(os.environ.get(ENV_ROOM))
    print(f"Left room {current.address.code}." if current else "Not in a room.")
    print("Nothing is sent any more.")


def status() -> None:
    """Say whether this kernel reports to a room, and what it sends."""
    current = joined()
    if current is None:
        print("Not in a room: the checkers send nothing.")
        return
    until = (
        ""
        if current.expires == float("inf")
        else f" until {time.strftime('%H:%M', time.localtime(current.expires))}"
    )
    print(
        f"In room {current.address.code} at {current.address.host}:{current.address.port}"
        f"{until}: each checker call sends the exercise, ✅ or ❌ and the try number. "
        "room.leave() stops it."
    )
