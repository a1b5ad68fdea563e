"""Where release files come from: find-links directories and simple indexes.

A :class:`Source` lists the files of one project (:class:`ProjectPage`):
the wheels, with their URLs and hashes, and the ``{name}-{version}-variants.json``
links of PEP 825 "Index-level metadata" ("the file is linked next to the
wheels"). Three kinds of sources exist:

- :class:`FindLinks`: a local directory of files (the PEP's "local directory of wheels");
- :class:`SimpleIndex`: a PEP 503 HTML or PEP 691 JSON simple repository,
  over ``http(s)://`` or ``file://``. Over HTTP the format is negotiated with
  the ``Accept`` header (PEP 691); over ``file://`` the project directory's
  ``index.json`` is read if present, else ``index.html``.

Everything fetched is checked against the hashes the source gave for it
(``#sha256=`` URL fragments, or the PEP 691 ``hashes`` dictionary) before it is
used; a mismatch is a :class:`HashMismatch`.

Fetching uses :mod:`urllib` with a bounded timeout. This module does no
selection; it only says what is there.
"""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from reference.format.filename import WheelFilename, parse_wheel_filename

__all__ = [
    "DEFAULT_TIMEOUT",
    "FileLink",
    "FindLinks",
    "HashMismatch",
    "ProjectPage",
    "SimpleIndex",
    "Source",
    "SourceError",
    "open_source",
    "parse_html_page",
    "parse_json_page",
    "variants_json_filename",
    "verify_hashes",
]

DEFAULT_TIMEOUT = 15.0
"""Seconds allowed for one HTTP request."""

_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
# "{name}-{version}-variants.json": neither component may contain "-" once
# normalized as in wheel filenames (PEP 825 "Index-level metadata").
_URL_SAFE_RE = re.compile(r"[A-Za-z0-9_.~-]+")
_VARIANTS_JSON_RE = re.compile(r"(?P<name>[^-/]+)-(?P<version>[^-/]+)-variants\.json")


class SourceError(OSError):
    """A source cannot be read: missing directory, HTTP error, malformed page.

    An I/O problem, not invalid variant data: the CLI exits with status 2.
    """


class HashMismatch(SourceError):
    """Downloaded bytes do not match the hash the index or lock gave for them."""


@dataclass(frozen=True)
class FileLink:
    """One file of a project page.

    :param filename: the final path component (PEP 503: the anchor text).
    :param url: absolute URL (``file://`` for local files).
    :param hashes: ``{algorithm: hexdigest}``, possibly empty.
    """

    filename: str
    url: str
    hashes: Mapping[str, str] = field(default_factory=dict)

    @property
    def local_path(self) -> Path | None:
        """The file's path when the URL is a ``file://`` URL."""
        parsed = urllib.parse.urlsplit(self.url)
        if parsed.scheme != "file":
            return None
        return _file_url_path(parsed.path)


def _file_url_path(url_path: str) -> Path:
    """The local path of a ``file://`` URL's path component."""
    if os.name == "nt":  # pragma: no cover - POSIX in CI
        from urllib.request import url2pathname

        return Path(url2pathname(url_path))
    return Path(urllib.parse.unquote(url_path))


def _normalize_version(text: str) -> str:
    try:
        return str(Version(text))
    except InvalidVersion:
        return text


def variants_json_filename(name: str, version: str) -> str:
    """``{name}-{version}-variants.json`` with both parts normalized as in wheel filenames.

    The binary distribution format escapes runs of ``-_.`` in the name to a
    single ``_`` (lowercased) and normalizes the version per PEP 440.

    Spec: pep825:index-file-name
    """
    escaped = re.sub(r"[-_.]+", "_", name).lower()
    return f"{escaped}-{_normalize_version(version).replace('-', '_')}-variants.json"


