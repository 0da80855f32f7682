"""Get CIFAR-10 into Keras' cache once, verified: from the internet, a classmate or a USB stick.

The archive lands exactly where Keras >= 3.6 looks for it
(``$KERAS_HOME/datasets/cifar-10-batches-py-target_archive``, default ``~/.keras``), so after one
``python -m workshop fetch`` both ``workshop.data.load_cifar10()`` and plain
``keras.datasets.cifar10.load_data()`` work offline.

Safety rules this module keeps:
- the official SHA-256 decides, whatever the source (a file from a classmate is checked like one
  from the internet);
- bytes are written to a temporary file in the cache folder and renamed only after the hash
  matched, so a crash, a full disk or a dropped connection never leaves a file at the final path;
- nothing is unpickled here; ``workshop.data`` unpickles only bytes whose hash it has checked.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

__all__ = [
    "ARCHIVE_NAME",
    "DataUnavailableError",
    "OFFICIAL_SHA256",
    "OFFICIAL_SIZE",
    "OFFICIAL_URL",
    "SERVE_NAME",
    "archive_path",
    "cache_dir",
    "cached_archive",
    "expected_sha256",
    "fetch_archive",
    "fetch_command",
    "sha256_of",
    "source_url",
    "verified_archive",
]

OFFICIAL_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
OFFICIAL_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
OFFICIAL_SIZE = 170_498_071
# The name Keras >= 3.6 gives the archive: get_file(fname="cifar-10-batches-py-target",
# extract=True) stores the download as "<fname>_archive" and unpacks it into "<fname>/".
ARCHIVE_NAME = "cifar-10-batches-py-target_archive"
# The name Keras < 3.6 used, still found on laptops that ran an older Keras once.
LEGACY_NAME = "cifar-10-batches-py.tar.gz"
# The name the archive has on the official server and under `serve-data`.
SERVE_NAME = "cifar-10-python.tar.gz"

# TEST-ONLY overrides, so the test suite can exercise the real download code against a small
# archive on a loopback server. Never set them for a workshop: the official hash must decide.
ENV_URL = "WORKSHOP_CIFAR10_URL"
ENV_SHA256 = "WORKSHOP_CIFAR10_SHA256"
ENV_TIMEOUT = "WORKSHOP_FETCH_TIMEOUT"

_CHUNK = 1 << 20
_FULL_DISK = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NOT_WRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS}


class DataUnavailableError(RuntimeError):
    """CIFAR-10 could not be provided. The message is for the learner: what happened, what next."""


def expected_sha256() -> str:
    """The SHA-256 the archive must have (the official one unless a test overrides it)."""
    return os.environ.get(ENV_SHA256, "").strip().lower() or OFFICIAL_SHA256


def source_url() -> str:
    """Where ``fetch`` downloads from without ``--from`` (official server unless a test says)."""
    return os.environ.get(ENV_URL, "").strip() or OFFICIAL_URL


def cache_dir() -> Path:
    """Keras' dataset cache folder: ``$KERAS_HOME/datasets``, else ``~/.keras/datasets``."""
    home = os.environ.get("KERAS_HOME")
    if home:
        return Path(home).expanduser() / "datasets"
    base = Path("~").expanduser()
    # Same fallback as Keras when the home folder cannot be written.
    if not os.access(base, os.W_OK):
        base = Path("/tmp")
    return base / ".keras" / "datasets"


def archive_path() -> Path:
    """Where the verified archive lives (whether or not it is there yet)."""
    return cache_dir() / ARCHIVE_NAME


