"""`python -m workshop serve-data`: one file, read-only, and the command learners should type."""

from __future__ import annotations

import http.client
import ipaddress
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from tests.cifar_fixtures import ServeData, build_archive
from workshop.data import fetch_command, serve_command
from workshop.data._cache import ARCHIVE_NAME
from workshop.data._serve import build_server, lan_ip, share_url
from workshop.data._verify import sha256_of

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("usb") / "cifar-10-python.tar.gz")


@pytest.fixture
def cached(tmp_path, monkeypatch, small):
    """A KERAS_HOME holding the verified (test) archive."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("WORKSHOP_CIFAR10_SHA256", small.sha256)
    assert fetch_command(str(small.path)) == 0
    return tmp_path / "keras" / "datasets" / ARCHIVE_NAME


@pytest.fixture
def served(cached):
    server = build_server(cached, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def request(
    server, method: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
    try:
        conn.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def test_get_and_head_the_archive(served, small):
    status, headers, body = request(served, "GET", "/cifar-10-python.tar.gz")
    assert status == 200 and body == small.data
    assert headers["Content-Length"] == str(len(small.data))
    status, headers, body = request(served, "HEAD", "/cifar-10-python.tar.gz")
    assert status == 200 and body == b"" and headers["Content-Length"] == str(len(small.data))


def test_a_single_range_gets_206_with_its_content_range(served, small):
    data, n = small.data, len(small.data)
    for asked, first, last in [
        ("bytes=1000-", 1000, n - 1),  # a dropped download continuing
        ("bytes=10-19", 10, 19),
        ("bytes=-5", n - 5, n - 1),  # the last five bytes
        (f"bytes=100-{n + 50}", 100, n - 1),  # an end past the file is cut to it
    ]:
        status, headers, body = request(served, "GET", "/cifar-10-python.tar.gz", {"Range": asked})
        assert status == 206, asked
        assert headers["Content-Range"] == f"bytes {first}-{last}/{n}"
        assert headers["Content-Length"] == str(last - first + 1)
        assert body == data[first : last + 1]
    status, headers, body = request(
        served, "HEAD", "/cifar-10-python.tar.gz", {"Range": "bytes=7-"}
    )
    assert status == 206 and body == b"" and headers["Content-Length"] == str(n - 7)


@pytest.mark.parametrize("asked", [lambda n: f"bytes={n}-", lambda n: f"bytes={n + 9}-20000000"])
def test_a_range_outside_the_file_gets_416(served, small, asked):
    n = len(small.data)
    status, headers, body = request(served, "GET", "/cifar-10-python.tar.gz", {"Range": asked(n)})
    assert status == 416 and headers["Content-Range"] == f"bytes */{n}" and body == b""


@pytest.mark.parametrize(
    "headers",
    [
        {"Range": "bytes=0-1,5-6"},  # several ranges: the whole file is allowed
        {"Range": "bytes=9-3"},  # invalid: ignored
        {"Range": "lines=1-2"},  # a unit we do not know
        {"Range": "bytes=10-", "If-Range": '"some-etag"'},  # we have no validator to match
    ],
)
def test_other_ranges_get_the_whole_file(served, small, headers):
    status, got, body = request(served, "GET", "/cifar-10-python.tar.gz", headers)
    assert status == 200 and body == small.data and got["Accept-Ranges"] == "bytes"


EVERY_OTHER_PATH = [
    "/",
    "/datasets/",
    "/cifar-10-batches-py-target_archive",
    "/cifar-10-python.tar.gz/",
    "/../cifar-10-python.tar.gz",
    "/x/../cifar-10-python.tar.gz",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/../../../../etc/passwd",
    "/./cifar-10-python.tar.gz",
    "/CIFAR-10-PYTHON.TAR.GZ",
    "/cifar-10-python.tar.gz.verified.json",
]


@pytest.mark.parametrize("path", EVERY_OTHER_PATH)
def test_every_other_path_is_404(served, path):
    status, _, body = request(served, "GET", path)
    assert status == 404
    assert b"root:" not in body and b"Index of" not in body and b"Directory listing" not in body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_read_only(served, cached, small, method):
    status, _, _ = request(served, method, "/cifar-10-python.tar.gz")
    assert status in (403, 405, 501)
    assert sha256_of(cached) == small.sha256


def test_lan_ip_is_an_ipv4_address_without_network():
    ip = ipaddress.ip_address(lan_ip())
    assert ip.version == 4


def test_share_url():
    assert share_url("192.168.1.5", 8765) == "http://192.168.1.5:8765/cifar-10-python.tar.gz"
    assert share_url("0.0.0.0", 9000) == f"http://{lan_ip()}:9000/cifar-10-python.tar.gz"


def test_refuses_to_start_without_an_archive(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty"))
    assert serve_command("127.0.0.1", 0) == 1
    out = capsys.readouterr().out
    assert "Nothing to share" in out and "python -m workshop fetch" in out


def test_refuses_to_share_a_damaged_archive(cached, capsys):
    with open(cached, "r+b") as fh:
        fh.write(b"\0" * 8)
    assert serve_command("127.0.0.1", 0) == 1
    assert "damaged" in capsys.readouterr().out


def test_port_in_use(cached, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert serve_command("127.0.0.1", port) == 1
    out = capsys.readouterr().out
    assert "already in use" in out and f"--port {port + 1}" in out


@pytest.mark.skipif(sys.platform == "win32", reason="stops the server with SIGINT")
def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# Started from a parent that ignores Ctrl+C (a shell's background job, some test runners), the
# server inherits "ignore SIGINT": it must still stop on Ctrl+C as its message promises.
@pytest.mark.parametrize("parent_ignores_ctrl_c", [False, True], ids=["plain", "sigint-ignored"])
def test_classmate_fetches_from_serve_data(
    cached, small, tmp_path, monkeypatch, capsys, parent_ignores_ctrl_c
):
    """End to end: one process serves, another fetches with the command it printed."""
    server = ServeData(preexec_fn=_ignore_ctrl_c if parent_ignores_ctrl_c else None)
    try:
        url = server.url
        assert url.startswith("http://127.0.0.1:") and url.endswith("/cifar-10-python.tar.gz")

        monkeypatch.setenv("KERAS_HOME", str(tmp_path / "classmate"))
        assert fetch_command(url) == 0
        got = tmp_path / "classmate" / "datasets" / ARCHIVE_NAME
        assert sha256_of(got) == small.sha256
    finally:
        printed = server.stop()
    assert server.proc.returncode == 0, printed
    assert "Stopped sharing" in printed and "Traceback" not in printed


def _laptop_after_make_lab(keras_home: Path) -> dict[str, str]:
    """A terminal on a laptop set up with `make lab`: the project's .venv never activated."""
    venv_bin = str(ROOT / ".venv" / "bin")
    dropped = ("VIRTUAL_ENV", "PYTHONPATH", "WORKSHOP_DATA")  # the suite's stand-in too
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env["KERAS_HOME"] = str(keras_home)
    return env


