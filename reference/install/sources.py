"""Where release files come from: find-links directories and simple indexes.

A :class:`Source` lists the files of one project as a
:class:`~reference.install.pages.ProjectPage` and fetches them. Two kinds of
sources exist:

- :class:`FindLinks`: a local directory of files (the PEP's "local directory of wheels");
- :class:`SimpleIndex`: a PEP 503 HTML or PEP 691 JSON simple repository,
  over ``http(s)://`` or ``file://``. Over HTTP the format is negotiated with
  the ``Accept`` header (PEP 691); over ``file://`` the project directory's
  ``index.json`` is read if present, else ``index.html``.

Everything fetched is checked against the hashes the source gave for it
(``#sha256=`` URL fragments, or the PEP 691 ``hashes`` dictionary) before it is
used; a mismatch is a :class:`~reference.install.pages.HashMismatch`.

Every read is bounded (:mod:`reference.limits`): local files must be regular
files within a size limit, HTTP requests have a deadline and a size cap
(:mod:`reference.install.http`); a downloaded file is written under its name
only once that name is checked (``reference:safe-name``) and its hashes
verified, streamed to disk rather than held in memory. This module does no
selection; it only says what is there.
"""

from __future__ import annotations

import os
import re
import tempfile
import urllib.error
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from packaging.utils import canonicalize_name

from reference.install.http import http_get
from reference.install.pages import (
    FileLink,
    HashCheck,
    ProjectPage,
    SourceError,
    file_url_path,
    parse_html_page,
    parse_json_page,
    verify_hashes,
)
from reference.limits import LIMITS, LimitExceeded, check_name, int_limit, open_regular, quoted, read_regular

__all__ = [
    "DEFAULT_TIMEOUT",
    "FindLinks",
    "SimpleIndex",
    "Source",
    "open_source",
]

DEFAULT_TIMEOUT = LIMITS["http-read-timeout"].default
"""Seconds allowed for one network operation (the ``http-read-timeout`` limit)."""

_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
_URL_SAFE_RE = re.compile(r"[A-Za-z0-9_.~-]+")
_CHUNK = 1024 * 1024


class Source:
    """Base class: where release files come from.

    Subclasses implement :meth:`project_page` and may restrict :meth:`read_url`.
    """

    description: str = ""

    def project_page(self, project: str) -> ProjectPage:
        """The files of ``project`` (any spelling; compared normalized).

        :raises SourceError: the source cannot be read.
        """
        raise NotImplementedError

    def empty_hint(self, project: str) -> str:
        """When *project* has no files here: what the source expected, if it can tell ("" otherwise)."""
        return ""

    def read_url(self, url: str, limit_name: str = "document-bytes") -> bytes:
        """The bytes at ``url`` (at most the limit ``limit_name``), without hash checking."""
        return _read_url(url, limit_name=limit_name)

    def fetch(self, link: FileLink) -> bytes:
        """The bytes of ``link`` (a document: at most ``document-bytes``), verified against its hashes.

        :raises HashMismatch: the bytes do not match.
        :raises SourceError: they cannot be read.
        """
        data = self.read_url(link.url)
        verify_hashes(data, link.hashes, link.filename, link.size)
        return data

    def fetch_to(self, link: FileLink, directory: Path) -> Path:
        """A local path holding the verified file (copied into ``directory`` if remote or hashed).

        The file is streamed to a temporary name in ``directory``, hashed on
        the way, and takes its own name only once verified; that name is
        checked to be one path component before anything is written.

        :raises UnsafeName: the link's filename is not a safe file name.
        :raises HashMismatch: the bytes do not match the link's hashes.
        :raises LimitExceeded: the file is larger than ``wheel-bytes``.
        """
        local = link.local_path
        # used where it is only under its own name (a lock's wheel may be stored under another)
        if local is not None and not link.hashes and link.size is None and local.name == link.filename:
            if not local.is_file():
                raise SourceError(f"{quoted(link.filename)}: no such file: {quoted(str(local))}")
            return local
        check_name(link.filename, "filename", link.url)
        check = HashCheck(link.hashes, link.filename, link.size)
        directory.mkdir(parents=True, exist_ok=True)
        descriptor, partial = tempfile.mkstemp(prefix=".partial-", dir=directory)
        try:
            with os.fdopen(descriptor, "wb") as out:
                def sink(chunk: bytes) -> None:
                    check.update(chunk)
                    out.write(chunk)

                self.stream_url(link.url, sink)
            check.verify()
            target = directory / link.filename
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        return target

    def stream_url(self, url: str, sink: Callable[[bytes], None]) -> None:
        """Pass the bytes at ``url`` to ``sink`` chunk by chunk, at most ``wheel-bytes``."""
        _stream_url(url, sink)


