"""Installing with the internet down: serve-data's package index, make wheelhouse, make lab.

Loopback only. The fast tests build their wheelhouse here: a few generated wheels (one needs
another), the workshop's own wheel built from a copy of this checkout, and metadata-only stand-ins
for its dependencies at the pinned versions, so that the very line serve-data prints installs
``cnn-workshop[lab]`` into a fresh venv in seconds, with pip's own index unreachable (no pip
settings, every proxy pointing at a closed loopback port). The slow test downloads the real
wheelhouse for this machine (PyPI) and installs TensorFlow from it the same way.
"""

from __future__ import annotations

import base64
import hashlib
import html
import http.client
import io
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tools import wheelhouse as tool
from workshop.commands import room_commands
from workshop.data import serve_command
from workshop.data._serve import build_server, install_lines
from workshop.wheelhouse import (
    MANIFEST,
    SOURCE_ZIP,
    Page,
    Redirect,
    ServedFile,
    Wheelhouse,
    normalize,
    sha256_file,
    wheel_project,
)

ROOT = Path(__file__).resolve().parents[1]
POSIX = sys.platform != "win32"
VENV_PYTHON = Path("bin/python") if POSIX else Path("Scripts/python.exe")
# The macOS/Linux install line serve-data prints.
PRINTED_INSTALL = re.compile(
    r'^ +(\.venv/bin/python -m pip install .+? "cnn-workshop\[lab\]")', re.M
)


