"""A loopback HTTP server for built fixture indexes, with its own limits.

:class:`FixtureServer` serves a directory written by
:func:`conformance.fixtures.build_all` on ``127.0.0.1`` on a free port, from a
daemon thread. It stops itself after ``max_requests`` requests or
``max_seconds`` seconds, whichever comes first, so a hung test cannot keep it
alive. Usage::

    with FixtureServer(outdir) as server:
        url = server.url + "/pep825-foo/simple/"     # PEP 503 HTML
        url = server.url + "/pep825-foo/json/"       # PEP 691 JSON

Content types: ``text/html`` for HTML pages, ``application/vnd.pypi.simple.v1+json``
for the PEP 691 pages (``index.json``), ``application/json`` for
``*-variants.json`` and ``application/octet-stream`` for wheels; single byte
ranges (``Range: bytes=...``) are honoured, as on real indexes. A directory
URL serves its ``index.html`` or ``index.json``; a directory URL without the
trailing slash is redirected to it.
"""

from __future__ import annotations

import posixpath
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from conformance.fixtures import PEP691_CONTENT_TYPE

__all__ = ["FixtureServer"]

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".whl": "application/octet-stream",
    ".json": "application/json",
}


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    timeout = 10  # idle keep-alive connections end instead of holding a thread

    def do_HEAD(self) -> None:
        self._respond(body=False)

    def do_GET(self) -> None:
        self._respond(body=True)

    def _respond(self, body: bool) -> None:
        owner = self.server.owner
        if not owner._count(self.path):
            self.close_connection = True
            self.send_error(HTTPStatus.SERVICE_UNAVAILABLE, "fixture server limit reached")
            return
        path = self._resolve()
        if path is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        if path.is_dir():
            if not urlsplit(self.path).path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", urlsplit(self.path).path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            for page in ("index.html", "index.json"):
                if (path / page).is_file():
                    path = path / page
                    break
            else:
                self.send_error(HTTPStatus.NOT_FOUND)
                return
        data = path.read_bytes()
        if path.name == "index.json":
            content_type = PEP691_CONTENT_TYPE
        else:
            content_type = _TYPES.get(path.suffix, "application/octet-stream")
        status = HTTPStatus.OK
        content_range = None
        wanted = self.headers.get("Range")
        if wanted is not None:
            span = _byte_range(wanted, len(data))
            if span is None:
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = HTTPStatus.PARTIAL_CONTENT
            content_range = f"bytes {span[0]}-{span[1] - 1}/{len(data)}"
            data = data[span[0] : span[1]]
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Accept-Ranges", "bytes")
        if content_range is not None:
            self.send_header("Content-Range", content_range)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _resolve(self) -> Path | None:
        """The file or directory for the request path, never outside the root."""
        root = self.server.owner.root
        parts = [p for p in posixpath.normpath(unquote(urlsplit(self.path).path)).split("/") if p]
        if any(p in ("..", ".") for p in parts):
            return None
        path = root.joinpath(*parts)
        return path if path.exists() else None

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are recorded in :attr:`FixtureServer.requests` instead of stderr."""


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """``(start, stop)`` for a single-range ``Range: bytes=...`` header, or None.

    Supports ``bytes=A-B``, ``bytes=A-`` and ``bytes=-N`` (RFC 9110 14.1.2),
    as clients reading wheel metadata lazily send them.
    """
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, _, last = spec.strip().partition("-")
    try:
        if not first:
            start, stop = max(0, size - int(last)), size
        else:
            start = int(first)
            stop = min(size, int(last) + 1) if last else size
    except ValueError:
        return None
    return (start, stop) if 0 <= start < stop else None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: FixtureServer


class FixtureServer:
    """Serve ``root`` on 127.0.0.1 until stopped or a limit is reached.

    :param root: the directory to serve (an ``OUTDIR`` of ``build-fixtures``).
    :param port: 0 picks a free port.
    :param max_requests: stop after this many requests.
    :param max_seconds: stop this many seconds after :meth:`start`.
    """

    def __init__(
        self, root: Path, *, port: int = 0, max_requests: int = 10_000, max_seconds: float = 600.0
    ) -> None:
        self.root = Path(root).resolve()
        self.max_requests = max_requests
        self.max_seconds = max_seconds
        self.requests: list[str] = []
        """Request paths in arrival order (for tests that check what a client fetched)."""
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._closed = threading.Event()
        self._httpd = _HTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None
        self._deadline = 0.0

    @property
    def port(self) -> int:
        """The port actually bound."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        """True between :meth:`start` and the server stopping."""
        return self._thread is not None and not self._stopped.is_set()

    def start(self) -> FixtureServer:
        """Start serving in a daemon thread; returns ``self``."""
        self._deadline = time.monotonic() + self.max_seconds
        self._thread = threading.Thread(target=self._run, name="fixture-server", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            # poll_interval bounds how late the lifetime limit is noticed
            while not self._stopped.is_set() and time.monotonic() < self._deadline:
                self._httpd.timeout = min(0.2, max(0.0, self._deadline - time.monotonic()))
                self._httpd.handle_request()
        finally:
            self._stopped.set()
            self._httpd.server_close()
            self._closed.set()

    def _count(self, path: str) -> bool:
        """Record a request; False if a limit was reached before it (refuse it)."""
        with self._lock:
            if self._stopped.is_set() or time.monotonic() >= self._deadline:
                return False
            self.requests.append(path)
            if len(self.requests) >= self.max_requests:
                self._stopped.set()
            return True

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the server has stopped and closed its socket (or ``timeout``).

        :returns: True if it has stopped.
        """
        return self._closed.wait(timeout)

    def stop(self) -> None:
        """Stop serving and release the port; idempotent."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        else:
            self._httpd.server_close()
            self._closed.set()

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
