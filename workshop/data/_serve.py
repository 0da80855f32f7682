"""``python -m workshop serve-data``: share your verified CIFAR-10 archive and the workshop itself.

One laptop with the archive runs this; everyone else types the ``fetch --from`` command it
prints, and 30 downloads of 163 MiB happen over the room's network instead of the internet.
It serves, read-only, ``GET``/``HEAD /cifar-10-python.tar.gz`` and, when a wheelhouse made by
``make wheelhouse`` is there (``build/wheelhouse``, or ``--wheelhouse DIR``), a package index
(``/simple/``, ``/files/<wheel>``) and the workshop's files (``/cnn-workshop.zip``), so a laptop
with no internet installs the workshop from the room (see :mod:`workshop.wheelhouse`). Either one
alone is enough to start. Every other path is 404 (no listing, nothing else on disk is
reachable); other methods are refused. A single ``Range`` (a learner's dropped download
continuing) gets ``206`` with its ``Content-Range``; one outside the file gets ``416``; several
ranges get the whole file.
Learners' ``fetch`` checks the official SHA-256 again, so a damaged copy cannot spread; pip checks
each wheel against the ``#sha256=`` the index gives for it.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import stat
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from workshop.commands import VENV_COMMANDS, room_commands, workshop_command
from workshop.data._cache import SERVE_NAME, archive_path
from workshop.data._verify import cached_archive
from workshop.wheelhouse import (
    INDEX_PATH,
    MANIFEST,
    PROJECT,
    SOURCE_PATH,
    SOURCE_ZIP,
    Page,
    Redirect,
    ServedFile,
    Wheelhouse,
)

__all__ = [
    "FIREWALL",
    "ArchiveHandler",
    "Shares",
    "build_server",
    "cannot_listen",
    "install_lines",
    "lan_ip",
    "open_shares",
    "print_shares",
    "requested_range",
    "room_address",
    "sent_summary",
    "serve_command",
    "serve_until_stopped",
    "share_url",
]

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
    return room_address(host, port) + _PATH


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


# A file this big gets its own line on the instructor's screen when sent (TensorFlow's wheel);
# the 130-odd small wheels of one install would bury everything else.
_BIG = 50 * 1024 * 1024
# Open without following a symbolic link: a link put in the wheelhouse after start-up is refused.
_CHANGED = "That file changed since serve-data started: restart it."
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


@dataclass(frozen=True)
class _Sending:
    """The byte span of one file that a GET is about to send."""

    path: Path
    offset: int
    count: int
    size: int
    what: str  # for the log line
    archive: bool


class ArchiveHandler(BaseHTTPRequestHandler):
    """Serves the archive and the wheelhouse, if set on a subclass; everything else is 404."""

    archive: Path | None = None
    wheelhouse: Wheelhouse | None = None
    server_version = "cnn-workshop-serve-data"
    sys_version = ""
    counter: dict = {"sent": 0, "files": 0, "bytes": 0, "laptops": set()}
    lock = threading.Lock()
    # A laptop that stops reading (lid closed, Wi-Fi gone) is let go after this many seconds of
    # silence, instead of holding a thread for ever; the others are never waiting on it.
    timeout = 120

    def _target(self) -> ServedFile | Page | Redirect | str | None:
        # Compare the raw path (no unquoting), so "%2e%2e/..." or "/./x" can never match a file.
        path = urlsplit(self.path).path
        if self.archive is not None and path == _PATH:
            return _PATH
        if self.wheelhouse is not None:
            return self.wheelhouse.resolve(path)
        return None

    def _shared(self) -> str:
        paths = [_PATH] if self.archive is not None else []
        if self.wheelhouse is not None:
            paths += [INDEX_PATH] if self.wheelhouse.projects else []
            paths += [SOURCE_PATH] if self.wheelhouse.source else []
        return ", ".join(paths)

    def _headers(self) -> _Sending | Page | None:
        """Send the status and headers; what the body is to be, or ``None`` for no body."""
        target = self._target()
        if target is None:
            self.send_error(404, explain=f"Only {self._shared()} shared here.")
            return None
        if isinstance(target, Redirect):
            self.send_response(301)
            self.send_header("Location", target.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if isinstance(target, Page):
            self.send_response(200)
            self.send_header("Content-Type", target.content_type)
            self.send_header("Content-Length", str(len(target.body)))
            self.end_headers()
            return target
        if isinstance(target, ServedFile):
            path, what, kind = target.path, target.name, target.content_type
            info = os.stat(path, follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or info.st_size != target.size:
                self.send_error(503, explain=_CHANGED)
                return None
            size = target.size
        else:
            path, what, kind = self.archive, "the archive", "application/gzip"
            size = path.stat().st_size
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
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(last - first + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Disposition", f'attachment; filename="{path.name}"')
        self.end_headers()
        return _Sending(path, first, last - first + 1, size, what, archive=what == "the archive")

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
        self._headers()

    def do_GET(self) -> None:  # noqa: N802
        body = self._headers()
        if isinstance(body, Page):
            self.wfile.write(body.body)
            return
        if body is None or body.count <= 0:
            return
        started = time.monotonic()
        try:
            with os.fdopen(os.open(body.path, _OPEN_FLAGS), "rb") as fh:
                # sendfile: the kernel copies file to socket, so 30 downloads at once cost no
                # buffers here (it falls back to a plain loop where the system has no sendfile).
                self.connection.sendfile(fh, body.offset, body.count)
        except (OSError, TimeoutError):  # a learner hung up, or stopped reading
            what = "download" if body.archive else f"download of {body.what}"
            self._say(f"{self.client_address[0]} stopped the {what} (they can simply retry)")
            self.close_connection = True
            return
        seconds = time.monotonic() - started
        if body.archive:
            with self.lock:
                self.counter["sent"] += 1
                sent = self.counter["sent"]
            what = "the archive" if body.offset == 0 else "the rest of the archive"
            if body.offset:
                what += f" (from byte {body.offset:,})"
            self._say(f"sent {what} to {self.client_address[0]} in {seconds:.0f} s ({sent} so far)")
            return
        with self.lock:
            self.counter["files"] += 1
            self.counter["bytes"] += body.count
            self.counter["laptops"].add(self.client_address[0])
        if body.what == SOURCE_ZIP:
            self._say(f"sent the workshop's files ({SOURCE_ZIP}) to {self.client_address[0]}")
        elif body.count >= _BIG:
            self._say(
                f"sent {body.what} ({body.count / 1e6:,.0f} MB) to {self.client_address[0]} "
                f"in {seconds:.0f} s"
            )

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


def build_server(
    archive: Path | None,
    host: str = "0.0.0.0",
    port: int = 8765,
    wheelhouse: Wheelhouse | None = None,
    handler: type[BaseHTTPRequestHandler] | None = None,
) -> ThreadingHTTPServer:
    """An HTTP server (not started) that shares ``archive`` at ``/cifar-10-python.tar.gz`` and
    ``wheelhouse`` as a package index; either may be ``None``. ``handler``: a subclass of
    :class:`ArchiveHandler` with its own attributes set (the room's), instead of the plain one.
    """
    if handler is None:
        handler = type(
            "Handler",
            (ArchiveHandler,),
            {
                "archive": None if archive is None else Path(archive),
                "wheelhouse": wheelhouse,
                "counter": {"sent": 0, "files": 0, "bytes": 0, "laptops": set()},
            },
        )
    server = _RoomServer((host, port), handler)
    server.daemon_threads = True
    return server


def room_address(host: str, port: int) -> str:
    """``http://<ip>:<port>``: the LAN address when listening on all interfaces."""
    shown = lan_ip() if host in ("", "0.0.0.0", "::") else host
    return f"http://{shown}:{port}"


def _aligned(commands: list[tuple[str, str]], indent: str) -> str:
    width = max(len(command) for command, _ in commands)
    return "".join(f"{indent}{command:<{width}}   ({where})\n" for command, where in commands)


def install_lines(address: str, house: Wheelhouse) -> str:
    """What a learner without the workshop types to install it from this room, step by step."""
    ip = urlsplit(address).hostname
    index = f"{address}{INDEX_PATH}"
    # Plain http: pip ignores an index it cannot trust unless --trusted-host names it.
    pip_args = (
        f'install --index-url {index} --trusted-host {ip} -c constraints.txt "{PROJECT}[lab]"'
    )
    if house.source is not None:
        first = (
            f"Get the workshop's files: open {address}{SOURCE_PATH} in a browser\n"
            f"     (or: curl -O {address}{SOURCE_PATH}), unzip it and open a terminal in its\n"
            "     cnn-workshop folder."
        )
    else:
        first = "Open a terminal in the workshop's folder (from a USB stick: there is no zip here)."
    second = (
        "Where make is installed (macOS, Linux), one line does it all, and make lab works after:\n"
        f"       make lab PIP_INDEX_URL={index} PIP_TRUSTED_HOST={ip}\n"
        "     Without make: an environment with one of the Pythons above (conda: activate yours)\n"
        + _aligned(VENV_COMMANDS, "       ")
        + "     then the line for their laptop:\n"
        + _aligned(room_commands(pip_args, module="pip"), "       ")
        + "     and JupyterLab starts with .venv/bin/jupyter lab --ServerApp.root_dir=notebooks\n"
        + r"     (Windows: .venv\Scripts\jupyter lab ...; conda: jupyter lab ...)."
    )
    return f"  1. {first}\n  2. {second}\n"


def _checked_archive() -> tuple[Path | None, str]:
    """The verified archive (hashed again now), or ``None`` and why not."""
    print("Checking the cached CIFAR-10 archive (SHA-256)…")
    archive = cached_archive(rehash=True, progress=True)
    if archive is not None:
        return archive, ""
    where = archive_path()
    state = "is damaged (wrong SHA-256)" if where.exists() else "is not there"
    return None, f"the CIFAR-10 archive at {where} {state}"


def _opened_wheelhouse(folder: Path) -> tuple[Wheelhouse | None, str]:
    """The wheelhouse in ``folder``, or ``None`` and why it cannot be served."""
    make = "make wheelhouse (the day before, with internet) fills it"
    if not folder.is_dir():
        return None, f"there is no wheelhouse at {folder}: {make}"
    print(f"Reading the wheelhouse {folder}…")
    house = Wheelhouse.open(folder)
    if not house.files:
        return None, f"the wheelhouse {folder} is empty: {make}"
    return house, ""


def _describe(house: Wheelhouse) -> str:
    wheels = sum(len(files) for files in house.projects.values())
    text = f"the workshop's wheelhouse {house.folder}: {wheels} wheels"
    text += f" ({sum(f.size for f in house.files if f is not house.source) / 1e6:,.0f} MB)"
    if house.targets:
        text += "".join(f"\n     for {line}" for line in house.describe_targets())
    if house.source is not None:
        text += f"\n     and the workshop's files ({SOURCE_ZIP}, {house.source.size / 1e6:.1f} MB)"
    if house.hashed:
        text += f"\n     ({house.hashed} file(s) hashed now: not, or no longer, in {MANIFEST})"
    return text


def _warnings(house: Wheelhouse) -> list[str]:
    said = []
    if house.projects and not house.has_project():
        said.append(
            f"the wheelhouse has no {PROJECT} wheel, so installing {PROJECT}[lab] from it fails: "
            "run make wheelhouse again"
        )
    if house.skipped:
        shown = ", ".join(f"{ascii(name)} ({why})" for name, why in house.skipped[:5])
        more = f" and {len(house.skipped) - 5} more" if len(house.skipped) > 5 else ""
        said.append(f"not served from the wheelhouse: {shown}{more}")
    return said


@dataclass
class Shares:
    """What this laptop can share with the room, and what it cannot (said at start-up)."""

    archive: Path | None
    house: Wheelhouse | None
    no_archive: str = ""
    no_wheelhouse: str = ""

    @property
    def empty(self) -> bool:
        return self.archive is None and self.house is None


def open_shares(wheelhouse: Path | None) -> Shares:
    """The verified archive (hashed again now) and the wheelhouse, each where it is there."""
    archive, no_archive = _checked_archive()
    house, no_wheelhouse = (None, "")
    if wheelhouse is not None:
        house, no_wheelhouse = _opened_wheelhouse(Path(wheelhouse))
    return Shares(archive, house, no_archive, no_wheelhouse)


def cannot_listen(exc: OSError, host: str, port: int, command: str) -> str:
    """Why ``command`` (serve-data, room) cannot listen on ``host:port``, and what to try."""
    if exc.errno == errno.EADDRINUSE:
        why = f"port {port} is already in use (is serve-data or the room already running?)"
        hint = workshop_command(f"{command} --port {port + 1}")
    elif exc.errno in (errno.EACCES, errno.EPERM):
        why = f"this computer does not allow listening on port {port}"
        hint = workshop_command(f"{command} --port 8765")
    else:
        why = f"cannot listen on {host}:{port} ({exc.strerror or exc})"
        hint = workshop_command(f"{command} --host 0.0.0.0 --port 8765")
    return f"\n❌ Cannot start sharing: {why}.\nTry: {hint}"


def print_shares(shares: Shares, host: str, port: int) -> None:
    """The start-up lines: what is shared, what is not, and what learners type to get it."""
    archive, house = shares.archive, shares.house
    address = room_address(host, port)
    shared = []
    if archive is not None:
        shared.append(f"CIFAR-10: {archive} ({archive.stat().st_size:,} bytes, SHA-256 verified)")
    if house is not None:
        shared.append(_describe(house))
    print(f"\n✅ Sharing on port {port} ({address}):")
    print("".join(f"   - {line}\n" for line in shared), end="")
    notes = [shares.no_archive, shares.no_wheelhouse]
    notes += _warnings(house) if house is not None else []
    print("".join(f"   ⚠️  Not shared: {note}.\n" for note in notes[:2] if note), end="")
    print("".join(f"   ⚠️  {note}.\n" for note in notes[2:]), end="")
    if shares.empty:
        return
    print("\nLearners on the same network type the line for their laptop.")
    if archive is not None:
        url = share_url(host, port)
        commands = room_commands(f"fetch --from {url}")
        width = max(len(command) for command, _ in commands)
        print("\nTo get CIFAR-10:\n")
        print("".join(f"    {command:<{width}}   ({where})\n" for command, where in commands))
    if house is not None and house.projects:
        print(
            "\nTo install the workshop without internet (a laptop that has not run make lab):\n"
            + install_lines(address, house)
        )
    elif house is not None:
        print(f"\nThe workshop's files: {address}{SOURCE_PATH}\n")


FIREWALL = (
    "If it cannot connect: allow Python through this computer's firewall on private networks,"
    "\nand check everyone is on the same Wi-Fi (guest networks often isolate laptops)."
)


def serve_until_stopped(server: ThreadingHTTPServer) -> bool:
    """Serve until Ctrl+C; ``True`` when Ctrl+C stopped it."""
    sys.stdout.flush()
    if threading.current_thread() is threading.main_thread():
        # A process started in the background (or by a parent that ignores Ctrl+C) inherits
        # "ignore SIGINT"; sharing must still stop on Ctrl+C, as the start-up lines promise.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        return True
    finally:
        server.server_close()
    return False


def sent_summary(server: ThreadingHTTPServer, house: Wheelhouse | None) -> str:
    counter = server.RequestHandlerClass.counter
    said = f"sent the archive {counter['sent']} times"
    if house is not None:
        said += (
            f", and {counter['files']} files of the wheelhouse ({counter['bytes'] / 1e6:,.0f}"
            f" MB) to {len(counter['laptops'])} laptop(s)"
        )
    return said


def serve_command(host: str = "0.0.0.0", port: int = 8765, wheelhouse: Path | None = None) -> int:
    """``serve-data``: returns the process exit code.

    Shares the verified archive and, when ``wheelhouse`` is given, that folder as a package
    index; either one is enough to start, and what is left out is said at start-up.
    """
    shares = open_shares(wheelhouse)
    if shares.empty:
        print(
            f"\n❌ Nothing to share: {shares.no_archive}.\n"
            "Get a verified copy first, then run serve-data again:\n"
            f"  {workshop_command('fetch')}                      (from the internet)\n"
            f"  {workshop_command('fetch --from PATH_OR_URL')}   (USB stick, or another serve-data)"
            + (f"\nand {shares.no_wheelhouse}." if shares.no_wheelhouse else "")
        )
        return 1
    try:
        server = build_server(shares.archive, host, port, wheelhouse=shares.house)
    except OSError as exc:
        print(cannot_listen(exc, host, port, "serve-data"))
        return 1
    print_shares(shares, host, server.server_address[1])
    print(f"{FIREWALL}\nKeep this window open; press Ctrl+C to stop sharing.")
    if serve_until_stopped(server):
        print(f"\nStopped sharing; {sent_summary(server, shares.house)}.")
    return 0