def _local(url: str) -> Path:
    return file_url_path(urllib.parse.urlsplit(url).path)


def _read_url(url: str, accept: str | None = None, limit_name: str = "document-bytes") -> bytes:
    """The bytes at a ``file:`` or ``http(s):`` URL, at most the limit ``limit_name``."""
    scheme = _scheme(url)
    if scheme == "file":
        path = _local(url)
        try:
            return read_regular(path, limit_name)
        except OSError as exc:
            raise SourceError(f"cannot read {quoted(str(path))}: {exc.strerror or exc}") from exc
    try:
        return http_get(url, accept=accept, limit_name=limit_name).body
    except urllib.error.HTTPError as exc:
        raise SourceError(f"{quoted(url)}: HTTP {exc.code} {exc.reason}") from exc


def _stream_url(url: str, sink: Callable[[bytes], None]) -> None:
    if _scheme(url) != "file":
        try:
            http_get(url, limit_name="wheel-bytes", sink=sink)
        except urllib.error.HTTPError as exc:
            raise SourceError(f"{quoted(url)}: HTTP {exc.code} {exc.reason}") from exc
        return
    path = _local(url)
    most = int_limit("wheel-bytes")
    try:
        with open_regular(path) as stream:
            total = 0
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > most:
                    raise LimitExceeded("wheel-bytes", f"more than {LIMITS['wheel-bytes'].shown(most)}", url)
                sink(chunk)
    except OSError as exc:
        raise SourceError(f"cannot read {quoted(str(path))}: {exc.strerror or exc}") from exc


def _scheme(url: str) -> str:
    """The URL's scheme, which must be ``file``, ``http`` or ``https``."""
    try:
        scheme = urllib.parse.urlsplit(url).scheme
    except ValueError as exc:
        raise SourceError(f"malformed URL {quoted(url)}: {exc}") from None
    if scheme not in ("file", "http", "https"):
        raise SourceError(f"unsupported URL scheme in {quoted(url)}")
    return scheme


