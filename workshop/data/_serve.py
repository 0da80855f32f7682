"""``python -m workshop serve-data``: share your verified CIFAR-10 archive with the room.

One laptop with the archive runs this; everyone else types the ``fetch --from`` command it
prints, and 30 downloads of 163 MiB happen over the room's network instead of the internet.
It serves exactly one file, read-only: ``GET``/``HEAD /cifar-10-python.tar.gz``. Every other
path is 404 (no listing, nothing else on disk is reachable); other methods are refused. A single
``Range`` (a learner's dropped download continuing) gets ``206`` with its ``Content-Range``; one
outside the file gets ``416``; several ranges get the whole file.
Learners' ``fetch`` checks the official SHA-256 again, so a damaged copy cannot spread.
"""

from __future__ import annotations

import errno
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from workshop.commands import room_commands, workshop_command
from workshop.data._cache import SERVE_NAME, archive_path
from workshop.data._verify import cached_archive

__all__ = ["build_server", "lan_ip", "requested_range", "serve_command", "share_url"]

_PATH = "/" + SERVE_NAME


def lan_ip() -> str:
    """This computer's address on the local network, found without sending anything.

    Connecting a UDP socket only picks the outgoing interface (no packet leaves), so it works
    offline on a venue network; falls back to the host name, then to 127.0.0.1.
    """
    for probe in ("10.255.255.255", "192.168.255.255", "172.31.255.255"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                ip = s.getsockname()[0]
            if ip and not ip.startswith(("0.", "127.")):
                return ip
        except OSError:
            continue
    try:
        ip = socket.gethostbyname(socket.gethostname())
        if not ip.startswith("127."):
            return ip
    except OSError:
        pass
    return "127.0.0.1"


def share_url(host: str, port: int) -> str:
    """The URL learners type: the LAN address when listening on all interfaces."""
    shown = lan_ip() if host in ("", "0.0.0.0", "::") else host
    return f"http://{shown}:{port}{_PATH}"


def requested_range(header: str | None, size: int) -> tuple[int, int] | None | str:
    """The one byte range ``header`` asks of a ``size``-byte file: ``(first, last)`` inclusive.

    ``None``: send the whole file (no header, one we do not understand, or several ranges, which
    RFC 9110 lets a server answer with the whole file). ``"unsatisfiable"``: nothing of the file
    is in the range (a 416).
    """
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first_text, dash, last_text = spec.strip().partition("-")
    if not dash or not (first_text.isdigit() or last_text.isdigit()):
        return None
    if not first_text:  # "-N": the last N bytes
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - suffix), size - 1
    first = int(first_text)
    if last_text and not last_text.isdigit():
        return None
    last = int(last_text) if last_text else None
    if last is not None and last < first:
        return None  # invalid: ignored, as RFC 9110 says
    if first >= size:
        return "unsatisfiable"
    return first, size - 1 if last is None else min(last, size - 1)


