"""The one unfinished download beside the archive: clearly named, never trusted, resumed or removed.

Venue Wi-Fi drops connections; a learner who loses it at 90% should not start again from zero.
So a fetch writes into ``<archive>.partial`` (never the archive's own name) and records beside it,
in ``<archive>.partial.json``, where the bytes come from and how long the whole file is (when the
server said, or once a resume's ``Content-Range`` or the body's end told). Both are on disk from
the first byte on, since a killed process writes nothing on its way out. The next fetch from the
same URL asks for the rest, and takes it only if the server's ``Content-Range`` names the recorded
size (or any size, when none was recorded); anything else starts over. A partial file as long as
the recorded size was killed between its last byte and its rename: the next fetch hashes it and
keeps it if it is the archive.
The bytes in a partial file are never believed: the SHA-256 of the whole file decides, exactly as
for a download in one go, before anything is kept or opened.

Every fetch writes through this one name, so a fetch killed at any point (power cut, ``kill -9``)
leaves at most this pair behind, and the next fetch resumes it or replaces it. Temporary files of
earlier versions of the workshop (``.cifar10-*.part``; pooch's ``tmpXXXXXXXX``) are removed by
the next fetch too. Two fetches into one cache folder at once would write into the same file, so
on POSIX a fetch holds a lock on the folder (released by the system when the process dies).
"""

from __future__ import annotations

import errno
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from workshop.commands import workshop_command
from workshop.data._cache import OFFICIAL_URL, source_url
from workshop.data._errors import fail

_MIB = 1 << 20
# Names earlier versions left after a hard kill: our mkstemp files and pooch's temporary files.
_OLD_TEMPORARY = re.compile(r"\.cifar10-.+\.part|tmp[a-z0-9_]{8}")


def partial_path(target: Path) -> Path:
    """Where the unfinished download of ``target`` lives."""
    return target.with_name(target.name + ".partial")


def _record_path(partial: Path) -> Path:
    return partial.with_name(partial.name + ".json")


@dataclass(frozen=True)
class Partial:
    """An unfinished download on disk: ``have`` bytes of ``size`` (if known) from ``source``."""

    path: Path
    have: int
    source: str | None
    size: int | None

    @property
    def complete(self) -> bool:
        """As long as the whole file: killed after the last byte, before the rename into place."""
        return self.size is not None and self.have == self.size

    def resumes(self, url: str) -> int:
        """The offset to ask ``url`` for, or 0 when these bytes cannot continue from there."""
        if self.source != url or not url.lower().startswith(("http://", "https://")):
            return 0
        # A server that sent no length (chunked) still says the whole size when it resumes.
        if self.have <= 0 or (self.size is not None and self.have >= self.size):
            return 0
        return self.have


def find_partial(target: Path) -> Partial | None:
    """The unfinished download beside ``target``, if there is one (its record may be missing)."""
    path = partial_path(target)
    try:
        have = path.stat().st_size
    except OSError:
        return None
    try:
        record = json.loads(_record_path(path).read_text())
        source, size = record.get("source"), record.get("size")
    except (OSError, ValueError, AttributeError):
        source, size = None, None  # killed before the record was written: not resumable
    return Partial(
        path=path,
        have=have,
        source=source if isinstance(source, str) else None,
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
    )


def old_temporaries(folder: Path) -> list[Path]:
    """Temporary files an earlier version of ``fetch`` left after a hard kill."""
    try:
        return sorted(
            p for p in folder.iterdir() if _OLD_TEMPORARY.fullmatch(p.name) and p.is_file()
        )
    except OSError:
        return []


def record(partial: Path, source: str, size: int | None) -> None:
    """Note where the bytes in ``partial`` come from and how long the whole file is."""
    _record_path(partial).write_text(json.dumps({"source": source, "size": size}))


def _remove(paths: Iterable[Path]) -> None:
    """Quietly, as far as the disk lets us: a file that stays is never trusted or read (the next
    fetch replaces it, and the doctor reports it)."""
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def discard(target: Path) -> None:
    """Remove the unfinished download of ``target`` and its record (also while another failure
    is being reported)."""
    partial = partial_path(target)
    _remove((partial, _record_path(partial)))


def tidy(target: Path, keep_partial: bool) -> None:
    """Remove what earlier, killed fetches left; the partial file too unless ``keep_partial``."""
    _remove(old_temporaries(target.parent))
    if not keep_partial:
        discard(target)


@contextmanager
def fetching(folder: Path) -> Iterator[None]:
    """Hold the cache folder for one fetch; a second fetch into it at the same time is refused.

    An advisory ``flock`` on the folder itself: no lock file to leave behind, and the system
    releases it when the process ends, however it ends. Windows has no such lock on a folder, so
    there two fetches at once are not prevented (each still checks the hash of what it received).
    """
    try:
        import fcntl

        fd = os.open(folder, os.O_RDONLY)
    except (ImportError, OSError):  # no flock, or a folder we cannot open: writing will say why
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            # Busy means another fetch; any other error is a file system without locks (some
            # network drives): go on without one.
            if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                raise fail(
                    f"Another fetch is already writing into {folder} (a second terminal, or a "
                    "notebook loading CIFAR-10). Let it finish, then run this again.",
                    steps="",
                ) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def mib(n: int) -> str:
    """``n`` bytes in MiB, as every message about a download says it."""
    return f"{n / _MIB:.1f} MiB"


def describe_leftovers(target: Path, show: Callable[[Path], str] = str) -> str | None:
    """For ``python -m workshop doctor``: what killed fetches left, and the command that clears it.

    ``show`` turns a path into what is printed (the doctor shortens the home folder to ``~``).
    """
    notes = []
    partial = find_partial(target)
    if partial is not None:
        of = f" of {mib(partial.size)}" if partial.size else ""
        if partial.complete:
            advice = f"`{workshop_command('fetch')}` verifies it and keeps it if it is the archive"
        elif partial.resumes(partial.source or ""):
            default = partial.source in (source_url(), OFFICIAL_URL)
            args = "fetch" + ("" if default else f" --from {partial.source}")
            advice = f"`{workshop_command(args)}` continues it"
        else:
            advice = f"`{workshop_command('fetch')}` replaces it"
        notes.append(
            f"an unfinished download ({mib(partial.have)}{of}) is left at "
            f"{show(partial.path)}: {advice}"
        )
    old = old_temporaries(target.parent)
    if old:
        size = sum(p.stat().st_size for p in old if p.exists())
        notes.append(
            f"{len(old)} temporary file(s) of an interrupted download ({mib(size)}) are left in "
            f"{show(target.parent)}: `{workshop_command('fetch')}` removes them"
        )
    return "; ".join(notes) or None