class FindLinks(Source):
    """A local directory of release files (``--find-links DIR``)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.description = f"find-links {self.directory}"

    def project_page(self, project: str) -> ProjectPage:
        """Every ``.whl`` and ``-variants.json`` file of the project in the directory.

        A name that is not valid UTF-8 (a file system allows any bytes) cannot
        be a wheel filename, which is ASCII: it is listed in ``ignored``.
        """
        if not self.directory.is_dir():
            raise SourceError(f"find-links directory not found: {quoted(str(self.directory))}")
        page = ProjectPage(canonicalize_name(project), self.description)
        base = self.directory.absolute().as_uri().rstrip("/") + "/"
        for name in sorted(os.listdir(self.directory)):
            if not name.endswith((".whl", ".json")):
                continue
            try:
                name.encode("utf-8")
            except UnicodeEncodeError:
                page.ignored.append((name, "the name is not valid UTF-8"))
                continue
            url = base + (name if _URL_SAFE_RE.fullmatch(name) else urllib.parse.quote(name))
            page.add(FileLink(name, url))
        return page

    def empty_hint(self, project: str) -> str:
        """A directory with no wheel at all is usually the folder above the find-links one.

        A built fixture index is ``<index-id>/{flat,simple,json}``: ``flat`` is the
        find-links directory; this names the folders below that hold wheels of *project*.
        """
        wanted = canonicalize_name(project)

        def holds_project(folder: Path) -> bool:
            return folder.is_dir() and any(
                child.suffix == ".whl" and canonicalize_name(child.name.split("-", 1)[0]) == wanted
                for child in folder.iterdir()
            )

        try:
            if any(name.endswith(".whl") for name in os.listdir(self.directory)):
                return ""
            below = sorted(
                p for pattern in ("*", "*/flat") for p in self.directory.glob(pattern) if holds_project(p)
            )
        except OSError:
            return ""
        shown = ", ".join(quoted(str(p)) for p in below[:5]) + (", ..." if len(below) > 5 else "")
        where = f": did you mean {shown}?" if below else ""
        return (
            "; it holds no wheel file at all: --find-links wants the folder that holds the .whl and "
            f"-variants.json files themselves (a built fixture index's is <index-id>/flat){where}"
        )


class SimpleIndex(Source):
    """A simple repository (``--index-url URL``): PEP 503 HTML or PEP 691 JSON.

    Over http(s), the pages may link only http(s) URLs (``reference:link-scheme``)
    and no ``file:`` URL is read, whatever a page says.
    """

    def __init__(self, url: str) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.description = f"index {self.url}"
        self.remote = _scheme(self.url) != "file"

    def read_url(self, url: str, limit_name: str = "document-bytes") -> bytes:
        """As :meth:`Source.read_url`; an http(s) index reads no ``file:`` URL."""
        self._check_scheme(url)
        return super().read_url(url, limit_name)

    def stream_url(self, url: str, sink: Callable[[bytes], None]) -> None:
        """As :meth:`Source.stream_url`; an http(s) index reads no ``file:`` URL."""
        self._check_scheme(url)
        super().stream_url(url, sink)

    def _check_scheme(self, url: str) -> None:
        if self.remote and _scheme(url) == "file":
            raise SourceError(f"{quoted(url)}: an http(s) index may not send the reference to a local file")

    def project_page(self, project: str) -> ProjectPage:
        """Fetch and parse ``{index}/{normalized project}/``."""
        name = canonicalize_name(project)
        page_url = urllib.parse.urljoin(self.url, f"{name}/")
        page = ProjectPage(name, self.description, remote=self.remote)
        if not self.remote:
            local = _local(page_url)
            if not local.is_dir() and local.parent.is_dir():
                page.missing = True
                return page
            if (local / "index.json").is_file():
                parse_json_page(page, page_url, _read_url(page_url + "index.json", limit_name="page-bytes"))
            else:
                parse_html_page(page, page_url, _read_url(page_url + "index.html", limit_name="page-bytes"))
            return page
        try:
            response = http_get(page_url, accept=_ACCEPT, limit_name="page-bytes")
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                # PEP 503 / pip behaviour: an unknown project simply has no files
                page.missing = True
                return page
            raise SourceError(f"{page_url}: HTTP {exc.code} {exc.reason}") from exc
        content_type = response.content_type
        if content_type.endswith("+json") or content_type == "application/json":
            parse_json_page(page, response.url, response.body)
        else:
            parse_html_page(page, response.url, response.body)
        return page


def open_source(find_links: str | None = None, index_url: str | None = None) -> Source:
    """The source named by the CLI options (exactly one must be given).

    :raises SourceError: the index URL is malformed or not ``file``/``http(s)``.
    """
    if (find_links is None) == (index_url is None):
        raise ValueError("give exactly one of find_links and index_url")
    if find_links is not None:
        return FindLinks(find_links)
    assert index_url is not None
    return SimpleIndex(index_url)
