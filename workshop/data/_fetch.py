"""Get CIFAR-10 into Keras' cache once, verified: from the internet, a classmate or a USB stick.

Safety rules this module keeps:
- the official SHA-256 decides, whatever the source (a file from a classmate is checked like one
  from the internet); the bytes are hashed once, while they stream into the cache;
- bytes are written to a temporary file in the cache folder and renamed only after the hash
  matched, so a crash, a full disk or a dropped connection never leaves a file at the final path;
- nothing is unpickled here.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from workshop.data._cache import (
    ARCHIVE_NAME,
    LEGACY_NAME,
    SERVE_NAME,
    archive_path,
    expected_sha256,
    source_url,
)
from workshop.data._errors import DataUnavailableError, fail
from workshop.data._progress import progress
from workshop.data._verify import Verdict, forget, verify, write_stamp

_CHUNK = 1 << 20
_FULL_DISK = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NOT_WRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS}


# --- messages ---------------------------------------------------------------------------------


def _cache_error(exc: OSError, folder: Path) -> DataUnavailableError:
    """A learner-facing error for a failed write into the cache folder, by errno."""
    if exc.errno in _FULL_DISK:
        return fail(
            f"The disk holding {folder} is full: CIFAR-10 needs about 170 MB there "
            "(Keras unpacks another 180 MB beside it).\n"
            "Nothing was saved. Free some space and run the same command again, or put the cache "
            "on another disk with the KERAS_HOME environment variable "
            "(e.g. KERAS_HOME=D:\\keras on Windows)."
        )
    if exc.errno in _NOT_WRITABLE or isinstance(exc, PermissionError):
        return fail(
            f"Cannot write to the cache folder {folder} ({exc.strerror or exc}).\n"
            "Nothing was saved. Point Keras at a folder you can write to with the KERAS_HOME "
            "environment variable (e.g. KERAS_HOME=$HOME/keras-cache), then run the same "
            "command again."
        )
    return fail(f"Could not write to the cache folder {folder}: {exc}. Nothing was saved.")


def _wrong_file(source: str, got: str) -> DataUnavailableError:
    return fail(
        f"The file from {source} is not the CIFAR-10 archive: its SHA-256 is\n"
        f"  {got}\nbut must be\n  {expected_sha256()}\n"
        "It is incomplete, damaged or a different file, so it was thrown away and nothing was "
        "saved. Try again, or take it from another source."
    )


# --- writing into the cache ---------------------------------------------------------------------


def _open_for_write(path: str | os.PathLike[str]) -> IO[bytes]:
    """Open a temporary download file (one place, so tests can simulate a full disk)."""
    return open(path, "wb")


def _store(
    chunks: Iterable[bytes], total: int | None, desc: str, target: Path, keep: bytearray | None
) -> Verdict:
    """Stream ``chunks`` into a temporary file beside ``target``, hashing them on the way.

    The file is renamed to ``target`` (and stamped) only if :func:`verify` accepts the hash;
    otherwise, and on any error or interruption, the temporary file is removed. A failure to
    read ``chunks`` is the source's to explain; a failure to write is explained here.
    ``keep`` also collects the bytes, for a load that parses them without reading them back.
    """
    folder = target.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".cifar10-", suffix=".part", dir=folder)
        os.close(fd)
    except OSError as exc:
        raise _cache_error(exc, folder) from None
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    try:
        try:
            out = _open_for_write(tmp)
        except OSError as exc:
            raise _cache_error(exc, folder) from None
        with out, progress(total, desc) as bar:
            for chunk in chunks:
                digest.update(chunk)
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise _cache_error(exc, folder) from None
                bar.update(len(chunk))
                if keep is not None:
                    keep += chunk
            try:
                out.flush()
                os.fsync(out.fileno())
            except OSError as exc:
                raise _cache_error(exc, folder) from None
        verdict = verify(sha256=digest.hexdigest())
        if verdict:
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise _cache_error(exc, folder) from None
            write_stamp(target, verdict.sha256)
        return verdict
    finally:
        tmp.unlink(missing_ok=True)


def _file_chunks(source: Path) -> Iterator[bytes]:
    """A local archive (USB stick, other folder) in chunks; read errors say what to do."""
    try:
        src = open(source, "rb")
    except OSError as exc:
        raise fail(f"Cannot read {source}: {exc.strerror or exc}.") from None
    with src:
        while True:
            try:
                chunk = src.read(_CHUNK)
            except OSError as exc:
                raise fail(
                    f"Reading {source} failed half-way ({exc.strerror or exc}); was the "
                    "USB stick removed? Nothing was saved."
                ) from None
            if not chunk:
                return
            yield chunk


def _copy_local(source: Path, target: Path, keep: bytearray | None) -> Verdict:
    return _store(_file_chunks(source), source.stat().st_size, "copying", target, keep)


def _download(url: str, target: Path, keep: bytearray | None) -> Verdict:
    from workshop.data._download import open_download  # HTTP and TLS load only when needed

    with open_download(url) as download:
        return _store(download.chunks(), download.total, "downloading", target, keep)


# --- where from -----------------------------------------------------------------------------------


def _resolve_local(source: str) -> Path:
    """A ``--from`` path: the file itself, or a folder holding the archive under a known name."""
    path = Path(source[7:] if source.startswith("file://") else source).expanduser()
    if path.is_dir():
        for name in (SERVE_NAME, ARCHIVE_NAME, LEGACY_NAME):
            if (path / name).is_file():
                return path / name
        raise fail(
            f"The folder {path} holds no {SERVE_NAME}. Give the path of the file itself.",
            steps="",
        )
    if not path.is_file():
        raise fail(
            f"There is no file at {path}. Check the spelling and that the USB stick is mounted "
            "(on Windows e.g. E:\\cifar-10-python.tar.gz, on macOS /Volumes/NAME/..., on Linux "
            f"/media/...). A URL must start with http:// or https://."
        )
    return path


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _normalise_source(source: str) -> str:
    """Forgive the usual typing slips: a missing ``http://`` or a missing file name."""
    source = source.strip()
    if not _is_url(source) and not Path(source).expanduser().exists():
        # "192.168.1.5:8765" or "192.168.1.5:8765/cifar-10-python.tar.gz"
        if re.fullmatch(r"[A-Za-z0-9.-]+:\d{1,5}(/\S*)?", source):
            source = "http://" + source
    if _is_url(source) and urlsplit(source).path in ("", "/"):
        source = source.rstrip("/") + "/" + SERVE_NAME
    return source


