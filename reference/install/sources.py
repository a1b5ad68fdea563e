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

Fetching uses :mod:`urllib` with a bounded timeout. This module does no
selection; it only says what is there.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from pathlib import Path

from packaging.utils import canonicalize_name

from reference.install.pages import (
    FileLink,
    ProjectPage,
    SourceError,
    file_url_path,
    parse_html_page,
    parse_json_page,
    verify_hashes,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "FindLinks",
    "SimpleIndex",
    "Source",
    "open_source",
]

DEFAULT_TIMEOUT = 15.0
"""Seconds allowed for one HTTP request."""

_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
_URL_SAFE_RE = re.compile(r"[A-Za-z0-9_.~-]+")


class Source:
    """Base class: where release files come from.

    Subclasses implement :meth:`project_page` and :meth:`read_url`.
    """

    description: str = ""

    def project_page(self, project: str) -> ProjectPage:
        """The files of ``project`` (any spelling; compared normalized).

        :raises SourceError: the source cannot be read.
        """
        raise NotImplementedError

    def read_url(self, url: str) -> bytes:
        """The bytes at ``url``, without hash checking."""
        return _read_url(url)

    def fetch(self, link: FileLink) -> bytes:
        """The bytes of ``link``, verified against its hashes.

        :raises HashMismatch: the bytes do not match.
        :raises SourceError: they cannot be read.
        """
        data = self.read_url(link.url)
        verify_hashes(data, link.hashes, link.filename)
        return data

    def fetch_to(self, link: FileLink, directory: Path) -> Path:
        """A local path holding the verified file (downloaded into ``directory`` if remote)."""
        local = link.local_path
        if local is not None and not link.hashes:
            if not local.is_file():
                raise SourceError(f"{link.filename}: no such file: {local}")
            return local
        data = self.fetch(link)
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / link.filename
        target.write_bytes(data)
        return target


def _read_url(url: str, accept: str | None = None) -> bytes:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme == "file":
        path = file_url_path(parsed.path)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if parsed.scheme not in ("http", "https"):
        raise SourceError(f"unsupported URL scheme in {url!r}")
    from urllib import error as url_error
    from urllib import request as url_request

    request = url_request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with url_request.urlopen(request, timeout=DEFAULT_TIMEOUT) as response:
            data: bytes = response.read()
            return data
    except url_error.HTTPError as exc:
        raise SourceError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    except (url_error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SourceError(f"{url}: {reason}") from exc


class FindLinks(Source):
    """A local directory of release files (``--find-links DIR``)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.description = f"find-links {self.directory}"

    def project_page(self, project: str) -> ProjectPage:
        """Every ``.whl`` and ``-variants.json`` file of the project in the directory."""
        if not self.directory.is_dir():
            raise SourceError(f"find-links directory not found: {self.directory}")
        page = ProjectPage(canonicalize_name(project), self.description)
        base = self.directory.absolute().as_uri().rstrip("/") + "/"
        for name in sorted(os.listdir(self.directory)):
            if name.endswith((".whl", ".json")):
                url = base + (name if _URL_SAFE_RE.fullmatch(name) else urllib.parse.quote(name))
                page.add(FileLink(name, url))
        return page


class SimpleIndex(Source):
    """A simple repository (``--index-url URL``): PEP 503 HTML or PEP 691 JSON."""

    def __init__(self, url: str) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.description = f"index {self.url}"

    def project_page(self, project: str) -> ProjectPage:
        """Fetch and parse ``{index}/{normalized project}/``."""
        name = canonicalize_name(project)
        page_url = urllib.parse.urljoin(self.url, f"{name}/")
        page = ProjectPage(name, self.description)
        if urllib.parse.urlsplit(page_url).scheme == "file":
            local = file_url_path(urllib.parse.urlsplit(page_url).path)
            if not local.is_dir() and local.parent.is_dir():
                page.missing = True
                return page
            if (local / "index.json").is_file():
                parse_json_page(page, page_url, _read_url(page_url + "index.json"))
            else:
                parse_html_page(page, page_url, _read_url(page_url + "index.html"))
            return page
        from urllib import error as url_error
        from urllib import request as url_request

        request = url_request.Request(page_url, headers={"Accept": _ACCEPT})
        try:
            with url_request.urlopen(request, timeout=DEFAULT_TIMEOUT) as response:
                content_type = response.headers.get_content_type()
                final_url = response.geturl()
                body = response.read()
        except url_error.HTTPError as exc:
            if exc.code == 404:
                # PEP 503 / pip behaviour: an unknown project simply has no files
                page.missing = True
                return page
            raise SourceError(f"{page_url}: HTTP {exc.code} {exc.reason}") from exc
        except (url_error.URLError, OSError) as exc:
            raise SourceError(f"{page_url}: {getattr(exc, 'reason', exc)}") from exc
        if content_type.endswith("+json") or content_type == "application/json":
            parse_json_page(page, final_url, body)
        else:
            parse_html_page(page, final_url, body)
        return page


def open_source(find_links: str | None = None, index_url: str | None = None) -> Source:
    """The source named by the CLI options (exactly one must be given)."""
    if (find_links is None) == (index_url is None):
        raise ValueError("give exactly one of find_links and index_url")
    if find_links is not None:
        return FindLinks(find_links)
    assert index_url is not None
    return SimpleIndex(index_url)
