"""A dropped download continues where it stopped, and never leaves an orphan behind.

Against the loopback fault server: a fetch that loses the connection half-way keeps what
arrived under a partial name; the next fetch from the same address asks only for the rest with
``Range`` and the SHA-256 of the whole file still decides. A server that ignores ``Range``, a
partial file from another address or of another size, and damaged partial bytes all end in a
clean start. A fetch killed outright (``SIGKILL``), also in the middle of a slow download from a
server that sends no ``Content-Length``, is resumed by the next one, and the doctor reports what
is left until then. One killed after its last byte but before the rename is hashed and kept by
the next fetch, which downloads nothing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.cifar_fixtures import (
    PARTIAL,
    STAMP,
    FaultyServer,
    build_archive,
    cache_leftovers,
    cut_downloads,
    stand_in_for_official,
)
from workshop import doctor
from workshop.commands import workshop_command
from workshop.data import _fetch, cached_archive, fetch_command
from workshop.data._cache import ARCHIVE_NAME
from workshop.data._partial import fetching
from workshop.data._verify import sha256_of

ROOT = Path(__file__).resolve().parents[1]
RECORD = PARTIAL + ".json"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    # About 1 MB: a drop loses at most the one 16 KiB read in progress, under 2% of it.
    return build_archive(tmp_path_factory.mktemp("usb") / "cifar-10-python.tar.gz", per_batch=56)


def _cache_for(tmp_path, monkeypatch, archive) -> SimpleNamespace:
    """Keras' cache in ``tmp_path`` expecting ``archive``, and where its files will be."""
    monkeypatch.setenv("WORKSHOP_DATA", "cifar10")
    datasets = stand_in_for_official(monkeypatch, tmp_path / "keras", archive)
    return SimpleNamespace(
        small=archive,
        home=tmp_path / "keras",
        datasets=datasets,
        final=datasets / ARCHIVE_NAME,
        partial=datasets / PARTIAL,
        size=len(archive.data),
    )


@pytest.fixture
def env(tmp_path, monkeypatch, small):
    return _cache_for(tmp_path, monkeypatch, small)


@pytest.fixture
def server(small):
    srv = FaultyServer(small.data)
    yield srv
    srv.close()


def drop_half_way(env, server, capsys) -> int:
    """One fetch that loses the connection at 50%; returns the bytes it kept."""
    server.mode = "drop"
    assert fetch_command(server.url) == 1
    out = capsys.readouterr().out
    assert "dropped in the middle" in out and f"kept in {PARTIAL}" in out
    assert cache_leftovers(env.datasets) == [PARTIAL, RECORD]
    have = env.partial.stat().st_size
    assert 0.4 * env.size < have <= env.size // 2
    server.mode = "ok"
    return have


def assert_verified_and_tidy(env) -> None:
    assert sha256_of(env.final) == env.small.sha256
    assert cache_leftovers(env.datasets) == [ARCHIVE_NAME, STAMP]
    assert cached_archive() == env.final


def test_drop_at_half_then_the_rest_only(env, server, capsys):
    have = drop_half_way(env, server, capsys)
    assert fetch_command(server.url) == 0
    captured = capsys.readouterr()
    assert server.ranges_asked == [None, f"bytes={have}-"]
    resent = server.sent[-1]
    assert resent == env.size - have
    assert resent < 0.6 * env.size
    # The learner sees where it resumed, and the bar starts there.
    percent = f"{100 * have / env.size:.0f}%"
    assert f"Resuming at {have / 2**20:.1f} MiB of {env.size / 2**20:.1f} MiB ({percent})" in (
        captured.out
    )
    assert f"downloading: {percent:>4}|" in captured.err
    assert "downloading:   0%" not in captured.err
    print(
        f"\nre-sent after a drop at 50%: {resent:,} of {env.size:,} bytes ({resent / env.size:.1%})"
    )
    assert_verified_and_tidy(env)


def test_a_server_that_ignores_range_restarts_cleanly(env, server, capsys):
    server.ranges = False
    have = drop_half_way(env, server, capsys)
    assert fetch_command(server.url) == 0
    assert "starting over" in capsys.readouterr().out
    assert server.ranges_asked == [None, f"bytes={have}-"]
    assert server.sent[-1] == env.size  # the whole file again, written from byte 0
    assert_verified_and_tidy(env)


