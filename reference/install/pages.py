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

import hashlib
import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from reference.errors import IntegrityError, VariantError, Violation
from reference.format.filename import WheelFilename, parse_wheel_filename
from reference.format.indexfile import normalize_name
from reference.limits import check_digits, check_name, parse_json, quoted

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


class HashMismatch(SourceError, IntegrityError):
    """Downloaded bytes do not match the hash the index or lock gave for them (or none can be checked).

    :param clause: the rule broken (``reference:hash-verified``, ``reference:hash-algorithm``),
        listed in ``clauses`` as a :class:`reference.errors.VariantError` lists its own.
    """

    def __init__(self, message: str, clause: str) -> None:
        super().__init__(message)
        self.clauses = [clause]


VERIFIABLE = frozenset(hashlib.algorithms_guaranteed)
"""Hash algorithms a file's hashes are checked in: those :mod:`hashlib` guarantees everywhere."""

_LINK_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class FileLink:
    """One file of a project page.

    :param filename: the final path component (PEP 503: the anchor text).
    :param url: absolute URL (``file://`` for local files).
    :param hashes: ``{algorithm: hexdigest}``, possibly empty.
    :param size: the file's size in bytes, when the source gave it (a lock's ``size``).
    """

    filename: str
    url: str
    hashes: Mapping[str, str] = field(default_factory=dict)
    size: int | None = None

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


def _version(text: str) -> Version | None:
    """The version written ``text``, or ``None``; a number too long raises ``LimitExceeded``."""
    try:
        return Version(check_digits(text, "", "version"))
    except InvalidVersion:
        return None


