"""A classroom of downloads from serve-data: 30 at once, 10 that drop and resume, one that stalls.

Loopback only, and bounded: a 2 MB archive, 40 clients, every wait with a deadline. serve-data
runs as its own process, started as the instructor starts it, so its memory is measured alone.
The clients are threads running the real download code (``_fetch._download``), each into its own
cache folder; ten of them hang up half-way, as a laptop losing the Wi-Fi does, and fetch again.
"""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.cifar_fixtures import ServeData, build_archive, cut_downloads
from workshop.data import DataUnavailableError, _download, _fetch
from workshop.data._cache import ARCHIVE_NAME
from workshop.data._partial import partial_path
from workshop.data._verify import sha256_of

ROOT = Path(__file__).resolve().parents[1]
N_FULL, N_DROPPING = 30, 10
MEMORY_LIMIT_MB = 100


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    # About 2 MB of incompressible pixels: more than a stalled reader's socket buffers hold.
    return build_archive(tmp_path_factory.mktemp("usb") / "cifar-10-python.tar.gz", per_batch=110)


@pytest.fixture
def serve_data(small, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_CIFAR10_SHA256", small.sha256)
    monkeypatch.setenv("WORKSHOP_FETCH_TIMEOUT", "30")
    home = tmp_path / "instructor"
    monkeypatch.setenv("KERAS_HOME", str(home))
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / ARCHIVE_NAME).write_bytes(small.data)  # serve-data hashes it first
    server = ServeData()
    yield server
    server.stop()


def _stalled_reader(port: int) -> tuple[socket.socket, str, bytes]:
    """A laptop that asks for the archive, reads a little, then stops reading.

    Returns the connection, its address and what it read.

    It connects from 127.0.0.2 where the system allows, so the server's log tells it apart.
    """
    conn = socket.socket()
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    address = "127.0.0.1"
    try:
        conn.bind(("127.0.0.2", 0))
        address = "127.0.0.2"
    except OSError:
        pass
    conn.settimeout(30)
    conn.connect(("127.0.0.1", port))
    conn.sendall(b"GET /cifar-10-python.tar.gz HTTP/1.1\r\nHost: classroom\r\n\r\n")
    first = conn.recv(1024)
    assert first.startswith(b"HTTP/1.0 200")
    return conn, address, first


def test_a_classroom_of_downloads(serve_data, small, tmp_path, monkeypatch, capsys):
    size = len(small.data)
    dropper = threading.local()

    def drop(download: _download.Download, got: int) -> None:
        if getattr(dropper, "at", None) and got >= dropper.at:
            dropper.at = None
            download._response.close()  # hang up mid-transfer, as a laptop losing Wi-Fi does
            raise _download.explain_download_error(ConnectionResetError(104, "gone"), download.url)

    cut_downloads(monkeypatch, drop)
    stalled, stalled_at, first = _stalled_reader(serve_data.port)
    start = threading.Barrier(N_FULL + N_DROPPING)

    def laptop(i: int) -> tuple[bool, int]:
        target = tmp_path / f"laptop{i:02d}" / ARCHIVE_NAME
        target.parent.mkdir()
        kept = 0
        start.wait(timeout=30)
        if i >= N_FULL:
            dropper.at = size // 2
            with pytest.raises(DataUnavailableError, match="dropped in the middle"):
                _fetch._download(serve_data.url, target)
            kept = partial_path(target).stat().st_size
        verdict = _fetch._download(serve_data.url, target)
        return bool(verdict) and sha256_of(target) == small.sha256, kept

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=N_FULL + N_DROPPING) as pool:
        futures = [pool.submit(laptop, i) for i in range(N_FULL + N_DROPPING)]
        results = [f.result(timeout=120) for f in futures]
    seconds = time.monotonic() - began
    capsys.readouterr()  # forty progress bars

    assert all(ok for ok, _ in results), results
    kept = [k for _, k in results[N_FULL:]]
    assert all(size // 2 <= k < size for k in kept), kept
    serve_data.wait_for("sent the rest of the archive (from byte", N_DROPPING)
    serve_data.wait_for("sent the archive to", N_FULL)

    # The stalled laptop held up nobody, and is still being served: reading on, it gets it all.
    if stalled_at != "127.0.0.1":
        assert serve_data.count(f"sent the archive to {stalled_at}") == 0
    response = bytearray(first)
    with stalled:
        while chunk := stalled.recv(1 << 16):
            response += chunk
    assert response.partition(b"\r\n\r\n")[2] == small.data
    if stalled_at != "127.0.0.1":
        serve_data.wait_for(f"sent the archive to {stalled_at}", 1)

    peak = serve_data.peak_memory_mb()
    log = serve_data.stop()
    assert "Traceback" not in log
    memory = f"{peak:.0f} MB" if peak is not None else "not measurable here"
    print(
        f"\n{N_FULL} full and {N_DROPPING} dropped-and-resumed downloads of {size:,} bytes: "
        f"{seconds:.2f} s, one reader stalled at {stalled_at}; serve-data peak memory {memory}"
    )
    if peak is not None:
        assert peak < MEMORY_LIMIT_MB
    assert seconds < 60