@pytest.mark.parametrize(
    "record",
    [
        {"source": "http://192.168.1.5:8765/cifar-10-python.tar.gz"},  # another address
        {"size": 170_498_071},  # the same address, another size
        None,  # killed before the record was written
    ],
    ids=["other-url", "other-size", "no-record"],
)
def test_a_partial_file_from_another_source_is_not_reused(env, server, record):
    env.datasets.mkdir(parents=True)
    env.partial.write_bytes(env.small.data[: env.size // 2])  # right bytes, wrong credentials
    if record is not None:
        full = {"source": server.url, "size": env.size} | record
        (env.datasets / RECORD).write_text(json.dumps(full))
    assert fetch_command(server.url) == 0
    if record is not None and "size" in record:
        # Asked for the rest, but the file announced another size: asked again for all of it.
        assert server.ranges_asked == [f"bytes={env.size // 2}-", None]
    else:
        assert server.ranges_asked == [None]
    assert server.sent[-1] == env.size
    assert_verified_and_tidy(env)


def test_corrupted_partial_bytes_fail_the_hash_and_the_next_attempt_is_clean(env, server, capsys):
    have = drop_half_way(env, server, capsys)
    with open(env.partial, "r+b") as fh:  # a bad sector, a faulty USB cable
        fh.seek(have // 3)
        byte = fh.read(1)
        fh.seek(have // 3)
        fh.write(bytes([byte[0] ^ 0xFF]))
    assert fetch_command(server.url) == 1
    out = capsys.readouterr().out
    assert "not the CIFAR-10 archive" in out and "starts from the beginning" in out
    assert cache_leftovers(env.datasets) == []
    assert fetch_command(server.url) == 0
    assert server.ranges_asked == [None, f"bytes={have}-", None]
    assert_verified_and_tidy(env)


def _kill_fetch_once(env, url: str, landed: int, seconds: float) -> int:
    """``python -m workshop fetch --from url``, killed with SIGKILL once ``landed`` bytes are on
    disk; returns how many bytes the partial file kept."""
    environ = dict(
        os.environ,
        KERAS_HOME=str(env.home),
        WORKSHOP_CIFAR10_SHA256=env.small.sha256,
        WORKSHOP_FETCH_TIMEOUT="30",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "workshop", "fetch", "--from", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environ,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + seconds
        while not (env.partial.exists() and env.partial.stat().st_size >= landed):
            assert proc.poll() is None, "the fetch ended before it was killed"
            assert time.monotonic() < deadline, f"{landed:,} bytes never landed"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return env.partial.stat().st_size


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_transfer_then_fetch_resumes_and_leaves_nothing_stale(env, server, capsys):
    server.mode = "pause"  # half the file, then the server waits: the client is mid-transfer
    # The client holds back at most one 64 KiB chunk it has not written yet.
    have = _kill_fetch_once(env, server.url, env.size // 2 - (1 << 16), seconds=60)
    # What earlier versions left after a hard kill: our temporary file, pooch's.
    (env.datasets / ".cifar10-k3x9q2.part").write_bytes(b"\0" * 1000)
    (env.datasets / "tmpa1b2c3d4").write_bytes(b"\0" * 1000)

    line = doctor.cifar10_line()
    assert line.status == "WARN"
    mib = f"{have / 2**20:.1f} MiB of {env.size / 2**20:.1f} MiB"
    assert f"unfinished download ({mib}) is left at " in line.detail
    assert f"`{workshop_command(f'fetch --from {server.url}')}` continues it" in line.detail
    assert "2 temporary file(s)" in line.detail and f"`{workshop_command('fetch')}` removes" in (
        line.detail
    )

    server.mode = "ok"
    assert fetch_command(server.url) == 0
    assert "Resuming at" in capsys.readouterr().out
    assert server.ranges_asked[-1] == f"bytes={have}-"
    assert server.sent[-1] == env.size - have
    assert_verified_and_tidy(env)
    assert doctor.cifar10_line().status == "OK"


@pytest.fixture(scope="module")
def slow_archive(tmp_path_factory):
    # About 5.5 MB: at 1 MB/s a fetch is still receiving it seconds after it started.
    return build_archive(tmp_path_factory.mktemp("slow") / "cifar-10-python.tar.gz", per_batch=300)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("lengths", [True, False], ids=["content-length", "chunked"])
def test_sigkill_during_a_slow_download_resumes_from_what_landed(
    tmp_path, monkeypatch, slow_archive, lengths, capsys
):
    env = _cache_for(tmp_path, monkeypatch, slow_archive)
    datasets = env.datasets
    server = FaultyServer(slow_archive.data, rate=1_000_000, lengths=lengths)
    record = datasets / RECORD
    try:
        have = _kill_fetch_once(env, server.url, 1 << 20, seconds=20)
        assert 0 < have < env.size
        known = env.size if lengths else None  # a chunked body does not say its size
        assert json.loads(record.read_text()) == {"source": server.url, "size": known}
        server.rate = None  # the link recovered: the rest comes at once

        def stop_after_a_chunk(download, got: int) -> None:
            raise KeyboardInterrupt

        # Stopped again once the resume began: the server's Content-Range has said the whole
        # size by then, and the record keeps it.
        with monkeypatch.context() as patched:
            cut_downloads(patched, stop_after_a_chunk)
            assert fetch_command(server.url) == 130
        more = env.partial.stat().st_size
        assert have < more < env.size
        assert json.loads(record.read_text()) == {"source": server.url, "size": env.size}
        assert fetch_command(server.url) == 0
        assert "Resuming at" in capsys.readouterr().out
    finally:
        server.close()
    assert server.ranges_asked == [None, f"bytes={have}-", f"bytes={more}-"]
    assert server.sent[-1] == env.size - more
    assert_verified_and_tidy(env)


@pytest.mark.parametrize("lengths", [True, False], ids=["content-length", "chunked"])
def test_a_fetch_killed_after_its_last_byte_is_kept_without_downloading_again(
    env, small, monkeypatch, capsys, lengths
):
    server = FaultyServer(small.data, lengths=lengths)

    def killed_before_the_rename(*args: object) -> None:
        raise KeyboardInterrupt  # stands in for a kill between the last byte and the rename

    try:
        with monkeypatch.context() as patched:
            patched.setattr(_fetch, "_move_into_place", killed_before_the_rename)
            assert fetch_command(server.url) == 130
        assert cache_leftovers(env.datasets) == [PARTIAL, RECORD]
        assert env.partial.stat().st_size == env.size
        # Known from the end of the body even when the server sent no length.
        recorded = json.loads((env.datasets / RECORD).read_text())
        assert recorded == {"source": server.url, "size": env.size}
        line = doctor.cifar10_line()
        assert line.status == "WARN"
        assert f"`{workshop_command('fetch')}` verifies it and keeps it" in line.detail
        capsys.readouterr()

        assert fetch_command(server.url) == 0
        assert "kept, nothing to download" in capsys.readouterr().out
        assert len(server.requests) == 1  # only the first download
    finally:
        server.close()
    assert_verified_and_tidy(env)
    assert (env.datasets / STAMP).is_file()


@pytest.mark.parametrize("where", ["same-address", "another-address"])
def test_a_whole_partial_file_is_hashed_and_a_wrong_one_downloaded_again(env, server, where):
    # A whole partial file from any address is kept if its hash is right: the hash decides.
    env.datasets.mkdir(parents=True)
    source = server.url if where == "same-address" else "http://192.168.1.5:8765/x.tar.gz"
    (env.datasets / RECORD).write_text(json.dumps({"source": source, "size": env.size}))
    env.partial.write_bytes(env.small.data)
    assert fetch_command(server.url) == 0
    assert server.requests == []
    assert_verified_and_tidy(env)

    # The same length with one damaged byte: thrown away, and the whole file downloaded afresh.
    env.final.unlink()
    (env.datasets / STAMP).unlink()
    damaged = bytearray(env.small.data)
    damaged[len(damaged) // 3] ^= 0xFF
    env.partial.write_bytes(bytes(damaged))
    (env.datasets / RECORD).write_text(json.dumps({"source": source, "size": env.size}))
    assert fetch_command(server.url) == 0
    assert server.ranges_asked == [None]
    assert server.sent == [env.size]
    assert_verified_and_tidy(env)


def test_leftovers_beside_a_cached_archive_are_reported_then_removed(env, server, capsys):
    assert fetch_command(server.url) == 0
    env.partial.write_bytes(b"\0" * 3000)  # from a kill long ago; no record
    line = doctor.cifar10_line()
    assert line.status == "WARN" and "cached at" in line.detail
    assert f"`{workshop_command('fetch')}` replaces it" in line.detail
    assert fetch_command(None) == 0  # already cached: tidies, downloads nothing
    assert cache_leftovers(env.datasets) == [ARCHIVE_NAME, STAMP]
    assert doctor.cifar10_line().status == "OK"


def test_ctrl_c_keeps_what_arrived_for_the_next_fetch(env, server, capsys, monkeypatch):
    def ctrl_c_half_way(download, got: int) -> None:
        if got >= env.size // 2:
            raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        cut_downloads(patched, ctrl_c_half_way)
        assert fetch_command(server.url) == 130
    assert "downloaded so far are kept" in capsys.readouterr().out
    assert fetch_command(server.url) == 0
    assert server.ranges_asked[-1] is not None and server.sent[-1] < 0.6 * env.size
    assert_verified_and_tidy(env)


@pytest.mark.skipif(sys.platform == "win32", reason="the folder lock is POSIX-only")
def test_a_second_fetch_into_the_same_cache_is_refused(env, server, capsys):
    env.datasets.mkdir(parents=True)
    with fetching(env.datasets):  # as if another terminal were fetching right now
        assert fetch_command(server.url) == 1
    assert "Another fetch is already writing" in capsys.readouterr().out
    assert server.requests == []
    assert fetch_command(server.url) == 0