def _from_legacy_place(target: Path, keep: bytearray | None) -> bool:
    """Copy an archive an older Keras left behind, if it is the right one; True if it was."""
    legacy = target.parent / LEGACY_NAME
    if not legacy.is_file():
        return False
    print(f"Found an archive where older Keras versions kept it: {legacy}")
    if _copy_local(legacy, target, keep):
        return True
    if keep is not None:
        keep.clear()
    print("It is not the CIFAR-10 archive (wrong SHA-256), so it was not used.")
    return False


def fetch_archive(source: str | None = None) -> Path:
    """Make sure the verified archive is cached; download or copy it if not. Returns its path.

    ``source``: ``None`` for the official server, an ``http(s)://`` URL (e.g. a classmate's
    ``serve-data``), or a local file path. Whatever the source, the SHA-256 decides.
    Raises :class:`DataUnavailableError` with a learner-facing message on any failure.
    """
    return fetch_and_keep(source, None)


def fetch_and_keep(source: str | None, keep: bytearray | None) -> Path:
    """:func:`fetch_archive`; ``keep`` also receives the verified bytes if they were fetched now.

    A first load parses the bytes it just downloaded, so they are hashed once, not twice.
    """
    target = archive_path()
    folder = target.parent
    if target.is_file():
        # An explicit fetch re-hashes the cached file rather than trusting its stamp.
        if verify(path=target, progress=True):
            print(f"CIFAR-10 is already cached and verified: {target}")
            return target
        print(f"The cached file {target} is damaged or incomplete (wrong SHA-256): replacing it.")
        try:
            forget(target)
        except OSError as exc:
            raise _cache_error(exc, folder) from None

    if source is not None:
        source = _normalise_source(source)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cache_error(exc, folder) from None
    if source is None and _from_legacy_place(target, keep):
        return target

    if source is None or _is_url(source):
        origin = source or source_url()
        print(f"Downloading CIFAR-10 (about 163 MiB) from {origin}")
        print(f"into {target}")
        verdict = _download(origin, target, keep)
    else:
        path = _resolve_local(source)
        origin = str(path)
        print(f"Copying CIFAR-10 from {path}")
        print(f"into {target}")
        verdict = _copy_local(path, target, keep)
    if not verdict:
        raise _wrong_file(origin, verdict.sha256)
    return target


def fetch_command(source: str | None) -> int:
    """``python -m workshop fetch [--from URL_OR_PATH]``: returns the process exit code."""
    try:
        path = fetch_archive(source)
    except DataUnavailableError as exc:
        print(f"\n❌ CIFAR-10 is not available.\n{exc}")
        return 1
    except KeyboardInterrupt:
        print("\nStopped. Nothing partial was kept; run the same command to start again.")
        return 130
    print(f"\n✅ CIFAR-10 verified (SHA-256 {expected_sha256()[:12]}…) and cached at:\n   {path}")
    print(
        "   workshop.data.load_cifar10() and keras.datasets.cifar10.load_data() now work offline.\n"
        "   Share it with the room: python -m workshop serve-data"
    )
    return 0