class _ArchiveHandler(BaseHTTPRequestHandler):
    """Serves one file; everything else is 404. Set ``archive`` on a subclass."""

    archive: Path
    server_version = "cnn-workshop-serve-data"
    sys_version = ""
    counter = {"sent": 0}
    lock = threading.Lock()
    # A laptop that stops reading (lid closed, Wi-Fi gone) is let go after this many seconds of
    # silence, instead of holding a thread for ever; the others are never waiting on it.
    timeout = 120

    def _is_ours(self) -> bool:
        # Compare the raw path (no unquoting), so "%2e%2e/..." or "/./x" can never match a file.
        return urlsplit(self.path).path == _PATH

    def _headers(self) -> tuple[int, int] | None:
        """Send the status and headers; the byte span ``(offset, count)`` to send, or ``None``."""
        if not self._is_ours():
            self.send_error(404, explain=f"Only {_PATH} is shared here.")
            return None
        size = self.archive.stat().st_size
        # If-Range asks for the range only if the file is unchanged; we offer no validator to
        # compare with, so the safe answer is the whole file.
        wanted = None if "If-Range" in self.headers else self.headers.get("Range")
        span = requested_range(wanted, size)
        if span == "unsatisfiable":
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if isinstance(span, tuple):
            first, last = span
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        else:
            first, last = 0, size - 1
            self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(last - first + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Disposition", f'attachment; filename="{SERVE_NAME}"')
        self.end_headers()
        return first, last - first + 1

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
        self._headers()

    def do_GET(self) -> None:  # noqa: N802
        span = self._headers()
        if span is None:
            return
        offset, count = span
        started = time.monotonic()
        try:
            with open(self.archive, "rb") as fh:
                # sendfile: the kernel copies file to socket, so 30 downloads at once cost no
                # buffers here (it falls back to a plain loop where the system has no sendfile).
                self.connection.sendfile(fh, offset, count)
        except (OSError, TimeoutError):  # a learner hung up, or stopped reading
            self._say(f"{self.client_address[0]} stopped the download (they can simply retry)")
            self.close_connection = True
            return
        with self.lock:
            self.counter["sent"] += 1
            sent = self.counter["sent"]
        seconds = time.monotonic() - started
        what = "the archive" if offset == 0 else f"the rest of the archive (from byte {offset:,})"
        self._say(f"sent {what} to {self.client_address[0]} in {seconds:.0f} s ({sent} so far)")

    def _say(self, line: str) -> None:
        """One line on the instructor's screen, whole: 30 threads finish at the same moment."""
        with self.lock:
            sys.stdout.write(f"  {line}\n")
            sys.stdout.flush()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # Only failed requests are worth the instructor's attention; successes print above.
        status = str(getattr(code, "value", code))
        if status.startswith(("4", "5")):
            self._say(f"{self.client_address[0]}: {self.requestline!r} -> {status}")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # http.server's default writes every line to stderr; log_request covers failures


class _RoomServer(ThreadingHTTPServer):
    # A room of 30 starting at once: the default backlog of 5 makes the rest retry after 1 s.
    request_queue_size = 64


def build_server(archive: Path, host: str = "0.0.0.0", port: int = 8765) -> ThreadingHTTPServer:
    """An HTTP server (not started) that shares ``archive`` at ``/cifar-10-python.tar.gz``."""
    handler = type(
        "Handler", (_ArchiveHandler,), {"archive": Path(archive), "counter": {"sent": 0}}
    )
    server = _RoomServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve_command(host: str = "0.0.0.0", port: int = 8765) -> int:
    """``serve-data``: returns the process exit code."""
    print("Checking the cached CIFAR-10 archive (SHA-256)…")
    archive = cached_archive(rehash=True, progress=True)
    if archive is None:
        where = archive_path()
        state = "is damaged (wrong SHA-256)" if where.exists() else "is not there"
        print(
            f"\n❌ Nothing to share: the CIFAR-10 archive at {where} {state}.\n"
            "Get a verified copy first, then run serve-data again:\n"
            f"  {workshop_command('fetch')}                      (from the internet)\n"
            f"  {workshop_command('fetch --from PATH_OR_URL')}   (USB stick, or another serve-data)"
        )
        return 1
    try:
        server = build_server(archive, host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            why = f"port {port} is already in use (is serve-data already running?)"
            hint = workshop_command(f"serve-data --port {port + 1}")
        elif exc.errno in (errno.EACCES, errno.EPERM):
            why = f"this computer does not allow listening on port {port}"
            hint = workshop_command("serve-data --port 8765")
        else:
            why = f"cannot listen on {host}:{port} ({exc.strerror or exc})"
            hint = workshop_command("serve-data --host 0.0.0.0 --port 8765")
        print(f"\n❌ Cannot start sharing: {why}.\nTry: {hint}")
        return 1
    real_port = server.server_address[1]
    url = share_url(host, real_port)
    width = max(len(command) for command, _ in room_commands(f"fetch --from {url}"))
    lines = "".join(
        f"    {command:<{width}}   ({where})\n"
        for command, where in room_commands(f"fetch --from {url}")
    )
    print(
        f"\n✅ Sharing {archive}\n"
        f"   ({archive.stat().st_size:,} bytes, SHA-256 verified) on port {real_port}.\n\n"
        "Learners on the same network type the line for their laptop:\n\n"
        f"{lines}\n"
        "If it cannot connect: allow Python through this computer's firewall on private networks,"
        "\nand check everyone is on the same Wi-Fi (guest networks often isolate laptops).\n"
        "Keep this window open; press Ctrl+C to stop sharing."
    )
    sys.stdout.flush()
    if threading.current_thread() is threading.main_thread():
        # A process started in the background (or by a parent that ignores Ctrl+C) inherits
        # "ignore SIGINT"; sharing must still stop on Ctrl+C, as the message above promises.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print(
            f"\nStopped sharing; sent the archive {server.RequestHandlerClass.counter['sent']} "
            "times."
        )
    finally:
        server.server_close()
    return 0
