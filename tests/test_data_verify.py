"""One meaning of "verified", decided by one function; each file hashed once per operation.

Hashing is counted by wrapping ``hashlib.sha256``: every byte any code feeds to SHA-256 during an
operation is counted, so a second hash of the same file anywhere shows up as twice its size.
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import json
import os
import socket
import ssl
from types import SimpleNamespace

import pytest
import requests

from tests.cifar_fixtures import FaultyServer, build_archive, stand_in_for_official
from workshop import doctor
from workshop.data import (
    DataUnavailableError,
    _download,
    cached_archive,
    fetch_command,
    load_cifar10,
    serve_command,
)
from workshop.data._archive import parse_archive
from workshop.data._cache import ARCHIVE_NAME, OFFICIAL_SIZE
from workshop.data._verify import verify


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("usb") / "cifar-10-python.tar.gz")


@pytest.fixture
def env(tmp_path, monkeypatch, small):
    monkeypatch.setenv("WORKSHOP_DATA", "cifar10")
    datasets = stand_in_for_official(monkeypatch, tmp_path / "keras", small)
    return SimpleNamespace(small=small, datasets=datasets, final=datasets / ARCHIVE_NAME)


@pytest.fixture
def hashed(monkeypatch):
    """Counts the bytes fed to SHA-256 from now on: ``hashed()`` returns and resets the count."""
    real = hashlib.sha256
    count = [0]

    class Counting:
        def __init__(self, data: bytes = b"", **kwargs):
            self._h = real(**kwargs)
            self.update(data)

        def update(self, data: bytes) -> None:
            count[0] += len(memoryview(data).cast("B"))
            self._h.update(data)

        def hexdigest(self) -> str:
            return self._h.hexdigest()

    monkeypatch.setattr(hashlib, "sha256", Counting)

    def take() -> int:
        n, count[0] = count[0], 0
        return n

    return take


def test_fetch_from_url_hashes_the_download_once(env, hashed):
    server = FaultyServer(env.small.data)
    try:
        assert fetch_command(server.url) == 0
    finally:
        server.close()
    assert hashed() == len(env.small.data)


def test_a_resumed_fetch_hashes_the_whole_file_once(env, hashed, capsys):
    server = FaultyServer(env.small.data, mode="drop")
    try:
        assert fetch_command(server.url) == 1
        hashed()
        server.mode = "ok"
        assert fetch_command(server.url) == 0  # the bytes kept are read and hashed, then the rest
    finally:
        server.close()
    assert server.ranges_asked[-1] is not None and server.sent[-1] < len(env.small.data)
    assert hashed() == len(env.small.data)


def test_fetch_from_a_file_hashes_it_once(env, hashed):
    assert fetch_command(str(env.small.path)) == 0
    assert hashed() == len(env.small.data)
    assert fetch_command(str(env.small.path)) == 0  # already cached: re-checked, once
    assert hashed() == len(env.small.data)


def test_archive_left_by_older_keras_is_hashed_once(env, hashed):
    env.datasets.mkdir(parents=True)
    (env.datasets / "cifar-10-batches-py.tar.gz").write_bytes(env.small.data)
    hashed()
    assert fetch_command(None) == 0
    assert hashed() == len(env.small.data)


def test_load_hashes_the_bytes_it_parses_once(env, hashed, capsys):
    assert fetch_command(str(env.small.path)) == 0
    hashed()
    (x, _), _ = load_cifar10()
    assert hashed() == len(env.small.data)
    assert len(x) == len(env.small.x_train)


def test_first_load_hashes_the_download_then_the_file_it_parses(env, hashed, monkeypatch, capsys):
    server = FaultyServer(env.small.data)
    monkeypatch.setenv("WORKSHOP_CIFAR10_URL", server.url)
    try:
        (x, _), _ = load_cifar10()  # not cached: downloads, verifies, parses
    finally:
        server.close()
    assert "downloading it once" in capsys.readouterr().out
    # Once as it streamed in (fetch), once from disk just before unpickling: the 170 MB are
    # never held in memory to spare the second hash.
    assert hashed() == 2 * len(env.small.data)
    assert len(x) == len(env.small.x_train) and cached_archive() == env.final


def test_parse_archive_hashes_once(small, hashed):
    parse_archive(small.path, small.sha256)
    assert hashed() == len(small.data)


def test_looking_trusts_the_stamp_and_sharing_rehashes_once(env, hashed, capsys):
    assert fetch_command(str(env.small.path)) == 0
    hashed()
    assert cached_archive() == env.final
    assert doctor.cifar10_line().status == "OK"
    assert hashed() == 0  # stamped when fetched: a look reads no archive bytes
    with socket.socket() as busy:  # serve-data verifies, then cannot listen: stops there
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert serve_command("127.0.0.1", busy.getsockname()[1]) == 1
    assert hashed() == len(env.small.data)


def test_an_unstamped_archive_is_hashed_once_then_stamped(env, hashed):
    env.datasets.mkdir(parents=True)
    env.final.write_bytes(env.small.data)  # as Keras would leave it: no stamp
    hashed()
    assert cached_archive() == env.final
    assert hashed() == len(env.small.data)
    assert cached_archive() == env.final
    assert hashed() == 0


def test_the_size_alone_never_verifies(tmp_path, monkeypatch):
    # Before, an unstamped file of the official size counted as verified. Now only the hash does.
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv("WORKSHOP_CIFAR10_SHA256", raising=False)
    final = tmp_path / "datasets" / ARCHIVE_NAME
    final.parent.mkdir()
    with open(final, "wb") as fh:
        fh.truncate(OFFICIAL_SIZE)  # sparse: the right size, the wrong bytes
    assert cached_archive() is None
    assert doctor.cifar10_line().status == "WARN"


def test_a_stamp_is_never_taken_for_bytes_about_to_be_unpickled(env):
    env.datasets.mkdir(parents=True)
    damaged = bytearray(env.small.data)
    damaged[len(damaged) // 2] ^= 0xFF
    env.final.write_bytes(damaged)
    st = env.final.stat()
    stamp = env.final.with_name(ARCHIVE_NAME + ".verified.json")
    record = {"sha256": env.small.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    stamp.write_text(json.dumps(record))
    assert cached_archive() == env.final  # a look trusts the stamp, as documented...
    with pytest.raises(DataUnavailableError, match="damaged or incomplete"):
        load_cifar10()  # ...a load hashes the bytes it parses
    assert not verify(path=env.final)
    os.utime(env.final, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert cached_archive() is None  # a changed file no longer matches its stamp


# --- failures classified by exception type, not message text ---------------------------------


def _raised(exc: BaseException, wrapper: BaseException | None = None) -> BaseException:
    """``exc`` raised, then (like requests does) ``wrapper`` raised while handling it."""
    try:
        try:
            raise exc
        except BaseException:
            if wrapper is None:
                raise
            raise wrapper  # noqa: B904 - the implicit __context__ is what libraries leave
    except BaseException as caught:
        return caught


def _http_error(status: int) -> requests.HTTPError:
    response = requests.Response()
    response.status_code, response.reason = status, "Whatever"
    return requests.HTTPError(response=response)


# Messages in another language: only the types can say what happened.
@pytest.mark.parametrize(
    "exc, phrase",
    [
        (_http_error(404), "404 Not Found"),
        (_http_error(503), "HTTP 503"),
        (ssl.SSLCertVerificationError(1, "Zertifikat abgelaufen"), "secure connection"),
        (socket.gaierror(socket.EAI_NONAME, "Name unbekannt"), "Could not look up"),
        (ConnectionRefusedError(111, "Verbindung verweigert"), "refused the connection"),
        (requests.exceptions.ConnectTimeout("zeit"), "Connecting to"),
        (TimeoutError("Zeitüberschreitung"), "stopped sending data"),
        (http.client.IncompleteRead(b"abc", 10), "dropped in the middle"),
        (ConnectionResetError(104, "zurückgesetzt"), "dropped in the middle"),
        (_download.Truncated("5 of 10"), "dropped in the middle"),
        (OSError(errno.ENETUNREACH, "Netzwerk nicht erreichbar"), "offline"),
    ],
)
def test_download_errors_are_classified_by_type(exc, phrase):
    for raised in (_raised(exc), _raised(exc, requests.exceptions.ConnectionError("wrapped"))):
        message = str(_download.explain_download_error(raised, "http://host:1/x.tar.gz"))
        assert phrase in message, message
        assert "WORKSHOP_DATA=synthetic" in message and "--from" in message