# ----------------------------------------------------------------------------- making wheels
def make_wheel(
    folder: Path,
    name: str,
    version: str,
    *,
    requires: tuple[str, ...] = (),
    requires_python: str | None = None,
    module: str | None = None,
    code: str = "",
) -> Path:
    """A valid pure-Python wheel; ``module`` (optional) holds ``code``."""
    stem = re.sub(r"[-.]+", "_", name)
    info = f"{stem}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    if requires_python:
        metadata += f"Requires-Python: {requires_python}\n"
    members = {
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    if module:
        members[f"{module}/__init__.py"] = code
    record = []
    for member, text in members.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{member},sha256={digest.decode()},{len(text.encode())}")
    members[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    path = folder / f"{stem}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for member, text in members.items():
            wheel.writestr(member, text)
    return path


def pinned(constraints: Path = ROOT / "constraints.txt") -> dict[str, str]:
    """constraints.txt's version of each package for this Python."""
    pins = {}
    for line in constraints.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate():
                pins[normalize(requirement.name)] = str(requirement.specifier).removeprefix("==")
    return pins


def project_requirements(wheel: Path) -> list[Requirement]:
    """What the workshop's wheel requires with its lab extra."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        text = archive.read(name).decode()
    wanted = []
    for line in text.splitlines():
        if line.startswith("Requires-Dist: "):
            requirement = Requirement(line.removeprefix("Requires-Dist: "))
            if requirement.marker is None or requirement.marker.evaluate({"extra": "lab"}):
                wanted.append(requirement)
    return wanted


def isolated_env(**extra: str) -> dict[str, str]:
    """No pip settings, no cache, and every proxy a closed loopback port: only our index answers."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("PIP_") and "proxy" not in k.lower()
    }
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_CACHE_DIR="1", NO_PROXY="127.0.0.1")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        env[name] = dead
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def project_wheel(tmp_path_factory) -> Path:
    """The workshop's wheel, built from a copy of this checkout without network."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "workshop", src / "workshop", ignore=shutil.ignore_patterns("__pycache__")
    )
    out = src / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--wheel-dir", str(out), str(src)],
        capture_output=True, text=True, env=isolated_env(), timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = out.glob("cnn_workshop-*.whl")
    return wheel


@pytest.fixture(scope="module")
def house_dir(tmp_path_factory, project_wheel) -> Path:
    """A wheelhouse: toy wheels, the workshop with stand-ins for its dependencies, the zip,
    and things that must never be served (a link out of the folder, a text file, a folder)."""
    folder = tmp_path_factory.mktemp("wheelhouse")
    make_wheel(folder, "toy-app", "1.0", requires=("toy-lib>=2",), module="toy_app",
               code="from toy_lib import VALUE\n")  # fmt: skip
    make_wheel(folder, "toy-lib", "1.0", module="toy_lib", code="VALUE = 1\n")
    make_wheel(folder, "toy-lib", "2.0", module="toy_lib", code="VALUE = 2\n",
               requires_python=">=3.8")  # fmt: skip
    make_wheel(folder, "Toy.Extra", "0.1", requires_python='<4,>"3.0"')
    shutil.copy2(project_wheel, folder)
    pins = pinned()
    for requirement in project_requirements(project_wheel):
        make_wheel(folder, requirement.name, pins[normalize(requirement.name)])
    with zipfile.ZipFile(folder / SOURCE_ZIP, "w") as archive:
        archive.writestr("cnn-workshop/constraints.txt", (ROOT / "constraints.txt").read_text())
    (folder / "notes.txt").write_text("not a wheel")
    (folder / "sub").mkdir()
    (folder / "secret.txt").write_text("root:x:0:0")
    outside = tmp_path_factory.mktemp("outside") / "secret-1.0-py3-none-any.whl"
    outside.write_text("root:x:0:0")
    try:
        (folder / "linked-1.0-py3-none-any.whl").symlink_to(outside)
    except OSError:
        pass  # no symbolic links here (Windows without the privilege)
    tool.write_manifest(folder, [{"label": "Test laptops", "python": "3.11", "files": []}])
    return folder


def fetched(url: str) -> io.BytesIO:
    """The body at ``url`` (what a learner's browser or curl saves), no proxy."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=60) as response:
        return io.BytesIO(response.read())


def serve(house: Wheelhouse, archive: Path | None = None):
    server = build_server(archive, "127.0.0.1", 0, wheelhouse=house)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def served(house_dir):
    server = serve(Wheelhouse.open(house_dir))
    yield server
    server.shutdown()
    server.server_close()


def request(server, method, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    try:
        conn.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


# ----------------------------------------------------------------------------- the index
def test_normalize_and_wheel_names():
    assert normalize("Jinja2") == "jinja2" and normalize("Toy.Extra__x") == "toy-extra-x"
    assert wheel_project("Jinja2-3.1.6-py3-none-any.whl") == "jinja2"
    assert wheel_project("toy_lib-2.0-1-py3-none-any.whl") == "toy-lib"  # a build tag
    for hostile in [
        "../toy-1.0-py3-none-any.whl",
        "toy-1.0-py3-none-any.whl/x",
        'to"y-1.0-py3-none-any.whl',
        "<b>-1.0-py3-none-any.whl",
        "toy-1.0-py3-none-any.whl\n",
        "toy-1.0.tar.gz",
        "toy.whl",
    ]:
        assert wheel_project(hostile) is None, hostile


def test_the_root_page_lists_every_project_by_its_normalized_name(served):
    status, headers, body = request(served, "GET", "/simple/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    projects = re.findall(r'<a href="/simple/([^"]+)/">', body.decode())
    assert projects == sorted(projects)
    assert {"toy-app", "toy-lib", "toy-extra", "cnn-workshop", "tensorflow"} <= set(projects)
    assert "linked" not in projects and "secret" not in projects
    assert request(served, "HEAD", "/simple/")[2] == b""


def test_a_project_page_links_each_wheel_with_its_hash_and_python(served, house_dir):
    status, _, body = request(served, "GET", "/simple/toy-lib/")
    assert status == 200
    links = re.findall(r'<a href="([^"]+)"([^>]*)>([^<]+)</a>', body.decode())
    assert [name for _, _, name in links] == ["toy_lib-1.0-py3-none-any.whl",
                                              "toy_lib-2.0-py3-none-any.whl"]  # fmt: skip
    for href, _, name in links:
        assert href == f"/files/{name}#sha256={sha256_file(house_dir / name)}"
    assert links[0][1] == "" and links[1][1] == ' data-requires-python="&gt;=3.8"'
    # PEP 503: the specifier is HTML-escaped, quotes included.
    extra = request(served, "GET", "/simple/toy-extra/")[2].decode()
    assert 'data-requires-python="&lt;4,&gt;&quot;3.0&quot;"' in extra
    assert html.unescape("&lt;4,&gt;&quot;3.0&quot;") == '<4,>"3.0"'


@pytest.mark.parametrize(
    "path, location",
    [
        ("/simple/Toy_Lib/", "/simple/toy-lib/"),
        ("/simple/TOY.lib", "/simple/toy-lib/"),
        ("/simple/toy-lib", "/simple/toy-lib/"),
        ("/simple/toy.extra/", "/simple/toy-extra/"),
        ("/simple", "/simple/"),
    ],
)
def test_other_spellings_are_redirected_to_the_normalized_page(served, path, location):
    status, headers, body = request(served, "GET", path)
    assert (status, headers["Location"], body) == (301, location, b"")


def test_wheels_and_the_zip_are_served_whole_or_by_range(served, house_dir):
    name = "toy_lib-2.0-py3-none-any.whl"
    data = (house_dir / name).read_bytes()
    status, headers, body = request(served, "GET", f"/files/{name}")
    assert status == 200 and body == data
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Length"] == str(len(data)) and headers["Accept-Ranges"] == "bytes"
    status, headers, body = request(served, "GET", f"/files/{name}", {"Range": "bytes=10-19"})
    assert status == 206 and body == data[10:20]
    assert headers["Content-Range"] == f"bytes 10-19/{len(data)}"
    status, headers, body = request(
        served, "GET", f"/files/{name}", {"Range": f"bytes={len(data)}-"}
    )
    assert status == 416 and body == b""
    status, headers, body = request(served, "GET", "/cnn-workshop.zip")
    assert status == 200 and body == (house_dir / SOURCE_ZIP).read_bytes()
    assert headers["Content-Type"] == "application/zip"
    assert headers["Content-Disposition"] == f'attachment; filename="{SOURCE_ZIP}"'
    # Without an archive to share, its address is simply not there.
    assert request(served, "GET", "/cifar-10-python.tar.gz")[0] == 404


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/files/",
        "/files",
        "/wheelhouse.json",
        "/files/wheelhouse.json",
        "/files/notes.txt",
        "/files/secret.txt",
        "/files/sub",
        "/files/linked-1.0-py3-none-any.whl",  # a link out of the folder
        "/simple/linked/",
        "/files/../secret.txt",
        "/files/%2e%2e/secret.txt",
        "/files/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/files/..%2Fsecret.txt",
        "/simple/../files/toy_lib-2.0-py3-none-any.whl",
        "/simple/%2e%2e/",
        "/simple/../",
        "/simple/toy-lib/../../wheelhouse.json",
        "/simple/toy-lib/toy_lib-2.0-py3-none-any.whl",
        "/simple/%3Cscript%3E/",
        "/simple/no-such-project/",
        "/files//etc/passwd",
        "/files/%2Fetc%2Fpasswd",
        "//etc/passwd",
        "/etc/passwd",
        "/files/TOY_LIB-2.0-PY3-NONE-ANY.WHL",
        "/files/toy_lib-2.0-py3-none-any.whl/",
        "/files/./toy_lib-2.0-py3-none-any.whl",
        "/cnn-workshop.zip/",
        "/files/cnn-workshop.zip",
    ],
)
def test_nothing_else_is_reachable(served, path):
    status, _, body = request(served, "GET", path)
    assert status == 404, path
    assert b"root:" not in body and b"Index of" not in body and b"Directory listing" not in body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_read_only(served, house_dir, method):
    before = sha256_file(house_dir / "toy_lib-2.0-py3-none-any.whl")
    status, _, _ = request(served, method, "/files/toy_lib-2.0-py3-none-any.whl")
    assert status in (403, 405, 501)
    assert sha256_file(house_dir / "toy_lib-2.0-py3-none-any.whl") == before


def test_opened_once_skipping_what_is_not_a_wheel(house_dir):
    house = Wheelhouse.open(house_dir)
    skipped = dict(house.skipped)
    assert {"notes.txt", "secret.txt", "sub"} <= set(skipped)
    if (house_dir / "linked-1.0-py3-none-any.whl").is_symlink():
        assert "link" in skipped["linked-1.0-py3-none-any.whl"]
    assert house.hashed == 0, "wheelhouse.json holds every hash"
    assert house.has_project() and house.source is not None
    assert house.describe_targets() == ["Test laptops: Python 3.11"]
    assert isinstance(house.resolve("/simple/"), Page)
    assert isinstance(house.resolve("/simple/Toy_App"), Redirect)
    assert isinstance(house.resolve("/files/toy_app-1.0-py3-none-any.whl"), ServedFile)


def test_a_file_changed_after_the_manifest_is_hashed_again(tmp_path):
    wheel = make_wheel(tmp_path, "toy-lib", "2.0", module="toy_lib", code="VALUE = 2\n")
    tool.write_manifest(tmp_path, [])
    assert Wheelhouse.open(tmp_path).hashed == 0
    make_wheel(tmp_path, "toy-lib", "2.0", module="toy_lib", code="VALUE = 3\n")
    os.utime(wheel, ns=(time.time_ns(), time.time_ns() + 10**9))
    house = Wheelhouse.open(tmp_path)
    assert house.hashed == 1
    assert house.projects["toy-lib"][0].sha256 == sha256_file(wheel)
    (tmp_path / MANIFEST).write_text("{not json")  # damaged: costs a hash, never a wrong one
    assert Wheelhouse.open(tmp_path).projects["toy-lib"][0].sha256 == sha256_file(wheel)


@pytest.mark.skipif(not POSIX, reason="symbolic links")
def test_a_link_put_in_place_of_a_wheel_after_start_is_refused(tmp_path):
    wheel = make_wheel(tmp_path, "toy-lib", "2.0")
    size = wheel.stat().st_size
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    secret = outside / "secret"
    secret.write_bytes(b"root:" + b"x" * (size - 5))  # same size: only the link gives it away
    server = serve(Wheelhouse.open(tmp_path))
    try:
        wheel.unlink()
        wheel.symlink_to(secret)
        status, _, body = request(server, "GET", f"/files/{wheel.name}")
        assert status == 503 and b"root:" not in body
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------------- pip, with no internet
def _pip_install(python: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-m", "pip", *args], cwd=cwd, env=isolated_env(),
                          capture_output=True, text=True, timeout=180)  # fmt: skip


def test_the_printed_line_installs_the_workshop_into_a_fresh_venv(served, tmp_path):
    """A learner's laptop: a new .venv with the pip its Python came with, in a workshop folder
    (constraints.txt), typing the macOS/Linux line serve-data prints."""
    port = served.server_address[1]
    printed = install_lines(f"http://127.0.0.1:{port}", served.RequestHandlerClass.wheelhouse)
    line = re.search(
        r"^ +(\.venv/bin/python -m pip install .+? \"cnn-workshop\[lab\]\")", printed, re.M
    )
    assert line, printed
    assert f"--index-url http://127.0.0.1:{port}/simple/ --trusted-host 127.0.0.1" in line.group(1)
    assert "-c constraints.txt" in line.group(1) and '"cnn-workshop[lab]"' in line.group(1)
    assert f"make lab PIP_INDEX_URL=http://127.0.0.1:{port}/simple/ PIP_TRUSTED_HOST=127.0.0.1" in (
        printed
    )
    assert f"http://127.0.0.1:{port}/cnn-workshop.zip" in printed

    shutil.copy2(ROOT / "constraints.txt", tmp_path / "constraints.txt")
    venv.create(tmp_path / ".venv", with_pip=True)
    python = tmp_path / ".venv" / VENV_PYTHON
    args = line.group(1).split(" -m pip ", 1)[1]
    done = subprocess.run(
        f"{python} -m pip {args}", shell=True, cwd=tmp_path, env=isolated_env(),
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Looking in indexes: http://127.0.0.1:{port}/simple/" in done.stdout
    installed = subprocess.run(
        [str(python), "-c", "import workshop, importlib.metadata as m; "
         "print(workshop.__version__, m.version('tensorflow'), m.version('jupyterlab'))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    pins = pinned()
    assert installed == ["0.1.0", pins["tensorflow"], pins["jupyterlab"]]


def test_dependencies_resolve_from_our_index_and_a_wrong_hash_is_refused(house_dir, tmp_path):
    folder = tmp_path / "house"
    shutil.copytree(house_dir, folder, symlinks=True)
    server = serve(Wheelhouse.open(folder))
    index = f"http://127.0.0.1:{server.server_address[1]}/simple/"
    try:
        report = tmp_path / "report.json"
        done = _pip_install(
            Path(sys.executable),
            ["install", "--index-url", index, "--trusted-host", "127.0.0.1",
             "--target", str(tmp_path / "t1"), "--report", str(report), "toy-app"],
            tmp_path,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        got = {i["metadata"]["name"]: i for i in json.loads(report.read_text())["install"]}
        assert got["toy-lib"]["metadata"]["version"] == "2.0"  # toy-app needs >=2
        for item in got.values():
            assert item["download_info"]["url"].startswith(index.replace("/simple/", "/files/"))
        assert (tmp_path / "t1" / "toy_app" / "__init__.py").exists()
    finally:
        server.shutdown()
        server.server_close()

    # The manifest says one hash, the file on disk has another (damaged after make wheelhouse):
    # the index hands out the manifest's hash and pip refuses the file.
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["files"]["toy_lib-2.0-py3-none-any.whl"]["sha256"] = "0" * 64
    (folder / MANIFEST).write_text(json.dumps(manifest))
    server = serve(Wheelhouse.open(folder))
    index = f"http://127.0.0.1:{server.server_address[1]}/simple/"
    try:
        done = _pip_install(
            Path(sys.executable),
            ["install", "--index-url", index, "--trusted-host", "127.0.0.1",
             "--target", str(tmp_path / "t2"), "toy-lib==2.0"],
            tmp_path,
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode != 0
    assert "DO NOT MATCH THE HASHES" in done.stdout + done.stderr
    assert not (tmp_path / "t2" / "toy_lib").exists()


def test_plain_http_to_a_room_address_needs_the_trusted_host(served, tmp_path):
    """pip trusts plain http only from loopback; the room's address is a LAN one. Here the
    index is at a name that is not loopback (room.invalid), reached through a "proxy" that is our
    own server (it answers absolute-URI requests by their path), so it stays on loopback."""
    env = isolated_env()
    env["HTTP_PROXY"] = env["http_proxy"] = f"http://127.0.0.1:{served.server_address[1]}"
    env["NO_PROXY"] = env["no_proxy"] = ""
    index = "http://room.invalid:8765/simple/"

    def install(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pip", "install", "--index-url", index, *extra, "--target",
             str(tmp_path / "t"), "--disable-pip-version-check", "toy-app"],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    refused = install()
    assert refused.returncode != 0
    assert "is not a trusted or secure host" in refused.stdout + refused.stderr
    done = install("--trusted-host", "room.invalid")  # no port: as serve-data prints it
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "t" / "toy_lib" / "__init__.py").read_text() == "VALUE = 2\n"


def test_markers_are_the_target_laptops(tmp_path):
    """make wheelhouse resolves for another laptop with that laptop's markers, not this one's."""
    make_wheel(tmp_path, "plat-app", "1.0", requires=(
        'win-only; sys_platform == "win32"',
        'old-python; python_version < "3.11"',
        'mac-only; platform_system == "Darwin" and platform_machine == "arm64"',
    ))  # fmt: skip
    for name in ("win-only", "old-python", "mac-only"):
        make_wheel(tmp_path, name, "1.0")

    def resolved(platform: str, python: str) -> set[str]:
        report = tmp_path / "report.json"
        args = ["install", "--dry-run", "--ignore-installed", "--no-index", "--find-links",
                str(tmp_path), "--target", str(tmp_path / "t"), "--report", str(report),
                "plat-app"]  # fmt: skip
        done = tool.pip_as(tool.PLATFORMS[platform], python, args, env=isolated_env(), capture=True)
        assert done.returncode == 0, done.stdout + done.stderr
        return {i["metadata"]["name"] for i in json.loads(report.read_text())["install"]}

    assert resolved("windows_amd64", "3.10") == {"plat-app", "win-only", "old-python"}
    assert resolved("macos_arm64", "3.12") == {"plat-app", "mac-only"}
    assert resolved("linux_x86_64", "3.13") == {"plat-app"}


def test_marker_values_and_platform_tags():
    values = tool.marker_values(tool.PLATFORMS["windows_amd64"], "3.10")
    assert values["sys_platform"] == "win32" and values["python_version"] == "3.10"
    assert values["python_full_version"] == "3.10.99"
    assert tool.full_version("3.11.4") == "3.11.4"
    linux = tool.PLATFORMS["linux_x86_64"].tags
    # TensorFlow's Linux wheel is manylinux_2_27 only: pip must be told every glibc up to 2.28.
    assert "manylinux_2_27_x86_64" in linux and "manylinux2014_x86_64" in linux
    assert tool.build_requirements() == ["setuptools>=69"]


def test_the_source_zip_holds_the_tracked_files_only(tmp_path):
    zipped, _ = tool.write_source_zip(tmp_path)
    with zipfile.ZipFile(zipped) as archive:
        names = set(archive.namelist())
    tracked = {tool.PREFIX + name for name in tool.tracked_files() if (ROOT / name).is_file()}
    assert names == tracked
    assert "cnn-workshop/notebooks/learner/00_setup.ipynb" in names
    assert "cnn-workshop/constraints.txt" in names and "cnn-workshop/Makefile" in names
    assert not any("/.venv/" in n or "/build/" in n or n.endswith(".tar.gz") for n in names)


# --------------------------------------------------------------------------- serve-data itself
class Serving:
    """``python -m workshop serve-data`` in its own process; its output is read as it comes."""

    def __init__(self, *args: str, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "workshop", "serve-data", "--host", "127.0.0.1", "--port", "0",
             *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
            env={**env, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for("press Ctrl+C")
        self.port = int(re.search(r"Sharing on port (\d+)", self.text).group(1))

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def text(self) -> str:
        return "".join(list(self.lines))

    def wait_for(self, text: str, seconds: float = 60) -> None:
        """Until serve-data has printed ``text`` (a file is counted before its line is)."""
        deadline = time.monotonic() + seconds
        while text not in self.text:
            assert self.proc.poll() is None, self.text
            assert time.monotonic() < deadline, f"{text!r} not in:\n{self.text}"
            time.sleep(0.02)

    def stop(self) -> str:
        """Ctrl+C, as the instructor stops it; everything it printed."""
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while "Stopped sharing" not in self.text and time.monotonic() < deadline:
            time.sleep(0.02)  # the last lines may still be on their way through the pipe
        return self.text


@pytest.mark.skipif(not POSIX, reason="stops the server with SIGINT")
def test_serve_data_with_a_wheelhouse_and_no_archive(house_dir, tmp_path):
    env = {**os.environ, "KERAS_HOME": str(tmp_path / "empty")}
    server = Serving("--wheelhouse", str(house_dir), env=env)
    try:
        said = server.text
        assert "Not shared: the CIFAR-10 archive at" in said and "is not there" in said
        assert "To get CIFAR-10" not in said and "fetch --from" not in said
        assert f"wheelhouse {house_dir}" in said and "for Test laptops: Python 3.11" in said
        assert "not served from the wheelhouse:" in said and "'notes.txt' (not a wheel)" in said
        index = f"--index-url http://127.0.0.1:{server.port}/simple/ --trusted-host 127.0.0.1"
        for python in (".venv/bin/python", r".venv\Scripts\python", "python"):
            assert f'{python} -m pip install {index} -c constraints.txt "cnn-workshop[lab]"' in said
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/files/toy_app-1.0-py3-none-any.whl")
        assert (
            conn.getresponse().read() == (house_dir / "toy_app-1.0-py3-none-any.whl").read_bytes()
        )
        conn.request("GET", "/cifar-10-python.tar.gz")
        assert conn.getresponse().status == 404
        conn.request("GET", "/cnn-workshop.zip")
        assert conn.getresponse().read() == (house_dir / SOURCE_ZIP).read_bytes()
        conn.close()
        server.wait_for("sent the workshop's files (cnn-workshop.zip) to 127.0.0.1")
    finally:
        said = server.stop()
    assert server.proc.returncode == 0, said
    assert "Stopped sharing; sent the archive 0 times, and 2 files of the wheelhouse" in said
    assert "to 1 laptop(s)" in said and "Traceback" not in said


def test_nothing_to_share_names_both_fixes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty"))
    assert serve_command("127.0.0.1", 0, wheelhouse=tmp_path / "no-wheelhouse") == 1
    out = capsys.readouterr().out
    assert "Nothing to share" in out and "python -m workshop fetch" in out
    assert f"there is no wheelhouse at {tmp_path / 'no-wheelhouse'}: make wheelhouse" in out
    (tmp_path / "empty-house").mkdir()
    assert serve_command("127.0.0.1", 0, wheelhouse=tmp_path / "empty-house") == 1
    assert "is empty: make wheelhouse" in capsys.readouterr().out


def test_room_commands_for_pip():
    lines = room_commands('install "x"', module="pip")
    assert [command for command, _ in lines] == [
        '.venv/bin/python -m pip install "x"',
        r'.venv\Scripts\python -m pip install "x"',
        'python -m pip install "x"',
    ]
    assert room_commands("doctor")[0][0] == ".venv/bin/python -m workshop doctor"


# ------------------------------------------------------------------------- make lab, make test
def _make_dry_run(target: str, tmp_path: Path) -> str:
    """What ``make TARGET`` would run on a fresh clone (no .venv yet)."""
    done = subprocess.run(
        ["make", "-n", "-C", str(ROOT), target, f"VENV={tmp_path / 'fresh'}", "PYTHON=python3"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_lab_installs_only_the_lab_extra(tmp_path):
    for target in ("lab", "install", "doctor", "fetch", "serve-data", "present", "wheelhouse"):
        run = _make_dry_run(target, tmp_path)
        assert '-e ".[lab]"' in run, target
        assert ".[dev]" not in run, target
    for target in ("test", "test-slow", "lint", "notebooks", "machine-time", "learner", "slides",
                   "slides-local", "colab", "bench", "install-dev"):  # fmt: skip
        assert '-e ".[dev]"' in _make_dry_run(target, tmp_path), target


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_lab_after_make_test_installs_nothing_more(tmp_path):
    """A .venv installed with dev (make test) has all of lab: make lab only stamps it, so it
    needs no second install (nor the internet) afterwards."""
    (tmp_path / "fresh").mkdir()
    (tmp_path / "fresh" / ".installed-dev").touch()  # newer than pyproject.toml & co.
    run = _make_dry_run("lab", tmp_path)
    assert "pip install" not in run and f"touch {tmp_path / 'fresh' / '.installed-lab'}" in run


def test_the_dev_extra_holds_everything_the_lab_extra_does():
    text = (ROOT / "pyproject.toml").read_text()
    extras = {
        name: set(re.findall(r'"([^"]+)"', body))
        for name, body in re.findall(r"^(lab|dev) = \[(.*?)\]", text, re.M | re.S)
    }
    assert extras["lab"] and extras["lab"] <= extras["dev"]


# ------------------------------------------------------------------------------ the real thing
THIS_PLATFORM = {
    ("linux", "x86_64"): "linux_x86_64",
    ("darwin", "arm64"): "macos_arm64",
}.get((sys.platform, platform.machine()))
real_laptop = pytest.mark.skipif(
    THIS_PLATFORM is None, reason="a macOS or Linux laptop make wheelhouse serves"
)


@pytest.fixture(scope="module")
def real_room(tmp_path_factory):
    """make wheelhouse for this laptop and Python (downloads from PyPI), served by serve-data."""
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    house = tmp_path_factory.mktemp("real") / "wheelhouse"
    started = time.monotonic()
    made = subprocess.run(
        [sys.executable, "-m", "tools.wheelhouse", "--platforms", THIS_PLATFORM,
         "--pythons", python, "--dest", str(house)],
        cwd=ROOT, capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    output = made.stdout + made.stderr
    if made.returncode != 0 and re.search(r"NewConnectionError|Could not fetch URL", output):
        pytest.skip("PyPI cannot be reached: make wheelhouse needs it once")
    assert made.returncode == 0, output[-5000:]
    seconds = time.monotonic() - started
    size = sum(p.stat().st_size for p in house.iterdir())
    print(
        f"\nmake wheelhouse, {THIS_PLATFORM} Python {python}: {size / 1e6:,.0f} MB, {seconds:.0f} s"
    )
    env = {**os.environ, "KERAS_HOME": str(house.parent / "no-archive")}
    server = Serving("--wheelhouse", str(house), env=env)
    yield server
    said = server.stop()
    assert "Traceback" not in said


def _unzipped_workshop(server: Serving, folder: Path) -> Path:
    """Step 1 as printed: the workshop's files from the room, unzipped."""
    with zipfile.ZipFile(fetched(f"http://127.0.0.1:{server.port}/{SOURCE_ZIP}")) as archive:
        archive.extractall(folder)
    return folder / "cnn-workshop"


def _imports_tensorflow(python: Path) -> list[str]:
    code = "import workshop, tensorflow as tf; print(tf.__version__, tf.add(1, 2).numpy())"
    check = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )  # fmt: skip
    assert check.returncode == 0, check.stderr[-3000:]
    return check.stdout.split()


@pytest.mark.slow
@real_laptop
def test_the_real_wheelhouse_installs_the_workshop_with_no_internet(real_room, tmp_path):
    """A fresh venv in the unzipped workshop installs cnn-workshop[lab] from serve-data's index
    with the line it printed, pip's own index unreachable; TensorFlow and the workshop import."""
    started = time.monotonic()
    workshop = _unzipped_workshop(real_room, tmp_path)
    line = PRINTED_INSTALL.search(real_room.text)
    assert line, real_room.text
    venv.create(workshop / ".venv", with_pip=True)
    done = subprocess.run(line.group(1), shell=True, cwd=workshop, env=isolated_env(),
                          capture_output=True, text=True, timeout=1200)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    seconds = time.monotonic() - started
    assert _imports_tensorflow(workshop / ".venv" / VENV_PYTHON) == [pinned()["tensorflow"], "3"]
    print(f"\nunzip, venv and pip install from the room: {seconds:.0f} s")


@pytest.mark.slow
@real_laptop
@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_lab_installs_the_lab_extra_from_the_room(real_room, tmp_path):
    """The printed make route (make install: make lab without opening JupyterLab) in the
    unzipped workshop: pip upgraded and the editable install built from the room alone, and
    nothing of the dev extra installed."""
    started = time.monotonic()
    workshop = _unzipped_workshop(real_room, tmp_path)
    printed = re.search(r"make lab (PIP_INDEX_URL=\S+) (PIP_TRUSTED_HOST=\S+)", real_room.text)
    assert printed, real_room.text
    done = subprocess.run(
        ["make", "install", f"PYTHON={sys.executable}", *printed.groups()], cwd=workshop,
        env=isolated_env(), capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    seconds = time.monotonic() - started
    venv_dir = workshop / ".venv"
    assert (venv_dir / ".installed-lab").exists() and not (venv_dir / ".installed-dev").exists()
    assert (venv_dir / "share/jupyter/lab/settings/overrides.json").exists()
    python = venv_dir / VENV_PYTHON
    assert _imports_tensorflow(python) == [pinned()["tensorflow"], "3"]
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format=json"],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    names = {normalize(item["name"]) for item in json.loads(listed)}
    assert {"jupyterlab", "jupyterlab-slideshow", "cnn-workshop"} <= names
    assert not names & {"pytest", "playwright", "ruff", "hypothesis", "nbval", "scipy"}
    print(f"\nunzip and make install from the room: {seconds:.0f} s")
