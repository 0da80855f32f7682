"""Get CIFAR-10 into Keras' cache once, verified: from the internet, a classmate or a USB stick.

Safety rules this module keeps:
- the official SHA-256 decides, whatever the source (a file from a classmate is checked like one
  from the internet); the bytes are hashed once, while they stream into the cache;
- bytes are written to one clearly named partial file in the cache folder and renamed only
  after the hash of the whole file matched, so a crash, a full disk or a dropped connection never
  leaves a file at the final path; a dropped download is continued by the next fetch from the
  same address (see ``_partial``), one killed after its last byte is hashed and kept, and
  whatever else a killed fetch left is resumed or removed;
- nothing is unpickled here.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from workshop.commands import workshop_command
from workshop.data._cache import (
    ARCHIVE_NAME,
    LEGACY_NAME,
    SERVE_NAME,
    archive_path,
    expected_sha256,
    source_url,
)
from workshop.data._errors import DataUnavailableError, fail, with_note
from workshop.data._partial import (
    Partial,
    discard,
    fetching,
    find_partial,
    mib,
    partial_path,
    record,
    tidy,
)
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


def _wrong_file(source: str, got: str, resumed: bool = False) -> DataUnavailableError:
    earlier = (
        "It continued an interrupted download, whose first part may have been damaged on disk; "
        "all of it was thrown away, so the next attempt starts from the beginning. "
        if resumed
        else ""
    )
    return fail(
        f"The file from {source} is not the CIFAR-10 archive: its SHA-256 is\n"
        f"  {got}\nbut must be\n  {expected_sha256()}\n"
        "It is incomplete, damaged or a different file, so it was thrown away and nothing was "
        f"saved. {earlier}Try again, or take it from another source."
    )


# --- writing into the cache ---------------------------------------------------------------------


def _open_for_write(path: str | os.PathLike[str], offset: int) -> IO[bytes]:
    """Open the partial file to write from ``offset`` on (one place, so tests can fake a disk)."""
    if not offset:
        return open(path, "wb")
    out = open(path, "r+b")
    out.seek(offset)
    out.truncate()
    return out


def _begin(target: Path, source: str, size: int | None, offset: int) -> None:
    """Prepare the partial file: keep its first ``offset`` bytes, or start it afresh.

    Afresh, the old bytes go before the new record is written, so a kill at any moment never
    leaves a record that vouches for someone else's bytes.
    """
    if offset:
        # A download begun without a length learns the whole size from Content-Range when it
        # resumes: note it, so a kill after the last byte leaves a partial known to be whole.
        found = find_partial(target)
        if size is not None and found is not None and found.size is None:
            record(found.path, source, size)
        return
    discard(target)
    if _is_url(source):
        record(partial_path(target), source, size)


def _hash_what_is_here(part: Path, offset: int, digest: Any) -> None:
    """Feed the first ``offset`` bytes of the partial file to ``digest``: the whole file decides."""
    with open(part, "rb") as fh:
        left = offset
        while left:
            chunk = fh.read(min(_CHUNK, left))
            if not chunk:
                raise OSError(errno.EIO, f"{part} is shorter than {offset} bytes")
            digest.update(chunk)
            left -= len(chunk)


def _after_failure(target: Path, resumable: bool) -> str:
    """Keep what arrived if a later fetch can continue it; say which, for the learner."""
    found = find_partial(target)
    if resumable and found is not None and found.have > 0:
        return (
            f"The {mib(found.have)} that arrived are kept in {found.path.name}; the same command "
            "continues from there."
        )
    discard(target)
    return "Nothing was saved."


def _store(
    chunks: Iterable[bytes],
    size: int | None,
    desc: str,
    target: Path,
    source: str,
    offset: int = 0,
) -> Verdict:
    """Stream ``chunks`` into the partial file beside ``target`` from ``offset`` on; hash it all.

    The partial file becomes ``target`` (and is stamped) only if :func:`verify` accepts the
    SHA-256 of the whole file, the bytes already there included; a wrong hash removes it. A
    dropped or stopped download from a URL keeps it for the next fetch to continue; any other
    failure removes it. A failure to read ``chunks`` is the source's to explain; a failure to
    write is explained here.
    """
    folder = target.parent
    part = partial_path(target)
    resumable = _is_url(source)
    digest = hashlib.sha256()
    try:
        _begin(target, source, size, offset)
        if offset:
            _hash_what_is_here(part, offset, digest)
        out = _open_for_write(part, offset)
    except OSError as exc:
        discard(target)
        raise _cache_error(exc, folder) from None
    try:
        with out, progress(size, desc, initial=offset) as bar:
            for chunk in chunks:
                digest.update(chunk)
                out.write(chunk)
                # Small chunks (a chunked body) would wait in Python's buffer, and a killed
                # process never writes it: every byte that arrived is on disk to continue from.
                out.flush()
                bar.update(len(chunk))
            os.fsync(out.fileno())
            whole = out.tell()
        if resumable and size is None:
            # The body ended, so its size is known now (a server that sent no length): a kill
            # before the rename leaves a partial the next fetch can tell is whole.
            record(part, source, whole)
    except OSError as exc:
        discard(target)
        raise _cache_error(exc, folder) from None
    except DataUnavailableError as exc:  # the source failed, not the disk
        raise with_note(exc, _after_failure(target, resumable)) from None
    except BaseException:  # Ctrl+C: fetch_command says what was kept
        _after_failure(target, resumable)
        raise
    verdict = verify(sha256=digest.hexdigest())
    if not verdict:
        discard(target)
        return verdict
    _move_into_place(part, target, verdict)
    return verdict


def _move_into_place(part: Path, target: Path, verdict: Verdict) -> None:
    """Rename the verified partial file to ``target``, drop its record and stamp the verdict."""
    try:
        os.replace(part, target)
        discard(target)  # the record
    except OSError as exc:
        discard(target)
        raise _cache_error(exc, target.parent) from None
    write_stamp(target, verdict.sha256)


def _keep_if_whole(found: Partial, target: Path) -> bool:
    """A partial file as long as the whole file: keep it if its hash is right, else remove it.

    A fetch killed after the last byte but before the rename leaves exactly this; hashing it
    (about a second for 170 MB) beats downloading it again. True if it is now ``target``.
    """
    if not found.complete:
        return False
    print(f"A finished download ({mib(found.have)}) was never put in place: verifying it.")
    try:
        verdict = verify(path=found.path, progress=True)
    except OSError:
        verdict = Verdict(False, "")  # unreadable: as good as wrong
    if not verdict:
        print("It is not the CIFAR-10 archive (wrong SHA-256): thrown away, starting again.")
        discard(target)
        return False
    _move_into_place(found.path, target, verdict)
    print("It is the CIFAR-10 archive: kept, nothing to download.")
    return True


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


def _copy_local(source: Path, target: Path) -> Verdict:
    size = source.stat().st_size
    return _store(_file_chunks(source), size, "copying", target, str(source))


def _download(url: str, target: Path) -> Verdict:
    """Download ``url``, continuing an unfinished download of it if the server allows."""
    from workshop.data._download import open_download  # HTTP and TLS load only when needed

    found = find_partial(target)
    start = found.resumes(url) if found is not None else 0
    with open_download(url, start, found.size if found is not None and start else None) as got:
        if got.offset and got.size:
            print(
                f"Resuming at {mib(got.offset)} of {mib(got.size)} "
                f"({100 * got.offset / got.size:.0f}%): the rest comes from the same address."
            )
        elif start:
            print("The server sent the whole file again (it cannot resume): starting over.")
        verdict = _store(got.chunks(), got.size, "downloading", target, url, got.offset)
    if not verdict and got.offset:
        raise _wrong_file(url, verdict.sha256, resumed=True)
    return verdict


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


def _from_legacy_place(target: Path) -> bool:
    """Copy an archive an older Keras left behind, if it is the right one; True if it was."""
    legacy = target.parent / LEGACY_NAME
    if not legacy.is_file():
        return False
    print(f"Found an archive where older Keras versions kept it: {legacy}")
    if _copy_local(legacy, target):
        return True
    print("It is not the CIFAR-10 archive (wrong SHA-256), so it was not used.")
    return False


def _tidy_quietly(target: Path) -> None:
    """Remove what killed fetches left beside a verified archive, unless a fetch is running."""
    try:
        with fetching(target.parent):
            tidy(target, keep_partial=False)
    except DataUnavailableError:
        pass  # another fetch is running; leftovers only cost space, and the doctor reports them


def fetch_archive(source: str | None = None) -> Path:
    """Make sure the verified archive is cached; download or copy it if not. Returns its path.

    ``source``: ``None`` for the official server, an ``http(s)://`` URL (e.g. a classmate's
    ``serve-data``), or a local file path. Whatever the source, the SHA-256 decides.
    Raises :class:`DataUnavailableError` with a learner-facing message on any failure.
    """
    target = archive_path()
    folder = target.parent
    if target.is_file():
        # An explicit fetch re-hashes the cached file rather than trusting its stamp.
        if verify(path=target, progress=True):
            print(f"CIFAR-10 is already cached and verified: {target}")
            _tidy_quietly(target)
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
    with fetching(folder):
        return _fetch_into(target, source)


def _fetch_into(target: Path, source: str | None) -> Path:
    """:func:`fetch_archive` once the cache folder is ours: tidy, then download or copy."""
    url = (source or source_url()) if source is None or _is_url(source) else None
    found = find_partial(target)
    # Whatever its source: the hash decides, as for any download.
    if found is not None and _keep_if_whole(found, target):
        tidy(target, keep_partial=False)
        return target
    tidy(target, keep_partial=bool(url and found and found.resumes(url)))
    if source is None and _from_legacy_place(target):
        return target

    if url is not None:
        origin = url
        print(f"Downloading CIFAR-10 (about 163 MiB) from {origin}")
        print(f"into {target}")
        verdict = _download(origin, target)
    else:
        path = _resolve_local(source or "")
        origin = str(path)
        print(f"Copying CIFAR-10 from {path}")
        print(f"into {target}")
        verdict = _copy_local(path, target)
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
        found = find_partial(archive_path())
        if found is not None and found.have:
            print(
                f"\nStopped. The {mib(found.have)} downloaded so far are kept in "
                f"{found.path.name}; run the same command to continue from there."
            )
        else:
            print("\nStopped. Nothing partial was kept; run the same command to start again.")
        return 130
    print(f"\n✅ CIFAR-10 verified (SHA-256 {expected_sha256()[:12]}…) and cached at:\n   {path}")
    print(
        "   workshop.data.load_cifar10() and keras.datasets.cifar10.load_data() now work offline.\n"
        f"   Share it with the room: {workshop_command('serve-data')}"
    )
    return 0