@dataclass
class ProjectPage:
    """The files a source offers for one project.

    Wheel filenames are only split cheaply here (distribution and version, the
    first two ``-`` components, which escaped names never contain); the full
    parse, with its validation, happens in :meth:`parse` when a version's
    wheels are examined, so a page of thousands of wheels stays cheap.

    :param project: the normalized project name.
    :param wheels: wheel links, in page order.
    :param variants_json: ``{normalized version: link}`` for ``-variants.json`` files.
    :param ignored: ``(filename, reason)`` for links that were skipped.
    :param missing: the source has no page for the project (HTTP 404, no directory).
    """

    project: str
    source: str
    missing: bool = False
    wheels: list[FileLink] = field(default_factory=list)
    variants_json: dict[str, FileLink] = field(default_factory=dict)
    ignored: list[tuple[str, str]] = field(default_factory=list)
    _version_of: dict[str, str] = field(default_factory=dict, repr=False)
    _names: dict[str, str] = field(default_factory=dict, repr=False)

    def _canonical(self, name: str) -> str:
        if name not in self._names:
            self._names[name] = canonicalize_name(name)
        return self._names[name]

    def add(self, link: FileLink) -> None:
        """File a link under wheels, ``-variants.json`` or ignored."""
        name = link.filename
        if name.endswith(".whl"):
            parts = name[:-4].split("-")
            if len(parts) < 5:
                self.ignored.append((name, "not a wheel filename: fewer than five components"))
                return
            if self._canonical(parts[0]) != self.project:
                return
            self.wheels.append(link)
            self._version_of[name] = parts[1]
            return
        match = _VARIANTS_JSON_RE.fullmatch(name)
        if match and self._canonical(match["name"]) == self.project:
            self.variants_json[_normalize_version(match["version"])] = link

    def parse(self, filename: str) -> WheelFilename:
        """The full parse of one wheel filename.

        :raises InvalidVariantFilename: the name is not a valid (variant) wheel filename.
        """
        return parse_wheel_filename(filename)

    def versions(self) -> list[str]:
        """Distinct versions that have wheels, as written, newest first (invalid ones last)."""
        seen = dict.fromkeys(self._version_of.values())

        def key(text: str) -> tuple[int, Version]:
            try:
                return (1, Version(text))
            except InvalidVersion:
                return (0, Version("0"))

        return sorted(seen, key=key, reverse=True)

    def wheels_for(self, version: str) -> list[FileLink]:
        """Wheel links of one version (compared after PEP 440 normalization)."""
        want = _normalize_version(version)
        normal = {v: _normalize_version(v) for v in set(self._version_of.values())}
        return [link for link in self.wheels if normal[self._version_of[link.filename]] == want]

    def variants_json_for(self, version: str) -> FileLink | None:
        """The ``{name}-{version}-variants.json`` link for a version, if the source has one.

        Spec: pep825:ordering-prefer-index-file
        """
        return self.variants_json.get(_normalize_version(version))


def verify_hashes(data: bytes, hashes: Mapping[str, str], what: str) -> None:
    """Raise :class:`HashMismatch` unless ``data`` matches every known hash in ``hashes``.

    Algorithms :mod:`hashlib` does not know are skipped; an empty mapping passes.

    Spec: reference:hash-verified
    """
    import hashlib

    for algorithm, expected in hashes.items():
        try:
            digest = hashlib.new(algorithm, data).hexdigest()
        except (ValueError, TypeError):
            continue
        if digest.lower() != expected.lower():
            raise HashMismatch(
                f"{what}: {algorithm} hash mismatch (expected {expected}, got {digest})"
            )


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
        path = _file_url_path(parsed.path)
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


def _anchor_parser() -> Any:
    """A parser collecting ``(href, text)`` of every ``<a>`` (html.parser imported on demand)."""
    import html.parser

    class _AnchorParser(html.parser.HTMLParser):
        """Collects ``(href, text)`` of every ``<a>`` of a PEP 503 page."""

        def __init__(self) -> None:
            super().__init__()
            self.anchors: list[tuple[str, str]] = []
            self._href: str | None = None
            self._text: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "a":
                self._href = dict(attrs).get("href") or ""
                self._text = []

        def handle_data(self, data: str) -> None:
            if self._href is not None:
                self._text.append(data)

        def handle_endtag(self, tag: str) -> None:
            if tag == "a" and self._href is not None:
                self.anchors.append((self._href, "".join(self._text).strip()))
                self._href = None

    return _AnchorParser()


def _link_from_href(base: str, href: str, text: str) -> FileLink:
    url, _, fragment = urllib.parse.urljoin(base, href).partition("#")
    hashes: dict[str, str] = {}
    # PEP 503: "the URL SHOULD include a hash in the form of a URL fragment
    # with the following syntax, #<hashname>=<hashvalue>".
    if "=" in fragment:
        algorithm, _, value = fragment.partition("=")
        hashes[algorithm.lower()] = value
    filename = text or urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
    return FileLink(filename, url, hashes)


def parse_html_page(page: ProjectPage, base_url: str, body: bytes) -> None:
    """Add the anchors of a PEP 503 project page to ``page``."""
    parser = _anchor_parser()
    parser.feed(body.decode("utf-8", errors="replace"))
    for href, text in parser.anchors:
        page.add(_link_from_href(base_url, href, text))


def parse_json_page(page: ProjectPage, base_url: str, body: bytes) -> None:
    """Add the ``files`` of a PEP 691 project page to ``page``.

    :raises SourceError: the body is not a PEP 691 response.
    """
    try:
        data: Any = json.loads(body)
        files = data["files"]
        major = str(data["meta"]["api-version"]).split(".")[0]
    except (ValueError, KeyError, TypeError) as exc:
        raise SourceError(f"{base_url}: not a PEP 691 JSON project page") from exc
    if major != "1":
        raise SourceError(f"{base_url}: unsupported simple API version {data['meta']['api-version']}")
    for entry in files:
        if not isinstance(entry, dict) or not isinstance(entry.get("filename"), str):
            continue
        hashes = entry.get("hashes") or {}
        url = urllib.parse.urljoin(base_url, str(entry.get("url", entry["filename"])))
        page.add(
            FileLink(
                entry["filename"],
                url.partition("#")[0],
                {str(k).lower(): str(v) for k, v in hashes.items()} if isinstance(hashes, dict) else {},
            )
        )


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
            local = _file_url_path(urllib.parse.urlsplit(page_url).path)
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