def sha256_of(path: Path, progress: bool = False) -> str:
    """SHA-256 of a file, read in 1 MiB chunks (optionally with a progress bar)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh, _progress(path.stat().st_size, "verifying", progress) as bar:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            bar.update(len(chunk))
    return digest.hexdigest()


# --- the "already verified" stamp -------------------------------------------------------------
# Hashing 170 MB takes about a second; `python -m workshop check` should not pay that each time.
# After a full verification we note (hash, size, mtime) beside the archive; a file whose size or
# mtime changed since is hashed again before anyone trusts it.


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _write_stamp(path: Path, sha256: str) -> None:
    st = path.stat()
    record = {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    try:
        _stamp_path(path).write_text(json.dumps(record))
    except OSError:
        pass  # only a speed-up: without it the next check hashes the file again


def _stamp_matches(path: Path) -> bool:
    try:
        record = json.loads(_stamp_path(path).read_text())
        st = path.stat()
    except (OSError, ValueError):
        return False
    return (
        isinstance(record, dict)
        and record.get("sha256") == expected_sha256()
        and record.get("size") == st.st_size
        and record.get("mtime_ns") == st.st_mtime_ns
    )


def _forget(path: Path) -> None:
    """Remove an untrustworthy file and its stamp."""
    for p in (path, _stamp_path(path)):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def cached_archive() -> Path | None:
    """The cached archive if it is there and looks verified, else ``None``. Cheap: no hashing.

    "Looks verified" means our stamp matches its size and modification time, or (for an archive
    Keras downloaded itself) it has the official size. Loading hashes it in full anyway.
    """
    path = archive_path()
    if not path.is_file():
        return None
    if _stamp_matches(path):
        return path
    if expected_sha256() == OFFICIAL_SHA256 and path.stat().st_size == OFFICIAL_SIZE:
        return path
    return None


def verified_archive(progress: bool = False) -> Path | None:
    """The cached archive after a full SHA-256 check, else ``None`` (a wrong file is left alone)."""
    path = archive_path()
    if not path.is_file():
        return None
    if sha256_of(path, progress=progress) != expected_sha256():
        return None
    _write_stamp(path, expected_sha256())
    return path


# --- messages ---------------------------------------------------------------------------------


def _next_steps() -> str:
    return (
        "Next step, any one of:\n"
        "  - on a network that works, before the workshop:  python -m workshop fetch\n"
        "  - from the instructor or a classmate running `python -m workshop serve-data`:\n"
        f"      python -m workshop fetch --from http://THEIR-IP:8765/{SERVE_NAME}\n"
        f"  - from a USB stick:  python -m workshop fetch --from /path/to/{SERVE_NAME}\n"
        "  - or carry on with the drawn stand-in: set WORKSHOP_DATA=synthetic before starting"
        " Jupyter"
    )


def _fail(what: str, steps: str | None = None) -> DataUnavailableError:
    return DataUnavailableError(f"{what}\n{steps if steps is not None else _next_steps()}")


def _cache_error(exc: OSError, folder: Path) -> DataUnavailableError:
    """A learner-facing error for a failed write into the cache folder."""
    if exc.errno in _FULL_DISK:
        return _fail(
            f"The disk holding {folder} is full: CIFAR-10 needs about 170 MB there "
            "(Keras unpacks another 180 MB beside it).\n"
            "Nothing was saved. Free some space and run the same command again, or put the cache "
            "on another disk with the KERAS_HOME environment variable "
            "(e.g. KERAS_HOME=D:\\keras on Windows)."
        )
    if exc.errno in _NOT_WRITABLE or isinstance(exc, PermissionError):
        return _fail(
            f"Cannot write to the cache folder {folder} ({exc.strerror or exc}).\n"
            "Nothing was saved. Point Keras at a folder you can write to with the KERAS_HOME "
            "environment variable (e.g. KERAS_HOME=$HOME/keras-cache), then run the same "
            "command again."
        )
    return _fail(f"Could not write to the cache folder {folder}: {exc}. Nothing was saved.")


def _wrong_file(source: str, got: str) -> DataUnavailableError:
    return _fail(
        f"The file from {source} is not the CIFAR-10 archive: its SHA-256 is\n"
        f"  {got}\nbut must be\n  {expected_sha256()}\n"
        "It is incomplete, damaged or a different file, so it was thrown away and nothing was "
        "saved. Try again, or take it from another source."
    )


def _explain_download_error(exc: BaseException, url: str) -> DataUnavailableError:
    """Turn a requests/pooch/OS exception into what happened + what to do next."""
    import requests

    host = urlsplit(url).netloc or url
    chain = []
    e: BaseException | None = exc
    while e is not None and len(chain) < 10:
        chain.append(e)
        e = e.__cause__ or e.__context__
    text = " | ".join(f"{type(x).__name__}: {x}" for x in chain)

    if isinstance(exc, requests.exceptions.HTTPError) and exc.response is not None:
        code = exc.response.status_code
        if code == 404:
            return _fail(
                f"{host} answered 404 Not Found for {url}: the address is wrong or the file is "
                f"not shared there. A serve-data address ends in /{SERVE_NAME}; copy the exact "
                "command it printed."
            )
        return _fail(
            f"{host} answered HTTP {code} ({exc.response.reason}) for {url}: the server has a "
            "problem, not your computer. Try again in a few minutes, or use another source."
        )
    if isinstance(exc, requests.exceptions.SSLError):
        return _fail(
            f"The secure connection to {host} failed ({exc.__class__.__name__}); the server's "
            "certificate may have expired, or the venue network intercepts HTTPS. Nothing was "
            "saved."
        )
    if isinstance(exc, requests.exceptions.ConnectTimeout) or "ConnectTimeout" in text:
        return _fail(f"Connecting to {host} timed out: the network is down or very slow.")
    if isinstance(exc, requests.exceptions.Timeout) or "Read timed out" in text:
        return _fail(
            f"{host} stopped sending data (timed out). Nothing was saved; run the same command "
            "again, or use a closer source."
        )
    if isinstance(exc, requests.exceptions.ChunkedEncodingError) or any(
        s in text for s in ("IncompleteRead", "Connection broken", "RemoteDisconnected")
    ):
        return _fail(
            f"The connection to {host} dropped in the middle of the download. The partial file "
            "was thrown away; run the same command again."
        )
    if any(
        s in text
        for s in (
            "NameResolutionError",
            "Name or service not known",
            "getaddrinfo failed",
            "nodename nor servname",
            "Temporary failure in name resolution",
            "No address associated",
        )
    ):
        return _fail(
            f"Could not look up the server name {host}: this computer seems to be offline "
            "(or its DNS is not working)."
        )
    if "Connection refused" in text or "ConnectionRefusedError" in text:
        return _fail(
            f"{host} refused the connection: nothing is serving on that address and port. If it "
            "is a classmate's laptop, check that `python -m workshop serve-data` is still running "
            "there and that you typed the IP and port it printed."
        )
    if "Network is unreachable" in text or "No route to host" in text:
        return _fail(f"Cannot reach {host}: this computer seems to be offline.")
    if isinstance(exc, requests.exceptions.RequestException):
        return _fail(f"Downloading from {host} failed: {exc.__class__.__name__}: {exc}")
    return _fail(f"Downloading from {host} failed: {text}")


# --- writing ------------------------------------------------------------------------------------


def _open_for_write(path: str | os.PathLike[str]) -> IO[bytes]:
    """Open a temporary download file (one place, so tests can simulate a full disk)."""
    return open(path, "wb")


@contextmanager
def _progress(total: int, desc: str, enabled: bool = True) -> Iterator[Any]:
    from tqdm.auto import tqdm

    bar = tqdm(
        total=total,
        desc=desc,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        disable=not enabled,
        ascii=os.name == "nt",
        ncols=79,
    )
    try:
        yield bar
    finally:
        bar.close()


def _download(url: str, target: Path, sha256: str) -> None:
    """Download ``url`` to ``target`` with pooch: temp file in the same folder, hash, rename."""
    import logging

    import pooch
    import requests

    http = pooch.HTTPDownloader(
        progressbar=True,
        chunk_size=1 << 16,
        timeout=float(os.environ.get(ENV_TIMEOUT, "30")),
        # A .tar.gz must arrive byte for byte; never let a server re-compress it on the way.
        headers={"Accept-Encoding": "identity", "User-Agent": "cnn-workshop"},
    )

    def downloader(url: str, output_file: str, pup: Any) -> None:
        with _open_for_write(output_file) as fh:
            http(url, fh, pup)

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)  # we print our own, friendlier progress lines
    try:
        pooch.retrieve(
            url,
            known_hash=f"sha256:{sha256}",
            fname=target.name,
            path=target.parent,
            downloader=downloader,
        )
    except ValueError as exc:
        # pooch's hash mismatch: it already deleted its temporary file
        text = str(exc)
        if "does not match the known hash" not in text:
            raise _explain_download_error(exc, url) from None
        got = text.split(" but got ")[-1].split(".")[0].strip()
        raise _wrong_file(url, got) from None
    except OSError as exc:
        if isinstance(exc, requests.exceptions.RequestException):
            raise _explain_download_error(exc, url) from None
        if exc.errno in _FULL_DISK | _NOT_WRITABLE or isinstance(exc, PermissionError):
            raise _cache_error(exc, target.parent) from None
        raise _explain_download_error(exc, url) from None
    except Exception as exc:  # urllib3/requests errors that are not OSError
        raise _explain_download_error(exc, url) from None
    finally:
        logger.setLevel(level)


def _copy_local(source: Path, target: Path, sha256: str) -> None:
    """Copy a local archive (USB stick, other folder) into the cache, hashing on the way."""
    size = source.stat().st_size
    digest = hashlib.sha256()
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".cifar10-", suffix=".part", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise _cache_error(exc, target.parent) from None
    tmp = Path(tmp_name)
    try:
        try:
            src = open(source, "rb")
        except OSError as exc:
            raise _fail(f"Cannot read {source}: {exc.strerror or exc}.") from None
        with src, _progress(size, "copying") as bar:
            try:
                out = _open_for_write(tmp)
            except OSError as exc:
                raise _cache_error(exc, target.parent) from None
            with out:
                while True:
                    try:
                        chunk = src.read(_CHUNK)
                    except OSError as exc:
                        raise _fail(
                            f"Reading {source} failed half-way ({exc.strerror or exc}); was the "
                            "USB stick removed? Nothing was saved."
                        ) from None
                    if not chunk:
                        break
                    digest.update(chunk)
                    try:
                        out.write(chunk)
                    except OSError as exc:
                        raise _cache_error(exc, target.parent) from None
                    bar.update(len(chunk))
                try:
                    out.flush()
                    os.fsync(out.fileno())
                except OSError as exc:
                    raise _cache_error(exc, target.parent) from None
        got = digest.hexdigest()
        if got != sha256:
            raise _wrong_file(str(source), got)
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise _cache_error(exc, target.parent) from None
    finally:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass


def _resolve_local(source: str) -> Path:
    """A ``--from`` path: the file itself, or a folder holding the archive under a known name."""
    path = Path(source[7:] if source.startswith("file://") else source).expanduser()
    if path.is_dir():
        for name in (SERVE_NAME, ARCHIVE_NAME, LEGACY_NAME):
            if (path / name).is_file():
                return path / name
        raise _fail(
            f"The folder {path} holds no {SERVE_NAME}. Give the path of the file itself.",
            steps="",
        )
    if not path.is_file():
        raise _fail(
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


def fetch_archive(source: str | None = None) -> Path:
    """Make sure the verified archive is cached; download or copy it if not. Returns its path.

    ``source``: ``None`` for the official server, an ``http(s)://`` URL (e.g. a classmate's
    ``serve-data``), or a local file path. Whatever the source, the SHA-256 decides.
    Raises :class:`DataUnavailableError` with a learner-facing message on any failure.
    """
    sha256 = expected_sha256()
    target = archive_path()
    folder = target.parent
    if target.is_file():
        if sha256_of(target, progress=True) == sha256:
            _write_stamp(target, sha256)
            print(f"CIFAR-10 is already cached and verified: {target}")
            return target
        print(f"The cached file {target} is damaged or incomplete (wrong SHA-256): replacing it.")
        try:
            _forget(target)
        except OSError as exc:
            raise _cache_error(exc, folder) from None

    if source is not None:
        source = _normalise_source(source)
    if source is None:
        legacy = folder / LEGACY_NAME
        if legacy.is_file() and sha256_of(legacy) == sha256:
            print(f"Found the archive where older Keras versions kept it: {legacy}")
            source = str(legacy)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cache_error(exc, folder) from None

    if source is None or _is_url(source):
        url = source or source_url()
        print(f"Downloading CIFAR-10 (about 163 MiB) from {url}")
        print(f"into {target}")
        _download(url, target, sha256)
    else:
        path = _resolve_local(source)
        print(f"Copying CIFAR-10 from {path}")
        print(f"into {target}")
        _copy_local(path, target, sha256)
    _write_stamp(target, sha256)
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
