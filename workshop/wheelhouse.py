"""A wheelhouse served as a package index: a room without internet still installs the workshop.

``make wheelhouse`` (``tools/wheelhouse.py``) fills one folder the day before: the workshop's own
wheel, every wheel ``cnn-workshop[lab]`` needs at the pinned versions for the chosen laptops, a
zip of the workshop's files (``cnn-workshop.zip``: the notebooks) and ``wheelhouse.json``, which
records what it was made for and each file's SHA-256. ``serve-data`` then answers, read-only:

- ``/simple/`` and ``/simple/<project>/``: a PEP 503 "simple" index. Project names are PEP 503
  normalized; any other spelling of a project in the folder is redirected to it. Each link
  carries the file's ``#sha256=`` (pip refuses a file that does not match it) and its
  ``Requires-Python`` (pip skips a wheel for another Python without downloading it);
- ``/files/<wheel>``: the wheels, with single-``Range`` support;
- ``/cnn-workshop.zip``: the workshop's files.

Only plain files found in the folder at start-up are served, looked up by the exact request path
among the addresses built from their names: nothing in a request is ever joined to a path on disk,
so ``..``, ``%2e%2e``, absolute paths and symbolic links (never served, and never followed at
open time) reach nothing. File names are checked against the wheel name grammar and escaped in
the HTML all the same.

Standard library only: it runs on the instructor's laptop inside ``serve-data``.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path
from urllib.parse import quote

__all__ = [
    "DEFAULT_FOLDER",
    "FILES_PATH",
    "INDEX_PATH",
    "MANIFEST",
    "PROJECT",
    "SOURCE_PATH",
    "SOURCE_ZIP",
    "Page",
    "Redirect",
    "ServedFile",
    "Wheelhouse",
    "file_record",
    "normalize",
    "sha256_file",
    "wheel_project",
]

PROJECT = "cnn-workshop"
# Relative to the project folder, where `make wheelhouse` writes and `make serve-data` looks.
DEFAULT_FOLDER = Path("build") / "wheelhouse"
MANIFEST = "wheelhouse.json"
SOURCE_ZIP = "cnn-workshop.zip"
INDEX_PATH = "/simple/"
FILES_PATH = "/files/"
SOURCE_PATH = "/" + SOURCE_ZIP

_CHUNK = 1 << 20
# A wheel file name (PEP 427 / binary distribution format): name-version[-build]-py-abi-platform.
# The character set is narrower than any file system's, so a name that passes needs no escaping
# in a URL path beyond what quote() does, and nothing odd ever reaches the HTML.
_WHEEL = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?)"
    r"-(?P<version>[A-Za-z0-9.+!_]+)(?:-(?P<build>\d[A-Za-z0-9_.]*))?"
    r"-(?P<py>[A-Za-z0-9._]+)-(?P<abi>[A-Za-z0-9._]+)-(?P<platform>[A-Za-z0-9._]+)\.whl"
)
# A project page asked for under some spelling: /simple/<name> with or without its slash.
_PROJECT_PATH = re.compile(r"/simple/([A-Za-z0-9._-]+)/?")


def normalize(name: str) -> str:
    """The PEP 503 normalized form of a project name (``Jinja2`` -> ``jinja2``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_project(filename: str) -> str | None:
    """The normalized project of a wheel file name, or ``None`` when it is not one."""
    match = _WHEEL.fullmatch(filename)
    return normalize(match.group("name")) if match else None


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _requires_python(path: Path) -> str | None:
    """The wheel's ``Requires-Python``, read from its METADATA (``None`` when it has none)."""
    with zipfile.ZipFile(path) as wheel:
        names = [n for n in wheel.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
        if len(names) != 1:
            raise zipfile.BadZipFile("no single .dist-info/METADATA")
        text = wheel.read(names[0]).decode("utf-8", errors="replace")
    value = HeaderParser().parsestr(text).get("Requires-Python")
    return value.strip() if value else None


def file_record(path: Path) -> dict[str, object]:
    """What ``wheelhouse.json`` keeps of one file, so that serving it needs no second read."""
    info = path.stat()
    record: dict[str, object] = {
        "size": info.st_size,
        "mtime_ns": info.st_mtime_ns,
        "sha256": sha256_file(path),
    }
    if path.suffix == ".whl":
        record["requires_python"] = _requires_python(path)
    return record


@dataclass(frozen=True)
class ServedFile:
    """One file the wheelhouse serves, as found at start-up."""

    name: str
    path: Path
    size: int
    sha256: str
    requires_python: str | None = None

    @property
    def url(self) -> str:
        """Its address on the server (the href in the index, without the hash)."""
        return SOURCE_PATH if self.name == SOURCE_ZIP else FILES_PATH + quote(self.name)

    @property
    def content_type(self) -> str:
        return "application/zip" if self.name.endswith(".zip") else "application/octet-stream"


@dataclass(frozen=True)
class Page:
    """A generated HTML page of the index."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Redirect:
    """A project page asked for under another spelling: go to its normalized address."""

    location: str


def _html(title: str, links: list[str]) -> bytes:
    title = html.escape(title)
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        '<meta name="pypi:repository-version" content="1.0">\n'
        f"<title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n"
        + "".join(f"{link}<br>\n" for link in links)
        + "</body>\n</html>\n"
    ).encode("utf-8")


def _file_link(served: ServedFile) -> str:
    href = html.escape(f"{served.url}#sha256={served.sha256}")
    extra = ""
    if served.requires_python:
        extra = f' data-requires-python="{html.escape(served.requires_python)}"'
    return f'<a href="{href}"{extra}>{html.escape(served.name)}</a>'


@dataclass
class Wheelhouse:
    """A wheelhouse folder as the server sees it: fixed when opened, then only looked up."""

    folder: Path
    projects: dict[str, list[ServedFile]] = field(default_factory=dict)
    source: ServedFile | None = None
    targets: list[dict[str, object]] = field(default_factory=list)
    # (file name, why it is not served): shown at start-up, so nothing is left out silently.
    skipped: list[tuple[str, str]] = field(default_factory=list)
    hashed: int = 0  # files whose hash was not in wheelhouse.json (or no longer matched it)
    _routes: dict[str, ServedFile | Page] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, folder: Path) -> Wheelhouse:
        """Scan ``folder`` once: its wheels and its source zip, each with its SHA-256.

        A hash comes from ``wheelhouse.json`` while the file still has the size and
        modification time recorded there, else from reading the file. Symbolic links, folders
        and names that are not wheels are left out (listed in ``skipped``).
        """
        folder = Path(folder).resolve()
        house = cls(folder)
        manifest = _read_manifest(folder / MANIFEST)
        known = manifest.get("files", {})
        house.targets = [t for t in manifest.get("targets", []) if isinstance(t, dict)]
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            name = entry.name
            if name == MANIFEST:
                continue
            project = wheel_project(name)
            if project is None and name != SOURCE_ZIP:
                house.skipped.append((name, "not a wheel"))
                continue
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                house.skipped.append((name, "not a plain file (a link or a folder)"))
                continue
            record = known.get(name)
            if not _still_matches(record, info):
                try:
                    record = file_record(Path(entry.path))
                except (OSError, zipfile.BadZipFile) as exc:
                    house.skipped.append((name, f"unreadable ({exc})"))
                    continue
                house.hashed += 1
            served = ServedFile(
                name=name,
                path=Path(entry.path),
                size=info.st_size,
                sha256=str(record["sha256"]),
                requires_python=record.get("requires_python") or None,
            )
            if project is None:
                house.source = served
            else:
                house.projects.setdefault(project, []).append(served)
        house._build_routes()
        return house

    def _build_routes(self) -> None:
        routes: dict[str, ServedFile | Page] = {}
        root_links = []
        for project in sorted(self.projects):
            files = self.projects[project]
            page = INDEX_PATH + project + "/"
            routes[page] = Page(_html(f"Links for {project}", [_file_link(f) for f in files]))
            root_links.append(f'<a href="{html.escape(page)}">{html.escape(project)}</a>')
            for served in files:
                routes[served.url] = served
                routes[FILES_PATH + served.name] = served  # as a browser or curl sends it
        if self.projects:
            routes[INDEX_PATH] = Page(_html("Simple index", root_links))
        if self.source is not None:
            routes[SOURCE_PATH] = self.source
        self._routes = routes

    def resolve(self, path: str) -> ServedFile | Page | Redirect | None:
        """What the raw request ``path`` (no query) names; ``None`` for anything else (404)."""
        found = self._routes.get(path)
        if found is not None:
            return found
        if path == INDEX_PATH.rstrip("/") and self.projects:
            return Redirect(INDEX_PATH)
        # Compared as sent, never unquoted: "%2e%2e" or "%2F" cannot match the pattern.
        match = _PROJECT_PATH.fullmatch(path)
        if match and normalize(match.group(1)) in self.projects:
            return Redirect(INDEX_PATH + normalize(match.group(1)) + "/")
        return None

    @property
    def files(self) -> list[ServedFile]:
        """Every served file: the wheels, then the source zip."""
        wheels = [f for files in self.projects.values() for f in files]
        return wheels + ([self.source] if self.source else [])

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def has_project(self) -> bool:
        """Whether the workshop's own wheel is here (without it, the index installs nothing)."""
        return normalize(PROJECT) in self.projects

    def describe_targets(self) -> list[str]:
        """The laptops it was made for, from ``wheelhouse.json``: ``"Windows x86_64: Python 3.11,
        3.12"``, one line per kind of laptop."""
        pythons: dict[str, list[str]] = {}
        for target in self.targets:
            label, python = str(target.get("label", "?")), str(target.get("python", "?"))
            pythons.setdefault(label, []).append(python)
        return [f"{label}: Python {', '.join(p)}" for label, p in pythons.items()]


def _read_manifest(path: Path) -> dict:
    """``wheelhouse.json``, or empty when it is missing or not what we wrote (then every file is
    hashed at start-up: a damaged manifest costs time, never a wrong hash)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    if not isinstance(data.get("files"), dict):
        data["files"] = {}
    if not isinstance(data.get("targets"), list):
        data["targets"] = []
    return data


def _still_matches(record: object, info: os.stat_result) -> bool:
    return (
        isinstance(record, dict)
        and record.get("size") == info.st_size
        and record.get("mtime_ns") == info.st_mtime_ns
        and isinstance(record.get("sha256"), str)
        and re.fullmatch(r"[0-9a-f]{64}", record["sha256"]) is not None
        and (record.get("requires_python") is None or isinstance(record["requires_python"], str))
    )
