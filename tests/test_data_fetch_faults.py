"""`python -m workshop fetch`: the real download code against a loopback server that misbehaves.

Every failure must (1) exit non-zero, (2) say what happened and what to do next, without a
traceback, and (3) leave nothing in the cache that a later run could trust: no partial or
temporary file, no file with the wrong hash at the final path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.cifar_fixtures import (
    PARTIAL,
    STAMP,
    FaultyServer,
    build_archive,
    cache_leftovers,
    refused_url,
    stand_in_for_official,
)
from workshop.data import _fetch, cached_archive, fetch_command
from workshop.data._cache import ARCHIVE_NAME
from workshop.data._verify import sha256_of

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("usb")
    return build_archive(folder / "cifar-10-python.tar.gz")


@pytest.fixture
def env(tmp_path, monkeypatch, small):
    keras_home = tmp_path / "keras"
    datasets = stand_in_for_official(monkeypatch, keras_home, small)
    return SimpleNamespace(
        small=small, home=keras_home, datasets=datasets, final=datasets / ARCHIVE_NAME
    )


@pytest.fixture
def server(small):
    srv = FaultyServer(small.data)
    yield srv
    srv.close()


def assert_clean(env) -> None:
    """Nothing untrustworthy left: the cache folder holds no file at all."""
    assert cache_leftovers(env.datasets) == []
    assert cached_archive() is None


def assert_failed(capsys, rc: int, *phrases: str) -> str:
    out = capsys.readouterr()
    text = out.out + out.err
    assert rc != 0
    assert "Traceback" not in text
    assert "CIFAR-10 is not available" in text
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not in:\n{text}"
    # Every failure names at least one way forward.
    assert "WORKSHOP_DATA=synthetic" in text or "--from" in text or "KERAS_HOME" in text
    return text


# --- what works ----------------------------------------------------------------------------------


def test_fetch_from_url_verifies_and_caches(env, server, capsys):
    rc = fetch_command(server.url)
    captured = capsys.readouterr()
    out = captured.out
    assert rc == 0
    assert "Downloading CIFAR-10" in out and "✅" in out and str(env.final) in out
    assert "100%" in captured.err  # the download's tqdm progress bar
    assert sha256_of(env.final) == env.small.sha256
    assert cache_leftovers(env.datasets) == [ARCHIVE_NAME, STAMP]
    assert cached_archive() == env.final


def test_fetch_without_from_uses_the_default_url(env, server, monkeypatch):
    monkeypatch.setenv("WORKSHOP_CIFAR10_URL", server.url)
    assert fetch_command(None) == 0
    assert server.requests == ["/cifar-10-python.tar.gz"]


def test_second_fetch_downloads_nothing(env, server, capsys):
    assert fetch_command(server.url) == 0
    capsys.readouterr()
    assert fetch_command(server.url) == 0
    assert "already cached" in capsys.readouterr().out
    assert len(server.requests) == 1


def test_fetch_from_local_file_and_folder(env, capsys):
    assert fetch_command(str(env.small.path)) == 0
    assert sha256_of(env.final) == env.small.sha256
    env.final.unlink()
    assert fetch_command(str(env.small.path.parent)) == 0  # a folder holding the archive
    assert cache_leftovers(env.datasets) == [ARCHIVE_NAME, STAMP]


def test_cached_archive_is_cheap_and_notices_changes(env, server):
    assert cached_archive() is None
    assert fetch_command(server.url) == 0
    assert cached_archive() == env.final
    with open(env.final, "ab") as fh:  # the file changed after it was verified
        fh.write(b"x")
    assert cached_archive() is None


def test_damaged_cached_file_is_replaced(env, server, capsys):
    env.datasets.mkdir(parents=True)
    env.final.write_bytes(b"half a download")
    assert fetch_command(server.url) == 0
    assert "damaged" in capsys.readouterr().out
    assert sha256_of(env.final) == env.small.sha256


# --- network faults ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mode, phrases",
    [
        ("404", ["404 Not Found", "serve-data"]),
        ("500", ["HTTP 500", "server has a problem"]),
        ("drop", ["dropped in the middle"]),
        ("stall", ["timed out"]),
        ("stall-body", ["stopped sending data"]),
        ("wrong", ["not the CIFAR-10 archive", "SHA-256"]),
    ],
)
def test_server_faults(env, server, capsys, mode, phrases):
    server.mode = mode
    rc = fetch_command(server.url)
    text = assert_failed(capsys, rc, *phrases)
    if mode == "drop":
        # What arrived is kept under its partial name, for the next fetch to continue.
        assert "kept in cifar-10-batches-py-target_archive.partial" in text
        assert cache_leftovers(env.datasets) == [PARTIAL, PARTIAL + ".json"]
        assert cached_archive() is None
    else:
        assert_clean(env)


@pytest.mark.parametrize("damage", ["truncated", "corrupted"])
def test_truncated_or_corrupted_archive(env, small, capsys, damage):
    data = bytearray(small.data)
    if damage == "truncated":
        data = data[: len(data) // 3]
    else:
        data[len(data) // 2] ^= 0xFF
    srv = FaultyServer(bytes(data))
    try:
        rc = fetch_command(srv.url)
    finally:
        srv.close()
    assert_failed(capsys, rc, "not the CIFAR-10 archive", small.sha256)
    assert_clean(env)


def test_connection_refused(env, capsys):
    rc = fetch_command(refused_url())
    assert_failed(capsys, rc, "refused the connection", "serve-data")
    assert_clean(env)


def test_dns_failure(env, capsys, monkeypatch):
    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    rc = fetch_command("http://cifar.example.invalid/cifar-10-python.tar.gz")
    assert_failed(capsys, rc, "Could not look up", "cifar.example.invalid", "offline")
    assert_clean(env)


def test_offline(env, capsys, monkeypatch):
    import urllib3.util.connection

    def unreachable(*args, **kwargs):
        raise OSError(errno.ENETUNREACH, "Network is unreachable")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", unreachable)
    rc = fetch_command(None)
    assert_failed(capsys, rc, "offline", "python -m workshop fetch --from")
    assert_clean(env)


def test_failed_download_removes_a_damaged_cached_file(env, server, capsys):
    env.datasets.mkdir(parents=True)
    env.final.write_bytes(b"not an archive")
    server.mode = "500"
    rc = fetch_command(server.url)
    assert_failed(capsys, rc, "HTTP 500")
    assert_clean(env)


def test_interrupted_download_leaves_nothing(env, server, capsys, monkeypatch):
    class Interrupting:
        def __init__(self, path, offset=0):
            self.fh = open(path, "wb")

        def write(self, chunk):
            raise KeyboardInterrupt

        def flush(self):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    monkeypatch.setattr(_fetch, "_open_for_write", Interrupting)
    assert fetch_command(server.url) == 130
    assert "Nothing partial was kept" in capsys.readouterr().out
    assert_clean(env)


# --- local-path faults ---------------------------------------------------------------------------


def test_from_path_that_does_not_exist(env, tmp_path, capsys):
    rc = fetch_command(str(tmp_path / "nope" / "cifar-10-python.tar.gz"))
    assert_failed(capsys, rc, "There is no file at", "USB stick")
    assert_clean(env)


def test_from_local_file_with_wrong_content(env, tmp_path, small, capsys):
    wrong = tmp_path / "cifar-10-python.tar.gz"  # right name, wrong bytes
    wrong.write_bytes(small.data[:-10])
    rc = fetch_command(str(wrong))
    assert_failed(capsys, rc, "not the CIFAR-10 archive")
    assert_clean(env)


# --- cache folder faults -------------------------------------------------------------------------


class _FullDisk:
    """A file on a full disk: it takes some bytes, then a write fails with ENOSPC."""

    def __init__(self, path, offset=0):
        self.fh = open(path, "wb")

    def write(self, chunk):
        self.fh.write(chunk[: len(chunk) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self):
        self.fh.flush()

    def fileno(self):
        return self.fh.fileno()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()


class _ReadOnly:
    def __init__(self, path, offset=0):
        raise PermissionError(errno.EROFS, "Read-only file system", str(path))


@pytest.mark.parametrize("source", ["url", "path"])
def test_full_disk_simulated(env, server, small, capsys, monkeypatch, source):
    monkeypatch.setattr(_fetch, "_open_for_write", _FullDisk)
    rc = fetch_command(server.url if source == "url" else str(small.path))
    assert_failed(capsys, rc, "is full", "KERAS_HOME", "Nothing was saved")
    assert_clean(env)


@pytest.mark.parametrize("source", ["url", "path"])
def test_read_only_cache_simulated(env, server, small, capsys, monkeypatch, source):
    monkeypatch.setattr(_fetch, "_open_for_write", _ReadOnly)
    rc = fetch_command(server.url if source == "url" else str(small.path))
    assert_failed(capsys, rc, "Cannot write to the cache folder", "KERAS_HOME")
    assert_clean(env)


@contextlib.contextmanager
def _tmpfs(path: Path, options: str):
    """Mount a small tmpfs (needs root and permission to mount), or skip the test."""
    path.mkdir(parents=True, exist_ok=True)
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("a real tmpfs needs root on Linux; the simulated test covers this")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_full_disk_real_tmpfs(env, server, capsys, monkeypatch, tmp_path):
    # The small archive is about 400 kB; this disk holds 64 kB.
    with _tmpfs(tmp_path / "tiny", "size=64k") as tiny:
        monkeypatch.setenv("KERAS_HOME", str(tiny))
        rc = fetch_command(server.url)
        assert_failed(capsys, rc, "is full")
        assert cache_leftovers(tiny / "datasets") == []


def test_read_only_cache_real(env, server, capsys, monkeypatch, tmp_path):
    ro = tmp_path / "ro"
    if os.name == "posix" and os.geteuid() != 0:
        (ro / "datasets").mkdir(parents=True)
        ro.chmod(0o555)
        (ro / "datasets").chmod(0o555)
        cleanup = contextlib.nullcontext(ro)
    else:
        cleanup = _tmpfs(ro, "ro,size=64k")
    with cleanup:
        monkeypatch.setenv("KERAS_HOME", str(ro))
        rc = fetch_command(server.url)
        assert_failed(capsys, rc, "Cannot write to the cache folder", "KERAS_HOME")
        assert cache_leftovers(ro / "datasets") == []
    if os.name == "posix" and os.geteuid() != 0:
        (ro / "datasets").chmod(0o755)
        ro.chmod(0o755)


# --- through the command line --------------------------------------------------------------------


def _cli(args: list[str], env) -> subprocess.CompletedProcess:
    environ = dict(os.environ)
    environ.update(
        KERAS_HOME=str(env.home),
        WORKSHOP_CIFAR10_SHA256=env.small.sha256,
        WORKSHOP_CIFAR10_URL=refused_url(),
        WORKSHOP_FETCH_TIMEOUT="2",
    )
    return subprocess.run(
        [sys.executable, "-m", "workshop", *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=ROOT,
        timeout=120,
    )


def test_cli_fetch_from_path_and_missing_path(env, tmp_path):
    missing = _cli(["fetch", "--from", str(tmp_path / "missing.tar.gz")], env)
    assert missing.returncode != 0
    assert "There is no file at" in missing.stdout
    assert "Traceback" not in missing.stderr
    ok = _cli(["fetch", "--from", str(env.small.path)], env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert str(env.final) in ok.stdout
    assert sha256_of(env.final) == env.small.sha256


def test_forgives_missing_scheme_and_file_name(env, server):
    base = server.url.removeprefix("http://").removesuffix("/cifar-10-python.tar.gz")
    assert fetch_command(base) == 0  # "127.0.0.1:PORT": no http://, no file name
    assert server.requests == ["/cifar-10-python.tar.gz"]
    env.final.unlink()
    assert fetch_command(f"http://{base}/") == 0
    assert server.requests == ["/cifar-10-python.tar.gz"] * 2


def test_tls_failure(env, server, capsys):
    # Speaking HTTPS to a plain-HTTP server fails the TLS handshake, as an expired or
    # intercepted certificate would.
    rc = fetch_command(server.url.replace("http://", "https://"))
    assert_failed(capsys, rc, "secure connection", "certificate")
    assert_clean(env)


def test_uses_an_archive_left_by_older_keras(env, small, capsys):
    env.datasets.mkdir(parents=True)
    (env.datasets / "cifar-10-batches-py.tar.gz").write_bytes(small.data)
    assert fetch_command(None) == 0  # the default URL refuses: nothing is downloaded
    assert "older Keras" in capsys.readouterr().out
    assert sha256_of(env.final) == small.sha256
