"""What "verified" means, decided in one place: :func:`verify`.

Verified means one thing everywhere in the workshop: **the SHA-256 of the archive's bytes equals
the expected hash** (the official one; a test may override it). Not the size, not the name, not
where the file came from: a file from a classmate is checked like one from the internet.

Each operation hashes the bytes once: a download or copy while the bytes stream past, a load the
open file it is about to parse, a check the file on disk. A stamp beside the archive records a
verdict (hash, size, modification time), so a check that only looks (the doctor, a repeated
``cached_archive()``) need not read 170 MB again; a changed file no longer matches its stamp.
Bytes about to be unpickled are always hashed, never taken on a stamp's word.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from workshop.data._cache import archive_path, expected_sha256
from workshop.data._progress import progress as progress_bar

_CHUNK = 1 << 20


def sha256_of(file: Path | IO[bytes], progress: bool = False) -> str:
    """SHA-256 of a file (a path, or an open file read to its end), in 1 MiB chunks."""
    if isinstance(file, (str, os.PathLike)):
        with open(file, "rb") as fh:
            return sha256_of(fh, progress)
    digest = hashlib.sha256()
    with progress_bar(os.fstat(file.fileno()).st_size, "verifying", progress) as bar:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
            bar.update(len(chunk))
    return digest.hexdigest()


@dataclass(frozen=True)
class Verdict:
    """The answer of :func:`verify`: true when verified; ``sha256`` is the hash that was found."""

    ok: bool
    sha256: str

    def __bool__(self) -> bool:
        return self.ok


def verify(
    *,
    path: Path | None = None,
    sha256: str | None = None,
    expected: str | None = None,
    trust_stamp: bool = False,
    progress: bool = False,
) -> Verdict:
    """Is this the archive we expect? The only function that decides "verified".

    **Verified** means: the SHA-256 of the bytes equals ``expected`` (default
    :func:`expected_sha256`, the official hash). Nothing else counts: not the size, the name or
    where the file came from. The bytes are hashed at most once: ``sha256`` is a hash already
    taken (while a download streamed in, or of the open file a load will parse); without it the
    file at ``path`` is read and hashed here (``progress`` shows a bar).

    With ``trust_stamp`` a stamp that still matches the file at ``path`` (size and modification
    time) stands in for hashing it again: the stamp records an earlier verdict of this function,
    so the meaning is the same. Only checks that look use it (the doctor, ``cached_archive``);
    bytes about to be unpickled are always hashed. A positive verdict on the archive at its
    cached place is stamped, so the next look is cheap.
    """
    want = (expected or expected_sha256()).lower()
    if sha256 is None:
        if path is None:
            raise TypeError("verify needs path or sha256")
        if trust_stamp and _stamp_matches(path, want):
            return Verdict(True, want)
        sha256 = sha256_of(path, progress=progress)
    verdict = Verdict(sha256.lower() == want, sha256.lower())
    if verdict and path is not None and path == archive_path() and not _stamp_matches(path, want):
        write_stamp(path, want)
    return verdict


def cached_archive(*, rehash: bool = False, progress: bool = False) -> Path | None:
    """The cached archive if it is there and verified, else ``None`` (a wrong file is left alone).

    Cheap once verified: a matching stamp stands in for the hash unless ``rehash`` is set
    (``serve-data`` re-hashes before sharing; the doctor trusts the stamp). An archive without a
    stamp, such as one Keras downloaded itself, is hashed once and then stamped.
    """
    path = archive_path()
    if not path.is_file():
        return None
    return path if verify(path=path, trust_stamp=not rehash, progress=progress) else None


# --- the stamp: a verdict remembered ------------------------------------------------------------
# Hashing 170 MB takes about a second; `python -m workshop doctor` should not pay that each time.
# After a full verification we note (hash, size, mtime) beside the archive; a file whose size or
# mtime changed since is hashed again before anyone trusts it.


def stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def write_stamp(path: Path, sha256: str) -> None:
    """Remember that the file at ``path`` (as it is now) hashed to ``sha256``."""
    st = path.stat()
    record = {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    try:
        stamp_path(path).write_text(json.dumps(record))
    except OSError:
        pass  # only a speed-up: without it the next check hashes the file again


def _stamp_matches(path: Path, sha256: str) -> bool:
    try:
        record = json.loads(stamp_path(path).read_text())
        st = path.stat()
    except (OSError, ValueError):
        return False
    return (
        isinstance(record, dict)
        and record.get("sha256") == sha256
        and record.get("size") == st.st_size
        and record.get("mtime_ns") == st.st_mtime_ns
    )


def forget(path: Path) -> None:
    """Remove an untrustworthy file and its stamp."""
    for p in (path, stamp_path(path)):
        try:
            p.unlink()
        except FileNotFoundError:
            pass
