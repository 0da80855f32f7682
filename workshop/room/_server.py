"""The room's HTTP side: serve-data's files plus the pulse, the dashboard and the tap page.

Every request from the room's network is treated as hostile: bodies over 512 bytes are refused
unread (413), fields are checked one by one (422), each address gets a token bucket (429), the
room holds at most ``max_learners`` (403), a silent client is let go after 10 s, and every path
needs the room code. The dashboard and its CSV answer only the instructor's own machine
(loopback) unless the room was started with ``--dashboard-anywhere``.
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs, urlsplit

from workshop.data._serve import ArchiveHandler
from workshop.room._pages import dashboard_page, tap_page
from workshop.room._protocol import (
    MAX_BODY,
    ROOM_HEADER,
    BadRequest,
    new_learner_id,
    parse_hello,
    parse_pulse,
)
from workshop.room._tally import RoomFull, Tally

__all__ = ["RateLimiter", "RoomHandler", "room_handler"]

_TAP_COOKIE = "room_tap"
_POLICY = (
    "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "frame-ancestors 'none'; form-action 'self'"
)


class RateLimiter:
    """A token bucket per address: ``burst`` requests at once, then ``rate`` a second.

    An address is forgotten once its bucket is full again, so the addresses held are only
    those of the last few seconds, and never written anywhere.
    """

    def __init__(self, rate: float = 5.0, burst: int = 20) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._pruned = time.monotonic()

    def allow(self, address: str) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, then = self._buckets.get(address, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            allowed = tokens >= 1
            self._buckets[address] = (tokens - 1 if allowed else tokens, now)
            if now - self._pruned > 10:
                full = self.burst / self.rate
                self._buckets = {a: b for a, b in self._buckets.items() if now - b[1] < full}
                self._pruned = now
        return allowed


def _loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


class RoomHandler(ArchiveHandler):
    """serve-data's handler with the room's paths; set up by :func:`room_handler`."""

    server_version = "cnn-workshop-room"
    tally: Tally
    code: str
    limiter: RateLimiter
    dashboard_anywhere = False
    # Pulse and page requests are tiny: a client silent this long is let go. A download raises
    # it to serve-data's 120 s before sending.
    timeout = 10

    def end_headers(self) -> None:
        self.send_header(ROOM_HEADER, "1")
        super().end_headers()

    # --- routing -------------------------------------------------------------------------------

    def _route(self) -> tuple[str, str]:
        """``(kind, rest)``: ``kind`` is pulse, tap, dashboard, files."""
        path = urlsplit(self.path).path
        for kind in ("pulse", "tap"):
            if path.startswith(f"/{kind}/"):
                return kind, path[len(kind) + 2 :]
        if path in ("/dashboard", "/dashboard.json", "/export.csv"):
            return "dashboard", path
        return "files", path

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        kind, rest = self._route()
        if kind == "files":
            self.connection.settimeout(ArchiveHandler.timeout)
            super().do_GET()
        elif kind == "dashboard":
            self._dashboard(rest)
        elif kind == "tap" and self._allowed() and self._code_is(rest):
            self._tap_page()
        elif kind == "pulse":
            self._json(405, {"error": "send a pulse with POST"})

    def do_HEAD(self) -> None:  # noqa: N802
        kind, _ = self._route()
        if kind == "files":
            super().do_HEAD()
        else:
            self._json(405, {"error": "HEAD is not answered here"}, body=False)

    def do_POST(self) -> None:  # noqa: N802
        kind, rest = self._route()
        if kind not in ("pulse", "tap"):
            self._json(405, {"error": "nothing here takes POST"})
            return
        if not self._allowed():
            return
        code, _, tail = rest.partition("/")
        if not self._code_is(code):
            return
        try:
            body = self._body()
            if kind == "tap" and not tail:
                self._tap(body)
            elif kind == "pulse" and tail == "hello":
                self.tally.join(parse_hello(body))
                self._json(200, {"room": self.code, "exercises": len(self.tally.exercises)})
            elif kind == "pulse" and not tail:
                pulse = parse_pulse(body, self.tally.known)
                self.tally.record(pulse.learner, pulse.exercise, pulse.passed)
                self._json(204, None)
            else:
                self._json(404, {"error": "no such path"})
        except BadRequest as refused:
            self._json(refused.status, {"error": str(refused)})
        except RoomFull as full:
            self._json(403, {"error": f"{full}: ask the instructor"})

    # --- checks every room request passes ------------------------------------------------------

    def _allowed(self) -> bool:
        if self.limiter.allow(self.client_address[0]):
            return True
        self._json(429, {"error": "too many requests: wait a second"}, retry_after=1)
        return False

    def _code_is(self, code: str) -> bool:
        if code.strip("/") == self.code:
            return True
        self._json(404, {"error": "wrong room code: check the line on the projector"})
        return False

    def _body(self) -> bytes:
        if "Transfer-Encoding" in self.headers:
            self.close_connection = True
            raise BadRequest(411, "send a Content-Length, not a chunked body")
        length_text = self.headers.get("Content-Length", "")
        if not length_text.isdigit():
            self.close_connection = True
            raise BadRequest(411, "a Content-Length is required")
        length = int(length_text)
        if length > MAX_BODY:
            # Refused unread; the connection closes so the unread bytes are never parsed.
            self.close_connection = True
            raise BadRequest(413, f"at most {MAX_BODY} bytes")
        body = self.rfile.read(length)
        if len(body) != length:
            self.close_connection = True
            raise BadRequest(400, "the body ended early")
        return body

    # --- answers -------------------------------------------------------------------------------

    def _json(self, status: int, data: dict | None, *, body: bool = True, retry_after: int = 0):
        payload = b"" if data is None else json.dumps(data).encode()
        self.send_response(status)
        if data is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        if retry_after:
            self.send_header("Retry-After", str(retry_after))
        self.end_headers()
        if body and payload:
            self.wfile.write(payload)

    def _text(self, status: int, text: str, content_type: str, headers: dict | None = None):
        payload = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        # The pages run no script from anywhere else and cannot be framed by another site.
        self.send_header("Content-Security-Policy", _POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _dashboard(self, path: str) -> None:
        if not (self.dashboard_anywhere or _loopback(self.client_address[0])):
            self._json(403, {"error": "the dashboard opens on the instructor's computer only"})
            return
        if path == "/dashboard":
            self._text(200, dashboard_page(self.tally.snapshot(), self.code), "text/html")
        elif path == "/dashboard.json":
            self._text(200, json.dumps(self.tally.snapshot()), "application/json")
        else:
            stamp = time.strftime("%Y%m%d-%H%M", time.localtime(self.tally.started))
            self._text(
                200,
                self.tally.export_csv(),
                "text/csv",
                {"Content-Disposition": f'attachment; filename="room-{stamp}.csv"'},
            )

    def _tap_learner(self) -> tuple[str, bool]:
        """The tap page's anonymous id from its cookie, or a new one (and whether it is new)."""
        try:
            cookie = SimpleCookie(self.headers.get("Cookie", ""))
        except CookieError:
            cookie = SimpleCookie()
        morsel = cookie.get(_TAP_COOKIE)
        value = morsel.value if morsel is not None else ""
        if len(value) == 16 and all(c in "0123456789abcdef" for c in value):
            return value, False
        return new_learner_id(), True

    def _cookie_header(self, learner: str) -> dict:
        return {
            "Set-Cookie": f"{_TAP_COOKIE}={learner}; Path=/tap/; Max-Age=43200; HttpOnly; "
            "SameSite=Lax"
        }

    def _tap_page(self) -> None:
        learner, new = self._tap_learner()
        rows = self.tally.snapshot()["exercises"]
        page = tap_page(rows, self.code, self.tally.learner_state(learner))
        self._text(200, page, "text/html", self._cookie_header(learner) if new else None)

    def _tap(self, body: bytes) -> None:
        try:
            fields = parse_qs(body.decode("ascii"), strict_parsing=True, max_num_fields=4)
        except (UnicodeDecodeError, ValueError):
            raise BadRequest(400, "expected a form") from None
        exercise = fields.get("exercise", [""])
        what = fields.get("what", [""])
        if set(fields) != {"exercise", "what"} or len(exercise) != 1 or len(what) != 1:
            raise BadRequest(422, "expected exercise and what")
        if not self.tally.knows(exercise[0]) or what[0] not in ("done", "stuck"):
            raise BadRequest(422, "exercise: not one of the workshop's exercises")
        learner, new = self._tap_learner()
        done = what[0] == "done"
        self.tally.record(learner, exercise[0], passed=done, stuck=not done)
        self.send_response(303)
        self.send_header("Location", f"/tap/{self.code}#{exercise[0]}")
        self.send_header("Content-Length", "0")
        for name, value in (self._cookie_header(learner) if new else {}).items():
            self.send_header(name, value)
        self.end_headers()


def room_handler(
    archive,
    wheelhouse,
    *,
    tally: Tally,
    code: str,
    limiter: RateLimiter | None = None,
    dashboard_anywhere: bool = False,
) -> type[RoomHandler]:
    """A handler class for one room: its own counts, code, limits and shared files."""
    return type(
        "Room",
        (RoomHandler,),
        {
            "archive": archive,
            "wheelhouse": wheelhouse,
            "counter": {"sent": 0, "files": 0, "bytes": 0, "laptops": set()},
            "tally": tally,
            "code": code,
            "limiter": limiter or RateLimiter(),
            "dashboard_anywhere": dashboard_anywhere,
        },
    )
