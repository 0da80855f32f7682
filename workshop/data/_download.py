"""HTTP downloads of the archive, and what each failure means for a learner.

:func:`open_download` connects and checks the status; its ``chunks()`` stream the body. Every
failure becomes a :class:`DataUnavailableError` that says what happened and what to do next,
decided by the *type* of the exception, never by its message text (which other libraries
word as they like, and translate). The first match wins, looking through the exception and
everything it wraps:

- ``requests.HTTPError``: status 404 -> wrong address or not shared there; any other status ->
  the server has a problem;
- ``ssl.SSLError`` (also inside ``requests.exceptions.SSLError``) -> the secure connection
  failed: expired certificate or a network that intercepts HTTPS;
- ``socket.gaierror`` -> the name lookup failed: offline, or no DNS;
- ``ConnectionRefusedError`` -> nothing serves there: is serve-data still running?
- ``requests.exceptions.ConnectTimeout`` -> connecting timed out;
- ``requests.exceptions.Timeout``, ``TimeoutError`` (= ``socket.timeout``) -> the server stopped
  sending;
- ``http.client.IncompleteRead``, ``ConnectionResetError`` (``RemoteDisconnected``),
  ``ConnectionAbortedError``, ``requests.exceptions.ChunkedEncodingError``, or fewer bytes than
  the announced ``Content-Length`` (:class:`Truncated`) -> the connection dropped half-way;
- ``OSError`` with errno ``ENETUNREACH`` / ``EHOSTUNREACH`` -> this computer is offline;
- anything else -> "downloading failed", with the exception's own words.

Writing into the cache is not done here, so a full disk (an ``OSError`` too) is never mistaken
for a network fault: the caller classifies write errors by errno.

Room to grow (resumable downloads): ``open_download`` is the one place that talks HTTP, so a
``start`` offset sent as a ``Range`` header, with a check for ``206 Partial Content``, fits here.
"""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from workshop.data._cache import SERVE_NAME, fetch_timeout
from workshop.data._errors import DataUnavailableError, fail

_CHUNK = 1 << 16
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
    """An open HTTP response: ``total`` bytes announced (or ``None``), body from ``chunks()``."""

    def __init__(self, url: str, response: Any) -> None:
        self.url = url
        self._response = response
        length = response.headers.get("Content-Length", "")
        encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
        # A re-compressed body (a server that ignored our header) announces its encoded length.
        self.total = int(length) if length.isdigit() and not encoded else None

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


@contextmanager
def open_download(url: str) -> Iterator[Download]:
    """Connect to ``url`` and check the answer is 200; the response is closed on leaving."""
    import requests

    try:
        response = requests.get(url, stream=True, timeout=fetch_timeout(), headers=_HEADERS)
    except Exception as exc:
        raise explain_download_error(exc, url) from None
    try:
        response.raise_for_status()
    except Exception as exc:
        response.close()
        raise explain_download_error(exc, url) from None
    with response:
        yield Download(url, response)


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
            "is a classmate's laptop, check that `python -m workshop serve-data` is still running "
            "there and that you typed the IP and port it printed."
        )
    if _first(chain, requests.exceptions.ConnectTimeout) is not None:
        return fail(f"Connecting to {host} timed out: the network is down or very slow.")
    # requests turns a timeout while streaming the body into a plain ConnectionError; urllib3
    # keeps the socket's TimeoutError as its cause, so the type is still there to find.
    if _first(chain, requests.exceptions.Timeout, TimeoutError) is not None:
        return fail(
            f"{host} stopped sending data (timed out). Nothing was saved; run the same command "
            "again, or use a closer source."
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
            f"The connection to {host} dropped in the middle of the download. The partial file "
            "was thrown away; run the same command again."
        )
    if any(isinstance(e, OSError) and e.errno in _UNREACHABLE for e in chain):
        return fail(f"Cannot reach {host}: this computer seems to be offline.")
    if isinstance(exc, requests.RequestException):
        return fail(f"Downloading from {host} failed: {exc.__class__.__name__}: {exc}")
    text = " | ".join(f"{type(x).__name__}: {x}" for x in chain[:10])
    return fail(f"Downloading from {host} failed: {text}")
