"""HTTP downloads of the archive, and what each failure means for a learner.

:func:`open_download` connects and checks the status; its ``chunks()`` stream the body. Every
failure becomes a :class:`DataUnavailableError` that says what happened and what to do next,
decided by the *type* of an exception in its chain of causes, never by its message text (which
other libraries word as they like, and translate): :func:`explain_download_error` tries them
in order, from an HTTP status to a dropped connection or an offline computer.

Writing into the cache is not done here, so a full disk (an ``OSError`` too) is never mistaken
for a network fault: the caller classifies write errors by errno, and says what it kept.

Resuming: ``open_download(url, start=N, size=S)`` asks for the bytes from ``N`` on with a
``Range`` header. Only a ``206 Partial Content`` whose ``Content-Range`` starts at ``N`` and names
the whole size ``S`` (any size when ``S`` is ``None``) continues the file; a ``200`` (a server
that ignores ``Range``) is taken as the whole file from byte 0, and any other answer (``416``,
another start or size) is closed and the whole file asked for again. :attr:`Download.offset`
says which happened.
"""

from __future__ import annotations

import errno
import http.client
import re
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from workshop.data._cache import SERVE_NAME, fetch_timeout
from workshop.data._errors import DataUnavailableError, fail

# Small enough that a drop loses little: the read in progress when it drops is lost with it.
_CHUNK = 1 << 14
# A .tar.gz must arrive byte for byte; never let a server re-compress it on the way.
_HEADERS = {"Accept-Encoding": "identity", "User-Agent": "cnn-workshop"}
_UNREACHABLE = {
    errno.ENETUNREACH,
    errno.EHOSTUNREACH,
    getattr(errno, "WSAENETUNREACH", errno.ENETUNREACH),
    getattr(errno, "WSAEHOSTUNREACH", errno.EHOSTUNREACH),
}


class Truncated(ConnectionError):
    """The body ended before the length the server announced (urllib3 1.x does not check)."""


class Download:
    """An open HTTP response whose body is the file from byte ``offset`` on.

    ``total``: bytes in this body as announced (or ``None``); ``size``: bytes in the whole file
    (or ``None`` when the server does not say); ``chunks()`` streams the body.
    """

    def __init__(self, url: str, response: Any, offset: int = 0, size: int | None = None) -> None:
        self.url = url
        self._response = response
        self.offset = offset
        length = response.headers.get("Content-Length", "")
        encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
        # A re-compressed body (a server that ignored our header) announces its encoded length.
        self.total = int(length) if length.isdigit() and not encoded else None
        self.size = size if offset else self.total

    def chunks(self) -> Iterator[bytes]:
        """The body in chunks; a failure on the way raises :class:`DataUnavailableError`."""
        received = 0
        try:
            for chunk in self._response.iter_content(chunk_size=_CHUNK):
                received += len(chunk)
                yield chunk
            if self.total is not None and received < self.total:
                raise Truncated(f"{received} of {self.total} bytes")
        except Exception as exc:  # KeyboardInterrupt passes: it is the learner's, not the net's
            raise explain_download_error(exc, self.url) from None


_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+)", re.IGNORECASE)


def _continues(response: Any, start: int, size: int | None) -> int | None:
    """The whole file's size if ``response`` is the rest of it from ``start``, else ``None``."""
    if response.status_code != 206:
        return None
    match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
    if match is None:
        return None
    first, last, whole = (int(g) for g in match.groups())
    if first != start or last != whole - 1 or (size is not None and whole != size):
        return None
    return whole


def _get(url: str, start: int) -> Any:
    """A streaming GET (from byte ``start`` when it is positive); 4xx and 5xx raise."""
    import requests

    headers = dict(_HEADERS, Range=f"bytes={start}-") if start else _HEADERS
    try:
        response = requests.get(url, stream=True, timeout=fetch_timeout(), headers=headers)
    except Exception as exc:
        raise explain_download_error(exc, url) from None
    if start and response.status_code == 416:
        return response  # the range no longer fits the file: the caller starts over
    try:
        response.raise_for_status()
    except Exception as exc:
        response.close()
        raise explain_download_error(exc, url) from None
    return response


