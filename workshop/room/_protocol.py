"""What a learner's kernel sends the room, and how the room reads it: nothing else is accepted.

A pulse is one JSON object of exactly five fields, ``{"v", "id", "exercise", "passed",
"attempt"}``; a hello (the join test) is ``{"v", "id"}``. The room refuses a body over
:data:`MAX_BODY` bytes unread, and any other field, type or exercise.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = [
    "CODE_ALPHABET",
    "DEFAULT_PORT",
    "MAX_BODY",
    "ROOM_HEADER",
    "VERSION",
    "BadRequest",
    "Pulse",
    "RoomAddress",
    "hello_body",
    "new_code",
    "new_learner_id",
    "parse_address",
    "parse_hello",
    "parse_pulse",
    "pulse_body",
]

VERSION = 1
MAX_BODY = 512
DEFAULT_PORT = 8765
# Every answer of the room carries this header, so a learner's kernel can tell the room from a
# proxy or another service that happens to answer on that address.
ROOM_HEADER = "X-CNN-Workshop-Room"
# Letters that cannot be mistaken for one another on a projector (no I/1, O/0, S/5, Z/2).
CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY"
_CODE = re.compile(f"^[{CODE_ALPHABET}]{{4}}$")
_LEARNER = re.compile(r"^[0-9a-f]{16}$")
_EXERCISE = re.compile(r"^[a-z0-9_]{1,40}\.[a-z0-9_]{1,40}$")
MAX_ATTEMPT = 10_000


class BadRequest(ValueError):
    """A request the room refuses: ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Pulse:
    learner: str
    exercise: str
    passed: bool
    attempt: int


@dataclass(frozen=True)
class RoomAddress:
    host: str
    port: int
    code: str

    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def __str__(self) -> str:
        return f"{self.base.removeprefix('http://')}/{self.code}"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(4))


def new_learner_id() -> str:
    return secrets.token_hex(8)


def is_code(text: str) -> bool:
    return bool(_CODE.match(text))


def parse_address(text: str) -> RoomAddress:
    """``"192.168.1.5:8765/ABCD"`` (``http://`` and the port are optional) as a room address."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(
            'room address: expected the line your instructor shows, e.g. "192.168.1.5:8765/ACDE"'
        )
    raw = text.strip()
    parts = urlsplit(raw if "://" in raw else f"http://{raw}")
    code = parts.path.strip("/").upper()
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(
            f"room address {text!r}: expected host:port/CODE, e.g. 192.168.1.5:8765/ACDE"
        )
    if not is_code(code):
        raise ValueError(
            f"room address {text!r}: the room code after the / is 4 letters, e.g. /ACDE"
        )
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise ValueError(f"room address {text!r}: the port must be a number") from None
    return RoomAddress(parts.hostname, port, code)


def pulse_body(learner: str, exercise: str, passed: bool, attempt: int) -> bytes:
    return json.dumps(
        {"v": VERSION, "id": learner, "exercise": exercise, "passed": passed, "attempt": attempt},
        separators=(",", ":"),
    ).encode()


def hello_body(learner: str) -> bytes:
    return json.dumps({"v": VERSION, "id": learner}, separators=(",", ":")).encode()


def _fields(body: bytes, names: set[str]) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequest(400, "the body is not JSON") from None
    if not isinstance(data, dict) or set(data) != names:
        raise BadRequest(422, f"expected exactly the fields {sorted(names)}")
    if data["v"] != VERSION or isinstance(data["v"], bool):
        raise BadRequest(422, f"this room speaks version {VERSION}: update the workshop")
    if not isinstance(data["id"], str) or not _LEARNER.match(data["id"]):
        raise BadRequest(422, "id: expected 16 hexadecimal digits")
    return data


def parse_hello(body: bytes) -> str:
    """The learner id of a hello."""
    return _fields(body, {"v", "id"})["id"]


def parse_pulse(body: bytes, known: set[str] | frozenset[str]) -> Pulse:
    """A pulse, checked field by field; ``known``: the exercise ids the room accepts."""
    data = _fields(body, {"v", "id", "exercise", "passed", "attempt"})
    exercise = data["exercise"]
    if not isinstance(exercise, str) or not _EXERCISE.match(exercise) or exercise not in known:
        raise BadRequest(422, "exercise: not one of the workshop's exercises")
    if not isinstance(data["passed"], bool):
        raise BadRequest(422, "passed: expected true or false")
    attempt = data["attempt"]
    if isinstance(attempt, bool) or not isinstance(attempt, int) or not 1 <= attempt <= MAX_ATTEMPT:
        raise BadRequest(422, f"attempt: expected a whole number from 1 to {MAX_ATTEMPT}")
    return Pulse(data["id"], exercise, data["passed"], attempt)
