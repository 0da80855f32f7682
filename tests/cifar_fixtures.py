"""Test helpers: a small archive in the real CIFAR-10 format, and a loopback server that misbehaves.

The real archive (170 MB, no licence to re-host) is never needed: the tests build a tiny one with
the same layout (``cifar-10-batches-py/data_batch_1..5``, ``test_batch``, ``batches.meta``; each a
protocol-2 pickle with bytes keys, as Python 2 wrote them) and point the code at it through the
test-only variables ``WORKSHOP_CIFAR10_URL`` and ``WORKSHOP_CIFAR10_SHA256``.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import re
import signal
import socket
import struct
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

from workshop.data._cache import ARCHIVE_NAME

ROOT = Path(__file__).resolve().parents[1]
# What a fetch leaves beside the archive in Keras' datasets folder, spelled out: tests pin them.
STAMP = ARCHIVE_NAME + ".verified.json"
PARTIAL = ARCHIVE_NAME + ".partial"

CLASS_NAMES = [
    b"airplane",
    b"automobile",
    b"bird",
    b"cat",
    b"deer",
    b"dog",
    b"frog",
    b"horse",
    b"ship",
    b"truck",
]


@dataclass
class SmallArchive:
    path: Path
    sha256: str
    x_train: np.ndarray  # (n, 32, 32, 3) uint8, what a correct parser must return
    y_train: np.ndarray  # (n, 1) uint8
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()


class _Py2Pickler(pickle._Pickler):
    """Protocol 2 as Python 2 wrote it: byte strings as BINSTRING opcodes.

    Python 3 pickles bytes at protocol 2 through ``_codecs.encode``, a global the real CIFAR-10
    files never use (and that Keras' restricted unpickler rightly refuses).
    """

    dispatch = pickle._Pickler.dispatch.copy()

    def _save_py2_str(self, obj: bytes) -> None:
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    dispatch[bytes] = _save_py2_str


def py2_dumps(obj: object) -> bytes:
    buf = io.BytesIO()
    _Py2Pickler(buf, protocol=2).dump(obj)
    return buf.getvalue()


def _batch_pickle(images: np.ndarray, labels: np.ndarray, name: bytes) -> bytes:
    # CIFAR-10's layout: one row per image, 1024 red, 1024 green, 1024 blue, row-major planes.
    rows = images.transpose(0, 3, 1, 2).reshape(len(images), 3072)
    batch = {
        b"batch_label": name,
        b"labels": [int(v) for v in labels.reshape(-1)],
        b"data": rows,
        b"filenames": [b"img_%d.png" % i for i in range(len(images))],
    }
    return py2_dumps(batch)


def _add(tar: tarfile.TarFile, name: str, payload: bytes) -> None:
    info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
    info.size = len(payload)
    info.mtime = 1_262_304_000  # fixed, so the archive (and its hash) is reproducible
    tar.addfile(info, io.BytesIO(payload))


def build_archive(
    path: Path, per_batch: int = 20, seed: int = 0, compressible: bool = False
) -> SmallArchive:
    """Write a real-format ``cifar-10-python.tar.gz`` with ``per_batch`` images per batch.

    ``compressible``: black images except pixel (0, 0) = (index % 256, index // 256 % 256,
    label); with per_batch=10000 this is full CIFAR-10 size yet only a few hundred kB.
    """
    rng = np.random.default_rng(seed)
    n_train = 5 * per_batch
    n = n_train + per_batch
    y = (np.arange(n) % 10).astype(np.uint8)
    rng.shuffle(y[:n_train])
    if compressible:
        x = np.zeros((n, 32, 32, 3), dtype=np.uint8)
        x[:, 0, 0, 0] = np.arange(n) % 256
        x[:, 0, 0, 1] = np.arange(n) // 256 % 256
        x[:, 0, 0, 2] = y
    else:
        x = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
        # Make the channels tell apart, so a parser that mixes up R, G, B planes is caught.
        x[..., 0] |= 0x80
        x[..., 2] &= 0x3F
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tar:
        for i in range(5):
            sl = slice(i * per_batch, (i + 1) * per_batch)
            _add(tar, f"data_batch_{i + 1}", _batch_pickle(x[sl], y[sl], b"training batch"))
        _add(tar, "test_batch", _batch_pickle(x[n_train:], y[n_train:], b"testing batch"))
        meta = {b"label_names": CLASS_NAMES, b"num_cases_per_batch": per_batch, b"num_vis": 3072}
        _add(tar, "batches.meta", py2_dumps(meta))
    raw = buf.getvalue()
    # gzip stores a timestamp: fix it too (bytes 4..8 of the header).
    raw = raw[:4] + b"\0\0\0\0" + raw[8:]
    path.write_bytes(raw)
    return SmallArchive(
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        x_train=x[:n_train],
        y_train=y[:n_train].reshape(-1, 1),
        x_test=x[n_train:],
        y_test=y[n_train:].reshape(-1, 1),
    )


class _Evil:
    """Unpickling this runs code: touches a marker file. Used to prove we never unpickle it."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def build_malicious_archive(path: Path, marker: Path) -> Path:
    """A real-format archive whose first batch runs code (touches ``marker``) when unpickled."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        _add(tar, "data_batch_1", pickle.dumps({b"data": _Evil(marker)}, protocol=2))
    path.write_bytes(raw.getvalue())
    return path


# --- a loopback HTTP server with a switchable fault ----------------------------------------------

MODES = ("ok", "404", "500", "drop", "pause", "stall", "stall-body", "wrong")


@dataclass
class FaultyServer:
    """Serves ``payload`` at ``/cifar-10-python.tar.gz`` on 127.0.0.1, misbehaving as ``mode`` says.

    ok: the file (a ``Range: bytes=N-`` gets the rest with 206, unless ``ranges`` is False: then
    the whole file with 200, as servers that ignore ``Range`` do); 404/500: that status; drop:
    announces the full length, sends half, hangs up; pause: the same, but waits instead of hanging
    up until the server closes (a test kills the client meanwhile); stall: accepts and never
    answers; stall-body: headers and a few bytes, then silence; wrong: a different file with the
    same name. ``rate``: send bodies at about that many bytes per second (``None``: at once);
    ``lengths`` False: bodies go out chunked, with no ``Content-Length`` (as a server streaming a
    file it does not measure does). ``requests``, ``ranges_asked`` and ``sent`` record each GET's
    path, its ``Range`` header and the body bytes sent.
    """

    payload: bytes
    mode: str = "ok"
    ranges: bool = True
    rate: float | None = None
    lengths: bool = True
    requests: list[str] = field(default_factory=list)
    ranges_asked: list[str | None] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _length(self, n: int) -> None:
                if owner.lengths:
                    self.send_header("Content-Length", str(n))
                else:
                    self.send_header("Transfer-Encoding", "chunked")

            def _send(self, body: bytes) -> None:
                step = 16 * 1024 if owner.rate else max(len(body), 1)
                for i in range(0, len(body), step):
                    piece = body[i : i + step]
                    if owner.rate:  # read each time: a test may lift the limit half-way
                        owner._release.wait(len(piece) / owner.rate)
                    if not owner.lengths:
                        piece = b"%x\r\n%s\r\n" % (len(piece), piece)
                    self.wfile.write(piece)
                if not owner.lengths:
                    self.wfile.write(b"0\r\n\r\n")
                owner.sent.append(len(body))

            def do_GET(self) -> None:  # noqa: N802
                owner.requests.append(self.path)
                owner.ranges_asked.append(self.headers.get("Range"))
                mode = owner.mode
                if mode == "404":
                    self.send_error(404)
                    return
                if mode == "500":
                    self.send_error(500)
                    return
                if mode == "stall":
                    owner._release.wait(10)
                    return
                body = owner.payload
                if mode == "wrong":
                    body = b"<html>captive portal: please log in</html>" * 100
                asked = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
                if mode == "ok" and owner.ranges and asked:
                    start = int(asked.group(1))
                    if start >= len(body):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(body)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                    self._length(len(body) - start)
                    self.end_headers()
                    self._send(body[start:])
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/gzip")
                self._length(len(body))
                self.end_headers()
                if mode in ("drop", "pause"):
                    self._send(body[: len(body) // 2])
                    self.wfile.flush()
                    if mode == "pause":
                        owner._release.wait(30)
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if mode == "stall-body":
                    self.wfile.write(body[:100])
                    self.wfile.flush()
                    owner._release.wait(10)
                    return
                self._send(body)

        class QuietServer(ThreadingHTTPServer):
            def handle_error(self, request, client_address) -> None:
                pass  # a client hanging up early is part of the tests, not a failure

        self._release = threading.Event()
        self._server = QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/cifar-10-python.tar.gz"

    def close(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()


def refused_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    time.sleep(0.01)
    return f"http://127.0.0.1:{port}/cifar-10-python.tar.gz"


def stand_in_for_official(monkeypatch, keras_home: Path, archive: SmallArchive) -> Path:
    """Make ``archive`` the official CIFAR-10 for this test, offline; return the cache folder.

    Keras' cache moves to ``keras_home``, the expected hash becomes the archive's, and a download
    without ``--from`` is refused at once instead of reaching the real internet.
    """
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setenv("WORKSHOP_CIFAR10_SHA256", archive.sha256)
    monkeypatch.setenv("WORKSHOP_CIFAR10_URL", refused_url())
    monkeypatch.setenv("WORKSHOP_FETCH_TIMEOUT", "1")
    return keras_home / "datasets"


def cache_leftovers(datasets: Path) -> list[str]:
    """Names in the cache folder other than a verified archive: partial/temp files show up here."""
    if not datasets.exists():
        return []
    return sorted(p.name for p in datasets.iterdir())


def cut_downloads(monkeypatch, cut: Callable[[object, int], None]) -> None:
    """After each chunk of every download, call ``cut(download, bytes so far)``; it may raise.

    A test stops a download where it likes (Ctrl+C, a laptop losing the Wi-Fi) this way.
    """
    from workshop.data._download import Download

    real = Download.chunks

    def chunks(self):
        got = 0
        for chunk in real(self):
            yield chunk
            got += len(chunk)
            cut(self, got)

    monkeypatch.setattr(Download, "chunks", chunks)


# --- the instructor's serve-data, as its own process ----------------------------------------------


class ServeData:
    """``python -m workshop serve-data`` in its own process, as the instructor starts it.

    It shares the archive in this process's ``KERAS_HOME``; its output (stdout and stderr) is
    collected as it comes, and ``url`` is the address it told learners to fetch from.
    """

    def __init__(self, preexec_fn: Callable[[], None] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "workshop", "serve-data", "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
            cwd=ROOT,
            preexec_fn=preexec_fn,
        )
        self.lines: list[str] = []
        self.url = ""
        for line in self.proc.stdout:
            self.lines.append(line)
            found = re.search(r"fetch --from (\S+)", line)
            if found:
                self.url = found.group(1)
                break
        assert self.url, "".join(self.lines)
        self._drain = threading.Thread(target=self._read, daemon=True)
        self._drain.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def port(self) -> int:
        return int(self.url.split(":")[2].split("/")[0])

    def count(self, text: str) -> int:
        return "".join(list(self.lines)).count(text)

    def wait_for(self, text: str, n: int, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while self.count(text) < n:
            assert time.monotonic() < deadline, f"{n} x {text!r} not in:\n" + "".join(self.lines)
            time.sleep(0.02)

    def peak_memory_mb(self) -> float | None:
        """The server's peak resident memory (VmHWM), where the system tells it."""
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return None
        kb = re.search(r"VmHWM:\s+(\d+) kB", status)
        return int(kb.group(1)) / 1024 if kb else None

    def stop(self) -> str:
        """Ctrl+C, as the instructor stops it; returns everything it printed."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._drain.join(timeout=10)
        return "".join(self.lines)