def _normalize_version(text: str) -> str:
    version = _version(text)
    return str(version) if version is not None else text


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
    :param remote: the page was served over http(s): its links must be http(s) too.
    """

    project: str
    source: str
    missing: bool = False
    remote: bool = False
    wheels: list[FileLink] = field(default_factory=list)
    variants_json: dict[str, FileLink] = field(default_factory=dict)
    ignored: list[tuple[str, str]] = field(default_factory=list)
    _version_of: dict[str, str] = field(default_factory=dict, repr=False)
    _names: dict[str, str] = field(default_factory=dict, repr=False)

    def _canonical(self, name: str) -> str:
        if name not in self._names:
            self._names[name] = canonicalize_name(name)
        return self._names[name]

    def wants(self, filename: str) -> bool:
        """Whether :meth:`add` keeps a link of this name (a wheel or ``-variants.json`` of the project)."""
        if filename.endswith(".whl"):
            parts = filename[:-4].split("-")
            return len(parts) >= 5 and self._canonical(parts[0]) == self.project
        match = _VARIANTS_JSON_RE.fullmatch(filename)
        return bool(match and self._canonical(match["name"]) == self.project)

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
            version = _version(text)
            return (0, Version("0")) if version is None else (1, version)

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


class HashCheck:
    """The hashes a source gave for one file, checked as its bytes go past.

    :param hashes: ``{algorithm: hexdigest}`` as the index or lock gave them.
    :param what: the file, for messages.
    :param size: the size in bytes the lock gave, if any (``pylock:wheel-hash``: "Validate
        the file size and hash.").
    :raises HashMismatch: hashes were given, but none in an algorithm of
        :data:`VERIFIABLE` (``reference:hash-algorithm``): they cannot vouch for anything.

    Spec: reference:hash-verified, reference:hash-algorithm, pylock:wheel-hash
    """

    def __init__(self, hashes: Mapping[str, str], what: str, size: int | None = None) -> None:
        self.what = what
        self.size = size
        self.seen = 0
        self.expected = {
            algorithm.lower(): value for algorithm, value in hashes.items()
            if algorithm.lower() in VERIFIABLE and not algorithm.lower().startswith("shake_")
        }
        if hashes and not self.expected:
            given = ", ".join(quoted(a) for a in sorted(hashes))
            raise HashMismatch(
                f"{what}: hashes given only in algorithms that cannot be verified ({given}); "
                "refused rather than taken as verified [reference:hash-algorithm]",
                "reference:hash-algorithm",
            )
        self._running = {algorithm: hashlib.new(algorithm) for algorithm in self.expected}

    def update(self, chunk: bytes) -> None:
        """Feed the next bytes of the file."""
        self.seen += len(chunk)
        for running in self._running.values():
            running.update(chunk)

    def verify(self) -> None:
        """:raises HashMismatch: the size or a digest differs from the one given."""
        if self.size is not None and self.seen != self.size:
            raise HashMismatch(
                f"{self.what}: {self.seen} bytes, but its size is given as "  # pragma: no mutate
                f"{self.size} [pylock:wheel-hash: 'Validate the file size and hash.']",  # pragma: no mutate
                "pylock:wheel-hash",
            )
        for algorithm, expected in self.expected.items():
            digest = self._running[algorithm].hexdigest()
            if digest != expected.lower():
                raise HashMismatch(
                    f"{self.what}: {algorithm} hash mismatch (expected {quoted(expected)}, got {digest}) "
                    "[reference:hash-verified]",
                    "reference:hash-verified",
                )


def verify_hashes(data: bytes, hashes: Mapping[str, str], what: str, size: int | None = None) -> None:
    """Raise :class:`HashMismatch` unless ``data`` matches every verifiable hash in ``hashes``
    (and ``size``, when given).

    Algorithms outside :data:`VERIFIABLE` are skipped when another is given;
    hashes given only in such algorithms are refused; an empty mapping passes.

    Spec: reference:hash-verified, reference:hash-algorithm
    """
    check = HashCheck(hashes, what, size)
    check.update(data)
    check.verify()


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
    try:
        url, _, fragment = urllib.parse.urljoin(base, href).partition("#")
        filename = text or urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
    except ValueError as exc:  # a malformed URL, such as http://[::1
        raise SourceError(f"{base}: malformed URL in href {quoted(href)}: {exc}") from None
    hashes: dict[str, str] = {}
    # PEP 503: "the URL SHOULD include a hash in the form of a URL fragment
    # with the following syntax, #<hashname>=<hashvalue>".
    if "=" in fragment:
        algorithm, _, value = fragment.partition("=")
        hashes[algorithm.lower()] = value
    return FileLink(filename, url, hashes)


def _add_checked(page: ProjectPage, link: FileLink, field: str) -> None:
    """Add a link of an index page, its name and URL checked first.

    The name becomes a file name when the file is downloaded, so it must be
    one path component; a page served over http(s) may link only http(s) URLs
    (never ``file:``, which would make the reference read local files).

    Spec: reference:safe-name, reference:link-scheme
    """
    if link.filename.endswith((".whl", ".json")):
        check_name(link.filename, field, page.source)
    if page.wants(link.filename):
        scheme = urllib.parse.urlsplit(link.url).scheme
        if page.remote and scheme not in _LINK_SCHEMES:
            message = (
                f"{link.filename}: the {scheme or 'relative'} link {quoted(link.url)} on a page served "
                "over http(s) is refused: an index may link only http(s) URLs"
            )
            raise VariantError(Violation("reference:link-scheme", message, field, page.source))
    page.add(link)


def parse_html_page(page: ProjectPage, base_url: str, body: bytes) -> None:
    """Add the anchors of a PEP 503 project page to ``page``.

    :raises SourceError: an ``href`` is not a URL.
    :raises VariantError: a kept link's name or scheme is refused (:func:`_add_checked`).
    """
    parser = _anchor_parser()
    parser.feed(body.decode("utf-8", errors="replace"))
    parser.close()
    for href, text in parser.anchors:
        _add_checked(page, _link_from_href(base_url, href, text), "href")


def parse_json_page(page: ProjectPage, base_url: str, body: bytes) -> None:
    """Add the ``files`` of a PEP 691 project page to ``page``.

    :raises SourceError: the body is not a PEP 691 response: not JSON, or a
        field of the wrong type (named by its JSON Pointer).
    :raises VariantError: a kept file's name or URL is refused (:func:`_add_checked`).
    """
    try:
        data: Any = parse_json(body.decode("utf-8"), base_url)
    except ValueError as exc:
        raise SourceError(f"{base_url}: not a PEP 691 JSON project page ({exc})") from None
    meta = data.get("meta") if isinstance(data, dict) else None
    version = meta.get("api-version") if isinstance(meta, dict) else None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(version, str) or not isinstance(files, list):
        raise SourceError(f"{base_url}: not a PEP 691 JSON project page (/meta/api-version, /files)")
    if version.split(".")[0] != "1":
        raise SourceError(f"{base_url}: unsupported simple API version {quoted(version)}")
    for index, entry in enumerate(files):
        link = _json_file(entry, f"/files/{index}", base_url)
        _add_checked(page, link, f"/files/{index}/filename")


def _json_file(entry: Any, where: str, base_url: str) -> FileLink:
    """One entry of a PEP 691 ``files`` list, its types checked.

    :raises SourceError: naming the field of the wrong type.
    """
    def bad(field: str, wanted: str) -> SourceError:
        return SourceError(f"{base_url}: {where}{field} must be {wanted} (PEP 691)")

    if not isinstance(entry, dict):
        raise bad("", "an object")
    filename, hashes = entry.get("filename"), entry.get("hashes", {})
    url = entry.get("url", filename)
    if not isinstance(filename, str):
        raise bad("/filename", "a string")
    if not isinstance(url, str):
        raise bad("/url", "a string")
    if not isinstance(hashes, dict) or not all(isinstance(v, str) for v in hashes.values()):
        raise bad("/hashes", "an object of strings")
    try:
        absolute = urllib.parse.urljoin(base_url, url).partition("#")[0]
        urllib.parse.urlsplit(absolute)
    except ValueError as exc:
        raise SourceError(f"{base_url}: {where}/url: malformed URL {quoted(url)}: {exc}") from None
    return FileLink(filename, absolute, {str(k).lower(): v for k, v in hashes.items()})
