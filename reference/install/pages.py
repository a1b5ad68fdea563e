"""What a source lists for one project: links, hashes and the project page formats.

A project page (:class:`ProjectPage`) holds the wheels of a project, with
their URLs and hashes, and the ``{name}-{version}-variants.json`` links of
PEP 825 "Index-level metadata" ("the file is linked next to the wheels"). It
is read from a PEP 503 HTML page (:func:`parse_html_page`), a PEP 691 JSON
page (:func:`parse_json_page`) or a directory listing
(:class:`reference.install.sources.FindLinks`). Everything fetched is checked
against the hashes the page gave for it (:func:`verify_hashes`).

This module parses and checks; it reads nothing itself
(:mod:`reference.install.sources` does).
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
from reference.format.indexfile import normalize_name

__all__ = [
    "FileLink",
    "HashMismatch",
    "ProjectPage",
    "SourceError",
    "file_url_path",
    "parse_html_page",
    "parse_json_page",
    "variants_json_filename",
    "verify_hashes",
]

# "{name}-{version}-variants.json": neither component may contain "-" once
# normalized as in wheel filenames (PEP 825 "Index-level metadata").
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
        return file_url_path(parsed.path)


def file_url_path(url_path: str) -> Path:
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
    return f"{normalize_name(name)}-{_normalize_version(version).replace('-', '_')}-variants.json"


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