@contextmanager
def open_download(url: str, start: int = 0, size: int | None = None) -> Iterator[Download]:
    """Connect to ``url``; the response is closed on leaving.

    With ``start`` > 0, ask for the rest of a file of ``size`` bytes of which ``start`` are
    already here; :attr:`Download.offset` is ``start`` if the server continues it, 0 if the body
    is the whole file.
    """
    response = _get(url, start)
    offset = 0
    whole = None
    if start:
        whole = _continues(response, start, size)
        if whole is not None:
            offset = start
        elif response.status_code != 200:  # 416, or a range we did not ask for: start over
            response.close()
            response = _get(url, 0)
    with response:
        yield Download(url, response, offset, whole)


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and everything it wraps: ``__cause__``, ``__context__``, urllib3's ``reason``.

    requests wraps urllib3's exceptions, which wrap the socket's; the type that explains the
    failure is usually at the bottom.
    """
    found: list[BaseException] = []
    todo: list[object] = [exc]
    while todo and len(found) < 30:
        e = todo.pop(0)
        if not isinstance(e, BaseException) or any(e is f for f in found):
            continue
        found.append(e)
        todo += [e.__cause__, e.__context__, getattr(e, "reason", None), *e.args]
    return found


def _first(chain: list[BaseException], *types: type[BaseException]) -> BaseException | None:
    return next((e for e in chain if isinstance(e, types)), None)


def explain_download_error(exc: BaseException, url: str) -> DataUnavailableError:
    """What happened and what to do next, decided by the types in ``exc``'s chain of causes."""
    import requests

    host = urlsplit(url).netloc or url
    chain = _causes(exc)

    http_error = _first(chain, requests.HTTPError)
    if http_error is not None and http_error.response is not None:
        response = http_error.response
        if response.status_code == 404:
            return fail(
                f"{host} answered 404 Not Found for {url}: the address is wrong or the file is "
                f"not shared there. A serve-data address ends in /{SERVE_NAME}; copy the exact "
                "command it printed."
            )
        return fail(
            f"{host} answered HTTP {response.status_code} ({response.reason}) for {url}: the "
            "server has a problem, not your computer. Try again in a few minutes, or use another "
            "source."
        )
    # An expired certificate and a network that intercepts HTTPS both raise
    # SSLCertVerificationError, so the message names both.
    tls = _first(chain, ssl.SSLError, requests.exceptions.SSLError)
    if tls is not None:
        return fail(
            f"The secure connection to {host} failed ({tls.__class__.__name__}); the server's "
            "certificate may have expired, or the venue network intercepts HTTPS. Nothing was "
            "saved."
        )
    if _first(chain, socket.gaierror) is not None:
        return fail(
            f"Could not look up the server name {host}: this computer seems to be offline "
            "(or its DNS is not working)."
        )
    if _first(chain, ConnectionRefusedError) is not None:
        return fail(
            f"{host} refused the connection: nothing is serving on that address and port. If it "
            "is a classmate's laptop, check that serve-data is still running "
            "there and that you typed the IP and port it printed."
        )
    if _first(chain, requests.exceptions.ConnectTimeout) is not None:
        return fail(f"Connecting to {host} timed out: the network is down or very slow.")
    # requests turns a timeout while streaming the body into a plain ConnectionError; urllib3
    # keeps the socket's TimeoutError as its cause, so the type is still there to find.
    if _first(chain, requests.exceptions.Timeout, TimeoutError) is not None:
        return fail(
            f"{host} stopped sending data (timed out). Run the same command again, or use a "
            "closer source."
        )
    dropped = (
        http.client.IncompleteRead,
        ConnectionResetError,  # includes http.client.RemoteDisconnected
        ConnectionAbortedError,
        requests.exceptions.ChunkedEncodingError,
        Truncated,
    )
    if _first(chain, *dropped) is not None:
        return fail(
            f"The connection to {host} dropped in the middle of the download. Run the same "
            "command again."
        )
    if any(isinstance(e, OSError) and e.errno in _UNREACHABLE for e in chain):
        return fail(f"Cannot reach {host}: this computer seems to be offline.")
    if isinstance(exc, requests.RequestException):
        return fail(f"Downloading from {host} failed: {exc.__class__.__name__}: {exc}")
    text = " | ".join(f"{type(x).__name__}: {x}" for x in chain[:10])
    return fail(f"Downloading from {host} failed: {text}")