@pytest.mark.skipif(
    not (ROOT / ".venv" / "bin" / "python").exists() or sys.platform == "win32",
    reason="the printed form is the one for a `make lab` install (.venv) on macOS or Linux",
)
def test_the_lines_serve_data_and_the_doctor_print_work_as_printed(cached, small, tmp_path):
    """Typed exactly as printed, in the project folder of a `make lab` laptop, they fetch."""
    server = ServeData()
    try:
        printed = "".join(server.lines)
        given = re.search(r"^    (\.venv/bin/python -m workshop fetch --from \S+)", printed, re.M)
        assert given, printed
        assert "\\Scripts\\python -m workshop fetch --from " + server.url in printed  # Windows
        env = _laptop_after_make_lab(tmp_path / "classmate")
        done = subprocess.run(given.group(1), shell=True, cwd=ROOT, env=env, capture_output=True)
        assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
        assert sha256_of(tmp_path / "classmate" / "datasets" / ARCHIVE_NAME) == small.sha256

        # The doctor on a laptop without the archive names its fetch command: type that one too,
        # with the official address standing in for the internet (here: the serve-data above).
        env = _laptop_after_make_lab(tmp_path / "late")
        env["WORKSHOP_CIFAR10_URL"] = server.url
        doctor = subprocess.run(
            ".venv/bin/python -m workshop doctor", shell=True, cwd=ROOT, env=env, text=True,
            capture_output=True,
        )  # fmt: skip
        advice = re.search(r"not downloaded yet \(170 MB\): run `([^`]+)`", doctor.stdout)
        assert advice, doctor.stdout
        done = subprocess.run(advice.group(1), shell=True, cwd=ROOT, env=env, capture_output=True)
        assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
        assert sha256_of(tmp_path / "late" / "datasets" / ARCHIVE_NAME) == small.sha256
    finally:
        server.stop()


