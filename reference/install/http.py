"""One bounded HTTP GET: a deadline for the whole request and a cap on the body.

:mod:`urllib` bounds each network operation (``http-read-timeout``), not the
request: a server sending one byte every few seconds never times out, and a
body that never ends is read whole. Here every request also has a deadline
(``http-deadline``): a watchdog shuts its socket down when it passes, whatever
phase the request is in (connecting, headers, body). The body is read chunk by
chunk up to a size limit (``page-bytes``, ``document-bytes``, ``wheel-bytes``).
Either limit hit raises :class:`~reference.limits.LimitExceeded`.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reference.install.pages import SourceError
from reference.limits import LIMITS, Deadline, LimitExceeded, int_limit, limit, quoted

__all__ = ["Response", "http_get"]

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Response:
    """A response whose body was read whole: the final URL (after redirects), its type and body."""

    url: str
    content_type: str
    body: bytes


class _Watchdog:
    """Shuts the request's sockets down when its deadline passes."""

    def __init__(self, deadline: Deadline) -> None:
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(deadline.remaining(), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.fired:
                _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shutdown(sock)

    def stop(self) -> None:
        self._timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _opener(watchdog: _Watchdog) -> urllib.request.OpenerDirector:
    """An opener for http(s) only (no ``file:``, ``ftp:`` or ``data:`` handler, redirects only to
    http(s)), whose connections register their socket with ``watchdog``."""

    def watched(connection_class: Any) -> Any:
        class Watched(connection_class):  # type: ignore[misc]
            def connect(self) -> None:
                super().connect()
                watchdog.watch(self.sock)

        return Watched

    class Handler(urllib.request.HTTPHandler):
        def do_open(self, http_class: Any, req: Any, **kwargs: Any) -> Any:
            return super().do_open(watched(http_class), req, **kwargs)

    class SecureHandler(urllib.request.HTTPSHandler):
        def do_open(self, http_class: Any, req: Any, **kwargs: Any) -> Any:
            return super().do_open(watched(http_class), req, **kwargs)

    class Redirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
            # only to http(s): not to ftp: (which urllib follows) or anything else
            if urllib.parse.urlsplit(newurl).scheme not in ("http", "https"):
                return None
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(), Handler(), SecureHandler(), Redirects(),
        urllib.request.UnknownHandler(), urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def http_get(
    url: str,
    *,
    accept: str | None = None,
    limit_name: str = "document-bytes",
    sink: Callable[[bytes], None] | None = None,
) -> Response:
    """GET ``url`` within ``http-deadline``, its body capped at the limit ``limit_name``.

    :param sink: receives the body chunk by chunk instead of it being kept
        (the returned body is then empty), for downloads.
    :raises LimitExceeded: the deadline passed or the body is too large.
    :raises urllib.error.HTTPError: the server answered with an error status.
    :raises SourceError: the URL is malformed or the request failed.
    """
    deadline = Deadline("http-deadline")
    watchdog = _Watchdog(deadline)
    try:
        request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
        with _opener(watchdog).open(request, timeout=limit("http-read-timeout")) as response:
            body = _read_body(response, url, limit_name, sink, watchdog)
            return Response(response.geturl(), response.headers.get_content_type(), body)
    except urllib.error.HTTPError:
        raise
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        if watchdog.fired:
            raise LimitExceeded("http-deadline", f"over {LIMITS['http-deadline'].shown(deadline.seconds)}",
                                url) from None
        reason = getattr(exc, "reason", exc)
        raise SourceError(f"{quoted(url)}: {reason}") from exc
    finally:
        watchdog.stop()


def _read_body(
    response: Any, url: str, limit_name: str, sink: Callable[[bytes], None] | None, watchdog: _Watchdog
) -> bytes:
    """The body, chunk by chunk (``read1``: one network read each), within the size limit."""
    most = int_limit(limit_name)
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and len(declared) < 20 and int(declared) > most:
        raise LimitExceeded(limit_name, f"{int(declared)} bytes (Content-Length)", url)
    chunks: list[bytes] = []
    total = 0
    while chunk := response.read1(_CHUNK):
        total += len(chunk)
        if total > most:
            raise LimitExceeded(limit_name, f"more than {LIMITS[limit_name].shown(most)}", url)
        if sink is not None:
            sink(chunk)
        else:
            chunks.append(chunk)
    if watchdog.fired:  # the socket was shut down under the read: the body is cut short
        raise OSError("deadline passed")
    return b"".join(chunks)