# ------------------------------------------------------- the archive beside a wheelhouse
@pytest.fixture
def wheelhouse(tmp_path):
    """A wheelhouse of one generated wheel and a source zip, with its wheelhouse.json."""
    from tests.test_wheelhouse import make_wheel
    from tools.wheelhouse import write_manifest

    folder = tmp_path / "wheelhouse"
    folder.mkdir()
    make_wheel(folder, "toy-lib", "2.0", module="toy_lib", code="VALUE = 2\n")
    with zipfile.ZipFile(folder / "cnn-workshop.zip", "w") as archive:
        archive.writestr("cnn-workshop/README.md", "# the workshop\n")
    write_manifest(folder, [{"label": "Linux x86_64", "python": "3.11", "files": []}])
    return folder


def test_with_a_wheelhouse_every_other_path_is_still_404(cached, small, wheelhouse):
    from workshop.wheelhouse import Wheelhouse

    server = build_server(cached, "127.0.0.1", 0, wheelhouse=Wheelhouse.open(wheelhouse))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert request(server, "GET", "/cifar-10-python.tar.gz")[2] == small.data
        assert request(server, "GET", "/simple/toy-lib/")[0] == 200
        for path in EVERY_OTHER_PATH:
            status, _, body = request(server, "GET", path)
            assert status == 404, path
            assert b"root:" not in body and b"Index of" not in body
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.skipif(sys.platform == "win32", reason="stops the server with SIGINT")
def test_serve_data_shares_the_archive_and_the_wheelhouse(
    cached, small, wheelhouse, tmp_path, monkeypatch
):
    """One serve-data, both: the fetch lines first (as before), then the install steps; a
    classmate fetches the archive and a laptop takes the zip from the same address."""
    from tests.test_wheelhouse import Serving

    server = Serving("--wheelhouse", str(wheelhouse), env=dict(os.environ))
    try:
        said = server.text
        assert "CIFAR-10:" in said and "SHA-256 verified" in said and "Not shared" not in said
        assert said.index("fetch --from") < said.index("-m pip install --index-url")
        assert "for Linux x86_64: Python 3.11" in said
        url = re.search(r"fetch --from (\S+)", said).group(1)
        monkeypatch.setenv("KERAS_HOME", str(tmp_path / "classmate"))
        assert fetch_command(url) == 0
        assert sha256_of(tmp_path / "classmate" / "datasets" / ARCHIVE_NAME) == small.sha256
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/cnn-workshop.zip")
        assert conn.getresponse().read() == (wheelhouse / "cnn-workshop.zip").read_bytes()
        conn.close()
        server.wait_for("sent the archive to 127.0.0.1")  # each is counted before its line
        server.wait_for("sent the workshop's files (cnn-workshop.zip) to 127.0.0.1")
    finally:
        said = server.stop()
    assert server.proc.returncode == 0, said
    assert "Stopped sharing; sent the archive 1 times, and 1 files of the wheelhouse" in said
